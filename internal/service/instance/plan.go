package instance

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

// RunInput is a RunInstances or CreateInstance call, decoded. Zero values mean
// "not sent"; pointers tell a sent zero from an absent value.
type RunInput struct {
	// Action is ActionRun or ActionCreate; it selects the guide's rules.
	Action           string
	ZoneID           string
	ImageID          string
	InstanceType     string
	IoOptimized      string
	SecurityGroupIDs []string
	VSwitchID        string
	PrivateIPAddress string
	InstanceName     string
	HostName         string
	// HostNames are one host name per instance (the SDK's HostNames.N).
	HostNames []string
	// UniqueSuffix appends 001, 002 … to InstanceName and HostName when several
	// instances are created.
	UniqueSuffix    bool
	Description     string
	Password        string
	PasswordInherit bool
	KeyPairName     string
	// UserData is base64, as sent.
	UserData                    string
	SystemDisk                  SystemDiskInput
	DataDisks                   []DataDiskInput
	InternetChargeType          string
	InternetMaxBandwidthIn      *int
	InternetMaxBandwidthOut     *int
	InstanceChargeType          string
	Amount                      *int
	MinAmount                   *int
	AutoReleaseTime             string
	DeletionProtection          bool
	Tags                        []store.Tag
	HpcClusterID                string
	RAMRoleName                 string
	DeploymentSetID             string
	SecurityEnhancementStrategy string
	// Unsupported names the parameters sent that ecsd does not model (IPv6
	// addresses, extra network interfaces, launch templates); the first is
	// refused.
	Unsupported []string
	// ClientToken makes the call idempotent (1.18.6); DryRun checks everything
	// and answers DryRunOperation.
	ClientToken string `json:"-"`
	DryRun      bool   `json:"-"`
}

// SystemDiskInput is SystemDisk.* of a RunInput.
type SystemDiskInput struct {
	Category         string
	Size             *int
	Name             string
	Description      string
	PerformanceLevel string
}

// DataDiskInput is one DataDisk.n of a RunInput.
type DataDiskInput struct {
	Category           string
	Size               *int
	SnapshotID         string
	Name               string
	Description        string
	Device             string
	PerformanceLevel   string
	Encrypted          *bool
	KMSKeyID           string
	DeleteWithInstance *bool
}

// Internet and instance charge types.
const (
	ChargePayByTraffic   = "PayByTraffic"
	ChargePayByBandwidth = "PayByBandwidth"
	ChargePostPaid       = "PostPaid"
	ChargePrePaid        = "PrePaid"
)

// plan is a validated RunInput with every default applied: what the
// transaction writes, minus what needs the store (the VSwitch, its zone and
// VPC, the groups and the key pair).
type plan struct {
	r         rules
	in        RunInput
	typ       catalog.InstanceType
	img       image.Image
	optimized bool
	groups    []string
	// names and hostNames are per instance; "" means the default (the
	// instance's ID, its iZ…Z host name).
	names, hostNames   []string
	amount, minAmount  int
	bandwidthIn        int
	bandwidthOut       int
	internetChargeType string
	systemDisk         diskPlan
	dataDisks          []diskPlan
	// snapshots are the snapshots DataDisk.n.SnapshotId name, as read before
	// the transaction (which checks that they still exist).
	snapshots   map[string]store.Snapshot
	autoRelease time.Time
	tags        []store.Tag
}

// prepare validates in against everything but the store, in the guide's order
// of concerns: required parameters, amounts, texts, the instance type, the image,
// disks, bandwidth, tags and times.
func (s *Service) prepare(ctx context.Context, c Caller, in RunInput) (*plan, error) {
	p := &plan{r: rulesFor(in.Action), in: in}
	var err error
	if len(in.Unsupported) > 0 {
		return nil, errNotSupported(in.Unsupported[0])
	}
	if err := p.required(); err != nil {
		return nil, err
	}
	if err := p.amounts(); err != nil {
		return nil, err
	}
	if err := p.texts(); err != nil {
		return nil, err
	}
	if err := s.imageAndType(ctx, c, p); err != nil {
		return nil, err
	}
	if err := p.hosts(); err != nil {
		return nil, err
	}
	if p.snapshots, err = s.dataDiskSnapshots(ctx, c, in.DataDisks); err != nil {
		return nil, err
	}
	if err := p.disks(); err != nil {
		return nil, err
	}
	if err := p.network(); err != nil {
		return nil, err
	}
	if p.tags, err = checkTags(in.Tags); err != nil {
		return nil, err
	}
	if p.autoRelease, err = parseAutoReleaseTime(in.AutoReleaseTime, s.now()); err != nil {
		return nil, err
	}
	if in.ZoneID != "" {
		if _, region, ok := s.deps.Catalog.Zone(in.ZoneID); !ok || region != c.RegionID {
			return nil, p.r.errZoneNotFound()
		}
	}
	return p, nil
}

// required checks the parameters without which nothing can be created.
func (p *plan) required() error {
	in := p.in
	switch {
	case in.ImageID == "":
		return apierr.MissingParameter("ImageId")
	case in.InstanceType == "":
		return apierr.MissingParameter("InstanceType")
	}
	for _, g := range in.SecurityGroupIDs {
		if g != "" && !slices.Contains(p.groups, g) {
			p.groups = append(p.groups, g)
		}
	}
	switch {
	case len(p.groups) == 0:
		return apierr.MissingParameter("SecurityGroupId")
	case len(p.groups) > MaxSecurityGroups:
		return errTooManySecurityGroups()
	case in.VSwitchID == "":
		return p.r.errVSwitchMissing()
	case in.HpcClusterID != "":
		return errHpcClusterNotFound()
	}
	return nil
}

// amounts checks Amount and MinAmount (RunInstances: 1–100, default 1).
func (p *plan) amounts() error {
	p.amount, p.minAmount = 1, 1
	if p.r.create {
		return nil
	}
	if a := p.in.Amount; a != nil {
		if *a < 1 || *a > MaxAmount {
			return errAmount()
		}
		p.amount = *a
	}
	p.minAmount = p.amount
	if m := p.in.MinAmount; m != nil {
		if *m < 1 || *m > p.amount {
			return apierr.InvalidParameter("MinAmount")
		}
		p.minAmount = *m
	}
	return nil
}

// texts checks the instance name, description, password and user data.
func (p *plan) texts() error {
	in := p.in
	if in.InstanceName != "" && !validName(in.InstanceName, p.r.nameExtra) {
		return p.r.errInstanceNameMalformed()
	}
	if in.Description != "" && !validDescription(in.Description) {
		return p.r.errDescriptionMalformed()
	}
	if in.PasswordInherit && in.Password != "" {
		return errPasswordInheritMismatch()
	}
	if in.Password != "" && !validPassword(in.Password) {
		return p.r.errPasswordMalformed()
	}
	if _, err := checkUserData(in.UserData); err != nil {
		return err
	}
	switch in.SecurityEnhancementStrategy {
	case "", "Active", "Deactive":
	default:
		return apierr.InvalidParameter("SecurityEnhancementStrategy")
	}
	p.names = make([]string, p.amount)
	for i := range p.names {
		p.names[i] = p.suffixed(in.InstanceName, i)
	}
	return nil
}

// suffixed appends the instance's sequence number (001 …) to name when
// UniqueSuffix asks for it and several instances are created.
func (p *plan) suffixed(name string, i int) string {
	if name == "" || !p.in.UniqueSuffix || p.amount < 2 {
		return name
	}
	return fmt.Sprintf("%s%03d", name, i+1)
}

// imageAndType resolves the instance type and the image and checks that they
// fit each other and the I/O optimisation asked for.
func (s *Service) imageAndType(ctx context.Context, c Caller, p *plan) error {
	typ, ok := s.deps.Catalog.InstanceType(p.in.InstanceType)
	if !ok {
		return errInstanceTypeNotSupported()
	}
	p.typ = typ
	img, err := s.deps.Images.Image(ctx, c.AccountID, c.RegionID, p.in.ImageID)
	if err != nil {
		return err
	}
	if !img.Usable() {
		return errImageUnavailable()
	}
	p.img = img
	if !img.SupportsInstanceType(typ) {
		return p.r.errImageInstanceType()
	}
	seriesOne := typ.Generation == catalog.Generation1
	switch p.in.IoOptimized {
	case "":
		p.optimized = !seriesOne
	case "optimized":
		if seriesOne {
			return p.r.errTypeNotIoOptimized()
		}
		p.optimized = true
	case "none":
		if !seriesOne {
			return p.r.errTypeMustBeIoOptimized()
		}
	default:
		return errIoOptimizedValue()
	}
	if p.optimized && !img.SupportsIoOptimized {
		return errImageNotIoOptimized()
	}
	if p.in.UserData != "" && !p.optimized {
		return errUserDataNotSupported()
	}
	if p.in.KeyPairName != "" && img.OSType == image.OSTypeWindows {
		return errWindowsKeyPair()
	}
	return nil
}

// hosts checks HostName or HostNames.N against the image's operating system.
func (p *plan) hosts() error {
	windows := p.img.OSType == image.OSTypeWindows
	p.hostNames = make([]string, p.amount)
	if len(p.in.HostNames) > 0 {
		if len(p.in.HostNames) != p.amount || p.in.HostName != "" {
			return apierr.InvalidParameter("HostNames")
		}
		for i, h := range p.in.HostNames {
			if !validHostName(h, windows, p.r.hostNameMax) {
				return p.r.errHostNameMalformed()
			}
			p.hostNames[i] = h
		}
		return nil
	}
	if p.in.HostName == "" {
		return nil
	}
	for i := range p.hostNames {
		h := p.suffixed(p.in.HostName, i)
		if !validHostName(h, windows, p.r.hostNameMax) {
			return p.r.errHostNameMalformed()
		}
		p.hostNames[i] = h
	}
	return nil
}

// network checks the bandwidths and charge types.
func (p *plan) network() error {
	in := p.in
	p.bandwidthIn = bandwidthInDefault
	if b := in.InternetMaxBandwidthIn; b != nil {
		if *b < bandwidthInMin || *b > bandwidthInMax {
			return p.r.errBandwidthIn()
		}
		p.bandwidthIn = *b
	}
	if b := in.InternetMaxBandwidthOut; b != nil {
		if *b < 0 || *b > bandwidthOutMax {
			return p.r.errBandwidthOut()
		}
		p.bandwidthOut = *b
	}
	switch in.InternetChargeType {
	case "":
		p.internetChargeType = ChargePayByTraffic
	case ChargePayByTraffic, ChargePayByBandwidth:
		p.internetChargeType = in.InternetChargeType
	default:
		return errInternetChargeType()
	}
	if in.InstanceChargeType != "" && in.InstanceChargeType != ChargePostPaid {
		return errInstanceChargeType()
	}
	return nil
}

// memoryMiB converts an instance type's memory (GiB) to MiB.
func memoryMiB(t catalog.InstanceType) int { return int(math.Round(t.MemorySize * 1024)) }
