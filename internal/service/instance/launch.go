package instance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
)

// vswitchAvailable is the VSwitch status that lets instances be created in it.
const vswitchAvailable = "Available"

// LaunchResult is the answer of RunInstances and CreateInstance.
type LaunchResult struct {
	// InstanceIDs are the new instances, in creation order.
	InstanceIDs []string
}

// Launch creates instances (RunInstances 1.5.1, or CreateInstance 1.5.2 when
// in.Action is ActionCreate): it validates every parameter, then writes the
// instances, their disks, addresses, security-group memberships, tags and the
// ClientToken record in one transaction, so a crash leaves all or nothing. The
// instances are Pending; the reconciler creates them in the driver and starts
// them (RunInstances) or leaves them Stopped (CreateInstance).
func (s *Service) Launch(ctx context.Context, c Caller, in RunInput) (LaunchResult, error) {
	p, err := s.prepare(ctx, c, in)
	if err != nil {
		return LaunchResult{}, err
	}
	var res LaunchResult
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		if in.DryRun {
			if _, err := s.checkReferences(tx, c, p); err != nil {
				return err
			}
			return ErrDryRun()
		}
		key := idempotency.Key{AccountID: c.AccountID, Action: p.r.action, Token: in.ClientToken}
		var err error
		res, err = idempotency.Run(tx, s.now(), key, in, func() (LaunchResult, error) { return s.insert(tx, c, p) })
		return err
	})
	if err != nil {
		return LaunchResult{}, err
	}
	if in.Password != "" {
		for _, id := range res.InstanceIDs {
			s.rec.setPassword(id, in.Password)
		}
	}
	s.rec.wake()
	return res, nil
}

// references is what the store says about a plan's VSwitch, zone and groups,
// and the hosts its instances run on (placement.go).
type references struct {
	vswitch store.VSwitch
	zoneID  string
	hosts   []catalog.Host
}

// checkReferences resolves the VSwitch, the zone, the security groups and the
// key pair of p inside tx, and checks what depends on them: the zone sells the
// instance type and the disk categories, the groups are in the VSwitch's VPC and
// have room.
func (s *Service) checkReferences(tx store.Tx, c Caller, p *plan) (references, error) {
	w, err := tx.GetVSwitch(c.AccountID, p.in.VSwitchID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && w.RegionID != c.RegionID) {
		return references{}, errVSwitchNotFound()
	}
	if err != nil {
		return references{}, fmt.Errorf("vswitch %s: %w", p.in.VSwitchID, err)
	}
	if w.Status != vswitchAvailable {
		return references{}, errVSwitchStatus()
	}
	if p.in.ZoneID != "" && p.in.ZoneID != w.ZoneID {
		return references{}, errVSwitchZoneMismatch()
	}
	zone, _, ok := s.deps.Catalog.Zone(w.ZoneID)
	switch {
	case !ok || !slices.Contains(zone.ResourceTypes, "Instance"):
		return references{}, p.r.errZoneNoInstances()
	case !s.deps.Catalog.ZoneOffers(w.ZoneID, p.typ.ID):
		return references{}, p.r.errZoneNotOffering()
	}
	for _, cat := range p.categories() {
		if !slices.Contains(zone.DiskCategories, cat) {
			return references{}, errCategoryNotSupported()
		}
	}
	for _, id := range p.groups {
		g, err := tx.GetSecurityGroup(c.AccountID, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.RegionID != c.RegionID) {
			return references{}, p.r.errSecurityGroupNotFound()
		}
		if err != nil {
			return references{}, fmt.Errorf("security group %s: %w", id, err)
		}
		if g.VpcID != w.VpcID {
			return references{}, errSecurityGroupVpcMismatch()
		}
		n, err := GroupMembers(tx, id)
		if err != nil {
			return references{}, err
		}
		if n+p.minAmount > MaxInstancesPerGroup {
			return references{}, p.r.errSecurityGroupFull()
		}
	}
	if p.in.RAMRoleName != "" {
		if err := checkRAMRole(tx, c.AccountID, p.in.RAMRoleName, true); err != nil { // as AttachInstanceRamRole
			return references{}, err
		}
	}
	if p.in.KeyPairName != "" {
		_, err := tx.GetKeyPair(c.AccountID, c.RegionID, p.in.KeyPairName)
		if errors.Is(err, store.ErrNotFound) {
			return references{}, errKeyPairNotFound()
		}
		if err != nil {
			return references{}, fmt.Errorf("key pair %s: %w", p.in.KeyPairName, err)
		}
	}
	hosts, err := s.placeHosts(tx, c, p, w.ZoneID)
	if err != nil {
		return references{}, err
	}
	return references{vswitch: w, zoneID: w.ZoneID, hosts: hosts}, nil
}

// insert writes the instances of p and their placements. With MinAmount below
// Amount, it stops creating instances when the VSwitch runs out of addresses
// (or the zone's hosts out of room), provided at least MinAmount were created.
func (s *Service) insert(tx store.Tx, c Caller, p *plan) (LaunchResult, error) {
	refs, err := s.checkReferences(tx, c, p)
	if err != nil {
		return LaunchResult{}, err
	}
	// A security group has room for at most this many more instances.
	room := MaxInstancesPerGroup
	for _, g := range p.groups {
		n, err := GroupMembers(tx, g)
		if err != nil {
			return LaunchResult{}, err
		}
		room = min(room, MaxInstancesPerGroup-n)
	}
	res := LaunchResult{InstanceIDs: []string{}}
	now := s.now()
	for i := range p.amount {
		if i >= room || i >= len(refs.hosts) {
			break
		}
		id, err := s.insertOne(tx, c, p, refs, i, now)
		var apiErr *apierr.Error
		if errors.As(err, &apiErr) && apiErr.Code == "InvalidVSwitchId.IpNotEnough" && i >= p.minAmount {
			break
		}
		if err != nil {
			return LaunchResult{}, err
		}
		res.InstanceIDs = append(res.InstanceIDs, id)
	}
	if err := recordPlacements(tx, c, p, refs, res.InstanceIDs); err != nil {
		return LaunchResult{}, err
	}
	return res, nil
}

// insertOne writes instance i of p with its addresses, primary network
// interface, groups, disks and tags.
func (s *Service) insertOne(tx store.Tx, c Caller, p *plan, refs references, i int, now time.Time) (string, error) {
	id := s.deps.IDs.NewID("i", c.RegionID)
	privateIP, err := s.deps.Network.AllocatePrivateIP(tx, c.AccountID, refs.vswitch.ID, p.in.PrivateIPAddress,
		network.OwnerInstance, id)
	if err != nil {
		return "", err
	}
	in := store.Instance{ID: id, AccountID: c.AccountID, RegionID: c.RegionID, ZoneID: refs.zoneID,
		Name: p.names[i], Description: p.in.Description, HostName: p.hostNames[i],
		InstanceType: p.typ.ID, CPU: p.typ.CPUCoreCount, MemoryMiB: memoryMiB(p.typ),
		ImageID: p.img.ID, OSName: p.img.OSName, OSType: p.img.OSType,
		VpcID: refs.vswitch.VpcID, VSwitchID: refs.vswitch.ID, PrivateIP: privateIP,
		InternetChargeType: p.internetChargeType, InternetMaxBandwidthIn: p.bandwidthIn,
		InternetMaxBandwidthOut: p.bandwidthOut, InstanceChargeType: ChargePostPaid,
		Status: StatusPending, NextStatus: intentRunning, NextStatusAt: now,
		KeyPairName: p.in.KeyPairName, PasswordHash: passwordHash(id, p.in.Password), UserData: p.in.UserData,
		SerialNumber: serialNumber(id), RAMRoleName: p.in.RAMRoleName, DeletionProtection: p.in.DeletionProtection,
		DeploymentSetID: p.in.DeploymentSetID,
		AutoReleaseTime: p.autoRelease, CreatedAt: now}
	if in.Name == "" {
		in.Name = id
	}
	if in.HostName == "" {
		in.HostName = defaultHostName(id, p.img.OSType == image.OSTypeWindows)
	}
	if p.r.create {
		in.NextStatus = intentStopped
	}
	// RunInstances gives a public IP to every instance with outbound bandwidth
	// (1.5.1); CreateInstance leaves that to AllocatePublicIpAddress.
	if !p.r.create && p.bandwidthOut > 0 {
		if in.PublicIP, err = s.allocatePublicIP(tx, c.AccountID, id); err != nil {
			return "", err
		}
	}
	if err := tx.CreateInstance(in); err != nil {
		return "", fmt.Errorf("create instance %s: %w", id, err)
	}
	if err := CreatePrimaryNIC(tx, in); err != nil {
		return "", err
	}
	if err := tx.SetInstanceSecurityGroups(c.AccountID, id, p.groups); err != nil {
		return "", fmt.Errorf("security groups of %s: %w", id, err)
	}
	if err := s.createDisks(tx, in, p, now); err != nil {
		return "", err
	}
	if len(p.tags) > 0 {
		if err := tx.PutTags(c.AccountID, store.TagTypeInstance, id, p.tags); err != nil {
			return "", fmt.Errorf("tag instance %s: %w", id, err)
		}
	}
	return id, nil
}
