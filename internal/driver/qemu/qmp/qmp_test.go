package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"testing"
)

// fakeQEMU serves one QMP connection on nc: it sends the greeting, then answers
// each command with handle's reply lines (written verbatim, in order).
func fakeQEMU(t *testing.T, nc net.Conn, handle func(cmd string, id string) []string) {
	t.Helper()
	go func() {
		defer nc.Close()
		w := bufio.NewWriter(nc)
		w.WriteString(`{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}` + "\n")
		w.Flush()
		r := bufio.NewReader(nc)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			var req struct {
				Execute string `json:"execute"`
				ID      string `json:"id"`
			}
			if json.Unmarshal(line, &req) != nil {
				return
			}
			for _, out := range handle(req.Execute, req.ID) {
				w.WriteString(out + "\n")
			}
			w.Flush()
		}
	}()
}

func ret(id, value string) string { return `{"return": ` + value + `, "id": "` + id + `"}` }

func TestExecuteMatchesRepliesByIDAndQueuesEvents(t *testing.T) {
	client, server := net.Pipe()
	fakeQEMU(t, server, func(cmd, id string) []string {
		switch cmd {
		case "qmp_capabilities":
			return []string{ret(id, "{}")}
		case "system_powerdown":
			// The event comes before the reply, as with real QEMU; nobody reads
			// events yet, which must not block the reply.
			return []string{`{"event": "POWERDOWN", "timestamp": {"seconds": 1, "microseconds": 2}}`, ret(id, "{}")}
		case "query-status":
			return []string{ret(id, `{"running": true, "status": "running"}`)}
		case "query-name":
			return []string{ret(id, `{"name": "i-test"}`)}
		}
		return []string{`{"error": {"class": "CommandNotFound", "desc": "The command ` + cmd + ` has not been found"}, "id": "` + id + `"}`}
	})
	c, err := NewConn(t.Context(), client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range EventBuffer + 5 { // more events than the buffer holds: the oldest are dropped
		if _, err := c.Execute(t.Context(), "system_powerdown", nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.QueryStatus(t.Context())
	if err != nil || st.Status != "running" || !st.Running {
		t.Fatalf("QueryStatus = %+v, %v", st, err)
	}
	name, err := c.QueryName(t.Context())
	if err != nil || name != "i-test" {
		t.Fatalf("QueryName = %q, %v", name, err)
	}
	_, err = c.Execute(t.Context(), "no-such-command", nil)
	var qerr *Error
	if !errors.As(err, &qerr) || qerr.Class != "CommandNotFound" {
		t.Fatalf("unknown command: %v, want a CommandNotFound *Error", err)
	}
	ev := <-c.Events()
	if ev.Name != "POWERDOWN" || ev.Timestamp.Seconds != 1 {
		t.Fatalf("event = %+v", ev)
	}
	if n := len(c.Events()); n != EventBuffer-1 {
		t.Fatalf("%d events queued after reading one, want %d", n, EventBuffer-1)
	}
}

func TestExecuteHonoursTheContext(t *testing.T) {
	client, server := net.Pipe()
	fakeQEMU(t, server, func(cmd, id string) []string {
		if cmd == "qmp_capabilities" {
			return []string{ret(id, "{}")}
		}
		return nil // never answers
	})
	c, err := NewConn(t.Context(), client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Execute(ctx, "query-status", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Execute with a cancelled context: %v", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	errc := make(chan error)
	go func() { _, err := c.Execute(ctx, "query-status", nil); errc <- err }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Execute cancelled while waiting: %v", err)
	}
}

func TestHandshakeHonoursTheContext(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close() // the server never greets
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error)
	go func() { _, err := NewConn(ctx, client); errc <- err }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("NewConn cancelled before the greeting: %v", err)
	}
}

func TestPendingExecuteFailsWhenQEMUGoesAway(t *testing.T) {
	client, server := net.Pipe()
	fakeQEMU(t, server, func(cmd, id string) []string {
		if cmd == "qmp_capabilities" {
			return []string{ret(id, "{}")}
		}
		server.Close() // QEMU exits without answering (as after "quit" races)
		return nil
	})
	c, err := NewConn(t.Context(), client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Execute(t.Context(), "quit", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Execute when the server hangs up: %v, want ErrClosed", err)
	}
	<-c.Done()
	if _, ok := <-c.Events(); ok {
		t.Fatal("events channel still open after the connection ended")
	}
	if _, err := c.Execute(t.Context(), "query-status", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Execute after the end: %v, want ErrClosed", err)
	}
}

func TestDialUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "qmp.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		fakeQEMU(t, nc, func(cmd, id string) []string { return []string{ret(id, "{}")} })
	}()
	c, err := Dial(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := Dial(t.Context(), filepath.Join(t.TempDir(), "absent.sock")); err == nil {
		t.Fatal("Dial of a missing socket succeeded")
	}
}
