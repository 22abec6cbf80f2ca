package policy

import (
	"net/netip"
	"time"
)

// Env is what conditions read: facts about the call and about the resource
// being accessed.
type Env struct {
	// SourceIP is the caller's address (acs:SourceIp); the zero Addr when unknown.
	SourceIP netip.Addr
	// CurrentTime is when the call arrived (acs:CurrentTime).
	CurrentTime time.Time
	// SecureTransport is true for a call over HTTPS (acs:SecureTransport).
	SecureTransport bool
	// MFAPresent is true when the caller signed in with MFA (acs:MFAPresent);
	// always false for AccessKey-signed API calls.
	MFAPresent bool
	// ResourceTags are the tags the accessed resource carries now
	// (acs:ResourceTag/<key>; ecs:tag/<key> for an existing resource).
	ResourceTags map[string]string
	// RequestTags are the tags the request itself sets or filters by, its
	// Tag.N.Key/Tag.N.Value (acs:RequestTag/<key>; ecs:tag/<key> when the
	// resource is new or a wildcard).
	RequestTags map[string]string
	// NewResource is true when the accessed resource is created by the call or
	// is a whole collection (its ARN ends in "*"): service tag keys then read
	// RequestTags instead of ResourceTags.
	NewResource bool
	// Extra holds any other condition keys by lower-case name (acs:userid …).
	Extra map[string]string
}

func (e *Env) stringValue(k conditionKey) (string, bool) {
	switch k.kind {
	case keySourceIP:
		if !e.SourceIP.IsValid() {
			return "", false
		}
		return e.SourceIP.String(), true
	case keyCurrentTime:
		if e.CurrentTime.IsZero() {
			return "", false
		}
		return e.CurrentTime.UTC().Format(time.RFC3339), true
	case keySecureTransport:
		return boolString(e.SecureTransport), true
	case keyMFAPresent:
		return boolString(e.MFAPresent), true
	case keyServiceTag:
		if e.NewResource {
			return lookup(e.RequestTags, k.name)
		}
		return lookup(e.ResourceTags, k.name)
	case keyResourceTag:
		return lookup(e.ResourceTags, k.name)
	case keyRequestTag:
		return lookup(e.RequestTags, k.name)
	case keyOther:
		return lookup(e.Extra, k.name)
	}
	return "", false
}

func (e *Env) timeValue(k conditionKey) (time.Time, bool) {
	if k.kind == keyCurrentTime {
		return e.CurrentTime, !e.CurrentTime.IsZero()
	}
	s, ok := e.stringValue(k)
	if !ok {
		return time.Time{}, false
	}
	t, err := parseDate(s)
	return t, err == nil
}

func (e *Env) boolValue(k conditionKey) (bool, bool) {
	switch k.kind {
	case keySecureTransport:
		return e.SecureTransport, true
	case keyMFAPresent:
		return e.MFAPresent, true
	}
	s, ok := e.stringValue(k)
	switch {
	case !ok:
		return false, false
	case s == "true":
		return true, true
	case s == "false":
		return false, true
	}
	return false, false
}

func (e *Env) addrValue(k conditionKey) (netip.Addr, bool) {
	if k.kind == keySourceIP {
		return e.SourceIP, e.SourceIP.IsValid()
	}
	s, ok := e.stringValue(k)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

func lookup(m map[string]string, k string) (string, bool) {
	v, ok := m[k]
	return v, ok
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// Request is one (action, resource) pair to decide.
type Request struct {
	// Action is the RAM action, "ecs:StartInstance" (matched without regard to case).
	Action string
	// Resource is the ARN of the resource accessed.
	Resource string
	// Env is what conditions read.
	Env *Env
}

// Decision is the outcome of evaluating policies for one request.
type Decision uint8

// Decisions.
const (
	// NotAllowed: no statement allows the request (RAM's implicit deny).
	NotAllowed Decision = iota
	// Allowed: a statement allows it and none denies it.
	Allowed
	// Denied: a statement explicitly denies it.
	Denied
)

// String names the decision.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case Denied:
		return "Denied"
	}
	return "NotAllowed"
}

// Evaluate decides r against a set of policies (those of one principal): an
// explicit Deny anywhere wins, else any Allow allows, else the request is not
// allowed.
func Evaluate(policies []*Policy, r *Request) Decision {
	allowed := false
	for _, p := range policies {
		for _, i := range p.statementsFor(r.Action) {
			s := &p.statements[i]
			if s.effect == Allow && allowed {
				continue // only a Deny can change the outcome now
			}
			if !s.matchesResource(r) {
				continue
			}
			if s.effect == Deny {
				return Denied
			}
			allowed = true
		}
	}
	if allowed {
		return Allowed
	}
	return NotAllowed
}

// EvaluateSession decides r for an assumed role with a session policy: the
// role's policies and the session policy must both allow it (and neither deny
// it). A nil session means none was given: the role's policies decide alone.
func EvaluateSession(policies []*Policy, session *Policy, r *Request) Decision {
	d := Evaluate(policies, r)
	if session == nil || d == Denied {
		return d
	}
	switch Evaluate([]*Policy{session}, r) {
	case Denied:
		return Denied
	case NotAllowed:
		return NotAllowed
	}
	return d
}

// matches reports whether the statement applies to r.
func (s *statement) matches(r *Request) bool {
	if matchAny(s.actions, r.Action, true) == s.notAction {
		return false
	}
	return s.matchesResource(r)
}

// matchesResource reports whether the statement's resource and conditions
// apply to r (its action is known to match).
func (s *statement) matchesResource(r *Request) bool {
	if s.hasResource && matchAny(s.resources, r.Resource, false) == s.notResource {
		return false
	}
	env := r.Env
	if env == nil && len(s.conditions) > 0 {
		env = &Env{}
	}
	for i := range s.conditions {
		if !s.conditions[i].eval(env) {
			return false
		}
	}
	return true
}

// AllowsAssume decides a trust policy for AssumeRole: whether a principal of
// type principalType ("RAM", "Service", "Federated") identified by any of ids
// (such as "acs:ram::1234:root" or "acs:ram::1234:user/alice") may perform
// action (normally "sts:AssumeRole"). An explicit Deny wins.
func (p *Policy) AllowsAssume(principalType string, ids []string, action string, env *Env) bool {
	allowed := false
	r := &Request{Action: action, Env: env}
	for i := range p.statements {
		s := &p.statements[i]
		if !s.matches(r) || !s.namesPrincipal(principalType, ids) {
			continue
		}
		if s.effect == Deny {
			return false
		}
		allowed = true
	}
	return allowed
}

func (s *statement) namesPrincipal(principalType string, ids []string) bool {
	for _, id := range ids {
		if matchAny(s.principals[principalType], id, false) {
			return true
		}
	}
	return false
}
