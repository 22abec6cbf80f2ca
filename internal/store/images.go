package store

import "time"

// Custom image origins: how an image came to be.
const (
	// ImageOriginSnapshot: CreateImage with SnapshotId or DiskDeviceMapping.N.
	ImageOriginSnapshot = "snapshot"
	// ImageOriginInstance: CreateImage with InstanceId (snapshots of its disks).
	ImageOriginInstance = "instance"
	// ImageOriginCopy: CopyImage from another region.
	ImageOriginCopy = "copy"
	// ImageOriginImport: ImportImage from the object store.
	ImageOriginImport = "import"
)

// Image is a custom image: an account's image of one region (guide 1.9).
type Image struct {
	ID          string
	AccountID   int64
	RegionID    string
	Name        string
	Description string
	Version     string
	Family      string
	// OSName, OSNameEn, Platform, OSType and Architecture describe the
	// operating system (taken from the source instance's image, or given to
	// ImportImage).
	OSName, OSNameEn, Platform, OSType, Architecture string
	// SizeGiB is the least system disk that can hold the image.
	SizeGiB int
	// Status is an image status (Creating, Available, CreateFailed …);
	// Progress is 0 to 100.
	Status   string
	Progress int
	// Origin is one of the ImageOrigin values.
	Origin string
	// SourceImageID and SourceRegionID are the image a copy was made from;
	// SourceInstanceID the instance an image was made from.
	SourceImageID, SourceRegionID, SourceInstanceID string
	// TaskID is the task that creates, copies or imports the image.
	TaskID string
	// FileFormat (RAW, VHD, qcow2) and VirtualSize (bytes) describe the image
	// file of an imported image; ContentPath is where its bytes are kept.
	FileFormat  string
	VirtualSize int64
	ContentPath string
	// Disks are the image's disks, the system disk first.
	Disks           []ImageDisk
	ResourceGroupID string
	CreatedAt       time.Time
}

// ImageDisk is one disk mapping of a custom image.
type ImageDisk struct {
	Device     string `json:"device"`
	Type       string `json:"type"`
	SizeGiB    int    `json:"sizeGiB"`
	SnapshotID string `json:"snapshotId,omitempty"`
	Format     string `json:"format,omitempty"`
	OSSBucket  string `json:"ossBucket,omitempty"`
	OSSObject  string `json:"ossObject,omitempty"`
}

// ImageFilter selects custom images; empty fields match all. Images are
// ordered newest first.
type ImageFilter struct {
	// AccountID keeps the images an account owns; with SharedWith both kinds.
	AccountID int64
	// SharedWith keeps the images shared with this account (with AccountID:
	// owned by AccountID or shared with SharedWith).
	SharedWith int64
	RegionID   string
	IDs        []string
	// Name keeps the images with exactly this name.
	Name string
	// SourceImageID keeps the copies of an image.
	SourceImageID string
}

// ImageShare is one account an image is shared with.
type ImageShare struct {
	ImageID   string
	AccountID int64
	OwnerID   int64
	RegionID  string
	CreatedAt time.Time
}

// ImageTx holds custom images and their shares.
type ImageTx interface {
	// CreateImage inserts an image and records the snapshots its disks are
	// made from (snapshot usage "image"); ErrConflict when the ID is taken.
	CreateImage(img Image) error
	// GetImage returns the image with that ID, whoever owns it, or ErrNotFound.
	GetImage(id string) (Image, error)
	// ListImages returns the images that pass f, newest first.
	ListImages(f ImageFilter) ([]Image, error)
	// UpdateImage replaces every field of the owner's image but its ID,
	// account, region and creation time; ErrNotFound when absent.
	UpdateImage(img Image) error
	// AddImageSnapshotRefs records further snapshots an image depends on (an
	// image made from an instance, a copy), so DeleteSnapshot refuses them.
	AddImageSnapshotRefs(accountID int64, imageID string, snapshotIDs []string) error
	// ImageSnapshotRefs returns the snapshots an image depends on, sorted.
	ImageSnapshotRefs(imageID string) ([]string, error)
	// DeleteImage deletes the owner's image, its snapshot references and its
	// shares; ErrNotFound when absent.
	DeleteImage(accountID int64, id string) error
	// ImageInUse reports whether instances (of any account) run from the image.
	ImageInUse(id string) (bool, error)
	// PutImageShare shares an image with an account (no-op when it is).
	PutImageShare(s ImageShare) error
	// DeleteImageShare stops sharing (no-op when it was not shared).
	DeleteImageShare(imageID string, accountID int64) error
	// ListImageShares returns an image's shares ordered by account ID.
	ListImageShares(imageID string) ([]ImageShare, error)
	// CountImagesSharedWith counts the images shared with an account.
	CountImagesSharedWith(accountID int64) (int, error)
}
