// Package volumetest has an in-memory volume.Disks for the services' tests.
package volumetest

import (
	"context"
	"fmt"
	"sync"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/volume"
)

// File is a disk file of the fake: what it was made from and its size.
type File struct {
	Source  volume.Source
	SizeGiB int
	// Made counts how often the file was made (1 after EnsureDisk, +1 per
	// RecreateDisk).
	Made int
}

// Fake is an in-memory volume.Disks: files by disk ID at "/volumes/<id>",
// the boot of every image in Boots (a missing image wraps driver.ErrNotFound).
// Err, when set, is returned by every call. It is safe for concurrent use.
type Fake struct {
	mu    sync.Mutex
	Files map[string]File
	Boots map[string]driver.BootSpec
	Err   error
	// Calls lists every call as "Method diskID" (Boot: "Boot imageID").
	Calls []string
}

// New returns an empty Fake that knows the images of boots.
func New(boots map[string]driver.BootSpec) *Fake {
	return &Fake{Files: map[string]File{}, Boots: boots}
}

var _ volume.Disks = (*Fake)(nil)

// Path is where the fake says a disk's file is.
func Path(diskID string) string { return "/volumes/" + diskID + ".qcow2" }

func (f *Fake) call(method, id string) error {
	f.Calls = append(f.Calls, method+" "+id)
	return f.Err
}

func (f *Fake) make(src volume.Source) error {
	if src.ImageID != "" {
		if _, ok := f.Boots[src.ImageID]; !ok {
			return fmt.Errorf("%w: image %s", driver.ErrNotFound, src.ImageID)
		}
	}
	file := f.Files[src.DiskID]
	file.Source, file.SizeGiB, file.Made = src, src.SizeGiB, file.Made+1
	f.Files[src.DiskID] = file
	return nil
}

// EnsureDisk implements volume.Disks.
func (f *Fake) EnsureDisk(_ context.Context, src volume.Source) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("EnsureDisk", src.DiskID); err != nil {
		return "", err
	}
	if _, ok := f.Files[src.DiskID]; !ok {
		if err := f.make(src); err != nil {
			return "", err
		}
	}
	return Path(src.DiskID), nil
}

// RecreateDisk implements volume.Disks.
func (f *Fake) RecreateDisk(_ context.Context, src volume.Source) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("RecreateDisk", src.DiskID); err != nil {
		return "", err
	}
	if err := f.make(src); err != nil {
		return "", err
	}
	return Path(src.DiskID), nil
}

// ResizeDisk implements volume.Disks.
func (f *Fake) ResizeDisk(_ context.Context, diskID string, sizeGiB int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ResizeDisk", diskID); err != nil {
		return err
	}
	if file, ok := f.Files[diskID]; ok {
		file.SizeGiB = sizeGiB
		f.Files[diskID] = file
	}
	return nil
}

// DeleteDisk implements volume.Disks.
func (f *Fake) DeleteDisk(_ context.Context, diskID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DeleteDisk", diskID); err != nil {
		return err
	}
	delete(f.Files, diskID)
	return nil
}

// Boot implements volume.Disks.
func (f *Fake) Boot(_ context.Context, imageID string) (driver.BootSpec, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Boot", imageID); err != nil {
		return driver.BootSpec{}, err
	}
	b, ok := f.Boots[imageID]
	if !ok {
		return driver.BootSpec{}, fmt.Errorf("%w: image %s", driver.ErrNotFound, imageID)
	}
	return b, nil
}

// File returns the file of a disk and whether it exists.
func (f *Fake) File(diskID string) (File, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	file, ok := f.Files[diskID]
	return file, ok
}
