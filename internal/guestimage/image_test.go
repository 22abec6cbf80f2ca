package guestimage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeImage(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadReadsACompleteImage(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, map[string]string{
		"disk.qcow2": "QFI\xfb", "vmlinuz": "k", "initrd.img": "i",
		"cmdline": "console=ttyS0 root=/dev/vda rw\n", "version": "3\n",
	})
	img, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if img.Cmdline != "console=ttyS0 root=/dev/vda rw" || img.Version != "3" {
		t.Errorf("cmdline %q, version %q", img.Cmdline, img.Version)
	}
	if img.Disk != filepath.Join(dir, "disk.qcow2") || img.Kernel != filepath.Join(dir, "vmlinuz") || img.Initrd != filepath.Join(dir, "initrd.img") {
		t.Errorf("paths: %+v", img)
	}
}

// An interrupted build has no version file (the script writes it last): it
// is not an image.
func TestLoadRefusesAnUnfinishedImage(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, map[string]string{"disk.qcow2": "QFI\xfb", "vmlinuz": "k", "initrd.img": "", "cmdline": "x"})
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "initrd.img") || !strings.Contains(err.Error(), "version") {
		t.Fatalf("Load = %v, want initrd.img and version missing", err)
	}
}

func TestLoadDebianHonoursTheDirectoryVariable(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DebianDirEnv, dir)
	if DebianDir() != dir {
		t.Fatalf("DebianDir = %q", DebianDir())
	}
	if _, err := LoadDebian(); !errors.Is(err, ErrNoImage) || !strings.Contains(err.Error(), "build-debian-image.sh") {
		t.Errorf("LoadDebian on an empty directory = %v", err)
	}
}

func TestBusyboxGuestIsFoundThroughItsVariableAndNeedsBothFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(BusyboxGuestDirEnv, dir)
	if _, err := BusyboxGuest(); err == nil {
		t.Fatal("BusyboxGuest found a guest in an empty directory")
	}
	for _, f := range []string{"vmlinuz", "initramfs.cpio.gz"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := BusyboxGuest(); err != nil || got != dir {
		t.Fatalf("BusyboxGuest = %q, %v; want %q", got, err, dir)
	}
}
