// Package api is ecsd's HTTP front for RPC-style Alibaba Cloud APIs: it collects the
// parameters (query ∪ form), authenticates the call (signature V1 or V3, timestamp
// window, nonce replay), has the Authorizer decide whether its principal may make
// it, dispatches on Version + Action to a handler method, and
// renders the typed answer or the error envelope as JSON or XML. Nothing else in
// ecsd writes to an http.ResponseWriter for the API.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/sign"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/reqctx"
)

// maxBodyBytes bounds a request body: the largest legitimate parameter is a 32 KiB
// base64 UserData, so 1 MiB is generous.
const maxBodyBytes = 1 << 20

// Credential is what the front needs to know about an AccessKey.
type Credential struct {
	AccessKeyID string
	Secret      string
	AccountID   int64
	// Active is false for a disabled AccessKey (or one whose account is disabled).
	Active bool
	// Principal is who the key acts as within AccountID.
	Principal reqctx.Principal
	// SecurityToken is set for a temporary (STS) key: the request must carry
	// it, and the key works until Expiration on Config.TokenClock.
	SecurityToken string
	Expiration    time.Time
}

// ErrUnknownAccessKey is returned by a CredentialSource for an AccessKey it does not know.
var ErrUnknownAccessKey = errors.New("unknown access key")

// CredentialSource looks up AccessKeys.
type CredentialSource interface {
	LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, error)
}

// Clock tells the time; injected so tests can move it.
type Clock interface{ Now() time.Time }

// RequestIDs generates RequestId values.
type RequestIDs interface{ NewRequestID() string }

// Authorizer decides whether an authenticated call may run (guide 1.3): it sees
// the call (principal, action, region, source) and its parameters before the
// handler does, and returns nil or the error to answer (Forbidden.RAM …).
type Authorizer interface {
	Authorize(ctx context.Context, call *reqctx.Call, params wire.Params) error
}

// Config wires a Server.
type Config struct {
	Registry    *Registry
	Credentials CredentialSource
	// Nonces remembers SignatureNonce values for replay protection.
	Nonces *sign.NonceCache
	Clock  Clock
	// TokenClock is the clock STS tokens expire by; nil for Clock. Only tests
	// set it apart from Clock (ecsd serve --token-clock-offset).
	TokenClock Clock
	IDs        RequestIDs
	// DefaultRegion fills RegionId when a client omits it (the Tea SDK cannot send
	// it for some actions).
	DefaultRegion string
	// KnownRegion reports whether a RegionId exists; unknown ones answer
	// InvalidRegionId.NotFound.
	KnownRegion func(regionID string) bool
	// HostID is rendered as the error envelope's HostId.
	HostID string
	// TimestampWindow is the allowed clock skew of Timestamp / x-acs-date.
	TimestampWindow time.Duration
	// Authorizer, when set, is asked about every authenticated call to a known
	// region before its handler runs; nil lets every call through.
	Authorizer Authorizer
	// ErrorMappers turn domain errors into API errors (see apierr.FromError).
	ErrorMappers []apierr.Mapper
	Logger       *slog.Logger
}

// Server is the API http.Handler.
type Server struct {
	cfg Config
}

// NewServer returns a Server; cfg's Registry, Credentials, Nonces, Clock and IDs are required.
func NewServer(cfg Config) *Server {
	if cfg.TimestampWindow == 0 {
		cfg.TimestampWindow = 15 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TokenClock == nil {
		cfg.TokenClock = cfg.Clock
	}
	if cfg.KnownRegion == nil {
		cfg.KnownRegion = func(string) bool { return true }
	}
	cfg.ErrorMappers = append([]apierr.Mapper{mapWireError}, cfg.ErrorMappers...)
	return &Server{cfg: cfg}
}

// call is the state of one request as it moves through the front.
type call struct {
	r       *http.Request
	params  wire.Params
	body    []byte
	format  string
	action  string
	version string
	v3      bool
	info    reqctx.Call
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{r: r, info: reqctx.Call{RequestID: s.cfg.IDs.NewRequestID()}}
	c.format = chooseFormat("", r.Header.Get("Accept"))
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Error("handler panic", "request_id", c.info.RequestID, "action", c.action,
				"panic", p, "stack", string(debug.Stack()))
			writeError(w, c.format, c.info.RequestID, s.cfg.HostID, apierr.InternalError(fmt.Errorf("panic: %v", p)))
		}
	}()
	resp, err := s.handle(c)
	if err != nil {
		e := apierr.FromError(err, s.cfg.ErrorMappers...)
		if e.HTTPStatus >= 500 {
			s.cfg.Logger.Error("api call failed", "request_id", c.info.RequestID, "action", c.action, "err", err)
		}
		writeError(w, c.format, c.info.RequestID, s.cfg.HostID, e)
		return
	}
	if err := writeSuccess(w, c.format, c.action, c.info.RequestID, resp); err != nil {
		s.cfg.Logger.Error("render failed", "request_id", c.info.RequestID, "action", c.action, "err", err)
		writeError(w, c.format, c.info.RequestID, s.cfg.HostID, apierr.InternalError(err))
	}
}

func (s *Server) handle(c *call) (any, error) {
	r := c.r
	if err := c.collectParams(); err != nil {
		return nil, err
	}
	// The Format parameter may come in the query or in the form body (pop-core POST).
	c.format = chooseFormat(c.params.Get("Format"), r.Header.Get("Accept"))
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, apierr.Forbidden("UnsupportedHTTPMethod", "This http method is not supported.")
	}
	c.v3 = sign.IsV3(r.Header)
	c.action, c.version = c.params.Get("Action"), c.params.Get("Version")
	if c.v3 {
		c.action = firstNonEmpty(c.action, r.Header.Get("x-acs-action"))
		c.version = firstNonEmpty(c.version, r.Header.Get("x-acs-version"))
	}
	ep, err := s.route(c)
	if err != nil {
		return nil, err
	}
	if err := s.authenticate(c); err != nil {
		return nil, err
	}
	if err := s.resolveRegion(c, ep); err != nil {
		return nil, err
	}
	c.info.Action, c.info.Version = c.action, c.version
	c.info.SourceIP = sourceIP(r)
	c.info.Secure = r.TLS != nil
	ctx := reqctx.With(r.Context(), &c.info)
	// Authorization comes before NotImplemented, so a RAM user learns nothing
	// about an action it may not call.
	if s.cfg.Authorizer != nil {
		if err := s.cfg.Authorizer.Authorize(ctx, &c.info, c.params); err != nil {
			return nil, err
		}
	}
	if !ep.Implemented() {
		return nil, apierr.NotImplemented(ep.Name)
	}
	return ep.call(ctx, c.params)
}

// collectParams merges the URL query and a form-encoded body.
func (c *call) collectParams() error {
	body, err := readBody(c.r, maxBodyBytes)
	if err != nil {
		return apierr.BadRequest("InvalidParameter", "The request body is too large or unreadable.")
	}
	c.body = body
	query, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return apierr.BadRequest("InvalidParameter", "The query string is not valid.")
	}
	var form url.Values
	if len(body) > 0 && isFormContentType(c.r.Header.Get("Content-Type")) {
		if form, err = url.ParseQuery(string(body)); err != nil {
			return apierr.BadRequest("InvalidParameter", "The form body is not valid.")
		}
	}
	c.params = wire.Merge(query, form)
	return nil
}

func isFormContentType(ct string) bool {
	return ct == "" || strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded")
}

// route finds the endpoint for the call's Version and Action.
func (s *Server) route(c *call) (*Endpoint, error) {
	if c.action == "" {
		return nil, apierr.BadRequest("MissingParameter",
			`The input parameter "Action" that is mandatory for processing this request is not supplied.`)
	}
	if c.version == "" {
		return nil, apierr.BadRequest("MissingParameter",
			`The input parameter "Version" that is mandatory for processing this request is not supplied.`)
	}
	ep, versionKnown := s.cfg.Registry.Lookup(c.version, c.action)
	if !versionKnown {
		return nil, apierr.BadRequest("InvalidParameter", `The specified parameter "Action or Version" is not valid.`)
	}
	if ep == nil {
		return nil, apierr.Forbidden("InvalidAction", "Specified action is not valid.")
	}
	return ep, nil
}

// resolveRegion defaults RegionId and rejects regions the topology does not
// have. Global products (RAM, STS) take any RegionId: clients send their own.
// The v7 SDK sends the automatic snapshot policy actions' region as regionId:
// it counts when RegionId is absent.
func (s *Server) resolveRegion(c *call, ep *Endpoint) error {
	region := c.params.Get("RegionId")
	if region == "" {
		region = firstNonEmpty(c.params.Get("regionId"), s.cfg.DefaultRegion)
		c.params["RegionId"] = []string{region}
	}
	if !ep.Global && !s.cfg.KnownRegion(region) {
		return apierr.ErrRegionNotFound()
	}
	c.info.RegionID = region
	return nil
}

func mapWireError(err error) *apierr.Error {
	var we *wire.Error
	if !errors.As(err, &we) {
		return nil
	}
	if we.Kind == wire.KindMissing {
		return apierr.MissingParameter(we.Param)
	}
	return apierr.InvalidParameter(we.Param)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
