package image

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
)

// maxTagFilters is how many Tag.N a DescribeImages call may send (guide 1.9.2:
// "n 从 1 开始，最大为 5").
const maxTagFilters = 5

// Query selects images. Every field is optional; the zero Query selects every
// image the caller can see in the region, in any status, owned by system, self
// or others. String filters of enumerated values (OwnerAlias, Statuses, Usage,
// OSType, Architecture, ActionType) are matched case-insensitively.
type Query struct {
	// ImageIDs keeps these images.
	ImageIDs []string
	// SnapshotID keeps images with a disk made from this snapshot.
	SnapshotID string
	// Name keeps images whose name contains it (the SDK's "fuzzy match").
	Name string
	// OwnerAlias keeps one owner alias; empty keeps system, self and others
	// (not marketplace), as the guide says.
	OwnerAlias string
	// OwnerID keeps images of one owning account (0: any).
	OwnerID int64
	// Statuses keeps images in any of these statuses; empty keeps all. The
	// DescribeImages default (Available) is the API layer's.
	Statuses []string
	// Usage keeps images by usage: instance or none.
	Usage string
	// OSType keeps linux or windows images.
	OSType string
	// Architecture keeps i386, x86_64 or arm64 images.
	Architecture string
	// Family keeps the images of one image family.
	Family string
	// InstanceType keeps images that can boot an instance of this type.
	InstanceType string
	// ActionType is the scenario (CreateEcs or ChangeOS); every image of ecsd
	// serves both, so it only has to be valid.
	ActionType string
	// ResourceGroupID keeps the caller's own images of one resource group
	// (images of others and system images have none and are kept).
	ResourceGroupID string
	// SupportsIoOptimized and SupportsCloudinit keep images by those flags.
	SupportsIoOptimized, SupportsCloudinit *bool
	// IsPublic true keeps only community images; false or nil drops them.
	IsPublic *bool
	// Tags keeps images that carry every one of these tags.
	Tags []TagFilter
	// CreatedAfter and CreatedBefore, when not zero, keep images created at or
	// after, at or before, these times.
	CreatedAfter, CreatedBefore time.Time

	// instanceType is InstanceType resolved by prepare.
	instanceType *catalog.InstanceType
}

// TagFilter matches an image tag: its Key, and its Value unless Value is nil.
type TagFilter struct {
	Key   string
	Value *string
}

// The guide's DescribeImages errors (1.9.2), codes, statuses and messages to the letter.
func errOwnerAlias() *apierr.Error {
	return apierr.BadRequest("InvalidImageOwnerAlias.ValueNotSupported", "The specified ImageOwnerAlias value is not supported.")
}

func errUsage() *apierr.Error {
	return apierr.New("InvalidUsage", http.StatusNotFound, "The specified Usage is not valid.")
}

func errTagMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.")
}

func errTagCount() *apierr.Error {
	return apierr.BadRequest("InvalidTagCount", "The specified tags are beyond the permitted range.")
}

func errInstanceType() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.")
}

func errOSType() *apierr.Error {
	return apierr.New("InvalidOSType", http.StatusNotFound, "The specified OSType is not valid.")
}

func errArchitecture() *apierr.Error {
	return apierr.New("InvalidArchitecture", http.StatusNotFound, "The specified Architecture is not valid.")
}

// canonical returns the value of allowed that equals v ignoring case, or "" and
// false. An empty v is valid and stays empty.
func canonical(v string, allowed ...string) (string, bool) {
	if v == "" {
		return "", true
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, true
		}
	}
	return "", false
}

// prepare checks q in the order of the guide's error table and returns it with
// enumerated values in their canonical spelling and InstanceType resolved.
func prepare(q Query, types *catalog.Catalog) (Query, error) {
	var ok bool
	if q.OwnerAlias, ok = canonical(q.OwnerAlias, OwnerSystem, OwnerSelf, OwnerOthers, OwnerMarketplace); !ok {
		return q, errOwnerAlias()
	}
	if q.Usage, ok = canonical(q.Usage, UsageInstance, UsageNone); !ok {
		return q, errUsage()
	}
	if len(q.Tags) > maxTagFilters {
		return q, errTagCount()
	}
	for _, t := range q.Tags {
		if t.Key == "" {
			return q, errTagMismatch()
		}
	}
	if q.InstanceType != "" {
		t, found := lookupInstanceType(types, q.InstanceType)
		if !found {
			return q, errInstanceType()
		}
		q.instanceType = &t
	}
	if q.OSType, ok = canonical(q.OSType, OSTypeLinux, OSTypeWindows); !ok {
		return q, errOSType()
	}
	if q.Architecture, ok = canonical(q.Architecture, architectures()...); !ok {
		return q, errArchitecture()
	}
	statuses := make([]string, len(q.Statuses))
	for i, s := range q.Statuses {
		if statuses[i], ok = canonical(s, StatusCreating, StatusWaiting, StatusAvailable,
			StatusUnAvailable, StatusCreateFailed, StatusDeprecated); !ok || s == "" {
			return q, apierr.InvalidParameter("Status")
		}
	}
	q.Statuses = statuses
	if q.ActionType, ok = canonical(q.ActionType, ActionCreateEcs, ActionChangeOS); !ok {
		return q, apierr.InvalidParameter("ActionType")
	}
	return q, nil
}

func lookupInstanceType(types *catalog.Catalog, id string) (catalog.InstanceType, bool) {
	if types == nil {
		return catalog.InstanceType{}, false
	}
	return types.InstanceType(id)
}

// matches reports whether img passes every filter of the prepared query q.
func (q Query) matches(img Image) bool {
	switch {
	case len(q.ImageIDs) > 0 && !slices.Contains(q.ImageIDs, img.ID),
		q.SnapshotID != "" && !hasSnapshot(img, q.SnapshotID),
		q.Name != "" && !strings.Contains(img.Name, q.Name),
		!q.ownerMatches(img),
		len(q.Statuses) > 0 && !slices.Contains(q.Statuses, img.Status),
		q.Usage != "" && img.Usage != q.Usage,
		q.OSType != "" && img.OSType != q.OSType,
		q.Architecture != "" && img.Architecture != q.Architecture,
		q.Family != "" && img.Family != q.Family,
		q.instanceType != nil && !img.SupportsInstanceType(*q.instanceType),
		q.ResourceGroupID != "" && img.OwnerAlias == OwnerSelf && img.ResourceGroupID != q.ResourceGroupID,
		q.SupportsIoOptimized != nil && img.SupportsIoOptimized != *q.SupportsIoOptimized,
		q.SupportsCloudinit != nil && img.SupportsCloudinit != *q.SupportsCloudinit,
		img.IsPublic != (q.IsPublic != nil && *q.IsPublic),
		!q.CreatedAfter.IsZero() && img.CreationTime.Before(q.CreatedAfter),
		!q.CreatedBefore.IsZero() && img.CreationTime.After(q.CreatedBefore):
		return false
	}
	for _, f := range q.Tags {
		if !hasTag(img, f) {
			return false
		}
	}
	return true
}

// ownerMatches applies OwnerAlias (empty: system, self and others) and OwnerID.
func (q Query) ownerMatches(img Image) bool {
	if q.OwnerID != 0 && img.OwnerID != q.OwnerID {
		return false
	}
	if q.OwnerAlias == "" {
		return img.OwnerAlias == OwnerSystem || img.OwnerAlias == OwnerSelf || img.OwnerAlias == OwnerOthers
	}
	return img.OwnerAlias == q.OwnerAlias
}

func hasSnapshot(img Image, snapshotID string) bool {
	for _, m := range img.DiskDeviceMappings {
		if m.SnapshotID == snapshotID {
			return true
		}
	}
	return false
}

func hasTag(img Image, f TagFilter) bool {
	for _, t := range img.Tags {
		if t.Key == f.Key && (f.Value == nil || t.Value == *f.Value) {
			return true
		}
	}
	return false
}
