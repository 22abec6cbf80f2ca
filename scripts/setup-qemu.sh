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
for cmd in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils busybox:busybox-static cpio:cpio; do
	command -v "${cmd%%:*}" >/dev/null 2>&1 || need="$need ${cmd#*:}"
done
if [ -n "$need" ]; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils busybox-static cpio
fi

# Bump GUEST_VERSION when the guest below changes: an older guest is rebuilt.
GUEST_VERSION=2
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
mkdir -p ird/bin ird/proc ird/sys ird/dev ird/etc/acpi/PWRF ird/lib/modules
cp "$(command -v busybox)" ird/bin/busybox
# The power button reaches busybox acpid through evdev; both are modules here.
for m in drivers/input/evdev drivers/acpi/button; do
	for f in "k/lib/modules/$kv/kernel/$m.ko" "k/lib/modules/$kv/kernel/$m.ko.xz"; do
		[ -e "$f" ] && cp "$f" ird/lib/modules/
	done
done
cat > ird/etc/acpi/PWRF/00000080 <<'EOS'
#!/bin/sh
echo ECSD-GUEST-POWEROFF > /dev/ttyS0
poweroff -f
EOS
chmod +x ird/etc/acpi/PWRF/00000080
cat > ird/init <<'EOS'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /var/log /var/run
insmod /lib/modules/evdev.ko
insmod /lib/modules/button.ko
acpid
echo ECSD-GUEST-READY > /dev/ttyS0
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
