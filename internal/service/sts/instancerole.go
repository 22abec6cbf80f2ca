package sts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ecsd/ecsd/internal/metadata"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/ram/policydoc"
	"github.com/ecsd/ecsd/internal/store"
)

// Lifetimes of instance RAM role credentials, as the metadata service hands
// them out: each lasts InstanceRoleDuration, and the same credential is
// answered again until InstanceRoleRefresh before it expires, when a new one
// is issued (so a guest that caches what it read always has at least that
// long left).
const (
	InstanceRoleDuration = 6 * time.Hour
	InstanceRoleRefresh  = 30 * time.Minute
)

// InstanceRoleCredentials issues a temporary credential acting as the RAM
// role attached to an instance, as AssumeRole does when the ECS service
// (ecs.aliyuncs.com) is the caller: the role must be in the instance's
// account and trust that service. The session name is the instance ID.
// ErrNotFound (wrapping metadata.ErrNotFound) when the role does not exist
// or does not trust ECS.
func (s *Service) InstanceRoleCredentials(ctx context.Context, accountID int64, instanceID, roleName string) (Credentials, error) {
	var out Credentials
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		role, err := ram.FindRole(tx, accountID, roleName)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("role %s: %w", roleName, metadata.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !policydoc.TrustsService(role.AssumeRolePolicy, policydoc.ECSService) {
			return fmt.Errorf("role %s does not trust %s: %w", roleName, policydoc.ECSService, metadata.ErrNotFound)
		}
		out, err = s.issue(tx, role, instanceID, "", InstanceRoleDuration)
		return err
	})
	if err != nil {
		return Credentials{}, fmt.Errorf("instance %s role credentials: %w", instanceID, err)
	}
	return out, nil
}

// InstanceRoles answers the metadata service's requests for instance RAM
// role credentials (it implements metadata.CredentialIssuer): it issues
// them through the STS service and answers the same credential to every
// request of the same instance and role until InstanceRoleRefresh before
// it expires. It is safe for concurrent use.
type InstanceRoles struct {
	sts   *Service
	clock Clock

	mu    sync.Mutex
	cache map[string]metadata.Credentials
}

// NewInstanceRoles returns an issuer of instance role credentials on s.
func NewInstanceRoles(s *Service) *InstanceRoles {
	return &InstanceRoles{sts: s, clock: s.deps.Clock, cache: map[string]metadata.Credentials{}}
}

var _ metadata.CredentialIssuer = (*InstanceRoles)(nil)

// InstanceRoleCredentials implements metadata.CredentialIssuer: credentials
// for the role attached to inst, or metadata.ErrNotFound when roleName is not
// that role (or the role is gone or does not trust ECS).
func (r *InstanceRoles) InstanceRoleCredentials(ctx context.Context, inst metadata.Instance, roleName string) (metadata.Credentials, error) {
	if roleName == "" || roleName != inst.RAMRoleName {
		return metadata.Credentials{}, metadata.ErrNotFound
	}
	key := strconv.FormatInt(inst.OwnerAccountID, 10) + "/" + inst.ID + "/" + roleName
	now := r.clock.Now()
	r.mu.Lock()
	c, ok := r.cache[key]
	r.mu.Unlock()
	if ok && now.Before(c.Expiration.Add(-InstanceRoleRefresh)) {
		return c, nil
	}
	issued, err := r.sts.InstanceRoleCredentials(ctx, inst.OwnerAccountID, inst.ID, roleName)
	if err != nil {
		return metadata.Credentials{}, err
	}
	c = metadata.Credentials{AccessKeyID: issued.AccessKeyID, AccessKeySecret: issued.AccessKeySecret,
		SecurityToken: issued.SecurityToken, Expiration: issued.Expiration, LastUpdated: issued.IssuedAt}
	r.mu.Lock()
	for k, old := range r.cache {
		if !now.Before(old.Expiration) {
			delete(r.cache, k)
		}
	}
	r.cache[key] = c
	r.mu.Unlock()
	return c, nil
}
