// Package httpserve serves one http.Handler over plain HTTP and TLS on the same
// port: each accepted connection's first byte decides (0x16 starts a TLS handshake).
// Terraform's provider forces HTTPS for some calls while most SDKs default to plain
// HTTP, so one endpoint must answer both.
package httpserve

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// sniffTimeout bounds how long a new connection may stay silent before its first byte.
const sniffTimeout = 30 * time.Second

// Server serves a handler on one listener, TLS and plain HTTP alike.
type Server struct {
	plain, secure *http.Server
	plainLn       *chanListener
	tlsLn         *chanListener
	ln            net.Listener
	wg            sync.WaitGroup
}

// New returns a Server for handler; tlsConfig may be nil to serve plain HTTP only.
func New(handler http.Handler, tlsConfig *tls.Config, logger *slog.Logger) *Server {
	errLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	s := &Server{
		plain: &http.Server{Handler: handler, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: errLog},
	}
	if tlsConfig != nil {
		s.secure = &http.Server{Handler: handler, TLSConfig: tlsConfig, ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout: 2 * time.Minute, ErrorLog: errLog}
	}
	return s
}

// Serve accepts connections on ln until Shutdown; it returns http.ErrServerClosed then.
func (s *Server) Serve(ln net.Listener) error {
	s.ln = ln
	s.plainLn = newChanListener(ln.Addr())
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = s.plain.Serve(s.plainLn) }()
	if s.secure != nil {
		s.tlsLn = newChanListener(ln.Addr())
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.secure.Serve(tls.NewListener(s.tlsLn, s.secure.TLSConfig)) }()
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		// Sniff in the connection's own goroutine: one idle client must not stall
		// the accept loop.
		go s.route(conn)
	}
}

func (s *Server) route(conn net.Conn) {
	_ = conn.SetReadDeadline(time.Now().Add(sniffTimeout))
	br := bufio.NewReader(conn)
	first, err := br.Peek(1)
	if err != nil {
		_ = conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: conn, r: br}
	if first[0] == 0x16 && s.tlsLn != nil {
		s.tlsLn.deliver(pc)
		return
	}
	s.plainLn.deliver(pc)
}

// Shutdown stops accepting, lets in-flight requests finish (until ctx ends) and
// closes idle connections.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.ln != nil {
		_ = s.ln.Close()
	}
	err := s.plain.Shutdown(ctx)
	if s.secure != nil {
		if err2 := s.secure.Shutdown(ctx); err == nil {
			err = err2
		}
	}
	s.wg.Wait()
	return err
}

// peekedConn replays the sniffed bytes before reading from the connection.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is a net.Listener fed by the sniffing accept loop.
type chanListener struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *chanListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		_ = c.Close()
	}
}

// Accept implements net.Listener.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *chanListener) Addr() net.Addr { return l.addr }
