// Package instance owns ECS instances (guide 1.5): launching them with their disks,
// addresses and security groups, their state machine (Pending → Starting → Running,
// Stopping → Stopped, deletion), and the reconciler that drives the compute driver
// toward each instance's desired state and survives restarts.
//
// Every API call validates and records its intent in one store transaction (the
// instance's Status and, in NextStatus/NextStatusAt, what the reconciler does next)
// and returns; the reconciler (Run) makes the driver calls, which block for as
// long as the transition lasts, and records each step. See docs/instances.md.
package instance

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/service/volume"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Defaults of the reconciler and the public address pool.
const (
	// DefaultPublicIPPool is where RunInstances takes public IPs from: the
	// benchmarking range of RFC 2544, which is never routed on the Internet, so a
	// simulated public IP never names a real host.
	DefaultPublicIPPool = "198.18.0.0/15"
	// DefaultPollInterval is how often the reconciler looks for due transitions
	// it was not woken for (backoffs, auto-release), and how often it inspects
	// each Running instance for a hypervisor that died.
	DefaultPollInterval = 10 * time.Second
	// DefaultWorkers bounds the driver calls under way at once.
	DefaultWorkers = 16
	// stepBatch bounds how many reconciler writes share one commit.
	stepBatch = 64
)

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	Network *network.Service
	Images  *image.Service
	Compute driver.Compute
	Logger  *slog.Logger
	// PublicIPPool is the block public IPs are allocated from; the zero value
	// means DefaultPublicIPPool.
	PublicIPPool netip.Prefix
	// PollInterval is the reconciler's polling period; zero means
	// DefaultPollInterval.
	PollInterval time.Duration
	// Workers bounds concurrent driver calls; zero means DefaultWorkers.
	Workers int
	// Snapshots, when set, is told of every disk an instance's release deletes.
	Snapshots DiskReleaser
	// Volumes, when set, holds the disks' files (the qcow2 volume store of
	// the qemu driver): the driver spec gets every disk's Path and the
	// image's Boot from it, and the files of the disks an instance's release
	// deletes go with them. Nil (the sim driver): disks have no files.
	Volumes volume.Disks
}

// DiskReleaser is told, inside the transaction, of a disk being deleted
// (the snapshot service: automatic snapshots and policies, 1.5.6).
type DiskReleaser interface {
	DiskReleased(tx store.Tx, d store.Disk) error
}

// Service implements the instance use cases.
type Service struct {
	deps Deps
	rec  *reconciler
	// steps commits the reconciler's writes, batched across its workers.
	steps *store.Batcher
}

// New returns a Service. Call Run to start its reconciler.
func New(deps Deps) *Service {
	if !deps.PublicIPPool.IsValid() {
		deps.PublicIPPool = netip.MustParsePrefix(DefaultPublicIPPool)
	}
	deps.PublicIPPool = deps.PublicIPPool.Masked()
	if deps.PollInterval <= 0 {
		deps.PollInterval = DefaultPollInterval
	}
	if deps.Workers <= 0 {
		deps.Workers = DefaultWorkers
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{deps: deps, rec: newReconciler(deps.Workers), steps: store.NewBatcher(deps.Store, stepBatch)}
}

// Caller is who calls and in which region. Another account's instance answers
// exactly like a missing one; lists are scoped to the region.
type Caller struct {
	AccountID int64
	RegionID  string
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }
