package disk

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rules below are the guide's, exported so that the instance service applies
// the same ones to the system and data disks RunInstances creates.

// Disk types (DiskItemType.Type).
const (
	TypeSystem = "system"
	TypeData   = "data"
)

// Disk statuses (DiskItemType.Status, guide 1.17.4).
const (
	StatusCreating  = "Creating"
	StatusAvailable = "Available"
	StatusAttaching = "Attaching"
	StatusInUse     = "In_use"
	StatusDetaching = "Detaching"
	StatusReIniting = "ReIniting"
)

// Disk categories. The guide's are cloud, cloud_efficiency and cloud_ssd (1.18.5)
// and the local ephemeral_ssd (RunInstances); cloud_essd is what the catalog's
// zones also offer (DescribeZones), with the public cloud's performance levels.
const (
	CategoryCloud        = "cloud"
	CategoryEfficiency   = "cloud_efficiency"
	CategorySSD          = "cloud_ssd"
	CategoryESSD         = "cloud_essd"
	CategoryEphemeralSSD = "ephemeral_ssd"
)

// DefaultCategory is CreateDisk's DiskCategory default (1.7.1).
const DefaultCategory = CategoryCloud

// DefaultPerformanceLevel is the performance level of a cloud_essd disk created
// without one; other categories have none.
const DefaultPerformanceLevel = "PL1"

// Device names (AttachDisk 1.7.3, CreateInstance DataDisk.n.Device): the system
// disk is /dev/xvda, data disks take /dev/xvdb to /dev/xvdz.
const (
	SystemDevice = "/dev/xvda"
	devicePrefix = "/dev/xvd"
)

// MaxDataDisks is how many data disks one instance may have (RunInstances
// DataDisk.n, n in [1, 16]; AttachDisk's InstanceDiskLimitExceeded).
const MaxDataDisks = 16

// System disk sizes in GiB: CreateInstance and ReplaceSystemDisk take 40 to 500
// (ReplaceSystemDisk's min is max{40, image size}).
const (
	SystemDiskMinGiB = 40
	SystemDiskMaxGiB = 500
)

// SizeRange is an inclusive range of disk sizes in GiB.
type SizeRange struct {
	Min, Max int
}

// Contains reports whether size lies in the range.
func (r SizeRange) Contains(size int) bool { return size >= r.Min && size <= r.Max }

// DataDiskSize returns the size range of a data disk of category; level is the
// performance level of a cloud_essd disk ("" means DefaultPerformanceLevel) and
// must be empty for the other categories. ok is false for an unknown category or
// level.
//
// The guide disagrees with itself (spec/README.md): CreateDisk gives cloud
// 5–2000, cloud_efficiency 20–2048 and cloud_ssd 20–1024 GB, while RunInstances,
// CreateInstance and 1.18.5 give 32768 GiB as the maximum of cloud_efficiency
// and cloud_ssd. The maxima of the three sections that agree are used, with
// CreateDisk's minima. cloud_essd takes the public cloud's ranges per
// performance level.
func DataDiskSize(category, level string) (r SizeRange, ok bool) {
	if category == CategoryESSD {
		switch level {
		case "PL0":
			return SizeRange{40, 32768}, true
		case "", "PL1":
			return SizeRange{20, 32768}, true
		case "PL2":
			return SizeRange{461, 32768}, true
		case "PL3":
			return SizeRange{1261, 32768}, true
		}
		return SizeRange{}, false
	}
	if level != "" {
		return SizeRange{}, false
	}
	switch category {
	case CategoryCloud:
		return SizeRange{5, 2000}, true
	case CategoryEfficiency, CategorySSD:
		return SizeRange{20, 32768}, true
	case CategoryEphemeralSSD:
		return SizeRange{5, 800}, true
	}
	return SizeRange{}, false
}

// IsCloudCategory reports whether category is a cloud disk (not a local one):
// cloud, cloud_efficiency, cloud_ssd or cloud_essd. Data disks of these
// categories are portable (独立云盘): they can be detached, attached elsewhere in
// their zone and deleted on their own.
func IsCloudCategory(category string) bool {
	switch category {
	case CategoryCloud, CategoryEfficiency, CategorySSD, CategoryESSD:
		return true
	}
	return false
}

// ValidName checks a DiskName (CreateDisk, ModifyDiskAttribute,
// RunInstances DataDisk.n.DiskName): 2–128 characters, starting with a letter or
// a Chinese character, then letters, Chinese characters, digits, ".", ":", "_"
// or "-"; not starting with http:// or https://. The sections differ on "." and
// ":" (CreateDisk names ".", RunInstances ":"); both are accepted.
func ValidName(name string) bool {
	if n := utf8.RuneCountInString(name); n < 2 || n > 128 || hasURLPrefix(name) {
		return false
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || unicode.Is(unicode.Han, r)
		if i == 0 && !letter {
			return false
		}
		if !letter && !(r >= '0' && r <= '9') && !strings.ContainsRune(".:_-", r) {
			return false
		}
	}
	return true
}

// ValidDescription checks a disk Description: 2–256 characters, not starting
// with http:// or https://.
func ValidDescription(d string) bool {
	n := utf8.RuneCountInString(d)
	return n >= 2 && n <= 256 && !hasURLPrefix(d)
}

func hasURLPrefix(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// ValidDataDevice reports whether dev is a data disk device name, /dev/xvdb to
// /dev/xvdz.
func ValidDataDevice(dev string) bool {
	return len(dev) == len(devicePrefix)+1 && strings.HasPrefix(dev, devicePrefix) &&
		dev[len(devicePrefix)] >= 'b' && dev[len(devicePrefix)] <= 'z'
}

// NextDevice returns the first data disk device name, from /dev/xvdb, that is
// not in used; ok is false when all of /dev/xvdb to /dev/xvdz are taken.
func NextDevice(used []string) (dev string, ok bool) {
	for c := byte('b'); c <= 'z'; c++ {
		dev = devicePrefix + string(c)
		if !slices.Contains(used, dev) {
			return dev, true
		}
	}
	return "", false
}
