// Package instance owns ECS instances (guide 1.5): launching them with their disks,
// addresses and security groups, their state machine (Pending → Starting → Running,
// Stopping → Stopped, deletion), and the reconciler that drives the compute driver
// toward each instance's desired state and survives restarts.
package instance

import (
	"log/slog"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
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
}

// Service implements the instance use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }
