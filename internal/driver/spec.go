package driver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
)

// InstanceSpec is everything a driver needs to define and boot one instance. The
// control plane builds it from the instance, its disks and its network interfaces;
// IDs, names and addresses are already allocated and validated against the API's
// rules. Drivers may keep it (the sim driver keeps it in its Handle), so it holds no
// secret that must not be persisted except Password, which is never serialised.
type InstanceSpec struct {
	// InstanceID is the ECS instance ID (i-…), the instance's identity in the driver:
	// Create is idempotent on it and every later call finds the instance by it.
	InstanceID string `json:"instanceId"`
	// Hostname is the guest's host name (ECS HostName); it reaches the guest through
	// the NoCloud seed and the metadata service.
	Hostname string `json:"hostname,omitempty"`
	// InstanceType is the ECS instance type (ecs.g6.large …), for logs and metadata;
	// the driver sizes the instance from VCPU and MemoryMiB, not from the name.
	InstanceType string `json:"instanceType,omitempty"`
	// VCPU is the number of virtual CPUs (at least 1).
	VCPU int `json:"vcpu"`
	// MemoryMiB is the guest memory in MiB (at least 1).
	MemoryMiB int `json:"memoryMiB"`
	// ImageID is the image the system disk was made from (m-…), for logs and
	// metadata; the system disk itself arrives as SystemDisk.Path.
	ImageID string `json:"imageId,omitempty"`
	// OSType is "linux" or "windows"; empty means linux.
	OSType string `json:"osType,omitempty"`
	// Boot selects direct kernel boot; the zero value boots the system disk through
	// the firmware.
	Boot BootSpec `json:"boot,omitzero"`
	// SystemDisk is the disk the instance boots from.
	SystemDisk DiskSpec `json:"systemDisk"`
	// DataDisks are the other disks attached at creation, in attachment order.
	DataDisks []DiskSpec `json:"dataDisks,omitempty"`
	// NICs are the network interfaces; the first one is the primary interface.
	NICs []NICSpec `json:"nics,omitempty"`
	// UserData is the instance's user data, already decoded from the API's base64
	// (at most 16 KiB); it reaches the guest through the NoCloud seed.
	UserData []byte `json:"userData,omitempty"`
	// SSHPublicKeys are authorized_keys lines (from the instance's key pair) to
	// install for the default user.
	SSHPublicKeys []string `json:"sshPublicKeys,omitempty"`
	// Password is the login password requested at creation, used only while Create
	// builds the guest seed. It is never serialised (json:"-"), so it never reaches
	// a Handle.
	Password string `json:"-"`
	// SerialNumber is the instance's serial number (a UUID, ECS SerialNumber),
	// exposed to the guest as the SMBIOS system serial and instance UUID.
	SerialNumber string `json:"serialNumber,omitempty"`
}

// BootSpec selects direct kernel boot: the image record carries a kernel, an
// initrd and a command line taken from the image's /boot.
type BootSpec struct {
	// Kernel is the host path of the kernel image; empty means firmware boot.
	Kernel string `json:"kernel,omitempty"`
	// Initrd is the host path of the initial ramdisk, if any.
	Initrd string `json:"initrd,omitempty"`
	// Cmdline is the kernel command line ("console=ttyS0 root=/dev/vda rw").
	Cmdline string `json:"cmdline,omitempty"`
}

// DiskSpec is one disk attached to an instance.
type DiskSpec struct {
	// DiskID is the ECS disk ID (d-…); drivers expose it to the guest as the disk's
	// serial, so it appears under /dev/disk/by-id.
	DiskID string `json:"diskId"`
	// Device is the ECS device name ("/dev/xvda" for the system disk, "/dev/xvdb"
	// onwards for data disks), chosen by the control plane and unique per instance.
	Device string `json:"device"`
	// SizeGiB is the disk's size in GiB (at least 1).
	SizeGiB int `json:"sizeGiB"`
	// Category is the ECS disk category (cloud, cloud_efficiency, cloud_ssd,
	// cloud_essd); drivers may map it to I/O limits.
	Category string `json:"category,omitempty"`
	// Path locates the disk's data on the host (a qcow2 file made by the volume
	// layer). Empty for drivers that keep no data, such as the sim driver.
	Path string `json:"path,omitempty"`
}

// NICSpec is one network interface of an instance.
type NICSpec struct {
	// NetworkInterfaceID is the ECS elastic network interface ID (eni-…).
	NetworkInterfaceID string `json:"networkInterfaceId"`
	// MAC is the interface's MAC address ("00:16:3e:…"), unique per instance.
	MAC string `json:"mac"`
	// PrivateIP is the primary private IPv4 address, handed out by DHCP.
	PrivateIP string `json:"privateIp,omitempty"`
	// VPCID is the VPC the interface belongs to (vpc-…); one bridge per VPC.
	VPCID string `json:"vpcId,omitempty"`
	// VSwitchID is the VSwitch the interface is on (vsw-…).
	VSwitchID string `json:"vSwitchId,omitempty"`
	// VSwitchCIDR is the VSwitch's IPv4 block ("192.168.1.0/24"): the subnet
	// DHCP hands out with PrivateIP; its gateway is nft.Gateway of it (.253 in a /24).
	VSwitchCIDR string `json:"vSwitchCidr,omitempty"`
	// SecurityGroupIDs are the security groups whose rules apply to the interface.
	SecurityGroupIDs []string `json:"securityGroupIds,omitempty"`
}

// ResizeSpec is the new size of a stopped instance (ECS ModifyInstanceSpec).
type ResizeSpec struct {
	// VCPU is the new number of virtual CPUs (at least 1).
	VCPU int `json:"vcpu"`
	// MemoryMiB is the new memory size in MiB (at least 1).
	MemoryMiB int `json:"memoryMiB"`
}

// Validate returns nil when s is complete enough for any driver, else every problem
// found, joined, each wrapping ErrInvalidArgument: an empty InstanceID, VCPU or
// MemoryMiB below 1, a disk or NIC that fails its own Validate, and disk IDs,
// device names, NIC IDs or MAC addresses used twice.
func (s InstanceSpec) Validate() error {
	var errs []error
	if s.InstanceID == "" {
		errs = append(errs, invalid("empty InstanceID"))
	}
	if err := (ResizeSpec{VCPU: s.VCPU, MemoryMiB: s.MemoryMiB}).Validate(); err != nil {
		errs = append(errs, err)
	}
	diskIDs, devices := map[string]bool{}, map[string]bool{}
	for i, d := range append([]DiskSpec{s.SystemDisk}, s.DataDisks...) {
		what := "system disk"
		if i > 0 {
			what = fmt.Sprintf("data disk %d", i)
		}
		if err := d.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
		errs = appendDup(errs, diskIDs, d.DiskID, what+": disk ID")
		errs = appendDup(errs, devices, d.Device, what+": device")
	}
	nicIDs, macs := map[string]bool{}, map[string]bool{}
	for i, n := range s.NICs {
		what := fmt.Sprintf("NIC %d", i)
		if err := n.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
		errs = appendDup(errs, nicIDs, n.NetworkInterfaceID, what+": ID")
		errs = appendDup(errs, macs, normalMAC(n.MAC), what+": MAC")
	}
	return errors.Join(errs...)
}

// Clone returns a deep copy of s, so a driver can keep it while the caller reuses
// its slices.
func (s InstanceSpec) Clone() InstanceSpec {
	s.DataDisks = slices.Clone(s.DataDisks)
	s.NICs = slices.Clone(s.NICs)
	for i := range s.NICs {
		s.NICs[i].SecurityGroupIDs = slices.Clone(s.NICs[i].SecurityGroupIDs)
	}
	s.UserData = slices.Clone(s.UserData)
	s.SSHPublicKeys = slices.Clone(s.SSHPublicKeys)
	return s
}

// Validate returns an error wrapping ErrInvalidArgument when d has no DiskID, no
// Device or a SizeGiB below 1.
func (d DiskSpec) Validate() error {
	var errs []error
	if d.DiskID == "" {
		errs = append(errs, invalid("empty DiskID"))
	}
	if d.Device == "" {
		errs = append(errs, invalid("disk %q: empty Device", d.DiskID))
	}
	if d.SizeGiB < 1 {
		errs = append(errs, invalid("disk %q: SizeGiB %d, want at least 1", d.DiskID, d.SizeGiB))
	}
	return errors.Join(errs...)
}

// Validate returns an error wrapping ErrInvalidArgument when n has no
// NetworkInterfaceID, a MAC that is not a 6-byte address, or a PrivateIP that is
// set but not an IPv4 address.
func (n NICSpec) Validate() error {
	var errs []error
	if n.NetworkInterfaceID == "" {
		errs = append(errs, invalid("empty NetworkInterfaceID"))
	}
	if hw, err := net.ParseMAC(n.MAC); err != nil || len(hw) != 6 {
		errs = append(errs, invalid("NIC %q: MAC %q is not a 6-byte MAC address", n.NetworkInterfaceID, n.MAC))
	}
	if n.PrivateIP != "" {
		if ip, err := netip.ParseAddr(n.PrivateIP); err != nil || !ip.Is4() {
			errs = append(errs, invalid("NIC %q: PrivateIP %q is not an IPv4 address", n.NetworkInterfaceID, n.PrivateIP))
		}
	}
	return errors.Join(errs...)
}

// SameMAC reports whether a and b are the same MAC address, whatever their
// spelling ("00:16:3E:…" and "00-16-3e-…" are the same).
func SameMAC(a, b string) bool { return normalMAC(a) == normalMAC(b) }

// Validate returns an error wrapping ErrInvalidArgument when VCPU or MemoryMiB is
// below 1.
func (r ResizeSpec) Validate() error {
	var errs []error
	if r.VCPU < 1 {
		errs = append(errs, invalid("VCPU %d, want at least 1", r.VCPU))
	}
	if r.MemoryMiB < 1 {
		errs = append(errs, invalid("MemoryMiB %d, want at least 1", r.MemoryMiB))
	}
	return errors.Join(errs...)
}

// normalMAC returns the canonical spelling of mac, or mac itself when it does not
// parse.
func normalMAC(mac string) string {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		return mac
	}
	return hw.String()
}

// appendDup records key in seen and appends an error when it was already there.
// Empty keys are left to the per-item validation.
func appendDup(errs []error, seen map[string]bool, key, what string) []error {
	if key == "" {
		return errs
	}
	if seen[key] {
		errs = append(errs, invalid("%s %q used twice", what, key))
	}
	seen[key] = true
	return errs
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}
