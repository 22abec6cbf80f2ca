// Package secgroup owns security groups and their rules (guide 1.11): creating,
// describing, modifying and deleting groups, authorizing and revoking rules in
// both directions, group-to-group rules across accounts, the inner access policy,
// tags and the guide's quotas. Every answer that is not a success is the guide's
// error (errors.go). Joining and leaving groups belongs to instances.
package secgroup

import (
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// InstanceCounter counts the instances in a security group, inside tx.
type InstanceCounter func(tx store.Tx, groupID string) (int, error)

// Limits are the guide's quotas; a zero field takes the guide's value.
type Limits struct {
	// GroupsPerAccount bounds the groups of one account, all regions together
	// (1.11.1: "每个用户最多可创建 100 个安全组"). Default 100.
	GroupsPerAccount int
	// RulesPerGroup bounds the rules of one group, both directions together
	// (1.11.2: "每个安全组最多有100条安全组规则"). Default 100.
	RulesPerGroup int
	// InstancesPerGroup bounds the instances in one group (1.11.6: "每个安全组最多
	// 能管理 1000 台实例"); DescribeSecurityGroups reports what is left. Default 1000.
	InstancesPerGroup int
}

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	// Limits override the guide's quotas (tests use small ones).
	Limits Limits
	// Instances counts a group's instances for DeleteSecurityGroup's
	// DependencyViolation and DescribeSecurityGroups' EcsCount; nil means the
	// memberships JoinSecurityGroup and RunInstances record
	// (store.InstanceTx.CountSecurityGroupInstances).
	Instances InstanceCounter
}

// Service implements the use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Limits.GroupsPerAccount <= 0 {
		deps.Limits.GroupsPerAccount = 100
	}
	if deps.Limits.RulesPerGroup <= 0 {
		deps.Limits.RulesPerGroup = 100
	}
	if deps.Limits.InstancesPerGroup <= 0 {
		deps.Limits.InstancesPerGroup = 1000
	}
	if deps.Instances == nil {
		deps.Instances = func(tx store.Tx, groupID string) (int, error) { return tx.CountSecurityGroupInstances(groupID) }
	}
	return &Service{deps: deps}
}

// Caller is who calls and in which region: another account's group, or a group
// of another region, answers exactly like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// Values of the model.
const (
	// DirectionIngress and DirectionEgress are the rule directions.
	DirectionIngress = "ingress"
	DirectionEgress  = "egress"
	// NicInternet and NicIntranet are the rule NIC types.
	NicInternet = "internet"
	NicIntranet = "intranet"
	// PolicyAccept and PolicyDrop are the rule policies (stored lower case).
	PolicyAccept = "accept"
	PolicyDrop   = "drop"
	// InnerAccept and InnerDrop are the inner access policies.
	InnerAccept = "Accept"
	InnerDrop   = "Drop"
	// TypeNormal and TypeEnterprise are the group types.
	TypeNormal     = "normal"
	TypeEnterprise = "enterprise"
	// vpcAvailable is the VPC status that lets a group be created in it.
	vpcAvailable = "Available"
)

// group returns the caller's group id in the caller's region, or notFound.
func group(tx store.Tx, c Caller, id string, notFound error) (store.SecurityGroup, error) {
	g, err := tx.GetSecurityGroup(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.RegionID != c.RegionID) {
		return store.SecurityGroup{}, notFound
	}
	if err != nil {
		return store.SecurityGroup{}, fmt.Errorf("security group %s: %w", id, err)
	}
	return g, nil
}

// instances counts the instances in a group through the InstanceCounter.
func (s *Service) instances(tx store.Tx, groupID string) (int, error) {
	n, err := s.deps.Instances(tx, groupID)
	if err != nil {
		return 0, fmt.Errorf("count instances of %s: %w", groupID, err)
	}
	return n, nil
}
