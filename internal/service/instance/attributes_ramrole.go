package instance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
	"github.com/ecsd/ecsd/internal/store"
)

// maxRAMRoleInstances is how many instances one RAM-role call may name
// (guide 1.5.7, 1.5.8, 1.5.12).
const maxRAMRoleInstances = 100

// Per-instance outcomes of AttachInstanceRamRole and DetachInstanceRamRole. The
// guide's result Code is "200" on success and an error code otherwise; it names
// no code for an instance that already has another role, so ecsd answers
// codeRAMRoleAttached for it.
const (
	codeSuccess         = "200"
	msgSuccess          = "success"
	codeRAMRoleAttached = "Forbidden.RamRoleAttached"
	msgRAMRoleAttached  = "The instance already has an instance RAM role; detach it first."
)

// RAMRoleResult is the outcome of a RAM-role action for one instance.
type RAMRoleResult struct {
	InstanceID string
	// Success is true when the instance now has (Attach) or no longer has
	// (Detach) the role; Code is then "200" and Message "success", otherwise
	// the error code and message.
	Success bool
	Code    string
	Message string
	// RoleName is the role the instance carried before a Detach ("" if none).
	RoleName string
}

// RAMRoleSet is one instance and its RAM role ("" when it has none).
type RAMRoleSet struct {
	InstanceID string
	RoleName   string
}

// AttachRAMRole gives the instances named by instanceIDs (a JSON array of 1 to
// 100 IDs) the RAM role roleName (guide 1.5.7). The role must be a RAM role of
// the caller's account whose trust policy lets the ECS service assume it, and
// every instance must exist; an instance that already has another role is
// refused in its result, one that has this role succeeds again. The others are
// changed in one transaction.
func (s *Service) AttachRAMRole(ctx context.Context, c Caller, roleName, instanceIDs string) ([]RAMRoleResult, error) {
	ids, err := parseRAMInstanceIDs(instanceIDs, "InstanceIds")
	if err != nil {
		return nil, err
	}
	if roleName == "" {
		return nil, errRAMMissing("RamRoleName")
	}
	var results []RAMRoleResult
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		insts, err := ramRoleTargets(tx, c, roleName, ids, true)
		if err != nil {
			return err
		}
		results = results[:0]
		for _, inst := range insts {
			r := RAMRoleResult{InstanceID: inst.ID, RoleName: inst.RAMRoleName}
			switch inst.RAMRoleName {
			case roleName:
				r.Success, r.Code, r.Message = true, codeSuccess, msgSuccess
			case "":
				inst.RAMRoleName = roleName
				if err := tx.UpdateInstance(inst); err != nil {
					return err
				}
				r.Success, r.Code, r.Message = true, codeSuccess, msgSuccess
			default:
				r.Code, r.Message = codeRAMRoleAttached, msgRAMRoleAttached
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attach ram role %q: %w", roleName, err)
	}
	return results, nil
}

// DetachRAMRole takes the RAM role from the instances named by instanceIDs (a
// JSON array of 1 to 100 IDs; guide 1.5.8). With roleName only that role is
// taken: it must be a RAM role of the caller's account (or one an instance
// still carries after the role was deleted), and an instance without it fails
// in its result with InvalidRamRole.NotFound, as does an instance without any
// role.
func (s *Service) DetachRAMRole(ctx context.Context, c Caller, roleName, instanceIDs string) ([]RAMRoleResult, error) {
	ids, err := parseRAMInstanceIDs(instanceIDs, "InstancesIds")
	if err != nil {
		return nil, err
	}
	var results []RAMRoleResult
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		insts, err := ramRoleTargets(tx, c, roleName, ids, false)
		if err != nil {
			return err
		}
		results = results[:0]
		for _, inst := range insts {
			r := RAMRoleResult{InstanceID: inst.ID, RoleName: inst.RAMRoleName}
			if inst.RAMRoleName == "" || roleName != "" && inst.RAMRoleName != roleName {
				e := errRAMRoleNotFound()
				r.Code, r.Message = e.Code, e.Message
				results = append(results, r)
				continue
			}
			inst.RAMRoleName = ""
			if err := tx.UpdateInstance(inst); err != nil {
				return err
			}
			r.Success, r.Code, r.Message = true, codeSuccess, msgSuccess
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("detach ram role %q: %w", roleName, err)
	}
	return results, nil
}

// DescribeRAMRoles lists the RAM roles of the instances named by instanceIDs
// (a JSON array of up to 100 IDs), one entry per instance, "" for an instance
// without a role (guide 1.5.12). With roleName (which must exist) only the
// instances with that role are listed; with roleName alone, every instance of
// the caller's region that has it. It returns one page and the total.
func (s *Service) DescribeRAMRoles(ctx context.Context, c Caller, roleName, instanceIDs string, page store.Page) ([]RAMRoleSet, int, error) {
	var ids []string
	if instanceIDs != "" || roleName == "" {
		var err error
		if ids, err = parseRAMInstanceIDs(instanceIDs, ""); err != nil {
			return nil, 0, err
		}
	}
	var sets []RAMRoleSet
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var insts []store.Instance
		var err error
		if len(ids) > 0 {
			insts, err = ramRoleTargets(tx, c, roleName, ids, false)
		} else {
			if err = checkRAMRole(tx, c.AccountID, roleName, false); err == nil {
				insts, _, err = tx.ListInstances(store.InstanceFilter{AccountID: c.AccountID, RegionID: c.RegionID})
			}
		}
		if err != nil {
			return err
		}
		sets = sets[:0]
		for _, inst := range insts {
			if roleName == "" || inst.RAMRoleName == roleName {
				sets = append(sets, RAMRoleSet{InstanceID: inst.ID, RoleName: inst.RAMRoleName})
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("describe instance ram roles: %w", err)
	}
	return pageOf(sets, page), len(sets), nil
}

// parseRAMInstanceIDs decodes InstanceIds: a JSON array of 1 to 100 non-empty
// IDs, repeats dropped. Absent, it is MissingParameter.<missing> (plain
// MissingParameter when missing is ""); anything else is
// InvalidInstanceIds.Malformed.
func parseRAMInstanceIDs(raw, missing string) ([]string, error) {
	if strings.TrimSpace(raw) == "" {
		if missing == "" {
			return nil, apierr.MissingParameter("InstanceIds")
		}
		return nil, errRAMMissing(missing)
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) == 0 || len(ids) > maxRAMRoleInstances {
		return nil, errIDListMalformed("InstanceIds")
	}
	var out []string
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return nil, errIDListMalformed("InstanceIds")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// ramRoleTargets checks roleName (when given; see checkRAMRole, forECS for
// attaching) and returns the caller's instances named by ids, in that order;
// any unknown one is InvalidInstanceId.NotFound. A role that no longer exists
// is still accepted, without forECS, when one of the instances carries it.
func ramRoleTargets(tx store.Tx, c Caller, roleName string, ids []string, forECS bool) ([]store.Instance, error) {
	insts := make([]store.Instance, 0, len(ids))
	for _, id := range ids {
		inst, err := getInstance(tx, c, id, ErrNotFound())
		if err != nil {
			return nil, err
		}
		insts = append(insts, inst)
	}
	if roleName != "" {
		carried := !forECS && slices.ContainsFunc(insts, func(in store.Instance) bool { return in.RAMRoleName == roleName })
		if err := checkRAMRole(tx, c.AccountID, roleName, forECS); err != nil && !carried {
			return nil, err
		}
	}
	return insts, nil
}

// checkRAMRole answers InvalidRamRole.NotFound unless roleName is a RAM role
// of the account (names compare without case, as role ARNs are lower-case);
// with forECS, also InvalidRamRole.NotEcsRole unless the role's trust policy
// lets the ECS service (ecs.aliyuncs.com) assume it.
func checkRAMRole(tx store.Tx, accountID int64, roleName string, forECS bool) error {
	role, err := ram.FindRole(tx, accountID, roleName)
	if errors.Is(err, store.ErrNotFound) {
		return errRAMRoleNotFound()
	}
	if err != nil {
		return err
	}
	if forECS && !policydoc.TrustsService(role.AssumeRolePolicy, policydoc.ECSService) {
		return errRAMRoleNotECS()
	}
	return nil
}

// pageOf returns page p (1-based; Size 0 means all) of items.
func pageOf[T any](items []T, p store.Page) []T {
	if p.Size <= 0 {
		return items
	}
	start := (max(p.Number, 1) - 1) * p.Size
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+p.Size, len(items))]
}
