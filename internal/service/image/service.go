// Package image owns images (guide 1.9): the catalog of system images and
// custom images — made from snapshots or instances (CreateImage), copied to
// other regions (CopyImage), shared with other accounts
// (ModifyImageSharePermission), imported from and exported to the object store
// (ImportImage, ExportImage).
//
// The service merges images from Sources. The first is the system images: the
// embedded SystemCatalog (data/system_images.yaml), or with Deps.Goldens (the
// qemu driver) the images of the golden store; then the store's custom images
// (the caller's own and those shared with it), then Deps.Sources. Every filter of
// DescribeImages is applied here, on the merged list, so a source may narrow
// its answer with the Query (in SQL, say) but does not have to. The
// asynchronous work (creation, copies, imports, exports) runs on the task
// engine; the kinds are in kinds.go. See docs/images.md.
package image

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/objectstore"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// IDs generates resource IDs shaped like Alibaba's.
type IDs interface {
	NewID(prefix, regionID string) string
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Source supplies images to the service.
type Source interface {
	// Images returns the images of regionID that accountID may use, with
	// OwnerAlias set from that account's point of view (system, self, others,
	// marketplace). q is prepared (valid, canonical values) and is a hint: a
	// source may use it to narrow its answer but need not, because the service
	// applies every filter again. The answer's order does not matter.
	Images(ctx context.Context, accountID int64, regionID string, q Query) ([]Image, error)
}

// Deps are what the service needs.
type Deps struct {
	Store store.Store
	IDs   IDs
	Clock Clock
	// Catalog resolves the InstanceType filter.
	Catalog *catalog.Catalog
	// SystemImages is the catalog of system images; nil means the embedded one.
	// Unused when Goldens is set.
	SystemImages *SystemCatalog
	// Goldens, when set, is the store of golden image files (the qemu
	// driver's): the system images are then exactly its images, in place of
	// SystemImages, and custom images get golden files (goldens.go).
	Goldens Goldens
	// Sources are further sources, consulted after the system images and the
	// store's custom images; an image ID already seen is not taken again.
	Sources []Source

	// Tasks runs creations, copies, imports and exports; New registers the
	// kinds of kinds.go on it. Nil: the custom-image actions that need it
	// fail (tests of DescribeImages alone may leave it out).
	Tasks *task.Engine
	// Snapshots takes the snapshots of an instance's disks for CreateImage.
	Snapshots SnapshotTaker
	// Objects is the object store ImportImage reads and ExportImage writes;
	// nil means there is none, and both answer InvalidRegion.NotSupport.
	Objects objectstore.Objects
	// Content keeps imported images' bytes; nil keeps them in a directory
	// under os.TempDir.
	Content *ContentStore
	// RolePolicies returns the policy documents attached to a RAM role, for
	// the role ImportImage and ExportImage act through (the RAM service).
	RolePolicies RolePolicies
	// Limits are the quotas.
	Limits Limits
	// CopyTime is how long a CopyImage takes (the simulated transfer);
	// zero means DefaultCopyTime.
	CopyTime time.Duration
	// PollInterval is how often a task under way looks again; zero means
	// DefaultPollInterval.
	PollInterval time.Duration
}

// SnapshotTaker takes a snapshot of a disk inside a transaction (the snapshot
// service's TakeForImage).
type SnapshotTaker interface {
	TakeForImage(tx store.Tx, d store.Disk, imageID string, now time.Time) (store.Snapshot, error)
}

// RolePolicies returns the default-version documents of the policies attached
// to a principal (the RAM service's Policies).
type RolePolicies interface {
	Policies(ctx context.Context, accountID int64, p reqctx.Principal) ([]string, error)
}

// Limits are the quotas of custom images.
type Limits struct {
	// ImagesPerRegion bounds an account's custom images in a region
	// (QuotaExceed.Image); zero means DefaultImagesPerRegion.
	ImagesPerRegion int
	// SharesPerImage bounds the accounts one image is shared with
	// (QuotaExceed.ShareImageUser); zero means DefaultSharesPerImage.
	SharesPerImage int
	// SharedPerAccount bounds the images shared with one account
	// (QuotaExceed.ShareImage); zero means DefaultSharedPerAccount.
	SharedPerAccount int
}

// Defaults of Deps and Limits (the guide's quotas: 50 accounts per image, 30
// shared images per account; Alibaba Cloud's 100 custom images per region).
const (
	DefaultImagesPerRegion  = 100
	DefaultSharesPerImage   = 50
	DefaultSharedPerAccount = 30
	DefaultCopyTime         = 10 * time.Second
	DefaultPollInterval     = time.Second
)

// Service implements the use cases.
type Service struct {
	deps    Deps
	sources []Source
}

// New returns a Service and registers its task kinds on Deps.Tasks. It panics
// when Deps.SystemImages is nil and the embedded catalog does not parse, which
// its tests rule out, or when the kinds are registered twice (a wiring bug).
func New(deps Deps) *Service {
	if deps.SystemImages == nil {
		sys, err := EmbeddedSystemCatalog()
		if err != nil {
			panic(err)
		}
		deps.SystemImages = sys
	}
	if deps.Limits.ImagesPerRegion <= 0 {
		deps.Limits.ImagesPerRegion = DefaultImagesPerRegion
	}
	if deps.Limits.SharesPerImage <= 0 {
		deps.Limits.SharesPerImage = DefaultSharesPerImage
	}
	if deps.Limits.SharedPerAccount <= 0 {
		deps.Limits.SharedPerAccount = DefaultSharedPerAccount
	}
	if deps.CopyTime <= 0 {
		deps.CopyTime = DefaultCopyTime
	}
	if deps.PollInterval <= 0 {
		deps.PollInterval = DefaultPollInterval
	}
	if deps.Content == nil {
		c, err := NewContentStore(filepath.Join(os.TempDir(), "ecsd-images"))
		if err != nil {
			panic(err)
		}
		deps.Content = c
	}
	s := &Service{deps: deps}
	s.sources = []Source{deps.SystemImages}
	if deps.Goldens != nil {
		s.sources = []Source{goldenSource{s}}
	}
	if deps.Store != nil {
		s.sources = append(s.sources, customSource{s})
	}
	s.sources = append(s.sources, deps.Sources...)
	if deps.Tasks != nil {
		for _, k := range s.kinds() {
			if err := deps.Tasks.Register(k); err != nil {
				panic(err)
			}
		}
	}
	return s
}

// Page asks for one page of a listing: Number from 1, Size from 1 to MaxPageSize.
type Page struct {
	Number, Size int
}

// Page sizes of DescribeImages (guide 1.9.2 PageSize: at most 100, default 10).
const (
	MaxPageSize     = 100
	DefaultPageSize = 10
)

// Result is one page of images and the number of images on all pages.
type Result struct {
	Images     []Image
	TotalCount int
}

// ErrNotFound is the guide's answer for an unknown image (1.18.4, RunInstances
// 1.5.1): 404 InvalidImageId.NotFound. errors.Is(err, ErrNotFound()) matches
// it on the code, so callers with another message for the same code (the guide
// has several) can recognise and re-phrase it.
func ErrNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The specified ImageId does not exist.")
}

// DryRun answers a DescribeImages call with DryRun=true: the guide's error for
// the first problem of q, as List would return it, or DryRunOperation when q
// is valid.
func (s *Service) DryRun(q Query) error {
	if _, err := prepare(q, s.deps.Catalog); err != nil {
		return err
	}
	return apierr.DryRunOperation()
}

// List returns one page of the images in regionID that accountID can see and
// that pass every filter of q, newest first (CreationTime descending, then
// ImageId), with the total count. A page past the end is empty.
func (s *Service) List(ctx context.Context, accountID int64, regionID string, q Query, p Page) (Result, error) {
	if p.Number < 1 {
		return Result{}, apierr.InvalidParameter("PageNumber")
	}
	if p.Size < 1 || p.Size > MaxPageSize {
		return Result{}, apierr.InvalidParameter("PageSize")
	}
	q, err := prepare(q, s.deps.Catalog)
	if err != nil {
		return Result{}, err
	}
	all, err := s.collect(ctx, accountID, regionID, q)
	if err != nil {
		return Result{}, err
	}
	slices.SortFunc(all, func(a, b Image) int {
		if c := b.CreationTime.Compare(a.CreationTime); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	res := Result{Images: []Image{}, TotalCount: len(all)}
	if skipped := p.Number - 1; skipped <= len(all)/p.Size {
		start := skipped * p.Size
		res.Images = all[start:min(start+p.Size, len(all))]
	}
	return res, nil
}

// Image returns the image imageID of regionID as accountID sees it, whatever
// its status (check Usable before creating from it). An image the account
// cannot see, or that the region does not offer, is ErrNotFound.
func (s *Service) Image(ctx context.Context, accountID int64, regionID, imageID string) (Image, error) {
	if imageID == "" {
		return Image{}, ErrNotFound()
	}
	found, err := s.collect(ctx, accountID, regionID, Query{ImageIDs: []string{imageID}})
	if err != nil {
		return Image{}, err
	}
	if len(found) == 0 {
		return Image{}, ErrNotFound()
	}
	return found[0], nil
}

// collect asks every source and keeps the images that pass the prepared q,
// each ID once (the first source to name it wins).
func (s *Service) collect(ctx context.Context, accountID int64, regionID string, q Query) ([]Image, error) {
	seen := map[string]bool{}
	out := []Image{}
	for _, src := range s.sources {
		imgs, err := src.Images(ctx, accountID, regionID, q)
		if err != nil {
			return nil, fmt.Errorf("image: listing %s: %w", regionID, err)
		}
		for _, img := range imgs {
			if seen[img.ID] {
				continue
			}
			seen[img.ID] = true
			if q.matches(img) {
				out = append(out, img)
			}
		}
	}
	return out, nil
}
