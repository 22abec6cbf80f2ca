package vpc

import (
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/service/tag"
)

// Deps are the dependencies of the VPC handlers.
type Deps struct {
	// Catalog is the topology and instance-type catalog.
	Catalog *catalog.Catalog
	// Endpoint is the host[:port] clients reach this server on; DescribeRegions
	// reports it as the RegionEndpoint of every region without its own endpoint.
	Endpoint string
	// Network is the service behind VPCs and VSwitches.
	Network *network.Service
	// Tags is the service behind TagResources and its kin.
	Tags *tag.Service
}

// Handlers implements the VPC actions; the HTTP front finds its methods by
// reflection on the action name.
type Handlers struct {
	deps Deps
}

// New returns the VPC handlers.
func New(deps Deps) *Handlers { return &Handlers{deps: deps} }
