// Package deploymentset owns deployment sets (guide 1.6): placement policies
// that RunInstances and CreateInstance honour when they are given a
// DeploymentSetId (the instance service places the instances; see
// internal/placement), listed with their instances and the physical topology
// they landed on. See docs/deployment-sets.md.
package deploymentset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/placement"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// DefaultQuota is how many deployment sets an account may hold in one region
// (Alibaba Cloud's limit; the guide names the error, DEPLOYMENTSET.QUOTA_FULL,
// not the number).
const DefaultQuota = 150

// actionCreate keys ClientToken records of CreateDeploymentSet.
const actionCreate = "CreateDeploymentSet"

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
	// Quota is how many sets an account may hold per region; 0 means DefaultQuota.
	Quota int
}

// Service implements the deployment-set use cases.
type Service struct {
	deps Deps
}

// New returns a Service.
func New(deps Deps) *Service {
	if deps.Quota <= 0 {
		deps.Quota = DefaultQuota
	}
	return &Service{deps: deps}
}

// Caller is who calls and in which region; another account's or region's set
// answers like a missing one.
type Caller struct {
	AccountID int64
	RegionID  string
}

// CreateInput is a CreateDeploymentSet call. Empty strings mean "not sent".
type CreateInput struct {
	// ZoneID, when sent, binds the set to that zone of the region.
	ZoneID      string
	Name        string
	Description string
	// Domain (Default), Granularity (Host) and Strategy (LooseDispersion), in
	// any letter case.
	Domain      string
	Granularity string
	Strategy    string
	ClientToken string `json:"-"`
}

// CreateResult is the answer of Create.
type CreateResult struct {
	DeploymentSetID string
}

// Create makes a deployment set (guide 1.6.1) and answers its ID.
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (CreateResult, error) {
	if in.ZoneID != "" {
		if _, region, ok := s.deps.Catalog.Zone(in.ZoneID); !ok || region != c.RegionID {
			return CreateResult{}, errZoneNotFound()
		}
	}
	if err := checkTexts(in.Name, in.Description, true); err != nil {
		return CreateResult{}, err
	}
	pol, err := CheckPolicy(in.Domain, in.Granularity, in.Strategy)
	if err != nil {
		return CreateResult{}, err
	}
	in.Domain, in.Granularity, in.Strategy = pol.Domain, pol.Granularity, pol.Strategy // the token's record sees the canonical form
	var res CreateResult
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		key := idempotency.Key{AccountID: c.AccountID, Action: actionCreate, Token: in.ClientToken}
		var err error
		res, err = idempotency.Run(tx, s.now(), key, in, func() (CreateResult, error) {
			n, err := tx.CountDeploymentSets(c.AccountID, c.RegionID)
			if err != nil {
				return CreateResult{}, err
			}
			if n >= s.deps.Quota {
				return CreateResult{}, errQuotaFull()
			}
			d := store.DeploymentSet{ID: s.deps.IDs.NewID("ds", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				ZoneID: in.ZoneID, Name: in.Name, Description: in.Description, Domain: pol.Domain,
				Granularity: pol.Granularity, Strategy: pol.Strategy, CreatedAt: s.now()}
			if err := tx.CreateDeploymentSet(d); err != nil {
				return CreateResult{}, fmt.Errorf("create deployment set: %w", err)
			}
			return CreateResult{DeploymentSetID: d.ID}, nil
		})
		return err
	})
	if err != nil {
		return CreateResult{}, err
	}
	return res, nil
}

// ModifyInput is a ModifyDeploymentSetAttribute call; an empty Name or
// Description leaves it as it is.
type ModifyInput struct {
	ID          string
	Name        string
	Description string
}

// Modify renames a set or changes its description (guide 1.6.3).
func (s *Service) Modify(ctx context.Context, c Caller, in ModifyInput) error {
	if in.ID == "" {
		return errIDMissing()
	}
	if err := checkTexts(in.Name, in.Description, false); err != nil {
		return err
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		d, err := s.get(tx, c, in.ID)
		if err != nil {
			return err
		}
		if in.Name != "" {
			d.Name = in.Name
		}
		if in.Description != "" {
			d.Description = in.Description
		}
		return tx.UpdateDeploymentSet(d)
	})
}

// Delete removes a set that holds no instances (guide 1.6.2). An instance
// being deleted still counts until it is gone.
func (s *Service) Delete(ctx context.Context, c Caller, id string) error {
	if id == "" {
		return errIDMissing()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.get(tx, c, id); err != nil {
			return err
		}
		members, err := tx.DeploymentSetPlacements([]string{id})
		if err != nil {
			return err
		}
		if len(members) > 0 {
			return errHasInstances()
		}
		return tx.DeleteDeploymentSet(c.AccountID, id)
	})
}

// get reads the caller's set in the caller's region.
func (s *Service) get(tx store.Tx, c Caller, id string) (store.DeploymentSet, error) {
	d, err := tx.GetDeploymentSet(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && d.RegionID != c.RegionID {
		return store.DeploymentSet{}, ErrNotFound()
	}
	return d, err
}

// now returns the service clock's time in UTC.
func (s *Service) now() time.Time { return s.deps.Clock.Now().UTC() }

// CheckPolicy validates a set's Domain, Granularity and Strategy (guide 1.6.1),
// in any letter case, with the defaults Default, Host and LooseDispersion, and
// returns them canonically spelt. A Switch domain cannot have Switch
// granularity; aggregation strategies need Switch granularity. Availability
// (newer APIs, Terraform) is accepted with Host granularity.
func CheckPolicy(domain, granularity, strategy string) (placement.Policy, error) {
	p := placement.Policy{Domain: placement.DomainDefault, Granularity: placement.GranularityHost,
		Strategy: placement.StrategyLooseDispersion}
	var ok bool
	if domain != "" {
		if p.Domain, ok = canonical(domain, placement.DomainDefault, placement.DomainSwitch); !ok {
			return placement.Policy{}, errDomain()
		}
	}
	if granularity != "" {
		if p.Granularity, ok = canonical(granularity, placement.GranularityHost, placement.GranularityRack,
			placement.GranularitySwitch); !ok {
			return placement.Policy{}, errGranularity()
		}
	}
	if strategy != "" {
		if p.Strategy, ok = canonical(strategy, placement.StrategyLooseDispersion, placement.StrategyLooseAggregation,
			placement.StrategyStrictAggregation, placement.StrategyStrictDispersion, placement.StrategyAvailability); !ok {
			return placement.Policy{}, errStrategy()
		}
	}
	if p.Domain == placement.DomainSwitch && p.Granularity == placement.GranularitySwitch {
		return placement.Policy{}, errDomainGranularity()
	}
	switch p.Strategy {
	case placement.StrategyLooseAggregation, placement.StrategyStrictAggregation:
		if p.Granularity != placement.GranularitySwitch {
			return placement.Policy{}, errStrategyGranularity()
		}
	case placement.StrategyAvailability:
		if p.Granularity != placement.GranularityHost {
			return placement.Policy{}, errStrategyGranularity()
		}
	}
	return p, nil
}

// canonical returns the value of valid that v spells, ignoring letter case.
func canonical(v string, valid ...string) (string, bool) {
	for _, c := range valid {
		if strings.EqualFold(v, c) {
			return c, true
		}
	}
	return "", false
}

// checkTexts validates a name and a description when they are sent.
func checkTexts(name, description string, create bool) error {
	if name != "" && !validName(name) {
		return errNameMalformed()
	}
	if description != "" && !validDescription(description) {
		return errDescriptionMalformed(create)
	}
	return nil
}

// validName: 2 to 128 characters, starting with a letter or a Chinese
// character, then letters, Chinese characters, digits, '.', '_' and '-'; not
// starting with http:// or https:// (guide 1.6.1).
func validName(name string) bool {
	if n := utf8.RuneCountInString(name); n < 2 || n > 128 || webPrefix(name) {
		return false
	}
	for i, r := range name {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || unicode.Is(unicode.Han, r)
		if i == 0 && !letter {
			return false
		}
		if !letter && !('0' <= r && r <= '9') && r != '.' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// validDescription: 2 to 256 characters, not starting with http:// or https://.
func validDescription(d string) bool {
	n := utf8.RuneCountInString(d)
	return n >= 2 && n <= 256 && !webPrefix(d)
}

func webPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
