package e2e

import (
	"bufio"
	"crypto/des"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"golang.org/x/net/websocket"
)

// vncURL calls DescribeInstanceVncUrl.
func vncURL(c *ecs.Client, id string, https bool) (string, error) {
	req := ecs.CreateDescribeInstanceVncUrlRequest()
	req.RegionId, req.InstanceId = "cn-hangzhou", id
	if https {
		req.Scheme = "HTTPS"
	}
	resp, err := c.DescribeInstanceVncUrl(req)
	if err != nil {
		return "", err
	}
	return resp.VncUrl, nil
}

// setVNCPassword calls ModifyInstanceVncPasswd.
func setVNCPassword(t *testing.T, c *ecs.Client, id, password string) {
	t.Helper()
	req := ecs.CreateModifyInstanceVncPasswdRequest()
	req.RegionId, req.InstanceId, req.VncPassword = "cn-hangzhou", id, password
	if _, err := c.ModifyInstanceVncPasswd(req); err != nil {
		t.Fatalf("ModifyInstanceVncPasswd: %v", err)
	}
}

// openConsole opens a console URL as a web console does (WebSocket,
// subprotocol "binary"); it returns the connection, or the HTTP status of a
// refusal.
func openConsole(t *testing.T, u string) (*websocket.Conn, int) {
	t.Helper()
	cfg, err := websocket.NewConfig(u, "http://console.example/")
	if err != nil {
		t.Fatalf("console URL %q: %v", u, err)
	}
	cfg.Protocol = []string{"binary"}
	cfg.TlsConfig = &tls.Config{InsecureSkipVerify: true} // the server's self-signed certificate
	ws, err := websocket.DialConfig(cfg)
	if err == nil {
		ws.PayloadType = websocket.BinaryFrame
		return ws, http.StatusSwitchingProtocols
	}
	var de *websocket.DialError
	if !errors.As(err, &de) || !errors.Is(de.Err, websocket.ErrBadStatus) {
		t.Fatalf("open console: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg.TlsConfig}}
	plain := strings.Replace(strings.Replace(u, "wss://", "https://", 1), "ws://", "http://", 1)
	resp, err := client.Get(plain)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return nil, resp.StatusCode
}

// vncLogin speaks RFB 3.8 as a VNC client up to ServerInit: it returns the
// desktop name, or the server's reason for refusing the password.
func vncLogin(t *testing.T, conn io.ReadWriter, password string) (desktop string, ok bool, reason string) {
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
	if string(version[:]) != "RFB 003.008\n" {
		t.Fatalf("RFB version %q", version)
	}
	write(t, conn, []byte("RFB 003.008\n"))
	var types [2]byte
	read(&types)
	if types != [2]byte{1, 2} {
		t.Fatalf("security types %v, want VNC authentication only", types)
	}
	write(t, conn, []byte{2})
	var challenge [16]byte
	read(&challenge)
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	block, err := des.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
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
		return "", false, string(msg)
	}
	write(t, conn, []byte{1})
	var init struct {
		Width, Height uint16
		Format        [16]byte
		NameLength    uint32
	}
	read(&init)
	name := make([]byte, init.NameLength)
	read(name)
	return string(name), true, ""
}

func write(t *testing.T, w io.Writer, b []byte) {
	t.Helper()
	if _, err := w.Write(b); err != nil {
		t.Fatalf("RFB: %v", err)
	}
}

func TestVNCConsoleOpensWithThePasswordModifyInstanceVncPasswdSet(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	ids := runInstances(t, c, n.runRequest())
	waitForStatus(t, c, ids, "Running")
	id := ids[0]

	// Before ModifyInstanceVncPasswd the console opens but lets nobody in.
	u, err := vncURL(c, id, false)
	if err != nil {
		t.Fatalf("DescribeInstanceVncUrl: %v", err)
	}
	if !strings.HasPrefix(u, "ws://"+s.addr+"/console/vnc?token=") {
		t.Fatalf("VncUrl = %q, want a console of this server", u)
	}
	ws, status := openConsole(t, u)
	if ws == nil {
		t.Fatalf("opening the console: %d", status)
	}
	if _, ok, _ := vncLogin(t, ws, ""); ok {
		t.Error("a console without a VNC password let a client in")
	}
	ws.Close()

	setVNCPassword(t, c, id, "Ab12cd")
	u, err = vncURL(c, id, false)
	if err != nil {
		t.Fatalf("DescribeInstanceVncUrl: %v", err)
	}
	ws, _ = openConsole(t, u)
	if _, ok, reason := vncLogin(t, ws, "Ab12ce"); ok || reason != "Authentication failed" {
		t.Errorf("a wrong password: ok %v, reason %q", ok, reason)
	}
	ws.Close()
	ws, _ = openConsole(t, u)
	desktop, ok, reason := vncLogin(t, ws, "Ab12cd")
	if !ok || desktop != id+": simulated instance, no screen" {
		t.Errorf("the right password: ok %v (%q), desktop %q", ok, reason, desktop)
	}
	ws.Close()

	// Over TLS the URL is wss:// on the same port.
	c.SetHTTPSInsecure(true)
	secure, err := vncURL(c, id, true)
	if err != nil || !strings.HasPrefix(secure, "wss://"+s.addr+"/console/vnc?token=") {
		t.Fatalf("DescribeInstanceVncUrl over HTTPS = %q, %v", secure, err)
	}
	ws, status = openConsole(t, secure)
	if ws == nil {
		t.Fatalf("opening the console over TLS: %d", status)
	}
	if _, ok, reason := vncLogin(t, ws, "Ab12cd"); !ok {
		t.Errorf("over TLS: %q", reason)
	}
	ws.Close()

	// A forged token, an unknown instance and a Stopped one have no console.
	if ws, status := openConsole(t, strings.Replace(u, "token=", "token=x", 1)); ws != nil || status != http.StatusForbidden {
		t.Errorf("a forged token: %d, want 403", status)
	}
	_, err = vncURL(c, "i-nope", false)
	wantServerError(t, "DescribeInstanceVncUrl of an unknown instance", err, "InvalidInstanceId.NotFound", 404)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId, stop.ForceStop = id, requests.NewBoolean(true)
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitForStatus(t, c, ids, "Stopped")
	_, err = vncURL(c, id, false)
	wantServerError(t, "DescribeInstanceVncUrl of a Stopped instance", err, "IncorrectInstanceStatus", 403)
	if ws, status := openConsole(t, u); ws != nil || status != http.StatusConflict {
		t.Errorf("an earlier URL of an instance stopped since: %d, want 409", status)
	}
}

func TestVNCConsoleURLExpires(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--console-url-lifetime", "1s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	ids := runInstances(t, c, n.runRequest())
	waitForStatus(t, c, ids, "Running")
	setVNCPassword(t, c, ids[0], "Ab12cd")
	u, err := vncURL(c, ids[0], false)
	if err != nil {
		t.Fatalf("DescribeInstanceVncUrl: %v", err)
	}
	time.Sleep(1500 * time.Millisecond) // past the 1 s lifetime the server was given
	if ws, status := openConsole(t, u); ws != nil || status != http.StatusForbidden {
		t.Errorf("an expired URL: %d, want 403", status)
	}
}
