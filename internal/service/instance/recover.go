package instance

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// spec builds what the driver needs to define the instance: its size, disks
// (with their files, when the service has a volume store), network interfaces
// (primary first), user data, SSH key and (while the service still holds it)
// its password.
func (s *Service) spec(ctx context.Context, in store.Instance) (driver.InstanceSpec, error) {
	var v View
	var nics []driver.NICSpec
	var publicKey string
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if v, err = LoadView(tx, in.AccountID, in.ID); err != nil {
			return err
		}
		if nics, err = nicSpecs(tx, v); err != nil {
			return err
		}
		if in.KeyPairName == "" {
			return nil
		}
		kp, err := tx.GetKeyPair(in.AccountID, in.RegionID, in.KeyPairName)
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted since: the instance keeps the name (1.12.5), not the key
		}
		publicKey = kp.PublicKey
		return err
	})
	if err != nil {
		return driver.InstanceSpec{}, fmt.Errorf("spec of %s: %w", in.ID, err)
	}
	spec := driver.InstanceSpec{InstanceID: in.ID, Hostname: in.HostName, InstanceType: in.InstanceType,
		VCPU: in.CPU, MemoryMiB: in.MemoryMiB, ImageID: in.ImageID, OSType: in.OSType,
		Password: s.rec.password(in.ID), SerialNumber: in.SerialNumber, NICs: nics}
	for _, d := range v.Disks {
		ds := driver.DiskSpec{DiskID: d.ID, Device: d.Device, SizeGiB: d.SizeGiB, Category: d.Category}
		if d.Type == diskTypeSystem {
			spec.SystemDisk = ds
			continue
		}
		spec.DataDisks = append(spec.DataDisks, ds)
	}
	if err := s.diskFiles(ctx, &spec, v.Disks); err != nil {
		return driver.InstanceSpec{}, err
	}
	if in.UserData != "" {
		if spec.UserData, err = base64.StdEncoding.DecodeString(in.UserData); err != nil {
			return driver.InstanceSpec{}, fmt.Errorf("user data of %s: %w", in.ID, err)
		}
	}
	if publicKey != "" {
		spec.SSHPublicKeys = []string{publicKey}
	}
	return spec, nil
}

// recoverAll re-attaches the driver to every instance after a start: it hands
// each persisted handle to driver.Recover and persists the handle it returns,
// and makes sure every instance has its next step recorded, so that nothing
// stays Pending, Starting or Stopping and every Running instance is inspected.
// Recover never starts a second copy of an instance.
func (s *Service) recoverAll(ctx context.Context) {
	var all []store.Instance
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range accounts {
			ins, _, err := tx.ListInstances(store.InstanceFilter{AccountID: a.ID})
			if err != nil {
				return err
			}
			all = append(all, ins...)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() == nil {
			s.deps.Logger.Error("reconciler: list instances to recover", "err", err)
		}
		return
	}
	recovered := 0
	for _, in := range all {
		if ctx.Err() != nil {
			return
		}
		if err := s.recoverOne(ctx, in); err != nil {
			s.deps.Logger.Error("reconciler: recover instance", "instance", in.ID, "err", err)
			continue
		}
		recovered++
	}
	if len(all) > 0 {
		s.deps.Logger.Info("reconciler: instances recovered", "count", recovered, "of", len(all))
	}
}

// recoverOne recovers one instance's handle and schedule.
func (s *Service) recoverOne(ctx context.Context, in store.Instance) error {
	var handle []byte
	lost := false
	if len(in.DriverHandle) > 0 {
		h, err := decodeHandle(in.DriverHandle)
		if err != nil {
			return err
		}
		out, err := s.deps.Compute.Recover(ctx, h)
		switch {
		case errors.Is(err, driver.ErrNotFound):
			lost = true
		case err != nil:
			return fmt.Errorf("recover %s: %w", in.ID, err)
		default:
			if handle, err = encodeHandle(out); err != nil {
				return err
			}
		}
	}
	err := s.steps.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetInstance(in.AccountID, in.ID)
		if err != nil {
			return ignoreNotFound(err)
		}
		changed := false
		if handle != nil && !bytes.Equal(handle, cur.DriverHandle) {
			cur.DriverHandle, changed = handle, true
		}
		if lost && len(cur.DriverHandle) > 0 {
			cur.DriverHandle, changed = nil, true
			if cur.Status == StatusRunning && !Busy(cur) {
				cur.Status = StatusStopped
			}
		}
		if s.resume(&cur) {
			changed = true
		}
		if !changed {
			return nil
		}
		return tx.UpdateInstance(cur)
	})
	return err
}

// resume gives an instance recorded without a next step (which ecsd never
// writes, but an older or foreign writer might) the step its status calls
// for, and schedules the auto-release of a settled one; it reports whether it
// changed anything. (Running instances are inspected by the health sweep, which
// starts at once.)
func (s *Service) resume(in *store.Instance) bool {
	now := s.now()
	if in.NextStatus == "" {
		switch in.Status {
		case StatusPending:
			in.NextStatus, in.NextStatusAt = intentStopped, now
			return true
		case StatusStarting:
			in.NextStatus, in.NextStatusAt = intentRunning, now
			return true
		case StatusStopping:
			in.NextStatus, in.NextStatusAt = intentStopped, now
			return true
		}
	}
	if (in.Status == StatusRunning || in.Status == StatusStopped) && in.NextStatus == "" && !in.AutoReleaseTime.IsZero() {
		scheduleIdle(in)
		return true
	}
	return false
}
