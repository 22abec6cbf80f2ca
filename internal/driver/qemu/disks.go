package qemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qcow2"
	"github.com/ecsd/ecsd/internal/driver/qemu/qmp"
)

// The disk side of the driver. Every disk is a chain of -blockdev nodes named
// after a hash of its ID (QEMU node names hold 31 bytes):
//
//	dk<12 hex>        the disk's format node (what the device uses)
//	dk<12 hex>-f      its file node
//	dk<12 hex>-b1     the first backing layer (a golden image), read-only
//	dk<12 hex>-b1-f   its file node, read-only
//	dk<12 hex>-dev    the virtio-blk-pci device
//	dk<12 hex>-t<6>   a live backup's target (and -t<6>-f, job -j<6>), per target file
//
// Backing layers are opened read-only and named explicitly, so no block job can
// write into a golden image. The system disk sits on pcie.0 (bootindex 1); data
// disks on the hot-pluggable root ports rp1…rp8 (a ninth and later cold-plugged
// data disk sits on pcie.0 and cannot be detached while the VM runs).

var (
	_ driver.DiskAttacher = (*Driver)(nil)
	_ qcow2.Live          = (*Driver)(nil)
	_ qcow2.Releaser      = (*Driver)(nil)
)

// diskPorts is the number of pcie-root-ports (rp1…rpN) for disks.
const diskPorts = 8

// unplugTimeout bounds the wait for the guest to release a hot-unplugged disk.
const unplugTimeout = 30 * time.Second

// diskNode returns the format node name of diskID.
func diskNode(diskID string) string {
	h := sha256.Sum256([]byte(diskID))
	return "dk" + hex.EncodeToString(h[:6])
}

func deviceID(diskID string) string { return diskNode(diskID) + "-dev" }

// diskSerial is the disk's virtio serial: the last 20 bytes of its ID.
func diskSerial(diskID string) string {
	if len(diskID) > 20 {
		return diskID[len(diskID)-20:]
	}
	return diskID
}

// blockdevs returns the blockdev-add arguments of disk's chain, the deepest
// backing layer first and the disk's format node last. Backing layers are
// read-only. A file whose header cannot be read (QEMU will report it) counts as
// one layer.
func blockdevs(disk driver.DiskSpec) []map[string]any {
	// The disk's own format follows its name, never its content: a guest can
	// write a qcow2 header into a raw disk, and probing it would let the guest
	// name a host file as its backing file. Backing layers are read-only files
	// the volume layer made, so their headers are trusted.
	chain := []qcow2.Layer{{Path: disk.Path, Format: "raw"}}
	if strings.HasSuffix(disk.Path, ".qcow2") {
		chain[0].Format = "qcow2"
		if c, err := qcow2.Chain(disk.Path); err == nil && c[0].Format == "qcow2" {
			chain = c
		}
	}
	top := diskNode(disk.DiskID)
	name := func(i int) string {
		if i == 0 {
			return top
		}
		return top + "-b" + strconv.Itoa(i)
	}
	var nodes []map[string]any
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		file := map[string]any{"driver": "file", "filename": l.Path, "node-name": name(i) + "-f"}
		format := map[string]any{"driver": l.Format, "file": name(i) + "-f", "node-name": name(i)}
		if i > 0 {
			file["read-only"], format["read-only"] = true, true
		} else {
			file["discard"], format["discard"] = "unmap", "unmap"
		}
		if l.Format == "qcow2" {
			if i+1 < len(chain) {
				format["backing"] = name(i + 1)
			} else {
				format["backing"] = nil
			}
		}
		nodes = append(nodes, file, format)
	}
	return nodes
}

// nodeNames returns every node name blockdevs can give diskID, the format node
// first: the order blockdev-del needs.
func nodeNames(diskID string) []string {
	top := diskNode(diskID)
	names := []string{top, top + "-f"}
	for i := 1; i < 16; i++ {
		b := top + "-b" + strconv.Itoa(i)
		names = append(names, b, b+"-f")
	}
	return names
}

// deviceArgs returns the virtio-blk-pci device of disk on bus.
func deviceArgs(disk driver.DiskSpec, bus string, boot bool) map[string]any {
	dev := map[string]any{"driver": "virtio-blk-pci", "drive": diskNode(disk.DiskID), "id": deviceID(disk.DiskID),
		"serial": diskSerial(disk.DiskID), "bus": bus}
	if boot {
		dev["bootindex"] = 1
	}
	return dev
}

// diskArgs returns QEMU's disk arguments for spec: the root ports rp1…rp8, then
// each disk's -blockdev chain and device. Disks without a path are left out.
func (d *Driver) diskArgs(spec driver.InstanceSpec) []string {
	var a []string
	for i := 1; i <= diskPorts; i++ {
		a = append(a, "-device", fmt.Sprintf("pcie-root-port,id=rp%d,bus=pcie.0,chassis=%d,slot=%d", i, i, i))
	}
	port := 0
	for i, disk := range append([]driver.DiskSpec{spec.SystemDisk}, spec.DataDisks...) {
		if disk.Path == "" {
			continue
		}
		for _, n := range blockdevs(disk) {
			a = append(a, "-blockdev", mustJSON(n))
		}
		bus := "pcie.0"
		if i > 0 && port < diskPorts {
			port++
			bus = "rp" + strconv.Itoa(port)
		}
		a = append(a, "-device", mustJSON(deviceArgs(disk, bus, i == 0)))
	}
	return a
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings, numbers and bools always encode
	}
	return string(b)
}

// AttachDisk attaches a data disk: on a Running instance it hot-plugs the disk
// (blockdev-add of its chain, then device_add on a free root port) before it
// records the disk in the instance's spec; on a Stopped or Crashed instance it
// only records it, for the next boot. Attaching an attached disk at the same
// device succeeds (and plugs it again if the VM lost it); a disk ID attached at
// another device, or a device taken, is ErrInvalidArgument; an operation under
// way is ErrInvalidState; a Running instance with eight hot-plugged disks is
// ErrUnsupported.
func (d *Driver) AttachDisk(ctx context.Context, h driver.Handle, disk driver.DiskSpec) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	if err := disk.Validate(); err != nil {
		return driver.Handle{}, err
	}
	if disk.Path != "" && !filepath.IsAbs(disk.Path) {
		return driver.Handle{}, fmt.Errorf("%w: path %q is not absolute", driver.ErrInvalidArgument, disk.Path)
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.op != nil {
		return driver.Handle{}, fmt.Errorf("%w: %s is starting or stopping", driver.ErrInvalidState, id)
	}
	spec, err := d.readSpec(id)
	if err != nil {
		return driver.Handle{}, err
	}
	attached := false
	for i, x := range append([]driver.DiskSpec{spec.SystemDisk}, spec.DataDisks...) {
		switch {
		case x.DiskID == disk.DiskID && x.Device != disk.Device:
			return driver.Handle{}, fmt.Errorf("%w: disk %s is attached at %s", driver.ErrInvalidArgument, x.DiskID, x.Device)
		case x.DiskID == disk.DiskID:
			if i == 0 {
				return d.handle(id), nil // the system disk, at its device
			}
			attached, disk = true, x
		case x.Device == disk.Device:
			return driver.Handle{}, fmt.Errorf("%w: device %s is taken by disk %s", driver.ErrInvalidArgument, x.Device, x.DiskID)
		}
	}
	state, err := d.observe(ctx, id)
	if err != nil {
		return driver.Handle{}, err
	}
	if state == driver.Running && disk.Path != "" {
		if _, err := os.Stat(disk.Path); err != nil {
			return driver.Handle{}, fmt.Errorf("%w: disk %s: %v", driver.ErrInvalidArgument, disk.DiskID, err)
		}
		if err := d.hotPlug(ctx, id, disk); err != nil {
			return driver.Handle{}, err
		}
	}
	if !attached {
		spec.DataDisks = append(spec.DataDisks, disk)
		if err := d.writeSpec(spec); err != nil {
			return driver.Handle{}, err
		}
	}
	return d.handle(id), nil
}

// DetachDisk detaches a data disk: on a Running instance it unplugs it
// (device_del, then waits for DEVICE_DELETED, then blockdev-del) before it removes
// the disk from the spec; on a Stopped or Crashed instance it only removes it.
// Detaching a disk that is not attached succeeds; the system disk is
// ErrInvalidArgument; a guest that does not release the disk within 30 s is
// ErrTransient (the disk stays attached; a retry waits again).
func (d *Driver) DetachDisk(ctx context.Context, h driver.Handle, diskID string) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.op != nil {
		return driver.Handle{}, fmt.Errorf("%w: %s is starting or stopping", driver.ErrInvalidState, id)
	}
	spec, err := d.readSpec(id)
	if err != nil {
		return driver.Handle{}, err
	}
	if diskID == spec.SystemDisk.DiskID {
		return driver.Handle{}, fmt.Errorf("%w: %s is the system disk", driver.ErrInvalidArgument, diskID)
	}
	state, err := d.observe(ctx, id)
	if err != nil {
		return driver.Handle{}, err
	}
	if state == driver.Running {
		// Also when the spec no longer lists it: a crash between the unplug
		// and the spec's update leaves nothing behind.
		if err := d.hotUnplug(ctx, id, diskID); err != nil {
			return driver.Handle{}, err
		}
	}
	for i, x := range spec.DataDisks {
		if x.DiskID == diskID {
			spec.DataDisks = append(spec.DataDisks[:i:i], spec.DataDisks[i+1:]...)
			if err := d.writeSpec(spec); err != nil {
				return driver.Handle{}, err
			}
			break
		}
	}
	return d.handle(id), nil
}

// writeSpec replaces the instance's spec file.
func (d *Driver) writeSpec(spec driver.InstanceSpec) error {
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("%w: %v", driver.ErrInvalidArgument, err)
	}
	if err := writeFileAtomic(d.path(spec.InstanceID, specFile), b); err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	return nil
}

// qmpError wraps a failed QMP command of instance id.
func qmpError(ctx context.Context, id string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: %s: %v", driver.ErrTransient, id, err)
}

// peripherals returns the bus of every device with an ID (-device id=… or
// device_add), by ID ("/machine/peripheral/rp1/rp1" for a device on rp1).
func peripherals(ctx context.Context, c *qmp.Conn) (map[string]string, error) {
	var props []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if err := c.Run(ctx, "qom-list", map[string]any{"path": "/machine/peripheral"}, &props); err != nil {
		return nil, err
	}
	buses := map[string]string{}
	for _, p := range props {
		if !strings.HasPrefix(p.Type, "child<") {
			continue
		}
		var bus string
		err := c.Run(ctx, "qom-get", map[string]any{"path": "/machine/peripheral/" + p.Name, "property": "parent_bus"}, &bus)
		if err != nil {
			continue // removed meanwhile
		}
		buses[p.Name] = bus
	}
	return buses, nil
}

// blockNodes returns the names of QEMU's block nodes with their virtual sizes.
func blockNodes(ctx context.Context, c *qmp.Conn) (map[string]int64, error) {
	var nodes []struct {
		NodeName string `json:"node-name"`
		Image    struct {
			VirtualSize int64 `json:"virtual-size"`
		} `json:"image"`
	}
	if err := c.Run(ctx, "query-named-block-nodes", map[string]any{"flat": true}, &nodes); err != nil {
		return nil, err
	}
	names := map[string]int64{}
	for _, n := range nodes {
		names[n.NodeName] = n.Image.VirtualSize
	}
	return names, nil
}

// hotPlug plugs disk into instance id's running QEMU unless its device is there.
func (d *Driver) hotPlug(ctx context.Context, id string, disk driver.DiskSpec) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	devs, err := peripherals(ctx, c)
	if err != nil {
		return qmpError(ctx, id, err)
	}
	if _, ok := devs[deviceID(disk.DiskID)]; ok {
		return nil
	}
	used := map[string]bool{}
	for _, bus := range devs {
		used[filepath.Base(bus)] = true
	}
	port := ""
	for i := 1; i <= diskPorts && port == ""; i++ {
		if p := "rp" + strconv.Itoa(i); !used[p] {
			port = p
		}
	}
	if port == "" {
		return fmt.Errorf("%w: %s has no free hot-plug port (%d data disks plugged)", driver.ErrUnsupported, id, diskPorts)
	}
	nodes, err := blockNodes(ctx, c)
	if err != nil {
		return qmpError(ctx, id, err)
	}
	for _, n := range blockdevs(disk) {
		if _, ok := nodes[n["node-name"].(string)]; ok {
			continue // left by an earlier attempt
		}
		if _, err := c.Execute(ctx, "blockdev-add", n); err != nil {
			d.dropNodes(ctx, c, disk.DiskID)
			return qmpError(ctx, id, fmt.Errorf("blockdev-add %s: %w", disk.Path, err))
		}
	}
	if _, err := c.Execute(ctx, "device_add", deviceArgs(disk, port, false)); err != nil {
		d.dropNodes(ctx, c, disk.DiskID)
		return qmpError(ctx, id, err)
	}
	return nil
}

// hotUnplug unplugs diskID from instance id's running QEMU: device_del, the
// guest's DEVICE_DELETED, then blockdev-del of the disk's nodes.
func (d *Driver) hotUnplug(ctx context.Context, id, diskID string) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	dev := deviceID(diskID)
	devs, err := peripherals(ctx, c)
	if err != nil {
		return qmpError(ctx, id, err)
	}
	if bus, ok := devs[dev]; ok {
		if strings.HasSuffix(bus, "/pcie.0") {
			return fmt.Errorf("%w: disk %s of %s is on pcie.0, which has no hot-unplug; detach it while stopped",
				driver.ErrUnsupported, diskID, id)
		}
		if _, err := c.Execute(ctx, "device_del", map[string]any{"id": dev}); err != nil &&
			!strings.Contains(err.Error(), "in the process of unplug") {
			return qmpError(ctx, id, err)
		}
		if err := waitDeviceGone(ctx, c, dev, unplugTimeout); err != nil {
			return qmpError(ctx, id, err)
		}
	}
	return d.dropNodes(ctx, c, diskID)
}

// waitDeviceGone waits up to limit for the guest to release device dev (a disk
// or a NIC): for its DEVICE_DELETED event, looking at the devices every half
// second too (an event sent before this connection existed is lost). It presses
// the eject request again every 2 s: a guest still booting misses the ACPI
// event of the first device_del, and the kernel acts on a later one. A guest
// that keeps the device is ErrTimeout; a QMP connection that ends, ErrTransient.
func waitDeviceGone(ctx context.Context, c *qmp.Conn, dev string, limit time.Duration) error {
	timeout := time.NewTimer(limit)
	defer timeout.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				return fmt.Errorf("%w: %w while waiting for %s to go", driver.ErrTransient, qmp.ErrClosed, dev)
			}
			var data struct {
				Device string `json:"device"`
			}
			if ev.Name == "DEVICE_DELETED" && json.Unmarshal(ev.Data, &data) == nil && data.Device == dev {
				return nil
			}
		case <-tick.C:
			devs, err := peripherals(ctx, c)
			if err != nil {
				return err
			}
			if _, ok := devs[dev]; !ok {
				return nil
			}
			if n%4 == 0 {
				c.Execute(ctx, "device_del", map[string]any{"id": dev})
			}
		case <-timeout.C:
			return fmt.Errorf("%w: the guest did not release %s within %s", driver.ErrTimeout, dev, limit)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// dropNodes deletes diskID's block nodes that exist, the format node first.
// A node still in use after 5 s is an error.
func (d *Driver) dropNodes(ctx context.Context, c *qmp.Conn, diskID string) error {
	nodes, err := blockNodes(ctx, c)
	if err != nil {
		return err
	}
	for _, n := range nodeNames(diskID) {
		if _, ok := nodes[n]; !ok {
			continue
		}
		// The device may release its block backend a moment after it left the
		// device tree (QEMU finalizes it later): "in use" is retried briefly.
		for try := 0; ; try++ {
			_, err := c.Execute(ctx, "blockdev-del", map[string]any{"node-name": n})
			if err == nil {
				break
			}
			if !strings.Contains(err.Error(), "is in use") || try == 100 {
				return fmt.Errorf("blockdev-del %s: %w", n, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// instancesWith returns the instances whose spec has diskID with a path and
// whose QEMU process runs.
func (d *Driver) instancesWith(diskID string) []string {
	entries, err := os.ReadDir(d.cfg.StateDir)
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range entries {
		if !e.IsDir() || checkID(e.Name()) != nil {
			continue
		}
		spec, err := d.readSpec(e.Name())
		if err != nil {
			continue
		}
		for _, x := range append([]driver.DiskSpec{spec.SystemDisk}, spec.DataDisks...) {
			if x.DiskID == diskID && x.Path != "" && d.livePID(e.Name()) != 0 {
				ids = append(ids, e.Name())
				break
			}
		}
	}
	return ids
}

// runningWith returns an instance whose spec has diskID and whose QEMU runs, or
// "" when there is none.
func (d *Driver) runningWith(diskID string) string {
	if ids := d.instancesWith(diskID); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// ReleaseDisk ends the QEMU process of every Stopped instance that still holds
// diskID open: a guest that powered itself off leaves its QEMU in state
// "shutdown" (-no-shutdown), with its disks locked, until the next Start or
// Stop. Running instances, and instances with an operation under way, are left
// alone. The qcow2 store calls it before it replaces or deletes a disk it finds
// in use.
func (d *Driver) ReleaseDisk(ctx context.Context, diskID string) error {
	for _, id := range d.instancesWith(diskID) {
		in := d.instance(id)
		in.mu.Lock()
		var err error
		if in.op == nil {
			var state driver.PowerState
			if state, err = d.observe(ctx, id); err == nil && state == driver.Stopped {
				err = d.powerOff(id)
			}
		}
		in.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// liveConn returns a QMP connection to the running QEMU that has diskID's node,
// or nil when there is none.
func (d *Driver) liveConn(ctx context.Context, diskID string) (*qmp.Conn, string, int64, error) {
	id := d.runningWith(diskID)
	if id == "" {
		return nil, "", 0, nil
	}
	c, err := d.dial(ctx, id)
	if err != nil {
		if d.livePID(id) == 0 {
			return nil, "", 0, nil // it exited meanwhile
		}
		return nil, "", 0, err
	}
	nodes, err := blockNodes(ctx, c)
	if err != nil {
		c.Close()
		return nil, "", 0, qmpError(ctx, id, err)
	}
	size, ok := nodes[diskNode(diskID)]
	if !ok {
		c.Close()
		return nil, "", 0, nil
	}
	return c, id, size, nil
}

// ResizeDisk grows diskID to bytes with block_resize in the running VM that has
// it; live is false when none has it. It never shrinks (the store checks first).
func (d *Driver) ResizeDisk(ctx context.Context, diskID string, bytes int64) (live bool, err error) {
	c, id, _, err := d.liveConn(ctx, diskID)
	if err != nil || c == nil {
		return false, err
	}
	defer c.Close()
	if _, err := c.Execute(ctx, "block_resize", map[string]any{"node-name": diskNode(diskID), "size": bytes}); err != nil {
		return true, qmpError(ctx, id, err)
	}
	return true, nil
}

// BackupDisk writes a crash-consistent standalone qcow2 copy of diskID to target
// while the VM that has it runs: qemu-img creates target, blockdev-add opens it,
// blockdev-backup sync=full copies the disk's whole chain as it was when the job
// started (later guest writes copy the old data out first), and the call returns
// after BLOCK_JOB_COMPLETED and blockdev-del. live is false, and nothing is
// written, when no running VM has the disk.
func (d *Driver) BackupDisk(ctx context.Context, diskID, target string) (live bool, err error) {
	c, id, size, err := d.liveConn(ctx, diskID)
	if err != nil || c == nil {
		return false, err
	}
	defer c.Close()
	top := diskNode(diskID)
	// Names per target, so that two backups of one disk never meet.
	th := sha256.Sum256([]byte(target))
	tag := hex.EncodeToString(th[:3])
	job, tnode, tfile := top+"-j"+tag, top+"-t"+tag, top+"-t"+tag+"-f"
	// Leftovers of an interrupted backup to the same target: its job and nodes.
	c.Execute(ctx, "block-job-cancel", map[string]any{"device": job, "force": true})
	waitJobGone(ctx, c, job)
	c.Execute(ctx, "blockdev-del", map[string]any{"node-name": tnode})
	c.Execute(ctx, "blockdev-del", map[string]any{"node-name": tfile})

	if out, err := exec.CommandContext(ctx, d.cfg.QemuImg, "create", "-q", "-f", "qcow2", target,
		strconv.FormatInt(size, 10)).CombinedOutput(); err != nil {
		return true, fmt.Errorf("%w: qemu-img create %s: %v: %s", driver.ErrTransient, target, err, strings.TrimSpace(string(out)))
	}
	if _, err := c.Execute(ctx, "blockdev-add", map[string]any{"driver": "file", "filename": target, "node-name": tfile}); err != nil {
		return true, qmpError(ctx, id, err)
	}
	defer c.Execute(context.Background(), "blockdev-del", map[string]any{"node-name": tfile})
	if _, err := c.Execute(ctx, "blockdev-add", map[string]any{"driver": "qcow2", "file": tfile, "node-name": tnode, "backing": nil}); err != nil {
		return true, qmpError(ctx, id, err)
	}
	defer c.Execute(context.Background(), "blockdev-del", map[string]any{"node-name": tnode})
	if _, err := c.Execute(ctx, "blockdev-backup", map[string]any{"job-id": job, "device": top, "target": tnode, "sync": "full"}); err != nil {
		return true, qmpError(ctx, id, err)
	}
	if err := waitJob(ctx, c, job); err != nil {
		if ctx.Err() != nil {
			c.Execute(context.Background(), "block-job-cancel", map[string]any{"device": job, "force": true})
			waitJobGone(context.Background(), c, job)
		}
		return true, qmpError(ctx, id, err)
	}
	return true, nil
}

// waitJob waits for the block job's BLOCK_JOB_COMPLETED event and returns its
// error, if any.
func waitJob(ctx context.Context, c *qmp.Conn, job string) error {
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				return qmp.ErrClosed
			}
			var data struct {
				Device string `json:"device"`
				Error  string `json:"error"`
			}
			if json.Unmarshal(ev.Data, &data) != nil || data.Device != job {
				continue
			}
			switch ev.Name {
			case "BLOCK_JOB_COMPLETED":
				if data.Error != "" {
					return errors.New("block job " + job + ": " + data.Error)
				}
				return nil
			case "BLOCK_JOB_CANCELLED":
				return errors.New("block job " + job + " was cancelled")
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitJobGone waits (up to 10 s) until query-block-jobs no longer lists job.
func waitJobGone(ctx context.Context, c *qmp.Conn, job string) {
	for range 200 {
		var jobs []struct {
			Device string `json:"device"`
		}
		if err := c.Run(ctx, "query-block-jobs", nil, &jobs); err != nil {
			return
		}
		found := false
		for _, j := range jobs {
			found = found || j.Device == job
		}
		if !found {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}
