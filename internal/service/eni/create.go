package eni

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
)

// actionCreate names CreateNetworkInterface in ClientToken records.
const actionCreate = "CreateNetworkInterface"

// maxCreateTags bounds Tag.N of CreateNetworkInterface (the SDK's, as for
// TagResources).
const maxCreateTags = 20

// CreateInput are the parameters of CreateNetworkInterface (1.13.1, plus the
// SDK's SecurityGroupIds.N and Tag.N).
type CreateInput struct {
	VSwitchID string
	// PrimaryIP is the interface's address; "" takes the lowest free one.
	PrimaryIP        string
	Name             string
	Description      string
	SecurityGroupIDs []string
	Tags             []store.Tag
	// Unsupported names the SDK parameters sent that ecsd does not model; the
	// call is refused with UnsupportedParameter.
	Unsupported []string
	// ClientToken makes the call idempotent (guide 1.18.6).
	ClientToken string `json:"-"`
}

// Create makes a secondary network interface in a VSwitch (1.13.1): Available,
// with an address of the VSwitch, a MAC address no other interface has, its
// security groups (1 to 5, of the VSwitch's VPC, each with room) and tags, in
// one transaction.
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (View, error) {
	groups, tags, err := checkCreate(&in)
	if err != nil {
		return View{}, err
	}
	var v View
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		key := idempotency.Key{AccountID: c.AccountID, Action: actionCreate, Token: in.ClientToken}
		id, err := idempotency.Run(tx, s.now(), key, in, func() (string, error) { return s.insert(tx, c, in, groups, tags) })
		if err != nil {
			return err
		}
		n, err := tx.GetNetworkInterface(c.AccountID, id)
		if errors.Is(err, store.ErrNotFound) { // a retry of a create whose interface is gone since
			v = View{NetworkInterface: store.NetworkInterface{ID: id}}
			return nil
		}
		if err != nil {
			return fmt.Errorf("network interface %s: %w", id, err)
		}
		v, err = load(tx, n)
		return err
	})
	return v, err
}

// checkCreate validates what needs no store and returns the groups (repeats
// dropped) and tags.
func checkCreate(in *CreateInput) ([]string, []store.Tag, error) {
	switch {
	case len(in.Unsupported) > 0:
		return nil, nil, ErrUnsupportedParameter()
	case in.VSwitchID == "":
		return nil, nil, apierr.MissingParameter("VSwitchId")
	case len(in.SecurityGroupIDs) == 0:
		return nil, nil, apierr.MissingParameter("SecurityGroupId")
	case !validName(in.Name):
		return nil, nil, apierr.InvalidParameter("NetworkInterfaceName")
	case !validDescription(in.Description):
		return nil, nil, apierr.InvalidParameter("Description")
	}
	groups := distinct(in.SecurityGroupIDs)
	if len(groups) > MaxSecurityGroups {
		return nil, nil, errTooManyGroups()
	}
	if len(in.Tags) > maxCreateTags {
		return nil, nil, tag.ErrCount()
	}
	tags, err := tag.Validate(in.Tags)
	if err != nil {
		return nil, nil, err
	}
	return groups, tags, nil
}

// insert writes the interface of a CreateNetworkInterface call and returns its ID.
func (s *Service) insert(tx store.Tx, c Caller, in CreateInput, groups []string, tags []store.Tag) (string, error) {
	w, err := tx.GetVSwitch(c.AccountID, in.VSwitchID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && w.RegionID != c.RegionID) {
		return "", errVSwitchNotFound()
	}
	if err != nil {
		return "", fmt.Errorf("vswitch %s: %w", in.VSwitchID, err)
	}
	count, err := tx.CountNetworkInterfaces(c.AccountID, c.RegionID, TypeSecondary)
	if err != nil {
		return "", err
	}
	if count >= s.deps.Limits.PerRegion {
		return "", errRegionLimit()
	}
	if err := checkGroups(tx, c, w.VpcID, groups, nil); err != nil {
		return "", err
	}
	id := s.deps.IDs.NewID("eni", c.RegionID)
	addr, err := s.deps.Network.AllocatePrivateIP(tx, c.AccountID, w.ID, in.PrimaryIP, network.OwnerNetworkInterface, id)
	if err != nil {
		return "", err
	}
	mac, err := instance.AllocateMAC(tx, id)
	if err != nil {
		return "", err
	}
	n := store.NetworkInterface{ID: id, AccountID: c.AccountID, RegionID: c.RegionID, ZoneID: w.ZoneID, VpcID: w.VpcID,
		VSwitchID: w.ID, Type: TypeSecondary, Name: in.Name, Description: in.Description, Status: StatusAvailable,
		PrivateIP: addr, MAC: mac, CreatedAt: s.now()}
	if err := tx.CreateNetworkInterface(n); err != nil {
		if errors.Is(err, store.ErrConflict) { // the ID or MAC was taken concurrently
			return "", fmt.Errorf("create network interface %s: %w", id, store.ErrBusy)
		}
		return "", err
	}
	if err := tx.SetNetworkInterfaceSecurityGroups(c.AccountID, id, groups); err != nil {
		return "", err
	}
	if len(tags) > 0 {
		if err := tx.PutTags(c.AccountID, store.TagTypeNetworkInterface, id, tags); err != nil {
			return "", fmt.Errorf("tag %s: %w", id, err)
		}
	}
	return id, nil
}

// checkGroups checks the groups an interface of VPC vpcID is about to be in:
// each exists in the caller's region, is a VPC group of that VPC and, unless
// the interface is in it already (current), has room for one more member.
func checkGroups(tx store.Tx, c Caller, vpcID string, groups, current []string) error {
	for _, id := range groups {
		g, err := tx.GetSecurityGroup(c.AccountID, id)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && g.RegionID != c.RegionID:
			return errGroupNotFound()
		case err != nil:
			return fmt.Errorf("security group %s: %w", id, err)
		case g.VpcID == "":
			return errGroupNotVpc()
		case g.VpcID != vpcID:
			return errVpcMismatch()
		}
		if slices.Contains(current, id) {
			continue
		}
		n, err := instance.GroupMembers(tx, id)
		if err != nil {
			return err
		}
		if n >= instance.MaxInstancesPerGroup {
			return errGroupFull()
		}
	}
	return nil
}

// ModifyInput are the parameters of ModifyNetworkInterfaceAttribute (1.13.6).
// Nil fields are left as they are; an empty name or description clears it.
type ModifyInput struct {
	// SecurityGroupIDs, when not empty, replace the interface's groups (for a
	// primary interface, its instance's).
	SecurityGroupIDs []string
	Name             *string
	Description      *string
	// Unsupported names the SDK parameters sent that ecsd does not model.
	Unsupported []string
}

// Modify changes an interface's name, description and security groups
// (1.13.6), in one transaction.
func (s *Service) Modify(ctx context.Context, c Caller, id string, in ModifyInput) error {
	switch {
	case len(in.Unsupported) > 0:
		return ErrUnsupportedParameter()
	case in.Name != nil && !validName(*in.Name):
		return apierr.InvalidParameter("NetworkInterfaceName")
	case in.Description != nil && !validDescription(*in.Description):
		return apierr.InvalidParameter("Description")
	}
	groups := distinct(in.SecurityGroupIDs)
	if len(groups) > MaxSecurityGroups {
		return errTooManyGroups()
	}
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		n, err := getENI(tx, c, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			n.Name = *in.Name
		}
		if in.Description != nil {
			n.Description = *in.Description
		}
		if len(groups) > 0 {
			if err := replaceGroups(tx, c, n, groups); err != nil {
				return err
			}
		}
		if err := tx.UpdateNetworkInterface(n); err != nil {
			return fmt.Errorf("modify %s: %w", n.ID, err)
		}
		return nil
	})
}

// replaceGroups makes groups the interface's security groups; a primary
// interface's groups are its instance's.
func replaceGroups(tx store.Tx, c Caller, n store.NetworkInterface, groups []string) error {
	var current []string
	var err error
	if n.Type == TypePrimary {
		current, err = tx.InstanceSecurityGroups(n.InstanceID)
	} else {
		var byID map[string][]string
		byID, err = tx.NetworkInterfaceSecurityGroups([]string{n.ID})
		current = byID[n.ID]
	}
	if err != nil {
		return fmt.Errorf("security groups of %s: %w", n.ID, err)
	}
	if err := checkGroups(tx, c, n.VpcID, groups, current); err != nil {
		return err
	}
	if n.Type == TypePrimary {
		return tx.SetInstanceSecurityGroups(n.AccountID, n.InstanceID, groups)
	}
	return tx.SetNetworkInterfaceSecurityGroups(n.AccountID, n.ID, groups)
}

// Delete deletes an Available secondary interface (1.13.5): its address is
// released, it leaves its security groups and its tags go, in one transaction.
func (s *Service) Delete(ctx context.Context, c Caller, id string) error {
	return s.deps.Store.Update(ctx, func(tx store.Tx) error {
		n, err := getENI(tx, c, id)
		switch {
		case err != nil:
			return err
		case n.Type == TypePrimary:
			return errENIType()
		case n.Status != StatusAvailable:
			return errENIState()
		}
		if err := s.deps.Network.ReleasePrivateIP(tx, n.VSwitchID, n.PrivateIP); err != nil {
			return err
		}
		if err := tx.DeleteAllTags(n.AccountID, store.TagTypeNetworkInterface, n.ID); err != nil {
			return fmt.Errorf("delete tags of %s: %w", n.ID, err)
		}
		if err := tx.DeleteNetworkInterface(n.AccountID, n.ID); err != nil {
			return fmt.Errorf("delete %s: %w", n.ID, err)
		}
		return nil
	})
}

// load completes an interface with its groups, tags and, for a primary
// interface, its instance's public address.
func load(tx store.Tx, n store.NetworkInterface) (View, error) {
	views, err := loadViews(tx, []store.NetworkInterface{n})
	if err != nil {
		return View{}, err
	}
	return views[0], nil
}

// loadViews completes interfaces of one account with their groups, tags and
// public addresses.
func loadViews(tx store.Tx, list []store.NetworkInterface) ([]View, error) {
	out := make([]View, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]string, len(list))
	for i, n := range list {
		ids[i] = n.ID
	}
	groups, err := tx.NetworkInterfaceSecurityGroups(ids)
	if err != nil {
		return nil, err
	}
	tags, err := tx.GetTags(list[0].AccountID, store.TagTypeNetworkInterface, ids)
	if err != nil {
		return nil, fmt.Errorf("tags of network interfaces: %w", err)
	}
	for i, n := range list {
		v := View{NetworkInterface: n, SecurityGroupIDs: groups[n.ID], Tags: tags[n.ID]}
		if n.Type == TypePrimary {
			in, err := tx.GetInstance(n.AccountID, n.InstanceID)
			if err != nil {
				return nil, fmt.Errorf("instance of %s: %w", n.ID, err)
			}
			if v.SecurityGroupIDs, err = tx.InstanceSecurityGroups(in.ID); err != nil {
				return nil, err
			}
			v.PublicIP = in.PublicIP
		}
		out[i] = v
	}
	return out, nil
}

// distinct returns ids without repeats, in order.
func distinct(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Length limits of names and descriptions (1.13.1, 1.13.6), in characters.
const (
	minNameLen, maxNameLen               = 2, 128
	minDescriptionLen, maxDescriptionLen = 2, 256
)

// validName checks a NetworkInterfaceName: empty (none), or 2–128 characters
// starting with a letter or a Chinese character, then letters, Chinese
// characters, digits, "_" and "-"; not starting with http:// or https://.
func validName(name string) bool {
	if name == "" {
		return true
	}
	if n := utf8.RuneCountInString(name); n < minNameLen || n > maxNameLen || hasURLPrefix(name) {
		return false
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || unicode.Is(unicode.Han, r)
		if i == 0 && !letter || !letter && !(r >= '0' && r <= '9') && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// validDescription checks a Description: empty (none), or 2–256 characters not
// starting with http:// or https://.
func validDescription(d string) bool {
	if d == "" {
		return true
	}
	n := utf8.RuneCountInString(d)
	return n >= minDescriptionLen && n <= maxDescriptionLen && !hasURLPrefix(d)
}

func hasURLPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
