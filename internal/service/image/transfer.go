package image

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/objectstore"
	"github.com/ecsd/ecsd/internal/service/idempotency"
	"github.com/ecsd/ecsd/internal/store"
)

// ImportInput are the parameters of ImportImage (guide 1.9.9, plus the SDK's
// RoleName and DiskDeviceMapping.N.Device).
type ImportInput struct {
	Name, Description string
	Architecture      string
	OSType            string
	Platform          string
	Mappings          []ImportMapping
	// RoleName is the RAM role the import acts through (default ImportRole).
	RoleName    string
	ClientToken string
}

// ImportMapping is one DiskDeviceMapping.N of ImportImage.
type ImportMapping struct {
	Format    string
	OSSBucket string
	OSSObject string
	// DiskImageSize is the system disk's size in GiB as sent ("" for the default).
	DiskImageSize string
}

// Import results.
type Imported struct {
	ImageID, TaskID string
}

// System disk sizes of an imported image (guide 1.9.9 DiskImageSize: Linux
// 20 GiB to 1 TiB, default 20; Windows 40 GiB to 1 TiB, default 40).
const (
	minLinuxDisk   = 20
	minWindowsDisk = 40
	maxImportDisk  = 1024
)

// Import imports an image file from the object store as a custom image
// (ImportImage, 1.9.9). Everything that can be checked is checked before
// anything is created — the parameters, the RAM role, the bucket (the
// caller's, in the region), the object and its header (RAW, VHD or qcow2, its
// virtual size within DiskImageSize) — so a bad request leaves nothing
// behind. The image is then Creating, and an ImportImage task (which
// CancelTask may cancel) copies the file into the content store, records its
// virtual size and makes the image Available.
func (s *Service) Import(ctx context.Context, c Caller, in ImportInput) (Imported, error) {
	m, err := s.checkImport(&in)
	if err != nil {
		return Imported{}, err
	}
	if s.deps.Objects == nil {
		return Imported{}, errNoObjectStore()
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return Imported{}, err
	}
	if in.RoleName == "" {
		in.RoleName = ImportRole
	}
	if err := s.checkRole(ctx, c.AccountID, in.RoleName, importActions); err != nil {
		return Imported{}, err
	}
	diskSize := minLinuxDisk
	if in.OSType == OSTypeWindows {
		diskSize = minWindowsDisk
	}
	if m.DiskImageSize != "" {
		n, err := strconv.Atoi(m.DiskImageSize)
		if err != nil || n < diskSize || n > maxImportDisk {
			return Imported{}, errImageSize()
		}
		diskSize = n
	}
	if err := s.checkBucket(ctx, c, m.OSSBucket); err != nil {
		return Imported{}, err
	}
	vsize, err := s.probe(ctx, c.AccountID, m)
	if err != nil {
		return Imported{}, err
	}
	if vsize > int64(diskSize)<<30 {
		return Imported{}, errImageSize()
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "ImportImage", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var out Imported
	err = s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		out, err = idempotency.Run(tx, now, key, params, func() (Imported, error) {
			if taken, err := nameTaken(tx, c.AccountID, c.RegionID, in.Name, ""); err != nil {
				return Imported{}, err
			} else if taken {
				return Imported{}, errDestNameDuplicated()
			}
			if err := s.checkQuota(tx, c.AccountID, c.RegionID); err != nil {
				return Imported{}, err
			}
			img := store.Image{ID: s.deps.IDs.NewID("m", c.RegionID), AccountID: c.AccountID, RegionID: c.RegionID,
				Name: in.Name, Description: in.Description, OSName: in.Platform, OSNameEn: in.Platform, Platform: in.Platform,
				OSType: in.OSType, Architecture: in.Architecture, SizeGiB: diskSize, Status: StatusCreating,
				Origin: store.ImageOriginImport, FileFormat: m.Format, VirtualSize: vsize, CreatedAt: now,
				Disks: []store.ImageDisk{{Device: SystemDiskDevice, Type: DiskTypeSystem, SizeGiB: diskSize, Format: m.Format,
					OSSBucket: m.OSSBucket, OSSObject: m.OSSObject}}}
			st := imageState{Bucket: m.OSSBucket, Object: m.OSSObject, Format: m.Format, DiskSizeGiB: diskSize}
			if err := s.enqueue(tx, &img, ActionImportImage, st); err != nil {
				return Imported{}, err
			}
			if err := tx.CreateImage(img); err != nil {
				return Imported{}, err
			}
			return Imported{ImageID: img.ID, TaskID: img.TaskID}, nil
		})
		return err
	})
	if err != nil {
		return Imported{}, err
	}
	s.deps.Tasks.Wake()
	return out, nil
}

// checkImport applies the parameter rules of ImportImage and puts in's
// enumerated values in their canonical spelling; it returns the mapping.
func (s *Service) checkImport(in *ImportInput) (ImportMapping, error) {
	if len(in.Mappings) == 0 {
		return ImportMapping{}, apierr.BadRequest("MissingParameter",
			`An input parameter " DiskDeviceMapping.n.OSSBucket" that is mandatory for processing the request is not supplied.`)
	}
	if len(in.Mappings) > 1 {
		return ImportMapping{}, apierr.InvalidParameter("DiskDeviceMapping.2")
	}
	m := in.Mappings[0]
	var ok bool
	switch {
	case m.OSSBucket == "":
		return m, apierr.BadRequest("MissingParameter",
			`An input parameter " DiskDeviceMapping.n.OSSBucket" that is mandatory for processing the request is not supplied.`)
	case m.OSSObject == "":
		return m, apierr.BadRequest("MissingParameter",
			`An input parameter " DiskDeviceMapping.n.OSSObject" that is mandatory for processing the request is not supplied.`)
	case in.Name != "" && !validName(in.Name):
		return m, errDestImageNameMalformed()
	case !validDescription(in.Description):
		return m, errDestDescriptionMalformed()
	}
	if in.Architecture, ok = canonical(in.Architecture, ArchI386, ArchX8664, ArchARM64); !ok {
		return m, errArchitectureMalformed()
	}
	if in.OSType, ok = canonical(in.OSType, OSTypeLinux, OSTypeWindows); !ok {
		return m, errOSTypeMalformed()
	}
	if in.Platform != "" && !validPlatform(in.Platform) {
		return m, errPlatformMalformed()
	}
	if m.Format, ok = canonicalFormat(m.Format); !ok {
		return m, errFormatMalformed()
	}
	if in.Architecture == "" {
		in.Architecture = ArchX8664
	}
	if in.OSType == "" {
		in.OSType = OSTypeLinux
	}
	in.Platform = defaultPlatform(in.Platform)
	if in.Platform == "Others Linux" && in.OSType == OSTypeWindows {
		in.Platform = "Others Windows"
	}
	return m, nil
}

// checkBucket checks that the caller has the bucket in the region.
func (s *Service) checkBucket(ctx context.Context, c Caller, bucket string) error {
	region, err := s.deps.Objects.BucketRegion(ctx, c.AccountID, bucket)
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket), errors.Is(err, objectstore.ErrAccessDenied):
		return errBucketNotFound()
	case err != nil:
		return fmt.Errorf("bucket %s: %w", bucket, err)
	case region != c.RegionID:
		return errBucketNotFound()
	}
	return nil
}

// probe opens the image file and returns its virtual size.
func (s *Service) probe(ctx context.Context, accountID int64, m ImportMapping) (int64, error) {
	r, size, err := s.deps.Objects.Open(ctx, accountID, m.OSSBucket, m.OSSObject)
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket):
		return 0, errBucketNotFound()
	case errors.Is(err, objectstore.ErrNoSuchKey):
		return 0, errObjectNotFound(m.OSSBucket, m.OSSObject)
	case errors.Is(err, objectstore.ErrAccessDenied):
		return 0, errForbidden()
	case err != nil:
		return 0, fmt.Errorf("object %s/%s: %w", m.OSSBucket, m.OSSObject, err)
	}
	defer func() { _ = r.Close() }()
	v, err := virtualSize(readerAt{r}, size, m.Format)
	if errors.Is(err, errBadImageFile) {
		return 0, errFormatMalformed()
	}
	if err != nil {
		return 0, fmt.Errorf("object %s/%s: %w", m.OSSBucket, m.OSSObject, err)
	}
	return v, nil
}

// ExportInput are the parameters of ExportImage (guide 1.9.10, plus the SDK's
// ImageFormat and RoleName).
type ExportInput struct {
	ImageID   string
	OSSBucket string
	OSSPrefix string
	// ImageFormat is raw, vhd or qcow2 (any case); empty keeps the image's own.
	ImageFormat string
	// RoleName is the RAM role the export acts through (default ExportRole).
	RoleName    string
	ClientToken string
}

// prefixPattern is what ecsd accepts as OSSPrefix: letters, digits, '-', '_',
// '.', '/' (not first), at most 128 characters.
var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-][A-Za-z0-9_.\-/]{0,127}$`)

// Export writes a custom image's file into a bucket of the caller in the
// image's region (ExportImage, 1.9.10) and returns the ExportImage task's ID.
// The object is named <OSSPrefix><ImageId>_system<.format>. With Goldens
// (qemu mode) it is the image's golden file converted to ImageFormat (empty:
// the format of an imported image's file, else qcow2); without, the bytes kept
// for an imported image (in its own format), or, for an image whose data are
// snapshots, an empty qcow2 image of the image's size.
func (s *Service) Export(ctx context.Context, c Caller, in ExportInput) (string, error) {
	switch {
	case in.ImageID == "":
		return "", apierr.BadRequest("MissingParameter", `An input parameter "ImageId" that is mandatory for processing the request is not supplied.`)
	case in.OSSBucket == "":
		return "", apierr.BadRequest("MissingParameter", `An input parameter "OSSBucket" that is mandatory for processing the request is not supplied.`)
	case in.OSSPrefix != "" && !prefixPattern.MatchString(in.OSSPrefix):
		return "", errPrefixMalformed()
	}
	if _, ok := canonicalFormat(in.ImageFormat); !ok {
		return "", errFormatMalformed()
	}
	if s.deps.Objects == nil {
		return "", errNoObjectStore()
	}
	if err := idempotency.CheckToken(in.ClientToken); err != nil {
		return "", err
	}
	if in.RoleName == "" {
		in.RoleName = ExportRole
	}
	if err := s.checkRole(ctx, c.AccountID, in.RoleName, exportActions); err != nil {
		return "", err
	}
	if err := s.checkBucket(ctx, c, in.OSSBucket); err != nil {
		return "", err
	}
	key := idempotency.Key{AccountID: c.AccountID, Action: "ExportImage", Token: in.ClientToken}
	params := in
	params.ClientToken = ""
	now := s.now()
	var taskID string
	err := s.deps.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		taskID, err = idempotency.Run(tx, now, key, params, func() (string, error) {
			img, err := ownImage(tx, c, in.ImageID, errExportNotFound())
			if err != nil {
				return "", err
			}
			if img.Status != StatusAvailable {
				return "", errNotAvailable()
			}
			busy, err := exporting(tx, img)
			if err != nil {
				return "", err
			}
			if busy {
				return "", errImageExporting()
			}
			format := FormatQCOW2
			if img.ContentPath != "" {
				format = img.FileFormat
			}
			if requested, _ := canonicalFormat(in.ImageFormat); s.deps.Goldens != nil && in.ImageFormat != "" {
				// Golden files are converted to the format asked for.
				format = requested
			}
			st := imageState{Bucket: in.OSSBucket, Object: in.OSSPrefix + img.ID + "_system" + fileExtension(format), Format: format}
			cp := img
			if err := s.enqueue(tx, &cp, ActionExportImage, st); err != nil {
				return "", err
			}
			return cp.TaskID, nil
		})
		return err
	})
	if err != nil {
		return "", err
	}
	s.deps.Tasks.Wake()
	return taskID, nil
}

// exporting reports whether an export of the image is under way.
func exporting(tx store.Tx, img store.Image) (bool, error) {
	tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: img.AccountID, RegionID: img.RegionID, Actions: []string{ActionExportImage},
		ResourceIDs: []string{img.ID}, Statuses: []string{store.TaskWaiting, store.TaskProcessing}, Page: store.Page{Number: 1, Size: 1}})
	if err != nil {
		return false, fmt.Errorf("exports of %s: %w", img.ID, err)
	}
	return len(tasks) > 0, nil
}
