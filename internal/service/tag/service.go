// Package tag owns resource tags (guide 1.15 and the newer TagResources family):
// validation, storage in the shared tags table, and the tag views of every taggable
// resource (instances, disks, snapshots, images, security groups, key pairs, VPCs,
// VSwitches).
//
// Other services reuse Validate, CheckQuota, the limits and the error
// constructors for the Tag.N of their own create and describe actions. Every
// answer that is not a success is the guide's error (errors.go).
package tag

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Deps are what the service needs.
type Deps struct {
	Store store.Store
	Clock Clock
	// Images tells system images (which cannot carry tags) from the caller's
	// custom ones; nil answers every image as not found.
	Images *image.Service
}

// Service implements the tag use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service { return &Service{deps: deps} }

// Caller is who calls and in which region: another account's resource, or a
// resource of another region, answers exactly like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// AddTags puts one to five tags on one ECS resource (guide 1.15.1); a key it
// already has gets the new value.
func (s *Service) AddTags(ctx context.Context, c Caller, resourceType, resourceID string, tags []store.Tag) error {
	k, err := requireTarget(ECS, resourceType, resourceID)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return apierr.MissingParameter("Tag.1.Key")
	}
	if len(tags) > MaxPerCall {
		return ErrCount()
	}
	return s.put(ctx, c, k, []string{resourceID}, tags)
}

// TagResources puts one to twenty tags on each of one to fifty resources of
// one type (ECS or VPC TagResources), all or none.
func (s *Service) TagResources(ctx context.Context, c Caller, p Product, resourceType string, resourceIDs []string, tags []store.Tag) error {
	k, err := requireTargets(p, resourceType, resourceIDs)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return apierr.MissingParameter("Tag.1.Key")
	}
	if len(tags) > MaxPerBatch {
		return ErrCount()
	}
	return s.put(ctx, c, k, resourceIDs, tags)
}

// put validates tags and puts them on every resource, in one transaction.
func (s *Service) put(ctx context.Context, c Caller, k kind, ids []string, tags []store.Tag) error {
	tags, err := Validate(tags)
	if err != nil {
		return err
	}
	if err := s.checkImages(ctx, c, k, ids); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			ref, err := resolve(tx, c, k, id)
			if err != nil {
				return err
			}
			existing, err := tx.GetTags(c.AccountID, k.stored, []string{ref})
			if err != nil {
				return fmt.Errorf("tag: %w", err)
			}
			if err := CheckQuota(existing[ref], tags, k.quota); err != nil {
				return err
			}
			if err := tx.PutTags(c.AccountID, k.stored, ref, tags); err != nil {
				return fmt.Errorf("tag: %w", err)
			}
		}
		return nil
	})
}

// RemoveTags takes tags off one ECS resource (guide 1.15.2): a tag with a
// Value goes only when the resource's value is that one, a tag without one
// whatever its value; no tags at all removes every tag of the resource.
func (s *Service) RemoveTags(ctx context.Context, c Caller, resourceType, resourceID string, tags []store.Tag) error {
	k, err := requireTarget(ECS, resourceType, resourceID)
	if err != nil {
		return err
	}
	if len(tags) > MaxPerCall {
		return errRemoveCount()
	}
	for _, t := range tags {
		if t.Key == "" && t.Value != "" {
			return ErrMismatch()
		}
		if t.Key == "" {
			return ErrKeyMalformed()
		}
	}
	if err := s.checkImages(ctx, c, k, []string{resourceID}); err != nil {
		return err
	}
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		ref, err := resolve(tx, c, k, resourceID)
		if err != nil {
			return err
		}
		if len(tags) == 0 {
			return wrap(tx.DeleteAllTags(c.AccountID, k.stored, ref))
		}
		existing, err := tx.GetTags(c.AccountID, k.stored, []string{ref})
		if err != nil {
			return fmt.Errorf("tag: %w", err)
		}
		var keys []string
		for _, have := range existing[ref] {
			for _, t := range tags {
				if t.Key == have.Key && (t.Value == "" || t.Value == have.Value) {
					keys = append(keys, have.Key)
					break
				}
			}
		}
		return wrap(tx.DeleteTags(c.AccountID, k.stored, ref, keys))
	})
	if errors.Is(err, ErrResourceNotFound()) {
		return errRemoveResourceNotFound()
	}
	return err
}

// UntagResources takes the tags with the given keys, or with all every tag,
// off each of one to fifty resources of one type (ECS or VPC UntagResources),
// all or none. Without keys and without all it changes nothing but still
// checks that the resources exist.
func (s *Service) UntagResources(ctx context.Context, c Caller, p Product, resourceType string, resourceIDs, keys []string, all bool) error {
	k, err := requireTargets(p, resourceType, resourceIDs)
	if err != nil {
		return err
	}
	if len(keys) > MaxPerBatch {
		return ErrCount()
	}
	for _, key := range keys {
		if key == "" {
			return ErrKeyMalformed()
		}
	}
	if err := s.checkImages(ctx, c, k, resourceIDs); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		for _, id := range resourceIDs {
			ref, err := resolve(tx, c, k, id)
			if err != nil {
				return err
			}
			switch {
			case len(keys) > 0:
				err = tx.DeleteTags(c.AccountID, k.stored, ref, keys)
			case all:
				err = tx.DeleteAllTags(c.AccountID, k.stored, ref)
			}
			if err != nil {
				return fmt.Errorf("tag: %w", err)
			}
		}
		return nil
	})
}

// requireTarget checks the ResourceType and ResourceId of a one-resource call.
func requireTarget(p Product, resourceType, resourceID string) (kind, error) {
	if resourceID == "" {
		return kind{}, apierr.MissingParameter("ResourceId")
	}
	return requireType(p, resourceType)
}

// requireTargets checks the ResourceType and ResourceId.N of a batch call.
func requireTargets(p Product, resourceType string, resourceIDs []string) (kind, error) {
	if len(resourceIDs) == 0 {
		return kind{}, apierr.MissingParameter("ResourceId.1")
	}
	if len(resourceIDs) > MaxResourcesPerBatch {
		return kind{}, apierr.InvalidParameter("ResourceId")
	}
	for _, id := range resourceIDs {
		if id == "" {
			return kind{}, apierr.InvalidParameter("ResourceId")
		}
	}
	return requireType(p, resourceType)
}

// requireType looks up a mandatory ResourceType.
func requireType(p Product, resourceType string) (kind, error) {
	if resourceType == "" {
		return kind{}, apierr.MissingParameter("ResourceType")
	}
	return lookupKind(p, resourceType)
}

// wrap wraps a store error.
func wrap(err error) error {
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	return nil
}
