// Package policydoc reads RAM policy documents: it checks their grammar
// (permission policies, role trust policies and STS session policies) and
// decides whether a trust policy lets a principal assume its role. Evaluating
// permission policies against API calls is internal/authz's job.
package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kind is what a document is used for; it decides which elements are required.
type Kind int

// Document kinds.
const (
	// Permission is a policy attached to users, groups and roles (or given to
	// AssumeRole as its session policy): statements need Action and Resource
	// and may not name a Principal.
	Permission Kind = iota
	// Trust is a role's AssumeRolePolicyDocument: statements need Action and
	// Principal and may not name a Resource.
	Trust
)

// Document is a parsed policy document.
type Document struct {
	Version   string
	Statement []Statement
}

// Statement is one statement of a document. Single strings are read as
// one-element lists.
type Statement struct {
	Effect      string
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	// Principal maps a principal kind (RAM, Service, Federated) to its values.
	Principal map[string][]string
	// Condition maps an operator to its keys and their values.
	Condition map[string]map[string][]string
}

// Parse reads and checks a document of kind k. Its error's message says what
// is wrong, in the words RAM's MalformedPolicyDocument uses.
func Parse(text string, k Kind) (*Document, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil || dec.More() {
		return nil, errors.New("The policy document is not a valid JSON object.")
	}
	doc := &Document{}
	for key, val := range raw {
		switch key {
		case "Version":
			if err := json.Unmarshal(val, &doc.Version); err != nil || doc.Version != "1" {
				return nil, errors.New(`The element "Version" must be "1".`)
			}
		case "Statement":
			stmts, err := parseStatements(val, k)
			if err != nil {
				return nil, err
			}
			doc.Statement = stmts
		default:
			return nil, fmt.Errorf("Unknown element %q in the policy document.", key)
		}
	}
	if doc.Version == "" {
		return nil, errors.New(`The element "Version" is missing.`)
	}
	if doc.Statement == nil {
		return nil, errors.New(`The element "Statement" is missing.`)
	}
	return doc, nil
}

func parseStatements(val json.RawMessage, k Kind) ([]Statement, error) {
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(val), []byte("{")) {
		list = []json.RawMessage{val}
	} else if err := json.Unmarshal(val, &list); err != nil {
		return nil, errors.New(`The element "Statement" must be an object or an array of objects.`)
	}
	out := make([]Statement, 0, len(list))
	for i, item := range list {
		s, err := parseStatement(item, k)
		if err != nil {
			return nil, fmt.Errorf("Statement %d: %w", i+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(val json.RawMessage, k Kind) (Statement, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(val, &raw); err != nil {
		return Statement{}, errors.New("a statement must be a JSON object")
	}
	var s Statement
	for key, v := range raw {
		var err error
		switch key {
		case "Effect":
			if err = json.Unmarshal(v, &s.Effect); err != nil || (s.Effect != "Allow" && s.Effect != "Deny") {
				return s, errors.New(`the element "Effect" must be "Allow" or "Deny"`)
			}
		case "Action":
			s.Action, err = stringList(key, v)
		case "NotAction":
			s.NotAction, err = stringList(key, v)
		case "Resource":
			s.Resource, err = stringList(key, v)
		case "NotResource":
			s.NotResource, err = stringList(key, v)
		case "Principal":
			s.Principal, err = principal(v)
		case "Condition":
			s.Condition, err = condition(v)
		case "Sid":
		default:
			return s, fmt.Errorf("unknown element %q", key)
		}
		if err != nil {
			return s, err
		}
	}
	if s.Effect == "" {
		return s, errors.New(`the element "Effect" is missing`)
	}
	if len(s.Action) == 0 && len(s.NotAction) == 0 {
		return s, errors.New(`the element "Action" is missing`)
	}
	switch k {
	case Permission:
		if s.Principal != nil {
			return s, errors.New(`a permission policy may not have the element "Principal"`)
		}
		if len(s.Resource) == 0 && len(s.NotResource) == 0 {
			return s, errors.New(`the element "Resource" is missing`)
		}
	case Trust:
		if len(s.Principal) == 0 {
			return s, errors.New(`the element "Principal" is missing`)
		}
		if s.Resource != nil || s.NotResource != nil {
			return s, errors.New(`a trust policy may not have the element "Resource"`)
		}
		for _, a := range s.Action {
			if !strings.EqualFold(a, "sts:AssumeRole") {
				return s, fmt.Errorf("the action %q is not allowed in a trust policy", a)
			}
		}
	}
	return s, nil
}

// stringList reads a string or an array of non-empty strings.
func stringList(name string, v json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(v, &one); err == nil {
		if one == "" {
			return nil, fmt.Errorf("the element %q is empty", name)
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(v, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("the element %q must be a string or a non-empty array of strings", name)
	}
	for _, m := range many {
		if m == "" {
			return nil, fmt.Errorf("the element %q has an empty value", name)
		}
	}
	return many, nil
}

func principal(v json.RawMessage) (map[string][]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, errors.New(`the element "Principal" must be an object`)
	}
	out := map[string][]string{}
	for key, val := range raw {
		switch key {
		case "RAM", "Service", "Federated":
		default:
			return nil, fmt.Errorf("unknown principal type %q", key)
		}
		list, err := stringList("Principal."+key, val)
		if err != nil {
			return nil, err
		}
		out[key] = list
	}
	return out, nil
}

func condition(v json.RawMessage) (map[string]map[string][]string, error) {
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v, &raw); err != nil {
		return nil, errors.New(`the element "Condition" must map operators to objects`)
	}
	out := map[string]map[string][]string{}
	for op, keys := range raw {
		out[op] = map[string][]string{}
		for key, val := range keys {
			var vals []string
			var one any
			if err := json.Unmarshal(val, &one); err != nil {
				return nil, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			switch x := one.(type) {
			case []any:
				for _, e := range x {
					vals = append(vals, fmt.Sprint(e))
				}
			default:
				vals = []string{fmt.Sprint(x)}
			}
			out[op][key] = vals
		}
	}
	return out, nil
}
