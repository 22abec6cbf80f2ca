// Package qmp is a small client for the QEMU Machine Protocol: JSON objects over a
// unix socket. Dial reads the greeting and negotiates capabilities; Execute sends a
// command with an id and waits for the matching reply; asynchronous events are read
// by the same reader goroutine and queued in a buffered channel (the oldest are
// dropped when nobody reads them), so a reply never waits behind an event nobody
// drains — the deadlock go-qemu's SocketMonitor has.
package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// ErrClosed is returned by Execute once the connection is closed or broken (QEMU
// exited, or Close was called).
var ErrClosed = errors.New("qmp: connection closed")

// Event is an asynchronous QMP event (SHUTDOWN, POWERDOWN, RESET, STOP …).
type Event struct {
	// Name is the event name ("SHUTDOWN").
	Name string `json:"event"`
	// Data is the event's data object, raw.
	Data json.RawMessage `json:"data,omitempty"`
	// Timestamp is when QEMU emitted the event.
	Timestamp struct {
		Seconds      int64 `json:"seconds"`
		Microseconds int64 `json:"microseconds"`
	} `json:"timestamp"`
}

// Error is an error reply from QEMU.
type Error struct {
	// Class is QEMU's error class ("GenericError", "CommandNotFound" …).
	Class string `json:"class"`
	// Desc is the human-readable description.
	Desc string `json:"desc"`
}

func (e *Error) Error() string { return "qmp: " + e.Class + ": " + e.Desc }

// message is any object QEMU sends: a greeting, a reply or an event.
type message struct {
	QMP    json.RawMessage `json:"QMP,omitempty"`
	ID     string          `json:"id,omitempty"`
	Return json.RawMessage `json:"return,omitempty"`
	Error  *Error          `json:"error,omitempty"`
	Event  string          `json:"event,omitempty"`
}

type reply struct {
	ret json.RawMessage
	err error
}

// Conn is one QMP connection. It is safe for concurrent use.
type Conn struct {
	conn   net.Conn
	events chan Event

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int
	pending map[string]chan reply
	closed  bool
	readErr error
	done    chan struct{}
}

// EventBuffer is how many unread events a Conn keeps; older ones are dropped.
const EventBuffer = 64

// Dial connects to the QMP socket at path, reads the greeting and leaves
// negotiation mode with qmp_capabilities. ctx bounds the whole handshake.
func Dial(ctx context.Context, path string) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("qmp: dial %s: %w", path, err)
	}
	c, err := NewConn(ctx, nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// NewConn runs the QMP handshake over an established connection (Dial does this
// for unix sockets; tests use net.Pipe). On error the caller closes nc.
func NewConn(ctx context.Context, nc net.Conn) (*Conn, error) {
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	r := bufio.NewReader(nc)
	var greet message
	line, err := r.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &greet)
	}
	if err == nil && greet.QMP == nil {
		err = fmt.Errorf("no QMP greeting in %q", line)
	}
	if !stop() || ctx.Err() != nil {
		return nil, fmt.Errorf("qmp: greeting: %w", ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("qmp: greeting: %w", err)
	}
	nc.SetDeadline(time.Time{})
	c := &Conn{conn: nc, events: make(chan Event, EventBuffer), pending: map[string]chan reply{}, done: make(chan struct{})}
	go c.read(r)
	if _, err := c.Execute(ctx, "qmp_capabilities", nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Events returns the channel of asynchronous events. It is closed when the
// connection ends.
func (c *Conn) Events() <-chan Event { return c.events }

// Done is closed when the connection ends (QEMU exited or Close was called).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Close closes the connection; pending Executes fail with ErrClosed.
func (c *Conn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return c.conn.Close()
}

// Execute runs command with arguments (nil for none) and returns the raw "return"
// value. A QEMU error reply is an *Error. When ctx ends first, Execute returns its
// error; the reply, if it comes, is discarded.
func (c *Conn) Execute(ctx context.Context, command string, arguments any) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := map[string]any{"execute": command}
	if arguments != nil {
		req["arguments"] = arguments
	}
	c.mu.Lock()
	if c.closed || c.readErr != nil {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.nextID++
	id := "ecsd-" + strconv.Itoa(c.nextID)
	ch := make(chan reply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	req["id"] = id
	b, err := json.Marshal(req)
	if err != nil {
		c.forget(id)
		return nil, fmt.Errorf("qmp: encode %s: %w", command, err)
	}
	c.writeMu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		c.conn.SetWriteDeadline(dl)
	} else {
		c.conn.SetWriteDeadline(time.Time{})
	}
	_, err = c.conn.Write(append(b, '\n'))
	c.writeMu.Unlock()
	if err != nil {
		c.forget(id)
		return nil, fmt.Errorf("qmp: send %s: %w", command, errors.Join(ErrClosed, err))
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("qmp: %s: %w", command, r.err)
		}
		return r.ret, nil
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	}
}

// Run is Execute that decodes the return value into out (unless out is nil).
func (c *Conn) Run(ctx context.Context, command string, arguments, out any) error {
	ret, err := c.Execute(ctx, command, arguments)
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(ret, out); err != nil {
		return fmt.Errorf("qmp: decode %s return: %w", command, err)
	}
	return nil
}

func (c *Conn) forget(id string) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// read delivers replies to their Execute and events to the channel until the
// connection ends.
func (c *Conn) read(r *bufio.Reader) {
	var err error
	for {
		var line []byte
		line, err = r.ReadBytes('\n')
		if err != nil {
			break
		}
		var m message
		if json.Unmarshal(line, &m) != nil {
			continue // not a QMP object; ignore it
		}
		switch {
		case m.Event != "":
			var ev Event
			if json.Unmarshal(line, &ev) == nil {
				c.pushEvent(ev)
			}
		case m.ID != "":
			c.mu.Lock()
			ch := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if ch == nil {
				continue
			}
			if m.Error != nil {
				ch <- reply{err: m.Error}
			} else {
				ch <- reply{ret: m.Return}
			}
		}
	}
	c.mu.Lock()
	c.readErr = errors.Join(ErrClosed, err)
	pending := c.pending
	c.pending = map[string]chan reply{}
	c.mu.Unlock()
	for _, ch := range pending {
		ch <- reply{err: ErrClosed}
	}
	close(c.events)
	close(c.done)
}

// pushEvent queues ev, dropping the oldest queued event when the buffer is full.
func (c *Conn) pushEvent(ev Event) {
	for {
		select {
		case c.events <- ev:
			return
		default:
		}
		select {
		case <-c.events:
		default:
		}
	}
}

// Status is the answer to query-status.
type Status struct {
	// Running reports whether the guest's vCPUs run.
	Running bool `json:"running"`
	// Status is QEMU's run state ("running", "paused", "shutdown", "guest-panicked",
	// "internal-error", "prelaunch" …).
	Status string `json:"status"`
}

// QueryStatus runs query-status.
func (c *Conn) QueryStatus(ctx context.Context) (Status, error) {
	var s Status
	err := c.Run(ctx, "query-status", nil, &s)
	return s, err
}

// QueryName runs query-name and returns the VM's name (-name guest=…), empty when
// it has none.
func (c *Conn) QueryName(ctx context.Context) (string, error) {
	var n struct {
		Name string `json:"name"`
	}
	err := c.Run(ctx, "query-name", nil, &n)
	return n.Name, err
}
