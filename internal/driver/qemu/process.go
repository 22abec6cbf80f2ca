package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ecsd/ecsd/internal/atomicfile"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qemu/qmp"
)

// Files in an instance's directory.
const (
	specFile    = "spec.json"   // the InstanceSpec given to Create (without the password)
	intentFile  = "power"       // "running" or "stopped": what ecsd last asked for
	pidFile     = "qemu.pid"    // written by QEMU
	qmpSocket   = "qmp.sock"    // the QMP server socket
	consoleFile = "console.log" // the serial console
)

// maxSocketPath is the longest unix socket path Linux accepts (sun_path less NUL).
const maxSocketPath = 107

func (d *Driver) dir(id string) string        { return filepath.Join(d.cfg.StateDir, id) }
func (d *Driver) path(id, name string) string { return filepath.Join(d.dir(id), name) }
func (d *Driver) exists(id string) bool       { _, err := os.Stat(d.path(id, specFile)); return err == nil }
func (d *Driver) intent(id string) string {
	b, _ := os.ReadFile(d.path(id, intentFile))
	return strings.TrimSpace(string(b))
}
func (d *Driver) setIntent(id, v string) error {
	return writeFileAtomic(d.path(id, intentFile), []byte(v+"\n"))
}
func (d *Driver) nameArg(id string) string { return "guest=" + id }

// writeFileAtomic writes b to path (0600) through a temporary file and a rename.
func writeFileAtomic(path string, b []byte) error { return atomicfile.Write(path, b, 0o600) }

// Accelerator returns the -accel argument for this host: "kvm" when the kernel has
// a hardware KVM module (kvm_intel or kvm_amd) and /dev/kvm opens, else
// "tcg,tb-size=64". A /dev/kvm provided by kvm_pvm alone cannot run stock guest
// kernels, so it counts as no KVM.
func Accelerator() string {
	for _, m := range []string{"/sys/module/kvm_intel", "/sys/module/kvm_amd"} {
		if _, err := os.Stat(m); err == nil {
			if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
				f.Close()
				return "kvm"
			}
		}
	}
	return "tcg,tb-size=64"
}

// args returns QEMU's command line for spec.
func (d *Driver) args(spec driver.InstanceSpec) []string {
	id := spec.InstanceID
	a := []string{
		"-name", d.nameArg(id),
		"-machine", "q35",
		"-accel", d.accel,
		"-nodefaults", "-no-user-config", "-display", "none",
		"-m", strconv.Itoa(spec.MemoryMiB),
		"-smp", strconv.Itoa(spec.VCPU),
		"-serial", "file:" + d.path(id, consoleFile),
		"-qmp", "unix:" + d.path(id, qmpSocket) + ",server=on,wait=off",
		"-pidfile", d.path(id, pidFile),
		"-daemonize",
		"-no-shutdown",
	}
	if strings.HasPrefix(d.accel, "kvm") {
		a = append(a, "-cpu", "host")
	}
	smbios := "type=1,manufacturer=Alibaba Cloud,product=Alibaba Cloud ECS"
	if s := spec.SerialNumber; s != "" && !strings.Contains(s, ",") {
		smbios += ",serial=" + s
		if isUUID(s) {
			a = append(a, "-uuid", s)
		}
	}
	a = append(a, "-smbios", smbios)
	a = append(a, d.vncArgs(spec)...)
	if b := spec.Boot; b.Kernel != "" {
		a = append(a, "-kernel", b.Kernel)
		if b.Initrd != "" {
			a = append(a, "-initrd", b.Initrd)
		}
		if b.Cmdline != "" {
			a = append(a, "-append", b.Cmdline)
		}
	}
	a = append(a, d.diskArgs(spec)...)
	a = append(a, d.nicArgs(spec)...)
	return a
}

// isUUID reports whether s looks like 8-4-4-4-12 hex digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// launch starts QEMU for spec; QEMU daemonizes once its devices and QMP socket
// are ready, so a nil return means the process runs.
func (d *Driver) launch(ctx context.Context, spec driver.InstanceSpec) error {
	id := spec.InstanceID
	os.Remove(d.path(id, qmpSocket))
	os.Remove(d.path(id, pidFile))
	ctx, cancel := context.WithTimeout(ctx, d.cfg.LaunchTimeout)
	defer cancel()
	ns, err := d.plugNICs(ctx, spec)
	if err != nil {
		return err
	}
	bin, args := d.launchCommand(ns, d.args(spec))
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = d.dir(id)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: start qemu for %s: %v: %s", driver.ErrTransient, id, err, strings.TrimSpace(stderr.String()))
	}
	if d.livePID(id) == 0 {
		return fmt.Errorf("%w: qemu for %s exited at once: %s", driver.ErrTransient, id, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// livePID returns the pid of instance id's QEMU when its pidfile names a live
// process whose command line is this instance's, else 0.
func (d *Driver) livePID(id string) int {
	b, err := os.ReadFile(d.path(id, pidFile))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	if !alive(pid) {
		return 0
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return 0
	}
	args := strings.Split(string(cmdline), "\x00")
	var name, qmpArg bool
	for _, a := range args {
		name = name || a == d.nameArg(id)
		qmpArg = qmpArg || strings.Contains(a, d.path(id, qmpSocket))
	}
	if !name || !qmpArg {
		return 0 // the pid was reused by another process
	}
	return pid
}

// alive reports whether pid is a process that has not exited (zombies count as
// exited: QEMU daemonizes, so its parent may be an init that never reaps).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z' && stat[i+2] != 'X'
	}
	return true
}

// dial opens a QMP connection to instance id's QEMU.
func (d *Driver) dial(ctx context.Context, id string) (*qmp.Conn, error) {
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	c, err := qmp.Dial(qctx, d.path(id, qmpSocket))
	if err != nil {
		if ctx.Err() != nil { // the caller's context ended, not QEMU's fault
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
	}
	return c, nil
}

// status returns QEMU's run state for instance id ("running", "shutdown" …).
func (d *Driver) status(ctx context.Context, id string) (string, error) {
	c, err := d.dial(ctx, id)
	if err != nil {
		return "", err
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	st, err := c.QueryStatus(qctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
	}
	return st.Status, nil
}

// terminate ends instance id's QEMU: QMP quit, then SIGKILL when it has not exited
// after a few seconds. It returns once the process is gone.
func (d *Driver) terminate(id string) error {
	pid := d.livePID(id)
	if pid == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.QMPTimeout)
	if c, err := d.dial(ctx, id); err == nil {
		c.Execute(ctx, "quit", nil) // the reply may be lost when QEMU exits first
		c.Close()
	}
	cancel()
	if waitExit(pid, 3*time.Second) {
		return nil
	}
	syscall.Kill(pid, syscall.SIGKILL)
	if waitExit(pid, 10*time.Second) {
		return nil
	}
	return fmt.Errorf("%w: qemu pid %d of %s does not exit", driver.ErrTransient, pid, id)
}

// waitExit polls until pid has exited or limit has passed.
func waitExit(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		if !alive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
