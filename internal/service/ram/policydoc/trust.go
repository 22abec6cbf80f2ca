package policydoc

import (
	"fmt"
	"strings"
)

// Caller is who asks to assume a role, as a trust policy sees it.
type Caller struct {
	// AccountID is the caller's account.
	AccountID int64
	// UserName is set for a RAM user, RoleName for an assumed role; both empty
	// for the account itself.
	UserName, RoleName string
	// Service is set instead when a cloud service (ecs.aliyuncs.com) assumes
	// the role for a resource, as ECS does for instance RAM roles.
	Service string
	// ExternalID is the AssumeRole ExternalId parameter ("" when absent).
	ExternalID string
}

// ecsServiceNames are the names the ECS service principal goes by: Alibaba
// Cloud's, and the placeholder the Apsara Stack guide prints in its sample
// trust policies (1.8.9, 1.8.10).
var ecsServiceNames = []string{"ecs.aliyuncs.com", "ecs.example.com"}

// ECSService is the service principal of ECS.
const ECSService = "ecs.aliyuncs.com"

// Trusts reports whether the trust policy d lets c assume the role: some Allow
// statement names c and no Deny statement does. A statement's Condition must
// hold; the only condition key understood is sts:ExternalId (StringEquals), so
// a statement with any other condition never matches — an Allow then grants
// nothing, which errs on the side of refusing.
func (d *Document) Trusts(c Caller) bool {
	allowed := false
	for _, s := range d.Statement {
		if !s.names(c) || !s.conditionHolds(c) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

// names reports whether the statement's Principal includes c.
func (s Statement) names(c Caller) bool {
	if len(s.Action) == 0 {
		return false
	}
	if c.Service != "" {
		for _, v := range s.Principal["Service"] {
			if sameService(v, c.Service) {
				return true
			}
		}
		return false
	}
	account := fmt.Sprint(c.AccountID)
	for _, v := range s.Principal["RAM"] {
		switch {
		case v == account, v == "acs:ram::"+account+":root":
			return true
		case c.UserName != "" && v == "acs:ram::"+account+":user/"+c.UserName:
			return true
		case c.RoleName != "" && v == "acs:ram::"+account+":role/"+c.RoleName:
			return true
		}
	}
	return false
}

func sameService(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	isECS := func(s string) bool {
		for _, n := range ecsServiceNames {
			if strings.EqualFold(s, n) {
				return true
			}
		}
		return false
	}
	return isECS(a) && isECS(b)
}

func (s Statement) conditionHolds(c Caller) bool {
	for op, keys := range s.Condition {
		for key, vals := range keys {
			if op != "StringEquals" || !strings.EqualFold(key, "sts:ExternalId") {
				return false
			}
			found := false
			for _, v := range vals {
				if v == c.ExternalID && c.ExternalID != "" {
					found = true
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// TrustsService reports whether the trust policy text lets the cloud service
// assume its role (false for a document that does not parse).
func TrustsService(text, service string) bool {
	d, err := Parse(text, Trust)
	return err == nil && d.Trusts(Caller{Service: service})
}
