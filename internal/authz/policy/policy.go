// Package policy is the RAM policy language: it parses policy documents
// (`{"Version": "1", "Statement": [...]}`), reports malformed ones with errors
// that name the offending element, and evaluates them against a request
// (action, resource ARN, condition environment) with RAM's rules: a statement
// applies when its action, resource and every condition match; an explicit
// Deny wins over any Allow; nothing allowed means denied.
//
// The grammar is Alibaba Cloud RAM's:
//
//	policy     = {"Version": "1", "Statement": [statement, ...]}
//	statement  = {"Effect": "Allow"|"Deny",
//	              "Action"|"NotAction": string | [string, ...],
//	              "Resource"|"NotResource": string | [string, ...],
//	              "Condition": {operator: {key: value | [value, ...]}},
//	              "Principal": {type: string | [string, ...]}}   (trust policies only)
//
// Actions are `service:name` with `*` and `?` wildcards, matched without regard
// to case (`ecs:Describe*`, `*`). Resources are ARNs
// (`acs:ecs:cn-hangzhou:1234:instance/i-abc`) with the same wildcards, matched
// case-sensitively. Condition operators and keys are listed in condition.go.
package policy

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Version is the only policy language version RAM has.
const Version = "1"

// Effect is what a matching statement does.
type Effect uint8

// Effects.
const (
	// Allow grants the request unless a Deny also matches.
	Allow Effect = iota + 1
	// Deny refuses the request whatever else matches.
	Deny
)

// String returns the effect as policies spell it.
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Effect(" + fmt.Sprint(uint8(e)) + ")"
}

// Policy is a parsed, validated policy document. It is immutable and safe for
// concurrent use.
type Policy struct {
	statements []statement
	// tagKeys is true when a condition reads resource or request tags.
	tagKeys bool
	// byAction remembers, per request action, which statements' Action (or
	// NotAction) matches it, so evaluation looks at those only. Actions come
	// from a finite table, but the memo is bounded anyway.
	byAction     sync.Map // string → []int
	byActionSize atomic.Int32
}

// maxActionMemo bounds the number of actions a Policy remembers statements for.
const maxActionMemo = 2048

// statementsFor returns the indices of the statements whose action part
// matches action.
func (p *Policy) statementsFor(action string) []int {
	if v, ok := p.byAction.Load(action); ok {
		return v.([]int)
	}
	var idx []int
	for i := range p.statements {
		s := &p.statements[i]
		if matchAny(s.actions, action, true) != s.notAction {
			idx = append(idx, i)
		}
	}
	if p.byActionSize.Load() < maxActionMemo {
		if _, loaded := p.byAction.LoadOrStore(action, idx); !loaded {
			p.byActionSize.Add(1)
		}
	}
	return idx
}

// statement is one parsed statement.
type statement struct {
	effect Effect
	// actions match the request's action; notAction inverts the match.
	actions   []pattern
	notAction bool
	// resources match the request's resource; notResource inverts the match.
	// hasResource is false in trust policies, which name no resource.
	resources   []pattern
	notResource bool
	hasResource bool
	conditions  []condition
	// principals are a trust policy's Principal: type ("RAM", "Service",
	// "Federated") → patterns.
	principals map[string][]pattern
}

// Error is a malformed policy document: Path names the element ("Statement[1].Effect",
// "" for the document itself) and Reason says what is wrong with it.
type Error struct {
	Path   string
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Parse parses and validates a permission policy document (the documents
// attached to RAM users, groups and roles, and AssumeRole session policies).
// A malformed document is an *Error.
func Parse(doc string) (*Policy, error) { return parse(doc, false) }

// Validate reports whether doc is a well-formed permission policy: nil, or an
// *Error naming the offending element (for RAM's MalformedPolicyDocument).
func Validate(doc string) error {
	_, err := Parse(doc)
	return err
}

// ParseTrust parses and validates a role's trust policy (AssumeRolePolicyDocument):
// every statement names a Principal and no Resource.
func ParseTrust(doc string) (*Policy, error) { return parse(doc, true) }

// ValidateTrust reports whether doc is a well-formed trust policy.
func ValidateTrust(doc string) error {
	_, err := ParseTrust(doc)
	return err
}

// ReadsTags reports whether a condition of p reads the tags of the resource
// being accessed or of the request (ecs:tag/…, acs:ResourceTag/…,
// acs:RequestTag/…), so a caller can skip looking tags up when it does not.
func (p *Policy) ReadsTags() bool { return p.tagKeys }

// Statements returns the number of statements.
func (p *Policy) Statements() int { return len(p.statements) }

// pattern is an action, resource or principal pattern with `*` and `?`
// wildcards. Action patterns are stored lower-cased and matched folding case.
type pattern struct {
	text string
	// any is true for "*", which matches everything.
	any bool
	// literal is true when text has no wildcard.
	literal bool
}

func newPattern(text string, fold bool) pattern {
	if fold {
		text = strings.ToLower(text)
	}
	return pattern{text: text, any: text == "*", literal: !strings.ContainsAny(text, "*?")}
}

func (p pattern) match(s string, fold bool) bool {
	switch {
	case p.any:
		return true
	case p.literal && fold:
		return strings.EqualFold(p.text, s)
	case p.literal:
		return p.text == s
	}
	return globMatch(p.text, s, fold)
}

func matchAny(ps []pattern, s string, fold bool) bool {
	for _, p := range ps {
		if p.match(s, fold) {
			return true
		}
	}
	return false
}
