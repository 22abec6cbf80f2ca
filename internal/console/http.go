package console

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/net/websocket"

	"github.com/ecsd/ecsd/internal/store"
)

// session is one open console.
type session struct {
	ws *websocket.Conn
}

// ServeHTTP opens a console: GET Path?token=… with a WebSocket upgrade. A
// token that is malformed, forged or expired is refused (403) before the
// upgrade, as is an instance that is gone (404) or no longer Running (409),
// and every call once the server is stopping (503).
// The WebSocket carries RFB in binary messages (subprotocol "binary", which
// noVNC asks for).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "console: GET only", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "console: the server is stopping", http.StatusServiceUnavailable)
		return
	}
	t, password, handle, status, err := s.open(r)
	if err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	srv := websocket.Server{
		Handshake: func(cfg *websocket.Config, r *http.Request) error {
			// The token authorises the call; browsers' Origin is whatever page
			// hosts the console, so it is not checked.
			cfg.Protocol = nil
			if slices.Contains(websocketProtocols(r), "binary") {
				cfg.Protocol = []string{"binary"}
			}
			return nil
		},
		Handler: func(ws *websocket.Conn) {
			ws.PayloadType = websocket.BinaryFrame
			sess := &session{ws: ws}
			if !s.track(sess) {
				_ = ws.Close()
				return
			}
			defer s.untrack(sess)
			err := serveRFB(ws, password, s.screenFor(ws.Request().Context(), t.InstanceID, password, handle))
			switch {
			case errors.Is(err, errAuthFailed):
				slog.Debug("console: wrong VNC password", "instance", t.InstanceID)
			case errors.Is(err, errScreenUnavailable):
				slog.Warn("console: no screen to show", "instance", t.InstanceID, "err", err)
			case err != nil:
				slog.Debug("console: session ended", "instance", t.InstanceID, "err", err)
			}
		},
	}
	srv.ServeHTTP(w, r)
}

// open checks a console request: its token, and the instance it names. It
// returns the ticket, the instance's VNC password and its driver handle, or an
// error with the HTTP status to answer.
func (s *Service) open(r *http.Request) (ticket, string, []byte, int, error) {
	var t ticket
	var password string
	var handle []byte
	err := s.deps.Store.View(r.Context(), func(tx store.Tx) error {
		v, err := tx.GetSetting(settingSecret)
		if errors.Is(err, store.ErrNotFound) {
			return errBadToken // no URL was ever handed out
		}
		if err != nil {
			return err
		}
		key, err := decodeKey(v)
		if err != nil {
			return err
		}
		if t, err = verify(key, r.URL.Query().Get("token"), s.now()); err != nil {
			return err
		}
		in, err := tx.GetInstance(t.AccountID, t.InstanceID)
		if err != nil {
			return err
		}
		if !consoleable(in, s.now()) {
			return errNotRunning
		}
		password, handle = in.VNCPassword, in.DriverHandle
		return nil
	})
	switch {
	case err == nil:
		return t, password, handle, http.StatusOK, nil
	case errors.Is(err, errBadToken), errors.Is(err, errExpiredToken):
		return t, "", nil, http.StatusForbidden, err
	case errors.Is(err, store.ErrNotFound):
		return t, "", nil, http.StatusNotFound, fmt.Errorf("console: instance %s is gone", t.InstanceID)
	case errors.Is(err, errNotRunning):
		return t, "", nil, http.StatusConflict, err
	}
	return t, "", nil, http.StatusInternalServerError, fmt.Errorf("console: %w", err)
}

// errNotRunning says the instance stopped since its URL was handed out.
var errNotRunning = errors.New("console: the instance is not Running")

// websocketProtocols lists the subprotocols a WebSocket request asks for.
func websocketProtocols(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Sec-Websocket-Protocol") {
		out = append(out, splitComma(h)...)
	}
	return out
}

// track registers an open session; false once Close has been called.
func (s *Service) track(sess *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions[sess] = struct{}{}
	return true
}

func (s *Service) untrack(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, sess)
}

// Close ends every open console session and refuses new ones; the server
// calls it when it stops.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for sess := range s.sessions {
		_ = sess.ws.Close()
	}
}

// splitComma splits a comma-separated header value and trims its items.
func splitComma(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
