package store

import "time"

// DeploymentSet is a deployment set (guide 1.6): a placement policy that the
// instances created into it follow. Its instances are the placements naming it
// (PlacementTx), not a list kept here.
type DeploymentSet struct {
	ID        string
	AccountID int64
	RegionID  string
	// ZoneID, when set, is the only zone the set's instances may be in.
	ZoneID      string
	Name        string
	Description string
	// Domain, Granularity and Strategy are the guide's, spelled canonically
	// (placement.DomainDefault …).
	Domain      string
	Granularity string
	Strategy    string
	CreatedAt   time.Time
}

// DeploymentSetFilter selects deployment sets of one account; empty fields
// match all.
type DeploymentSetFilter struct {
	AccountID   int64
	RegionID    string
	IDs         []string
	Name        string
	Domain      string
	Granularity string
	Strategy    string
	Page        Page
}

// DeploymentSetTx holds deployment sets. Lookups are scoped to an account:
// another account's set is ErrNotFound.
type DeploymentSetTx interface {
	// CreateDeploymentSet inserts a set; ErrConflict when the ID is taken.
	CreateDeploymentSet(d DeploymentSet) error
	// GetDeploymentSet returns the account's set or ErrNotFound.
	GetDeploymentSet(accountID int64, id string) (DeploymentSet, error)
	// ListDeploymentSets returns the sets matching f, newest first, and the
	// total count before paging.
	ListDeploymentSets(f DeploymentSetFilter) ([]DeploymentSet, int, error)
	// UpdateDeploymentSet replaces the set's name and description; ErrNotFound
	// when absent.
	UpdateDeploymentSet(d DeploymentSet) error
	// DeleteDeploymentSet removes the set; ErrNotFound when absent.
	DeleteDeploymentSet(accountID int64, id string) error
	// CountDeploymentSets counts the account's sets in a region.
	CountDeploymentSets(accountID int64, regionID string) (int, error)
}

// Placement says which simulated host an instance runs on and what it takes
// there. It is written in the transaction that creates the instance and
// removed in the one that deletes it, so a host's usage is always the sum of
// its placements.
type Placement struct {
	InstanceID string
	AccountID  int64
	ZoneID     string
	HostID     string
	// DeploymentSetID is the instance's deployment set, "" for none.
	DeploymentSetID string
	VCPUs           int
	MemoryMiB       int
}

// HostUsage is what one host runs: the sums of its placements.
type HostUsage struct {
	HostID    string
	ZoneID    string
	VCPUs     int
	MemoryMiB int
	Instances int
}

// PlacementTx holds placements and the usage of hosts (the catalog knows the
// hosts themselves). Placements are not scoped to an account: hosts are shared.
type PlacementTx interface {
	// PlaceInstances records placements and adds each to its host's usage.
	// ErrConflict when an instance is already placed: the placements before it
	// are recorded (with their usage), the rest are not.
	PlaceInstances(ps []Placement) error
	// ReleasePlacement removes an instance's placement and takes it off its
	// host's usage (a host running nothing has no usage row); ErrNotFound when
	// the instance is not placed.
	ReleasePlacement(instanceID string) (Placement, error)
	// GetPlacement returns an instance's placement or ErrNotFound.
	GetPlacement(instanceID string) (Placement, error)
	// ZoneHostUsage returns the usage of every host of a zone that runs
	// something, by host ID.
	ZoneHostUsage(zoneID string) ([]HostUsage, error)
	// DeploymentSetPlacements returns the placements of the instances in the
	// given sets, by set, then host, then instance ID.
	DeploymentSetPlacements(setIDs []string) ([]Placement, error)
}
