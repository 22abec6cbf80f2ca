package e2e

import (
	"bufio"
	"crypto/des"
	"encoding/binary"
	"io"
	"math/bits"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rfbScreen is what a VNC client saw of a screen.
type rfbScreen struct {
	width, height int
	name          string
	colours       int // distinct pixel values in the first full update
}

// rfbLoginAndLook speaks RFB 3.8 as a VNC client on conn with password; on
// success it reads ServerInit, asks for the whole screen in raw encoding and
// counts the colours of the answer. ok is false (with the server's reason)
// when the password was refused.
func rfbLoginAndLook(t *testing.T, conn io.ReadWriter, password string) (scr rfbScreen, ok bool, reason string) {
	t.Helper()
	r := bufio.NewReader(conn)
	read := func(v any) {
		t.Helper()
		if err := binary.Read(r, binary.BigEndian, v); err != nil {
			t.Fatalf("RFB: %v", err)
		}
	}
	var version [12]byte
	read(&version)
	write(t, conn, []byte("RFB 003.008\n"))
	var n uint8
	read(&n)
	types := make([]byte, n)
	read(types)
	write(t, conn, []byte{2})
	var challenge [16]byte
	read(&challenge)
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	block, _ := des.NewCipher(key)
	response := make([]byte, 16)
	block.Encrypt(response[:8], challenge[:8])
	block.Encrypt(response[8:], challenge[8:])
	write(t, conn, response)
	var result uint32
	read(&result)
	if result != 0 {
		var n uint32
		read(&n)
		msg := make([]byte, n)
		read(msg)
		return scr, false, string(msg)
	}
	write(t, conn, []byte{1}) // ClientInit, shared
	var init struct {
		Width, Height uint16
		BitsPerPixel  uint8
		Format        [15]byte
		NameLength    uint32
	}
	read(&init)
	name := make([]byte, init.NameLength)
	read(name)
	scr = rfbScreen{width: int(init.Width), height: int(init.Height), name: string(name)}
	// SetEncodings [raw], then FramebufferUpdateRequest for the whole screen.
	write(t, conn, []byte{2, 0, 0, 1, 0, 0, 0, 0})
	req := []byte{3, 0, 0, 0, 0, 0}
	req = binary.BigEndian.AppendUint16(req, init.Width)
	req = binary.BigEndian.AppendUint16(req, init.Height)
	write(t, conn, req)
	bpp := int(init.BitsPerPixel) / 8
	var update struct {
		Type, Pad uint8
		Rects     uint16
	}
	read(&update)
	if update.Type != 0 {
		t.Fatalf("RFB message %d, want a FramebufferUpdate", update.Type)
	}
	colours := map[string]bool{}
	for range update.Rects {
		var rect struct {
			X, Y, W, H uint16
			Encoding   int32
		}
		read(&rect)
		if rect.Encoding != 0 {
			t.Fatalf("rectangle in encoding %d, want raw", rect.Encoding)
		}
		px := make([]byte, int(rect.W)*int(rect.H)*bpp)
		read(px)
		for i := 0; i+bpp <= len(px); i += bpp {
			colours[string(px[i:i+bpp])] = true
		}
	}
	scr.colours = len(colours)
	return scr, true, ""
}

func TestVNCConsoleOfAQEMUInstanceShowsItsRealScreenBehindModifyInstanceVncPasswd(t *testing.T) {
	s, c, img := qemuServerWithGuestImage(t)
	dataDir := s.dataDir
	n := newInstanceNet(t, s, c)
	req := n.runRequest()
	req.ImageId = img.ImageId
	req.InstanceType = "ecs.t5-lc2m1.nano" // 512 MiB: the machine runs QEMU without KVM
	ids := runInstances(t, c, req)
	waitForStatus(t, c, ids, "Running")
	id := ids[0]
	setVNCPassword(t, c, id, "Ab12cd")

	open := func() io.ReadWriter {
		t.Helper()
		u, err := vncURL(c, id, false)
		if err != nil {
			t.Fatalf("DescribeInstanceVncUrl: %v", err)
		}
		ws, status := openConsole(t, u)
		if ws == nil {
			t.Fatalf("opening the console: %d", status)
		}
		t.Cleanup(func() { ws.Close() })
		return ws
	}
	if _, ok, reason := rfbLoginAndLook(t, open(), "Ab12ce"); ok || reason != "Authentication failed" {
		t.Fatalf("a wrong password: ok %v, reason %q", ok, reason)
	}
	scr, ok, reason := rfbLoginAndLook(t, open(), "Ab12cd")
	if !ok {
		t.Fatalf("the right password was refused: %q\nstderr:\n%s", reason, s.stderr.String())
	}
	// QEMU's own ServerInit: a VGA screen named after the instance, whose
	// pixels (the firmware's text, or QEMU's "not initialized" notice) are
	// not one blank colour.
	if !strings.Contains(scr.name, "QEMU") || !strings.Contains(scr.name, id) {
		t.Errorf("desktop %q, want QEMU's screen of %s", scr.name, id)
	}
	t.Logf("the console shows %q, %dx%d, %d colours", scr.name, scr.width, scr.height, scr.colours)
	if scr.width < 320 || scr.height < 200 || scr.colours < 2 {
		t.Errorf("screen %dx%d with %d colours, want real pixels", scr.width, scr.height, scr.colours)
	}

	// A new password reaches QEMU itself (not only the console's check).
	setVNCPassword(t, c, id, "Xy98zw")
	sock := filepath.Join(dataDir, "qemu", id, "vnc.sock")
	direct := func(password string) bool {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatalf("QEMU's VNC socket: %v", err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		_, ok, _ := rfbLoginAndLook(t, conn, password)
		return ok
	}
	if direct("Ab12cd") || !direct("Xy98zw") {
		t.Fatal("QEMU's screen does not hold the password ModifyInstanceVncPasswd set")
	}
	if _, ok, reason := rfbLoginAndLook(t, open(), "Xy98zw"); !ok {
		t.Fatalf("the console refused the new password: %q", reason)
	}
}
