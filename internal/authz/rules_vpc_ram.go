package authz

// API versions of the other products whose actions ecsd authorizes.
const (
	VPCVersion = "2016-04-28"
	RAMVersion = "2015-05-01"
	STSVersion = "2015-04-01"
)

// VPCRules are the rules of VPC 2016-04-28. Guide 1.3 lists the VPC actions
// of the ECS API of its time (CreateVpc …) with acs:ecs ARNs; ecsd serves them
// through the VPC API, so their RAM actions are vpc:… and their ARNs acs:vpc:…
// as Alibaba Cloud's VPC has them, with the guide's resource types.
func VPCRules() APIRules {
	return APIRules{Version: VPCVersion, ActionPrefix: "vpc", ResourceService: "vpc", Rules: []RuleSpec{
		natural("DescribeRegions", "global:*"),
		natural("DescribeZones", "global:*"),
		guide("CreateVpc", "vpc/*"),
		guide("DescribeVpcs", "vpc/*"),
		natural("DescribeVpcAttribute", "vpc/{VpcId}"),
		guide("ModifyVpcAttribute", "vpc/{VpcId}"),
		guide("DeleteVpc", "vpc/{VpcId}"),
		guide("CreateVSwitch", "vswitch/*"),
		guide("DescribeVSwitches", "vswitch/*"),
		natural("DescribeVSwitchAttributes", "vswitch/{VSwitchId}"),
		guide("ModifyVSwitchAttribute", "vswitch/{VSwitchId}"),
		guide("DeleteVSwitch", "vswitch/{VSwitchId}"),
		guide("DescribeVRouters", "vrouter/*"),
		guide("ModifyVRouterAttribute", "vrouter/{VRouterId}"),
		guide("CreateRouteTable", "routetable/*"),
		guide("DescribeRouteTables", "routetable/*"),
		natural("DescribeRouteTableList", "routetable/*"),
		guide("CreateRouteEntry", "routetable/{RouteTableId}"),
		guide("DeleteRouteEntry", "routetable/{RouteTableId}"),
		guide("AllocateEipAddress", "eip/*"),
		guide("AssociateEipAddress", "eip/{AllocationId}", "ecs:instance/{InstanceId}"),
		// The guide spells it UnassociateEipAddresses; the VPC API has no s.
		guide("UnassociateEipAddress", "eip/{AllocationId}", "ecs:instance/{InstanceId}"),
		guide("ReleaseEipAddress", "eip/{AllocationId}"),
		guide("DescribeEipAddresses", "eip/*"),
		guide("DescribeEipMonitorData", "eip/{AllocationId}"),
		guide("ModifyEipAddressAttribute", "eip/{AllocationId}"),
		natural("TagResources", "{ResourceType|lower}/{ResourceId[]}"),
		natural("UnTagResources", "{ResourceType|lower}/{ResourceId[]}"),
		natural("ListTagResources", "*"),
	}}
}

// RAMRules are the rules of RAM 2015-05-01: a user, group, policy or role is
// acs:ram:*:$accountid:user/$username (group/…, policy/…, role/…), as Alibaba
// Cloud's RAM authorizes them. Actions on "your own" user default to the
// calling RAM user when UserName is left out.
func RAMRules() APIRules {
	const self = "user/{UserName|self}"
	return APIRules{Version: RAMVersion, ActionPrefix: "ram", ResourceService: "ram", Global: true, Rules: []RuleSpec{
		// Users.
		natural("CreateUser", "user/{UserName}"),
		natural("GetUser", self),
		natural("UpdateUser", "user/{UserName}"),
		natural("DeleteUser", "user/{UserName}"),
		natural("ListUsers", "user/*"),
		natural("CreateLoginProfile", "user/{UserName}"),
		natural("GetLoginProfile", "user/{UserName}"),
		natural("UpdateLoginProfile", "user/{UserName}"),
		natural("DeleteLoginProfile", "user/{UserName}"),
		natural("ChangePassword", self),
		// AccessKeys.
		natural("CreateAccessKey", self),
		natural("UpdateAccessKey", self),
		natural("DeleteAccessKey", self),
		natural("ListAccessKeys", self),
		natural("GetAccessKeyLastUsed", self),
		// MFA devices.
		natural("CreateVirtualMFADevice", "mfa/{VirtualMFADeviceName}"),
		natural("DeleteVirtualMFADevice", "mfa/*"),
		natural("ListVirtualMFADevices", "mfa/*"),
		natural("BindMFADevice", self),
		natural("UnbindMFADevice", self),
		natural("GetUserMFAInfo", self),
		// Groups.
		natural("CreateGroup", "group/{GroupName}"),
		natural("GetGroup", "group/{GroupName}"),
		natural("UpdateGroup", "group/{GroupName}"),
		natural("DeleteGroup", "group/{GroupName}"),
		natural("ListGroups", "group/*"),
		natural("AddUserToGroup", "group/{GroupName}", "user/{UserName}"),
		natural("RemoveUserFromGroup", "group/{GroupName}", "user/{UserName}"),
		natural("ListGroupsForUser", self),
		natural("ListUsersForGroup", "group/{GroupName}"),
		// Policies.
		natural("CreatePolicy", "policy/{PolicyName}"),
		natural("GetPolicy", "policy/{PolicyName}"),
		natural("DeletePolicy", "policy/{PolicyName}"),
		natural("UpdatePolicyDescription", "policy/{PolicyName}"),
		natural("ListPolicies", "policy/*"),
		natural("CreatePolicyVersion", "policy/{PolicyName}"),
		natural("GetPolicyVersion", "policy/{PolicyName}"),
		natural("DeletePolicyVersion", "policy/{PolicyName}"),
		natural("ListPolicyVersions", "policy/{PolicyName}"),
		natural("SetDefaultPolicyVersion", "policy/{PolicyName}"),
		natural("AttachPolicyToUser", "policy/{PolicyName}", "user/{UserName}"),
		natural("DetachPolicyFromUser", "policy/{PolicyName}", "user/{UserName}"),
		natural("AttachPolicyToGroup", "policy/{PolicyName}", "group/{GroupName}"),
		natural("DetachPolicyFromGroup", "policy/{PolicyName}", "group/{GroupName}"),
		natural("AttachPolicyToRole", "policy/{PolicyName}", "role/{RoleName}"),
		natural("DetachPolicyFromRole", "policy/{PolicyName}", "role/{RoleName}"),
		natural("ListPoliciesForUser", self),
		natural("ListPoliciesForGroup", "group/{GroupName}"),
		natural("ListPoliciesForRole", "role/{RoleName}"),
		natural("ListEntitiesForPolicy", "policy/{PolicyName}"),
		// Roles.
		natural("CreateRole", "role/{RoleName}"),
		natural("GetRole", "role/{RoleName}"),
		natural("UpdateRole", "role/{RoleName}"),
		natural("DeleteRole", "role/{RoleName}"),
		natural("ListRoles", "role/*"),
		// The account.
		natural("GetAccountAlias", "*"),
		natural("SetAccountAlias", "*"),
		natural("ClearAccountAlias", "*"),
		natural("GetPasswordPolicy", "*"),
		natural("SetPasswordPolicy", "*"),
		natural("GetSecurityPreference", "*"),
		natural("SetSecurityPreference", "*"),
	}}
}

// STSRules are the rules of STS 2015-04-01. AssumeRole checks the role being
// assumed (acs:ram:*:$roleaccountid:role/$rolename, from RoleArn);
// GetCallerIdentity is open to every principal, as in Alibaba Cloud, and so
// are the federation calls, which are not signed with an AccessKey.
func STSRules() APIRules {
	return APIRules{Version: STSVersion, ActionPrefix: "sts", ResourceService: "ram", Global: true, Rules: []RuleSpec{
		natural("AssumeRole", "arn:{RoleArn|rolearn}"),
		{Name: "GetCallerIdentity", Public: true},
		{Name: "AssumeRoleWithSAML", Public: true},
		{Name: "AssumeRoleWithOIDC", Public: true},
	}}
}
