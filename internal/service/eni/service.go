// Package eni owns elastic network interfaces (guide 1.13): creating them with
// an address of their VSwitch, a MAC address and security groups; attaching
// them to Stopped instances of their VPC and zone, within the instance type's
// interface limit; detaching, modifying, describing and deleting them. Every
// instance's primary interface is a network interface too: it is listed,
// modified like the others, and created and deleted with its instance
// (internal/service/instance), never attached, detached or deleted here.
//
// Every change is one store transaction. Attaching and detaching on an
// instance the compute driver runs are three, as for disks: the interface goes
// Attaching (Detaching), the driver is called outside any transaction, and the
// interface goes InUse (Available), or back when the driver refuses; Resume
// finishes what a crash interrupted. See docs/network-interfaces.md.
package eni

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Limits are the guide's quotas; a zero field takes the guide's value.
type Limits struct {
	// PerRegion bounds the network interfaces one account creates in a region
	// (1.13.1: "一个用户在一个 Region 内最多只能创建 100 个弹性网卡"); primary
	// interfaces, which come with instances, do not count. Default 100.
	PerRegion int
}

// DefaultPerRegion is the guide's limit of network interfaces per account and region.
const DefaultPerRegion = 100

// MaxSecurityGroups is how many security groups one interface may be in, as
// for instances.
const MaxSecurityGroups = instance.MaxSecurityGroups

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	// Network allocates and releases the interfaces' addresses.
	Network *network.Service
	// Compute is the compute driver; attaching and detaching interfaces of the
	// instances it runs goes through its driver.NICAttacher capability.
	Compute driver.Compute
	Limits  Limits
}

// Service implements the network interface use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Limits.PerRegion <= 0 {
		deps.Limits.PerRegion = DefaultPerRegion
	}
	return &Service{deps: deps}
}

// Caller is who calls and in which region: another account's interface, or an
// interface of another region, answers exactly like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// Statuses of a network interface (guide 1.13): Available when detached,
// Attaching and Detaching while the compute driver works, InUse when attached.
const (
	StatusAvailable = instance.NICAvailable
	StatusAttaching = instance.NICAttaching
	StatusInUse     = instance.NICInUse
	StatusDetaching = instance.NICDetaching
)

// Types of a network interface.
const (
	TypePrimary   = store.NetworkInterfacePrimary
	TypeSecondary = store.NetworkInterfaceSecondary
)

// View is a network interface with what the API reports beside its row.
type View struct {
	store.NetworkInterface
	// SecurityGroupIDs are the interface's groups (a primary interface's are its
	// instance's), in order.
	SecurityGroupIDs []string
	Tags             []store.Tag
	// PublicIP is the public address of a primary interface's instance.
	PublicIP string
}

// MACAddress is the interface's MAC address.
func (v View) MACAddress() string { return instance.MACOf(v.NetworkInterface) }

// getENI returns the caller's interface id in the caller's region, or
// InvalidEniId.NotFound.
func getENI(tx store.Tx, c Caller, id string) (store.NetworkInterface, error) {
	n, err := tx.GetNetworkInterface(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && n.RegionID != c.RegionID) {
		return store.NetworkInterface{}, errENINotFound()
	}
	if err != nil {
		return store.NetworkInterface{}, fmt.Errorf("network interface %s: %w", id, err)
	}
	return n, nil
}

// getInstance returns the caller's instance id in the caller's region, or
// InvalidEcsId.NotFound.
func getInstance(tx store.Tx, c Caller, id string) (store.Instance, error) {
	in, err := tx.GetInstance(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.RegionID != c.RegionID) {
		return store.Instance{}, errInstanceNotFound()
	}
	if err != nil {
		return store.Instance{}, fmt.Errorf("instance %s: %w", id, err)
	}
	return in, nil
}

// stoppedAndSettled reports whether the instance is Stopped with no operation
// under way and not being deleted: the only state in which the guide lets
// interfaces be attached or detached (1.13.2, 1.13.4).
func stoppedAndSettled(in store.Instance, now time.Time) bool {
	return in.Status == instance.StatusStopped && !instance.Busy(in) && !instance.Deleting(in, now)
}

// handleOf decodes an instance's driver handle; ok is false when the instance
// has none (the driver has not created it).
func handleOf(in store.Instance) (h driver.Handle, ok bool, err error) {
	if len(in.DriverHandle) == 0 {
		return driver.Handle{}, false, nil
	}
	if err := json.Unmarshal(in.DriverHandle, &h); err != nil {
		return driver.Handle{}, false, fmt.Errorf("driver handle of %s: %w", in.ID, err)
	}
	return h, !h.IsZero(), nil
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }
