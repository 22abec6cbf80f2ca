package console

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// A real screen: a compute driver with driver.VNCConsoler (QEMU) serves each
// running instance's screen over RFB on a local socket, behind VNC
// authentication with the instance's VNC password. The console authenticates
// the browser itself (as for a blank screen, against the password in the
// store), then logs in to the instance's screen with the same password and,
// from the browser's ClientInit on, relays bytes both ways: the browser sees
// the hypervisor's own ServerInit, framebuffer and pixel formats, and its
// keys and pointer reach the guest.

// screenHandshakeTimeout bounds logging in to an instance's screen.
const screenHandshakeTimeout = 10 * time.Second

// errScreenAuth says an instance's screen refused the password the console
// logged in with.
var errScreenAuth = errors.New("console: the instance's screen refused the VNC password")

// errScreenUnavailable says an instance's real screen could not be opened.
var errScreenUnavailable = errors.New("console: the instance's screen is not available")

// remoteScreen is a logged-in RFB connection to an instance's screen, right
// before ClientInit.
type remoteScreen struct {
	conn net.Conn
	r    *bufio.Reader
}

// screenFor returns how to open the screen of instance id, whose driver
// handle (JSON) is handle: the instance's real screen when the compute driver
// serves screens and the instance has a handle, else a blank one.
func (s *Service) screenFor(ctx context.Context, id, password string, handle []byte) openScreen {
	vc := s.deps.Screens
	if vc == nil || len(handle) == 0 {
		return func() (screen, error) { return blankScreen{name: id + ": simulated instance, no screen"}, nil }
	}
	return func() (screen, error) {
		scr, err := openRemoteScreen(ctx, vc, handle, password)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", errScreenUnavailable, id, err)
		}
		return scr, nil
	}
}

// openRemoteScreen logs in to the screen of the instance whose driver handle
// (JSON) is handle.
func openRemoteScreen(ctx context.Context, vc driver.VNCConsoler, handle []byte, password string) (*remoteScreen, error) {
	var h driver.Handle
	if err := json.Unmarshal(handle, &h); err != nil {
		return nil, fmt.Errorf("driver handle: %w", err)
	}
	sock, err := vc.VNCSocket(ctx, h)
	if err != nil {
		return nil, err
	}
	scr, err := dialScreen(ctx, sock, password)
	if errors.Is(err, errScreenAuth) {
		// The screen holds another password: a ModifyInstanceVncPasswd whose
		// driver call failed, or an instance started before its driver kept
		// passwords. The store's password is the truth.
		if err := vc.SetVNCPassword(ctx, h, password); err != nil {
			return nil, fmt.Errorf("set the VNC password: %w", err)
		}
		scr, err = dialScreen(ctx, sock, password)
	}
	return scr, err
}

// dialScreen logs in to the RFB server on the unix socket sock as a client
// of protocol 3.8 (or 3.7, or 3.3 when the server offers no more) with VNC
// authentication under password. A refused password is errScreenAuth.
func dialScreen(ctx context.Context, sock, password string) (*remoteScreen, error) {
	ctx, cancel := context.WithTimeout(ctx, screenHandshakeTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return nil, err
	}
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	r := bufio.NewReader(conn)
	err = loginScreen(conn, r, password)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return &remoteScreen{conn: conn, r: r}, nil
}

// loginScreen runs the client side of RFB up to a successful SecurityResult.
func loginScreen(w io.Writer, r *bufio.Reader, password string) error {
	var version [12]byte
	if _, err := io.ReadFull(r, version[:]); err != nil {
		return fmt.Errorf("console: screen version: %w", err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(string(version[:]), "RFB %03d.%03d\n", &major, &minor); err != nil || major != 3 {
		return fmt.Errorf("console: the screen speaks %q", version)
	}
	minor = min(max(minor, 3), 8)
	if minor > 3 && minor < 7 {
		minor = 3
	}
	if _, err := fmt.Fprintf(w, "RFB 003.%03d\n", minor); err != nil {
		return err
	}
	if minor == 3 {
		var typ uint32
		if err := binary.Read(r, binary.BigEndian, &typ); err != nil {
			return err
		}
		if typ == securityInvalid {
			return fmt.Errorf("console: the screen refused the connection: %s", readReason(r))
		}
		if typ != securityVNCAuth {
			return fmt.Errorf("console: the screen asks for security type %d", typ)
		}
	} else {
		n, err := r.ReadByte()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("console: the screen refused the connection: %s", readReason(r))
		}
		types := make([]byte, n)
		if _, err := io.ReadFull(r, types); err != nil {
			return err
		}
		if !slices.Contains(types, securityVNCAuth) {
			return fmt.Errorf("console: the screen offers security types %v, not VNC authentication", types)
		}
		if _, err := w.Write([]byte{securityVNCAuth}); err != nil {
			return err
		}
	}
	challenge := make([]byte, 16)
	if _, err := io.ReadFull(r, challenge); err != nil {
		return err
	}
	if _, err := w.Write(vncResponse(password, challenge)); err != nil {
		return err
	}
	var result uint32
	if err := binary.Read(r, binary.BigEndian, &result); err != nil {
		return err
	}
	if result != resultOK {
		reason := "Authentication failed"
		if minor >= 8 {
			reason = readReason(r)
		}
		return fmt.Errorf("%w (%s)", errScreenAuth, reason)
	}
	return nil
}

// readReason reads an RFB reason string (a 32-bit length, then the text);
// at most 1 KiB of it is kept.
func readReason(r *bufio.Reader) string {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return "(no reason)"
	}
	b := make([]byte, min(n, 1024))
	k, _ := io.ReadFull(r, b)
	return string(b[:k])
}

// serve relays the session: the client's bytes (from its ClientInit on) to
// the screen, the screen's (from its ServerInit on) to the client, until
// either side ends.
func (q *remoteScreen) serve(s *rfbSession) error {
	defer q.conn.Close()
	errc := make(chan error, 2)
	go func() {
		_, err := io.Copy(q.conn, s.r) // the client's buffered bytes first
		errc <- err
	}()
	go func() { errc <- relay(s.w, q.r) }()
	err := <-errc
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// relay copies src to w, flushing after each read so that every chunk of the
// screen's output reaches the client at once (one WebSocket message each).
func relay(w *bufio.Writer, src io.Reader) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if werr := w.Flush(); werr != nil {
				return werr
			}
		}
		if err != nil {
			return err
		}
	}
}
