package ram

import (
	"context"

	ramsvc "github.com/ecsd/ecsd/internal/service/ram"
)

// CreateUserRequest holds the parameters of CreateUser.
type CreateUserRequest struct {
	UserName    string `param:"UserName"`
	DisplayName string `param:"DisplayName"`
	MobilePhone string `param:"MobilePhone"`
	Email       string `param:"Email"`
	Comments    string `param:"Comments"`
}

// UserResponse is the answer of CreateUser, GetUser and UpdateUser.
type UserResponse struct {
	User User `json:"User"`
}

// CreateUser creates a RAM user.
func (h *Handlers) CreateUser(ctx context.Context, req *CreateUserRequest) (*UserResponse, error) {
	u, err := h.deps.RAM.CreateUser(ctx, caller(ctx), ramsvc.UserInput{UserName: req.UserName, DisplayName: req.DisplayName,
		MobilePhone: req.MobilePhone, Email: req.Email, Comments: req.Comments})
	if err != nil {
		return nil, err
	}
	return &UserResponse{User: userOf(u)}, nil
}

// UserNameRequest holds a UserName, the only parameter of GetUser and DeleteUser.
type UserNameRequest struct {
	UserName string `param:"UserName"`
}

// GetUser reads a RAM user.
func (h *Handlers) GetUser(ctx context.Context, req *UserNameRequest) (*UserResponse, error) {
	u, err := h.deps.RAM.GetUser(ctx, caller(ctx), req.UserName)
	if err != nil {
		return nil, err
	}
	return &UserResponse{User: userOf(u)}, nil
}

// ListRequest holds the paging parameters of the RAM lists.
type ListRequest struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

// ListUsersResponse is the answer of ListUsers.
type ListUsersResponse struct {
	IsTruncated bool   `json:"IsTruncated"`
	Marker      string `json:"Marker,omitempty"`
	Users       Users  `json:"Users"`
}

// Users is the SDK's Users container.
type Users struct {
	User []User `json:"User"`
}

// ListUsers lists RAM users by name, a page at a time.
func (h *Handlers) ListUsers(ctx context.Context, req *ListRequest) (*ListUsersResponse, error) {
	users, info, err := h.deps.RAM.ListUsers(ctx, caller(ctx), page(req.Marker, req.MaxItems))
	if err != nil {
		return nil, err
	}
	resp := &ListUsersResponse{IsTruncated: info.IsTruncated, Marker: info.Marker, Users: Users{User: []User{}}}
	for _, u := range users {
		resp.Users.User = append(resp.Users.User, userOf(u))
	}
	return resp, nil
}

// UpdateUserRequest holds the parameters of UpdateUser.
type UpdateUserRequest struct {
	UserName       string `param:"UserName"`
	NewUserName    string `param:"NewUserName"`
	NewDisplayName string `param:"NewDisplayName"`
	NewMobilePhone string `param:"NewMobilePhone"`
	NewEmail       string `param:"NewEmail"`
	NewComments    string `param:"NewComments"`
}

// UpdateUser renames a RAM user or changes its descriptive fields.
func (h *Handlers) UpdateUser(ctx context.Context, req *UpdateUserRequest) (*UserResponse, error) {
	u, err := h.deps.RAM.UpdateUser(ctx, caller(ctx), req.UserName, ramsvc.UpdateUserInput{NewUserName: req.NewUserName,
		NewDisplayName: req.NewDisplayName, NewMobilePhone: req.NewMobilePhone, NewEmail: req.NewEmail, NewComments: req.NewComments})
	if err != nil {
		return nil, err
	}
	return &UserResponse{User: userOf(u)}, nil
}

// DeleteUser deletes a RAM user without keys, groups or policies.
func (h *Handlers) DeleteUser(ctx context.Context, req *UserNameRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeleteUser(ctx, caller(ctx), req.UserName)
}

// AccessKey is the SDK's AccessKey struct; the secret only in CreateAccessKey's answer.
type AccessKey struct {
	AccessKeyId     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret,omitempty"`
	Status          string `json:"Status"`
	CreateDate      string `json:"CreateDate"`
}

// CreateAccessKeyResponse is the answer of CreateAccessKey.
type CreateAccessKeyResponse struct {
	AccessKey AccessKey `json:"AccessKey"`
}

// CreateAccessKey creates an AccessKey for a RAM user (the caller's own without UserName).
func (h *Handlers) CreateAccessKey(ctx context.Context, req *UserNameRequest) (*CreateAccessKeyResponse, error) {
	k, err := h.deps.RAM.CreateAccessKey(ctx, caller(ctx), req.UserName)
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyResponse{AccessKey: AccessKey{AccessKeyId: k.ID, AccessKeySecret: k.Secret, Status: k.Status,
		CreateDate: ramDate(k.CreatedAt)}}, nil
}

// ListAccessKeysResponse is the answer of ListAccessKeys.
type ListAccessKeysResponse struct {
	AccessKeys AccessKeys `json:"AccessKeys"`
}

// AccessKeys is the SDK's AccessKeys container.
type AccessKeys struct {
	AccessKey []AccessKey `json:"AccessKey"`
}

// ListAccessKeys lists a RAM user's AccessKeys, without their secrets.
func (h *Handlers) ListAccessKeys(ctx context.Context, req *UserNameRequest) (*ListAccessKeysResponse, error) {
	keys, err := h.deps.RAM.ListAccessKeys(ctx, caller(ctx), req.UserName)
	if err != nil {
		return nil, err
	}
	resp := &ListAccessKeysResponse{AccessKeys: AccessKeys{AccessKey: []AccessKey{}}}
	for _, k := range keys {
		resp.AccessKeys.AccessKey = append(resp.AccessKeys.AccessKey, AccessKey{AccessKeyId: k.ID, Status: k.Status, CreateDate: ramDate(k.CreatedAt)})
	}
	return resp, nil
}

// UpdateAccessKeyRequest holds the parameters of UpdateAccessKey.
type UpdateAccessKeyRequest struct {
	UserName        string `param:"UserName"`
	UserAccessKeyId string `param:"UserAccessKeyId"`
	Status          string `param:"Status"`
}

// UpdateAccessKey activates or deactivates an AccessKey.
func (h *Handlers) UpdateAccessKey(ctx context.Context, req *UpdateAccessKeyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.UpdateAccessKey(ctx, caller(ctx), req.UserName, req.UserAccessKeyId, req.Status)
}

// DeleteAccessKeyRequest holds the parameters of DeleteAccessKey.
type DeleteAccessKeyRequest struct {
	UserName        string `param:"UserName"`
	UserAccessKeyId string `param:"UserAccessKeyId"`
}

// DeleteAccessKey deletes an AccessKey.
func (h *Handlers) DeleteAccessKey(ctx context.Context, req *DeleteAccessKeyRequest) (*Empty, error) {
	return &Empty{}, h.deps.RAM.DeleteAccessKey(ctx, caller(ctx), req.UserName, req.UserAccessKeyId)
}
