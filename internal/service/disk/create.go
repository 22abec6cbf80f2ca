package disk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// CreateInput are the parameters of CreateDisk (1.7.1, plus the SDK's
// PerformanceLevel, KMSKeyId and Tag.N).
type CreateInput struct {
	// ZoneID is the zone of the disk, in the caller's region.
	ZoneID      string
	Name        string
	Description string
	// Category defaults to cloud (DefaultCategory).
	Category string
	// PerformanceLevel is PL0 to PL3 for cloud_essd (default PL1), empty otherwise.
	PerformanceLevel string
	// Size is the size in GiB; SnapshotID, when set, wins over it.
	Size       *int
	SnapshotID string
	Encrypted  bool
	KMSKeyID   string
	Tags       []store.Tag
	// ClientToken makes the call idempotent (1.18.6).
	ClientToken string
}

// created is what a CreateDisk call records for its ClientToken.
type created struct {
	DiskID string
	// disk is the new disk (not recorded: a repeated call has made its file).
	disk store.Disk
}

// Create creates a portable data disk and returns its ID (CreateDisk, 1.7.1).
// The disk is Available when the call returns: ecsd's volumes need no
// allocation, so Creating is never observed. DeleteAutoSnapshot is true,
// DeleteWithInstance and EnableAutoSnapshot false.
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (string, error) {
	if err := s.checkCreate(c, &in); err != nil {
		return "", err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return "", err
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "CreateDisk", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out created
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (created, error) {
			if err := s.checkPortableQuota(tx, c); err != nil {
				return created{}, err
			}
			d := store.Disk{ID: s.deps.IDs.NewID("d", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				ZoneID: in.ZoneID, Name: in.Name, Description: in.Description, Type: TypeData, Category: in.Category,
				PerformanceLevel: in.PerformanceLevel, Status: StatusAvailable, Portable: true,
				DeleteAutoSnapshot: true, Encrypted: in.Encrypted, KMSKeyID: in.KMSKeyID, CreatedAt: now}
			if in.SnapshotID == "" {
				d.SizeGiB = *in.Size
			} else if err := fromSnapshot(tx, c, &d, in.SnapshotID); err != nil {
				return created{}, err
			}
			if err := tx.CreateDisk(d); err != nil {
				return created{}, fmt.Errorf("create disk: %w", err)
			}
			if err := putTags(tx, c.AccountID, d.ID, tags); err != nil {
				return created{}, err
			}
			return created{DiskID: d.ID, disk: d}, nil
		})
		return err
	})
	if err == nil {
		s.prepareFile(ctx, out.disk)
	}
	return out.DiskID, err
}

// checkCreate validates CreateDisk's parameters in the order of the guide's
// table and fills in the category and performance level defaults.
func (s *Service) checkCreate(c Caller, in *CreateInput) error {
	zone, region, ok := s.deps.Catalog.Zone(in.ZoneID)
	if !ok || region != c.RegionID {
		return errZoneNotFound()
	}
	if in.Name != "" && !ValidName(in.Name) {
		return errNameMalformed()
	}
	if in.Description != "" && !ValidDescription(in.Description) {
		return errDescriptionMalformed(http.StatusBadRequest)
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return err
	}
	if in.Category == "" {
		in.Category = DefaultCategory
	}
	if _, known := DataDiskSize(in.Category, ""); !known {
		return errCategoryNotSupported()
	}
	if !IsCloudCategory(in.Category) || !slices.Contains(zone.DiskCategories, in.Category) ||
		!slices.Contains(zone.ResourceTypes, "Disk") {
		return errCategoryUnauthorized()
	}
	if in.Category == CategoryESSD && in.PerformanceLevel == "" {
		in.PerformanceLevel = DefaultPerformanceLevel
	}
	sizes, ok := DataDiskSize(in.Category, in.PerformanceLevel)
	if !ok {
		return apierr.InvalidParameter("PerformanceLevel")
	}
	if in.SnapshotID != "" {
		in.Size = nil // the disk is the snapshot's size (1.7.1: Size is ignored)
		return nil
	}
	if in.Size == nil {
		return errSizeOrSnapshot()
	}
	if !sizes.Contains(*in.Size) {
		return apierr.InvalidParameter("Size")
	}
	return nil
}

// fromSnapshot makes d a copy of the caller's snapshot id (CreateDisk's
// SnapshotId): accomplished, of a data disk, no larger than the category
// allows; d gets its size (at least the category's minimum) and encryption.
func fromSnapshot(tx store.Tx, c Caller, d *store.Disk, id string) error {
	sn, err := tx.GetSnapshot(c.AccountID, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && sn.RegionID != c.RegionID:
		return ErrSnapshotNotFound()
	case err != nil:
		return fmt.Errorf("snapshot %s: %w", id, err)
	case sn.Status != store.SnapshotAccomplished:
		return errSnapshotNotReady()
	case sn.SourceDiskType == TypeSystem:
		return errNotDataDiskSnapshot()
	}
	sizes, _ := DataDiskSize(d.Category, d.PerformanceLevel)
	if sn.SourceDiskSizeGiB > sizes.Max {
		return errSnapshotTooLarge()
	}
	d.SizeGiB, d.SourceSnapshotID = max(sn.SourceDiskSizeGiB, sizes.Min), sn.ID
	if sn.Encrypted {
		d.Encrypted, d.KMSKeyID = true, sn.KMSKeyID
	}
	return nil
}

// checkPortableQuota enforces Limits.PortableDisks.
func (s *Service) checkPortableQuota(tx store.Tx, c Caller) error {
	if s.deps.Limits.PortableDisks <= 0 {
		return nil
	}
	portable := true
	_, n, err := tx.ListDisks(store.DiskFilter{AccountID: c.AccountID, RegionID: c.RegionID, Portable: &portable,
		Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return fmt.Errorf("count portable disks: %w", err)
	}
	if n >= s.deps.Limits.PortableDisks {
		return errPortableQuota()
	}
	return nil
}

// ModifyInput are the parameters of ModifyDiskAttribute (1.7.5); nil (and an
// empty Name) leaves a value as it is, an empty Description clears it.
type ModifyInput struct {
	DiskID             string
	Name               *string
	Description        *string
	DeleteWithInstance *bool
	DeleteAutoSnapshot *bool
	EnableAutoSnapshot *bool
}

// ModifyAttribute changes a disk's name, description and flags
// (ModifyDiskAttribute, 1.7.5). DeleteWithInstance=false is refused for a
// non-portable disk of category cloud, and any DeleteWithInstance for a
// non-portable local disk.
func (s *Service) ModifyAttribute(ctx context.Context, c Caller, in ModifyInput) error {
	name := in.Name != nil && *in.Name != ""
	if name && !ValidName(*in.Name) {
		return errNameMalformed()
	}
	if in.Description != nil && *in.Description != "" && !ValidDescription(*in.Description) {
		return errDescriptionMalformed(http.StatusNotFound)
	}
	if !name && in.Description == nil && in.DeleteWithInstance == nil && in.DeleteAutoSnapshot == nil &&
		in.EnableAutoSnapshot == nil {
		return errNoAttribute()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getDisk(tx, c, in.DiskID)
		if err != nil {
			return err
		}
		if in.DeleteWithInstance != nil && !d.Portable {
			switch {
			case !IsCloudCategory(d.Category):
				return errNotPortable(msgNotPortable)
			case d.Category == CategoryCloud && !*in.DeleteWithInstance:
				return apierr.InvalidParameter("DeleteWithInstance")
			}
		}
		if name {
			d.Name = *in.Name
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		setFlag(&d.DeleteWithInstance, in.DeleteWithInstance)
		setFlag(&d.DeleteAutoSnapshot, in.DeleteAutoSnapshot)
		setFlag(&d.EnableAutoSnapshot, in.EnableAutoSnapshot)
		if err := tx.UpdateDisk(d); err != nil {
			return fmt.Errorf("modify disk %s: %w", d.ID, err)
		}
		return nil
	})
}

func setFlag(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// Delete deletes an Available portable data disk (DeleteDisk, 1.7.10). A disk
// that does not exist (or is another account's) is ignored, as the guide says.
func (s *Service) Delete(ctx context.Context, c Caller, diskID string) error {
	deleted := false
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		deleted = false
		d, err := getDisk(tx, c, diskID)
		if errors.Is(err, ErrDiskNotFound()) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case d.Type == TypeSystem:
			return errSystemDisk()
		case !d.Portable:
			return errNotPortable(msgNotPortableDel)
		case d.Status != StatusAvailable:
			return errDiskStatus(msgDiskStatus)
		}
		if busy, err := creatingSnapshot(tx, d); err != nil || busy {
			if err == nil {
				err = errCreatingSnapshot("DiskCreatingSnapshots")
			}
			return err
		}
		if err := tx.DeleteDisk(c.AccountID, d.ID); err != nil {
			return fmt.Errorf("delete disk %s: %w", d.ID, err)
		}
		if err := deleteTags(tx, c.AccountID, d.ID); err != nil {
			return err
		}
		deleted = true
		return s.released(tx, d)
	})
	if err == nil && deleted {
		s.deleteFiles(ctx, diskID)
	}
	return err
}
