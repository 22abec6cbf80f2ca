package ram

import (
	"context"
)

// CreateGroupRequest holds the parameters of CreateGroup.
type CreateGroupRequest struct {
	GroupName string `param:"GroupName"`
	Comments  string `param:"Comments"`
}

// GroupResponse is the answer of CreateGroup, GetGroup and UpdateGroup.
type GroupResponse struct {
	Group Group `json:"Group"`
}

// CreateGroup creates a user group.
func (h *Handlers) CreateGroup(ctx context.Context, req *CreateGroupRequest) (*GroupResponse, error) {
	g, err := h.deps.RAM.CreateGroup(ctx, caller(ctx), req.GroupName, req.Comments)
	if err != nil {
		return nil, err
	}
	return &GroupResponse{Group: groupOf(g)}, nil
}

// GroupNameRequest holds a GroupName, the only parameter of several group actions.
type GroupNameRequest struct {
	GroupName string `param:"GroupName"`
}

// GetGroup reads a user group.
func (h *Handlers) GetGroup(ctx context.Context, req *GroupNameRequest) (*GroupResponse, error) {
	g, err := h.deps.RAM.GetGroup(ctx, caller(ctx), req.GroupName)
	if err != nil {
		return nil, err
	}
	return &GroupResponse{Group: groupOf(g)}, nil
}

// ListGroupsResponse is the answer of ListGroups.
type ListGroupsResponse struct {
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker,omitempty"`
	Groups      Groups `json:"Groups"`
}

// Groups is the SDK's Groups container.
type Groups struct {
	Group []Group `json:"Group"`
}

// ListGroups lists user groups by name, a page at a time.
func (h *Handlers) ListGroups(ctx context.Context, req *ListRequest) (*ListGroupsResponse, error) {
	groups, info, err := h.deps.RAM.ListGroups(ctx, caller(ctx), page(req.Marker, req.MaxItems))
	if err != nil {
		return nil, err
	}
	resp := &ListGroupsResponse{IsTruncated: info.IsTruncated, Marker: info.Marker, Groups: Groups{Group: []Group{}}}
	for _, g := range groups {
		resp.Groups.Group = append(resp.Groups.Group, groupOf(g))
	}
	return resp, nil
}

// UpdateGroupRequest holds the parameters of UpdateGroup.
type UpdateGroupRequest struct {
	GroupName    string `param:"GroupName"`
	NewGroupName string `param:"NewGroupName"`
	NewComments  string `param:"NewComments"`
}

// UpdateGroup renames a group or changes its comments.
func (h *Handlers) UpdateGroup(ctx context.Context, req *UpdateGroupRequest) (*GroupResponse, error) {
	g, err := h.deps.RAM.UpdateGroup(ctx, caller(ctx), req.GroupName, req.NewGroupName, req.NewComments)
	if err != nil {
		return nil, err
	}
	return &GroupResponse{Group: groupOf(g)}, nil
}

// DeleteGroup deletes an empty group without policies.
func (h *Handlers) DeleteGroup(ctx context.Context, req *GroupNameRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeleteGroup(ctx, caller(ctx), req.GroupName)
}

// GroupMemberRequest holds the parameters of AddUserToGroup and RemoveUserFromGroup.
type GroupMemberRequest struct {
	GroupName string `param:"GroupName"`
	UserName  string `param:"UserName"`
}

// AddUserToGroup makes a RAM user a member of a group.
func (h *Handlers) AddUserToGroup(ctx context.Context, req *GroupMemberRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.AddUserToGroup(ctx, caller(ctx), req.GroupName, req.UserName)
}

// RemoveUserFromGroup takes a RAM user out of a group.
func (h *Handlers) RemoveUserFromGroup(ctx context.Context, req *GroupMemberRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.RemoveUserFromGroup(ctx, caller(ctx), req.GroupName, req.UserName)
}

// ListGroupsForUserResponse is the answer of ListGroupsForUser.
type ListGroupsForUserResponse struct {
	Groups Groups `json:"Groups"`
}

// ListGroupsForUser lists the groups a RAM user belongs to, with when it joined each.
func (h *Handlers) ListGroupsForUser(ctx context.Context, req *UserNameRequest) (*ListGroupsForUserResponse, error) {
	ms, err := h.deps.RAM.ListGroupsForUser(ctx, caller(ctx), req.UserName)
	if err != nil {
		return nil, err
	}
	resp := &ListGroupsForUserResponse{Groups: Groups{Group: []Group{}}}
	for _, m := range ms {
		g := groupOf(m.Group)
		g.JoinDate = ramDate(m.JoinedAt)
		resp.Groups.Group = append(resp.Groups.Group, g)
	}
	return resp, nil
}

// ListUsersForGroupRequest holds the parameters of ListUsersForGroup.
type ListUsersForGroupRequest struct {
	GroupName string `param:"GroupName"`
	Marker    string `param:"Marker"`
	MaxItems  *int   `param:"MaxItems"`
}

// ListUsersForGroup lists a group's members, with when each joined, a page at a time.
func (h *Handlers) ListUsersForGroup(ctx context.Context, req *ListUsersForGroupRequest) (*ListUsersResponse, error) {
	ms, info, err := h.deps.RAM.ListUsersForGroup(ctx, caller(ctx), req.GroupName, page(req.Marker, req.MaxItems))
	if err != nil {
		return nil, err
	}
	resp := &ListUsersResponse{IsTruncated: info.IsTruncated, Marker: info.Marker, Users: Users{User: []User{}}}
	for _, m := range ms {
		u := userOf(m.User)
		u.JoinDate = ramDate(m.JoinedAt)
		resp.Users.User = append(resp.Users.User, u)
	}
	return resp, nil
}
