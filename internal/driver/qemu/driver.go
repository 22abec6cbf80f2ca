package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// Config configures the driver. Only StateDir is required.
type Config struct {
	// StateDir holds one directory per instance (<data-dir>/qemu). It must be an
	// absolute path short enough for the QMP socket path (unix sockets are
	// limited to 107 bytes).
	StateDir string
	// Binary is the QEMU executable; default "qemu-system-x86_64" from PATH.
	Binary string
	// QemuImg is the qemu-img executable that creates live backups' target
	// files (BackupDisk); default "qemu-img" from PATH.
	QemuImg string
	// Accel is QEMU's -accel argument; empty means Accelerator() (KVM only when the
	// host really has it, else TCG).
	Accel string
	// StopTimeout bounds a graceful stop or reboot whose options give none;
	// default 1 minute.
	StopTimeout time.Duration
	// PowerdownInterval is how often a graceful stop presses the power button again
	// while the guest has not powered off (a guest still booting ignores it);
	// default 1 second.
	PowerdownInterval time.Duration
	// LaunchTimeout bounds starting QEMU until it daemonizes; default 30 seconds.
	LaunchTimeout time.Duration
	// QMPTimeout bounds connecting to QMP and each quick command; default 5 seconds.
	QMPTimeout time.Duration
}

// Driver is the QEMU compute driver. It is safe for concurrent use; several
// Drivers over one StateDir (an ecsd restarted while another one still winds
// down) find the same instances.
type Driver struct {
	cfg   Config
	accel string

	mu        sync.Mutex
	instances map[string]*instance
	deleted   map[string]bool // IDs this driver deleted (Recover of them is ErrNotFound)
}

var (
	_ driver.Compute  = (*Driver)(nil)
	_ driver.Consoler = (*Driver)(nil)
)

// New returns a driver over cfg.StateDir, creating it. It fails when QEMU cannot
// be found.
func New(cfg Config) (*Driver, error) {
	if cfg.StateDir == "" || !filepath.IsAbs(cfg.StateDir) {
		return nil, fmt.Errorf("qemu: state directory %q must be an absolute path", cfg.StateDir)
	}
	// The longest socket path: <state-dir>/<64-byte id>/qmp.sock.
	if n := len(cfg.StateDir) + 1 + 64 + 1 + len(qmpSocket); n > maxSocketPath {
		return nil, fmt.Errorf("qemu: state directory %q is too long for QMP socket paths (%d bytes > %d)", cfg.StateDir, n, maxSocketPath)
	}
	if cfg.Binary == "" {
		cfg.Binary = "qemu-system-x86_64"
	}
	if _, err := exec.LookPath(cfg.Binary); err != nil {
		return nil, fmt.Errorf("qemu: %w (install it with scripts/setup-qemu.sh)", err)
	}
	if cfg.QemuImg == "" {
		cfg.QemuImg = "qemu-img"
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = time.Minute
	}
	if cfg.PowerdownInterval <= 0 {
		cfg.PowerdownInterval = time.Second
	}
	if cfg.LaunchTimeout <= 0 {
		cfg.LaunchTimeout = 30 * time.Second
	}
	if cfg.QMPTimeout <= 0 {
		cfg.QMPTimeout = 5 * time.Second
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	accel := cfg.Accel
	if accel == "" {
		accel = Accelerator()
	}
	return &Driver{cfg: cfg, accel: accel, instances: map[string]*instance{}, deleted: map[string]bool{}}, nil
}

// Name returns "qemu".
func (d *Driver) Name() string { return Name }

// Create writes the instance's directory and spec and leaves it Stopped. The
// spec's disks must already exist at their paths (the volume layer makes them).
func (d *Driver) Create(ctx context.Context, spec driver.InstanceSpec) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if err := spec.Validate(); err != nil {
		return driver.Handle{}, err
	}
	if err := checkID(spec.InstanceID); err != nil {
		return driver.Handle{}, err
	}
	for _, p := range []string{spec.SystemDisk.Path, spec.Boot.Kernel, spec.Boot.Initrd} {
		if p != "" && !filepath.IsAbs(p) {
			return driver.Handle{}, fmt.Errorf("%w: path %q is not absolute", driver.ErrInvalidArgument, p)
		}
	}
	id := spec.InstanceID
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	if d.exists(id) {
		return d.handle(id), nil
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return driver.Handle{}, fmt.Errorf("%w: %v", driver.ErrInvalidArgument, err)
	}
	if err := os.MkdirAll(d.dir(id), 0o700); err != nil {
		return driver.Handle{}, fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	if err := d.setIntent(id, "stopped"); err != nil {
		return driver.Handle{}, fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	// The spec file goes last: its presence is what makes the instance exist.
	if err := writeFileAtomic(d.path(id, specFile), b); err != nil {
		return driver.Handle{}, fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	d.mu.Lock()
	delete(d.deleted, id)
	d.mu.Unlock()
	return d.handle(id), nil
}

// readSpec returns the spec Create stored for id.
func (d *Driver) readSpec(id string) (driver.InstanceSpec, error) {
	var spec driver.InstanceSpec
	b, err := os.ReadFile(d.path(id, specFile))
	if errors.Is(err, os.ErrNotExist) {
		return spec, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	if err == nil {
		err = json.Unmarshal(b, &spec)
	}
	if err != nil {
		return spec, fmt.Errorf("%w: spec of %s: %v", driver.ErrTransient, id, err)
	}
	return spec, nil
}

// Inspect reports the instance's power state: Starting or Stopping while an
// operation of this driver runs, else what QEMU says (running → Running, guest
// powered off → Stopped, panicked or failed → Crashed), Crashed when the process
// is gone although ecsd last asked it to run, Stopped when it is gone as asked.
func (d *Driver) Inspect(ctx context.Context, h driver.Handle) (_ driver.PowerState, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return "", err
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	if op := in.op; op != nil {
		if op.kind == opStart || op.kind == opReboot {
			return driver.Starting, nil
		}
		return driver.Stopping, nil
	}
	return d.observe(ctx, id)
}

// observe reports the power state of id from its files and process (no operation
// under way). Callers hold the instance's lock.
func (d *Driver) observe(ctx context.Context, id string) (driver.PowerState, error) {
	if !d.exists(id) {
		return driver.Missing, nil
	}
	if d.livePID(id) == 0 {
		if d.intent(id) == "running" {
			return driver.Crashed, nil
		}
		return driver.Stopped, nil
	}
	st, err := d.status(ctx, id)
	if err != nil {
		if d.livePID(id) == 0 { // it exited while we asked
			return d.observe(ctx, id)
		}
		return "", err
	}
	switch st {
	case "shutdown":
		return driver.Stopped, nil
	case "guest-panicked", "internal-error", "io-error":
		return driver.Crashed, nil
	}
	return driver.Running, nil
}

// Recover re-attaches to the instance after a restart: it checks that a live
// QEMU behind the instance's pidfile answers QMP under the instance's name. It
// never starts or stops anything.
func (d *Driver) Recover(ctx context.Context, h driver.Handle) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	d.mu.Lock()
	gone := d.deleted[id]
	d.mu.Unlock()
	if gone || !d.exists(id) {
		return driver.Handle{}, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	if in.op != nil || d.livePID(id) == 0 {
		return d.handle(id), nil
	}
	c, err := d.dial(ctx, id)
	if err != nil {
		return driver.Handle{}, err
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	name, err := c.QueryName(qctx)
	if err != nil {
		return driver.Handle{}, fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
	}
	if name != id {
		return driver.Handle{}, fmt.Errorf("%w: the QEMU at %s's socket is named %q", driver.ErrTransient, id, name)
	}
	return d.handle(id), nil
}

// consoleTail is how much of the serial console ConsoleOutput returns.
const consoleTail = 64 << 10

// ConsoleOutput returns the last 64 KiB of the instance's serial console.
func (d *Driver) ConsoleOutput(ctx context.Context, h driver.Handle) (_ []byte, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return nil, err
	}
	if !d.exists(id) {
		return nil, fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	f, err := os.Open(d.path(id, consoleFile))
	if errors.Is(err, os.ErrNotExist) {
		return []byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > consoleTail {
		f.Seek(fi.Size()-consoleTail, io.SeekStart)
	}
	return io.ReadAll(io.LimitReader(f, consoleTail))
}

// preferContext returns the caller's context error when the context ended
// during a call that then failed: a deadline the caller set is not a failure of
// QEMU (the contract's callers retry on ErrTransient but give up on their own
// deadline).
//
// The deadline is compared with the clock too: a socket deadline taken from
// the context can expire a moment before the context's own timer marks it done.
func preferContext(ctx context.Context, err error) error {
	if err == nil {
		return err
	}
	cause := ctx.Err()
	if dl, ok := ctx.Deadline(); cause == nil && ok && !time.Now().Before(dl) {
		cause = context.DeadlineExceeded
	}
	if cause == nil || errors.Is(err, cause) {
		return err
	}
	return fmt.Errorf("%w (%v)", cause, err)
}
