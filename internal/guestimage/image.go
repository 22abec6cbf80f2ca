// Package guestimage finds the guest images of the QEMU driver: the busybox
// test guest of scripts/setup-qemu.sh, and the Debian image of
// scripts/build-debian-image.sh, a golden disk (partition-less ext4 in qcow2)
// with the kernel, initrd and kernel command line taken from it. Its tests boot the
// Debian image under QEMU against the metadata service of internal/metadata
// and prove that cloud-init's AliYun datasource configures the guest.
package guestimage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDebianDir is where scripts/build-debian-image.sh puts the Debian
// bookworm image when it is given no directory.
const DefaultDebianDir = "/var/cache/ecsd/debian-bookworm"

// DebianDirEnv names the environment variable that overrides DefaultDebianDir.
const DebianDirEnv = "ECSD_DEBIAN_IMAGE_DIR"

// Image is a built image: absolute paths of its files and what they hold.
type Image struct {
	Dir     string
	Disk    string // disk.qcow2, the golden root disk (/dev/vda)
	Kernel  string // vmlinuz
	Initrd  string // initrd.img
	Cmdline string // the kernel command line, from the file cmdline
	Version string // the build recipe's version, from the file version
}

// DebianDir answers the directory of the Debian image: $ECSD_DEBIAN_IMAGE_DIR
// or DefaultDebianDir.
func DebianDir() string {
	if d := os.Getenv(DebianDirEnv); d != "" {
		return d
	}
	return DefaultDebianDir
}

// Load reads the image in dir. It fails when a file is missing or empty, or
// when the version file is absent (a build that did not finish).
func Load(dir string) (Image, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Image{}, err
	}
	img := Image{
		Dir:    abs,
		Disk:   filepath.Join(abs, "disk.qcow2"),
		Kernel: filepath.Join(abs, "vmlinuz"),
		Initrd: filepath.Join(abs, "initrd.img"),
	}
	var missing []string
	for _, f := range []string{img.Disk, img.Kernel, img.Initrd} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			missing = append(missing, filepath.Base(f))
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(abs, name))
		if err != nil || len(strings.TrimSpace(string(b))) == 0 {
			missing = append(missing, name)
		}
		return strings.TrimSpace(string(b))
	}
	img.Cmdline = read("cmdline")
	img.Version = read("version")
	if len(missing) > 0 {
		return Image{}, fmt.Errorf("guestimage: %s: missing %s", abs, strings.Join(missing, ", "))
	}
	return img, nil
}

// ErrNoImage is wrapped by LoadDebian when no Debian image is built.
var ErrNoImage = errors.New("guestimage: no image")

// LoadDebian loads the Debian image from DebianDir.
func LoadDebian() (Image, error) {
	img, err := Load(DebianDir())
	if err != nil {
		return Image{}, fmt.Errorf("%w: %v (build it with scripts/build-debian-image.sh)", ErrNoImage, err)
	}
	return img, nil
}

// DefaultBusyboxGuestDir is where scripts/setup-qemu.sh puts the busybox test
// guest (vmlinuz and initramfs.cpio.gz) when ECSD_QEMU_GUEST_DIR is not set.
const DefaultBusyboxGuestDir = "/var/cache/ecsd/qemu-guest"

// BusyboxGuestDirEnv names the environment variable that overrides
// DefaultBusyboxGuestDir.
const BusyboxGuestDirEnv = "ECSD_QEMU_GUEST_DIR"

// BusyboxGuest answers the directory of the busybox test guest that the QEMU
// tests and bench/qemuboot boot, or an error saying how to build it when its
// kernel or initramfs is missing.
func BusyboxGuest() (string, error) {
	dir := os.Getenv(BusyboxGuestDirEnv)
	if dir == "" {
		dir = DefaultBusyboxGuestDir
	}
	for _, f := range []string{"vmlinuz", "initramfs.cpio.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", fmt.Errorf("no test guest in %s (scripts/setup-qemu.sh builds it): %w", dir, err)
		}
	}
	return dir, nil
}
