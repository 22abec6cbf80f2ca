package image

import (
	"context"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// ModifyInput are the parameters of ModifyImageAttribute (guide 1.9.3, plus
// the SDK's ImageFamily and Status). Nil leaves a field alone.
type ModifyInput struct {
	Name, Description, Family *string
	// Status is Deprecated or Available: deprecating hides the image from
	// DescribeImages' default listing and from new instances.
	Status *string
}

// Modify changes a custom image's name, description, family or status
// (ModifyImageAttribute, 1.9.3).
func (s *Service) Modify(ctx context.Context, c Caller, id string, in ModifyInput) error {
	if id == "" {
		return apierr.MissingParameter("ImageId")
	}
	if in.Name != nil && !validName(*in.Name) {
		return errDestImageNameMalformed()
	}
	if in.Description != nil && !validDescription(*in.Description) {
		return errDestDescriptionMalformed()
	}
	var status string
	if in.Status != nil {
		var ok bool
		if status, ok = canonical(*in.Status, StatusDeprecated, StatusAvailable); !ok || status == "" {
			return apierr.InvalidParameter("Status")
		}
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		img, err := ownImage(tx, c, id, errModifyNotFound())
		if err != nil {
			return err
		}
		if in.Name != nil && *in.Name != img.Name {
			if taken, err := nameTaken(tx, c.AccountID, c.RegionID, *in.Name, img.ID); err != nil {
				return err
			} else if taken {
				return errDestNameDuplicated()
			}
			img.Name = *in.Name
		}
		if in.Description != nil {
			img.Description = *in.Description
		}
		if in.Family != nil {
			img.Family = *in.Family
		}
		if status != "" {
			if img.Status != StatusAvailable && img.Status != StatusDeprecated {
				return errNotAvailable()
			}
			img.Status = status
		}
		return tx.UpdateImage(img)
	})
}

// Delete deletes a custom image (DeleteImage, 1.9.4). An image that does not
// exist is ignored, as the guide says. Refused: an image being created,
// copied or imported, or the source of a copy under way; an image shared with
// other accounts; an image instances run from, unless force. The snapshots
// the image was made from are kept (they are no longer protected).
func (s *Service) Delete(ctx context.Context, c Caller, id string, force bool) error {
	if id == "" {
		return apierr.MissingParameter("ImageId")
	}
	var path string
	deleted := false
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		deleted = false
		img, err := ownImage(tx, c, id, store.ErrNotFound)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkDeletable(tx, img, force); err != nil {
			return err
		}
		path, deleted = img.ContentPath, true
		return tx.DeleteImage(c.AccountID, id)
	})
	if err != nil {
		return err
	}
	if deleted {
		if err := s.deleteGolden(ctx, id); err != nil {
			return err
		}
	}
	return s.content().Remove(path)
}

func checkDeletable(tx store.Tx, img store.Image, force bool) error {
	if img.Status == StatusCreating || img.Status == StatusWaiting {
		if img.Origin == store.ImageOriginCopy {
			return errImageCopying()
		}
		return errImageCreating()
	}
	copies, err := tx.ListImages(store.ImageFilter{AccountID: img.AccountID, SourceImageID: img.ID})
	if err != nil {
		return fmt.Errorf("copies of %s: %w", img.ID, err)
	}
	for _, cp := range copies {
		if cp.Status == StatusCreating {
			return errImageCopying()
		}
	}
	shares, err := tx.ListImageShares(img.ID)
	if err != nil {
		return err
	}
	if len(shares) > 0 {
		return errImageShared()
	}
	if !force {
		used, err := tx.ImageInUse(img.ID)
		if err != nil {
			return err
		}
		if used {
			return errImageInUse()
		}
	}
	return nil
}
