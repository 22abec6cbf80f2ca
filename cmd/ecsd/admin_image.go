package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qcow2"
)

const adminImageUsage = `usage: ecsd admin image import FILE [--image-id m-…] [--name N] [--description D]
           [--kernel K [--initrd I] [--cmdline C]] [--os-type linux|windows] [--platform P]
           [--architecture x86_64|i386|arm64] [--data-dir D]
  registers FILE (any format qemu-img reads: qcow2, raw, vmdk, vhd …) as a system image of
  ecsd serve --driver qemu (a read-only golden qcow2 file in --data-dir/volumes), with the
  kernel, initrd and command line it boots with (none: it boots through its own boot loader),
  and prints the image as one JSON object. It works while the server runs; importing an
  image ID that exists prints that image and reads nothing.`

// importedImageJSON is how `ecsd admin image import` prints the image.
type importedImageJSON struct {
	ImageId      string `json:"ImageId"`
	ImageName    string `json:"ImageName,omitempty"`
	Description  string `json:"Description,omitempty"`
	OSType       string `json:"OSType"`
	Platform     string `json:"Platform,omitempty"`
	Architecture string `json:"Architecture"`
	// Size is the virtual size in GiB (DescribeImages' Size); FileBytes the
	// golden file's bytes on the host.
	Size         int    `json:"Size"`
	FileBytes    int64  `json:"FileBytes"`
	Kernel       string `json:"Kernel,omitempty"`
	Initrd       string `json:"Initrd,omitempty"`
	Cmdline      string `json:"Cmdline,omitempty"`
	CreationTime string `json:"CreationTime"`
}

// imageImport are the settings of `ecsd admin image import`.
type imageImport struct {
	file, dataDir                  string
	id, name, description          string
	kernel, initrd, cmdline        string
	osType, platform, architecture string
}

// runAdminImage runs `ecsd admin image import FILE …`.
func runAdminImage(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, adminImageUsage)
		return 2
	}
	var o imageImport
	fs := flag.NewFlagSet("ecsd admin image import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dataDir, "data-dir", defaultDataDir(), "the server's data dir (or ECSD_DATA_DIR)")
	fs.StringVar(&o.id, "image-id", "", "the image's ID (default: a new m-… ID)")
	fs.StringVar(&o.name, "name", "", "the image's name (ImageName)")
	fs.StringVar(&o.description, "description", "", "the image's description")
	fs.StringVar(&o.kernel, "kernel", "", "the kernel instances of the image boot directly (a host file, copied into the store)")
	fs.StringVar(&o.initrd, "initrd", "", "the initial ramdisk for --kernel (copied into the store)")
	fs.StringVar(&o.cmdline, "cmdline", "", "the kernel command line for --kernel")
	fs.StringVar(&o.osType, "os-type", "linux", "linux or windows")
	fs.StringVar(&o.platform, "platform", "", "the distribution shown by DescribeImages (Debian, Ubuntu …; default Others Linux)")
	fs.StringVar(&o.architecture, "architecture", "x86_64", "x86_64, i386 or arm64")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return 2
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if v, ok := os.LookupEnv("ECSD_DATA_DIR"); ok && !explicit["data-dir"] {
		o.dataDir = v
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, adminImageUsage)
		return 2
	}
	o.file = positional[0]
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "ecsd admin image import:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	img, err := importImage(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "ecsd admin image import:", err)
		return 1
	}
	out := importedImageJSON{ImageId: img.ImageID, ImageName: img.ImageName, Description: img.Description,
		OSType: img.OSType, Platform: img.Platform, Architecture: img.Architecture, Size: img.SizeGiB,
		FileBytes: img.FileBytes, Kernel: img.Boot.Kernel, Initrd: img.Boot.Initrd, Cmdline: img.Boot.Cmdline,
		CreationTime: img.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	b, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(b))
	return 0
}

// check validates the settings that need no file system.
func (o *imageImport) check() error {
	switch {
	case o.osType != "linux" && o.osType != "windows":
		return fmt.Errorf("--os-type %q: want linux or windows", o.osType)
	case o.architecture != "x86_64" && o.architecture != "i386" && o.architecture != "arm64":
		return fmt.Errorf("--architecture %q: want x86_64, i386 or arm64", o.architecture)
	case o.kernel == "" && (o.initrd != "" || o.cmdline != ""):
		return errors.New("--initrd and --cmdline need --kernel")
	case strings.ContainsAny(o.id, ", \t\r\n"):
		return fmt.Errorf("--image-id %q: no commas or spaces", o.id)
	}
	return nil
}

// importImage imports the file into the data dir's volume store; the boot
// files are given to the store as absolute paths.
func importImage(ctx context.Context, o imageImport) (qcow2.Image, error) {
	dir, err := app.VolumesDir(o.dataDir)
	if err != nil {
		return qcow2.Image{}, err
	}
	st, err := qcow2.New(qcow2.Config{Dir: dir})
	if err != nil {
		return qcow2.Image{}, err
	}
	boot := driver.BootSpec{Cmdline: o.cmdline}
	for _, f := range []struct{ from, to *string }{{&o.kernel, &boot.Kernel}, {&o.initrd, &boot.Initrd}} {
		if *f.from == "" {
			continue
		}
		abs, err := filepath.Abs(*f.from)
		if err != nil {
			return qcow2.Image{}, err
		}
		if _, err := os.Stat(abs); err != nil {
			return qcow2.Image{}, err
		}
		*f.to = abs
	}
	img, err := st.ImportImage(ctx, o.file, qcow2.Image{ImageID: o.id, ImageName: o.name, Description: o.description,
		OSType: o.osType, Platform: o.platform, Architecture: o.architecture, Boot: boot})
	if errors.Is(err, driver.ErrInvalidArgument) {
		return qcow2.Image{}, fmt.Errorf("%s: %w", o.file, err)
	}
	return img, err
}
