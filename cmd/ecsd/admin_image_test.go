package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminImageImportRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"image"},
		{"image", "export", "f"},
		{"image", "import"},
		{"image", "import", "a", "b"},
		{"image", "import", "f", "--os-type", "plan9"},
		{"image", "import", "f", "--architecture", "sparc"},
		{"image", "import", "f", "--initrd", "i"},
		{"image", "import", "f", "--cmdline", "quiet"},
		{"image", "import", "f", "--image-id", "m-a,b"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runAdmin(args, &stdout, &stderr); code != 2 || stdout.Len() != 0 {
			t.Errorf("ecsd admin %v: exit %d, stdout %q; want 2 and nothing printed", args, code, stdout.String())
		}
	}
}

func TestAdminImageImportRegistersAnImageAndPrintsOneJSONObject(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed (apt-get install qemu-utils)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "disk.raw")
	if err := os.WriteFile(src, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	kernel := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(kernel, []byte("kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "data")
	args := []string{"image", "import", src, "--image-id", "m-cmdtest", "--name", "raw-disk", "--kernel", kernel,
		"--cmdline", "console=ttyS0", "--platform", "Debian", "--data-dir", dataDir}
	var stdout, stderr bytes.Buffer
	if code := runAdmin(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Count(stdout.String(), "\n") != 1 {
		t.Fatalf("printed %q, want one line", stdout.String())
	}
	var got importedImageJSON
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ImageId != "m-cmdtest" || got.ImageName != "raw-disk" || got.Size != 1 || got.FileBytes <= 0 || got.OSType != "linux" ||
		got.Platform != "Debian" || got.Cmdline != "console=ttyS0" || !strings.HasPrefix(got.Kernel, dataDir) {
		t.Fatalf("printed %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "volumes", "images", "m-cmdtest", "disk.qcow2")); err != nil {
		t.Fatalf("no golden file: %v", err)
	}
	// A missing file is an error, not an image.
	stdout.Reset()
	if code := runAdmin([]string{"image", "import", filepath.Join(dir, "nope"), "--data-dir", dataDir}, &stdout, &stderr); code != 1 ||
		stdout.Len() != 0 {
		t.Fatalf("import of a missing file: exit %d, printed %q", code, stdout.String())
	}
}
