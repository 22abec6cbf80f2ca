package store

import "time"

// SecurityGroup is a security group (guide 1.11).
type SecurityGroup struct {
	ID          string
	AccountID   int64
	RegionID    string
	Name        string
	Description string
	// VpcID is the VPC the group belongs to; "" for a group created without one.
	VpcID string
	// Type is "normal" or "enterprise".
	Type string
	// InnerAccessPolicy is "Accept" or "Drop": whether the group's members reach
	// each other regardless of its rules.
	InnerAccessPolicy string
	ResourceGroupID   string
	CreatedAt         time.Time
}

// SecurityGroupRule is one rule of a security group: an ingress rule lets traffic
// from its source in, an egress rule lets traffic to its destination out.
type SecurityGroupRule struct {
	// ID is the rule's SecurityGroupRuleId (sgr-…).
	ID              string
	AccountID       int64
	SecurityGroupID string
	// Direction is "ingress" or "egress".
	Direction string
	// IPProtocol is tcp, udp, icmp, gre or all (lower case).
	IPProtocol string
	// PortRange and SourcePortRange are "from/to" ("-1/-1" for every port);
	// SourcePortRange is "" when the rule does not restrict it.
	PortRange       string
	SourcePortRange string
	// NicType is "internet" or "intranet".
	NicType string
	// Policy is "accept" or "drop".
	Policy string
	// Priority is 1 (highest) to 100.
	Priority int
	// SourceCidrIP and DestCidrIP are IPv4 ranges as the caller wrote them: the
	// source of an ingress CIDR rule, the destination of an egress one, and
	// optionally the range inside the group on the other side ("" for none).
	SourceCidrIP string
	DestCidrIP   string
	// PeerGroupID is the source (ingress) or destination (egress) group of a
	// group-to-group rule, and PeerAccountID the account owning it; "" and 0 for a
	// CIDR rule.
	PeerGroupID   string
	PeerAccountID int64
	// PeerOwnerAccount is the peer's owner as the rule reports it
	// (SourceGroupOwnerAccount / DestGroupOwnerAccount); "" when the caller did not
	// name the owner.
	PeerOwnerAccount string
	Description      string
	CreatedAt        time.Time
}

// SecurityGroupFilter selects security groups of one account; empty fields match all.
type SecurityGroupFilter struct {
	AccountID       int64
	RegionID        string
	IDs             []string
	VpcID           string
	Name            string
	Type            string
	ResourceGroupID string
	// InVPC, when set, selects groups with (true) or without (false) a VpcID.
	InVPC *bool
	// Tags must all be on a group; a tag with an empty Value matches any value.
	Tags []Tag
	Page Page
}

// SecurityGroupReference says that a rule of group ReferencingGroupID (owned by
// ReferencingAccountID) names group GroupID as its source or destination.
type SecurityGroupReference struct {
	GroupID              string
	ReferencingGroupID   string
	ReferencingAccountID int64
}

// SecurityGroupRuleCount counts the rules of one group.
type SecurityGroupRuleCount struct {
	// Rules counts every rule, GroupToGroup those whose peer is a group.
	Rules        int
	GroupToGroup int
}

// SecurityGroupTx holds security groups, their rules and their tags (guide 1.11).
// Groups and rules are scoped to an account: another account's group is
// ErrNotFound. References are keyed by group ID alone, because a rule may name
// another account's group. The instances in a group are InstanceTx's
// (SetInstanceSecurityGroups, CountSecurityGroupInstances).
type SecurityGroupTx interface {
	// CreateSecurityGroup inserts a group; ErrConflict when the ID is taken.
	CreateSecurityGroup(g SecurityGroup) error
	// GetSecurityGroup returns the account's group or ErrNotFound.
	GetSecurityGroup(accountID int64, id string) (SecurityGroup, error)
	// ListSecurityGroups returns the groups matching f, newest first, and the
	// total count before paging.
	ListSecurityGroups(f SecurityGroupFilter) ([]SecurityGroup, int, error)
	// CountSecurityGroups returns how many groups the account has in all regions.
	CountSecurityGroups(accountID int64) (int, error)
	// UpdateSecurityGroup replaces the mutable fields (Name, Description,
	// InnerAccessPolicy); ErrNotFound when absent.
	UpdateSecurityGroup(g SecurityGroup) error
	// DeleteSecurityGroup removes the account's group with its rules and tags;
	// ErrNotFound when absent. Callers check references and members first.
	DeleteSecurityGroup(accountID int64, id string) error

	// CreateSecurityGroupRule inserts a rule; ErrConflict when the ID is taken.
	CreateSecurityGroupRule(r SecurityGroupRule) error
	// ListSecurityGroupRules returns the rules of the account's group, oldest first.
	ListSecurityGroupRules(accountID int64, groupID string) ([]SecurityGroupRule, error)
	// CountSecurityGroupRules counts the rules of each of the account's groups
	// named; groups without rules are absent from the map.
	CountSecurityGroupRules(accountID int64, groupIDs []string) (map[string]SecurityGroupRuleCount, error)
	// UpdateSecurityGroupRule replaces a rule's Description and Priority;
	// ErrNotFound when absent.
	UpdateSecurityGroupRule(r SecurityGroupRule) error
	// DeleteSecurityGroupRule removes one rule of the account's group; ErrNotFound
	// when absent.
	DeleteSecurityGroupRule(accountID int64, groupID, ruleID string) error
	// ListSecurityGroupReferences returns, for each group named, the other groups
	// (of any account) with a rule naming it as source or destination; one entry
	// per referencing group, ordered by referencing group ID.
	ListSecurityGroupReferences(groupIDs []string) ([]SecurityGroupReference, error)

	// PutSecurityGroupTags adds tags to the account's group, replacing the value of
	// a key it already has. Tags live in the generic tags table under resource
	// type "securitygroup".
	PutSecurityGroupTags(accountID int64, groupID string, tags []Tag) error
	// ListSecurityGroupTags returns the tags of each of the account's groups
	// named, ordered by key; groups without tags are absent from the map.
	ListSecurityGroupTags(accountID int64, groupIDs []string) (map[string][]Tag, error)
}
