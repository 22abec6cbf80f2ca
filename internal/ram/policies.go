package ram

import (
	"context"

	"github.com/ecsd/ecsd/internal/store"
)

// CreatePolicyRequest holds the parameters of CreatePolicy.
type CreatePolicyRequest struct {
	PolicyName     string `param:"PolicyName"`
	Description    string `param:"Description"`
	PolicyDocument string `param:"PolicyDocument"`
}

// CreatePolicyResponse is the answer of CreatePolicy.
type CreatePolicyResponse struct {
	Policy Policy `json:"Policy"`
}

// CreatePolicy creates a custom policy.
func (h *Handlers) CreatePolicy(ctx context.Context, req *CreatePolicyRequest) (*CreatePolicyResponse, error) {
	p, err := h.deps.RAM.CreatePolicy(ctx, caller(ctx), req.PolicyName, req.Description, req.PolicyDocument)
	if err != nil {
		return nil, err
	}
	out := policyOf(p, false)
	return &CreatePolicyResponse{Policy: out}, nil
}

// PolicyRequest names a policy: the parameters of GetPolicy,
// ListPolicyVersions and ListEntitiesForPolicy.
type PolicyRequest struct {
	PolicyType string `param:"PolicyType"`
	PolicyName string `param:"PolicyName"`
}

// GetPolicyResponse is the answer of GetPolicy.
type GetPolicyResponse struct {
	Policy               Policy        `json:"Policy"`
	DefaultPolicyVersion PolicyVersion `json:"DefaultPolicyVersion"`
}

// GetPolicy reads a policy and its default version.
func (h *Handlers) GetPolicy(ctx context.Context, req *PolicyRequest) (*GetPolicyResponse, error) {
	p, def, err := h.deps.RAM.GetPolicy(ctx, caller(ctx), req.PolicyType, req.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetPolicyResponse{Policy: policyOf(p, true), DefaultPolicyVersion: versionOf(def)}, nil
}

// ListPoliciesRequest holds the parameters of ListPolicies.
type ListPoliciesRequest struct {
	PolicyType string `param:"PolicyType"`
	Marker     string `param:"Marker"`
	MaxItems   *int   `param:"MaxItems"`
}

// ListPoliciesResponse is the answer of ListPolicies.
type ListPoliciesResponse struct {
	IsTruncated bool     `json:"IsTruncated"`
	Marker      string   `json:"Marker,omitempty"`
	Policies    Policies `json:"Policies"`
}

// Policies is the SDK's Policies container.
type Policies struct {
	Policy []Policy `json:"Policy"`
}

// ListPolicies lists system and custom policies, a page at a time.
func (h *Handlers) ListPolicies(ctx context.Context, req *ListPoliciesRequest) (*ListPoliciesResponse, error) {
	ps, info, err := h.deps.RAM.ListPolicies(ctx, caller(ctx), req.PolicyType, page(req.Marker, req.MaxItems))
	if err != nil {
		return nil, err
	}
	resp := &ListPoliciesResponse{IsTruncated: info.IsTruncated, Marker: info.Marker, Policies: Policies{Policy: []Policy{}}}
	for _, p := range ps {
		resp.Policies.Policy = append(resp.Policies.Policy, policyOf(p, false))
	}
	return resp, nil
}

// PolicyNameRequest holds a PolicyName, the only parameter of DeletePolicy.
type PolicyNameRequest struct {
	PolicyName string `param:"PolicyName"`
}

// DeletePolicy deletes a custom policy.
func (h *Handlers) DeletePolicy(ctx context.Context, req *PolicyNameRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeletePolicy(ctx, caller(ctx), req.PolicyName)
}

// CreatePolicyVersionRequest holds the parameters of CreatePolicyVersion.
type CreatePolicyVersionRequest struct {
	PolicyName     string `param:"PolicyName"`
	PolicyDocument string `param:"PolicyDocument"`
	SetAsDefault   bool   `param:"SetAsDefault"`
	RotateStrategy string `param:"RotateStrategy"`
}

// PolicyVersionResponse is the answer of CreatePolicyVersion and GetPolicyVersion.
type PolicyVersionResponse struct {
	PolicyVersion PolicyVersion `json:"PolicyVersion"`
}

// CreatePolicyVersion adds a version to a custom policy.
func (h *Handlers) CreatePolicyVersion(ctx context.Context, req *CreatePolicyVersionRequest) (*PolicyVersionResponse, error) {
	v, err := h.deps.RAM.CreatePolicyVersion(ctx, caller(ctx), req.PolicyName, req.PolicyDocument, req.SetAsDefault, req.RotateStrategy)
	if err != nil {
		return nil, err
	}
	return &PolicyVersionResponse{PolicyVersion: versionOf(v)}, nil
}

// PolicyVersionRequest names one version of a policy.
type PolicyVersionRequest struct {
	PolicyType string `param:"PolicyType"`
	PolicyName string `param:"PolicyName"`
	VersionId  string `param:"VersionId"`
}

// GetPolicyVersion reads one version of a policy.
func (h *Handlers) GetPolicyVersion(ctx context.Context, req *PolicyVersionRequest) (*PolicyVersionResponse, error) {
	v, err := h.deps.RAM.GetPolicyVersion(ctx, caller(ctx), req.PolicyType, req.PolicyName, req.VersionId)
	if err != nil {
		return nil, err
	}
	return &PolicyVersionResponse{PolicyVersion: versionOf(v)}, nil
}

// ListPolicyVersionsResponse is the answer of ListPolicyVersions.
type ListPolicyVersionsResponse struct {
	PolicyVersions PolicyVersions `json:"PolicyVersions"`
}

// PolicyVersions is the SDK's PolicyVersions container.
type PolicyVersions struct {
	PolicyVersion []PolicyVersion `json:"PolicyVersion"`
}

// ListPolicyVersions lists a policy's versions, oldest first.
func (h *Handlers) ListPolicyVersions(ctx context.Context, req *PolicyRequest) (*ListPolicyVersionsResponse, error) {
	vs, err := h.deps.RAM.ListPolicyVersions(ctx, caller(ctx), req.PolicyType, req.PolicyName)
	if err != nil {
		return nil, err
	}
	resp := &ListPolicyVersionsResponse{PolicyVersions: PolicyVersions{PolicyVersion: []PolicyVersion{}}}
	for _, v := range vs {
		resp.PolicyVersions.PolicyVersion = append(resp.PolicyVersions.PolicyVersion, versionOf(v))
	}
	return resp, nil
}

// CustomVersionRequest names a version of a custom policy.
type CustomVersionRequest struct {
	PolicyName string `param:"PolicyName"`
	VersionId  string `param:"VersionId"`
}

// DeletePolicyVersion deletes a version that is not the default one.
func (h *Handlers) DeletePolicyVersion(ctx context.Context, req *CustomVersionRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeletePolicyVersion(ctx, caller(ctx), req.PolicyName, req.VersionId)
}

// SetDefaultPolicyVersion chooses the version of a custom policy that applies.
func (h *Handlers) SetDefaultPolicyVersion(ctx context.Context, req *CustomVersionRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.SetDefaultPolicyVersion(ctx, caller(ctx), req.PolicyName, req.VersionId)
}

// UserPolicyRequest holds the parameters of AttachPolicyToUser and DetachPolicyFromUser.
type UserPolicyRequest struct {
	PolicyType string `param:"PolicyType"`
	PolicyName string `param:"PolicyName"`
	UserName   string `param:"UserName"`
}

// GroupPolicyRequest holds the parameters of AttachPolicyToGroup and DetachPolicyFromGroup.
type GroupPolicyRequest struct {
	PolicyType string `param:"PolicyType"`
	PolicyName string `param:"PolicyName"`
	GroupName  string `param:"GroupName"`
}

// RolePolicyRequest holds the parameters of AttachPolicyToRole and DetachPolicyFromRole.
type RolePolicyRequest struct {
	PolicyType string `param:"PolicyType"`
	PolicyName string `param:"PolicyName"`
	RoleName   string `param:"RoleName"`
}

// AttachPolicyToUser attaches a policy to a RAM user.
func (h *Handlers) AttachPolicyToUser(ctx context.Context, req *UserPolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.AttachPolicy(ctx, caller(ctx), store.RAMPrincipalUser, req.UserName, req.PolicyType, req.PolicyName)
}

// AttachPolicyToGroup attaches a policy to a group.
func (h *Handlers) AttachPolicyToGroup(ctx context.Context, req *GroupPolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.AttachPolicy(ctx, caller(ctx), store.RAMPrincipalGroup, req.GroupName, req.PolicyType, req.PolicyName)
}

// AttachPolicyToRole attaches a policy to a role.
func (h *Handlers) AttachPolicyToRole(ctx context.Context, req *RolePolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.AttachPolicy(ctx, caller(ctx), store.RAMPrincipalRole, req.RoleName, req.PolicyType, req.PolicyName)
}

// DetachPolicyFromUser detaches a policy from a RAM user.
func (h *Handlers) DetachPolicyFromUser(ctx context.Context, req *UserPolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DetachPolicy(ctx, caller(ctx), store.RAMPrincipalUser, req.UserName, req.PolicyType, req.PolicyName)
}

// DetachPolicyFromGroup detaches a policy from a group.
func (h *Handlers) DetachPolicyFromGroup(ctx context.Context, req *GroupPolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DetachPolicy(ctx, caller(ctx), store.RAMPrincipalGroup, req.GroupName, req.PolicyType, req.PolicyName)
}

// DetachPolicyFromRole detaches a policy from a role.
func (h *Handlers) DetachPolicyFromRole(ctx context.Context, req *RolePolicyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DetachPolicy(ctx, caller(ctx), store.RAMPrincipalRole, req.RoleName, req.PolicyType, req.PolicyName)
}

// ListPoliciesForResponse is the answer of ListPoliciesForUser, ListPoliciesForGroup and ListPoliciesForRole.
type ListPoliciesForResponse struct {
	Policies Policies `json:"Policies"`
}

func (h *Handlers) listPoliciesFor(ctx context.Context, principalType, name string) (*ListPoliciesForResponse, error) {
	ps, err := h.deps.RAM.ListPoliciesFor(ctx, caller(ctx), principalType, name)
	if err != nil {
		return nil, err
	}
	resp := &ListPoliciesForResponse{Policies: Policies{Policy: []Policy{}}}
	for _, p := range ps {
		out := policyOf(p.PolicyInfo, false)
		out.AttachDate = ramDate(p.AttachedAt)
		resp.Policies.Policy = append(resp.Policies.Policy, out)
	}
	return resp, nil
}

// ListPoliciesForUser lists the policies attached directly to a RAM user.
func (h *Handlers) ListPoliciesForUser(ctx context.Context, req *UserNameRequest) (*ListPoliciesForResponse, error) {
	return h.listPoliciesFor(ctx, store.RAMPrincipalUser, req.UserName)
}

// ListPoliciesForGroup lists the policies attached to a group.
func (h *Handlers) ListPoliciesForGroup(ctx context.Context, req *GroupNameRequest) (*ListPoliciesForResponse, error) {
	return h.listPoliciesFor(ctx, store.RAMPrincipalGroup, req.GroupName)
}

// ListPoliciesForRole lists the policies attached to a role.
func (h *Handlers) ListPoliciesForRole(ctx context.Context, req *RoleNameRequest) (*ListPoliciesForResponse, error) {
	return h.listPoliciesFor(ctx, store.RAMPrincipalRole, req.RoleName)
}

// ListEntitiesForPolicyResponse is the answer of ListEntitiesForPolicy.
type ListEntitiesForPolicyResponse struct {
	Users  Users  `json:"Users"`
	Groups Groups `json:"Groups"`
	Roles  Roles  `json:"Roles"`
}

// ListEntitiesForPolicy lists the users, groups and roles a policy is attached to.
func (h *Handlers) ListEntitiesForPolicy(ctx context.Context, req *PolicyRequest) (*ListEntitiesForPolicyResponse, error) {
	ents, err := h.deps.RAM.ListEntitiesForPolicy(ctx, caller(ctx), req.PolicyType, req.PolicyName)
	if err != nil {
		return nil, err
	}
	resp := &ListEntitiesForPolicyResponse{Users: Users{User: []User{}}, Groups: Groups{Group: []Group{}}, Roles: Roles{Role: []Role{}}}
	for _, u := range ents.Users {
		out := userOf(u.RAMUser)
		out.AttachDate = ramDate(u.AttachedAt)
		resp.Users.User = append(resp.Users.User, out)
	}
	for _, g := range ents.Groups {
		out := groupOf(g.RAMGroup)
		out.AttachDate = ramDate(g.AttachedAt)
		resp.Groups.Group = append(resp.Groups.Group, out)
	}
	for _, r := range ents.Roles {
		out := roleOf(r.RAMRole, false)
		out.AttachDate = ramDate(r.AttachedAt)
		resp.Roles.Role = append(resp.Roles.Role, out)
	}
	return resp, nil
}
