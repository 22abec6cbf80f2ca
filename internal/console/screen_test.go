package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// fakeScreen is an RFB 3.8 server on a unix socket standing in for QEMU's
// screen: VNC authentication under its password, a 720x400 framebuffer named
// "QEMU (i-qemu)" whose every pixel is 0x11 0x22 0x33 0x00, and a record of
// the key events it received.
type fakeScreen struct {
	sock string
	ln   net.Listener

	mu       sync.Mutex
	password string
	logins   int // connections that reached authentication
	keys     []uint32
	conns    []net.Conn
}

// Size and name of the fake screen.
const (
	fakeWidth, fakeHeight = 720, 400
	fakeName              = "QEMU (i-qemu)"
)

func newFakeScreen(t *testing.T, password string) *fakeScreen {
	t.Helper()
	dir, err := os.MkdirTemp("", "ecsdvnc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := &fakeScreen{sock: filepath.Join(dir, "vnc.sock"), password: password}
	if f.ln, err = net.Listen("unix", f.sock); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.ln.Close() })
	go func() {
		for {
			c, err := f.ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			go func() {
				defer c.Close()
				_ = f.serve(c)
			}()
		}
	}()
	return f
}

// dropAll closes every connection, as a QEMU that exits does.
func (f *fakeScreen) dropAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
}

func (f *fakeScreen) serve(c net.Conn) error {
	r := bufio.NewReader(c)
	if _, err := io.WriteString(c, "RFB 003.008\n"); err != nil {
		return err
	}
	version := make([]byte, 12)
	if _, err := io.ReadFull(r, version); err != nil || string(version) != "RFB 003.008\n" {
		return fmt.Errorf("client version %q, %v", version, err)
	}
	c.Write([]byte{1, securityVNCAuth})
	if typ, err := r.ReadByte(); err != nil || typ != securityVNCAuth {
		return fmt.Errorf("security type %d, %v", typ, err)
	}
	f.mu.Lock()
	f.logins++
	password := f.password
	f.mu.Unlock()
	challenge := make([]byte, 16)
	rand.Read(challenge)
	c.Write(challenge)
	response := make([]byte, 16)
	if _, err := io.ReadFull(r, response); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(response, vncResponse(password, challenge)) != 1 {
		reason := "Authentication failed"
		c.Write(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, resultFailed), uint32(len(reason))))
		io.WriteString(c, reason)
		return errAuthFailed
	}
	c.Write(binary.BigEndian.AppendUint32(nil, resultOK))
	if _, err := r.ReadByte(); err != nil { // ClientInit
		return err
	}
	binary.Write(c, binary.BigEndian, struct {
		Width, Height uint16
		Format        pixelFormat
		NameLength    uint32
	}{fakeWidth, fakeHeight, defaultFormat, uint32(len(fakeName))})
	io.WriteString(c, fakeName)
	for {
		t, err := r.ReadByte()
		if err != nil {
			return err
		}
		switch t {
		case msgFramebufferUpdateRequest:
			var m struct {
				Incremental         uint8
				X, Y, Width, Height uint16
			}
			if err := binary.Read(r, binary.BigEndian, &m); err != nil {
				return err
			}
			binary.Write(c, binary.BigEndian, struct {
				Type, Pad           uint8
				Rects               uint16
				X, Y, Width, Height uint16
				Encoding            int32
			}{Rects: 1, X: m.X, Y: m.Y, Width: m.Width, Height: m.Height})
			px := make([]byte, 0, int(m.Width)*int(m.Height)*4)
			for range int(m.Width) * int(m.Height) {
				px = append(px, 0x11, 0x22, 0x33, 0)
			}
			c.Write(px)
		case msgKeyEvent:
			var m struct {
				Down uint8
				_    [2]byte
				Key  uint32
			}
			if err := binary.Read(r, binary.BigEndian, &m); err != nil {
				return err
			}
			f.mu.Lock()
			f.keys = append(f.keys, m.Key)
			f.mu.Unlock()
		default:
			return fmt.Errorf("unexpected message %d", t)
		}
	}
}

// fakeConsoler is a compute driver's VNCConsoler serving one fake screen for
// the handle of i-qemu.
type fakeConsoler struct {
	screen  *fakeScreen
	sockErr error // what VNCSocket fails with, if set

	mu   sync.Mutex
	sets []string // SetVNCPassword's passwords
}

// qemuHandle is i-qemu's driver handle as the store keeps it (JSON).
func qemuHandle() []byte {
	b, _ := json.Marshal(driver.Handle{Driver: "qemu", Version: 1, State: []byte(`{"instanceId":"i-qemu"}`)})
	return b
}

func (f *fakeConsoler) VNCSocket(ctx context.Context, h driver.Handle) (string, error) {
	if h.Driver != "qemu" || string(h.State) != `{"instanceId":"i-qemu"}` {
		return "", fmt.Errorf("%w: handle %+v", driver.ErrInvalidArgument, h)
	}
	if f.sockErr != nil {
		return "", f.sockErr
	}
	return f.screen.sock, nil
}

func (f *fakeConsoler) SetVNCPassword(ctx context.Context, h driver.Handle, password string) error {
	f.mu.Lock()
	f.sets = append(f.sets, password)
	f.mu.Unlock()
	f.screen.mu.Lock()
	f.screen.password = password
	f.screen.mu.Unlock()
	return nil
}

// newScreenEnv is newEnv with screens served by a fake driver whose screen
// has password screenPassword, and alice's Running instance i-qemu (VNC
// password "Ab1234") with a driver handle.
func newScreenEnv(t *testing.T, screenPassword string) (*env, *fakeConsoler) {
	t.Helper()
	e := newEnv(t)
	fc := &fakeConsoler{screen: newFakeScreen(t, screenPassword)}
	e.svc.deps.Screens = fc
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateInstance(store.Instance{ID: "i-qemu", AccountID: 1, RegionID: "cn-hangzhou",
			Status: instance.StatusRunning, VNCPassword: "Ab1234", CreatedAt: e.clk.Now(), DriverHandle: qemuHandle()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, fc
}

// serverInit is RFB's ServerInit.
type serverInit struct {
	Width, Height uint16
	Format        pixelFormat
	Name          string
}

// screenLogin speaks RFB 3.minor as a client through the SecurityResult and,
// on success, ClientInit and ServerInit; it returns the reader to go on with.
func screenLogin(t *testing.T, conn io.ReadWriter, minor int, password string) (init serverInit, r *bufio.Reader, ok bool, reason string) {
	t.Helper()
	r = bufio.NewReader(conn)
	version := make([]byte, 12)
	if _, err := io.ReadFull(r, version); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "RFB 003.%03d\n", minor)
	if minor == 3 {
		var typ uint32
		mustRead(t, r, &typ)
	} else {
		types := make([]byte, 2)
		io.ReadFull(r, types)
		conn.Write([]byte{securityVNCAuth})
	}
	challenge := make([]byte, 16)
	if _, err := io.ReadFull(r, challenge); err != nil {
		t.Fatal(err)
	}
	conn.Write(vncResponse(password, challenge))
	var result uint32
	mustRead(t, r, &result)
	if result != resultOK {
		if minor >= 8 {
			var n uint32
			mustRead(t, r, &n)
			b := make([]byte, n)
			io.ReadFull(r, b)
			reason = string(b)
		}
		return init, r, false, reason
	}
	conn.Write([]byte{1})
	var head struct {
		Width, Height uint16
		Format        pixelFormat
		NameLength    uint32
	}
	mustRead(t, r, &head)
	name := make([]byte, head.NameLength)
	if _, err := io.ReadFull(r, name); err != nil {
		t.Fatal(err)
	}
	return serverInit{head.Width, head.Height, head.Format, string(name)}, r, true, ""
}

func TestConsoleShowsTheInstancesRealScreenAfterCheckingTheVNCPassword(t *testing.T) {
	e, fc := newScreenEnv(t, "Ab1234")
	for _, minor := range []int{8, 3} {
		ws, status := dial(t, e.url(t, "i-qemu"))
		if ws == nil {
			t.Fatalf("dial: %d", status)
		}
		init, r, ok, reason := screenLogin(t, ws, minor, "Ab1234")
		if !ok {
			t.Fatalf("RFB 3.%d: refused: %q", minor, reason)
		}
		if init.Width != fakeWidth || init.Height != fakeHeight || init.Name != fakeName {
			t.Fatalf("RFB 3.%d: ServerInit %dx%d %q, want the screen's own", minor, init.Width, init.Height, init.Name)
		}
		// A request for a corner is answered by the screen, pixels and all.
		ws.Write([]byte{msgFramebufferUpdateRequest, 0, 0, 8, 0, 4, 0, 16, 0, 2})
		var update struct {
			Type, Pad  uint8
			Rects      uint16
			X, Y, W, H uint16
			Encoding   int32
		}
		mustRead(t, r, &update)
		if update.Rects != 1 || update.X != 8 || update.Y != 4 || update.W != 16 || update.H != 2 {
			t.Fatalf("FramebufferUpdate %+v", update)
		}
		px := make([]byte, 16*2*4)
		if _, err := io.ReadFull(r, px); err != nil || px[0] != 0x11 || px[len(px)-2] != 0x33 {
			t.Fatalf("pixels % x, %v", px[:8], err)
		}
		// Keys reach the screen.
		ws.Write([]byte{msgKeyEvent, 1, 0, 0, 0, 0, 0xff, 0x0d})
		ws.Write([]byte{msgFramebufferUpdateRequest, 1, 0, 0, 0, 0, 0, 1, 0, 1})
		mustRead(t, r, &update)
		io.ReadFull(r, px[:4])
		ws.Close()
	}
	fc.screen.mu.Lock()
	defer fc.screen.mu.Unlock()
	if len(fc.screen.keys) != 2 || fc.screen.keys[0] != 0xff0d {
		t.Errorf("keys at the screen: %x, want Return twice", fc.screen.keys)
	}
	if len(fc.sets) != 0 {
		t.Errorf("SetVNCPassword called %v for a screen that had the password", fc.sets)
	}
}

func TestConsoleRefusesAWrongPasswordWithoutReachingTheScreen(t *testing.T) {
	e, fc := newScreenEnv(t, "Ab1234")
	ws, _ := dial(t, e.url(t, "i-qemu"))
	defer ws.Close()
	if _, _, ok, reason := screenLogin(t, ws, 8, "Zz9999"); ok || reason != "Authentication failed" {
		t.Fatalf("wrong password: ok %v, %q", ok, reason)
	}
	fc.screen.mu.Lock()
	defer fc.screen.mu.Unlock()
	if fc.screen.logins != 0 {
		t.Errorf("the screen was logged in to %d times for a client without the password", fc.screen.logins)
	}
}

func TestConsoleGivesAScreenWithAnotherPasswordTheInstancesOne(t *testing.T) {
	e, fc := newScreenEnv(t, "Old111")
	ws, _ := dial(t, e.url(t, "i-qemu"))
	defer ws.Close()
	init, _, ok, reason := screenLogin(t, ws, 8, "Ab1234")
	if !ok || init.Name != fakeName {
		t.Fatalf("login: ok %v %q, desktop %q", ok, reason, init.Name)
	}
	if len(fc.sets) != 1 || fc.sets[0] != "Ab1234" {
		t.Errorf("SetVNCPassword calls %q, want the store's password once", fc.sets)
	}
}

func TestConsoleRefusesTheSessionWhenTheScreenIsUnavailable(t *testing.T) {
	e, fc := newScreenEnv(t, "Ab1234")
	fc.sockErr = fmt.Errorf("%w: i-qemu is not running", driver.ErrInvalidState)
	ws, _ := dial(t, e.url(t, "i-qemu"))
	defer ws.Close()
	if _, _, ok, reason := screenLogin(t, ws, 8, "Ab1234"); ok || reason != errNoScreen {
		t.Fatalf("no screen: ok %v, reason %q; want %q", ok, reason, errNoScreen)
	}
}

func TestConsoleEndsWhenTheScreenGoes(t *testing.T) {
	e, fc := newScreenEnv(t, "Ab1234")
	ws, _ := dial(t, e.url(t, "i-qemu"))
	defer ws.Close()
	if _, _, ok, _ := screenLogin(t, ws, 8, "Ab1234"); !ok {
		t.Fatal("login failed")
	}
	fc.screen.dropAll()
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := ws.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("the session outlived its screen: %v", err)
	}
}

func TestConsoleOfAnInstanceWithoutDriverHandleIsBlank(t *testing.T) {
	e, _ := newScreenEnv(t, "Ab1234")
	ws, _ := dial(t, e.url(t, "i-run"))
	defer ws.Close()
	if name, ok, reason := rfbLogin(t, ws, 8, "Ab1234"); !ok || name != "i-run: simulated instance, no screen" {
		t.Errorf("ok %v %q, desktop %q", ok, reason, name)
	}
}
