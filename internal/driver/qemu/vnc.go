package qemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ecsd/ecsd/internal/driver"
)

// The instance's screen: a VGA card whose output QEMU serves over RFB on a
// unix socket in the instance's directory (reachable by root only: the
// directory is 0700), with VNC authentication. The password lives in the
// instance's directory too, so that every boot sets it again: QEMU forgets it
// when its process ends.

// Files of the screen in an instance's directory.
const (
	vncSocket       = "vnc.sock"     // QEMU's RFB server
	vncPasswordFile = "vnc-password" // the password SetVNCPassword set last
)

// maxVNCPassword is the longest VNC password: VNC authentication's DES key
// is 8 bytes, and QEMU ignores the rest.
const maxVNCPassword = 8

var _ driver.VNCConsoler = (*Driver)(nil)

// vncArgs returns the command-line arguments of the instance's screen: a VGA
// card and an RFB server on vnc.sock that asks for a password (none is set
// until applyVNCPassword runs, and QEMU refuses everyone meanwhile).
func (d *Driver) vncArgs(spec driver.InstanceSpec) []string {
	return []string{
		"-device", "VGA",
		"-vnc", "unix:" + d.path(spec.InstanceID, vncSocket) + ",password=on",
	}
}

// VNCSocket returns the path of the socket of the running instance's screen.
func (d *Driver) VNCSocket(ctx context.Context, h driver.Handle) (_ string, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return "", err
	}
	if !d.exists(id) {
		return "", fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	if d.livePID(id) == 0 {
		return "", fmt.Errorf("%w: %s is not running", driver.ErrInvalidState, id)
	}
	path := d.path(id, vncSocket)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%w: %s has no screen (started before screens existed?): %v", driver.ErrInvalidState, id, err)
	}
	return path, nil
}

// SetVNCPassword records the password of the instance's screen and, when its
// QEMU runs, sets it there over QMP.
func (d *Driver) SetVNCPassword(ctx context.Context, h driver.Handle, password string) (err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return err
	}
	if len(password) > maxVNCPassword || strings.ContainsRune(password, 0) {
		return fmt.Errorf("%w: a VNC password is at most %d bytes, without NUL", driver.ErrInvalidArgument, maxVNCPassword)
	}
	if !d.exists(id) {
		return fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	d.vncMu.Lock()
	defer d.vncMu.Unlock()
	// The file first: a boot under way reads it after QEMU is up, so either
	// the boot sees the new password or QEMU is live below.
	if err := writeFileAtomic(d.path(id, vncPasswordFile), []byte(password)); err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	if d.livePID(id) == 0 {
		return nil
	}
	return d.setQEMUVNCPassword(ctx, id, password)
}

// applyVNCPassword sets the recorded password on the freshly launched QEMU of
// id. Without one, QEMU keeps refusing everyone.
func (d *Driver) applyVNCPassword(ctx context.Context, id string) error {
	d.vncMu.Lock()
	defer d.vncMu.Unlock()
	b, err := os.ReadFile(d.path(id, vncPasswordFile))
	if errors.Is(err, os.ErrNotExist) || err == nil && len(b) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	return d.setQEMUVNCPassword(ctx, id, string(b))
}

// setQEMUVNCPassword runs set_password on id's QEMU. An empty password
// becomes a random one nobody knows: QEMU would take an empty password as a
// key of zeros that anyone can answer with.
func (d *Driver) setQEMUVNCPassword(ctx context.Context, id, password string) error {
	if password == "" {
		var b [maxVNCPassword / 2]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("%w: %v", driver.ErrTransient, err)
		}
		password = hex.EncodeToString(b[:])
	}
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	args := map[string]string{"protocol": "vnc", "password": password}
	if _, err := c.Execute(qctx, "set_password", args); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %s: set_password: %v", driver.ErrTransient, id, err)
	}
	return nil
}
