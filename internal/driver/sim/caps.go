package sim

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// maxConsole is how much serial output the sim keeps per instance.
const maxConsole = 64 << 10

// consoleLog is an instance's simulated serial output, of which ConsoleOutput shows
// the last maxConsole bytes. It lives in memory only: a recovered instance starts a
// new log.
type consoleLog struct {
	buf []byte
}

func (c *consoleLog) printf(at time.Time, format string, args ...any) {
	c.buf = fmt.Appendf(c.buf, "%s %s\n", at.UTC().Format("2006-01-02T15:04:05.000Z"), fmt.Sprintf(format, args...))
	if len(c.buf) > 2*maxConsole { // compact now and then, not on every line
		c.buf = append([]byte(nil), c.tail()...)
	}
}

// tail returns the last maxConsole bytes at most, starting at a line.
func (c *consoleLog) tail() []byte {
	n := len(c.buf) - maxConsole
	if n <= 0 {
		return c.buf
	}
	if i := bytes.IndexByte(c.buf[n:], '\n'); i >= 0 {
		n += i + 1
	}
	return c.buf[n:]
}

// change is one configuration change (attach, detach, resize): check looks at the
// instance and says whether the change is already made (done) or refused (err);
// apply makes it. Both run under d.mu.
type change struct {
	op    Op
	delay Duration
	check func(in *instance) (done bool, err error)
	apply func(in *instance, now time.Time)
}

// mutate runs c: check, faults and delay, check again (the instance may have moved
// on during the delay), apply. It returns the instance's new handle.
func (d *Driver) mutate(ctx context.Context, h driver.Handle, c change) (driver.Handle, error) {
	id, err := idOf(h)
	if err != nil {
		return driver.Handle{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	var e effect
	for pass := 0; ; pass++ {
		d.mu.Lock()
		in := d.instances[id]
		if in == nil {
			d.mu.Unlock()
			return driver.Handle{}, fmt.Errorf("sim: %s %s: %w", c.op, id, driver.ErrNotFound)
		}
		now := d.clk.Now()
		in.advance(now)
		done, err := c.check(in)
		if err == nil && !done && pass > 0 {
			c.apply(in, now)
			done = true
		}
		if err != nil || done {
			var h driver.Handle
			if err == nil {
				h, err = handleOf(in)
			}
			d.mu.Unlock()
			return h, err
		}
		e = d.effect(c.op, id, false, c.delay)
		d.mu.Unlock()
		if err := d.pause(ctx, e); err != nil {
			return driver.Handle{}, err
		}
		if e.err != nil {
			return driver.Handle{}, e.err
		}
	}
}

// settledIn returns an ErrInvalidState error unless the instance is in one of states
// with no operation under way.
func settledIn(op Op, in *instance, states ...driver.PowerState) error {
	if in.tr == nil && slices.Contains(states, in.power) {
		return nil
	}
	return invalidState(op, in)
}

// AttachDisk attaches a data disk to a Running, Stopped or Crashed instance after
// the attach delay.
func (d *Driver) AttachDisk(ctx context.Context, h driver.Handle, disk driver.DiskSpec) (driver.Handle, error) {
	if err := disk.Validate(); err != nil {
		return driver.Handle{}, err
	}
	return d.mutate(ctx, h, change{op: OpAttachDisk, delay: d.cfg.Delays.Attach,
		check: func(in *instance) (bool, error) {
			for _, x := range append([]driver.DiskSpec{in.spec.SystemDisk}, in.spec.DataDisks...) {
				switch {
				case x.DiskID == disk.DiskID && x.Device == disk.Device:
					return true, nil
				case x.DiskID == disk.DiskID:
					return false, fmt.Errorf("sim: attach disk %s to %s: already attached at %s: %w", disk.DiskID, in.spec.InstanceID, x.Device, driver.ErrInvalidArgument)
				case x.Device == disk.Device:
					return false, fmt.Errorf("sim: attach disk %s to %s: device %s is taken by %s: %w", disk.DiskID, in.spec.InstanceID, x.Device, x.DiskID, driver.ErrInvalidArgument)
				}
			}
			return false, settledIn(OpAttachDisk, in, driver.Running, driver.Stopped, driver.Crashed)
		},
		apply: func(in *instance, now time.Time) {
			in.spec.DataDisks = append(in.spec.DataDisks, disk)
			in.console.printf(now, "virtio_blk: disk %s attached as %s", disk.DiskID, disk.Device)
		},
	})
}

// DetachDisk detaches a data disk after the attach delay.
func (d *Driver) DetachDisk(ctx context.Context, h driver.Handle, diskID string) (driver.Handle, error) {
	return d.mutate(ctx, h, change{op: OpDetachDisk, delay: d.cfg.Delays.Attach,
		check: func(in *instance) (bool, error) {
			if in.spec.SystemDisk.DiskID == diskID {
				return false, fmt.Errorf("sim: detach disk %s from %s: it is the system disk: %w", diskID, in.spec.InstanceID, driver.ErrInvalidArgument)
			}
			if !slices.ContainsFunc(in.spec.DataDisks, func(x driver.DiskSpec) bool { return x.DiskID == diskID }) {
				return true, nil
			}
			return false, settledIn(OpDetachDisk, in, driver.Running, driver.Stopped, driver.Crashed)
		},
		apply: func(in *instance, now time.Time) {
			in.spec.DataDisks = slices.DeleteFunc(in.spec.DataDisks, func(x driver.DiskSpec) bool { return x.DiskID == diskID })
			in.console.printf(now, "virtio_blk: disk %s detached", diskID)
		},
	})
}

// AttachNIC attaches a network interface to a Running, Stopped or Crashed instance
// after the attach delay.
func (d *Driver) AttachNIC(ctx context.Context, h driver.Handle, nic driver.NICSpec) (driver.Handle, error) {
	if err := nic.Validate(); err != nil {
		return driver.Handle{}, err
	}
	return d.mutate(ctx, h, change{op: OpAttachNIC, delay: d.cfg.Delays.Attach,
		check: func(in *instance) (bool, error) {
			for _, x := range in.spec.NICs {
				sameID, sameMAC := x.NetworkInterfaceID == nic.NetworkInterfaceID, driver.SameMAC(x.MAC, nic.MAC)
				switch {
				case sameID && sameMAC:
					return true, nil
				case sameID || sameMAC:
					return false, fmt.Errorf("sim: attach NIC %s (%s) to %s: conflicts with NIC %s (%s): %w",
						nic.NetworkInterfaceID, nic.MAC, in.spec.InstanceID, x.NetworkInterfaceID, x.MAC, driver.ErrInvalidArgument)
				}
			}
			return false, settledIn(OpAttachNIC, in, driver.Running, driver.Stopped, driver.Crashed)
		},
		apply: func(in *instance, now time.Time) {
			nic.SecurityGroupIDs = slices.Clone(nic.SecurityGroupIDs)
			in.spec.NICs = append(in.spec.NICs, nic)
			in.console.printf(now, "virtio_net: interface %s (%s) attached", nic.NetworkInterfaceID, nic.MAC)
		},
	})
}

// DetachNIC detaches a secondary network interface after the attach delay.
func (d *Driver) DetachNIC(ctx context.Context, h driver.Handle, nicID string) (driver.Handle, error) {
	return d.mutate(ctx, h, change{op: OpDetachNIC, delay: d.cfg.Delays.Attach,
		check: func(in *instance) (bool, error) {
			i := slices.IndexFunc(in.spec.NICs, func(x driver.NICSpec) bool { return x.NetworkInterfaceID == nicID })
			switch {
			case i < 0:
				return true, nil
			case i == 0:
				return false, fmt.Errorf("sim: detach NIC %s from %s: it is the primary interface: %w", nicID, in.spec.InstanceID, driver.ErrInvalidArgument)
			}
			return false, settledIn(OpDetachNIC, in, driver.Running, driver.Stopped, driver.Crashed)
		},
		apply: func(in *instance, now time.Time) {
			in.spec.NICs = slices.DeleteFunc(in.spec.NICs, func(x driver.NICSpec) bool { return x.NetworkInterfaceID == nicID })
			in.console.printf(now, "virtio_net: interface %s detached", nicID)
		},
	})
}

// Resize changes the size of a Stopped or Crashed instance after the resize delay.
func (d *Driver) Resize(ctx context.Context, h driver.Handle, size driver.ResizeSpec) (driver.Handle, error) {
	if err := size.Validate(); err != nil {
		return driver.Handle{}, err
	}
	return d.mutate(ctx, h, change{op: OpResize, delay: d.cfg.Delays.Resize,
		check: func(in *instance) (bool, error) {
			if err := settledIn(OpResize, in, driver.Stopped, driver.Crashed); err != nil {
				return false, err
			}
			return in.spec.VCPU == size.VCPU && in.spec.MemoryMiB == size.MemoryMiB, nil
		},
		apply: func(in *instance, now time.Time) {
			in.spec.VCPU, in.spec.MemoryMiB = size.VCPU, size.MemoryMiB
			in.console.printf(now, "resized to %d vCPU, %d MiB", size.VCPU, size.MemoryMiB)
		},
	})
}

// ConsoleOutput returns the simulated serial log: one line per boot, login prompt,
// shutdown, crash and configuration change, stamped with the driver's clock.
// ConsoleOutput faults fire on every call.
func (d *Driver) ConsoleOutput(ctx context.Context, h driver.Handle) ([]byte, error) {
	id, err := idOf(h)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	e := d.effect(OpConsole, id, false, 0)
	d.mu.Unlock()
	if err := d.pause(ctx, e); err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, e.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in := d.instances[id]
	if in == nil {
		return nil, fmt.Errorf("sim: %s %s: %w", OpConsole, id, driver.ErrNotFound)
	}
	in.advance(d.clk.Now())
	return slices.Clone(in.console.tail()), nil
}
