package disk

import (
	"fmt"

	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// Disk tags are rows of type disk in the shared tags table; the tag service
// owns their rules (guide 1.15), which CreateDisk's Tag.N and DescribeDisks'
// Tag.n follow.

// checkTags validates CreateDisk's Tag.N (the SDK's, up to 20); a later tag
// with the key of an earlier one replaces it.
func checkTags(tags []store.Tag) ([]store.Tag, error) {
	if len(tags) > tag.MaxPerBatch {
		return nil, tag.ErrCount()
	}
	return tag.Validate(tags)
}

// checkFilterTags validates DescribeDisks' Tag.n: at most 5 (1.7.2), every one
// with a key (InvalidTag.Mismatch).
func checkFilterTags(tags []store.Tag) error {
	if len(tags) > tag.MaxPerCall {
		return tag.ErrCount()
	}
	for _, t := range tags {
		if t.Key == "" {
			return tag.ErrMismatch()
		}
	}
	return nil
}

// putTags stores a new disk's tags.
func putTags(tx store.Tx, accountID int64, diskID string, tags []store.Tag) error {
	if len(tags) == 0 {
		return nil
	}
	if err := tx.PutTags(accountID, store.TagTypeDisk, diskID, tags); err != nil {
		return fmt.Errorf("tag disk %s: %w", diskID, err)
	}
	return nil
}

// listTags returns the tags of disks, by disk ID.
func listTags(tx store.Tx, accountID int64, diskIDs []string) (map[string][]store.Tag, error) {
	if len(diskIDs) == 0 {
		return map[string][]store.Tag{}, nil
	}
	tags, err := tx.GetTags(accountID, store.TagTypeDisk, diskIDs)
	if err != nil {
		return nil, fmt.Errorf("disk tags: %w", err)
	}
	return tags, nil
}

// deleteTags removes a deleted disk's tags.
func deleteTags(tx store.Tx, accountID int64, diskID string) error {
	if err := tx.DeleteAllTags(accountID, store.TagTypeDisk, diskID); err != nil {
		return fmt.Errorf("untag disk %s: %w", diskID, err)
	}
	return nil
}
