// Package network owns VPCs, VSwitches, route tables and the private IPs allocated in VSwitches (VPC API 2016-04-28).
package network

import (
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

// Deps are what the service needs.
type Deps struct {
	Store   store.Store
	IDs     IDs
	Clock   Clock
	Catalog *catalog.Catalog
	// Quotas are the per-account limits; zero fields take Alibaba Cloud's defaults.
	Quotas Quotas
}

// Quotas are the per-account limits of the network service.
type Quotas struct {
	// VPCsPerRegion is how many VPCs an account may have in one region
	// (Alibaba Cloud's default quota: 10).
	VPCsPerRegion int
	// VSwitchesPerVPC is how many VSwitches one VPC may have (default 150).
	VSwitchesPerVPC int
}

// Default quotas, Alibaba Cloud's defaults for a new account.
const (
	DefaultVPCsPerRegion   = 10
	DefaultVSwitchesPerVPC = 150
)

// Service implements the use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Quotas.VPCsPerRegion <= 0 {
		deps.Quotas.VPCsPerRegion = DefaultVPCsPerRegion
	}
	if deps.Quotas.VSwitchesPerVPC <= 0 {
		deps.Quotas.VSwitchesPerVPC = DefaultVSwitchesPerVPC
	}
	return &Service{deps: deps}
}

// Resource statuses. ecsd creates VPCs and VSwitches synchronously, so they are
// Available as soon as the create call returns.
const (
	StatusAvailable = "Available"
)

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }
