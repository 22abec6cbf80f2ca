// Package console serves instances' VNC consoles: DescribeInstanceVncUrl (guide
// 1.1) hands out a short-lived, signed URL of this server, and the URL opens a
// WebSocket that speaks RFB (the VNC protocol, RFC 6143) as noVNC and other web
// consoles expect. Opening it takes the instance's VNC password, set with
// ModifyInstanceVncPasswd (guide 1.5.17), through RFB's VNC authentication.
//
// With a compute driver that serves screens (QEMU), the console relays the
// instance's real screen after authenticating the client; the simulated driver
// has no screen, and the console shows a blank framebuffer whose desktop name
// says so. See docs/console.md.
package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// DefaultURLLifetime is how long a console URL can be opened after
// DescribeInstanceVncUrl answered it: Alibaba Cloud's 15 seconds. A session
// opened in time lasts until either side closes it.
const DefaultURLLifetime = 15 * time.Second

// Path is where console WebSockets are served, on the API's port.
const Path = "/console/vnc"

// settingSecret is the server-wide setting that holds the key console URLs
// are signed with, so that every API server of a deployment accepts the URLs
// any of them hands out.
const settingSecret = "console.url-key"

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Deps are what the console needs.
type Deps struct {
	Store store.Store
	Clock Clock
	// URLLifetime is how long a URL stays valid; zero means DefaultURLLifetime.
	URLLifetime time.Duration
	// Screens, when set, serves instances' real screens (the compute driver,
	// when it implements driver.VNCConsoler): a console of an instance with a
	// driver handle shows the instance's screen. Nil shows a blank screen.
	Screens driver.VNCConsoler
}

// Service hands out console URLs and serves the consoles they open.
type Service struct {
	deps Deps

	mu       sync.Mutex
	key      []byte
	sessions map[*session]struct{}
	closed   bool
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.URLLifetime <= 0 {
		deps.URLLifetime = DefaultURLLifetime
	}
	return &Service{deps: deps, sessions: map[*session]struct{}{}}
}

// Caller is who asks for a console.
type Caller struct {
	AccountID int64
	RegionID  string
}

func errInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
}

func errIncorrectStatus() *apierr.Error {
	return apierr.Forbidden("IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
}

// URL answers DescribeInstanceVncUrl: a ws:// (wss:// when secure) URL of
// endpoint (host:port) that opens the console of the caller's Running
// instance until the URL's lifetime ends. An instance the caller does not
// have is InvalidInstanceId.NotFound; one that is not Running (or is busy
// starting, stopping or being deleted) has no console to show:
// IncorrectInstanceStatus.
func (s *Service) URL(ctx context.Context, c Caller, instanceID, endpoint string, secure bool) (string, error) {
	if instanceID == "" {
		return "", apierr.MissingParameter("InstanceId")
	}
	var key []byte
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		in, err := tx.GetInstance(c.AccountID, instanceID)
		if errors.Is(err, store.ErrNotFound) || err == nil && in.RegionID != c.RegionID {
			return errInstanceNotFound()
		}
		if err != nil {
			return fmt.Errorf("instance %s: %w", instanceID, err)
		}
		if !consoleable(in, s.now()) {
			return errIncorrectStatus()
		}
		key, err = s.signingKey(tx)
		return err
	})
	if err != nil {
		return "", err
	}
	s.rememberKey(key)
	tok := sign(key, ticket{AccountID: c.AccountID, InstanceID: instanceID, Expires: s.now().Add(s.deps.URLLifetime).UnixNano()})
	scheme := "ws"
	if secure {
		scheme = "wss"
	}
	u := url.URL{Scheme: scheme, Host: endpoint, Path: Path, RawQuery: url.Values{"token": {tok}}.Encode()}
	return u.String(), nil
}

// consoleable reports whether an instance has a console to show: Running, with
// no operation under way and not being deleted.
func consoleable(in store.Instance, now time.Time) bool {
	return in.Status == instance.StatusRunning && !instance.Busy(in) && !instance.Deleting(in, now)
}

// ticket is what a console URL's token carries.
type ticket struct {
	AccountID  int64  `json:"a"`
	InstanceID string `json:"i"`
	// Expires is when the URL stops opening, in Unix nanoseconds.
	Expires int64 `json:"e"`
}

// sign encodes t and its HMAC-SHA256 under key as "payload.mac", both
// base64url.
func sign(key []byte, t ticket) string {
	payload, _ := json.Marshal(t)
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Reasons a token does not open a console.
var (
	errBadToken     = errors.New("console: the URL's token is not valid")
	errExpiredToken = errors.New("console: the URL has expired")
)

// verify checks a token's signature and lifetime at now and returns its ticket.
func verify(key []byte, token string, now time.Time) (ticket, error) {
	payloadPart, macPart, ok := strings.Cut(token, ".")
	if !ok {
		return ticket{}, errBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(payloadPart)
	mac, err2 := base64.RawURLEncoding.DecodeString(macPart)
	if err1 != nil || err2 != nil {
		return ticket{}, errBadToken
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	if !hmac.Equal(mac, m.Sum(nil)) {
		return ticket{}, errBadToken
	}
	var t ticket
	if err := json.Unmarshal(payload, &t); err != nil || t.InstanceID == "" {
		return ticket{}, errBadToken
	}
	if !now.Before(time.Unix(0, t.Expires)) {
		return ticket{}, errExpiredToken
	}
	return t, nil
}

// signingKey returns the server-wide URL signing key, creating it on first use.
func (s *Service) signingKey(tx store.Tx) ([]byte, error) {
	s.mu.Lock()
	key := s.key
	s.mu.Unlock()
	if key != nil {
		return key, nil
	}
	v, err := tx.GetSetting(settingSecret)
	if errors.Is(err, store.ErrNotFound) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("console key: %w", err)
		}
		v = hex.EncodeToString(b)
		if err := tx.PutSetting(settingSecret, v); err != nil {
			return nil, fmt.Errorf("console key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("console key: %w", err)
	}
	if key, err = decodeKey(v); err != nil {
		return nil, err
	}
	// Remembered only once committed: the caller's transaction may still fail,
	// and a key never stored would sign URLs no other server accepts.
	return key, nil
}

// decodeKey reads the stored signing key.
func decodeKey(v string) ([]byte, error) {
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, errors.New("console key: the stored key is malformed")
	}
	return key, nil
}

// rememberKey caches the key after the transaction that read or made it committed.
func (s *Service) rememberKey(key []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		s.key = key
	}
}

// now returns the console clock's time.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }
