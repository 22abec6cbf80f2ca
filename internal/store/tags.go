package store

// Resource types of the shared tags table (its resource_type column): the ECS
// guide's lower-case names (1.15), the SDK's keypair, and the VPC API's
// resources in lower case.
const (
	TagTypeInstance      = "instance"
	TagTypeDisk          = "disk"
	TagTypeSnapshot      = "snapshot"
	TagTypeImage         = "image"
	TagTypeSecurityGroup = "securitygroup"
	TagTypeKeyPair       = "keypair"
	TagTypeVPC           = "vpc"
	TagTypeVSwitch       = "vswitch"
	// TagTypeNetworkInterface is the SDK's "eni" (TagResources, CreateNetworkInterface Tag.N).
	TagTypeNetworkInterface = "eni"
)

// TagRow is one tag of one resource. ResourceID is the resource's ID in the
// tags table: the API's ID, except for key pairs, whose internal ID it is
// (see KeyPair.ID).
type TagRow struct {
	ResourceType string
	ResourceID   string
	Key          string
	Value        string
}

// TagMatch selects tags by key and value. Values empty matches any value;
// several Values match any of them. With Wildcard, '*' in Key and in each of
// Values matches any run of characters (also none); otherwise they match
// exactly. Matching is case-sensitive.
type TagMatch struct {
	Key      string
	Values   []string
	Wildcard bool
}

// TagFilter selects tag rows of one account; empty fields match all.
type TagFilter struct {
	AccountID int64
	// RegionID, when set, keeps only the rows of resources that exist in that
	// region, as their own tables say (instances, disks, snapshots, security
	// groups, key pairs, VPCs, VSwitches, network interfaces). Rows of other types (images, which
	// have no table yet) and rows left behind by deleted resources are then
	// never listed.
	RegionID string
	// ResourceTypes keeps the rows of these types.
	ResourceTypes []string
	// ResourceIDs keeps the rows of these resources (IDs as in TagRow).
	ResourceIDs []string
	// Tags keeps the rows that match at least one of them.
	Tags []TagMatch
	// TaggedWithAll, with Tags, also keeps only the resources that carry a tag
	// matching each of Tags (the rows listed are still only the matching ones).
	TaggedWithAll bool
}

// TagRowPage asks ListTags for one page of rows, in (ResourceType, ResourceID,
// Key) order.
type TagRowPage struct {
	// After, when set, starts the page after this row (only its ResourceType,
	// ResourceID and Key count; the row need not exist any more).
	After *TagRow
	// Limit is the most rows to return; 0 or less means all.
	Limit int
}

// TagSummary is one distinct (Key, Value) of an account's tags with the number
// of resources of each type that carry it.
type TagSummary struct {
	Key   string
	Value string
	// Resources maps a resource type to a count; types without one are absent.
	Resources map[string]int
}

// TagTx holds the tags of every taggable resource, in one table keyed by
// (resource type, resource ID, key). Rows carry their account: every method
// touches only the account's rows. Callers check that a resource exists (and
// is the caller's) before tagging it, and remove its tags when it goes.
type TagTx interface {
	// PutTags adds tags to a resource, replacing the value of a key it already
	// has. Keys in tags must differ.
	PutTags(accountID int64, resourceType, resourceID string, tags []Tag) error
	// DeleteTags removes the named keys from a resource; keys it does not have
	// are ignored.
	DeleteTags(accountID int64, resourceType, resourceID string, keys []string) error
	// DeleteAllTags removes every tag of a resource.
	DeleteAllTags(accountID int64, resourceType, resourceID string) error
	// GetTags returns the tags of each resource named, ordered by key;
	// resources without tags are absent from the map.
	GetTags(accountID int64, resourceType string, resourceIDs []string) (map[string][]Tag, error)
	// ListTags returns one page of the rows matching f, in (ResourceType,
	// ResourceID, Key) order.
	ListTags(f TagFilter, p TagRowPage) ([]TagRow, error)
	// SummarizeTags returns one page of the distinct (Key, Value) pairs of the
	// rows matching f, in (Key, Value) order, each with its resource counts per
	// type, and the number of distinct pairs before paging.
	SummarizeTags(f TagFilter, p Page) ([]TagSummary, int, error)
}
