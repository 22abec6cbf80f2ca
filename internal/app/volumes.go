package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/qcow2"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/volume"
)

// VolumesDir is where `ecsd serve --driver qemu` keeps its qcow2 volume store
// (golden images, disks, snapshots): <data-dir>/volumes, absolute.
func VolumesDir(dataDir string) (string, error) {
	return filepath.Abs(filepath.Join(dataDir, "volumes"))
}

// newQcow2Volumes opens the qcow2 volume store of a data dir and, when the
// compute driver can copy and grow the disks of running VMs (the qemu
// driver), makes it the store's live hook.
func newQcow2Volumes(dataDir string, compute driver.Compute) (*qcow2.Store, error) {
	dir, err := VolumesDir(dataDir)
	if err != nil {
		return nil, err
	}
	st, err := qcow2.New(qcow2.Config{Dir: dir})
	if err != nil {
		return nil, err
	}
	if live, ok := compute.(qcow2.Live); ok {
		st.SetLive(live)
	}
	return st, nil
}

// qcow2Volumes adapts the qcow2 volume store to what the disk, instance and
// image services declare (volume.Disks, image.Goldens).
type qcow2Volumes struct{ st *qcow2.Store }

var (
	_ volume.Disks           = qcow2Volumes{}
	_ image.Goldens          = qcow2Volumes{}
	_ snapshot.SnapshotFiles = qcow2Volumes{}
)

func diskSource(src volume.Source) qcow2.DiskSource {
	return qcow2.DiskSource{DiskID: src.DiskID, SizeGiB: src.SizeGiB, ImageID: src.ImageID, SnapshotID: src.SnapshotID}
}

// EnsureDisk implements volume.Disks.
func (v qcow2Volumes) EnsureDisk(ctx context.Context, src volume.Source) (string, error) {
	return v.st.EnsureDisk(ctx, diskSource(src))
}

// RecreateDisk implements volume.Disks.
func (v qcow2Volumes) RecreateDisk(ctx context.Context, src volume.Source) (string, error) {
	return v.st.RecreateDisk(ctx, diskSource(src))
}

// ResizeDisk implements volume.Disks: a disk without a file yet is made at
// its recorded size when it is first needed.
func (v qcow2Volumes) ResizeDisk(ctx context.Context, diskID string, sizeGiB int) error {
	err := v.st.ResizeDisk(ctx, diskID, sizeGiB)
	if errors.Is(err, driver.ErrNotFound) {
		return nil
	}
	return err
}

// DeleteDisk implements volume.Disks.
func (v qcow2Volumes) DeleteDisk(ctx context.Context, diskID string) error {
	return v.st.DeleteDisk(ctx, diskID)
}

// Boot implements volume.Disks.
func (v qcow2Volumes) Boot(ctx context.Context, imageID string) (driver.BootSpec, error) {
	img, err := v.st.Image(ctx, imageID)
	if err != nil {
		return driver.BootSpec{}, err
	}
	return img.Boot, nil
}

// GoldenImages implements image.Goldens.
func (v qcow2Volumes) GoldenImages(ctx context.Context) ([]image.GoldenImage, error) {
	all, err := v.st.Images(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]image.GoldenImage, len(all))
	for i, img := range all {
		out[i] = image.GoldenImage{ImageID: img.ImageID, Name: img.ImageName, Description: img.Description,
			OSType: img.OSType, Platform: img.Platform, Architecture: img.Architecture, SizeGiB: img.SizeGiB,
			CreatedAt: img.CreatedAt}
	}
	return out, nil
}

// goldenRecord is the store's record of a new golden image g, with the boot
// files of the image g.BootFrom (when the store has it).
func (v qcow2Volumes) goldenRecord(ctx context.Context, g image.GoldenImage) (qcow2.Image, error) {
	img := qcow2.Image{ImageID: g.ImageID, ImageName: g.Name, Description: g.Description, OSType: g.OSType,
		Platform: g.Platform, Architecture: g.Architecture}
	if g.BootFrom == "" {
		return img, nil
	}
	src, err := v.st.Image(ctx, g.BootFrom)
	switch {
	case errors.Is(err, driver.ErrNotFound):
		return img, nil // gone: the new image boots through the firmware
	case err != nil:
		return qcow2.Image{}, fmt.Errorf("boot files of %s: %w", g.BootFrom, err)
	}
	img.Boot = src.Boot
	return img, nil
}

// GoldenFromSnapshot implements image.Goldens.
func (v qcow2Volumes) GoldenFromSnapshot(ctx context.Context, snapshotID string, g image.GoldenImage) error {
	img, err := v.goldenRecord(ctx, g)
	if err != nil {
		return err
	}
	_, err = v.st.ImageFromSnapshot(ctx, snapshotID, img)
	return err
}

// GoldenFromFile implements image.Goldens.
func (v qcow2Volumes) GoldenFromFile(ctx context.Context, path string, g image.GoldenImage) error {
	img, err := v.goldenRecord(ctx, g)
	if err != nil {
		return err
	}
	_, err = v.st.ImportImage(ctx, path, img)
	return err
}

// DeleteGolden implements image.Goldens.
func (v qcow2Volumes) DeleteGolden(ctx context.Context, imageID string) error {
	return v.st.DeleteImage(ctx, imageID)
}

// ExportGolden implements image.Goldens: the store converts the golden file
// (format RAW, VHD or qcow2) into a temporary file.
func (v qcow2Volumes) ExportGolden(ctx context.Context, imageID, format string) (string, func(), error) {
	return v.st.ExportImage(ctx, imageID, format)
}

// OpenSnapshot implements snapshot.SnapshotFiles (ExportSnapshot).
func (v qcow2Volumes) OpenSnapshot(ctx context.Context, snapshotID string) (io.ReadCloser, error) {
	f, err := v.st.OpenSnapshot(ctx, snapshotID)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ImportSnapshot implements snapshot.SnapshotFiles (ImportSnapshot).
func (v qcow2Volumes) ImportSnapshot(ctx context.Context, snapshotID string, r io.Reader) (driver.Handle, error) {
	return v.st.ImportSnapshot(ctx, snapshotID, r)
}

// RemoveSnapshot implements snapshot.SnapshotFiles (a cancelled import).
func (v qcow2Volumes) RemoveSnapshot(ctx context.Context, snapshotID string) error {
	return v.st.DeleteSnapshot(ctx, v.st.SnapshotHandle(snapshotID))
}

// newVolumes returns the volume side of the data plane for o.Driver: with the
// qemu driver the qcow2 volume store (<data-dir>/volumes) as the volume
// driver, the disk files and the golden images; with the sim driver the
// simulated volumes alone.
func newVolumes(o Options, compute driver.Compute, clk clock.Waiter) (Drivers, error) {
	if o.Driver == "qemu" {
		st, err := newQcow2Volumes(o.DataDir, compute)
		if err != nil {
			return Drivers{}, err
		}
		v := qcow2Volumes{st}
		return Drivers{Volumes: st, Disks: v, Goldens: v, SnapshotFiles: v}, nil
	}
	volumes, err := sim.NewVolumes(sim.VolumeConfig{SnapshotTime: o.SimSnapshotTime, MigrationTime: o.SimSnapshotTime}, clk)
	if err != nil {
		return Drivers{}, err
	}
	return Drivers{Volumes: volumes}, nil
}
