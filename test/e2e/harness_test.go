// Package e2e starts real ecsd processes and drives them with the official Alibaba
// Cloud clients, the way users do.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Root credentials every test server is started with.
const (
	testAccessKeyID     = "LTAItestrootkey0000000001"
	testAccessKeySecret = "testrootsecret000000000000001"
)

var ecsdBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ecsd-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ecsdBinary = filepath.Join(dir, "ecsd")
	build := exec.Command("go", "build", "-o", ecsdBinary, "../../cmd/ecsd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ecsd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running ecsd process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	// ossAddr is where the object service listens (--oss-listen).
	ossAddr string
	dataDir string
	stdout  *syncBuffer
	stderr  *syncBuffer
	done    chan error
	opts    serverOptions // how startServer was asked to start it
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serverOptions adjust how a test server is started.
type serverOptions struct {
	dataDir string   // reuse a data dir (restart tests); default a fresh one
	env     []string // extra environment; default root credentials are set
	noCreds bool     // start without ECSD_ACCESS_KEY_ID/SECRET
	args    []string
	// viaEnvironment passes listen address and data dir as ECSD_LISTEN and
	// ECSD_DATA_DIR instead of flags, and addr (when set) is the address to expect.
	viaEnvironment bool
	addr           string
}

// startServer starts ecsd on a free loopback port and waits for /healthz.
func startServer(t *testing.T, o serverOptions) *server {
	t.Helper()
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.addr == "" {
		o.addr = freeAddr(t)
	}
	s := &server{t: t, addr: o.addr, dataDir: o.dataDir, opts: o}
	s.launch(o)
	t.Cleanup(func() { s.kill() })
	s.waitHealthy()
	return s
}

// launch starts the ecsd process of s with options o (dataDir and addr set).
func (s *server) launch(o serverOptions) {
	s.t.Helper()
	args := append([]string{"serve", "--listen", o.addr, "--data-dir", o.dataDir, "--sim-delay", "0s"}, o.args...)
	if o.viaEnvironment {
		args = append([]string{"serve"}, o.args...)
	}
	// Every server gets its own object service port (the default, 8081, is
	// shared by the tests running in parallel).
	ossAddr := freeAddr(s.t)
	cmd := exec.Command(ecsdBinary, args...)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ECSD_") {
			env = append(env, kv)
		}
	}
	if !o.noCreds {
		env = append(env, "ECSD_ACCESS_KEY_ID="+testAccessKeyID, "ECSD_ACCESS_KEY_SECRET="+testAccessKeySecret)
	}
	if pg := os.Getenv("ECSD_E2E_STORE"); pg != "" {
		env = append(env, "ECSD_STORE="+pg)
	}
	if o.viaEnvironment {
		env = append(env, "ECSD_DATA_DIR="+o.dataDir)
	}
	env = append(env, "ECSD_OSS_LISTEN="+ossAddr)
	cmd.Env = append(env, o.env...)
	s.cmd, s.stdout, s.stderr, s.done = cmd, &syncBuffer{}, &syncBuffer{}, make(chan error, 1)
	s.ossAddr = ossAddr
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start ecsd: %v", err)
	}
	go func() { s.done <- cmd.Wait() }()
}

// restart stops s (SIGTERM) and starts ecsd again with the options s was
// first started with plus these arguments, on the same address and data dir. The new process
// takes the place of the old one in s, so the clients made for s keep
// working, and the cleanups the test registered since s started (which run
// before s is killed) still reach a running server.
func (s *server) restart(args ...string) {
	s.t.Helper()
	if err := s.stop(); err != nil {
		s.t.Fatalf("stop before restart: %v", err)
	}
	o := s.opts
	o.args = append(append([]string(nil), o.args...), args...)
	s.launch(o)
	s.waitHealthy()
}

func (s *server) waitHealthy() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.t.Fatalf("ecsd exited before becoming healthy: %v\nstderr:\n%s", err, s.stderr.String())
		default:
		}
		resp, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("ecsd not healthy after 30s\nstderr:\n%s", s.stderr.String())
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("ecsd did not exit 30s after SIGTERM")
	}
}

func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		select {
		case err := <-s.done:
			s.done <- err
		case <-time.After(10 * time.Second):
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// ctx returns a context bounded by the test's deadline.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
