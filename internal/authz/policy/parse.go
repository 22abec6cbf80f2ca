package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// principalTypes are the Principal types a trust policy may name.
var principalTypes = map[string]bool{"RAM": true, "Service": true, "Federated": true}

func parse(doc string, trust bool) (*Policy, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, errorf("", "the policy document is empty")
	}
	top, err := object(json.RawMessage(doc), "")
	if err != nil {
		return nil, err
	}
	if err := knownKeys(top, "", "Version", "Statement"); err != nil {
		return nil, err
	}
	raw, ok := top["Version"]
	if !ok {
		return nil, errorf("Version", `is missing; it must be "1"`)
	}
	var version string
	if json.Unmarshal(raw, &version) != nil || version != Version {
		return nil, errorf("Version", `must be the string "1", got %s`, compact(raw))
	}
	raw, ok = top["Statement"]
	if !ok {
		return nil, errorf("Statement", "is missing")
	}
	items, err := statementList(raw)
	if err != nil {
		return nil, err
	}
	p := &Policy{statements: make([]statement, 0, len(items))}
	for i, item := range items {
		s, err := parseStatement(item, fmt.Sprintf("Statement[%d]", i), trust)
		if err != nil {
			return nil, err
		}
		for _, c := range s.conditions {
			p.tagKeys = p.tagKeys || c.key.readsTags()
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

// statementList accepts an array of statements (RAM's form) or a single one.
func statementList(raw json.RawMessage) ([]json.RawMessage, error) {
	var items []json.RawMessage
	switch firstByte(raw) {
	case '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errorf("Statement", "is not a JSON array: %v", err)
		}
	case '{':
		items = []json.RawMessage{raw}
	default:
		return nil, errorf("Statement", "must be an array of statements, got %s", compact(raw))
	}
	if len(items) == 0 {
		return nil, errorf("Statement", "has no statement")
	}
	return items, nil
}

func parseStatement(raw json.RawMessage, path string, trust bool) (statement, error) {
	var s statement
	fields, err := object(raw, path)
	if err != nil {
		return s, err
	}
	allowed := []string{"Sid", "Effect", "Action", "NotAction", "Condition"}
	if trust {
		allowed = append(allowed, "Principal")
	} else {
		allowed = append(allowed, "Resource", "NotResource")
	}
	if err := knownKeys(fields, path, allowed...); err != nil {
		return s, err
	}
	if raw, ok := fields["Sid"]; ok {
		var sid string
		if json.Unmarshal(raw, &sid) != nil {
			return s, errorf(path+".Sid", "must be a string")
		}
	}
	if s.effect, err = parseEffect(fields, path); err != nil {
		return s, err
	}
	actions, not, err := patternList(fields, path, "Action", "NotAction", true)
	if err != nil {
		return s, err
	}
	for i, a := range actions {
		if a != "*" && !validAction(a) {
			return s, errorf(fmt.Sprintf("%s.%s[%d]", path, pick(not, "NotAction", "Action"), i),
				`%q is not "*" or service:action (such as "ecs:DescribeInstances" or "ecs:Describe*")`, a)
		}
		s.actions = append(s.actions, newPattern(a, true))
	}
	s.notAction = not
	if !trust {
		resources, not, err := patternList(fields, path, "Resource", "NotResource", true)
		if err != nil {
			return s, err
		}
		for i, r := range resources {
			if r != "*" && !validResource(r) {
				return s, errorf(fmt.Sprintf("%s.%s[%d]", path, pick(not, "NotResource", "Resource"), i),
					`%q is not "*" or an ARN of the form acs:service:region:account:relative-id`, r)
			}
			s.resources = append(s.resources, newPattern(r, false))
		}
		s.notResource, s.hasResource = not, true
	} else if s.principals, err = parsePrincipal(fields, path); err != nil {
		return s, err
	}
	if raw, ok := fields["Condition"]; ok {
		if s.conditions, err = parseConditions(raw, path+".Condition"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func parseEffect(fields map[string]json.RawMessage, path string) (Effect, error) {
	raw, ok := fields["Effect"]
	if !ok {
		return 0, errorf(path+".Effect", `is missing; it must be "Allow" or "Deny"`)
	}
	var effect string
	if json.Unmarshal(raw, &effect) == nil {
		switch effect {
		case "Allow":
			return Allow, nil
		case "Deny":
			return Deny, nil
		}
	}
	return 0, errorf(path+".Effect", `must be "Allow" or "Deny", got %s`, compact(raw))
}

// patternList reads exactly one of name and notName as a string or a
// non-empty list of strings.
func patternList(fields map[string]json.RawMessage, path, name, notName string, required bool) ([]string, bool, error) {
	raw, has := fields[name]
	notRaw, hasNot := fields[notName]
	switch {
	case has && hasNot:
		return nil, false, errorf(path, "has both %s and %s; give one", name, notName)
	case !has && !hasNot:
		if required {
			return nil, false, errorf(path, "has neither %s nor %s", name, notName)
		}
		return nil, false, nil
	case hasNot:
		list, err := stringList(notRaw, path+"."+notName)
		return list, true, err
	}
	list, err := stringList(raw, path+"."+name)
	return list, false, err
}

// stringList reads a string or a non-empty array of non-empty strings.
func stringList(raw json.RawMessage, path string) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, errorf(path, "is empty")
		}
		return []string{one}, nil
	}
	var list []string
	if firstByte(raw) != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, errorf(path, "must be a string or an array of strings, got %s", compact(raw))
	}
	if len(list) == 0 {
		return nil, errorf(path, "is an empty array")
	}
	for i, v := range list {
		if v == "" {
			return nil, errorf(fmt.Sprintf("%s[%d]", path, i), "is empty")
		}
	}
	return list, nil
}

func parsePrincipal(fields map[string]json.RawMessage, path string) (map[string][]pattern, error) {
	raw, ok := fields["Principal"]
	if !ok {
		return nil, errorf(path+".Principal", "is missing; a trust policy names who may assume the role")
	}
	m, err := object(raw, path+".Principal")
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, errorf(path+".Principal", "names no principal")
	}
	out := make(map[string][]pattern, len(m))
	for _, typ := range sortedKeys(m) {
		if !principalTypes[typ] {
			return nil, errorf(path+".Principal", `has type %q; it must be "RAM", "Service" or "Federated"`, typ)
		}
		values, err := stringList(m[typ], path+".Principal."+typ)
		if err != nil {
			return nil, err
		}
		for _, v := range values {
			out[typ] = append(out[typ], newPattern(v, false))
		}
	}
	return out, nil
}

func parseConditions(raw json.RawMessage, path string) ([]condition, error) {
	ops, err := object(raw, path)
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, opName := range sortedKeys(ops) {
		op, ok := operators[opName]
		if !ok {
			return nil, errorf(path, "unknown operator %q (operators: %s)", opName, strings.Join(Operators(), ", "))
		}
		opPath := path + "." + opName
		keys, err := object(ops[opName], opPath)
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, errorf(opPath, "names no condition key")
		}
		for _, keyName := range sortedKeys(keys) {
			keyPath := opPath + "." + keyName
			key, err := parseKey(keyName)
			if err != nil {
				return nil, errorf(keyPath, "%v", err)
			}
			values, err := conditionValues(keys[keyName], keyPath)
			if err != nil {
				return nil, err
			}
			c, err := newCondition(op, key, values)
			if err != nil {
				return nil, errorf(keyPath, "%v", err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues reads a condition value: a string, number or boolean, or a
// non-empty array of them, each as its JSON text (strings unquoted).
func conditionValues(raw json.RawMessage, path string) ([]string, error) {
	var items []json.RawMessage
	if firstByte(raw) == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errorf(path, "is not valid JSON: %v", err)
		}
		if len(items) == 0 {
			return nil, errorf(path, "is an empty array")
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		switch firstByte(item) {
		case '"':
			var s string
			if err := json.Unmarshal(item, &s); err != nil {
				return nil, errorf(path, "is not valid JSON: %v", err)
			}
			out = append(out, s)
		case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			out = append(out, string(bytes.TrimSpace(item)))
		default:
			return nil, errorf(path, "values must be strings, numbers or booleans, got %s", compact(item))
		}
	}
	return out, nil
}

// object decodes a JSON object, refusing anything else and trailing data.
func object(raw json.RawMessage, path string) (map[string]json.RawMessage, error) {
	what := path
	if what == "" {
		what = "the policy document"
	}
	if firstByte(raw) != '{' {
		return nil, &Error{Path: path, Reason: fmt.Sprintf("%s must be a JSON object, got %s", what, compact(raw))}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, &Error{Path: path, Reason: fmt.Sprintf("%s is not valid JSON: %v", what, err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Path: path, Reason: what + " has data after its end"}
	}
	return m, nil
}

func knownKeys(m map[string]json.RawMessage, path string, known ...string) error {
	for _, k := range sortedKeys(m) {
		ok := false
		for _, want := range known {
			ok = ok || k == want
		}
		if !ok {
			where := path
			if where == "" {
				where = "the policy document"
			}
			return errorf(path, "unknown element %q in %s (allowed: %s)", k, where, strings.Join(known, ", "))
		}
	}
	return nil
}

func validAction(a string) bool {
	service, name, ok := strings.Cut(a, ":")
	return ok && service != "" && name != "" && !strings.ContainsAny(a, " \t\n")
}

func validResource(r string) bool {
	return len(r) > 4 && strings.EqualFold(r[:4], "acs:") && strings.Count(r, ":") >= 4 &&
		!strings.ContainsAny(r, " \t\n")
}

func firstByte(raw json.RawMessage) byte {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// compact renders a JSON value for an error message, shortened.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		b.Reset()
		b.Write(bytes.TrimSpace(raw))
	}
	s := b.String()
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	if s == "" {
		s = "nothing"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
