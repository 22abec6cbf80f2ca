package authz

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// Rule says how one API action is authorized: the RAM action a policy must
// allow, and the resources it must allow it on (every one of them).
type Rule struct {
	// Version and Name are the API version and action the rule is for.
	Version, Name string
	// Action is the RAM action name, such as "ecs:RunInstances".
	Action string
	// Public is true for actions every authenticated principal may call
	// (sts:GetCallerIdentity); no policy is consulted.
	Public bool
	// Guide is true when the resources come from guide 1.3's table; false when
	// they are the natural ones for the action's parameters.
	Guide bool
	// Resources are the resource templates, in order.
	Resources []Template
	service   string
	global    bool
}

// Template is one resource of a rule, as written in the rule table:
//
//	instance/{InstanceId}            the instance the parameter names (missing: instance/*)
//	instance/{InstanceIds[]}         one resource per item of a list: a JSON-array string
//	                                 (InstanceIds=["i-1","i-2"]) or Name.N parameters
//	snapshot/{DataDisk.N.SnapshotId} one per item of a list of structs
//	securitygroup/{SourceGroupId}?   trailing ?: only when the parameter is given
//	instance/*                       every instance (creations and listings)
//	*                                everything of the product in the region
//	global:snapshot/*                region "*" (guide: acs:ecs:*:$accountid:snapshot/*)
//	ecs:instance/{InstanceId}        a resource of another product than the API's
//	{ResourceType|lower}/{ResourceId[]}   the type from a parameter too
//	user/{UserName|self}             missing: the calling RAM user's own name
//	arn:{RoleArn|rolearn}            the parameter is the resource's ARN (a role's,
//	                                 acs:ram::$accountid:role/$name, checked as
//	                                 acs:ram:*:$accountid:role/$name)
type Template struct {
	// Text is the template as written.
	Text string
	// Conditional is true when the resource is checked only if its parameter is given.
	Conditional bool
	service     string // "" for the API's
	global      bool
	typ         valueSource // the resource type; a literal when typ.param is ""
	id          valueSource // the resource ID; id.star for "*"
	star        bool        // relative part is "*" (no type)
	arn         bool        // id yields whole ARNs
}

// valueSource is a literal or where a value comes from in the parameters.
type valueSource struct {
	literal   string
	param     string // parameter name; list prefix for nested lists
	field     string // nested list field (DataDisk.N.SnapshotId → DataDisk, SnapshotId)
	list      bool
	transform string // "", "lower", "rolearn", "self"
	star      bool
}

// Resource is one resource a call touches.
type Resource struct {
	// ARN is what policies' Resource patterns are matched against.
	ARN string
	// Type is the resource type ("instance"); "" for a product-wide "*".
	Type string
	// ID is the resource's ID (or name), "" when the ARN ends in a wildcard.
	ID string
}

// Wildcard reports whether the resource is a creation or a collection rather
// than one existing resource.
func (r Resource) Wildcard() bool { return r.ID == "" }

func parseTemplate(text string) (Template, error) {
	t := Template{Text: text}
	s := text
	if strings.HasSuffix(s, "?") {
		t.Conditional, s = true, strings.TrimSuffix(s, "?")
	}
	if rest, ok := strings.CutPrefix(s, "global:"); ok {
		t.global, s = true, rest
	}
	if svc, rest, ok := strings.Cut(s, ":"); ok && svc != "arn" && isServiceName(svc) {
		t.service, s = svc, rest
	}
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		var err error
		if t.id, err = parseValue(rest); err != nil || t.id.param == "" {
			return t, fmt.Errorf("template %q: arn: needs a parameter", text)
		}
		t.arn = true
		return t, nil
	}
	if s == "*" {
		if t.Conditional {
			return t, fmt.Errorf("template %q: * cannot be conditional", text)
		}
		t.star = true
		return t, nil
	}
	typ, id, ok := strings.Cut(s, "/")
	if !ok || typ == "" || id == "" {
		return t, fmt.Errorf("template %q is not type/id", text)
	}
	var err error
	if t.typ, err = parseValue(typ); err != nil {
		return t, fmt.Errorf("template %q: %w", text, err)
	}
	if t.id, err = parseValue(id); err != nil {
		return t, fmt.Errorf("template %q: %w", text, err)
	}
	if t.typ.star || t.typ.list || t.typ.field != "" {
		return t, fmt.Errorf("template %q: the type must be a name or one parameter", text)
	}
	if t.Conditional && t.id.star {
		return t, fmt.Errorf("template %q: a wildcard cannot be conditional", text)
	}
	return t, nil
}

func isServiceName(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

func parseValue(s string) (valueSource, error) {
	if s == "*" {
		return valueSource{star: true}, nil
	}
	if !strings.HasPrefix(s, "{") {
		if strings.ContainsAny(s, "{}*?|") {
			return valueSource{}, fmt.Errorf("bad literal %q", s)
		}
		return valueSource{literal: s}, nil
	}
	if !strings.HasSuffix(s, "}") {
		return valueSource{}, fmt.Errorf("unclosed %q", s)
	}
	v := valueSource{}
	inner := s[1 : len(s)-1]
	inner, v.transform, _ = strings.Cut(inner, "|")
	switch v.transform {
	case "", "lower", "rolearn", "self":
	default:
		return v, fmt.Errorf("unknown transform %q", v.transform)
	}
	if name, ok := strings.CutSuffix(inner, "[]"); ok {
		v.list, inner = true, name
	}
	if prefix, field, ok := strings.Cut(inner, ".N."); ok {
		if v.list || prefix == "" || field == "" || strings.ContainsAny(inner, "[]{}*?") {
			return v, fmt.Errorf("bad nested list %q", s)
		}
		v.param, v.field = prefix, field
		return v, nil
	}
	if inner == "" || strings.ContainsAny(inner, "{}*?") {
		return v, fmt.Errorf("bad parameter %q", s)
	}
	v.param = inner
	return v, nil
}

// resolveInput is what resources are resolved from.
type resolveInput struct {
	params    wire.Params
	region    string
	account   string
	principal reqctx.Principal
}

// resolve lists the resources a call touches, without duplicates.
func (r *Rule) resolve(in *resolveInput) []Resource {
	out := make([]Resource, 0, len(r.Resources))
	var seen map[string]bool // only for long lists; short ones are scanned
	add := func(res Resource) {
		if seen == nil && len(out) >= 8 {
			seen = make(map[string]bool, 2*len(out))
			for _, o := range out {
				seen[o.ARN] = true
			}
		}
		if seen != nil {
			if !seen[res.ARN] {
				seen[res.ARN] = true
				out = append(out, res)
			}
			return
		}
		for _, o := range out {
			if o.ARN == res.ARN {
				return
			}
		}
		out = append(out, res)
	}
	for i := range r.Resources {
		t := &r.Resources[i]
		region := in.region
		if r.global || t.global {
			region = "*"
		}
		service := r.service
		if t.service != "" {
			service = t.service
		}
		prefix := "acs:" + service + ":" + region + ":" + in.account + ":"
		if t.star {
			add(Resource{ARN: prefix + "*"})
			continue
		}
		if t.arn {
			arns := t.id.values(in)
			if len(arns) == 0 && !t.Conditional {
				add(Resource{ARN: prefix + "*"})
			}
			for _, arn := range arns {
				typ, id, _ := strings.Cut(arnRelative(arn), "/")
				add(Resource{ARN: arn, Type: typ, ID: id})
			}
			continue
		}
		typ := t.typ.literal
		if t.typ.param != "" {
			typ = applyTransform(t.typ.transform, in.params.Get(t.typ.param), in)
			if typ == "" {
				typ = "*"
			}
		}
		if t.id.star {
			add(Resource{ARN: prefix + typ + "/*", Type: typ})
			continue
		}
		ids := t.id.values(in)
		if len(ids) == 0 {
			if !t.Conditional {
				add(Resource{ARN: prefix + typ + "/*", Type: typ})
			}
			continue
		}
		for _, id := range ids {
			add(Resource{ARN: prefix + typ + "/" + id, Type: typ, ID: id})
		}
	}
	return out
}

// values returns the non-empty values of the source in the parameters.
func (v *valueSource) values(in *resolveInput) []string {
	var raw []string
	switch {
	case v.field != "":
		raw = nestedValues(in.params, v.param, v.field)
	case v.list:
		raw = listValues(in.params, v.param)
	default:
		raw = []string{in.params.Get(v.param)}
	}
	out := raw[:0]
	for _, s := range raw {
		if s = applyTransform(v.transform, s, in); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func applyTransform(transform, s string, in *resolveInput) string {
	switch transform {
	case "lower":
		return strings.ToLower(s)
	case "rolearn":
		// acs:ram::1234567890:role/name → acs:ram:*:1234567890:role/name
		parts := strings.SplitN(s, ":", 5)
		if len(parts) != 5 || parts[0] != "acs" || parts[1] != "ram" || parts[3] == "" ||
			!strings.HasPrefix(parts[4], "role/") || len(parts[4]) == len("role/") {
			return ""
		}
		return "acs:ram:*:" + parts[3] + ":" + parts[4]
	case "self":
		if s == "" && in.principal.Kind == reqctx.PrincipalUser {
			return in.principal.UserName
		}
	}
	return s
}

// arnRelative returns the part of an ARN after acs:service:region:account:.
func arnRelative(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// listValues reads a list parameter: a JSON array in its bare name
// (InstanceIds=["i-1","i-2"]), a single bare value, and/or Name.N items.
func listValues(p wire.Params, name string) []string {
	var out []string
	if v := strings.TrimSpace(p.Get(name)); v != "" {
		var items []string
		if strings.HasPrefix(v, "[") && json.Unmarshal([]byte(v), &items) == nil {
			out = append(out, items...)
		} else {
			out = append(out, v)
		}
	}
	return append(out, indexedValues(p, name+".", "")...)
}

// nestedValues reads Prefix.N.Field values.
func nestedValues(p wire.Params, prefix, field string) []string {
	return indexedValues(p, prefix+".", "."+field)
}

// indexedValues returns the values of keys prefix + N + suffix, ordered by N.
func indexedValues(p wire.Params, prefix, suffix string) []string {
	type item struct {
		n     int
		value string
	}
	var items []item
	for k, vs := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(vs) == 0 {
			continue
		}
		if rest, ok = strings.CutSuffix(rest, suffix); !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			continue
		}
		items = append(items, item{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.value
	}
	return out
}

// Rules is the rule table: the authorization rule of every action, by API
// version and action name. It is built once and read-only afterwards.
type Rules struct {
	byVersion map[string]map[string]*Rule
}

// Lookup returns the rule of an action of an API version.
func (r *Rules) Lookup(version, action string) (*Rule, bool) {
	rule, ok := r.byVersion[version][action]
	return rule, ok
}

// All lists every rule, by version then action.
func (r *Rules) All() []*Rule {
	var out []*Rule
	for _, byAction := range r.byVersion {
		for _, rule := range byAction {
			out = append(out, rule)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Version != out[j].Version {
			return out[i].Version < out[j].Version
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// APIRules are the rules of one API version, as data.
type APIRules struct {
	// Version is the API version ("2014-05-26").
	Version string
	// ActionPrefix is the RAM service of its actions ("ecs" → "ecs:StartInstance").
	ActionPrefix string
	// ResourceService is the service of its resource ARNs ("acs:ecs:…").
	ResourceService string
	// Global is true when its resources have no region (RAM: "acs:ram:*:…").
	Global bool
	// Rules are the action rules.
	Rules []RuleSpec
}

// RuleSpec is one row of the rule table.
type RuleSpec struct {
	// Name is the API action.
	Name string
	// Resources are resource templates (see Template).
	Resources []string
	// Guide marks a rule taken from guide 1.3's table.
	Guide bool
	// Public marks an action every principal may call.
	Public bool
	// Action overrides the RAM action name (default ActionPrefix:Name).
	Action string
}

// NewRules builds a rule table from per-version data; a malformed template or
// a duplicate action is an error.
func NewRules(apis ...APIRules) (*Rules, error) {
	r := &Rules{byVersion: map[string]map[string]*Rule{}}
	for _, api := range apis {
		byAction := r.byVersion[api.Version]
		if byAction == nil {
			byAction = map[string]*Rule{}
			r.byVersion[api.Version] = byAction
		}
		for _, spec := range api.Rules {
			if byAction[spec.Name] != nil {
				return nil, fmt.Errorf("authz: %s %s has two rules", api.Version, spec.Name)
			}
			rule := &Rule{Version: api.Version, Name: spec.Name, Action: spec.Action, Public: spec.Public,
				Guide: spec.Guide, service: api.ResourceService, global: api.Global}
			if rule.Action == "" {
				rule.Action = api.ActionPrefix + ":" + spec.Name
			}
			if len(spec.Resources) == 0 && !spec.Public {
				return nil, fmt.Errorf("authz: %s %s has no resource", api.Version, spec.Name)
			}
			for _, text := range spec.Resources {
				t, err := parseTemplate(text)
				if err != nil {
					return nil, fmt.Errorf("authz: %s %s: %w", api.Version, spec.Name, err)
				}
				rule.Resources = append(rule.Resources, t)
			}
			byAction[spec.Name] = rule
		}
	}
	return r, nil
}

// DefaultRules is the rule table of every API ecsd serves: ECS 2014-05-26
// (the guide's actions and the SDK-only extras), VPC 2016-04-28, RAM
// 2015-05-01 and STS 2015-04-01.
func DefaultRules() (*Rules, error) {
	return NewRules(ECSRules(), VPCRules(), RAMRules(), STSRules())
}
