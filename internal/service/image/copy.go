package image

import (
	"context"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// CopyInput are the parameters of CopyImage (guide 1.9.5).
type CopyInput struct {
	ImageID             string
	DestinationRegionID string
	DestinationName     string
	DestinationDesc     string
}

// Copy copies a custom image of the caller's region to another region and
// returns the new image's ID (CopyImage, 1.9.5). The copy is Creating, with
// IsCopied true, until a CopyImage task of the destination region has moved
// the image's data (Deps.CopyTime); CancelCopyImage cancels it. The copy
// depends on the source's snapshots, which DeleteSnapshot then refuses.
func (s *Service) Copy(ctx context.Context, c Caller, in CopyInput) (string, error) {
	switch {
	case c.RegionID == "":
		return "", apierr.MissingParameter("RegionId")
	case in.ImageID == "":
		return "", apierr.MissingParameter("ImageId")
	case in.DestinationRegionID == "":
		return "", apierr.MissingParameter("DestinationRegionId")
	case !s.hasRegion(c.RegionID):
		return "", errSourceRegion()
	case !s.hasRegion(in.DestinationRegionID):
		return "", errDestinationRegion()
	case in.DestinationRegionID == c.RegionID:
		return "", errSameRegion()
	case in.DestinationName != "" && !validName(in.DestinationName):
		return "", errImageNameMalformed()
	case !validDescription(in.DestinationDesc):
		return "", errCopyDescriptionMalformed()
	}
	var id string
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		src, err := ownImage(tx, c, in.ImageID, errCopySourceNotFound())
		if err != nil {
			return err
		}
		if src.Status != StatusAvailable {
			return errCopyNotAvailable()
		}
		if taken, err := nameTaken(tx, c.AccountID, in.DestinationRegionID, in.DestinationName, ""); err != nil {
			return err
		} else if taken {
			return errDestNameDuplicated()
		}
		if err := s.checkQuota(tx, c.AccountID, in.DestinationRegionID); err != nil {
			return err
		}
		refs, err := tx.ImageSnapshotRefs(src.ID)
		if err != nil {
			return err
		}
		cp := src
		cp.ID = s.deps.IDs.NewID("m", in.DestinationRegionID)
		cp.RegionID, cp.Name, cp.Description = in.DestinationRegionID, in.DestinationName, in.DestinationDesc
		cp.Status, cp.Progress, cp.Origin = StatusCreating, 0, store.ImageOriginCopy
		cp.SourceImageID, cp.SourceRegionID, cp.ContentPath = src.ID, src.RegionID, ""
		cp.ResourceGroupID, cp.CreatedAt = "", s.now()
		// The copy's disks keep their sizes and formats; their snapshots stay
		// in the source region, referenced (not listed) by the copy.
		cp.Disks = make([]store.ImageDisk, len(src.Disks))
		for i, d := range src.Disks {
			d.SnapshotID = ""
			cp.Disks[i] = d
		}
		if err := s.enqueue(tx, &cp, ActionCopyImage, imageState{Format: cp.FileFormat}); err != nil {
			return err
		}
		if err := tx.CreateImage(cp); err != nil {
			return err
		}
		id = cp.ID
		return tx.AddImageSnapshotRefs(c.AccountID, cp.ID, refs)
	})
	if err != nil {
		return "", err
	}
	s.deps.Tasks.Wake()
	return id, nil
}

// CancelCopy cancels a copy under way (CancelCopyImage, 1.9.6): the copy, an
// image of the caller's region, is deleted at once and its task cancelled.
func (s *Service) CancelCopy(ctx context.Context, c Caller, id string) error {
	if id == "" {
		return apierr.MissingParameter("ImageId")
	}
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		img, err := ownImage(tx, c, id, errCancelNotFound())
		if err != nil {
			return err
		}
		switch {
		case img.Origin != store.ImageOriginCopy:
			return errNotFromCopy()
		case img.Status == StatusCreateFailed:
			return errCopyFailed()
		case img.Status != StatusCreating && img.Status != StatusWaiting:
			return errCopyCompleted()
		}
		if err := s.deps.Tasks.RequestCancel(tx, c.AccountID, img.TaskID); err != nil {
			return err
		}
		return tx.DeleteImage(c.AccountID, id)
	})
	if err != nil {
		return err
	}
	s.deps.Tasks.Wake()
	return nil
}

// hasRegion reports whether the topology has the region.
func (s *Service) hasRegion(id string) bool {
	if s.deps.Catalog == nil {
		return false
	}
	_, ok := s.deps.Catalog.Region(id)
	return ok
}
