package ram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
	"github.com/ecsd/ecsd/internal/store"
)

// PolicyInfo is a system or custom policy as the RAM API shows it.
type PolicyInfo struct {
	Type, Name, Description string
	// DefaultVersion is the VersionId whose document applies; Document is that document.
	DefaultVersion, Document string
	// AttachmentCount is how many users, groups and roles of the account it is attached to.
	AttachmentCount      int
	CreatedAt, UpdatedAt time.Time
}

// VersionInfo is one version of a policy.
type VersionInfo struct {
	VersionID, Document string
	IsDefault           bool
	CreatedAt           time.Time
}

// Rotation strategies of CreatePolicyVersion.
const (
	rotateNone         = "None"
	rotateDeleteOldest = "DeleteOldestNonDefaultVersionWhenLimitExceeded"
)

// CreatePolicy creates a custom policy whose first version, v1, is document.
func (s *Service) CreatePolicy(ctx context.Context, c Caller, name, description, document string) (PolicyInfo, error) {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return PolicyInfo{}, err
	}
	if err := checkMaxLen("Description", description, maxDescriptionLen); err != nil {
		return PolicyInfo{}, err
	}
	if err := checkDocument("PolicyDocument", document, policydoc.Permission); err != nil {
		return PolicyInfo{}, err
	}
	var info PolicyInfo
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if _, ok := systemPolicy(name); ok {
			return errAlreadyExists("Policy")
		}
		existing, err := tx.ListRAMPolicies(c.AccountID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxCustomPolicies {
			return errLimitExceeded("Policy", "The count of policy beyond the current limits.")
		}
		now := s.now()
		p := store.RAMPolicy{AccountID: c.AccountID, Name: name, Description: description, DefaultVersion: "v1", NextVersion: 2,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateRAMPolicy(p); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errAlreadyExists("Policy")
			}
			return err
		}
		v := store.RAMPolicyVersion{AccountID: c.AccountID, PolicyName: name, VersionID: "v1", VersionNum: 1, Document: document, CreatedAt: now}
		if err := tx.CreateRAMPolicyVersion(v); err != nil {
			return err
		}
		info = customInfo(p, document, 0)
		return nil
	})
	if err != nil {
		return PolicyInfo{}, fmt.Errorf("create ram policy: %w", err)
	}
	return info, nil
}

// GetPolicy returns a system or custom policy with its default version.
func (s *Service) GetPolicy(ctx context.Context, c Caller, policyType, name string) (PolicyInfo, VersionInfo, error) {
	if err := checkPolicyRef(policyType, name); err != nil {
		return PolicyInfo{}, VersionInfo{}, err
	}
	var info PolicyInfo
	var def VersionInfo
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if info, err = readPolicy(tx, c.AccountID, policyType, name); err != nil {
			return err
		}
		def = VersionInfo{VersionID: info.DefaultVersion, Document: info.Document, IsDefault: true, CreatedAt: info.UpdatedAt}
		if policyType == store.RAMPolicyCustom {
			v, err := tx.GetRAMPolicyVersion(c.AccountID, name, info.DefaultVersion)
			if err != nil {
				return err
			}
			def.CreatedAt = v.CreatedAt
		}
		return nil
	})
	return info, def, err
}

// ListPolicies lists one page of the system policies and the caller's custom
// policies (or only those of policyType), system ones first, each by name.
func (s *Service) ListPolicies(ctx context.Context, c Caller, policyType string, p Page) ([]PolicyInfo, PageInfo, error) {
	if policyType != "" {
		if err := checkPolicyType(policyType); err != nil {
			return nil, PageInfo{}, err
		}
	}
	var out []PolicyInfo
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		out = out[:0]
		if policyType != store.RAMPolicyCustom {
			for _, sp := range systemPolicies {
				info, err := readPolicy(tx, c.AccountID, store.RAMPolicySystem, sp.Name)
				if err != nil {
					return err
				}
				out = append(out, info)
			}
		}
		if policyType != store.RAMPolicySystem {
			custom, err := tx.ListRAMPolicies(c.AccountID)
			if err != nil {
				return err
			}
			for _, cp := range custom {
				info, err := readPolicy(tx, c.AccountID, store.RAMPolicyCustom, cp.Name)
				if err != nil {
					return err
				}
				out = append(out, info)
			}
		}
		return nil
	})
	if err != nil {
		return nil, PageInfo{}, err
	}
	return pageOf(out, p)
}

// DeletePolicy deletes a custom policy that is attached to nothing and has no
// version besides its default one.
func (s *Service) DeletePolicy(ctx context.Context, c Caller, name string) error {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getCustomPolicy(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: c.AccountID, PolicyType: store.RAMPolicyCustom, PolicyName: name})
		if err != nil {
			return err
		}
		for _, a := range atts {
			switch a.PrincipalType {
			case store.RAMPrincipalUser:
				return errDeleteConflict("Policy.User", "The policy CAN NOT been attached to any user while deleting the policy.")
			case store.RAMPrincipalGroup:
				return errDeleteConflict("Policy.Group", "The policy CAN NOT been attached to any group while deleting the policy.")
			default:
				return errDeleteConflict("Policy.Role", "The policy CAN NOT been attached to any role while deleting the policy.")
			}
		}
		versions, err := tx.ListRAMPolicyVersions(c.AccountID, p.Name)
		if err != nil {
			return err
		}
		if len(versions) > 1 {
			return errDeleteConflict("Policy.Version", "The policy CAN NOT has any version except the default version.")
		}
		return tx.DeleteRAMPolicy(c.AccountID, p.Name)
	})
}

// CreatePolicyVersion adds a version to a custom policy (at most
// MaxPolicyVersions; with rotateStrategy
// DeleteOldestNonDefaultVersionWhenLimitExceeded the oldest non-default one
// makes room), optionally as the new default.
func (s *Service) CreatePolicyVersion(ctx context.Context, c Caller, name, document string, setAsDefault bool, rotateStrategy string) (VersionInfo, error) {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return VersionInfo{}, err
	}
	if err := checkDocument("PolicyDocument", document, policydoc.Permission); err != nil {
		return VersionInfo{}, err
	}
	if rotateStrategy == "" {
		rotateStrategy = rotateNone
	}
	if rotateStrategy != rotateNone && rotateStrategy != rotateDeleteOldest {
		return VersionInfo{}, apierr.BadRequest("InvalidParameter.RotateStrategy", `The parameter - "RotateStrategy" is incorrect.`)
	}
	var out VersionInfo
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getCustomPolicy(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		versions, err := tx.ListRAMPolicyVersions(c.AccountID, name)
		if err != nil {
			return err
		}
		if len(versions) >= MaxPolicyVersions {
			if rotateStrategy != rotateDeleteOldest {
				return errLimitExceeded("Policy.Version", "The count of policy version beyond the current limits.")
			}
			for _, v := range versions {
				if v.VersionID != p.DefaultVersion {
					if err := tx.DeleteRAMPolicyVersion(c.AccountID, name, v.VersionID); err != nil {
						return err
					}
					break
				}
			}
		}
		now := s.now()
		v := store.RAMPolicyVersion{AccountID: c.AccountID, PolicyName: name, VersionID: "v" + strconv.Itoa(p.NextVersion),
			VersionNum: p.NextVersion, Document: document, CreatedAt: now}
		if err := tx.CreateRAMPolicyVersion(v); err != nil {
			return err
		}
		p.NextVersion++
		p.UpdatedAt = now
		if setAsDefault {
			p.DefaultVersion = v.VersionID
		}
		if err := tx.UpdateRAMPolicy(p); err != nil {
			return err
		}
		out = VersionInfo{VersionID: v.VersionID, Document: document, IsDefault: setAsDefault, CreatedAt: now}
		return nil
	})
	if err != nil {
		return VersionInfo{}, fmt.Errorf("create ram policy version: %w", err)
	}
	return out, nil
}

// GetPolicyVersion returns one version of a system or custom policy.
func (s *Service) GetPolicyVersion(ctx context.Context, c Caller, policyType, name, versionID string) (VersionInfo, error) {
	if err := checkPolicyRef(policyType, name); err != nil {
		return VersionInfo{}, err
	}
	if err := checkVersionID(versionID); err != nil {
		return VersionInfo{}, err
	}
	versions, err := s.ListPolicyVersions(ctx, c, policyType, name)
	if err != nil {
		return VersionInfo{}, err
	}
	for _, v := range versions {
		if v.VersionID == versionID {
			return v, nil
		}
	}
	return VersionInfo{}, errPolicyVersionNotExist()
}

// ListPolicyVersions lists the versions of a system or custom policy, oldest first.
func (s *Service) ListPolicyVersions(ctx context.Context, c Caller, policyType, name string) ([]VersionInfo, error) {
	if err := checkPolicyRef(policyType, name); err != nil {
		return nil, err
	}
	var out []VersionInfo
	err := s.deps.Store.View(ctx, func(tx store.Tx) error {
		if policyType == store.RAMPolicySystem {
			sp, ok := systemPolicy(name)
			if !ok {
				return errNotExist("Policy")
			}
			out = []VersionInfo{{VersionID: "v1", Document: sp.Document, IsDefault: true, CreatedAt: systemPolicyDate}}
			return nil
		}
		p, err := getCustomPolicy(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		versions, err := tx.ListRAMPolicyVersions(c.AccountID, name)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, v := range versions {
			out = append(out, VersionInfo{VersionID: v.VersionID, Document: v.Document, IsDefault: v.VersionID == p.DefaultVersion, CreatedAt: v.CreatedAt})
		}
		return nil
	})
	return out, err
}

// DeletePolicyVersion deletes a version that is not the default one.
func (s *Service) DeletePolicyVersion(ctx context.Context, c Caller, name, versionID string) error {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return err
	}
	if err := checkVersionID(versionID); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getCustomPolicy(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		if versionID == p.DefaultVersion {
			return errDeleteConflict("Policy.Version.Default", "The default policy version CAN NOT been deleted directly.")
		}
		err = tx.DeleteRAMPolicyVersion(c.AccountID, name, versionID)
		if errors.Is(err, store.ErrNotFound) {
			return errPolicyVersionNotExist()
		}
		return err
	})
}

// SetDefaultPolicyVersion makes an existing version the one that applies.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c Caller, name, versionID string) error {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return err
	}
	if err := checkVersionID(versionID); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		p, err := getCustomPolicy(tx, c.AccountID, name)
		if err != nil {
			return err
		}
		if _, err := tx.GetRAMPolicyVersion(c.AccountID, name, versionID); errors.Is(err, store.ErrNotFound) {
			return errPolicyVersionNotExist()
		} else if err != nil {
			return err
		}
		p.DefaultVersion, p.UpdatedAt = versionID, s.now()
		return tx.UpdateRAMPolicy(p)
	})
}

// checkPolicyRef validates a PolicyType and PolicyName pair.
func checkPolicyRef(policyType, name string) error {
	if err := checkPolicyName("PolicyName", name); err != nil {
		return err
	}
	return checkPolicyType(policyType)
}

func getCustomPolicy(tx store.Tx, accountID int64, name string) (store.RAMPolicy, error) {
	p, err := tx.GetRAMPolicy(accountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.RAMPolicy{}, errNotExist("Policy")
	}
	return p, err
}

// readPolicy reads a system or custom policy with its default document and
// its attachment count in the account; EntityNotExist.Policy when absent.
func readPolicy(tx store.Tx, accountID int64, policyType, name string) (PolicyInfo, error) {
	atts, err := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: accountID, PolicyType: policyType, PolicyName: name})
	if err != nil {
		return PolicyInfo{}, err
	}
	if policyType == store.RAMPolicySystem {
		sp, ok := systemPolicy(name)
		if !ok {
			return PolicyInfo{}, errNotExist("Policy")
		}
		return PolicyInfo{Type: store.RAMPolicySystem, Name: sp.Name, Description: sp.Description, DefaultVersion: "v1",
			Document: sp.Document, AttachmentCount: len(atts), CreatedAt: systemPolicyDate, UpdatedAt: systemPolicyDate}, nil
	}
	p, err := getCustomPolicy(tx, accountID, name)
	if err != nil {
		return PolicyInfo{}, err
	}
	v, err := tx.GetRAMPolicyVersion(accountID, name, p.DefaultVersion)
	if err != nil {
		return PolicyInfo{}, err
	}
	return customInfo(p, v.Document, len(atts)), nil
}

func customInfo(p store.RAMPolicy, document string, attachments int) PolicyInfo {
	return PolicyInfo{Type: store.RAMPolicyCustom, Name: p.Name, Description: p.Description, DefaultVersion: p.DefaultVersion,
		Document: document, AttachmentCount: attachments, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}
