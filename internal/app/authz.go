package app

import (
	"context"
	"errors"
	"log/slog"

	"github.com/ecsd/ecsd/internal/authz"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/store"
)

// NewAuthorizer builds the API's authorizer over the store: resource tags for
// ecs:tag/… conditions and account names for the owner parameters come from
// st. policies returns the RAM policies of users and roles; nil means no RAM
// identity exists yet, so only root accounts are allowed.
func NewAuthorizer(st store.Store, policies authz.PolicySource, clk clock.Clock, logger *slog.Logger) (*authz.Authorizer, error) {
	return authz.New(authz.Config{Policies: policies, Tags: StoreTags{Store: st}, Accounts: StoreAccounts{Store: st},
		Clock: clk, Logger: logger})
}

// taggedTypes maps the resource types of ARNs to the tags table's types.
var taggedTypes = map[string]string{
	"instance": store.TagTypeInstance, "disk": store.TagTypeDisk, "snapshot": store.TagTypeSnapshot,
	"image": store.TagTypeImage, "securitygroup": store.TagTypeSecurityGroup, "vpc": store.TagTypeVPC,
	"vswitch": store.TagTypeVSwitch,
}

// StoreTags reads the tags of resources from the store for authorization
// (authz.TagSource), in one read transaction per call.
type StoreTags struct{ Store store.Store }

// ResourceTags implements authz.TagSource. Key pairs are named by name in ARNs
// and by internal ID in the tags table, so they are looked up one by one.
func (s StoreTags) ResourceTags(ctx context.Context, accountID int64, regionID string,
	refs []authz.ResourceRef) (map[authz.ResourceRef]map[string]string, error) {
	out := map[authz.ResourceRef]map[string]string{}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		clear(out)
		byType := map[string][]string{}
		for _, r := range refs {
			if r.Type == "keypair" {
				k, err := tx.GetKeyPair(accountID, regionID, r.ID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if len(k.Tags) > 0 {
					out[r] = tagMap(k.Tags)
				}
				continue
			}
			if _, ok := taggedTypes[r.Type]; ok {
				byType[r.Type] = append(byType[r.Type], r.ID)
			}
		}
		for typ, ids := range byType {
			tags, err := tx.GetTags(accountID, taggedTypes[typ], ids)
			if err != nil {
				return err
			}
			for id, ts := range tags {
				out[authz.ResourceRef{Type: typ, ID: id}] = tagMap(ts)
			}
		}
		return nil
	})
	return out, err
}

func tagMap(tags []store.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// StoreAccounts resolves account names from the store (authz.AccountDirectory).
type StoreAccounts struct{ Store store.Store }

// AccountIDByName implements authz.AccountDirectory.
func (s StoreAccounts) AccountIDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.Store.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccountByName(name)
		id = a.ID
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, authz.ErrUnknownAccount
	}
	return id, err
}
