package image

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/store"
)

// Caller is who calls and in which region.
type Caller struct {
	AccountID int64
	RegionID  string
}

// customSource is the Source of the store's custom images: those the account
// owns in the region (OwnerAlias self) and those other accounts share with it
// (OwnerAlias others).
type customSource struct{ s *Service }

// Images implements Source.
func (c customSource) Images(ctx context.Context, accountID int64, regionID string, q Query) ([]Image, error) {
	if q.OwnerAlias == OwnerSystem || q.OwnerAlias == OwnerMarketplace {
		return nil, nil
	}
	var out []Image
	err := c.s.deps.Store.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		rows, err := tx.ListImages(store.ImageFilter{AccountID: accountID, SharedWith: accountID, RegionID: regionID, IDs: q.ImageIDs})
		if err != nil {
			return err
		}
		var own []string
		for _, r := range rows {
			if r.AccountID == accountID {
				own = append(own, r.ID)
			}
		}
		tags := map[string][]store.Tag{}
		if len(own) > 0 {
			if tags, err = tx.GetTags(accountID, store.TagTypeImage, own); err != nil {
				return err
			}
		}
		for _, r := range rows {
			img := fromStore(r, accountID)
			if img.Usage, err = usage(tx, r.ID); err != nil {
				return err
			}
			for _, t := range tags[r.ID] {
				img.Tags = append(img.Tags, Tag{Key: t.Key, Value: t.Value})
			}
			out = append(out, img)
		}
		return nil
	})
	return out, err
}

// usage is an image's Usage: instance when instances run from it.
func usage(tx store.Tx, id string) (string, error) {
	used, err := tx.ImageInUse(id)
	if err != nil {
		return "", err
	}
	if used {
		return UsageInstance, nil
	}
	return UsageNone, nil
}

// fromStore converts a custom image as viewer sees it.
func fromStore(r store.Image, viewer int64) Image {
	img := Image{
		ID: r.ID, Name: r.Name, Description: r.Description, Family: r.Family, Version: r.Version,
		OwnerAlias: OwnerOthers, OwnerID: r.AccountID, OSName: r.OSName, OSNameEn: r.OSNameEn, Platform: r.Platform,
		OSType: r.OSType, Architecture: r.Architecture, Size: r.SizeGiB, Status: r.Status,
		Progress: strconv.Itoa(r.Progress) + "%", Usage: UsageNone, CreationTime: r.CreatedAt, BootMode: "BIOS",
		SupportsCloudinit: true, SupportsIoOptimized: true, IsCopied: r.Origin == store.ImageOriginCopy,
		NvmeSupport: "supported", Tags: []Tag{},
	}
	if r.AccountID == viewer {
		img.OwnerAlias, img.ResourceGroupID = OwnerSelf, r.ResourceGroupID
	}
	for _, d := range r.Disks {
		img.DiskDeviceMappings = append(img.DiskDeviceMappings, DiskDeviceMapping{Device: d.Device, Type: d.Type,
			Size: d.SizeGiB, SnapshotID: d.SnapshotID, Format: d.Format, ImportOSSBucket: d.OSSBucket, ImportOSSObject: d.OSSObject})
	}
	return img
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }

// ownImage returns the caller's custom image in the caller's region, or notFound.
func ownImage(tx store.Tx, c Caller, id string, notFound error) (store.Image, error) {
	if id == "" {
		return store.Image{}, notFound
	}
	img, err := tx.GetImage(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (img.AccountID != c.AccountID || img.RegionID != c.RegionID) {
		return store.Image{}, notFound
	}
	if err != nil {
		return store.Image{}, fmt.Errorf("image %s: %w", id, err)
	}
	return img, nil
}

// nameTaken reports whether the account has another image of that name in
// the region.
func nameTaken(tx store.Tx, accountID int64, regionID, name, except string) (bool, error) {
	if name == "" {
		return false, nil
	}
	same, err := tx.ListImages(store.ImageFilter{AccountID: accountID, RegionID: regionID, Name: name})
	if err != nil {
		return false, fmt.Errorf("images named %q: %w", name, err)
	}
	for _, i := range same {
		if i.ID != except {
			return true, nil
		}
	}
	return false, nil
}

// checkQuota refuses an image beyond Limits.ImagesPerRegion.
func (s *Service) checkQuota(tx store.Tx, accountID int64, regionID string) error {
	all, err := tx.ListImages(store.ImageFilter{AccountID: accountID, RegionID: regionID})
	if err != nil {
		return fmt.Errorf("images of %d: %w", accountID, err)
	}
	if len(all) >= s.deps.Limits.ImagesPerRegion {
		return errImageQuota()
	}
	return nil
}

// validName applies the guide's rule for image names: 2–128 characters,
// starting with a letter or a Chinese character, then letters, Chinese
// characters, digits, '_', '-' (and '.', ':' as Alibaba Cloud accepts); never
// http:// or https://.
func validName(name string) bool {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 128 || strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return false
	}
	for i, r := range name {
		letter := unicode.IsLetter(r) && (r < utf8.RuneSelf || unicode.Is(unicode.Han, r))
		switch {
		case letter:
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == ':'):
		default:
			return false
		}
	}
	return true
}

// validDescription applies the guide's rule: at most 256 characters, never
// http:// or https://.
func validDescription(d string) bool {
	return utf8.RuneCountInString(d) <= 256 && !strings.HasPrefix(d, "http://") && !strings.HasPrefix(d, "https://")
}

// validVersion applies the guide's rule for ImageVersion: 1–40 characters.
func validVersion(v string) bool {
	n := utf8.RuneCountInString(v)
	return n >= 1 && n <= 40
}
