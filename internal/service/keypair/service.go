// Package keypair owns SSH key pairs (guide 1.12).
package keypair

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
}

// Service implements the use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }
