package qemu

import (
	"bufio"
	"crypto/des"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

func TestTheScreenIsAVGACardBehindAPasswordedVNCSocketInTheInstanceDirectory(t *testing.T) {
	d := &Driver{cfg: Config{StateDir: "/var/lib/ecsd/qemu"}}
	args := d.args(guestSpecFor("/g", "i-screen"))
	i := slices.Index(args, "-vnc")
	if i < 0 || args[i+1] != "unix:/var/lib/ecsd/qemu/i-screen/vnc.sock,password=on" {
		t.Fatalf("-vnc argument missing or wrong in %q", args)
	}
	if j := slices.Index(args, "VGA"); j < 1 || args[j-1] != "-device" {
		t.Fatalf("no VGA card in %q", args)
	}
}

func TestSetVNCPasswordRefusesPasswordsVNCCannotCarryAndMissingInstances(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 is not installed: run scripts/setup-qemu.sh")
	}
	d := newTestDriver(t)
	h, err := d.Create(t.Context(), guestSpecFor("/g", "i-pw"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetVNCPassword(t.Context(), h, "123456789"); !errors.Is(err, driver.ErrInvalidArgument) {
		t.Fatalf("9-byte password: %v, want ErrInvalidArgument", err)
	}
	// A stopped instance records it for its next boot, and has no screen yet.
	if err := d.SetVNCPassword(t.Context(), h, "Ab1234"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(d.path("i-pw", vncPasswordFile)); string(b) != "Ab1234" {
		t.Fatalf("recorded password %q", b)
	}
	if _, err := d.VNCSocket(t.Context(), h); !errors.Is(err, driver.ErrInvalidState) {
		t.Fatalf("VNCSocket of a stopped instance: %v, want ErrInvalidState", err)
	}
	if err := d.Delete(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	if err := d.SetVNCPassword(t.Context(), h, "Ab1234"); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("deleted instance: %v, want ErrNotFound", err)
	}
}

func TestTheScreenOpensWithThePasswordSetBeforeBootAndTheOneSetWhileRunning(t *testing.T) {
	d := newTestDriver(t)
	spec := guestSpec(t, guestDir(t), "i-vnc")
	h, err := d.Create(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetVNCPassword(t.Context(), h, "Ab1234"); err != nil {
		t.Fatal(err)
	}
	if h, err = d.Start(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	sock, err := d.VNCSocket(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("VNC socket %s: %v", sock, err)
	}

	// The password set before the boot opens the screen: QEMU's own
	// ServerInit, named after the instance, and a full update of real pixels.
	init := vncConnect(t, sock, "Ab1234", true)
	if init.err != nil {
		t.Fatalf("right password: %v", init.err)
	}
	if init.width < 320 || init.height < 200 || !strings.Contains(init.name, "i-vnc") {
		t.Fatalf("ServerInit %dx%d %q, want a VGA screen named i-vnc", init.width, init.height, init.name)
	}
	if init.pixels == 0 {
		t.Fatal("the first framebuffer update carried no pixels")
	}
	if r := vncConnect(t, sock, "Zz9999", false); r.err == nil {
		t.Fatal("a wrong password opened the screen")
	}

	// A new password applies at once to the running instance.
	if err := d.SetVNCPassword(t.Context(), h, "Xy9876"); err != nil {
		t.Fatal(err)
	}
	if r := vncConnect(t, sock, "Ab1234", false); r.err == nil {
		t.Fatal("the old password still opens the screen")
	}
	if r := vncConnect(t, sock, "Xy9876", false); r.err != nil {
		t.Fatalf("new password: %v", r.err)
	}
	// An empty password lets nobody in, not even a client answering with
	// the empty key.
	if err := d.SetVNCPassword(t.Context(), h, ""); err != nil {
		t.Fatal(err)
	}
	if r := vncConnect(t, sock, "", false); r.err == nil {
		t.Fatal("the empty password opens the screen")
	}
}

// vncSession is what vncConnect saw.
type vncSession struct {
	width, height int
	name          string
	pixels        int // bytes of pixel data in the first full update, when asked for
	err           error
}

// vncConnect logs in to the RFB server at sock with password (RFB 3.8, VNC
// authentication) and reads ServerInit; with update it also asks for the
// whole screen and counts the pixel bytes of the answer (raw encoding).
func vncConnect(t *testing.T, sock, password string, update bool) vncSession {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	var version [12]byte
	if _, err := io.ReadFull(r, version[:]); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(version[:]), "RFB 003.") {
		t.Fatalf("server version %q", version)
	}
	c.Write([]byte("RFB 003.008\n"))
	n, _ := r.ReadByte()
	types := make([]byte, n)
	io.ReadFull(r, types)
	if !slices.Contains(types, 2) {
		t.Fatalf("security types %v without VNC authentication", types)
	}
	c.Write([]byte{2})
	challenge := make([]byte, 16)
	if _, err := io.ReadFull(r, challenge); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	block, _ := des.NewCipher(key)
	response := make([]byte, 16)
	block.Encrypt(response[:8], challenge[:8])
	block.Encrypt(response[8:], challenge[8:])
	c.Write(response)
	var result uint32
	if err := binary.Read(r, binary.BigEndian, &result); err != nil {
		return vncSession{err: err}
	}
	if result != 0 {
		var n uint32
		binary.Read(r, binary.BigEndian, &n)
		reason := make([]byte, min(n, 1024))
		io.ReadFull(r, reason)
		return vncSession{err: fmt.Errorf("refused: %s", reason)}
	}
	c.Write([]byte{1}) // ClientInit, shared
	var init struct {
		Width, Height uint16
		Format        [16]byte
		NameLength    uint32
	}
	if err := binary.Read(r, binary.BigEndian, &init); err != nil {
		t.Fatal(err)
	}
	name := make([]byte, init.NameLength)
	io.ReadFull(r, name)
	s := vncSession{width: int(init.Width), height: int(init.Height), name: string(name)}
	if !update {
		return s
	}
	// SetEncodings [raw], then a full FramebufferUpdateRequest.
	c.Write([]byte{2, 0, 0, 1, 0, 0, 0, 0})
	req := []byte{3, 0, 0, 0, 0, 0}
	req = binary.BigEndian.AppendUint16(req, init.Width)
	req = binary.BigEndian.AppendUint16(req, init.Height)
	c.Write(req)
	bpp := int(init.Format[0]) / 8
	for {
		var hdr struct {
			Type  uint8
			_     uint8
			Rects uint16
		}
		if err := binary.Read(r, binary.BigEndian, &hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Type != 0 {
			t.Fatalf("server message %d before the framebuffer update", hdr.Type)
		}
		for range hdr.Rects {
			var rect struct {
				X, Y, W, H uint16
				Encoding   int32
			}
			if err := binary.Read(r, binary.BigEndian, &rect); err != nil {
				t.Fatal(err)
			}
			if rect.Encoding != 0 { // a pseudo-encoding QEMU sends unasked
				continue
			}
			n := int(rect.W) * int(rect.H) * bpp
			if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
				t.Fatal(err)
			}
			s.pixels += n
		}
		if s.pixels > 0 {
			return s
		}
	}
}
