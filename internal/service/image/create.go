package image

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// CreateInput are the parameters of CreateImage (guide 1.9.1, plus the SDK's
// ImageFamily, Platform, Architecture and DiskDeviceMapping.N.Device/DiskType).
type CreateInput struct {
	SnapshotID  string
	InstanceID  string
	Mappings    []MappingInput
	Name        string
	Version     string
	Description string
	Family      string
	// Platform and Architecture describe an image made from snapshots (an
	// image made from an instance takes them from the instance's image).
	Platform     string
	Architecture string
	ClientToken  string
}

// MappingInput is one DiskDeviceMapping.N of CreateImage.
type MappingInput struct {
	SnapshotID string
	// Size is the disk's size in GiB as sent ("" for the default).
	Size     string
	Device   string
	DiskType string
}

// Mapping disk sizes (guide 1.9.1 DiskDeviceMapping.N.Size: [5, 2000] GB,
// default the snapshot's size, or 5 without a snapshot).
const (
	minMappingSize = 5
	maxMappingSize = 2000
)

// oldestSnapshot is the guide's cut-off: snapshots taken on or before
// 2013-07-15 cannot make images (InvalidSnapshot.TooOld).
var oldestSnapshot = time.Date(2013, 7, 16, 0, 0, 0, 0, time.UTC)

// createdImage is what a CreateImage call records for its ClientToken.
type createdImage struct {
	ImageID string
}

// Create makes a custom image and returns its ID (CreateImage, guide 1.9.1).
// The source is, in this order of precedence, the instance InstanceId (a new
// snapshot of each of its disks), the disks of DiskDeviceMapping.N, or the
// system-disk snapshot SnapshotId. The image is Creating when the call
// returns; a CreateImage task makes it Available once its snapshots are
// accomplished (CreateFailed if one fails).
func (s *Service) Create(ctx context.Context, c Caller, in CreateInput) (string, error) {
	if err := checkTexts(in); err != nil {
		return "", err
	}
	if in.InstanceID == "" && in.SnapshotID == "" && len(in.Mappings) == 0 {
		return "", errMissingSource()
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	if in.Platform != "" && !validPlatform(in.Platform) {
		return "", errPlatformMalformed()
	}
	arch, ok := canonical(in.Architecture, ArchI386, ArchX8664, ArchARM64)
	if !ok {
		return "", errArchitectureMalformed()
	}
	in.Architecture = arch
	key := idempotency.Key{AccountID: c.AccountID, Action: "CreateImage", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out createdImage
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (createdImage, error) {
			if taken, err := nameTaken(tx, c.AccountID, c.RegionID, in.Name, ""); err != nil {
				return createdImage{}, err
			} else if taken {
				return createdImage{}, errNameDuplicated()
			}
			if err := s.checkQuota(tx, c.AccountID, c.RegionID); err != nil {
				return createdImage{}, err
			}
			img := store.Image{ID: s.deps.IDs.NewID("m", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				Name: in.Name, Description: in.Description, Version: in.Version, Family: in.Family,
				Status: StatusCreating, Origin: store.ImageOriginSnapshot, CreatedAt: now}
			var snapshots []string
			var err error
			switch {
			case in.InstanceID != "":
				snapshots, err = s.fromInstance(ctx, tx, c, in.InstanceID, &img, now)
			case len(in.Mappings) > 0:
				err = s.fromMappings(ctx, tx, c, in.Mappings, &img)
			default:
				err = s.fromSnapshot(ctx, tx, c, in.SnapshotID, &img)
			}
			if err != nil {
				return createdImage{}, err
			}
			if img.Platform == "" {
				img.Platform, img.OSType = defaultPlatform(in.Platform), OSTypeLinux
				if strings.HasPrefix(img.Platform, "Windows") {
					img.OSType = OSTypeWindows
				}
				img.OSName, img.OSNameEn = img.Platform, img.Platform
			}
			if img.Architecture == "" {
				img.Architecture = ArchX8664
			}
			if in.Architecture != "" {
				img.Architecture = in.Architecture
			}
			if err := s.enqueueCreate(tx, &img); err != nil {
				return createdImage{}, err
			}
			if err := tx.CreateImage(img); err != nil {
				return createdImage{}, fmt.Errorf("create image: %w", err)
			}
			if err := tx.AddImageSnapshotRefs(c.AccountID, img.ID, snapshots); err != nil {
				return createdImage{}, err
			}
			return createdImage{ImageID: img.ID}, nil
		})
		return err
	})
	if errors.Is(err, idempotency.ErrParameterMismatch()) {
		return "", errTokenConflict()
	}
	if err != nil {
		return "", err
	}
	s.deps.Tasks.Wake()
	return out.ImageID, nil
}

// checkTexts applies the guide's rules on ImageName, Description and
// ImageVersion.
func checkTexts(in CreateInput) error {
	switch {
	case in.Name != "" && !validName(in.Name):
		return errImageNameMalformed()
	case !validDescription(in.Description):
		return errDescriptionMalformed()
	case in.Version != "" && !validVersion(in.Version):
		return errImageVersionMalformed()
	}
	return nil
}

// usableSnapshot returns the caller's snapshot id if an image can be made
// from it: accomplished, taken after 2013-07-15, not encrypted.
func usableSnapshot(tx store.Tx, c Caller, id string, notFound error) (store.Snapshot, error) {
	sn, err := tx.GetSnapshot(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && sn.RegionID != c.RegionID {
		return store.Snapshot{}, notFound
	}
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("snapshot %s: %w", id, err)
	}
	switch {
	case sn.Status != store.SnapshotAccomplished:
		return store.Snapshot{}, errSnapshotNotReady()
	case sn.CreatedAt.Before(oldestSnapshot):
		return store.Snapshot{}, errSnapshotTooOld()
	case sn.Encrypted:
		return store.Snapshot{}, errSnapshotNotAllowed()
	}
	return sn, nil
}

// fromSnapshot makes img a one-disk image of a system-disk snapshot.
func (s *Service) fromSnapshot(ctx context.Context, tx store.Tx, c Caller, id string, img *store.Image) error {
	sn, err := usableSnapshot(tx, c, id, errSnapshotNotFound())
	if err != nil {
		return err
	}
	if sn.SourceDiskType != DiskTypeSystem {
		return errSnapshotNotSystem()
	}
	img.SizeGiB = sn.SourceDiskSizeGiB
	img.Disks = []store.ImageDisk{{Device: SystemDiskDevice, Type: DiskTypeSystem, SizeGiB: sn.SourceDiskSizeGiB, SnapshotID: sn.ID}}
	return s.describeSource(ctx, tx, c, sn.SourceDiskID, img)
}

// describeSource copies the operating system of the instance a disk was made
// from, when its disk still names its image; the caller's Platform otherwise.
func (s *Service) describeSource(ctx context.Context, tx store.Tx, c Caller, diskID string, img *store.Image) error {
	d, err := tx.GetDisk(c.AccountID, diskID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("disk %s: %w", diskID, err)
	}
	if d.InstanceID == "" {
		return nil
	}
	in, err := tx.GetInstance(c.AccountID, d.InstanceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("instance %s: %w", d.InstanceID, err)
	}
	img.OSName, img.OSNameEn, img.OSType = in.OSName, in.OSName, in.OSType
	img.Platform = platformOf(in.OSName, in.OSType)
	if src, err := s.Image(ctx, c.AccountID, c.RegionID, in.ImageID); err == nil {
		img.OSName, img.OSNameEn, img.Platform, img.Architecture = src.OSName, src.OSNameEn, src.Platform, src.Architecture
	}
	return nil
}

// fromMappings makes img of DiskDeviceMapping.N: exactly one system-disk
// snapshot (the system disk, /dev/xvda), data disks from /dev/xvdb on in the
// order given, a mapping without a snapshot an empty disk.
func (s *Service) fromMappings(ctx context.Context, tx store.Tx, c Caller, maps []MappingInput, img *store.Image) error {
	var system *store.ImageDisk
	var data []store.ImageDisk
	var systemDisk string
	for _, m := range maps {
		d := store.ImageDisk{Type: "data", SizeGiB: minMappingSize}
		snapSize := 0
		if m.SnapshotID != "" {
			sn, err := usableSnapshot(tx, c, m.SnapshotID, errMappingSnapshotNotFound())
			if err != nil {
				return err
			}
			d.SnapshotID, d.SizeGiB, snapSize = sn.ID, sn.SourceDiskSizeGiB, sn.SourceDiskSizeGiB
			if sn.SourceDiskType == DiskTypeSystem {
				if system != nil {
					return errMappingTwoSystems()
				}
				d.Type, systemDisk = DiskTypeSystem, sn.SourceDiskID
			}
		}
		if m.Size != "" {
			n, err := strconv.Atoi(m.Size)
			if err != nil || n < minMappingSize || n > maxMappingSize || n < snapSize {
				return errMappingSize()
			}
			d.SizeGiB = n
		}
		if d.Type == DiskTypeSystem {
			system = &d
			continue
		}
		data = append(data, d)
	}
	if system == nil {
		return errMappingNoSystem()
	}
	system.Device = SystemDiskDevice
	img.Disks = []store.ImageDisk{*system}
	for i, d := range data {
		if i >= 25 {
			return errMappingSize()
		}
		d.Device = "/dev/xvd" + string(rune('b'+i))
		img.Disks = append(img.Disks, d)
	}
	img.SizeGiB = system.SizeGiB
	return s.describeSource(ctx, tx, c, systemDisk, img)
}

// fromInstance makes img of every disk of an instance that is Running or
// Stopped and not locked, taking a snapshot of each; it returns the snapshots.
func (s *Service) fromInstance(ctx context.Context, tx store.Tx, c Caller, id string, img *store.Image, now time.Time) ([]string, error) {
	in, err := tx.GetInstance(c.AccountID, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && in.RegionID != c.RegionID {
		return nil, errInstanceNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("instance %s: %w", id, err)
	}
	switch {
	case in.Status != "Running" && in.Status != "Stopped" || in.NextStatus == "Deleted":
		return nil, errInstanceStatus()
	case strings.Contains(in.OperationLocks, "security"):
		return nil, errInstanceLocked()
	}
	disks, err := tx.InstanceDisks(id)
	if err != nil {
		return nil, fmt.Errorf("disks of %s: %w", id, err)
	}
	for _, d := range disks {
		if d.Category == "ephemeral_ssd" {
			return nil, errInstanceNotAllowed()
		}
	}
	if s.deps.Snapshots == nil {
		return nil, apierr.InternalError(errors.New("image: no snapshot service"))
	}
	img.Origin, img.SourceInstanceID = store.ImageOriginInstance, id
	img.OSName, img.OSNameEn, img.OSType = in.OSName, in.OSName, in.OSType
	img.Platform = platformOf(in.OSName, in.OSType)
	if src, err := s.Image(ctx, c.AccountID, c.RegionID, in.ImageID); err == nil {
		img.OSName, img.OSNameEn, img.Platform, img.Architecture = src.OSName, src.OSNameEn, src.Platform, src.Architecture
	}
	var snapshots []string
	next := 'b'
	for _, d := range disks {
		sn, err := s.deps.Snapshots.TakeForImage(tx, d, img.ID, now)
		if err != nil {
			return nil, err
		}
		snapshots = append(snapshots, sn.ID)
		m := store.ImageDisk{Device: SystemDiskDevice, Type: DiskTypeSystem, SizeGiB: d.SizeGiB, SnapshotID: sn.ID}
		if d.Type != DiskTypeSystem {
			m.Device, m.Type = "/dev/xvd"+string(next), "data"
			next++
		} else {
			img.SizeGiB = d.SizeGiB
		}
		img.Disks = append(img.Disks, m)
	}
	return snapshots, nil
}

// platforms are the Platform values the guide lists for ImportImage (1.9.9),
// plus the distributions of the system catalog.
var platforms = []string{"CentOS", "Ubuntu", "SUSE", "OpenSUSE", "RedHat", "Debian", "CoreOS", "Aliyun", "Aliyun Linux",
	"Windows Server 2003", "Windows Server 2008", "Windows Server 2012", "Windows Server 2016", "Windows Server 2019",
	"Windows Server 2022", "Windows 7", "Others Linux", "Anolis", "Rocky Linux", "Customized Linux", "Others Windows"}

func validPlatform(p string) bool {
	_, ok := canonical(p, platforms...)
	return ok
}

// defaultPlatform is the canonical Platform, Others Linux when empty.
func defaultPlatform(p string) string {
	if c, ok := canonical(p, platforms...); ok && c != "" {
		return c
	}
	return "Others Linux"
}

// platformOf guesses the Platform of an OS name (the instance's OSName).
func platformOf(osName, osType string) string {
	for _, p := range platforms {
		if strings.HasPrefix(strings.ToLower(osName), strings.ToLower(p)) {
			return p
		}
	}
	if osType == OSTypeWindows {
		return "Others Windows"
	}
	return "Others Linux"
}
