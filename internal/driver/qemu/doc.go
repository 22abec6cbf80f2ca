// Package qemu is the compute driver that runs every instance as a QEMU process
// (qemu-system-x86_64, machine q35), one per instance, daemonized so instances
// outlive ecsd: a restarted ecsd finds them again by the pidfile and QMP socket in
// the instance's directory (<state-dir>/<instance-id>/) and never starts a second
// copy.
//
// Power operations map to QMP: Start launches QEMU and returns once query-status
// says running; a graceful Stop sends system_powerdown (again every second, since a
// guest still booting ignores it) until the guest powers off, else ErrTimeout; a
// forced Stop sends quit (SIGKILL when QEMU does not exit); Reboot is a graceful
// power-off followed by system_reset + cont in the same process (QEMU runs with
// -no-shutdown), or system_reset alone when forced. A QEMU process that exited
// without being asked is Crashed (the instance directory records the power state
// ecsd asked for).
//
// With Config.Network set, an instance's NICs are taps in its VPC's network
// namespace (internal/dataplane/netns) and QEMU runs inside that namespace, one
// virtio-net device per NIC; secondary NICs sit on hot-pluggable root ports
// (rp9–rp12) so NICAttacher works on running instances.
//
// The accelerator is KVM only when the host really has it (kvm_intel or kvm_amd);
// elsewhere, including hosts whose /dev/kvm is the PVM software hypervisor, it is
// TCG with a 64 MiB translation cache. See docs/drivers.md.
package qemu
