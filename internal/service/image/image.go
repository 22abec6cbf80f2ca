package image

import (
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
)

// Image owner aliases (guide 1.9.2 ImageOwnerAlias, 1.17.6 ImageType): who
// provides an image, seen from the calling account.
const (
	// OwnerSystem marks Alibaba Cloud's public images (ecsd's system catalog).
	OwnerSystem = "system"
	// OwnerSelf marks the caller's own custom images.
	OwnerSelf = "self"
	// OwnerOthers marks images other accounts share with the caller.
	OwnerOthers = "others"
	// OwnerMarketplace marks Alibaba Cloud Marketplace images (ecsd has none).
	OwnerMarketplace = "marketplace"
)

// Image statuses (guide 1.9.2 Status, plus the SDK's Waiting and Deprecated).
const (
	StatusCreating     = "Creating"
	StatusWaiting      = "Waiting"
	StatusAvailable    = "Available"
	StatusUnAvailable  = "UnAvailable"
	StatusCreateFailed = "CreateFailed"
	StatusDeprecated   = "Deprecated"
)

// Operating system types (the OSType field and filter).
const (
	OSTypeLinux   = "linux"
	OSTypeWindows = "windows"
)

// Architectures (the Architecture field and filter).
const (
	ArchI386  = "i386"
	ArchX8664 = "x86_64"
	ArchARM64 = "arm64"
)

// Usage values: whether instances run from the image.
const (
	UsageInstance = "instance"
	UsageNone     = "none"
)

// Action types of the ActionType filter: the scenario the image is wanted for.
const (
	ActionCreateEcs = "CreateEcs"
	ActionChangeOS  = "ChangeOS"
)

// ProgressDone is the Progress of a finished image.
const ProgressDone = "100%"

// SystemDiskDevice is the device name of an image's system disk mapping.
const SystemDiskDevice = "/dev/xvda"

// DiskTypeSystem is the Type of a system disk mapping.
const DiskTypeSystem = "system"

// windowsMinMemoryGiB is the least memory an instance type needs to run Windows
// (Alibaba Cloud refuses Windows images on types with less than 1 GiB).
const windowsMinMemoryGiB = 1.0

// Image is an image as the service sees it: every field DescribeImages reports
// and the instance code needs (Size for system-disk sizing, OSType, Platform and
// Architecture for validation).
type Image struct {
	// ID is the ImageId, e.g. "ubuntu_22_04_x64_20G_alibase_20240530.vhd" or "m-…".
	ID string
	// Name is the ImageName (a system image's name is its ID).
	Name string
	// Description is free text.
	Description string
	// Family is the image family, e.g. "acs:ubuntu_22_04_x64".
	Family string
	// Version is the ImageVersion (empty for system images).
	Version string
	// OwnerAlias is system, self, others or marketplace, from the caller's view.
	OwnerAlias string
	// OwnerID is the account that owns a custom image; 0 for system images.
	OwnerID int64
	// OSName and OSNameEn are the display names in Chinese and English.
	OSName, OSNameEn string
	// Platform is the distribution, e.g. "Ubuntu", "CentOS", "Windows Server 2022".
	Platform string
	// OSType is OSTypeLinux or OSTypeWindows.
	OSType string
	// Architecture is ArchX8664, ArchI386 or ArchARM64.
	Architecture string
	// Size is the image size in GiB: the least system disk that can hold it.
	Size int
	// Status is one of the Status constants.
	Status string
	// Progress is the creation progress, "100%" when done.
	Progress string
	// Usage is UsageInstance or UsageNone.
	Usage string
	// CreationTime is when the image was created (UTC).
	CreationTime time.Time
	// BootMode is BIOS, UEFI or UEFI-Preferred.
	BootMode string
	// SupportsCloudinit, SupportsIoOptimized and LoginAsNonRootSupported are the
	// image's IsSupportCloudinit, IsSupportIoOptimized and LoginAsNonRootSupported.
	SupportsCloudinit, SupportsIoOptimized, LoginAsNonRootSupported bool
	// IsCopied, IsPublic and IsSubscribed: copied from another region, a
	// community image, a subscribed marketplace image.
	IsCopied, IsPublic, IsSubscribed bool
	// ProductCode is the marketplace product code (empty otherwise).
	ProductCode string
	// ResourceGroupID is the resource group of a custom image.
	ResourceGroupID string
	// NvmeSupport (supported/unsupported) and ImdsSupport (v2 or empty) are the
	// image's Features.
	NvmeSupport, ImdsSupport string
	// DiskDeviceMappings are the image's disks, the system disk first.
	DiskDeviceMappings []DiskDeviceMapping
	// Tags are the image's tags.
	Tags []Tag
}

// DiskDeviceMapping is one disk of an image (guide 1.17.24).
type DiskDeviceMapping struct {
	// Device is the device name, e.g. "/dev/xvda".
	Device string
	// Type is "system" or "data".
	Type string
	// Size is the disk's size in GiB.
	Size int
	// SnapshotID is the snapshot the disk is made from (empty for system images).
	SnapshotID string
	// Format is the image file format of an imported image (empty otherwise).
	Format string
	// ImportOSSBucket and ImportOSSObject are the file an imported image was
	// read from.
	ImportOSSBucket, ImportOSSObject string
}

// Tag is one tag of an image.
type Tag struct {
	Key, Value string
}

// Usable reports whether new instances and system disks may be created from
// the image: it must be Available.
func (i Image) Usable() bool { return i.Status == StatusAvailable }

// SupportsInstanceType reports whether the image can boot an instance of type
// t: the architectures must match (every type of the guide's catalog is
// x86_64, which also runs i386 images), and Windows needs at least 1 GiB of
// memory. RunInstances answers ImageNotSupportInstanceType otherwise.
func (i Image) SupportsInstanceType(t catalog.InstanceType) bool {
	switch i.Architecture {
	case ArchX8664, ArchI386:
		if instanceTypeArchitecture(t) != ArchX8664 {
			return false
		}
	default:
		if instanceTypeArchitecture(t) != i.Architecture {
			return false
		}
	}
	return i.OSType != OSTypeWindows || t.MemorySize >= windowsMinMemoryGiB
}

// instanceTypeArchitecture is the CPU architecture of an instance type. The
// guide's appendix 1.18.1 lists only x86 families (DescribeInstanceTypes
// reports CpuArchitecture X86 for all of them), so arm64 images fit none.
func instanceTypeArchitecture(catalog.InstanceType) string { return ArchX8664 }

// clone returns a copy of i that shares no slices with it.
func (i Image) clone() Image {
	i.DiskDeviceMappings = append([]DiskDeviceMapping(nil), i.DiskDeviceMappings...)
	i.Tags = append([]Tag(nil), i.Tags...)
	return i
}
