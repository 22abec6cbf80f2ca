package store

import "time"

// VPC is a virtual private cloud (VPC API 2016-04-28).
type VPC struct {
	ID          string
	AccountID   int64
	RegionID    string
	Name        string
	Description string
	// CidrBlock is the VPC's IPv4 range, e.g. 172.16.0.0/12.
	CidrBlock string
	// Status is Pending or Available.
	Status string
	// VRouterID and RouteTableID name the router and system route table created with it.
	VRouterID    string
	RouteTableID string
	IsDefault    bool
	CreatedAt    time.Time
}

// VSwitch is a subnet of a VPC in one zone.
type VSwitch struct {
	ID          string
	AccountID   int64
	RegionID    string
	VpcID       string
	ZoneID      string
	Name        string
	Description string
	CidrBlock   string
	// Status is Pending or Available.
	Status    string
	IsDefault bool
	CreatedAt time.Time
}

// PrivateIP is an address of a VSwitch taken by an instance or a network interface.
type PrivateIP struct {
	AccountID int64
	VSwitchID string
	Address   string
	// OwnerType is "Instance" or "NetworkInterface"; OwnerID is its ID.
	OwnerType string
	OwnerID   string
	CreatedAt time.Time
}

// VPCFilter selects VPCs of one account in one region; empty fields match all.
type VPCFilter struct {
	AccountID int64
	RegionID  string
	IDs       []string
	Name      string
	IsDefault *bool
	Page      Page
}

// VSwitchFilter selects VSwitches of one account in one region; empty fields match all.
type VSwitchFilter struct {
	AccountID int64
	RegionID  string
	VpcID     string
	ZoneID    string
	IDs       []string
	Name      string
	IsDefault *bool
	Page      Page
}

// NetworkTx holds VPCs, VSwitches and the private IPs allocated in them. Every
// lookup is scoped to an account: another account's resource is ErrNotFound.
type NetworkTx interface {
	// CreateVPC inserts a VPC; ErrConflict when the ID is taken.
	CreateVPC(v VPC) error
	// GetVPC returns the account's VPC or ErrNotFound.
	GetVPC(accountID int64, id string) (VPC, error)
	// ListVPCs returns the VPCs matching f, newest first, and the total count
	// before paging.
	ListVPCs(f VPCFilter) ([]VPC, int, error)
	// UpdateVPC replaces the mutable fields (Name, Description, Status, CidrBlock);
	// ErrNotFound when absent.
	UpdateVPC(v VPC) error
	// DeleteVPC removes the account's VPC; ErrNotFound when absent.
	DeleteVPC(accountID int64, id string) error

	// CreateVSwitch inserts a VSwitch; ErrConflict when the ID is taken.
	CreateVSwitch(v VSwitch) error
	// GetVSwitch returns the account's VSwitch or ErrNotFound.
	GetVSwitch(accountID int64, id string) (VSwitch, error)
	// ListVSwitches returns the VSwitches matching f, newest first, and the total
	// count before paging.
	ListVSwitches(f VSwitchFilter) ([]VSwitch, int, error)
	// UpdateVSwitch replaces the mutable fields (Name, Description, Status);
	// ErrNotFound when absent.
	UpdateVSwitch(v VSwitch) error
	// DeleteVSwitch removes the account's VSwitch; ErrNotFound when absent.
	DeleteVSwitch(accountID int64, id string) error

	// AllocatePrivateIP records an address as taken; ErrConflict when it already is.
	AllocatePrivateIP(ip PrivateIP) error
	// ReleasePrivateIP frees an address; ErrNotFound when it was not taken.
	ReleasePrivateIP(vswitchID, address string) error
	// ListPrivateIPs returns the taken addresses of a VSwitch, in address order
	// as stored (callers sort numerically if they need to).
	ListPrivateIPs(vswitchID string) ([]PrivateIP, error)
	// CountPrivateIPs returns how many addresses of a VSwitch are taken.
	CountPrivateIPs(vswitchID string) (int, error)

	// LowestFreeRange returns the VSwitch's free run with the lowest first
	// address; ErrNotFound when it has none.
	LowestFreeRange(vswitchID string) (FreeRange, error)
	// FreeRangeFrom returns the VSwitch's free run with the greatest first
	// address not above addr (the only run that can hold addr); ErrNotFound
	// when there is none.
	FreeRangeFrom(vswitchID string, addr uint32) (FreeRange, error)
	// PutFreeRange inserts a run, or replaces the Last of the run with the same
	// First.
	PutFreeRange(r FreeRange) error
	// DeleteFreeRange removes the run starting at first; ErrNotFound when absent.
	DeleteFreeRange(vswitchID string, first uint32) error
	// DeleteFreeRanges removes every run of a VSwitch (when it is deleted).
	DeleteFreeRanges(vswitchID string) error
}

// FreeRange is a run of free addresses of a VSwitch, First to Last inclusive,
// as IPv4 numbers. Runs of one VSwitch never overlap.
type FreeRange struct {
	VSwitchID   string
	First, Last uint32
}
