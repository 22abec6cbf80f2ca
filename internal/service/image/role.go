package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

// The RAM roles ImportImage and ExportImage act through (guide 1.9.9,
// 1.9.10), unless the call names another (the SDK's RoleName).
const (
	ImportRole = "AliyunECSImageImportDefaultRole"
	ExportRole = "AliyunECSImageExportDefaultRole"
)

// The object store actions the roles' policies must allow.
var (
	importActions = []string{"oss:GetObject", "oss:GetBucketLocation"}
	exportActions = []string{"oss:GetObject", "oss:PutObject", "oss:GetBucketLocation"}
)

// checkRole checks the guide's authorization of an import or export (see
// TransferRoles.Allowed); anything less is Forbidden.
func (s *Service) checkRole(ctx context.Context, accountID int64, roleName string, actions []string) error {
	ok, err := TransferRoles{Store: s.deps.Store, Policies: s.deps.RolePolicies}.allowed(ctx, accountID, roleName, actions)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden()
	}
	return nil
}

// TransferRoles checks the RAM roles imports and exports act through, for the
// other services that read or write the object store (ImportSnapshot and
// ExportSnapshot act through the image roles).
type TransferRoles struct {
	Store    store.Store
	Policies RolePolicies
}

// Allowed reports whether the account's role lets ECS import (export false:
// oss:GetObject and oss:GetBucketLocation) or export (oss:PutObject too): the
// account has the role, its trust policy lets the ECS service assume it
// (sts:AssumeRole for a Service principal "ecs.…"), and the policies attached
// to it allow every action.
func (r TransferRoles) Allowed(ctx context.Context, accountID int64, roleName string, export bool) (bool, error) {
	actions := importActions
	if export {
		actions = exportActions
	}
	return r.allowed(ctx, accountID, roleName, actions)
}

func (r TransferRoles) allowed(ctx context.Context, accountID int64, roleName string, actions []string) (bool, error) {
	var role store.RAMRole
	err := r.Store.View(ctx, func(tx store.Tx) error {
		var err error
		role, err = tx.GetRAMRole(accountID, roleName)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("role %s: %w", roleName, err)
	}
	if !trustsECS(role.AssumeRolePolicy) || r.Policies == nil {
		return false, nil
	}
	docs, err := r.Policies.Policies(ctx, accountID, reqctx.Principal{Kind: reqctx.PrincipalRole, RoleID: role.ID, RoleName: role.Name})
	if err != nil {
		return false, fmt.Errorf("policies of role %s: %w", roleName, err)
	}
	for _, a := range actions {
		if !slices.ContainsFunc(docs, func(d string) bool { return allows(d, a) }) {
			return false, nil
		}
	}
	return true, nil
}

// policyDoc is the part of a policy document the checks read.
type policyDoc struct {
	Statement []struct {
		Effect    string          `json:"Effect"`
		Action    json.RawMessage `json:"Action"`
		Principal struct {
			Service json.RawMessage `json:"Service"`
		} `json:"Principal"`
	} `json:"Statement"`
}

// stringsOf decodes a string or a list of strings.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// trustsECS reports whether a trust policy lets the ECS service assume the role.
func trustsECS(doc string) bool {
	var p policyDoc
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	for _, st := range p.Statement {
		if !strings.EqualFold(st.Effect, "Allow") || !slices.ContainsFunc(stringsOf(st.Action), func(a string) bool {
			return matchAction(a, "sts:AssumeRole")
		}) {
			continue
		}
		for _, svc := range stringsOf(st.Principal.Service) {
			if strings.HasPrefix(strings.ToLower(svc), "ecs.") {
				return true
			}
		}
	}
	return false
}

// allows reports whether a policy document allows an action (any resource;
// Deny statements are not looked at, the guide's policies have none).
func allows(doc, action string) bool {
	var p policyDoc
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	for _, st := range p.Statement {
		if strings.EqualFold(st.Effect, "Allow") && slices.ContainsFunc(stringsOf(st.Action), func(a string) bool { return matchAction(a, action) }) {
			return true
		}
	}
	return false
}

// matchAction matches a policy's action pattern ("oss:*", "*") against an action.
func matchAction(pattern, action string) bool {
	if strings.HasSuffix(pattern, "*") {
		return strings.HasPrefix(strings.ToLower(action), strings.ToLower(strings.TrimSuffix(pattern, "*")))
	}
	return strings.EqualFold(pattern, action)
}
