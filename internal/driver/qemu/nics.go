package qemu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qemu/qmp"
)

// Network plugs instances' network interfaces into the host's data plane
// (netns.DriverNetwork over a *netns.Plane in ecsd). With a Network in Config,
// an instance with NICs runs inside its VPC's network namespace, one tap per
// NIC; without one, NICs are recorded but the guest has no network device.
type Network interface {
	// Plug makes nic's tap ready (idempotent) and returns the network namespace
	// QEMU must run in and the tap's name there.
	Plug(ctx context.Context, nic driver.NICSpec) (netns, tap string, err error)
	// Unplug removes nic's tap (idempotent).
	Unplug(ctx context.Context, nic driver.NICSpec) error
}

// nicsFile records, for the running QEMU of an instance, the namespace it runs
// in and where each NIC is: its tap and the PCIe bus it sits on.
const nicsFile = "nics.json"

// nicRootPorts are the pcie-root-ports secondary NICs sit on (hot-pluggable;
// the primary NIC sits on pcie.0). Disks use rp1–rp8.
var nicRootPorts = []string{"rp9", "rp10", "rp11", "rp12"}

// nicUnplugTimeout bounds the wait for a guest to release a hot-unplugged NIC.
const nicUnplugTimeout = 15 * time.Second

// nicState is the content of nicsFile.
type nicState struct {
	Netns string             `json:"netns"`
	NICs  map[string]nicPlug `json:"nics"` // by network interface ID
}

// nicPlug is one NIC of a running QEMU.
type nicPlug struct {
	Tap string `json:"tap"`
	Bus string `json:"bus,omitempty"` // "" is pcie.0
}

var qemuIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{0,60}$`)

// nicIDs returns the QEMU ids of a NIC's netdev and device.
func nicIDs(nicID string) (netdev, device string) {
	s := nicID
	if !qemuIDRE.MatchString("n-" + s) {
		h := sha256.Sum256([]byte(nicID))
		s = hex.EncodeToString(h[:8])
	}
	return "nd-" + s, "nic-" + s
}

func (d *Driver) readNICs(id string) nicState {
	var st nicState
	if b, err := os.ReadFile(d.path(id, nicsFile)); err == nil {
		json.Unmarshal(b, &st)
	}
	if st.NICs == nil {
		st.NICs = map[string]nicPlug{}
	}
	return st
}

func (d *Driver) writeNICs(id string, st nicState) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	if err := writeFileAtomic(d.path(id, nicsFile), b); err != nil {
		return fmt.Errorf("%w: %v", driver.ErrTransient, err)
	}
	return nil
}

// plugNICs plugs every NIC of spec before a boot and records where each goes;
// it returns the namespace QEMU must run in ("" without a Network or NICs).
func (d *Driver) plugNICs(ctx context.Context, spec driver.InstanceSpec) (string, error) {
	id := spec.InstanceID
	os.Remove(d.path(id, nicsFile))
	if d.cfg.Network == nil || len(spec.NICs) == 0 {
		return "", nil
	}
	if len(spec.NICs) > 1+len(nicRootPorts) {
		return "", fmt.Errorf("%w: %s has %d NICs, at most %d", driver.ErrInvalidArgument, id, len(spec.NICs), 1+len(nicRootPorts))
	}
	st := nicState{NICs: map[string]nicPlug{}}
	for i, nic := range spec.NICs {
		ns, tap, err := d.cfg.Network.Plug(ctx, nic)
		if err != nil {
			return "", fmt.Errorf("%w: plug %s of %s: %v", errKind(err), nic.NetworkInterfaceID, id, err)
		}
		if st.Netns != "" && ns != st.Netns {
			return "", fmt.Errorf("%w: the NICs of %s are in two VPCs (%s, %s)", driver.ErrInvalidArgument, id, st.Netns, ns)
		}
		st.Netns = ns
		plug := nicPlug{Tap: tap}
		if i > 0 {
			plug.Bus = nicRootPorts[i-1]
		}
		st.NICs[nic.NetworkInterfaceID] = plug
	}
	return st.Netns, d.writeNICs(id, st)
}

// errKind keeps a driver sentinel an error already wraps, else ErrTransient.
func errKind(err error) error {
	for _, s := range []error{driver.ErrInvalidArgument, driver.ErrNotFound, driver.ErrUnsupported} {
		if errors.Is(err, s) {
			return s
		}
	}
	return driver.ErrTransient
}

// nicArgs returns the network arguments of spec's QEMU: the root ports for
// hot-plugged NICs and one tap netdev with a virtio-net device per NIC, as
// plugNICs recorded them. Without a Network it returns nothing.
func (d *Driver) nicArgs(spec driver.InstanceSpec) []string {
	if d.cfg.Network == nil || len(spec.NICs) == 0 {
		return nil
	}
	st := d.readNICs(spec.InstanceID)
	var a []string
	for _, rp := range nicRootPorts {
		n := rp[len("rp"):]
		a = append(a, "-device", "pcie-root-port,id="+rp+",bus=pcie.0,chassis="+n+",slot="+n)
	}
	for _, nic := range spec.NICs {
		plug, ok := st.NICs[nic.NetworkInterfaceID]
		if !ok {
			continue
		}
		netdev, dev := nicIDs(nic.NetworkInterfaceID)
		a = append(a, "-netdev", "tap,id="+netdev+",ifname="+plug.Tap+",script=no,downscript=no")
		arg := "virtio-net-pci,netdev=" + netdev + ",id=" + dev + ",mac=" + nic.MAC
		if plug.Bus != "" {
			arg += ",bus=" + plug.Bus
		}
		a = append(a, "-device", arg)
	}
	return a
}

// AttachNIC attaches nic: on a Running instance with a Network it plugs the tap
// and hot-plugs a virtio-net device on a free root port (rp9–rp12); in every
// case it records the NIC in the instance's spec for the next boots.
func (d *Driver) AttachNIC(ctx context.Context, h driver.Handle, nic driver.NICSpec) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	if err := nic.Validate(); err != nil {
		return driver.Handle{}, err
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	spec, state, err := d.nicTarget(ctx, in, id)
	if err != nil {
		return driver.Handle{}, err
	}
	for _, n := range spec.NICs {
		sameID := n.NetworkInterfaceID == nic.NetworkInterfaceID
		sameMAC := driver.SameMAC(n.MAC, nic.MAC)
		switch {
		case sameID && sameMAC:
			return d.handle(id), nil
		case sameID:
			return driver.Handle{}, fmt.Errorf("%w: %s is attached with MAC %s", driver.ErrInvalidArgument, nic.NetworkInterfaceID, n.MAC)
		case sameMAC:
			return driver.Handle{}, fmt.Errorf("%w: MAC %s is %s's", driver.ErrInvalidArgument, nic.MAC, n.NetworkInterfaceID)
		}
	}
	if len(spec.NICs) > 0 && len(spec.NICs) >= 1+len(nicRootPorts) {
		return driver.Handle{}, fmt.Errorf("%w: %s has %d NICs, at most %d", driver.ErrInvalidArgument, id, len(spec.NICs), 1+len(nicRootPorts))
	}
	if state == driver.Running && d.cfg.Network != nil {
		if err := d.hotplugNIC(ctx, id, nic); err != nil {
			return driver.Handle{}, err
		}
	}
	spec.NICs = append(spec.NICs, nic)
	if err := d.writeSpec(spec); err != nil {
		return driver.Handle{}, err
	}
	return d.handle(id), nil
}

// DetachNIC detaches the secondary NIC nicID: on a Running instance it
// hot-unplugs the device (waiting for the guest to release it), and with a
// Network it unplugs the tap; the spec no longer lists the NIC.
func (d *Driver) DetachNIC(ctx context.Context, h driver.Handle, nicID string) (_ driver.Handle, err error) {
	defer func() { err = preferContext(ctx, err) }()
	id, err := d.begin(ctx, h)
	if err != nil {
		return driver.Handle{}, err
	}
	in := d.instance(id)
	in.mu.Lock()
	defer in.mu.Unlock()
	spec, state, err := d.nicTarget(ctx, in, id)
	if err != nil {
		return driver.Handle{}, err
	}
	i := slices.IndexFunc(spec.NICs, func(n driver.NICSpec) bool { return n.NetworkInterfaceID == nicID })
	switch {
	case i < 0:
		return d.handle(id), nil
	case i == 0:
		return driver.Handle{}, fmt.Errorf("%w: %s is the primary NIC of %s", driver.ErrInvalidArgument, nicID, id)
	}
	nic := spec.NICs[i]
	if d.cfg.Network != nil {
		st := d.readNICs(id)
		if _, plugged := st.NICs[nicID]; plugged && state == driver.Running {
			if err := d.hotunplugNIC(ctx, id, nicID); err != nil {
				return driver.Handle{}, err
			}
			delete(st.NICs, nicID)
			if err := d.writeNICs(id, st); err != nil {
				return driver.Handle{}, err
			}
		}
		if err := d.cfg.Network.Unplug(ctx, nic); err != nil {
			return driver.Handle{}, fmt.Errorf("%w: unplug %s: %v", errKind(err), nicID, err)
		}
	}
	spec.NICs = slices.Delete(spec.NICs, i, i+1)
	if err := d.writeSpec(spec); err != nil {
		return driver.Handle{}, err
	}
	return d.handle(id), nil
}

// nicTarget returns the spec and power state of instance id for a NIC change:
// ErrInvalidState while an operation runs, ErrNotFound when it is gone.
// Callers hold in.mu.
func (d *Driver) nicTarget(ctx context.Context, in *instance, id string) (driver.InstanceSpec, driver.PowerState, error) {
	if in.op != nil {
		return driver.InstanceSpec{}, "", fmt.Errorf("%w: an operation is under way on %s", driver.ErrInvalidState, id)
	}
	state, err := d.observe(ctx, id)
	if err != nil {
		return driver.InstanceSpec{}, "", err
	}
	if state == driver.Missing {
		return driver.InstanceSpec{}, "", fmt.Errorf("%w: %s", driver.ErrNotFound, id)
	}
	spec, err := d.readSpec(id)
	return spec, state, err
}

// hotplugNIC plugs nic's tap and adds its device to id's running QEMU on a
// free root port. A QEMU started without a namespace (no NICs at boot) or in
// another VPC's cannot open the tap: ErrUnsupported.
func (d *Driver) hotplugNIC(ctx context.Context, id string, nic driver.NICSpec) error {
	st := d.readNICs(id)
	if st.Netns == "" {
		return fmt.Errorf("%w: %s booted without a network namespace; attach the NIC while it is stopped", driver.ErrUnsupported, id)
	}
	bus := ""
	for _, rp := range nicRootPorts {
		taken := false
		for _, p := range st.NICs {
			taken = taken || p.Bus == rp
		}
		if !taken {
			bus = rp
			break
		}
	}
	if bus == "" {
		return fmt.Errorf("%w: no free root port for another NIC on %s", driver.ErrInvalidArgument, id)
	}
	ns, tap, err := d.cfg.Network.Plug(ctx, nic)
	if err != nil {
		return fmt.Errorf("%w: plug %s: %v", errKind(err), nic.NetworkInterfaceID, err)
	}
	if ns != st.Netns {
		d.cfg.Network.Unplug(ctx, nic)
		return fmt.Errorf("%w: %s runs in %s, NIC %s is in %s", driver.ErrInvalidArgument, id, st.Netns, nic.NetworkInterfaceID, ns)
	}
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	netdev, dev := nicIDs(nic.NetworkInterfaceID)
	_, err = c.Execute(qctx, "netdev_add", map[string]any{
		"type": "tap", "id": netdev, "ifname": tap, "script": "no", "downscript": "no"})
	if err != nil {
		return fmt.Errorf("%w: netdev_add %s on %s: %v", driver.ErrTransient, nic.NetworkInterfaceID, id, err)
	}
	_, err = c.Execute(qctx, "device_add", map[string]any{
		"driver": "virtio-net-pci", "id": dev, "netdev": netdev, "mac": nic.MAC, "bus": bus})
	if err != nil {
		c.Execute(qctx, "netdev_del", map[string]any{"id": netdev})
		return fmt.Errorf("%w: device_add %s on %s: %v", driver.ErrTransient, nic.NetworkInterfaceID, id, err)
	}
	st.NICs[nic.NetworkInterfaceID] = nicPlug{Tap: tap, Bus: bus}
	return d.writeNICs(id, st)
}

// hotunplugNIC removes NIC nicID's device from id's running QEMU, waiting for
// the guest to release it (DEVICE_DELETED), then its netdev.
func (d *Driver) hotunplugNIC(ctx context.Context, id, nicID string) error {
	c, err := d.dial(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	netdev, dev := nicIDs(nicID)
	qctx, cancel := context.WithTimeout(ctx, d.cfg.QMPTimeout)
	_, err = c.Execute(qctx, "device_del", map[string]any{"id": dev})
	cancel()
	var qe *qmp.Error
	switch {
	case errors.As(err, &qe) && qe.Class == "DeviceNotFound":
		// gone already
	case err != nil:
		return fmt.Errorf("%w: device_del %s on %s: %v", driver.ErrTransient, nicID, id, err)
	default:
		if err := waitDeviceGone(ctx, c, dev, nicUnplugTimeout); err != nil {
			return fmt.Errorf("%s: NIC %s: %w", id, nicID, err)
		}
	}
	qctx, cancel = context.WithTimeout(ctx, d.cfg.QMPTimeout)
	defer cancel()
	if _, err := c.Execute(qctx, "netdev_del", map[string]any{"id": netdev}); err != nil && !(errors.As(err, &qe) && qe.Class == "DeviceNotFound") {
		return fmt.Errorf("%w: netdev_del %s on %s: %v", driver.ErrTransient, nicID, id, err)
	}
	return nil
}

// unplugNICs unplugs the taps of every NIC of instance id (Delete).
func (d *Driver) unplugNICs(ctx context.Context, id string) error {
	if d.cfg.Network == nil {
		return nil
	}
	spec, err := d.readSpec(id)
	if errors.Is(err, driver.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, nic := range spec.NICs {
		if err := d.cfg.Network.Unplug(ctx, nic); err != nil {
			return fmt.Errorf("%w: unplug %s of %s: %v", errKind(err), nic.NetworkInterfaceID, id, err)
		}
	}
	return nil
}

// launchCommand returns the program and arguments that start spec's QEMU:
// inside namespace ns through `ip netns exec` when ns is set.
func (d *Driver) launchCommand(ns string, args []string) (string, []string) {
	if ns == "" {
		return d.cfg.Binary, args
	}
	return "ip", append([]string{"netns", "exec", ns, d.cfg.Binary}, args...)
}
