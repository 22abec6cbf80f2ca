package console

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

var alice = Caller{AccountID: 1, RegionID: "cn-hangzhou"}

// env is a console on a fresh store with alice's Running instance i-run
// (VNC password "Ab1234"), Stopped instance i-stop and Running instance
// i-nopass without a password, served over HTTP.
type env struct {
	st  store.Store
	svc *Service
	clk *clock.Fake
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	e := &env{st: st, clk: clk, svc: New(Deps{Store: st, Clock: clk})}
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, in := range []store.Instance{
			{ID: "i-run", Status: instance.StatusRunning, VNCPassword: "Ab1234"},
			{ID: "i-stop", Status: instance.StatusStopped, VNCPassword: "Ab1234"},
			{ID: "i-nopass", Status: instance.StatusRunning},
		} {
			in.AccountID, in.RegionID, in.CreatedAt = 1, "cn-hangzhou", clk.Now()
			if err := tx.CreateInstance(in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.svc)
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.svc.Close)
	return e
}

// url asks for a console URL of alice's instance, pointing at the test server.
func (e *env) url(t *testing.T, id string) string {
	t.Helper()
	u, err := e.svc.URL(t.Context(), alice, id, strings.TrimPrefix(e.srv.URL, "http://"), false)
	if err != nil {
		t.Fatalf("URL(%s): %v", id, err)
	}
	return u
}

// dial opens a console URL; it returns the WebSocket, or the HTTP status of a refusal.
func dial(t *testing.T, u string) (*websocket.Conn, int) {
	t.Helper()
	cfg, err := websocket.NewConfig(u, "http://localhost/")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Protocol = []string{"binary"}
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		var de *websocket.DialError
		if errors.As(err, &de) && errors.Is(de.Err, websocket.ErrBadStatus) {
			resp, gerr := http.Get(strings.Replace(u, "ws://", "http://", 1))
			if gerr != nil {
				t.Fatal(gerr)
			}
			resp.Body.Close()
			return nil, resp.StatusCode
		}
		t.Fatalf("dial %s: %v", u, err)
	}
	ws.PayloadType = websocket.BinaryFrame
	return ws, http.StatusSwitchingProtocols
}

// rfbLogin speaks RFB 3.minor as a client up to the SecurityResult; on success
// it also sends ClientInit and returns the desktop name.
func rfbLogin(t *testing.T, conn io.ReadWriter, minor int, password string) (name string, ok bool, reason string) {
	t.Helper()
	r := bufio.NewReader(conn)
	version := make([]byte, 12)
	if _, err := io.ReadFull(r, version); err != nil || string(version) != "RFB 003.008\n" {
		t.Fatalf("server version %q, %v", version, err)
	}
	if _, err := conn.Write([]byte("RFB 003.00" + string(rune('0'+minor)) + "\n")); err != nil {
		t.Fatal(err)
	}
	if minor == 3 {
		var typ uint32
		mustRead(t, r, &typ)
		if typ != securityVNCAuth {
			t.Fatalf("security type %d", typ)
		}
	} else {
		types := make([]byte, 2)
		if _, err := io.ReadFull(r, types); err != nil || types[0] != 1 || types[1] != securityVNCAuth {
			t.Fatalf("security types %v, %v", types, err)
		}
		if _, err := conn.Write([]byte{securityVNCAuth}); err != nil {
			t.Fatal(err)
		}
	}
	challenge := make([]byte, 16)
	if _, err := io.ReadFull(r, challenge); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(vncResponse(password, challenge)); err != nil {
		t.Fatal(err)
	}
	var result uint32
	mustRead(t, r, &result)
	if result != resultOK {
		if minor >= 8 {
			var n uint32
			mustRead(t, r, &n)
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				t.Fatal(err)
			}
			reason = string(b)
		}
		return "", false, reason
	}
	if _, err := conn.Write([]byte{1}); err != nil { // ClientInit, shared
		t.Fatal(err)
	}
	var init struct {
		Width, Height uint16
		Format        pixelFormat
		NameLength    uint32
	}
	mustRead(t, r, &init)
	if init.Width != screenWidth || init.Height != screenHeight || init.Format.BitsPerPixel != 32 {
		t.Errorf("ServerInit = %+v", init)
	}
	b := make([]byte, init.NameLength)
	if _, err := io.ReadFull(r, b); err != nil {
		t.Fatal(err)
	}
	// A full update request is answered with the whole (blank) screen.
	if err := binary.Write(conn, binary.BigEndian, struct {
		Type, Incremental   uint8
		X, Y, Width, Height uint16
	}{Type: msgFramebufferUpdateRequest, Width: screenWidth, Height: screenHeight}); err != nil {
		t.Fatal(err)
	}
	var update struct {
		Type, Pad           uint8
		Rects               uint16
		X, Y, Width, Height uint16
		Encoding            int32
	}
	mustRead(t, r, &update)
	if update.Rects != 1 || update.Width != screenWidth || update.Height != screenHeight || update.Encoding != 0 {
		t.Errorf("FramebufferUpdate = %+v", update)
	}
	pixels := make([]byte, screenWidth*screenHeight*4)
	if _, err := io.ReadFull(r, pixels); err != nil {
		t.Fatalf("pixels: %v", err)
	}
	if pixels[0] != screenGrey || pixels[3] != 0 {
		t.Errorf("first pixel % x, want grey", pixels[:4])
	}
	return string(b), true, ""
}

func mustRead(t *testing.T, r io.Reader, v any) {
	t.Helper()
	if err := binary.Read(r, binary.BigEndian, v); err != nil {
		t.Fatal(err)
	}
}

func TestConsoleOpensWithTheInstancesVNCPassword(t *testing.T) {
	e := newEnv(t)
	u := e.url(t, "i-run")
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme != "ws" || parsed.Path != Path || parsed.Query().Get("token") == "" {
		t.Fatalf("URL %q, %v", u, err)
	}
	for _, minor := range []int{8, 7, 3} {
		ws, status := dial(t, u)
		if ws == nil {
			t.Fatalf("RFB 3.%d: dial answered %d", minor, status)
		}
		if ws.Config().Protocol[0] != "binary" {
			t.Errorf("subprotocol %v, want binary", ws.Config().Protocol)
		}
		name, ok, reason := rfbLogin(t, ws, minor, "Ab1234")
		if !ok || name != "i-run: simulated instance, no screen" {
			t.Errorf("RFB 3.%d with the password: ok %v (%q), desktop %q", minor, ok, reason, name)
		}
		ws.Close()
	}
}

func TestConsoleRefusesAWrongOrMissingVNCPassword(t *testing.T) {
	e := newEnv(t)
	ws, _ := dial(t, e.url(t, "i-run"))
	if _, ok, reason := rfbLogin(t, ws, 8, "Ab1235"); ok || reason != "Authentication failed" {
		t.Errorf("a wrong password: ok %v, reason %q", ok, reason)
	}
	ws.Close()
	ws, _ = dial(t, e.url(t, "i-run"))
	if _, ok, _ := rfbLogin(t, ws, 7, ""); ok {
		t.Error("an empty password got in")
	}
	ws.Close()
	// An instance whose VNC password was never set lets nobody in.
	ws, _ = dial(t, e.url(t, "i-nopass"))
	if _, ok, _ := rfbLogin(t, ws, 8, ""); ok {
		t.Error("an instance without a VNC password let a client in")
	}
	ws.Close()
}

func TestConsoleURLExpiresAfterItsLifetime(t *testing.T) {
	e := newEnv(t)
	u := e.url(t, "i-run")
	e.clk.Advance(DefaultURLLifetime - time.Nanosecond)
	ws, status := dial(t, u)
	if ws == nil {
		t.Fatalf("just before it expires: %d", status)
	}
	ws.Close()
	e.clk.Advance(time.Nanosecond)
	if ws, status := dial(t, u); ws != nil || status != http.StatusForbidden {
		t.Errorf("an expired URL: %v, %d; want 403", ws, status)
	}
	// A session opened in time outlives the URL.
	u = e.url(t, "i-run")
	ws, _ = dial(t, u)
	e.clk.Advance(time.Hour)
	if _, ok, _ := rfbLogin(t, ws, 8, "Ab1234"); !ok {
		t.Error("a session opened in time ended with its URL")
	}
	ws.Close()
}

func TestConsoleRefusesForgedTokensAndInstancesThatStopped(t *testing.T) {
	e := newEnv(t)
	u := e.url(t, "i-run")
	parsed, _ := url.Parse(u)
	tok := parsed.Query().Get("token")
	payload, mac, _ := strings.Cut(tok, ".")
	forged := sign([]byte("0123456789abcdef0123456789abcdef"), ticket{AccountID: 1, InstanceID: "i-run",
		Expires: e.clk.Now().Add(time.Hour).UnixNano()})
	for what, bad := range map[string]string{
		"no token":        "",
		"a broken token":  "x",
		"another payload": strings.Split(forged, ".")[0] + "." + mac,
		"another key":     forged,
		"a cut MAC":       payload + "." + mac[:10],
	} {
		q := url.Values{"token": {bad}}
		if ws, status := dial(t, "ws://"+parsed.Host+Path+"?"+q.Encode()); ws != nil || status != http.StatusForbidden {
			t.Errorf("%s: %v, %d; want 403", what, ws, status)
		}
	}
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		in, _ := tx.GetInstance(1, "i-run")
		in.Status = instance.StatusStopped
		return tx.UpdateInstance(in)
	})
	if err != nil {
		t.Fatal(err)
	}
	if ws, status := dial(t, u); ws != nil || status != http.StatusConflict {
		t.Errorf("an instance stopped since: %v, %d; want 409", ws, status)
	}
}

func TestDescribeInstanceVncUrlNeedsARunningInstanceOfTheCaller(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		caller Caller
		id     string
		code   string
		status int
	}{
		{alice, "i-stop", "IncorrectInstanceStatus", 403},
		{alice, "i-nope", "InvalidInstanceId.NotFound", 404},
		{Caller{AccountID: 2, RegionID: "cn-hangzhou"}, "i-run", "InvalidInstanceId.NotFound", 404},
		{Caller{AccountID: 1, RegionID: "cn-beijing"}, "i-run", "InvalidInstanceId.NotFound", 404},
		{alice, "", "MissingParameter", 400},
	} {
		_, err := e.svc.URL(t.Context(), c.caller, c.id, "h:1", false)
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != c.code || ae.HTTPStatus != c.status {
			t.Errorf("%+v %s: %v, want %s (%d)", c.caller, c.id, err, c.code, c.status)
		}
	}
	u, err := e.svc.URL(t.Context(), alice, "i-run", "ecs.example:8443", true)
	if err != nil || !strings.HasPrefix(u, "wss://ecs.example:8443"+Path+"?token=") {
		t.Errorf("over TLS: %q, %v", u, err)
	}
}

func TestCloseEndsOpenSessions(t *testing.T) {
	e := newEnv(t)
	ws, _ := dial(t, e.url(t, "i-run"))
	if _, ok, _ := rfbLogin(t, ws, 8, "Ab1234"); !ok {
		t.Fatal("login failed")
	}
	e.svc.Close()
	buf := make([]byte, 1)
	if _, err := ws.Read(buf); err == nil {
		t.Error("the session is still open after Close")
	}
	if ws, status := dial(t, e.url(t, "i-run")); ws != nil || status != http.StatusServiceUnavailable {
		t.Errorf("a session opened after Close: %v, %d; want 503", ws, status)
	}
}
