#!/bin/sh
# build-debian-image.sh builds a Debian 12 (bookworm) cloud-init image for the
# QEMU driver, from Debian's archive only (deb.debian.org through apt), as root.
#
#   scripts/build-debian-image.sh [OUT_DIR]     # default /var/cache/ecsd/debian-bookworm
#
# OUT_DIR receives:
#   disk.qcow2   the root file system: ext4 without a partition table (/dev/vda),
#                2 GiB virtual; cloud-init grows it to the system disk's size
#   vmlinuz      the Debian cloud kernel (linux-image-cloud-amd64) of the image
#   initrd.img   its initramfs (initramfs-tools, MODULES=most)
#   cmdline      the kernel command line to boot it with
#   version      the recipe version below; written last
#
# Idempotent and cached: when OUT_DIR holds all of these and the version file
# says IMAGE_VERSION, it does nothing. Bump IMAGE_VERSION when the recipe
# changes, and an older image is rebuilt. ECSD_KEEP_ROOTFS=1 keeps the
# unpacked root file system next to OUT_DIR (for inspection);
# ECSD_IMAGE_COMPRESS=1 writes a zstd-compressed disk.qcow2 (about a third of
# the size, for caching or shipping; QEMU reads it as is).
#
# What is in the image (docs/images.md says why):
#   debootstrap --variant=minbase bookworm, plus systemd-sysv, udev, the cloud
#   kernel, systemd-networkd with DHCP on every NIC (en*, eth*), systemd-resolved,
#   openssh-server, dbus (ACPI power-off), qemu-guest-agent, sudo and cloud-init.
#   cloud-init reads the AliYun datasource first (it recognises the DMI product
#   name "Alibaba Cloud ECS", which the driver sets) from http://100.100.100.200,
#   NoCloud (a CIDATA seed) second, None last; it manages /etc/hosts, puts the
#   key pair on the default user "debian" (passwordless sudo), and skips the
#   modules that need the Internet or are of no use here (apt, ntp, locale, ...).
set -eu

IMAGE_VERSION=5
OUT_DIR=${1:-/var/cache/ecsd/debian-bookworm}
MIRROR=${ECSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${ECSD_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
CMDLINE="console=ttyS0 root=/dev/vda rw"
DISK_SIZE=2G

if [ "$(id -u)" != 0 ]; then
	echo "build-debian-image.sh: must run as root (debootstrap, chroot, mounts)" >&2
	exit 1
fi
if [ -s "$OUT_DIR/disk.qcow2" ] && [ -s "$OUT_DIR/vmlinuz" ] && [ -s "$OUT_DIR/initrd.img" ] &&
	[ -s "$OUT_DIR/cmdline" ] && [ "$(cat "$OUT_DIR/version" 2>/dev/null)" = "$IMAGE_VERSION" ]; then
	echo "Debian image present in $OUT_DIR (version $IMAGE_VERSION)"
	exit 0
fi

need=""
for cmd in debootstrap:debootstrap qemu-img:qemu-utils mkfs.ext4:e2fsprogs; do
	command -v "${cmd%%:*}" >/dev/null 2>&1 || need="$need ${cmd#*:}"
done
if [ -n "$need" ]; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $need
fi

start=$(date +%s)
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
# The work directory sits next to OUT_DIR (same file system, so the final
# renames are atomic) and is removed on exit once nothing is mounted in it.
work=$(mktemp -d "$OUT_DIR.build.XXXXXX")
root="$work/rootfs"
unmount() {
	for m in "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"; do
		if mountpoint -q "$m" 2>/dev/null; then umount "$m" || umount -l "$m"; fi
	done
}
cleanup() {
	unmount
	if grep -q " $work" /proc/mounts; then
		echo "build-debian-image.sh: $work still has mounts; not removing it" >&2
		return
	fi
	if [ "${ECSD_KEEP_ROOTFS:-}" = 1 ] && [ -d "$root" ]; then
		rm -rf "$OUT_DIR.rootfs"
		mv "$root" "$OUT_DIR.rootfs"
		echo "root file system kept in $OUT_DIR.rootfs"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

step() { echo "== $(($(date +%s) - start))s: $*"; }

step "debootstrap minbase bookworm"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
# No daemon starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# A private /dev (tmpfs with the few nodes apt and the maintainer scripts
# use), never a bind mount of the host's: removing the work directory then
# cannot remove host device nodes.
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t tmpfs -o mode=755,size=1M devtmpfs "$root/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	mknod -m 666 "$root/dev/${n%%:*}" c "$(echo "$n" | cut -d: -f2)" "${n##*:}"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"

# The root file system, written before the kernel is installed: the
# initramfs then carries fsck.ext4 and checks the root before mounting it.
# initramfs-tools cannot probe /dev/vda in the chroot, so it is told the type.
echo "/dev/vda / ext4 defaults,errors=remount-ro 0 1" >"$root/etc/fstab"
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo FSTYPE=ext4 >"$root/etc/initramfs-tools/conf.d/ecsd-rootfs"

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

step "apt-get install (kernel, systemd, ssh, cloud-init, ...)"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; exit 1; }
in_root apt-get install -y -q --no-install-recommends \
	systemd-sysv udev linux-image-cloud-amd64 initramfs-tools \
	iproute2 netbase systemd-resolved openssh-server dbus qemu-guest-agent \
	cloud-init sudo ca-certificates less >>"$work/apt.log" 2>&1 ||
	{ tail -n 30 "$work/apt.log" >&2; exit 1; }
in_root apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/*
unmount

step "configure"
echo localhost >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
echo 'LANG=C.UTF-8' >"$root/etc/default/locale"
# udev would load KVM for the virtual CPU's svm/vmx flag, which costs seconds
# under TCG and is of no use there; "modprobe kvm_amd" still loads it.
printf 'blacklist kvm_amd\nblacklist kvm_intel\n' >"$root/etc/modprobe.d/ecsd-no-kvm.conf"
# DHCP on every NIC, whatever its name; boot waits for one of them, not all.
cat >"$root/etc/systemd/network/80-dhcp.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=ipv4
EOF
mkdir -p "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
cat >"$root/etc/systemd/system/systemd-networkd-wait-online.service.d/any.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=60
EOF
chroot "$root" systemctl enable systemd-networkd systemd-resolved >/dev/null 2>&1
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
# Every instance gets its own machine ID and SSH host keys on first boot:
# cloud-init makes ed25519 and ECDSA keys (an RSA key costs ~10 s of TCG);
# should cloud-init not run, sshd makes an ed25519 key itself.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/etc/systemd/system/ssh.service.d"
cat >"$root/etc/systemd/system/ssh.service.d/host-keys.conf" <<'EOF'
[Service]
ExecStartPre=
ExecStartPre=/bin/sh -c 'ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1 || ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'
ExecStartPre=/usr/sbin/sshd -t
EOF
# e2scrub_reap cleans up LVM snapshots of e2scrub; there is no LVM here.
chroot "$root" systemctl mask e2scrub_reap.service >/dev/null 2>&1
# cloud-init: AliYun first, NoCloud as a fallback, None last.
cat >"$root/etc/cloud/cloud.cfg.d/90_ecsd.cfg" <<'EOF'
# ecsd (scripts/build-debian-image.sh): an image for Alibaba Cloud ECS
# emulated by ecsd's QEMU driver. See docs/images.md.
datasource_list: [ AliYun, NoCloud, None ]
datasource:
  AliYun:
    metadata_urls: [ 'http://100.100.100.200' ]
    timeout: 5
    max_wait: 60
manage_etc_hosts: true
# networkd configures every NIC by DHCP (80-dhcp.network); cloud-init does
# not write a network configuration of its own.
network:
  config: disabled
ssh_genkeytypes: [ ed25519, ecdsa ]
# Modules that need the Internet (apt mirrors, NTP servers, snaps) or do
# nothing on this image (no partition table to grow, no locales, no grub)
# are left out: the rest of Debian's default lists, in order.
cloud_init_modules:
  - migrator
  - seed_random
  - bootcmd
  - write-files
  - resizefs
  - disk_setup
  - mounts
  - set_hostname
  - update_hostname
  - update_etc_hosts
  - ca-certs
  - users-groups
  - ssh
cloud_config_modules:
  - set-passwords
  - timezone
  - disable-ec2-metadata
  - runcmd
cloud_final_modules:
  - package-update-upgrade-install
  - write-files-deferred
  - scripts-vendor
  - scripts-per-once
  - scripts-per-boot
  - scripts-per-instance
  - scripts-user
  - ssh-authkey-fingerprints
  - keys-to-console
  - phone-home
  - final-message
  - power-state-change
EOF
# Nothing of the build host or the build stays in the image.
rm -rf "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/var/cache/debconf/*-old \
	"$root"/tmp/* "$root"/var/tmp/* "$root"/var/lib/cloud/*

step "kernel, initrd, cmdline"
kernel=$(ls "$root"/boot/vmlinuz-* | tail -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | tail -n 1)
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"
echo "$CMDLINE" >"$work/cmdline"

step "ext4 ($DISK_SIZE) and qcow2"
truncate -s "$DISK_SIZE" "$work/disk.raw"
mkfs.ext4 -q -F -L rootfs -d "$root" "$work/disk.raw"
if [ "${ECSD_IMAGE_COMPRESS:-}" = 1 ]; then
	qemu-img convert -O qcow2 -c -o compression_type=zstd "$work/disk.raw" "$work/disk.qcow2"
else
	qemu-img convert -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
fi
rm -f "$work/disk.raw"

rm -f "$OUT_DIR/version"
for f in disk.qcow2 vmlinuz initrd.img cmdline; do
	mv "$work/$f" "$OUT_DIR/$f"
done
echo "$IMAGE_VERSION" >"$OUT_DIR/version"
step "done: $OUT_DIR ($(basename "$kernel" | sed 's/^vmlinuz-//'))"
ls -l "$OUT_DIR"
