package ecs

import (
	"context"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/secgroup"
)

// SecurityGroupIngressRule holds the parameters that describe one ingress rule:
// flat on AuthorizeSecurityGroup, RevokeSecurityGroup and ModifySecurityGroupRule
// (the guide's form, and what Terraform sends to revoke), or as one
// Permissions.N item (the SDK's form, and what Terraform sends to authorize).
type SecurityGroupIngressRule struct {
	// IpProtocol is tcp, udp, icmp, gre or all, in any case.
	IpProtocol string `param:"IpProtocol"`
	// PortRange is "from/to": 1–65535 for tcp and udp, -1/-1 otherwise.
	PortRange       string `param:"PortRange"`
	SourcePortRange string `param:"SourcePortRange"`
	// NicType is internet (default) or intranet; always intranet in a VPC.
	NicType string `param:"NicType"`
	// Policy is accept (default) or drop.
	Policy string `param:"Policy"`
	// Priority is 1 (default, highest) to 100.
	Priority string `param:"Priority"`
	// SourceCidrIp is the source range; it wins over SourceGroupId.
	SourceCidrIp string `param:"SourceCidrIp"`
	// DestCidrIp optionally narrows the rule to a range inside the group.
	DestCidrIp string `param:"DestCidrIp"`
	// SourceGroupId is the source group (up to ten, comma-separated, on Revoke),
	// owned by the account SourceGroupOwnerAccount (name) or SourceGroupOwnerId.
	SourceGroupId           string `param:"SourceGroupId"`
	SourceGroupOwnerAccount string `param:"SourceGroupOwnerAccount"`
	SourceGroupOwnerId      string `param:"SourceGroupOwnerId"`
	// Description is the rule's description, up to 512 characters.
	Description *string `param:"Description"`
}

// spec converts the rule to the service's direction-neutral form.
func (r SecurityGroupIngressRule) spec(prefix string) secgroup.RuleSpec {
	return secgroup.RuleSpec{Prefix: prefix, IPProtocol: r.IpProtocol, PortRange: r.PortRange, SourcePortRange: r.SourcePortRange,
		NicType: r.NicType, Policy: r.Policy, Priority: r.Priority, PeerCidrIP: r.SourceCidrIp, LocalCidrIP: r.DestCidrIp,
		PeerGroupID: r.SourceGroupId, PeerOwnerAccount: r.SourceGroupOwnerAccount, PeerOwnerID: r.SourceGroupOwnerId,
		Description: r.Description}
}

// sent reports whether any rule-identifying parameter was sent flat.
func (r SecurityGroupIngressRule) sent() bool { return r.IpProtocol != "" || r.PortRange != "" }

// SecurityGroupEgressRule holds the parameters that describe one egress rule,
// flat or as one Permissions.N item (see SecurityGroupIngressRule).
type SecurityGroupEgressRule struct {
	IpProtocol      string `param:"IpProtocol"`
	PortRange       string `param:"PortRange"`
	SourcePortRange string `param:"SourcePortRange"`
	NicType         string `param:"NicType"`
	Policy          string `param:"Policy"`
	Priority        string `param:"Priority"`
	// DestCidrIp is the destination range; it wins over DestGroupId.
	DestCidrIp string `param:"DestCidrIp"`
	// SourceCidrIp optionally narrows the rule to a range inside the group.
	SourceCidrIp string `param:"SourceCidrIp"`
	// DestGroupId is the destination group (up to ten, comma-separated, on
	// Revoke), owned by DestGroupOwnerAccount (name) or DestGroupOwnerId.
	DestGroupId           string  `param:"DestGroupId"`
	DestGroupOwnerAccount string  `param:"DestGroupOwnerAccount"`
	DestGroupOwnerId      string  `param:"DestGroupOwnerId"`
	Description           *string `param:"Description"`
}

// spec converts the rule to the service's direction-neutral form.
func (r SecurityGroupEgressRule) spec(prefix string) secgroup.RuleSpec {
	return secgroup.RuleSpec{Prefix: prefix, IPProtocol: r.IpProtocol, PortRange: r.PortRange, SourcePortRange: r.SourcePortRange,
		NicType: r.NicType, Policy: r.Policy, Priority: r.Priority, PeerCidrIP: r.DestCidrIp, LocalCidrIP: r.SourceCidrIp,
		PeerGroupID: r.DestGroupId, PeerOwnerAccount: r.DestGroupOwnerAccount, PeerOwnerID: r.DestGroupOwnerId,
		Description: r.Description}
}

// sent reports whether any rule-identifying parameter was sent flat.
func (r SecurityGroupEgressRule) sent() bool { return r.IpProtocol != "" || r.PortRange != "" }

// ruleForm is a flat rule or a Permissions.N item.
type ruleForm interface {
	spec(prefix string) secgroup.RuleSpec
	sent() bool
}

// ruleSpecs returns the rules of a call: the Permissions.N items when there are
// any, else the flat rule. Both at once is refused, as Alibaba Cloud does.
func ruleSpecs[R ruleForm](flat R, perms []R) ([]secgroup.RuleSpec, error) {
	if len(perms) == 0 {
		return []secgroup.RuleSpec{flat.spec("")}, nil
	}
	if flat.sent() {
		return nil, apierr.InvalidParameter("Permissions")
	}
	specs := make([]secgroup.RuleSpec, len(perms))
	for i, p := range perms {
		specs[i] = p.spec("Permissions." + strconv.Itoa(i+1) + ".")
	}
	return specs, nil
}

// SecurityGroupIngressCall holds the parameters of the ingress rule actions
// AuthorizeSecurityGroup and RevokeSecurityGroup: the group, and one flat rule or
// Permissions.N.
type SecurityGroupIngressCall struct {
	RegionId        string `param:"RegionId"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
	SecurityGroupIngressRule
	Permissions []SecurityGroupIngressRule `param:"Permissions,json" maxItems:"100"`
	// ClientToken is accepted; both actions are idempotent anyway.
	ClientToken string `param:"ClientToken"`
}

// call returns the group and the rules of the call.
func (c *SecurityGroupIngressCall) call() (string, []secgroup.RuleSpec, error) {
	specs, err := ruleSpecs(c.SecurityGroupIngressRule, c.Permissions)
	return c.SecurityGroupId, specs, err
}

// SecurityGroupEgressCall holds the parameters of the egress rule actions
// AuthorizeSecurityGroupEgress and RevokeSecurityGroupEgress.
type SecurityGroupEgressCall struct {
	RegionId        string `param:"RegionId"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
	SecurityGroupEgressRule
	Permissions []SecurityGroupEgressRule `param:"Permissions,json" maxItems:"100"`
	ClientToken string                    `param:"ClientToken"`
}

// call returns the group and the rules of the call.
func (c *SecurityGroupEgressCall) call() (string, []secgroup.RuleSpec, error) {
	specs, err := ruleSpecs(c.SecurityGroupEgressRule, c.Permissions)
	return c.SecurityGroupId, specs, err
}

// ruleChange is Service.Authorize or Service.Revoke.
type ruleChange func(ctx context.Context, c secgroup.Caller, groupID string, egress bool, specs []secgroup.RuleSpec) error

// changeRules applies change to the rules of a call.
func changeRules(ctx context.Context, call func() (string, []secgroup.RuleSpec, error), egress bool, change ruleChange) error {
	groupID, specs, err := call()
	if err != nil {
		return err
	}
	return change(ctx, securityGroupCaller(ctx), groupID, egress, specs)
}

// AuthorizeSecurityGroupRequest holds the parameters of AuthorizeSecurityGroup
// (guide 1.11.2).
type AuthorizeSecurityGroupRequest struct{ SecurityGroupIngressCall }

// AuthorizeSecurityGroupResponse is the answer of AuthorizeSecurityGroup (RequestId only).
type AuthorizeSecurityGroupResponse struct{}

// AuthorizeSecurityGroup adds ingress rules to a group (guide 1.11.2).
func (h *Handlers) AuthorizeSecurityGroup(ctx context.Context, req *AuthorizeSecurityGroupRequest) (*AuthorizeSecurityGroupResponse, error) {
	if err := changeRules(ctx, req.call, false, h.deps.SecurityGroups.Authorize); err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupResponse{}, nil
}

// AuthorizeSecurityGroupEgressRequest holds the parameters of
// AuthorizeSecurityGroupEgress (guide 1.11.3).
type AuthorizeSecurityGroupEgressRequest struct{ SecurityGroupEgressCall }

// AuthorizeSecurityGroupEgressResponse is the answer of
// AuthorizeSecurityGroupEgress (RequestId only).
type AuthorizeSecurityGroupEgressResponse struct{}

// AuthorizeSecurityGroupEgress adds egress rules to a group (guide 1.11.3).
func (h *Handlers) AuthorizeSecurityGroupEgress(ctx context.Context, req *AuthorizeSecurityGroupEgressRequest) (*AuthorizeSecurityGroupEgressResponse, error) {
	if err := changeRules(ctx, req.call, true, h.deps.SecurityGroups.Authorize); err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupEgressResponse{}, nil
}

// RevokeSecurityGroupRequest holds the parameters of RevokeSecurityGroup (guide 1.11.4).
type RevokeSecurityGroupRequest struct{ SecurityGroupIngressCall }

// RevokeSecurityGroupResponse is the answer of RevokeSecurityGroup (RequestId only).
type RevokeSecurityGroupResponse struct{}

// RevokeSecurityGroup removes the ingress rules the parameters name (guide 1.11.4).
func (h *Handlers) RevokeSecurityGroup(ctx context.Context, req *RevokeSecurityGroupRequest) (*RevokeSecurityGroupResponse, error) {
	if err := changeRules(ctx, req.call, false, h.deps.SecurityGroups.Revoke); err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupResponse{}, nil
}

// RevokeSecurityGroupEgressRequest holds the parameters of
// RevokeSecurityGroupEgress (guide 1.11.5).
type RevokeSecurityGroupEgressRequest struct{ SecurityGroupEgressCall }

// RevokeSecurityGroupEgressResponse is the answer of RevokeSecurityGroupEgress
// (RequestId only).
type RevokeSecurityGroupEgressResponse struct{}

// RevokeSecurityGroupEgress removes the egress rules the parameters name (guide 1.11.5).
func (h *Handlers) RevokeSecurityGroupEgress(ctx context.Context, req *RevokeSecurityGroupEgressRequest) (*RevokeSecurityGroupEgressResponse, error) {
	if err := changeRules(ctx, req.call, true, h.deps.SecurityGroups.Revoke); err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupEgressResponse{}, nil
}

// ModifySecurityGroupRuleRequest holds the parameters of ModifySecurityGroupRule
// (guide 1.11.14): the rule, named like RevokeSecurityGroup names it, and its
// new Description (required, 1–512 characters).
type ModifySecurityGroupRuleRequest struct {
	RegionId        string `param:"RegionId"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
	SecurityGroupIngressRule
	ClientToken string `param:"ClientToken"`
}

// ModifySecurityGroupRuleResponse is the answer of ModifySecurityGroupRule
// (RequestId only).
type ModifySecurityGroupRuleResponse struct{}

// ModifySecurityGroupRule changes the description of an ingress rule (guide 1.11.14).
func (h *Handlers) ModifySecurityGroupRule(ctx context.Context, req *ModifySecurityGroupRuleRequest) (*ModifySecurityGroupRuleResponse, error) {
	err := h.deps.SecurityGroups.ModifyRule(ctx, securityGroupCaller(ctx), req.SecurityGroupId, req.SecurityGroupIngressRule.spec(""))
	if err != nil {
		return nil, err
	}
	return &ModifySecurityGroupRuleResponse{}, nil
}

// DescribeSecurityGroupAttributeRequest holds the parameters of
// DescribeSecurityGroupAttribute (guide 1.11.9).
type DescribeSecurityGroupAttributeRequest struct {
	RegionId        string `param:"RegionId"`
	SecurityGroupId string `param:"SecurityGroupId,required"`
	// NicType, when sent, shows only the rules of that NIC type.
	NicType string `param:"NicType"`
	// Direction is ingress, egress or all (default).
	Direction string `param:"Direction" enum:"ingress|egress|all"`
}

// DescribeSecurityGroupAttributeResponse is the answer of
// DescribeSecurityGroupAttribute.
type DescribeSecurityGroupAttributeResponse struct {
	RegionId          string                   `json:"RegionId"`
	SecurityGroupId   string                   `json:"SecurityGroupId"`
	SecurityGroupName string                   `json:"SecurityGroupName"`
	Description       string                   `json:"Description"`
	VpcId             string                   `json:"VpcId"`
	InnerAccessPolicy string                   `json:"InnerAccessPolicy"`
	Permissions       SecurityGroupPermissions `json:"Permissions"`
}

// SecurityGroupPermissions is the SDK's Permissions container.
type SecurityGroupPermissions struct {
	Permission []SecurityGroupPermission `json:"Permission"`
}

// SecurityGroupPermission is one rule (the guide's PermissionType, with the SDK's
// extra fields). IpProtocol is upper case and Policy capitalized, as Alibaba
// Cloud answers; Priority is a string.
type SecurityGroupPermission struct {
	SecurityGroupRuleId     string `json:"SecurityGroupRuleId"`
	Direction               string `json:"Direction"`
	IpProtocol              string `json:"IpProtocol"`
	PortRange               string `json:"PortRange"`
	SourcePortRange         string `json:"SourcePortRange"`
	SourceCidrIp            string `json:"SourceCidrIp"`
	SourceGroupId           string `json:"SourceGroupId"`
	SourceGroupName         string `json:"SourceGroupName"`
	SourceGroupOwnerAccount string `json:"SourceGroupOwnerAccount"`
	DestCidrIp              string `json:"DestCidrIp"`
	DestGroupId             string `json:"DestGroupId"`
	DestGroupName           string `json:"DestGroupName"`
	DestGroupOwnerAccount   string `json:"DestGroupOwnerAccount"`
	Ipv6SourceCidrIp        string `json:"Ipv6SourceCidrIp"`
	Ipv6DestCidrIp          string `json:"Ipv6DestCidrIp"`
	SourcePrefixListId      string `json:"SourcePrefixListId"`
	DestPrefixListId        string `json:"DestPrefixListId"`
	Policy                  string `json:"Policy"`
	NicType                 string `json:"NicType"`
	Priority                string `json:"Priority"`
	Description             string `json:"Description"`
	CreateTime              string `json:"CreateTime"`
}

// DescribeSecurityGroupAttribute returns a group and its rules, oldest first
// (guide 1.11.9).
func (h *Handlers) DescribeSecurityGroupAttribute(ctx context.Context, req *DescribeSecurityGroupAttributeRequest) (*DescribeSecurityGroupAttributeResponse, error) {
	d, err := h.deps.SecurityGroups.Describe(ctx, securityGroupCaller(ctx), req.SecurityGroupId,
		secgroup.RuleFilter{Direction: req.Direction, NicType: req.NicType})
	if err != nil {
		return nil, err
	}
	g := d.Group
	resp := &DescribeSecurityGroupAttributeResponse{RegionId: g.RegionID, SecurityGroupId: g.ID, SecurityGroupName: g.Name,
		Description: g.Description, VpcId: g.VpcID, InnerAccessPolicy: g.InnerAccessPolicy,
		Permissions: SecurityGroupPermissions{Permission: []SecurityGroupPermission{}}}
	for _, r := range d.Rules {
		resp.Permissions.Permission = append(resp.Permissions.Permission, permission(r))
	}
	return resp, nil
}

// permission renders one rule.
func permission(r secgroup.Rule) SecurityGroupPermission {
	p := SecurityGroupPermission{SecurityGroupRuleId: r.ID, Direction: r.Direction, IpProtocol: strings.ToUpper(r.IPProtocol),
		PortRange: r.PortRange, SourcePortRange: r.SourcePortRange, SourceCidrIp: r.SourceCidrIP, DestCidrIp: r.DestCidrIP,
		Policy: "Accept", NicType: r.NicType, Priority: strconv.Itoa(r.Priority), Description: r.Description,
		CreateTime: r.CreatedAt.UTC().Format(securityGroupTimeLayout)}
	if r.Policy == secgroup.PolicyDrop {
		p.Policy = "Drop"
	}
	if r.Direction == secgroup.DirectionEgress {
		p.DestGroupId, p.DestGroupName, p.DestGroupOwnerAccount = r.PeerGroupID, r.PeerGroupName, r.PeerOwnerAccount
	} else {
		p.SourceGroupId, p.SourceGroupName, p.SourceGroupOwnerAccount = r.PeerGroupID, r.PeerGroupName, r.PeerOwnerAccount
	}
	return p
}
