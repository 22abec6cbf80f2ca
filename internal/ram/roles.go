package ram

import (
	"context"

	ramsvc "github.com/ecsd/ecsd/internal/service/ram"
)

// CreateRoleRequest holds the parameters of CreateRole.
type CreateRoleRequest struct {
	RoleName                 string `param:"RoleName"`
	Description              string `param:"Description"`
	AssumeRolePolicyDocument string `param:"AssumeRolePolicyDocument"`
	MaxSessionDuration       *int   `param:"MaxSessionDuration"`
}

// RoleResponse is the answer of CreateRole, GetRole and UpdateRole.
type RoleResponse struct {
	Role Role `json:"Role"`
}

// CreateRole creates a RAM role with a trust policy.
func (h *Handlers) CreateRole(ctx context.Context, req *CreateRoleRequest) (*RoleResponse, error) {
	r, err := h.deps.RAM.CreateRole(ctx, caller(ctx), req.RoleName, req.Description, req.AssumeRolePolicyDocument, req.MaxSessionDuration)
	if err != nil {
		return nil, err
	}
	return &RoleResponse{Role: roleOf(r, true)}, nil
}

// RoleNameRequest holds a RoleName, the only parameter of several role actions.
type RoleNameRequest struct {
	RoleName string `param:"RoleName"`
}

// GetRole reads a RAM role.
func (h *Handlers) GetRole(ctx context.Context, req *RoleNameRequest) (*RoleResponse, error) {
	r, err := h.deps.RAM.GetRole(ctx, caller(ctx), req.RoleName)
	if err != nil {
		return nil, err
	}
	return &RoleResponse{Role: roleOf(r, true)}, nil
}

// ListRolesResponse is the answer of ListRoles.
type ListRolesResponse struct {
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker,omitempty"`
	Roles       Roles  `json:"Roles"`
}

// Roles is the SDK's Roles container.
type Roles struct {
	Role []Role `json:"Role"`
}

// ListRoles lists RAM roles by name, a page at a time.
func (h *Handlers) ListRoles(ctx context.Context, req *ListRequest) (*ListRolesResponse, error) {
	roles, info, err := h.deps.RAM.ListRoles(ctx, caller(ctx), page(req.Marker, req.MaxItems))
	if err != nil {
		return nil, err
	}
	resp := &ListRolesResponse{IsTruncated: info.IsTruncated, Marker: info.Marker, Roles: Roles{Role: []Role{}}}
	for _, r := range roles {
		resp.Roles.Role = append(resp.Roles.Role, roleOf(r, false))
	}
	return resp, nil
}

// UpdateRoleRequest holds the parameters of UpdateRole.
type UpdateRoleRequest struct {
	RoleName                    string `param:"RoleName"`
	NewAssumeRolePolicyDocument string `param:"NewAssumeRolePolicyDocument"`
	NewDescription              string `param:"NewDescription"`
	NewMaxSessionDuration       *int   `param:"NewMaxSessionDuration"`
}

// UpdateRole changes a role's trust policy, description or maximum session duration.
func (h *Handlers) UpdateRole(ctx context.Context, req *UpdateRoleRequest) (*RoleResponse, error) {
	r, err := h.deps.RAM.UpdateRole(ctx, caller(ctx), req.RoleName, ramsvc.UpdateRoleInput{
		NewAssumeRolePolicyDocument: req.NewAssumeRolePolicyDocument, NewDescription: req.NewDescription,
		NewMaxSessionDuration: req.NewMaxSessionDuration})
	if err != nil {
		return nil, err
	}
	return &RoleResponse{Role: roleOf(r, true)}, nil
}

// DeleteRole deletes a role without policies.
func (h *Handlers) DeleteRole(ctx context.Context, req *RoleNameRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeleteRole(ctx, caller(ctx), req.RoleName)
}
