package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// Disk categories (guide 1.18.5, plus ESSD from the SDK).
const (
	CategoryCloud        = "cloud"
	CategoryEfficiency   = "cloud_efficiency"
	CategorySSD          = "cloud_ssd"
	CategoryESSD         = "cloud_essd"
	CategoryEphemeralSSD = "ephemeral_ssd"
)

// Disk types, statuses and devices as the disks table records them.
const (
	diskTypeSystem      = "system"
	diskTypeData        = "data"
	diskStatusInUse     = "In_use"
	diskStatusAvailable = "Available"
	// SystemDevice is the device of every system disk; data disks take
	// /dev/xvdb to /dev/xvdz.
	SystemDevice = "/dev/xvda"
	// defaultPerformanceLevel is an ESSD's performance level when none is given.
	defaultPerformanceLevel = "PL1"
)

// diskPlan is one disk to create with the instances.
type diskPlan struct {
	category, name, description   string
	performanceLevel, device      string
	kmsKeyID, snapshotID          string
	size                          int
	encrypted, deleteWithInstance bool
}

// dataDiskSizes returns the size range of a data disk category in GiB (1.5.1).
func dataDiskSizes(category string) (lo, hi int, ok bool) {
	switch category {
	case CategoryCloud:
		return 5, 2000, true
	case CategoryEfficiency, CategorySSD, CategoryESSD:
		return 20, 32768, true
	case CategoryEphemeralSSD:
		return 5, 800, true
	}
	return 0, 0, false
}

// needsIoOptimized reports whether a category is only for I/O optimised
// instances (a series I type without optimisation takes basic cloud disks and
// local SSDs).
func needsIoOptimized(category string) bool {
	return category == CategoryEfficiency || category == CategorySSD || category == CategoryESSD
}

// performanceLevel checks an ESSD's performance level against its size (PL2
// from 461 GiB, PL3 from 1261 GiB) and returns it with the default applied;
// other categories have none.
func performanceLevel(category, level string, size int) (string, bool) {
	if category != CategoryESSD {
		return "", true
	}
	switch level {
	case "":
		return defaultPerformanceLevel, true
	case "PL0", "PL1":
		return level, true
	case "PL2":
		return level, size >= 461
	case "PL3":
		return level, size >= 1261
	}
	return "", false
}

// disks checks SystemDisk.* and DataDisk.n and applies their defaults.
func (p *plan) disks() error {
	defaultCategory := CategoryEfficiency
	if !p.optimized {
		defaultCategory = CategoryCloud
	}
	if err := p.planSystemDisk(defaultCategory); err != nil {
		return err
	}
	if len(p.in.DataDisks) > MaxDataDisks {
		return p.r.errDiskNumber()
	}
	dataDefault := CategoryCloud // RunInstances: "默认值：cloud"
	if p.r.create {
		dataDefault = defaultCategory
	}
	used := map[string]bool{SystemDevice: true}
	for _, in := range p.in.DataDisks {
		d, err := p.planDataDisk(in, dataDefault)
		if err != nil {
			return err
		}
		if d.device != "" {
			if !validDataDevice(d.device) {
				return errDataDeviceMalformed()
			}
			if used[d.device] {
				return errDeviceInUse()
			}
			used[d.device] = true
		}
		p.dataDisks = append(p.dataDisks, d)
	}
	for i := range p.dataDisks {
		if p.dataDisks[i].device == "" {
			p.dataDisks[i].device = nextDevice(used)
			used[p.dataDisks[i].device] = true
		}
	}
	return nil
}

func (p *plan) planSystemDisk(defaultCategory string) error {
	in := p.in.SystemDisk
	d := diskPlan{category: in.Category, name: in.Name, description: in.Description,
		device: SystemDevice, deleteWithInstance: true}
	if d.category == "" {
		d.category = defaultCategory
	}
	if _, _, ok := dataDiskSizes(d.category); !ok {
		return p.r.errSystemDiskCategory()
	}
	if !p.optimized && needsIoOptimized(d.category) {
		return errDiskCategoryNotForType()
	}
	d.size = max(systemDiskDefaultMin, p.img.Size)
	if in.Size != nil {
		switch d.size = *in.Size; {
		case d.size < p.r.systemDiskMin:
			return p.r.errSystemDiskTooSmall()
		case d.size < p.img.Size:
			return p.r.errSystemDiskLessThanImage()
		case d.size > systemDiskMax:
			return p.r.errSystemDiskTooLarge()
		}
	}
	level, ok := performanceLevel(d.category, in.PerformanceLevel, d.size)
	if !ok {
		return p.r.errSystemDiskTooSmall()
	}
	d.performanceLevel = level
	if err := p.diskTexts(d); err != nil {
		return err
	}
	p.systemDisk = d
	return nil
}

func (p *plan) planDataDisk(in DataDiskInput, defaultCategory string) (diskPlan, error) {
	d := diskPlan{category: in.Category, name: in.Name, description: in.Description, device: in.Device,
		kmsKeyID: in.KMSKeyID, deleteWithInstance: true}
	if d.category == "" {
		d.category = defaultCategory
	}
	lo, hi, ok := dataDiskSizes(d.category)
	switch {
	case !ok:
		return d, p.r.errDataDiskCategory()
	case !p.optimized && needsIoOptimized(d.category):
		return d, errDiskCategoryNotForType()
	case p.r.create && p.systemDisk.category == CategoryCloud && d.category != CategoryCloud:
		return d, errDataDiskMustBeCloud()
	case in.SnapshotID != "":
		// The disk is the snapshot's size; DataDisk.n.Size is ignored (1.5.1).
		sn, ok := p.snapshots[in.SnapshotID]
		switch {
		case !ok:
			return d, p.r.errDataDiskSnapshotNotFound()
		case sn.Status != store.SnapshotAccomplished:
			return d, errSnapshotNotReady()
		case sn.SourceDiskType == diskTypeSystem:
			return d, errNotDataDiskSnapshot()
		case sn.SourceDiskSizeGiB > hi:
			return d, errDataDiskSize()
		}
		d.snapshotID, d.size = sn.ID, max(sn.SourceDiskSizeGiB, lo)
		d.encrypted, d.kmsKeyID = sn.Encrypted, firstSet(d.kmsKeyID, sn.KMSKeyID)
	case in.Size == nil || *in.Size < lo || *in.Size > hi:
		return d, errDataDiskSize()
	default:
		d.size = *in.Size
	}
	level, ok := performanceLevel(d.category, in.PerformanceLevel, d.size)
	if !ok {
		return d, errDataDiskSize()
	}
	d.performanceLevel = level
	if in.Encrypted != nil && *in.Encrypted {
		if d.category == CategoryEphemeralSSD || d.category == CategoryCloud {
			return d, errEncryptedNotSupported()
		}
		d.encrypted = true
	}
	if in.DeleteWithInstance != nil {
		if d.category == CategoryEphemeralSSD {
			return d, errDeleteWithInstanceConflict()
		}
		d.deleteWithInstance = *in.DeleteWithInstance
	}
	return d, p.diskTexts(d)
}

// diskTexts checks a disk's name and description.
func (p *plan) diskTexts(d diskPlan) error {
	if d.name != "" && !validName(d.name, p.r.diskNameExtra) {
		return p.r.errDiskNameMalformed()
	}
	if d.description != "" && !validDescription(d.description) {
		return p.r.errDiskDescriptionMalformed()
	}
	return nil
}

// validDataDevice reports whether dev is /dev/xvdb … /dev/xvdz.
func validDataDevice(dev string) bool {
	rest, ok := strings.CutPrefix(dev, "/dev/xvd")
	return ok && len(rest) == 1 && rest[0] >= 'b' && rest[0] <= 'z'
}

// nextDevice returns the first data device not in used.
func nextDevice(used map[string]bool) string {
	for c := 'b'; c <= 'z'; c++ {
		if dev := "/dev/xvd" + string(c); !used[dev] {
			return dev
		}
	}
	return ""
}

// categories returns every disk category the plan uses.
func (p *plan) categories() []string {
	out := []string{p.systemDisk.category}
	for _, d := range p.dataDisks {
		if !slices.Contains(out, d.category) {
			out = append(out, d.category)
		}
	}
	return out
}

// createDisks inserts the disks of a new instance, attached to it.
func (s *Service) createDisks(tx store.Tx, in store.Instance, p *plan, now time.Time) error {
	for i, d := range append([]diskPlan{p.systemDisk}, p.dataDisks...) {
		typ := diskTypeData
		if i == 0 {
			typ = diskTypeSystem
		}
		if d.snapshotID != "" {
			if _, err := tx.GetSnapshot(in.AccountID, d.snapshotID); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return p.r.errDataDiskSnapshotNotFound() // deleted since the call was checked
				}
				return fmt.Errorf("snapshot %s: %w", d.snapshotID, err)
			}
		}
		row := store.Disk{ID: s.deps.IDs.NewID("d", in.RegionID), AccountID: in.AccountID, RegionID: in.RegionID,
			ZoneID: in.ZoneID, Name: d.name, Description: d.description, Type: typ, Category: d.category,
			SizeGiB: d.size, PerformanceLevel: d.performanceLevel, InstanceID: in.ID, Device: d.device, SourceSnapshotID: d.snapshotID,
			Status: diskStatusInUse, Portable: typ == diskTypeData && d.category != CategoryEphemeralSSD,
			DeleteWithInstance: d.deleteWithInstance, Encrypted: d.encrypted, KMSKeyID: d.kmsKeyID,
			CreatedAt: now, AttachedAt: now}
		if typ == diskTypeSystem {
			row.ImageID = in.ImageID
		}
		if err := tx.CreateDisk(row); err != nil {
			return fmt.Errorf("create disk of %s: %w", in.ID, err)
		}
	}
	return nil
}

// releaseDisks deletes the instance's disks that go with it (DeleteWithInstance,
// or all of them when it is locked for security, 1.5.6) and detaches the others,
// which become Available. The snapshot service is told of every disk deleted:
// it deletes the disk's automatic snapshots when its DeleteAutoSnapshot says so
// (1.5.6) and ends its automatic snapshot policy. It returns the IDs of the
// disks deleted.
func (s *Service) releaseDisks(tx store.Tx, in store.Instance, now time.Time) ([]string, error) {
	disks, err := tx.InstanceDisks(in.ID)
	if err != nil {
		return nil, fmt.Errorf("disks of %s: %w", in.ID, err)
	}
	all := Locked(in, LockSecurity)
	var deleted []string
	for _, d := range disks {
		if d.DeleteWithInstance || all || d.Type == diskTypeSystem {
			if err := tx.DeleteDisk(d.AccountID, d.ID); err != nil {
				return nil, fmt.Errorf("delete disk %s of %s: %w", d.ID, in.ID, err)
			}
			if err := tx.DeleteAllTags(d.AccountID, store.TagTypeDisk, d.ID); err != nil {
				return nil, fmt.Errorf("delete tags of disk %s: %w", d.ID, err)
			}
			if s.deps.Snapshots != nil {
				if err := s.deps.Snapshots.DiskReleased(tx, d); err != nil {
					return nil, fmt.Errorf("snapshots of released disk %s: %w", d.ID, err)
				}
			}
			deleted = append(deleted, d.ID)
			continue
		}
		d.InstanceID, d.Device, d.Status, d.DetachedAt = "", "", diskStatusAvailable, now
		if err := tx.UpdateDisk(d); err != nil {
			return nil, fmt.Errorf("detach disk %s of %s: %w", d.ID, in.ID, err)
		}
	}
	return deleted, nil
}

// dataDiskSnapshots reads the snapshots DataDisk.n.SnapshotId name (of the
// caller, in its region); missing ones are absent from the answer.
func (s *Service) dataDiskSnapshots(ctx context.Context, c Caller, disks []DataDiskInput) (map[string]store.Snapshot, error) {
	out := map[string]store.Snapshot{}
	var ids []string
	for _, d := range disks {
		if d.SnapshotID != "" {
			ids = append(ids, d.SnapshotID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		list, _, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: c.AccountID, RegionID: c.RegionID, IDs: ids})
		for _, sn := range list {
			out[sn.ID] = sn
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("data disk snapshots: %w", err)
	}
	return out, nil
}

// firstSet returns a unless it is empty, else b.
func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
