package sqlstore

import (
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

const ramPolicyColumns = "account_id, name, description, default_version, next_version, created_at, updated_at"

func scanRAMPolicy(p *store.RAMPolicy) func(scanner) error {
	return func(s scanner) error {
		var created, updated int64
		if err := s.Scan(&p.AccountID, &p.Name, &p.Description, &p.DefaultVersion, &p.NextVersion, &created, &updated); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
		return nil
	}
}

// CreateRAMPolicy implements store.RAMTx.
func (t *tx) CreateRAMPolicy(p store.RAMPolicy) error {
	created, updated, err := nanosPair(p.CreatedAt, p.UpdatedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_policies (`+ramPolicyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			p.AccountID, p.Name, p.Description, p.DefaultVersion, p.NextVersion, created, updated)
	}
	if err != nil {
		return fmt.Errorf("create ram policy %q: %w", p.Name, err)
	}
	return nil
}

// GetRAMPolicy implements store.RAMTx.
func (t *tx) GetRAMPolicy(accountID int64, name string) (store.RAMPolicy, error) {
	var p store.RAMPolicy
	if err := t.get(scanRAMPolicy(&p), `SELECT `+ramPolicyColumns+` FROM ram_policies WHERE account_id = ? AND name = ?`, accountID, name); err != nil {
		return store.RAMPolicy{}, fmt.Errorf("get ram policy %q: %w", name, err)
	}
	return p, nil
}

// ListRAMPolicies implements store.RAMTx.
func (t *tx) ListRAMPolicies(accountID int64) ([]store.RAMPolicy, error) {
	out := []store.RAMPolicy{}
	var p store.RAMPolicy
	err := t.list(func(s scanner) error {
		if err := scanRAMPolicy(&p)(s); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}, `SELECT `+ramPolicyColumns+` FROM ram_policies WHERE account_id = ? ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list ram policies: %w", err)
	}
	return out, nil
}

// UpdateRAMPolicy implements store.RAMTx.
func (t *tx) UpdateRAMPolicy(p store.RAMPolicy) error {
	updated, err := toNanos(p.UpdatedAt)
	if err == nil {
		err = t.update(`UPDATE ram_policies SET description = ?, default_version = ?, next_version = ?, updated_at = ?
			WHERE account_id = ? AND name = ?`, p.Description, p.DefaultVersion, p.NextVersion, updated, p.AccountID, p.Name)
	}
	if err != nil {
		return fmt.Errorf("update ram policy %q: %w", p.Name, err)
	}
	return nil
}

// DeleteRAMPolicy implements store.RAMTx.
func (t *tx) DeleteRAMPolicy(accountID int64, name string) error {
	if _, err := t.exec(`DELETE FROM ram_policy_versions WHERE account_id = ? AND policy_name = ?`, accountID, name); err != nil {
		return fmt.Errorf("delete ram policy %q: %w", name, err)
	}
	if err := t.update(`DELETE FROM ram_policies WHERE account_id = ? AND name = ?`, accountID, name); err != nil {
		return fmt.Errorf("delete ram policy %q: %w", name, err)
	}
	return nil
}

const ramPolicyVersionColumns = "account_id, policy_name, version_id, version_num, document, created_at"

func scanRAMPolicyVersion(v *store.RAMPolicyVersion) func(scanner) error {
	return func(s scanner) error {
		var created int64
		if err := s.Scan(&v.AccountID, &v.PolicyName, &v.VersionID, &v.VersionNum, &v.Document, &created); err != nil {
			return err
		}
		v.CreatedAt = fromNanos(created)
		return nil
	}
}

// CreateRAMPolicyVersion implements store.RAMTx.
func (t *tx) CreateRAMPolicyVersion(v store.RAMPolicyVersion) error {
	created, err := toNanos(v.CreatedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_policy_versions (`+ramPolicyVersionColumns+`) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			v.AccountID, v.PolicyName, v.VersionID, v.VersionNum, v.Document, created)
	}
	if err != nil {
		return fmt.Errorf("create version %s of ram policy %q: %w", v.VersionID, v.PolicyName, err)
	}
	return nil
}

// GetRAMPolicyVersion implements store.RAMTx.
func (t *tx) GetRAMPolicyVersion(accountID int64, policyName, versionID string) (store.RAMPolicyVersion, error) {
	var v store.RAMPolicyVersion
	err := t.get(scanRAMPolicyVersion(&v), `SELECT `+ramPolicyVersionColumns+` FROM ram_policy_versions
		WHERE account_id = ? AND policy_name = ? AND version_id = ?`, accountID, policyName, versionID)
	if err != nil {
		return store.RAMPolicyVersion{}, fmt.Errorf("get version %s of ram policy %q: %w", versionID, policyName, err)
	}
	return v, nil
}

// ListRAMPolicyVersions implements store.RAMTx.
func (t *tx) ListRAMPolicyVersions(accountID int64, policyName string) ([]store.RAMPolicyVersion, error) {
	out := []store.RAMPolicyVersion{}
	var v store.RAMPolicyVersion
	err := t.list(func(s scanner) error {
		if err := scanRAMPolicyVersion(&v)(s); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, `SELECT `+ramPolicyVersionColumns+` FROM ram_policy_versions WHERE account_id = ? AND policy_name = ? ORDER BY version_num`,
		accountID, policyName)
	if err != nil {
		return nil, fmt.Errorf("list versions of ram policy %q: %w", policyName, err)
	}
	return out, nil
}

// DeleteRAMPolicyVersion implements store.RAMTx.
func (t *tx) DeleteRAMPolicyVersion(accountID int64, policyName, versionID string) error {
	err := t.update(`DELETE FROM ram_policy_versions WHERE account_id = ? AND policy_name = ? AND version_id = ?`,
		accountID, policyName, versionID)
	if err != nil {
		return fmt.Errorf("delete version %s of ram policy %q: %w", versionID, policyName, err)
	}
	return nil
}

const ramRoleColumns = "id, account_id, name, description, assume_role_policy, max_session_duration, created_at, updated_at"

func scanRAMRole(r *store.RAMRole) func(scanner) error {
	return func(s scanner) error {
		var created, updated int64
		if err := s.Scan(&r.ID, &r.AccountID, &r.Name, &r.Description, &r.AssumeRolePolicy, &r.MaxSessionDuration,
			&created, &updated); err != nil {
			return err
		}
		r.CreatedAt, r.UpdatedAt = fromNanos(created), fromNanos(updated)
		return nil
	}
}

// CreateRAMRole implements store.RAMTx.
func (t *tx) CreateRAMRole(r store.RAMRole) error {
	created, updated, err := nanosPair(r.CreatedAt, r.UpdatedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_roles (`+ramRoleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.ID, r.AccountID, r.Name, r.Description, r.AssumeRolePolicy, r.MaxSessionDuration, created, updated)
	}
	if err != nil {
		return fmt.Errorf("create ram role %q: %w", r.Name, err)
	}
	return nil
}

// GetRAMRole implements store.RAMTx.
func (t *tx) GetRAMRole(accountID int64, name string) (store.RAMRole, error) {
	var r store.RAMRole
	if err := t.get(scanRAMRole(&r), `SELECT `+ramRoleColumns+` FROM ram_roles WHERE account_id = ? AND name = ?`, accountID, name); err != nil {
		return store.RAMRole{}, fmt.Errorf("get ram role %q: %w", name, err)
	}
	return r, nil
}

// GetRAMRoleByID implements store.RAMTx.
func (t *tx) GetRAMRoleByID(accountID int64, id string) (store.RAMRole, error) {
	var r store.RAMRole
	if err := t.get(scanRAMRole(&r), `SELECT `+ramRoleColumns+` FROM ram_roles WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return store.RAMRole{}, fmt.Errorf("get ram role %s: %w", id, err)
	}
	return r, nil
}

// ListRAMRoles implements store.RAMTx.
func (t *tx) ListRAMRoles(accountID int64) ([]store.RAMRole, error) {
	out := []store.RAMRole{}
	var r store.RAMRole
	err := t.list(func(s scanner) error {
		if err := scanRAMRole(&r)(s); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, `SELECT `+ramRoleColumns+` FROM ram_roles WHERE account_id = ? ORDER BY name`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list ram roles: %w", err)
	}
	return out, nil
}

// UpdateRAMRole implements store.RAMTx.
func (t *tx) UpdateRAMRole(r store.RAMRole) error {
	updated, err := toNanos(r.UpdatedAt)
	if err == nil {
		err = t.update(`UPDATE ram_roles SET description = ?, assume_role_policy = ?, max_session_duration = ?, updated_at = ?
			WHERE account_id = ? AND id = ?`, r.Description, r.AssumeRolePolicy, r.MaxSessionDuration, updated, r.AccountID, r.ID)
	}
	if err != nil {
		return fmt.Errorf("update ram role %s: %w", r.ID, err)
	}
	return nil
}

// DeleteRAMRole implements store.RAMTx.
func (t *tx) DeleteRAMRole(accountID int64, id string) error {
	if err := t.update(`DELETE FROM ram_roles WHERE account_id = ? AND id = ?`, accountID, id); err != nil {
		return fmt.Errorf("delete ram role %s: %w", id, err)
	}
	return nil
}

// AttachRAMPolicy implements store.RAMTx.
func (t *tx) AttachRAMPolicy(a store.RAMAttachment) error {
	attached, err := toNanos(a.AttachedAt)
	if err == nil {
		err = t.insert(`INSERT INTO ram_policy_attachments (account_id, principal_type, principal_id, policy_type, policy_name, attached_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			a.AccountID, a.PrincipalType, a.PrincipalID, a.PolicyType, a.PolicyName, attached)
	}
	if err != nil {
		return fmt.Errorf("attach %s policy %q to %s %s: %w", a.PolicyType, a.PolicyName, a.PrincipalType, a.PrincipalID, err)
	}
	return nil
}

// DetachRAMPolicy implements store.RAMTx.
func (t *tx) DetachRAMPolicy(a store.RAMAttachment) error {
	err := t.update(`DELETE FROM ram_policy_attachments WHERE account_id = ? AND principal_type = ? AND principal_id = ?
		AND policy_type = ? AND policy_name = ?`, a.AccountID, a.PrincipalType, a.PrincipalID, a.PolicyType, a.PolicyName)
	if err != nil {
		return fmt.Errorf("detach %s policy %q from %s %s: %w", a.PolicyType, a.PolicyName, a.PrincipalType, a.PrincipalID, err)
	}
	return nil
}

// ListRAMAttachments implements store.RAMTx.
func (t *tx) ListRAMAttachments(f store.RAMAttachmentFilter) ([]store.RAMAttachment, error) {
	w := &where{}
	w.add("account_id = ?", f.AccountID)
	w.eq("principal_type", f.PrincipalType)
	w.eq("principal_id", f.PrincipalID)
	w.eq("policy_type", f.PolicyType)
	w.eq("policy_name", f.PolicyName)
	out := []store.RAMAttachment{}
	err := t.list(func(s scanner) error {
		var a store.RAMAttachment
		var attached int64
		if err := s.Scan(&a.AccountID, &a.PrincipalType, &a.PrincipalID, &a.PolicyType, &a.PolicyName, &attached); err != nil {
			return err
		}
		a.AttachedAt = fromNanos(attached)
		out = append(out, a)
		return nil
	}, `SELECT account_id, principal_type, principal_id, policy_type, policy_name, attached_at FROM ram_policy_attachments`+
		w.sql()+` ORDER BY attached_at, principal_type, principal_id, policy_type, policy_name`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list ram policy attachments: %w", err)
	}
	return out, nil
}

const stsTokenColumns = "access_key_id, secret, security_token, account_id, role_id, role_name, session_name, session_policy, created_at, expires_at"

// CreateSTSToken implements store.RAMTx.
func (t *tx) CreateSTSToken(k store.STSToken) error {
	created, expires, err := nanosPair(k.CreatedAt, k.ExpiresAt)
	if err == nil {
		err = t.insert(`INSERT INTO sts_tokens (`+stsTokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			k.AccessKeyID, k.Secret, k.SecurityToken, k.AccountID, k.RoleID, k.RoleName, k.SessionName, k.SessionPolicy, created, expires)
	}
	if err != nil {
		return fmt.Errorf("create sts token %s: %w", k.AccessKeyID, err)
	}
	return nil
}

// GetSTSToken implements store.RAMTx.
func (t *tx) GetSTSToken(accessKeyID string) (store.STSToken, error) {
	var k store.STSToken
	err := t.get(func(s scanner) error {
		var created, expires int64
		if err := s.Scan(&k.AccessKeyID, &k.Secret, &k.SecurityToken, &k.AccountID, &k.RoleID, &k.RoleName, &k.SessionName,
			&k.SessionPolicy, &created, &expires); err != nil {
			return err
		}
		k.CreatedAt, k.ExpiresAt = fromNanos(created), fromNanos(expires)
		return nil
	}, `SELECT `+stsTokenColumns+` FROM sts_tokens WHERE access_key_id = ?`, accessKeyID)
	if err != nil {
		return store.STSToken{}, fmt.Errorf("get sts token %s: %w", accessKeyID, err)
	}
	return k, nil
}

// DeleteExpiredSTSTokens implements store.RAMTx.
func (t *tx) DeleteExpiredSTSTokens(before time.Time) (int, error) {
	b, err := toNanos(before)
	if err != nil {
		return 0, fmt.Errorf("delete expired sts tokens: %w", err)
	}
	n, err := t.exec(`DELETE FROM sts_tokens WHERE expires_at < ?`, b)
	if err != nil {
		return 0, fmt.Errorf("delete expired sts tokens: %w", err)
	}
	return int(n), nil
}
