#!/bin/sh
# setup-qemu.sh installs what the QEMU compute driver needs (Debian/Ubuntu, as root)
# and builds the tiny test guest its tests boot: the Debian cloud kernel plus a
# busybox initramfs whose acpid powers the guest off on the ACPI power button.
# Idempotent: run it again and it only does what is missing.
#
#   scripts/setup-qemu.sh            # packages + test guest in $ECSD_QEMU_GUEST_DIR
#   ECSD_QEMU_GUEST_DIR=/some/dir scripts/setup-qemu.sh
#
# The guest lands in ${ECSD_QEMU_GUEST_DIR:-/var/cache/ecsd/qemu-guest}: vmlinuz and
# initramfs.cpio.gz. internal/driver/qemu's tests look there (or in
# ECSD_QEMU_GUEST_DIR) and skip the contract suite when it is absent.
set -eu

GUEST_DIR=${ECSD_QEMU_GUEST_DIR:-/var/cache/ecsd/qemu-guest}

need=""
for cmd in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils busybox:busybox-static cpio:cpio nft:nftables dnsmasq:dnsmasq-base ip:iproute2; do
	command -v "${cmd%%:*}" >/dev/null 2>&1 || need="$need ${cmd#*:}"
done
if [ -n "$need" ]; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils busybox-static cpio nftables dnsmasq-base iproute2
fi

# Bump GUEST_VERSION when the guest below changes: an older guest is rebuilt.
GUEST_VERSION=5
if [ -s "$GUEST_DIR/vmlinuz" ] && [ -s "$GUEST_DIR/initramfs.cpio.gz" ] &&
	[ "$(cat "$GUEST_DIR/version" 2>/dev/null)" = "$GUEST_VERSION" ]; then
	echo "test guest present in $GUEST_DIR"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The cloud kernel, unpacked from its .deb without installing it.
kpkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
apt-get download "$kpkg"
dpkg-deb -x "$kpkg"_*.deb k
kv=$(ls k/lib/modules)
mkdir -p ird/bin ird/proc ird/sys ird/dev ird/etc/acpi/PWRF ird/lib/modules ird/run ird/tmp
cp "$(command -v busybox)" ird/bin/busybox
# Modules, in load order: virtio (disks, hot-plugged disks, network), then the
# power button, which reaches busybox acpid through evdev. A module built into
# this kernel is simply absent and skipped.
: > ird/lib/modules/order
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
	net/core/failover drivers/net/net_failover drivers/net/virtio_net \
	drivers/input/evdev drivers/acpi/button; do
	f="k/lib/modules/$kv/kernel/$m.ko"
	if [ -e "$f" ]; then
		cp "$f" ird/lib/modules/
		basename "$m" >> ird/lib/modules/order
	fi
done
cat > ird/etc/acpi/PWRF/00000080 <<'EOS'
#!/bin/sh
echo ECSD-GUEST-POWEROFF > /dev/ttyS0
sync
poweroff -f
EOS
chmod +x ird/etc/acpi/PWRF/00000080
# udhcpc's hook: configure the lease (busybox gives $ip, $mask in bits, $router).
cat > ird/etc/udhcpc.sh <<'EOS'
#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; break; done
	echo "ECSD-IP $interface $ip/$mask" > /dev/ttyS0
	;;
esac
EOS
chmod +x ird/etc/udhcpc.sh
# The guest's init. What it prints on the serial console is what the tests read:
#   ECSD-GUEST-READY                 acpid runs (the power button works)
#   ECSD-IP eth0 ADDR/BITS           a DHCP lease
#   ECSD-META key=value              instance-id, hostname, openssh-key and user-data,
#                                    read from the metadata service
#   ECSD-DISKS vda vdb ...           the disks, again whenever they change (hot-plug)
# A user-data that starts with "#!" runs, its output on the console. (wget -T
# crashes the static busybox of bookworm: timeouts come from timeout(1).)
cat > ird/init <<'EOS'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /var/log /var/run /root/.ssh
for m in $(cat /lib/modules/order); do insmod "/lib/modules/$m.ko" 2>/dev/null; done
acpid
echo ECSD-GUEST-READY > /dev/ttyS0
disks() { ls /sys/block | grep '^vd' | tr '\n' ' '; }
( last=""; while true; do d=$(disks); [ "$d" != "$last" ] && echo "ECSD-DISKS $d" > /dev/ttyS0; last=$d; sleep 1; done ) &
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	udhcpc -i eth0 -s /etc/udhcpc.sh -t 20 -T 1 -A 1 -b -q >/dev/null 2>&1
	md=http://100.100.100.200/latest
	i=0
	while [ $i -lt 30 ] && ! timeout 3 wget -q -O /run/instance-id $md/meta-data/instance-id 2>/dev/null; do
		i=$((i + 1)); sleep 1
	done
	if [ -s /run/instance-id ]; then
		echo "ECSD-META instance-id=$(cat /run/instance-id)" > /dev/ttyS0
		echo "ECSD-META hostname=$(timeout 3 wget -q -O - $md/meta-data/hostname)" > /dev/ttyS0
		timeout 3 wget -q -O /root/.ssh/authorized_keys $md/meta-data/public-keys/0/openssh-key 2>/dev/null
		echo "ECSD-META openssh-key=$(cat /root/.ssh/authorized_keys 2>/dev/null)" > /dev/ttyS0
		if timeout 3 wget -q -O /run/user-data $md/user-data 2>/dev/null; then
			echo "ECSD-META user-data=$(head -c 256 /run/user-data | tr '\n' ' ')" > /dev/ttyS0
			if [ "$(head -c 2 /run/user-data)" = "#!" ]; then
				chmod +x /run/user-data
				/run/user-data > /dev/ttyS0 2>&1 &
			fi
		fi
	else
		echo "ECSD-META-UNREACHABLE" > /dev/ttyS0
	fi
fi
while true; do sleep 3600; done
EOS
chmod +x ird/init
mkdir -p "$GUEST_DIR"
(cd ird && find . | cpio -o -H newc --quiet | gzip -9) > "$GUEST_DIR/initramfs.cpio.gz.tmp"
cp k/boot/vmlinuz-* "$GUEST_DIR/vmlinuz.tmp"
mv "$GUEST_DIR/vmlinuz.tmp" "$GUEST_DIR/vmlinuz"
mv "$GUEST_DIR/initramfs.cpio.gz.tmp" "$GUEST_DIR/initramfs.cpio.gz"
echo "$GUEST_VERSION" > "$GUEST_DIR/version"
echo "test guest built in $GUEST_DIR (kernel $kv)"
