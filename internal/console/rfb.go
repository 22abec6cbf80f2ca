package console

import (
	"bufio"
	"crypto/des"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// The RFB protocol (RFC 6143), server side, as far as a console needs:
// versions 3.3, 3.7 and 3.8, VNC authentication only, then either a blank
// framebuffer in raw encoding (no screen) or the instance's real screen
// (screen.go).

// Screen size and colour of the blank framebuffer.
const (
	screenWidth, screenHeight = 640, 480
	screenGrey                = 0x20
)

// RFB security types and results.
const (
	securityInvalid = 0
	securityVNCAuth = 2
	resultOK        = 0
	resultFailed    = 1
)

// errAuthFailed says the client did not know the VNC password.
var errAuthFailed = errors.New("console: VNC authentication failed")

// pixelFormat is RFB's PIXEL_FORMAT.
type pixelFormat struct {
	BitsPerPixel, Depth, BigEndian, TrueColour uint8
	RedMax, GreenMax, BlueMax                  uint16
	RedShift, GreenShift, BlueShift            uint8
	_                                          [3]byte
}

// defaultFormat is 32-bit true colour, little endian.
var defaultFormat = pixelFormat{BitsPerPixel: 32, Depth: 24, TrueColour: 1, RedMax: 255, GreenMax: 255, BlueMax: 255,
	RedShift: 16, GreenShift: 8}

// rfbSession is one client of the RFB server.
type rfbSession struct {
	r      *bufio.Reader
	w      *bufio.Writer
	minor  int // protocol version 3.minor
	format pixelFormat
}

// screen is what a console shows once its client has authenticated.
type screen interface {
	// serve runs the rest of the session, from the client's ClientInit on,
	// until the client or the screen goes. The caller closes the client's
	// connection afterwards.
	serve(s *rfbSession) error
}

// openScreen prepares the screen of a session whose client knew the
// password, before the client hears so: an error refuses the session.
type openScreen func() (screen, error)

// errNoScreen is what a client whose screen could not be opened is told.
const errNoScreen = "The instance's screen is not available"

// serveRFB runs the RFB protocol on conn: the version handshake, VNC
// authentication against password (an empty password lets nobody in), then
// the screen open returns until the client goes. It returns errAuthFailed for
// a client that did not know the password.
func serveRFB(conn io.ReadWriter, password string, open openScreen) error {
	s := &rfbSession{r: bufio.NewReader(conn), w: bufio.NewWriterSize(conn, 64<<10), format: defaultFormat}
	if err := s.handshake(); err != nil {
		return err
	}
	if err := s.authenticate(password); err != nil {
		return err
	}
	scr, err := open()
	if err != nil {
		if ferr := s.fail(errNoScreen); ferr != nil {
			return ferr
		}
		return err
	}
	if err := binary.Write(s.w, binary.BigEndian, uint32(resultOK)); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	return scr.serve(s)
}

// blankScreen is the screen of an instance that has none (the simulated
// driver): a grey framebuffer called name, which key and pointer events do
// not change.
type blankScreen struct{ name string }

func (b blankScreen) serve(s *rfbSession) error {
	if err := s.initialise(b.name); err != nil {
		return err
	}
	return s.serveBlank()
}

// handshake agrees on the protocol version: 3.8, 3.7, or 3.3 for older clients.
func (s *rfbSession) handshake() error {
	if _, err := io.WriteString(s.w, "RFB 003.008\n"); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	var v [12]byte
	if _, err := io.ReadFull(s.r, v[:]); err != nil {
		return err
	}
	var major, minor int
	if _, err := fmt.Sscanf(string(v[:]), "RFB %03d.%03d\n", &major, &minor); err != nil || major != 3 {
		return fmt.Errorf("console: client speaks %q", v)
	}
	switch {
	case minor >= 8:
		s.minor = 8
	case minor == 7:
		s.minor = 7
	default:
		s.minor = 3
	}
	return nil
}

// authenticate runs VNC authentication: a random 16-byte challenge the client
// encrypts with DES under the password. A wrong answer gets a failed
// SecurityResult and errAuthFailed; for a right one the caller sends the
// SecurityResult.
func (s *rfbSession) authenticate(password string) error {
	if s.minor == 3 {
		if err := binary.Write(s.w, binary.BigEndian, uint32(securityVNCAuth)); err != nil {
			return err
		}
	} else {
		if _, err := s.w.Write([]byte{1, securityVNCAuth}); err != nil {
			return err
		}
		if err := s.w.Flush(); err != nil {
			return err
		}
		chosen, err := s.r.ReadByte()
		if err != nil {
			return err
		}
		if chosen != securityVNCAuth {
			return s.fail(fmt.Sprintf("security type %d is not offered", chosen))
		}
	}
	challenge := make([]byte, 16)
	if _, err := rand.Read(challenge); err != nil {
		return err
	}
	if _, err := s.w.Write(challenge); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	response := make([]byte, 16)
	if _, err := io.ReadFull(s.r, response); err != nil {
		return err
	}
	if password == "" || subtle.ConstantTimeCompare(response, vncResponse(password, challenge)) != 1 {
		if err := s.fail("Authentication failed"); err != nil {
			return err
		}
		return errAuthFailed
	}
	return nil
}

// fail sends a failed SecurityResult (with its reason from 3.8 on).
func (s *rfbSession) fail(reason string) error {
	if err := binary.Write(s.w, binary.BigEndian, uint32(resultFailed)); err != nil {
		return err
	}
	if s.minor >= 8 {
		if err := binary.Write(s.w, binary.BigEndian, uint32(len(reason))); err != nil {
			return err
		}
		if _, err := io.WriteString(s.w, reason); err != nil {
			return err
		}
	}
	return s.w.Flush()
}

// vncResponse is what a client that knows password answers to challenge: the
// challenge encrypted with DES (ECB) under the password's first 8 bytes, zero
// padded, each byte's bits reversed (the VNC convention).
func vncResponse(password string, challenge []byte) []byte {
	key := make([]byte, 8)
	copy(key, password)
	for i, b := range key {
		key[i] = bits.Reverse8(b)
	}
	block, _ := des.NewCipher(key) // an 8-byte key never fails
	out := make([]byte, len(challenge))
	for i := 0; i+8 <= len(challenge); i += 8 {
		block.Encrypt(out[i:i+8], challenge[i:i+8])
	}
	return out
}

// initialise reads ClientInit and sends ServerInit.
func (s *rfbSession) initialise(name string) error {
	if _, err := s.r.ReadByte(); err != nil { // shared-flag: every session is shared
		return err
	}
	init := struct {
		Width, Height uint16
		Format        pixelFormat
		NameLength    uint32
	}{screenWidth, screenHeight, s.format, uint32(len(name))}
	if err := binary.Write(s.w, binary.BigEndian, init); err != nil {
		return err
	}
	if _, err := io.WriteString(s.w, name); err != nil {
		return err
	}
	return s.w.Flush()
}

// Client-to-server message types.
const (
	msgSetPixelFormat           = 0
	msgSetEncodings             = 2
	msgFramebufferUpdateRequest = 3
	msgKeyEvent                 = 4
	msgPointerEvent             = 5
	msgClientCutText            = 6
)

// serveBlank answers the client's messages until it goes: a full update
// request gets the blank screen; key and pointer events go nowhere.
func (s *rfbSession) serveBlank() error {
	for {
		t, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch t {
		case msgSetPixelFormat:
			var m struct {
				_      [3]byte
				Format pixelFormat
			}
			if err := binary.Read(s.r, binary.BigEndian, &m); err != nil {
				return err
			}
			if bpp := m.Format.BitsPerPixel; bpp != 8 && bpp != 16 && bpp != 32 {
				return fmt.Errorf("console: %d bits per pixel", bpp)
			}
			s.format = m.Format
		case msgSetEncodings:
			var m struct {
				_     byte
				Count uint16
			}
			if err := binary.Read(s.r, binary.BigEndian, &m); err != nil {
				return err
			}
			if _, err := s.r.Discard(4 * int(m.Count)); err != nil {
				return err
			}
		case msgFramebufferUpdateRequest:
			var m struct {
				Incremental         uint8
				X, Y, Width, Height uint16
			}
			if err := binary.Read(s.r, binary.BigEndian, &m); err != nil {
				return err
			}
			if m.Incremental == 0 { // nothing ever changes on a screen that is not there
				if err := s.sendScreen(); err != nil {
					return err
				}
			}
		case msgKeyEvent:
			if _, err := s.r.Discard(7); err != nil {
				return err
			}
		case msgPointerEvent:
			if _, err := s.r.Discard(5); err != nil {
				return err
			}
		case msgClientCutText:
			var m struct {
				_      [3]byte
				Length uint32
			}
			if err := binary.Read(s.r, binary.BigEndian, &m); err != nil {
				return err
			}
			if _, err := s.r.Discard(int(m.Length)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("console: unknown RFB message %d", t)
		}
	}
}

// sendScreen sends the whole blank framebuffer, raw, in the client's format.
func (s *rfbSession) sendScreen() error {
	header := struct {
		Type                uint8
		_                   uint8
		Rects               uint16
		X, Y, Width, Height uint16
		Encoding            int32
	}{Rects: 1, Width: screenWidth, Height: screenHeight}
	if err := binary.Write(s.w, binary.BigEndian, header); err != nil {
		return err
	}
	pixel := s.greyPixel()
	row := make([]byte, 0, screenWidth*len(pixel))
	for range screenWidth {
		row = append(row, pixel...)
	}
	for range screenHeight {
		if _, err := s.w.Write(row); err != nil {
			return err
		}
	}
	return s.w.Flush()
}

// greyPixel encodes the screen's grey in the client's pixel format.
func (s *rfbSession) greyPixel() []byte {
	f := s.format
	scale := func(max uint16) uint32 { return uint32(screenGrey) * uint32(max) / 255 }
	v := scale(f.RedMax)<<f.RedShift | scale(f.GreenMax)<<f.GreenShift | scale(f.BlueMax)<<f.BlueShift
	n := int(f.BitsPerPixel) / 8
	out := make([]byte, n)
	for i := range n {
		shift := 8 * i
		if f.BigEndian != 0 {
			shift = 8 * (n - 1 - i)
		}
		out[i] = byte(v >> shift)
	}
	return out
}
