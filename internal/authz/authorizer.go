package authz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/authz/policy"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// ErrForbidden is the guide's answer to a call its principal is not allowed to
// make (1.18.4): Forbidden.RAM, 403. Denials wrap it with their reason (logged,
// never rendered).
var ErrForbidden = apierr.Forbidden("Forbidden.RAM",
	"User not authorized to operate the specified resource, or this API doesn't support RAM.")

// ResourceRef names a resource whose tags a condition reads: its type as in
// ARNs (instance, disk, snapshot, image, securitygroup, keypair, vpc, vswitch)
// and its ID (a key pair's name).
type ResourceRef struct {
	Type, ID string
}

// TagSource returns the tags resources carry now.
type TagSource interface {
	// ResourceTags returns the tags (key → value) of each resource of the
	// account in the region; resources without tags, of a type without tags, or
	// that do not exist are absent from the map.
	ResourceTags(ctx context.Context, accountID int64, regionID string, refs []ResourceRef) (map[ResourceRef]map[string]string, error)
}

// ErrUnknownAccount is returned by an AccountDirectory for a name no account has.
var ErrUnknownAccount = errors.New("authz: unknown account")

// AccountDirectory resolves account names, for OwnerAccount and
// ResourceOwnerAccount (guide 1.4).
type AccountDirectory interface {
	// AccountIDByName returns the ID of the account with that name, or ErrUnknownAccount.
	AccountIDByName(ctx context.Context, name string) (int64, error)
}

// Clock tells the time (acs:CurrentTime).
type Clock interface{ Now() time.Time }

// Config wires an Authorizer.
type Config struct {
	// Rules is the rule table; nil for DefaultRules.
	Rules *Rules
	// Policies returns the policies of RAM users and roles; nil means no RAM
	// identity exists yet, so every principal but the root account is denied.
	Policies PolicySource
	// Tags returns resource tags for ecs:tag/… conditions; nil means no
	// resource has tags.
	Tags TagSource
	// Accounts resolves OwnerAccount and ResourceOwnerAccount; nil means no
	// name resolves.
	Accounts AccountDirectory
	// Clock is required.
	Clock Clock
	// CacheSize bounds the parsed-policy cache (default 4096 documents).
	CacheSize int
	Logger    *slog.Logger
}

// Authorizer decides whether a call's principal may make it: it implements
// api.Authorizer.
type Authorizer struct {
	cfg   Config
	cache *policy.Cache
}

// New returns an Authorizer.
func New(cfg Config) (*Authorizer, error) {
	if cfg.Clock == nil {
		return nil, errors.New("authz: a clock is required")
	}
	if cfg.Rules == nil {
		rules, err := DefaultRules()
		if err != nil {
			return nil, err
		}
		cfg.Rules = rules
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 4096
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Authorizer{cfg: cfg, cache: policy.NewCache(cfg.CacheSize)}, nil
}

// Rules returns the rule table in use.
func (a *Authorizer) Rules() *Rules { return a.cfg.Rules }

// Authorize checks the call's owner parameters (guide 1.4) and, for a RAM
// user or role, that its policies allow the action on every resource the call
// touches (guide 1.3). It returns nil, ErrForbidden (wrapped), an owner
// parameter error, or an unexpected failure.
func (a *Authorizer) Authorize(ctx context.Context, call *reqctx.Call, params wire.Params) error {
	if err := a.checkOwner(ctx, call, params); err != nil {
		return err
	}
	if call.Principal.IsRoot() {
		return nil
	}
	rule, ok := a.cfg.Rules.Lookup(call.Version, call.Action)
	if !ok {
		a.cfg.Logger.Warn("action has no authorization rule", "version", call.Version, "action", call.Action)
		return deny("%s %s has no authorization rule", call.Version, call.Action)
	}
	if rule.Public {
		return nil
	}
	if params.Get("ResourceOwnerAccount") != "" && (call.Version != ECSVersion || !ramAuthorizable[call.Action]) {
		return deny("ResourceOwnerAccount on %s, which guide 1.2.3 does not list", call.Action)
	}
	identity, session, err := a.principalPolicies(ctx, call)
	if err != nil {
		return err
	}
	if len(identity) == 0 {
		return deny("%s %s has no policy", call.Principal.Kind, principalName(call.Principal))
	}
	return a.evaluate(ctx, call, params, rule, identity, session)
}

// principalPolicies returns the parsed policies of the principal, and its
// session policy (nil when none).
func (a *Authorizer) principalPolicies(ctx context.Context, call *reqctx.Call) ([]*policy.Policy, *policy.Policy, error) {
	if a.cfg.Policies == nil {
		return nil, nil, nil
	}
	docs, err := a.cfg.Policies.Policies(ctx, call.AccountID, call.Principal)
	if err != nil {
		return nil, nil, fmt.Errorf("authz: policies of %s %s: %w", call.Principal.Kind, principalName(call.Principal), err)
	}
	identity := make([]*policy.Policy, 0, len(docs))
	for _, doc := range docs {
		p, err := a.cache.Parse(doc)
		if err != nil {
			// RAM validates documents when they are stored; one that does not
			// parse grants nothing.
			a.cfg.Logger.Warn("skipping a malformed policy", "principal", principalName(call.Principal), "err", err)
			continue
		}
		identity = append(identity, p)
	}
	var session *policy.Policy
	if call.Principal.Kind == reqctx.PrincipalRole && call.Principal.SessionPolicy != "" {
		if session, err = a.cache.Parse(call.Principal.SessionPolicy); err != nil {
			return nil, nil, deny("malformed session policy: %v", err)
		}
	}
	return identity, session, nil
}

// evaluate decides every resource of the call.
func (a *Authorizer) evaluate(ctx context.Context, call *reqctx.Call, params wire.Params, rule *Rule,
	identity []*policy.Policy, session *policy.Policy) error {
	resources := rule.resolve(&resolveInput{params: params, region: call.RegionID,
		account: strconv.FormatInt(call.AccountID, 10), principal: call.Principal})
	for _, res := range resources {
		// No resource ID or name has these; one that does could make a
		// policy's wildcard span into another resource type's ARN.
		if strings.ContainsAny(res.Type, ":/*?") || strings.ContainsAny(res.ID, ":/*?") {
			return deny("resource %q of %s has a malformed ID", res.ARN, call.Action)
		}
	}
	env := policy.Env{CurrentTime: a.cfg.Clock.Now(), SecureTransport: call.Secure}
	if ip, err := netip.ParseAddr(call.SourceIP); err == nil {
		env.SourceIP = ip
	}
	var tags map[ResourceRef]map[string]string
	if readsTags(identity, session) {
		env.RequestTags = requestTags(params)
		var err error
		if tags, err = a.resourceTags(ctx, call, resources); err != nil {
			return err
		}
	}
	for _, res := range resources {
		env.NewResource = res.Wildcard()
		env.ResourceTags = tags[ResourceRef{Type: res.Type, ID: res.ID}]
		r := policy.Request{Action: rule.Action, Resource: res.ARN, Env: &env}
		if d := policy.EvaluateSession(identity, session, &r); d != policy.Allowed {
			return deny("%s %s: %s on %s is %s", call.Principal.Kind, principalName(call.Principal), rule.Action, res.ARN, d)
		}
	}
	return nil
}

func (a *Authorizer) resourceTags(ctx context.Context, call *reqctx.Call, resources []Resource) (map[ResourceRef]map[string]string, error) {
	if a.cfg.Tags == nil {
		return nil, nil
	}
	var refs []ResourceRef
	for _, r := range resources {
		if !r.Wildcard() {
			refs = append(refs, ResourceRef{Type: r.Type, ID: r.ID})
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	tags, err := a.cfg.Tags.ResourceTags(ctx, call.AccountID, call.RegionID, refs)
	if err != nil {
		return nil, fmt.Errorf("authz: resource tags: %w", err)
	}
	return tags, nil
}

func readsTags(identity []*policy.Policy, session *policy.Policy) bool {
	if session != nil && session.ReadsTags() {
		return true
	}
	for _, p := range identity {
		if p.ReadsTags() {
			return true
		}
	}
	return false
}

// requestTags reads the request's Tag.N.Key / Tag.N.Value pairs.
func requestTags(params wire.Params) map[string]string {
	keys := indexedKeys(params, "Tag.", ".Key")
	if len(keys) == 0 {
		return nil
	}
	out := make(map[string]string, len(keys))
	for n, key := range keys {
		if key != "" {
			out[key] = params.Get("Tag." + n + ".Value")
		}
	}
	return out
}

// indexedKeys returns N → value for the keys prefix + N + suffix.
func indexedKeys(params wire.Params, prefix, suffix string) map[string]string {
	var out map[string]string
	for k := range params {
		rest, ok := cutAround(k, prefix, suffix)
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err != nil || n < 1 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[rest] = params.Get(k)
	}
	return out
}

func cutAround(s, prefix, suffix string) (string, bool) {
	if len(s) < len(prefix)+len(suffix) || s[:len(prefix)] != prefix || s[len(s)-len(suffix):] != suffix {
		return "", false
	}
	return s[len(prefix) : len(s)-len(suffix)], true
}

func principalName(p reqctx.Principal) string {
	if p.Kind == reqctx.PrincipalRole {
		return p.RoleName + "/" + p.SessionName
	}
	return p.UserName
}

func deny(format string, args ...any) error {
	return ErrForbidden.WithCause(fmt.Errorf(format, args...))
}
