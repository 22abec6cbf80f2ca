package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// MaxKeyPairInstances is how many instances one AttachKeyPair or DetachKeyPair
// may name (guide 1.12.3, 1.12.4).
const MaxKeyPairInstances = 50

// KeyPairResult is the outcome of AttachKeyPair or DetachKeyPair for one
// instance: Success with Code "200" and Message "success", or the error code
// and message (InvalidInstanceId.NotFound for an unknown instance).
type KeyPairResult struct {
	InstanceID string
	Success    bool
	Code       string
	Message    string
}

// AttachKeyPair binds the key pair keyPairName of the caller's region to the
// instances (guide 1.12.3), replacing the key pair an instance had. A Running
// instance uses it after RebootInstance, a Stopped one after StartInstance;
// with a key pair the instance no longer accepts password logins. An unknown
// key pair is InvalidKeyPairName.NotFound and a Windows instance among the
// instances DependencyViolation.WindowsInstance, both for the whole call; an
// unknown instance fails in its result and the others are bound.
func (s *Service) AttachKeyPair(ctx context.Context, c Caller, keyPairName string, instanceIDs []string) ([]KeyPairResult, error) {
	results, err := s.bindKeyPair(ctx, c, keyPairName, instanceIDs, true)
	if err != nil {
		return nil, fmt.Errorf("attach key pair %q: %w", keyPairName, err)
	}
	return results, nil
}

// DetachKeyPair unbinds the key pair keyPairName from the instances (guide
// 1.12.4), from all the caller's instances in the region that have it when
// instanceIDs is empty. The change takes effect after RebootInstance; the
// instance then accepts password logins again. An instance bound to another
// key pair, or to none, is left as it is and succeeds.
func (s *Service) DetachKeyPair(ctx context.Context, c Caller, keyPairName string, instanceIDs []string) ([]KeyPairResult, error) {
	results, err := s.bindKeyPair(ctx, c, keyPairName, instanceIDs, false)
	if err != nil {
		return nil, fmt.Errorf("detach key pair %q: %w", keyPairName, err)
	}
	return results, nil
}

// bindKeyPair is AttachKeyPair (attach) or DetachKeyPair.
func (s *Service) bindKeyPair(ctx context.Context, c Caller, name string, ids []string, attach bool) ([]KeyPairResult, error) {
	var results []KeyPairResult
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetKeyPair(c.AccountID, c.RegionID, name); errors.Is(err, store.ErrNotFound) {
			return errKeyPairBindNotFound(attach)
		} else if err != nil {
			return fmt.Errorf("get key pair: %w", err)
		}
		targets, err := keyPairTargets(tx, c, name, ids, attach)
		if err != nil {
			return err
		}
		for _, t := range targets {
			if t.found && t.inst.OSType == image.OSTypeWindows {
				return errKeyPairBindWindows(attach)
			}
		}
		results = results[:0]
		for _, t := range targets {
			if !t.found {
				e := ErrNotFound()
				results = append(results, KeyPairResult{InstanceID: t.id, Code: e.Code, Message: e.Message})
				continue
			}
			inst := t.inst
			switch {
			case attach && inst.KeyPairName != name:
				inst.KeyPairName = name
			case !attach && inst.KeyPairName == name:
				inst.KeyPairName = ""
			default:
				results = append(results, keyPairSuccess(inst.ID))
				continue
			}
			if err := tx.UpdateInstance(inst); err != nil {
				return err
			}
			results = append(results, keyPairSuccess(inst.ID))
		}
		return nil
	})
	return results, err
}

func keyPairSuccess(id string) KeyPairResult {
	return KeyPairResult{InstanceID: id, Success: true, Code: codeSuccess, Message: msgSuccess}
}

// keyPairTarget is one instance a key-pair call names: found, or not.
type keyPairTarget struct {
	id    string
	inst  store.Instance
	found bool
}

// keyPairTargets returns the instances named by ids, in order, repeats
// dropped; for a detach without ids, every instance of the caller's region
// bound to the key pair.
func keyPairTargets(tx store.Tx, c Caller, name string, ids []string, attach bool) ([]keyPairTarget, error) {
	var out []keyPairTarget
	if len(ids) == 0 && !attach {
		insts, _, err := tx.ListInstances(store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID, KeyPairName: name})
		if err != nil {
			return nil, err
		}
		for _, inst := range insts {
			out = append(out, keyPairTarget{id: inst.ID, inst: inst, found: true})
		}
		return out, nil
	}
	var seen []string
	for _, id := range ids {
		if slices.Contains(seen, id) {
			continue
		}
		seen = append(seen, id)
		inst, err := getInstance(tx, c, id, ErrNotFound())
		if errors.Is(err, ErrNotFound()) || err == nil && inst.RegionID != c.RegionID {
			// A key pair belongs to one region: another region's instance is not found.
			out = append(out, keyPairTarget{id: id})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, keyPairTarget{id: id, inst: inst, found: true})
	}
	return out, nil
}
