// Package ram holds the handlers of the RAM API (Version 2015-05-01) subset
// ecsd serves: users, AccessKeys, groups, policies and their versions, policy
// attachments and roles. Each method decodes nothing itself (the front does),
// calls internal/service/ram and renders the official SDK's response shape.
package ram

import (
	"context"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	ramsvc "github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/store"
)

// Deps are the dependencies of the RAM handlers.
type Deps struct {
	RAM *ramsvc.Service
}

// Handlers implements the RAM actions; the HTTP front finds its methods by
// reflection on the action name.
type Handlers struct {
	deps Deps
}

// New returns the RAM handlers.
func New(deps Deps) *Handlers { return &Handlers{deps: deps} }

// caller is who calls, from the request context.
func caller(ctx context.Context) ramsvc.Caller {
	c := reqctx.From(ctx)
	return ramsvc.Caller{AccountID: c.AccountID, Principal: c.Principal}
}

// ramDate renders a time as RAM does: 2015-01-23T12:33:18Z; "" for the zero time.
func ramDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// Empty is the answer of the actions that return only a RequestId.
type Empty struct{}

// page converts the paging parameters.
func page(marker string, maxItems *int) ramsvc.Page {
	p := ramsvc.Page{Marker: marker}
	if maxItems != nil {
		p.MaxItems = *maxItems
	}
	return p
}

// User is the SDK's User struct.
type User struct {
	UserId        string `json:"UserId"`
	UserName      string `json:"UserName"`
	DisplayName   string `json:"DisplayName"`
	MobilePhone   string `json:"MobilePhone"`
	Email         string `json:"Email"`
	Comments      string `json:"Comments"`
	CreateDate    string `json:"CreateDate"`
	UpdateDate    string `json:"UpdateDate"`
	LastLoginDate string `json:"LastLoginDate,omitempty"`
	AttachDate    string `json:"AttachDate,omitempty"`
	JoinDate      string `json:"JoinDate,omitempty"`
}

func userOf(u store.RAMUser) User {
	return User{UserId: u.ID, UserName: u.Name, DisplayName: u.DisplayName, MobilePhone: u.MobilePhone, Email: u.Email,
		Comments: u.Comments, CreateDate: ramDate(u.CreatedAt), UpdateDate: ramDate(u.UpdatedAt)}
}

// Group is the SDK's Group struct.
type Group struct {
	GroupId    string `json:"GroupId"`
	GroupName  string `json:"GroupName"`
	Comments   string `json:"Comments"`
	CreateDate string `json:"CreateDate"`
	UpdateDate string `json:"UpdateDate"`
	AttachDate string `json:"AttachDate,omitempty"`
	JoinDate   string `json:"JoinDate,omitempty"`
}

func groupOf(g store.RAMGroup) Group {
	return Group{GroupId: g.ID, GroupName: g.Name, Comments: g.Comments, CreateDate: ramDate(g.CreatedAt), UpdateDate: ramDate(g.UpdatedAt)}
}

// Role is the SDK's Role struct.
type Role struct {
	RoleId                   string `json:"RoleId"`
	RoleName                 string `json:"RoleName"`
	Arn                      string `json:"Arn"`
	Description              string `json:"Description"`
	AssumeRolePolicyDocument string `json:"AssumeRolePolicyDocument,omitempty"`
	MaxSessionDuration       int64  `json:"MaxSessionDuration"`
	CreateDate               string `json:"CreateDate"`
	UpdateDate               string `json:"UpdateDate"`
	AttachDate               string `json:"AttachDate,omitempty"`
}

// roleOf renders a role; ListRoles leaves the trust policy out, as RAM does.
func roleOf(r store.RAMRole, withTrust bool) Role {
	out := Role{RoleId: r.ID, RoleName: r.Name, Arn: ramsvc.RoleARN(r.AccountID, r.Name), Description: r.Description,
		MaxSessionDuration: int64(r.MaxSessionDuration), CreateDate: ramDate(r.CreatedAt), UpdateDate: ramDate(r.UpdatedAt)}
	if withTrust {
		out.AssumeRolePolicyDocument = r.AssumeRolePolicy
	}
	return out
}

// Policy is the SDK's Policy struct.
type Policy struct {
	PolicyName      string `json:"PolicyName"`
	PolicyType      string `json:"PolicyType"`
	Description     string `json:"Description"`
	DefaultVersion  string `json:"DefaultVersion"`
	PolicyDocument  string `json:"PolicyDocument,omitempty"`
	AttachmentCount int    `json:"AttachmentCount"`
	CreateDate      string `json:"CreateDate"`
	UpdateDate      string `json:"UpdateDate"`
	AttachDate      string `json:"AttachDate,omitempty"`
}

// policyOf renders a policy; lists leave the document out, as RAM does.
func policyOf(p ramsvc.PolicyInfo, withDocument bool) Policy {
	out := Policy{PolicyName: p.Name, PolicyType: p.Type, Description: p.Description, DefaultVersion: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, CreateDate: ramDate(p.CreatedAt), UpdateDate: ramDate(p.UpdatedAt)}
	if withDocument {
		out.PolicyDocument = p.Document
	}
	return out
}

// PolicyVersion is the SDK's PolicyVersion (and DefaultPolicyVersion) struct.
type PolicyVersion struct {
	VersionId        string `json:"VersionId"`
	PolicyDocument   string `json:"PolicyDocument"`
	IsDefaultVersion bool   `json:"IsDefaultVersion"`
	CreateDate       string `json:"CreateDate"`
}

func versionOf(v ramsvc.VersionInfo) PolicyVersion {
	return PolicyVersion{VersionId: v.VersionID, PolicyDocument: v.Document, IsDefaultVersion: v.IsDefault, CreateDate: ramDate(v.CreatedAt)}
}
