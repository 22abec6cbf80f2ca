package image

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed data/system_images.yaml
var systemImagesYAML string

// SystemCatalog is the catalog of system (public) images: every image has
// ImageOwnerAlias "system" and is visible to every account. It never changes
// after it is parsed, hands out copies and is safe for concurrent use. It is
// the service's first Source.
type SystemCatalog struct {
	images  []Image
	regions [][]string // per image; empty means every region
}

// EmbeddedSystemCatalog parses the catalog compiled into the binary
// (data/system_images.yaml).
func EmbeddedSystemCatalog() (*SystemCatalog, error) {
	c, err := ParseSystemCatalog([]byte(systemImagesYAML))
	if err != nil {
		return nil, fmt.Errorf("image: embedded system catalog: %w", err)
	}
	return c, nil
}

// catalogFile is the shape of data/system_images.yaml; its header documents
// every key.
type catalogFile struct {
	Images []catalogEntry `yaml:"images"`
}

type catalogEntry struct {
	ImageID                 string   `yaml:"imageId"`
	ImageName               string   `yaml:"imageName"`
	Description             string   `yaml:"description"`
	ImageFamily             string   `yaml:"imageFamily"`
	ImageVersion            string   `yaml:"imageVersion"`
	OSName                  string   `yaml:"osName"`
	OSNameEn                string   `yaml:"osNameEn"`
	Platform                string   `yaml:"platform"`
	OSType                  string   `yaml:"osType"`
	Architecture            string   `yaml:"architecture"`
	Size                    int      `yaml:"size"`
	BootMode                string   `yaml:"bootMode"`
	CreationTime            string   `yaml:"creationTime"`
	Status                  string   `yaml:"status"`
	IsSupportCloudinit      *bool    `yaml:"isSupportCloudinit"`
	IsSupportIoOptimized    *bool    `yaml:"isSupportIoOptimized"`
	LoginAsNonRootSupported *bool    `yaml:"loginAsNonRootSupported"`
	NvmeSupport             string   `yaml:"nvmeSupport"`
	ImdsSupport             string   `yaml:"imdsSupport"`
	Regions                 []string `yaml:"regions"`
}

// maxImageSize is the largest system disk (GiB) an image may need (guide
// 1.5.1 SystemDisk.Size: [20, 500]).
const maxImageSize = 500

// ParseSystemCatalog decodes a YAML catalog of system images (the format of
// data/system_images.yaml) and checks every entry. Unknown keys are errors;
// every problem found is reported, joined.
func ParseSystemCatalog(data []byte) (*SystemCatalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f catalogFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if len(f.Images) == 0 {
		return nil, errors.New("no images")
	}
	c := &SystemCatalog{}
	seen := map[string]bool{}
	var errs []error
	for i, e := range f.Images {
		img, err := e.image()
		if err == nil && seen[img.ID] {
			err = errors.New("listed twice")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("image #%d %q: %w", i+1, e.ImageID, err))
			continue
		}
		seen[img.ID] = true
		c.images = append(c.images, img)
		c.regions = append(c.regions, slices.Clone(e.Regions))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// image checks one entry and converts it into an Image.
func (e catalogEntry) image() (Image, error) {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(validImageID(e.ImageID), "imageId must be non-empty, without commas or spaces")
	check(e.ImageFamily != "", "imageFamily is not set")
	check(e.OSName != "" && e.OSNameEn != "" && e.Platform != "", "osName, osNameEn and platform must be set")
	check(e.OSType == OSTypeLinux || e.OSType == OSTypeWindows, "osType %q is not linux or windows", e.OSType)
	check(slices.Contains(architectures(), e.Architecture), "architecture %q is not one of %v", e.Architecture, architectures())
	check(e.Size > 0 && e.Size <= maxImageSize, "size %d is not within 1..%d GiB", e.Size, maxImageSize)
	check(slices.Contains([]string{"BIOS", "UEFI", "UEFI-Preferred"}, e.BootMode), "bootMode %q is not BIOS, UEFI or UEFI-Preferred", e.BootMode)
	check(e.Status == "" || e.Status == StatusAvailable || e.Status == StatusDeprecated, "status %q is not Available or Deprecated", e.Status)
	check(e.IsSupportCloudinit != nil && e.IsSupportIoOptimized != nil && e.LoginAsNonRootSupported != nil,
		"isSupportCloudinit, isSupportIoOptimized and loginAsNonRootSupported must be set")
	check(e.NvmeSupport == "supported" || e.NvmeSupport == "unsupported", "nvmeSupport %q is not supported or unsupported", e.NvmeSupport)
	check(e.ImdsSupport == "" || e.ImdsSupport == "v2", "imdsSupport %q is not v2", e.ImdsSupport)
	for _, r := range e.Regions {
		check(validRegionID(r), "region %q is not a region ID", r)
	}
	created, err := time.Parse(time.RFC3339, e.CreationTime)
	check(err == nil, "creationTime %q is not an RFC 3339 time", e.CreationTime)
	if err := errors.Join(errs...); err != nil {
		return Image{}, err
	}
	img := Image{
		ID:                      e.ImageID,
		Name:                    cmpOr(e.ImageName, e.ImageID),
		Description:             e.Description,
		Family:                  e.ImageFamily,
		Version:                 e.ImageVersion,
		OwnerAlias:              OwnerSystem,
		OSName:                  e.OSName,
		OSNameEn:                e.OSNameEn,
		Platform:                e.Platform,
		OSType:                  e.OSType,
		Architecture:            e.Architecture,
		Size:                    e.Size,
		Status:                  cmpOr(e.Status, StatusAvailable),
		Progress:                ProgressDone,
		Usage:                   UsageInstance,
		CreationTime:            created.UTC(),
		BootMode:                e.BootMode,
		SupportsCloudinit:       *e.IsSupportCloudinit,
		SupportsIoOptimized:     *e.IsSupportIoOptimized,
		LoginAsNonRootSupported: *e.LoginAsNonRootSupported,
		NvmeSupport:             e.NvmeSupport,
		ImdsSupport:             e.ImdsSupport,
		DiskDeviceMappings:      []DiskDeviceMapping{{Device: SystemDiskDevice, Type: DiskTypeSystem, Size: e.Size}},
	}
	return img, nil
}

func architectures() []string { return []string{ArchX8664, ArchI386, ArchARM64} }

func validImageID(id string) bool {
	return id != "" && !strings.ContainsAny(id, ", \t\r\n")
}

// validRegionID accepts what a topology accepts: lower-case letters, digits, dashes.
func validRegionID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// All returns every image of the catalog in file order, whatever its regions.
func (c *SystemCatalog) All() []Image {
	out := make([]Image, len(c.images))
	for i, img := range c.images {
		out[i] = img.clone()
	}
	return out
}

// Regions returns the regions that offer the image; nil means every region.
// ok is false when the catalog has no such image.
func (c *SystemCatalog) Regions(imageID string) (regions []string, ok bool) {
	for i, img := range c.images {
		if img.ID == imageID {
			if len(c.regions[i]) == 0 {
				return nil, true
			}
			return slices.Clone(c.regions[i]), true
		}
	}
	return nil, false
}

// Images implements Source: the system images offered in regionID, the same for
// every account. It narrows by q.ImageIDs only; the service applies the rest.
func (c *SystemCatalog) Images(_ context.Context, _ int64, regionID string, q Query) ([]Image, error) {
	var out []Image
	for i, img := range c.images {
		if len(c.regions[i]) > 0 && !slices.Contains(c.regions[i], regionID) {
			continue
		}
		if len(q.ImageIDs) > 0 && !slices.Contains(q.ImageIDs, img.ID) {
			continue
		}
		out = append(out, img.clone())
	}
	return out, nil
}
