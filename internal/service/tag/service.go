// Package tag owns resource tags (guide 1.15 and the newer TagResources family):
// validation, storage in the shared tags table, and the tag views of every taggable
// resource (instances, disks, snapshots, images, security groups, key pairs, VPCs,
// VSwitches).
package tag

import (
	"time"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Deps are what the service needs.
type Deps struct {
	Store  store.Store
	Clock  Clock
	Images *image.Service
}

// Service implements the tag use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }
