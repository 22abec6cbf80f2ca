package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/store"
)

// This file and its attributes_*.go siblings implement the actions that change
// an existing instance's attributes (guide 1.5.7, 1.5.8, 1.5.12, 1.5.15–1.5.17,
// 1.10, 1.11.6–1.11.7, 1.12.3–1.12.4), the security lock of guide 1.18.7 and the
// read-only attributes Terraform asks for. They only change the store, in one
// transaction each; no driver call is needed: what a guest sees of them (host
// name, key pair, user data, RAM role) it reads from the instance's row.

// LockForSecurity sets (locked) or clears the "security" operation lock of an
// account's instance (guide 1.18.7), for the administrator. While it is set,
// the actions the guide's table marks 报错 answer InstanceLockedForSecurity and
// DescribeInstances reports the lock in OperationLocks. Setting a lock that is
// set, or clearing one that is not, succeeds. An unknown instance is
// InvalidInstanceId.NotFound.
func (s *Service) LockForSecurity(ctx context.Context, accountID int64, instanceID string, locked bool) error {
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		in, err := tx.GetInstance(accountID, instanceID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound()
		}
		if err != nil {
			return err
		}
		reasons := LockReasons(in)
		has := slices.Contains(reasons, LockSecurity)
		switch {
		case locked && !has:
			reasons = append(reasons, LockSecurity)
		case !locked && has:
			reasons = slices.DeleteFunc(reasons, func(r string) bool { return r == LockSecurity })
		default:
			return nil
		}
		in.OperationLocks = strings.Join(reasons, ",")
		return tx.UpdateInstance(in)
	})
	if err != nil {
		return fmt.Errorf("lock instance %s for security (%v): %w", instanceID, locked, err)
	}
	return nil
}

// settledIn reports whether the instance's status is one of statuses, no
// operation is under way on it (Busy) and it is not being deleted.
func (s *Service) settledIn(in store.Instance, statuses ...string) bool {
	return slices.Contains(statuses, in.Status) && !Busy(in) && !Deleting(in, s.now())
}
