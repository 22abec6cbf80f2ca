package store

import "time"

// Instance is an ECS instance as the control plane records it.
type Instance struct {
	ID        string
	AccountID int64
	RegionID  string
	ZoneID    string

	Name        string
	Description string
	HostName    string

	InstanceType string
	// CPU and MemoryMiB are copied from the instance type when it is created.
	CPU       int
	MemoryMiB int

	ImageID string
	OSName  string
	OSType  string

	VpcID     string
	VSwitchID string
	PrivateIP string

	PublicIP                string
	InternetChargeType      string
	InternetMaxBandwidthIn  int
	InternetMaxBandwidthOut int
	InstanceChargeType      string

	// Status is the guide's instance status (Pending, Starting, Running, Stopping,
	// Stopped). NextStatus and NextStatusAt, when set, are the transition the
	// reconciler makes next and when it is due.
	Status       string
	NextStatus   string
	NextStatusAt time.Time

	KeyPairName     string
	PasswordHash    string
	UserData        string
	DeploymentSetID string
	SerialNumber    string
	RAMRoleName     string
	VNCPassword     string
	// OperationLocks holds lock reasons (e.g. "security"), comma-separated.
	OperationLocks     string
	DeletionProtection bool
	AutoReleaseTime    time.Time
	// StoppedMode is the guide's StoppedMode (KeepCharging / StopCharging / Not-applicable).
	StoppedMode string

	CreatedAt time.Time
	StartedAt time.Time
	// DriverHandle is the compute driver's opaque, versioned handle (JSON).
	DriverHandle []byte
}

// InstanceFilter selects instances of one account; empty fields match all.
type InstanceFilter struct {
	AccountID          int64
	RegionID           string
	ZoneID             string
	VpcID              string
	VSwitchID          string
	IDs                []string
	InstanceType       string
	InstanceTypeFamily string
	PrivateIPs         []string
	PublicIPs          []string
	SecurityGroupID    string
	Name               string
	ImageID            string
	Statuses           []string
	KeyPairName        string
	// Tags match instances carrying every tag given (an empty Value matches any value).
	Tags []Tag
	Page Page
	// After, when set, starts the list after this instance (NextToken paging);
	// Page.Number is then ignored.
	After *Cursor
}

// Cursor is a position in a newest-first list: the last row of the previous page.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// Tag is a key/value tag of a resource.
type Tag struct {
	Key   string
	Value string
}

// InstanceTx holds instances and their security-group memberships.
type InstanceTx interface {
	// CreateInstance inserts an instance; ErrConflict when the ID is taken.
	CreateInstance(in Instance) error
	// GetInstance returns the account's instance or ErrNotFound.
	GetInstance(accountID int64, id string) (Instance, error)
	// ListInstances returns the instances matching f, newest first, and the total
	// count before paging.
	ListInstances(f InstanceFilter) ([]Instance, int, error)
	// UpdateInstance replaces every field but ID, AccountID, RegionID and
	// CreatedAt; ErrNotFound when absent.
	UpdateInstance(in Instance) error
	// DeleteInstance removes the instance and its memberships; ErrNotFound when absent.
	DeleteInstance(accountID int64, id string) error
	// DueInstanceTransitions returns up to limit instances of any account whose
	// NextStatusAt is set and not after now, earliest first (ties by ID).
	DueInstanceTransitions(now time.Time, limit int) ([]InstanceHandle, error)
	// InstanceHandles returns up to limit instances of any account with that
	// status and an ID greater than afterID, in ID order: what the
	// reconciler's health sweep needs of each.
	InstanceHandles(status, afterID string, limit int) ([]InstanceHandle, error)
	// CountInstances counts the account's instances in a region.
	CountInstances(accountID int64, regionID string) (int, error)

	// SetInstanceSecurityGroups replaces the instance's groups, in order.
	SetInstanceSecurityGroups(accountID int64, instanceID string, groupIDs []string) error
	// InstanceSecurityGroups returns the instance's groups in the order set.
	InstanceSecurityGroups(instanceID string) ([]string, error)
	// SecurityGroupsOfInstances is InstanceSecurityGroups for several
	// instances in one query, keyed by instance ID.
	SecurityGroupsOfInstances(instanceIDs []string) (map[string][]string, error)
	// CountSecurityGroupInstances counts the instances in a group.
	CountSecurityGroupInstances(groupID string) (int, error)
}

// Disk is a cloud disk: the system disk of an instance or a data disk.
type Disk struct {
	ID        string
	AccountID int64
	RegionID  string
	ZoneID    string

	Name        string
	Description string
	// Type is "system" or "data"; Category cloud, cloud_efficiency, cloud_ssd, cloud_essd …
	Type             string
	Category         string
	SizeGiB          int
	PerformanceLevel string
	ImageID          string
	SourceSnapshotID string

	// InstanceID and Device are set while the disk is attached.
	InstanceID string
	Device     string
	// Status is Creating, Available, Attaching, In_use, Detaching, ReIniting ….
	Status string

	Portable           bool
	DeleteWithInstance bool
	DeleteAutoSnapshot bool
	EnableAutoSnapshot bool
	Encrypted          bool
	KMSKeyID           string

	CreatedAt  time.Time
	AttachedAt time.Time
	DetachedAt time.Time
	// DriverHandle is the volume driver's opaque handle (JSON).
	DriverHandle []byte
}

// DiskFilter selects disks of one account; empty fields match all.
type DiskFilter struct {
	AccountID  int64
	RegionID   string
	ZoneID     string
	IDs        []string
	InstanceID string
	Type       string
	Category   string
	Statuses   []string
	Name       string
	SnapshotID string
	Portable   *bool
	Tags       []Tag
	Page       Page
	After      *Cursor
}

// DiskTx holds cloud disks.
type DiskTx interface {
	// CreateDisk inserts a disk; ErrConflict when the ID is taken.
	CreateDisk(d Disk) error
	// GetDisk returns the account's disk or ErrNotFound.
	GetDisk(accountID int64, id string) (Disk, error)
	// ListDisks returns the disks matching f, newest first, and the total count
	// before paging.
	ListDisks(f DiskFilter) ([]Disk, int, error)
	// UpdateDisk replaces every field but ID, AccountID, RegionID and CreatedAt;
	// ErrNotFound when absent.
	UpdateDisk(d Disk) error
	// DeleteDisk removes the disk; ErrNotFound when absent.
	DeleteDisk(accountID int64, id string) error
	// InstanceDisks returns the disks attached to an instance, system disk first,
	// then by device name.
	InstanceDisks(instanceID string) ([]Disk, error)
	// DisksOfInstances is InstanceDisks for several instances in one query,
	// keyed by instance ID (an instance without disks has no key).
	DisksOfInstances(instanceIDs []string) (map[string][]Disk, error)
}

// InstanceHandle is an instance as the reconciler's scans see it: who owns it,
// what is due for it and its driver handle.
type InstanceHandle struct {
	AccountID    int64
	ID           string
	NextStatus   string
	DriverHandle []byte
}
