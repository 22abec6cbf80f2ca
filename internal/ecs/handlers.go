package ecs

import (
	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/console"
	"github.com/ecsd/ecsd/internal/service/deploymentset"
	"github.com/ecsd/ecsd/internal/service/disk"
	"github.com/ecsd/ecsd/internal/service/eni"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/keypair"
	"github.com/ecsd/ecsd/internal/service/secgroup"
	"github.com/ecsd/ecsd/internal/service/snapshot"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/service/task"
)

// Deps are the dependencies of the ECS handlers.
type Deps struct {
	// Catalog is the topology and instance-type catalog.
	Catalog *catalog.Catalog
	// Endpoint is the host[:port] clients reach this server on; DescribeRegions
	// reports it as the RegionEndpoint of every region without its own endpoint.
	Endpoint string
	// SecurityGroups, KeyPairs and Images are the services behind those groups.
	SecurityGroups *secgroup.Service
	KeyPairs       *keypair.Service
	Images         *image.Service
	// Instances and Disks are the services behind instances and cloud disks.
	Instances *instance.Service
	Disks     *disk.Service
	// Tags is the service behind AddTags, TagResources and their kin.
	Tags *tag.Service
	// DeploymentSets is the service behind the deployment-set actions.
	DeploymentSets *deploymentset.Service
	// ENIs is the service behind the elastic network interface actions.
	ENIs *eni.Service
	// Console hands out the URLs of instances' VNC consoles.
	Console *console.Service
	// Snapshots is the service behind snapshots, their policies, ResetDisk
	// and migrate_disk; Tasks answers DescribeTasks and its kin.
	Snapshots *snapshot.Service
	Tasks     *task.Engine
}

// Handlers implements the ECS actions; the HTTP front finds its methods by
// reflection on the action name.
type Handlers struct {
	deps Deps
}

// New returns the ECS handlers.
func New(deps Deps) *Handlers { return &Handlers{deps: deps} }

// region returns the catalog region named by a request's RegionId.
func (h *Handlers) region(id string) (catalog.Region, error) {
	if id == "" {
		return catalog.Region{}, apierr.MissingParameter("RegionId")
	}
	r, ok := h.deps.Catalog.Region(id)
	if !ok {
		return catalog.Region{}, apierr.ErrRegionNotFound()
	}
	return r, nil
}

// list returns s, or an empty slice for nil, so that JSON shows [] and not null.
func list[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
