package image

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// maxShareAccounts is how many AddAccount.n / RemoveAccount.n one call takes;
// the guide ignores the rest (1.9.7).
const maxShareAccounts = 10

// Share page sizes (guide 1.9.8 PageSize: at most 50, default 10).
const (
	MaxSharePageSize     = 50
	DefaultSharePageSize = 10
)

// Share shares a custom image with accounts and stops sharing it with others
// (ModifyImageSharePermission, 1.9.7). Removals apply first; only the first
// ten of each list count. A shared image is listed for those accounts as
// ImageOwnerAlias others, and they may create instances and replace system
// disks from it.
func (s *Service) Share(ctx context.Context, c Caller, id string, add, remove []string) error {
	if id == "" {
		return apierr.MissingParameter("ImageId")
	}
	add, remove = add[:min(len(add), maxShareAccounts)], remove[:min(len(remove), maxShareAccounts)]
	now := s.now()
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		img, err := ownImage(tx, c, id, errShareNotFound())
		if err != nil {
			return err
		}
		if img.Status != StatusAvailable {
			return errNotAvailable()
		}
		removeIDs, err := accountIDs(tx, c, remove)
		if err != nil {
			return err
		}
		addIDs, err := accountIDs(tx, c, add)
		if err != nil {
			return err
		}
		for _, a := range removeIDs {
			if err := tx.DeleteImageShare(id, a); err != nil {
				return err
			}
		}
		for _, a := range addIDs {
			if err := s.addShare(tx, img, a, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// accountIDs resolves AddAccount.n / RemoveAccount.n: existing accounts other
// than the caller.
func accountIDs(tx store.Tx, c Caller, values []string) ([]int64, error) {
	var out []int64
	for _, v := range values {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, errAccountNotFound()
		}
		if n == c.AccountID {
			return nil, errShareSelf()
		}
		if _, err := tx.GetAccount(n); errors.Is(err, store.ErrNotFound) {
			return nil, errAccountNotFound()
		} else if err != nil {
			return nil, fmt.Errorf("account %d: %w", n, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// addShare shares img with account within the quotas.
func (s *Service) addShare(tx store.Tx, img store.Image, account int64, now time.Time) error {
	shares, err := tx.ListImageShares(img.ID)
	if err != nil {
		return err
	}
	for _, sh := range shares {
		if sh.AccountID == account {
			return nil
		}
	}
	if len(shares) >= s.deps.Limits.SharesPerImage {
		return errShareUserQuota()
	}
	n, err := tx.CountImagesSharedWith(account)
	if err != nil {
		return err
	}
	if n >= s.deps.Limits.SharedPerAccount {
		return errShareQuota()
	}
	return tx.PutImageShare(store.ImageShare{ImageID: img.ID, AccountID: account, OwnerID: img.AccountID, RegionID: img.RegionID, CreatedAt: now})
}

// SharePage is one page of the accounts an image is shared with.
type SharePage struct {
	Shares     []store.ImageShare
	TotalCount int
}

// Shares lists the accounts a custom image of the caller is shared with,
// by account ID, one page at a time (DescribeImageSharePermission, 1.9.8).
func (s *Service) Shares(ctx context.Context, c Caller, id string, p Page) (SharePage, error) {
	if id == "" {
		return SharePage{}, apierr.MissingParameter("ImageId")
	}
	if p.Number < 1 {
		return SharePage{}, apierr.InvalidParameter("PageNumber")
	}
	if p.Size < 1 || p.Size > MaxSharePageSize {
		return SharePage{}, apierr.InvalidParameter("PageSize")
	}
	var out SharePage
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		if _, err := ownImage(tx, c, id, ErrNotFound()); err != nil {
			return err
		}
		all, err := tx.ListImageShares(id)
		if err != nil {
			return err
		}
		out = SharePage{Shares: []store.ImageShare{}, TotalCount: len(all)}
		if start := (p.Number - 1) * p.Size; start < len(all) {
			out.Shares = all[start:min(start+p.Size, len(all))]
		}
		return nil
	})
	return out, err
}
