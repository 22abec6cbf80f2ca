package eni

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// driverTimeout bounds one attach or detach call of the compute driver. The
// call runs on a context the client cannot cancel: a caller that hangs up must
// not leave an interface half attached.
const driverTimeout = 2 * time.Minute

// Attach attaches an Available secondary interface to a Stopped instance of its
// VPC and zone (AttachNetworkInterface, 1.13.2), within the instance type's
// interface limit (appendix 1.18.1, the primary interface included). When the
// instance runs on the compute driver the interface is Attaching while the
// driver attaches it, then InUse; otherwise it is InUse at once, and the
// driver gets it when it creates the instance.
func (s *Service) Attach(ctx context.Context, c Caller, eniID, instanceID string) error {
	st := attachStep()
	n, job, err := s.begin(ctx, st, func(tx store.Tx, now time.Time) (store.NetworkInterface, store.Instance, error) {
		return s.checkAttach(tx, c, eniID, instanceID, now)
	})
	if err != nil || job == nil {
		return err
	}
	return s.settle(ctx, n, job, st)
}

// checkAttach applies AttachNetworkInterface's rules and returns the
// interface, prepared for the instance, and the instance.
func (s *Service) checkAttach(tx store.Tx, c Caller, eniID, instanceID string, now time.Time) (store.NetworkInterface, store.Instance, error) {
	n, err := getENI(tx, c, eniID)
	if err != nil {
		return n, store.Instance{}, err
	}
	inst, err := getInstance(tx, c, instanceID)
	switch {
	case err != nil:
		return n, inst, err
	case n.Type == TypePrimary:
		return n, inst, errENIType()
	case n.Status != StatusAvailable:
		return n, inst, errENIState()
	case !stoppedAndSettled(inst, now):
		return n, inst, errEcsState()
	case n.VpcID != inst.VpcID:
		return n, inst, errVpcMismatch()
	case n.ZoneID != inst.ZoneID:
		return n, inst, errZoneMismatch()
	}
	attached, err := tx.InstanceNetworkInterfaces([]string{inst.ID})
	if err != nil {
		return n, inst, fmt.Errorf("network interfaces of %s: %w", inst.ID, err)
	}
	count := 1 // the primary interface
	for _, a := range attached {
		if a.Type == TypeSecondary {
			count++
		}
	}
	if count >= s.InstanceLimit(inst.InstanceType) {
		return n, inst, errInstanceLimit()
	}
	n.InstanceID, n.AttachedAt = inst.ID, now
	return n, inst, nil
}

// InstanceLimit is how many network interfaces, the primary one included, an
// instance of the type may have (appendix 1.18.1's "弹性网卡（包括一块主网卡）").
// Types the appendix gives no number for (the older families) have their
// primary interface only.
func (s *Service) InstanceLimit(instanceType string) int {
	if t, ok := s.deps.Catalog.InstanceType(instanceType); ok && t.EniQuantity > 0 {
		return t.EniQuantity
	}
	return 1
}

// Detach detaches a secondary interface from its Stopped instance
// (DetachNetworkInterface, 1.13.4); it is then Available. When the instance
// runs on the compute driver the interface is Detaching meanwhile.
func (s *Service) Detach(ctx context.Context, c Caller, eniID, instanceID string) error {
	st := detachStep()
	n, job, err := s.begin(ctx, st, func(tx store.Tx, now time.Time) (store.NetworkInterface, store.Instance, error) {
		return checkDetach(tx, c, eniID, instanceID, now)
	})
	if err != nil || job == nil {
		return err
	}
	return s.settle(ctx, n, job, st)
}

// checkDetach applies DetachNetworkInterface's rules.
func checkDetach(tx store.Tx, c Caller, eniID, instanceID string, now time.Time) (store.NetworkInterface, store.Instance, error) {
	n, err := getENI(tx, c, eniID)
	if err != nil {
		return n, store.Instance{}, err
	}
	inst, err := getInstance(tx, c, instanceID)
	switch {
	case err != nil:
		return n, inst, err
	case n.Type == TypePrimary:
		return n, inst, errDetachPrimary()
	case n.Status != StatusInUse || n.InstanceID != inst.ID:
		return n, inst, errENIState()
	case !stoppedAndSettled(inst, now):
		return n, inst, errEcsState()
	}
	return n, inst, nil
}

// detached makes n a detached interface.
func detached(n *store.NetworkInterface, _ time.Time) {
	n.Status, n.InstanceID, n.AttachedAt = StatusAvailable, "", time.Time{}
}

// job is the driver half of an attach or detach: the instance's handle and
// the interface as the driver sees it.
type job struct {
	handle driver.Handle
	nic    driver.NICSpec
}

// begin is the first transaction of an attach or detach: check applies the
// action's rules and returns the interface (prepared for the change) and its
// instance. When the instance runs on the compute driver the interface goes to
// st.from and begin returns the driver's job for settle; otherwise the change
// is made at once (st.done) and the job is nil.
func (s *Service) begin(ctx context.Context, st step,
	check func(tx store.Tx, now time.Time) (store.NetworkInterface, store.Instance, error)) (store.NetworkInterface, *job, error) {
	var n store.NetworkInterface
	var j *job
	now := s.now()
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		j = nil
		var inst store.Instance
		var err error
		if n, inst, err = check(tx, now); err != nil {
			return err
		}
		h, ok, err := handleOf(inst)
		if err != nil {
			return err
		}
		if ok {
			if _, can := s.deps.Compute.(driver.NICAttacher); !can {
				return errDriverUnsupported()
			}
			groups, err := tx.NetworkInterfaceSecurityGroups([]string{n.ID})
			if err != nil {
				return err
			}
			spec, err := instance.NICSpec(tx, n, groups[n.ID])
			if err != nil {
				return err
			}
			n.Status, j = st.from, &job{handle: h, nic: spec}
		} else {
			st.done(&n, now)
		}
		if err := tx.UpdateNetworkInterface(n); err != nil {
			return fmt.Errorf("network interface %s: %w", n.ID, err)
		}
		return nil
	})
	return n, j, err
}

// step is the driver half of an attach or detach: the transitional status it
// starts from, the driver call, and what success and failure make of the
// interface.
type step struct {
	from string
	call func(ctx context.Context, na driver.NICAttacher, j job) (driver.Handle, error)
	done func(n *store.NetworkInterface, now time.Time)
	undo func(n *store.NetworkInterface)
}

// attachStep is the driver half of AttachNetworkInterface.
func attachStep() step {
	return step{
		from: StatusAttaching,
		call: func(ctx context.Context, na driver.NICAttacher, j job) (driver.Handle, error) {
			return na.AttachNIC(ctx, j.handle, j.nic)
		},
		done: func(n *store.NetworkInterface, now time.Time) { n.Status, n.AttachedAt = StatusInUse, now },
		undo: func(n *store.NetworkInterface) {
			n.Status, n.InstanceID, n.AttachedAt = StatusAvailable, "", time.Time{}
		},
	}
}

// detachStep is the driver half of DetachNetworkInterface.
func detachStep() step {
	return step{
		from: StatusDetaching,
		call: func(ctx context.Context, na driver.NICAttacher, j job) (driver.Handle, error) {
			h, err := na.DetachNIC(ctx, j.handle, j.nic.NetworkInterfaceID)
			if errors.Is(err, driver.ErrNotFound) { // no instance: nothing is attached to it
				return driver.Handle{}, nil
			}
			return h, err
		},
		done: detached,
		undo: func(n *store.NetworkInterface) { n.Status = StatusInUse },
	}
}

// settle makes the driver call of st for interface n, which the store shows
// in st.from, and then, in one transaction, finishes the change (persisting
// the instance's new handle) or undoes it. An interface that has meanwhile left
// st.from is left alone. An attach whose instance has gone is undone; a detach
// is done.
func (s *Service) settle(ctx context.Context, n store.NetworkInterface, j *job, st step) error {
	ctx = context.WithoutCancel(ctx)
	var newHandle driver.Handle
	var derr error
	if na, ok := s.deps.Compute.(driver.NICAttacher); !ok {
		derr = errDriverUnsupported()
	} else {
		dctx, cancel := context.WithTimeout(ctx, driverTimeout)
		newHandle, derr = st.call(dctx, na, *j)
		cancel()
	}
	now := s.now()
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetNetworkInterface(n.AccountID, n.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("settle network interface %s: %w", n.ID, err)
		}
		if cur.Status != st.from || cur.InstanceID != n.InstanceID {
			return nil
		}
		inst, err := tx.GetInstance(n.AccountID, n.InstanceID)
		gone := errors.Is(err, store.ErrNotFound)
		if err != nil && !gone {
			return fmt.Errorf("settle network interface %s: %w", n.ID, err)
		}
		switch {
		case gone && st.from == StatusDetaching, !gone && derr == nil:
			st.done(&cur, now)
		default:
			st.undo(&cur)
		}
		if err := tx.UpdateNetworkInterface(cur); err != nil {
			return fmt.Errorf("settle network interface %s: %w", n.ID, err)
		}
		if gone || derr != nil || newHandle.IsZero() {
			return nil
		}
		b, err := json.Marshal(newHandle)
		if err != nil {
			return fmt.Errorf("encode driver handle: %w", err)
		}
		inst.DriverHandle = b
		return tx.UpdateInstance(inst)
	})
	if err != nil {
		return err
	}
	if derr != nil {
		return driverError(derr)
	}
	return nil
}

// driverError maps a compute driver error (docs/drivers.md) to an answer.
func driverError(err error) error {
	var ae *apierr.Error
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, driver.ErrInvalidState), errors.Is(err, driver.ErrNotFound):
		return errEcsState().WithCause(err)
	case errors.Is(err, driver.ErrInvalidArgument):
		return errENIState().WithCause(err)
	case errors.Is(err, driver.ErrUnsupported):
		return errDriverUnsupported().WithCause(err)
	case errors.Is(err, driver.ErrTransient), errors.Is(err, driver.ErrTimeout),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return apierr.ServiceUnavailable(err)
	}
	return fmt.Errorf("compute driver: %w", err)
}

// Resume settles the interfaces a crash left Attaching or Detaching (ecsd
// stopped between the driver call and its transaction) by repeating the
// driver call, which is idempotent, and finishing. Call it once at start-up;
// it recovers the instances it needs from the compute driver itself. It
// returns every failure, joined.
func (s *Service) Resume(ctx context.Context) error {
	type pending struct {
		n store.NetworkInterface
		j *job
	}
	var todo []pending
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		todo = nil
		accounts, err := tx.ListAccounts()
		if err != nil {
			return fmt.Errorf("resume network interfaces: %w", err)
		}
		for _, a := range accounts {
			list, _, err := tx.ListNetworkInterfaces(store.NetworkInterfaceFilter{AccountID: a.ID,
				Statuses: []string{StatusAttaching, StatusDetaching}})
			if err != nil {
				return fmt.Errorf("resume network interfaces of %d: %w", a.ID, err)
			}
			for _, n := range list {
				p := pending{n: n}
				if inst, err := tx.GetInstance(a.ID, n.InstanceID); err == nil {
					if h, ok, err := handleOf(inst); err == nil && ok {
						groups, err := tx.NetworkInterfaceSecurityGroups([]string{n.ID})
						if err != nil {
							return err
						}
						spec, err := instance.NICSpec(tx, n, groups[n.ID])
						if err != nil {
							return err
						}
						p.j = &job{handle: h, nic: spec}
					}
				}
				todo = append(todo, p)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range todo {
		if err := s.resumeOne(ctx, p.n, p.j); err != nil {
			errs = append(errs, fmt.Errorf("resume network interface %s: %w", p.n.ID, err))
		}
	}
	return errors.Join(errs...)
}

// resumeOne settles one interface found in a transitional status. Without a
// driver handle (the instance is gone or was never created) there is nothing
// to call: an attach is undone, a detach done.
func (s *Service) resumeOne(ctx context.Context, n store.NetworkInterface, j *job) error {
	st := attachStep()
	if n.Status == StatusDetaching {
		st = detachStep()
	}
	if j == nil {
		return s.deps.Store.Update(ctx, func(tx store.Tx) error {
			cur, err := tx.GetNetworkInterface(n.AccountID, n.ID)
			if err != nil || cur.Status != n.Status {
				return ignoreNotFound(err)
			}
			if st.from == StatusDetaching {
				st.done(&cur, s.now())
			} else {
				st.undo(&cur)
			}
			return tx.UpdateNetworkInterface(cur)
		})
	}
	// Recover is idempotent and never boots or stops: whether or not the
	// instance service has recovered the instance yet, the driver has it now.
	if live, err := s.deps.Compute.Recover(ctx, j.handle); err == nil {
		j.handle = live
	}
	return s.settle(ctx, n, j, st)
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
