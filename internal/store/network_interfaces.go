package store

import "time"

// NetworkInterface is an elastic network interface (guide 1.13): the primary
// interface every instance has from its creation to its deletion, or a
// secondary one made by CreateNetworkInterface and attached to at most one
// instance at a time.
type NetworkInterface struct {
	ID        string
	AccountID int64
	RegionID  string
	ZoneID    string
	VpcID     string
	VSwitchID string
	// Type is NetworkInterfacePrimary or NetworkInterfaceSecondary.
	Type        string
	Name        string
	Description string
	// Status is Available, Attaching, InUse or Detaching.
	Status string
	// InstanceID is the instance the interface is attached to, "" when none.
	InstanceID string
	// PrivateIP is the interface's primary private address in its VSwitch.
	PrivateIP string
	// MAC is the interface's MAC address, unique across all accounts; "" only for
	// the primary interface of an instance created before migration 0013, whose
	// MAC is derived from the instance ID.
	MAC        string
	CreatedAt  time.Time
	AttachedAt time.Time
}

// Network interface types.
const (
	NetworkInterfacePrimary   = "Primary"
	NetworkInterfaceSecondary = "Secondary"
)

// NetworkInterfaceFilter selects network interfaces of one account; empty
// fields match all.
type NetworkInterfaceFilter struct {
	AccountID  int64
	RegionID   string
	IDs        []string
	InstanceID string
	VpcID      string
	VSwitchID  string
	Type       string
	Name       string
	// PrivateIPs match the interfaces' primary private addresses.
	PrivateIPs []string
	// SecurityGroupID matches secondary interfaces in the group and primary
	// interfaces whose instance is in it.
	SecurityGroupID string
	Statuses        []string
	// Tags match interfaces carrying every tag given (an empty Value matches any).
	Tags []Tag
	Page Page
	// After, when set, starts the list after this interface (NextToken paging);
	// Page.Number is then ignored.
	After *Cursor
}

// NetworkInterfaceTx holds network interfaces and the security groups of the
// secondary ones. A primary interface's groups are its instance's
// (InstanceTx.SetInstanceSecurityGroups).
type NetworkInterfaceTx interface {
	// CreateNetworkInterface inserts an interface; ErrConflict when its ID or
	// its MAC is taken.
	CreateNetworkInterface(n NetworkInterface) error
	// GetNetworkInterface returns the account's interface or ErrNotFound.
	GetNetworkInterface(accountID int64, id string) (NetworkInterface, error)
	// ListNetworkInterfaces returns the interfaces matching f, newest first, and
	// the total count before paging.
	ListNetworkInterfaces(f NetworkInterfaceFilter) ([]NetworkInterface, int, error)
	// UpdateNetworkInterface replaces every field but ID, AccountID, RegionID and
	// CreatedAt; ErrNotFound when absent, ErrConflict when the MAC is taken.
	UpdateNetworkInterface(n NetworkInterface) error
	// DeleteNetworkInterface removes the interface and its security groups;
	// ErrNotFound when absent.
	DeleteNetworkInterface(accountID int64, id string) error
	// InstanceNetworkInterfaces returns the interfaces attached to any of the
	// instances (whatever their status), each instance's primary interface first,
	// then by attachment time.
	InstanceNetworkInterfaces(instanceIDs []string) ([]NetworkInterface, error)
	// NetworkInterfaceMACTaken reports whether an interface has the MAC address.
	NetworkInterfaceMACTaken(mac string) (bool, error)
	// CountNetworkInterfaces counts the account's interfaces of a type in a region.
	CountNetworkInterfaces(accountID int64, regionID, typ string) (int, error)

	// SetNetworkInterfaceSecurityGroups replaces a secondary interface's groups, in order.
	SetNetworkInterfaceSecurityGroups(accountID int64, id string, groupIDs []string) error
	// NetworkInterfaceSecurityGroups returns the groups of secondary interfaces,
	// by interface ID, each in the order set.
	NetworkInterfaceSecurityGroups(ids []string) (map[string][]string, error)
	// CountSecurityGroupNetworkInterfaces counts the secondary interfaces in a group.
	CountSecurityGroupNetworkInterfaces(groupID string) (int, error)
}
