package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// imageColumns lists the columns of the images table, in the order of imageArgs.
const imageColumns = "id, account_id, region_id, name, description, version, family, os_name, os_name_en, platform, " +
	"os_type, architecture, size_gib, status, progress, origin, source_image_id, source_region_id, source_instance_id, " +
	"task_id, file_format, virtual_size, content_path, disks, resource_group_id, created_at"

func imageArgs(img store.Image) ([]any, error) {
	created, err := toNanos(img.CreatedAt)
	if err != nil {
		return nil, err
	}
	disks := img.Disks
	if disks == nil {
		disks = []store.ImageDisk{}
	}
	raw, err := json.Marshal(disks)
	if err != nil {
		return nil, err
	}
	return []any{img.ID, img.AccountID, img.RegionID, img.Name, img.Description, img.Version, img.Family, img.OSName,
		img.OSNameEn, img.Platform, img.OSType, img.Architecture, img.SizeGiB, img.Status, img.Progress, img.Origin,
		img.SourceImageID, img.SourceRegionID, img.SourceInstanceID, img.TaskID, img.FileFormat, img.VirtualSize,
		img.ContentPath, string(raw), img.ResourceGroupID, created}, nil
}

func scanImage(img *store.Image) func(scanner) error {
	return func(sc scanner) error {
		var disks string
		var created int64
		err := sc.Scan(&img.ID, &img.AccountID, &img.RegionID, &img.Name, &img.Description, &img.Version, &img.Family,
			&img.OSName, &img.OSNameEn, &img.Platform, &img.OSType, &img.Architecture, &img.SizeGiB, &img.Status,
			&img.Progress, &img.Origin, &img.SourceImageID, &img.SourceRegionID, &img.SourceInstanceID, &img.TaskID,
			&img.FileFormat, &img.VirtualSize, &img.ContentPath, &disks, &img.ResourceGroupID, &created)
		if err != nil {
			return err
		}
		img.CreatedAt = fromNanos(created)
		img.Disks = nil
		if err := json.Unmarshal([]byte(disks), &img.Disks); err != nil {
			return fmt.Errorf("image %s disks: %w", img.ID, err)
		}
		return nil
	}
}

// snapshotsOf returns the distinct snapshot IDs of an image's disks.
func snapshotsOf(img store.Image) []string {
	var ids []string
	for _, d := range img.Disks {
		if d.SnapshotID != "" && !slices.Contains(ids, d.SnapshotID) {
			ids = append(ids, d.SnapshotID)
		}
	}
	return ids
}

// CreateImage implements store.ImageTx.
func (t *tx) CreateImage(img store.Image) error {
	args, err := imageArgs(img)
	if err != nil {
		return fmt.Errorf("create image %s: %w", img.ID, err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	if err := t.insert(`INSERT INTO images (`+imageColumns+`) VALUES (`+marks+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create image %s: %w", img.ID, err)
	}
	if err := t.AddImageSnapshotRefs(img.AccountID, img.ID, snapshotsOf(img)); err != nil {
		return fmt.Errorf("create image %s: %w", img.ID, err)
	}
	return nil
}

// GetImage implements store.ImageTx.
func (t *tx) GetImage(id string) (store.Image, error) {
	var img store.Image
	if err := t.get(scanImage(&img), `SELECT `+imageColumns+` FROM images WHERE id = ?`, id); err != nil {
		return store.Image{}, fmt.Errorf("get image %s: %w", id, err)
	}
	return img, nil
}

// ListImages implements store.ImageTx.
func (t *tx) ListImages(f store.ImageFilter) ([]store.Image, error) {
	w := &where{}
	const shared = "id IN (SELECT image_id FROM image_shares WHERE account_id = ?)"
	switch {
	case f.AccountID != 0 && f.SharedWith != 0:
		w.add("(account_id = ? OR "+shared+")", f.AccountID, f.SharedWith)
	case f.AccountID != 0:
		w.add("account_id = ?", f.AccountID)
	case f.SharedWith != 0:
		w.add(shared, f.SharedWith)
	}
	w.eq("region_id", f.RegionID)
	w.in("id", f.IDs)
	w.eq("name", f.Name)
	w.eq("source_image_id", f.SourceImageID)
	out := []store.Image{}
	var img store.Image
	err := t.list(func(s scanner) error {
		if err := scanImage(&img)(s); err != nil {
			return err
		}
		out = append(out, img)
		return nil
	}, `SELECT `+imageColumns+` FROM images`+w.sql()+` ORDER BY created_at DESC, id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	return out, nil
}

// UpdateImage implements store.ImageTx.
func (t *tx) UpdateImage(img store.Image) error {
	args, err := imageArgs(img)
	if err != nil {
		return fmt.Errorf("update image %s: %w", img.ID, err)
	}
	q, vals := updateAll("images", imageColumns, args, img.AccountID, img.ID)
	if err := t.update(q, vals...); err != nil {
		return fmt.Errorf("update image %s: %w", img.ID, err)
	}
	return nil
}

// AddImageSnapshotRefs implements store.ImageTx.
func (t *tx) AddImageSnapshotRefs(accountID int64, imageID string, snapshotIDs []string) error {
	for _, sid := range snapshotIDs {
		_, err := t.exec(`INSERT INTO snapshot_image_refs (snapshot_id, image_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			sid, imageID, accountID)
		if err != nil {
			return fmt.Errorf("image %s references snapshot %s: %w", imageID, sid, err)
		}
	}
	return nil
}

// ImageSnapshotRefs implements store.ImageTx.
func (t *tx) ImageSnapshotRefs(imageID string) ([]string, error) {
	ids := []string{}
	var id string
	err := t.list(func(s scanner) error {
		if err := s.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, `SELECT snapshot_id FROM snapshot_image_refs WHERE image_id = ? ORDER BY snapshot_id`, imageID)
	if err != nil {
		return nil, fmt.Errorf("snapshots of image %s: %w", imageID, err)
	}
	return ids, nil
}

// DeleteImage implements store.ImageTx.
func (t *tx) DeleteImage(accountID int64, id string) error {
	if err := t.update(`DELETE FROM images WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete image %s: %w", id, err)
	}
	for _, q := range []string{`DELETE FROM snapshot_image_refs WHERE image_id = ?`, `DELETE FROM image_shares WHERE image_id = ?`,
		`DELETE FROM tags WHERE resource_type = 'image' AND resource_id = ?`} {
		if _, err := t.exec(q, id); err != nil {
			return fmt.Errorf("delete image %s: %w", id, err)
		}
	}
	return nil
}

// ImageInUse implements store.ImageTx.
func (t *tx) ImageInUse(id string) (bool, error) {
	var n int
	err := t.get(func(s scanner) error { return s.Scan(&n) }, `SELECT COUNT(*) FROM instances WHERE image_id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("instances of image %s: %w", id, err)
	}
	return n > 0, nil
}

// PutImageShare implements store.ImageTx.
func (t *tx) PutImageShare(s store.ImageShare) error {
	created, err := toNanos(s.CreatedAt)
	if err != nil {
		return fmt.Errorf("share image %s: %w", s.ImageID, err)
	}
	_, err = t.exec(`INSERT INTO image_shares (image_id, account_id, owner_id, region_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.ImageID, s.AccountID, s.OwnerID, s.RegionID, created)
	if err != nil {
		return fmt.Errorf("share image %s: %w", s.ImageID, err)
	}
	return nil
}

// DeleteImageShare implements store.ImageTx.
func (t *tx) DeleteImageShare(imageID string, accountID int64) error {
	if _, err := t.exec(`DELETE FROM image_shares WHERE image_id = ? AND account_id = ?`, imageID, accountID); err != nil {
		return fmt.Errorf("unshare image %s: %w", imageID, err)
	}
	return nil
}

// ListImageShares implements store.ImageTx.
func (t *tx) ListImageShares(imageID string) ([]store.ImageShare, error) {
	out := []store.ImageShare{}
	var s store.ImageShare
	var created int64
	err := t.list(func(sc scanner) error {
		if err := sc.Scan(&s.ImageID, &s.AccountID, &s.OwnerID, &s.RegionID, &created); err != nil {
			return err
		}
		s.CreatedAt = fromNanos(created)
		out = append(out, s)
		return nil
	}, `SELECT image_id, account_id, owner_id, region_id, created_at FROM image_shares WHERE image_id = ? ORDER BY account_id`, imageID)
	if err != nil {
		return nil, fmt.Errorf("shares of image %s: %w", imageID, err)
	}
	return out, nil
}

// CountImagesSharedWith implements store.ImageTx.
func (t *tx) CountImagesSharedWith(accountID int64) (int, error) {
	var n int
	err := t.get(func(s scanner) error { return s.Scan(&n) }, `SELECT COUNT(*) FROM image_shares WHERE account_id = ?`, accountID)
	if err != nil {
		return 0, fmt.Errorf("images shared with %d: %w", accountID, err)
	}
	return n, nil
}
