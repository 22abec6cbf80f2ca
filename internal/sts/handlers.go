// Package sts holds the handlers of the STS API (Version 2015-04-01) subset
// ecsd serves: AssumeRole and GetCallerIdentity.
package sts

import (
	"context"
	"strconv"

	"github.com/ecsd/ecsd/internal/reqctx"
	stssvc "github.com/ecsd/ecsd/internal/service/sts"
)

// Deps are the dependencies of the STS handlers.
type Deps struct {
	STS *stssvc.Service
}

// Handlers implements the STS actions; the HTTP front finds its methods by
// reflection on the action name.
type Handlers struct {
	deps Deps
}

// New returns the STS handlers.
func New(deps Deps) *Handlers { return &Handlers{deps: deps} }

func caller(ctx context.Context) stssvc.Caller {
	c := reqctx.From(ctx)
	return stssvc.Caller{AccountID: c.AccountID, Principal: c.Principal}
}

// AssumeRoleRequest holds the parameters of AssumeRole.
type AssumeRoleRequest struct {
	RoleArn         string `param:"RoleArn"`
	RoleSessionName string `param:"RoleSessionName"`
	Policy          string `param:"Policy"`
	ExternalId      string `param:"ExternalId"`
	DurationSeconds *int   `param:"DurationSeconds"`
}

// AssumeRoleResponse is the answer of AssumeRole (the SDK's shape).
type AssumeRoleResponse struct {
	AssumedRoleUser AssumedRoleUser `json:"AssumedRoleUser"`
	Credentials     Credentials     `json:"Credentials"`
}

// AssumedRoleUser is the SDK's AssumedRoleUser struct.
type AssumedRoleUser struct {
	AssumedRoleId string `json:"AssumedRoleId"`
	Arn           string `json:"Arn"`
}

// Credentials is the SDK's Credentials struct.
type Credentials struct {
	AccessKeyId     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
}

// AssumeRole issues temporary credentials that act as a RAM role.
func (h *Handlers) AssumeRole(ctx context.Context, req *AssumeRoleRequest) (*AssumeRoleResponse, error) {
	cred, err := h.deps.STS.AssumeRole(ctx, caller(ctx), stssvc.AssumeRoleInput{RoleArn: req.RoleArn,
		RoleSessionName: req.RoleSessionName, Policy: req.Policy, ExternalID: req.ExternalId, DurationSeconds: req.DurationSeconds})
	if err != nil {
		return nil, err
	}
	return &AssumeRoleResponse{
		AssumedRoleUser: AssumedRoleUser{AssumedRoleId: cred.AssumedRoleID, Arn: cred.Arn},
		Credentials: Credentials{AccessKeyId: cred.AccessKeyID, AccessKeySecret: cred.AccessKeySecret,
			SecurityToken: cred.SecurityToken, Expiration: cred.Expiration.UTC().Format("2006-01-02T15:04:05Z")},
	}, nil
}

// GetCallerIdentityRequest has no parameters.
type GetCallerIdentityRequest struct{}

// GetCallerIdentityResponse is the answer of GetCallerIdentity (the SDK's shape).
type GetCallerIdentityResponse struct {
	IdentityType string `json:"IdentityType"`
	AccountId    string `json:"AccountId"`
	PrincipalId  string `json:"PrincipalId"`
	Arn          string `json:"Arn"`
	UserId       string `json:"UserId,omitempty"`
	RoleId       string `json:"RoleId,omitempty"`
}

// GetCallerIdentity tells who the caller is: the account, a RAM user or an assumed role.
func (h *Handlers) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityRequest) (*GetCallerIdentityResponse, error) {
	id := h.deps.STS.GetCallerIdentity(ctx, caller(ctx))
	return &GetCallerIdentityResponse{IdentityType: id.IdentityType, AccountId: strconv.FormatInt(id.AccountID, 10),
		PrincipalId: id.PrincipalID, Arn: id.Arn, UserId: id.UserID, RoleId: id.RoleID}, nil
}
