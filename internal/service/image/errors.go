package image

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The guide's errors of the custom-image actions (1.9.1, 1.9.3–1.9.10), codes
// and messages to the letter. Every *.NotFound is 404 (docs/adr/0002), whatever
// status the guide's table lists.

func errImageNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidImageName.Malformed", "The specified Image name is wrongly formed.")
}

func errDestImageNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidImageName.Malformed", "The specified destination Image name is wrongly formed.")
}

func errDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDescription.Malformed", "The specified description is wrongly formed.")
}

func errDestDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDescription.Malformed", "The specified destination image description is wrongly formed.")
}

func errCopyDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDescription.Malformed", "The specified destination description is wrongly formed.")
}

func errImageVersionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidImageVersion.Malformed", "The specified ImageVersion is wrongly formed.")
}

func errNameDuplicated() *apierr.Error {
	return apierr.BadRequest("InvalidImageName.Duplicated", "The specified Image name has already been used.")
}

func errDestNameDuplicated() *apierr.Error {
	return apierr.BadRequest("InvalidImageName.Duplicated", "The destination image is exist.")
}

func errImageQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.Image", "The Image Quota exceeds.")
}

func errSnapshotNotAllowed() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The specified snapshot is not allowed to create image.")
}

func errSnapshotNotSystem() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The specified snapshot is not from system disk.")
}

func errMappingNoSystem() *apierr.Error {
	return apierr.BadRequest("OperationDenied", "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot.")
}

func errMappingTwoSystems() *apierr.Error {
	return apierr.BadRequest("OperationDenied", "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.")
}

func errInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records.")
}

func errInstanceStatus() *apierr.Error {
	return apierr.BadRequest("IncorrectInstanceStatus", "The current status of the instance does not support this operation.")
}

func errInstanceLocked() *apierr.Error {
	return apierr.BadRequest("InstanceLockedForSecurity", "The specified operation is denied as your instance is locked for security reasons.")
}

func errInstanceNotAllowed() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceId.ValueNotSupported", "The specified InstanceId is not allowed to create image.")
}

func errSnapshotNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
}

func errMappingSnapshotNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSnapshotId.NotFound", "The specified snapshot by DiskDeviceMapping.n.SnapshotId or SnapshotId does not exist.")
}

func errSnapshotNotReady() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotReady", "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.")
}

func errSnapshotTooOld() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshot.TooOld", "This operation is denied because the specified snapshot by DiskDeviceMapping.n.SnapshotId or SnapshotId is created before 2013-07-15.")
}

func errMissingSource() *apierr.Error {
	return apierr.BadRequest("MissingParameter", "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this request is not supplied.")
}

func errMappingSize() *apierr.Error {
	return apierr.BadRequest("InvalidSize.ValueNotSupported", "The specified parameter DiskDeviceMapping.n.Size beyond the permitted range.")
}

// ModifyImageAttribute (1.9.3).
func errModifyNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The image does not exist.")
}

// DeleteImage (1.9.4).
func errImageInUse() *apierr.Error {
	return apierr.Forbidden("ImageUsingByInstance", "The specified image has been used to create instance(s).")
}

func errImageShared() *apierr.Error {
	return apierr.Forbidden("ImageUseShared", "The specified image has been shared to others.")
}

func errImageCopying() *apierr.Error {
	return apierr.Forbidden("OperationDenied.ImageCopying", "The Image is coping.")
}

func errImageCreating() *apierr.Error {
	return apierr.Forbidden("ImageIsCreating", "The specified image is creating.")
}

// CopyImage (1.9.5).
func errCopySourceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The image does not exist.")
}

func errSourceRegion() *apierr.Error {
	return apierr.BadRequest("SourceRegion.NotFound", "The source region not found")
}

func errDestinationRegion() *apierr.Error {
	return apierr.BadRequest("DestinationRegion.NotFound", "The destination region not found")
}

func errSameRegion() *apierr.Error {
	return apierr.Forbidden("IncorrectDestinationRegion", "The destination region is not equal the target region.")
}

func errCopyNotAvailable() *apierr.Error {
	return apierr.BadRequest("IncorrectImageStatus", "The image not available.")
}

// CancelCopyImage (1.9.6).
func errCancelNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The specified image does not exist.")
}

func errNotFromCopy() *apierr.Error {
	return apierr.BadRequest("ImageCreatedNotFromCopy", "The specified image not from copy.")
}

func errCopyCompleted() *apierr.Error {
	return apierr.BadRequest("IncorrectImageStatus", "The image has completed copy.")
}

func errCopyFailed() *apierr.Error {
	return apierr.BadRequest("IncorrectImageStatus", "The Image copy has been failed.")
}

// ModifyImageSharePermission and DescribeImageSharePermission (1.9.7, 1.9.8).
func errShareNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The specified Image does not exist or not you owner.")
}

func errNotAvailable() *apierr.Error {
	return apierr.BadRequest("IncorrectImageStatus", "The image is not available.")
}

func errAccountNotFound() *apierr.Error {
	return apierr.NotFound("InvalidAccount.NotFound", `The specified parameter "AddAccount.n" or "RemoveAccount.n" does not exist.`)
}

func errShareQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.ShareImage", "The share Image Quota exceeds.")
}

func errShareUserQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.ShareImageUser", "The shared image user quota exceeds.")
}

func errShareSelf() *apierr.Error {
	return apierr.New("InvalidAccount.Forbidden", http.StatusNotFound, "The specified account does not yourself.")
}

// ImportImage and ExportImage (1.9.9, 1.9.10).
func errNoObjectStore() *apierr.Error {
	return apierr.Forbidden("InvalidRegion.NotSupport", "The specified region does not support image import or export.")
}

func errForbidden() *apierr.Error {
	return apierr.BadRequest("Forbidden", "User not authorized to operate on the specified resource.")
}

func errArchitectureMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidArchitecture.Malformed", "The specified Architecture is wrongly formed.")
}

func errPlatformMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidPlatform.Malformed", "The specified Platform is wrongly formed.")
}

func errOSTypeMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidOSType.Malformed", "The specified OSType is wrongly formed.")
}

func errFormatMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidFormat.Malformed", "The specified Image format is wrongly formed.")
}

func errImageSize() *apierr.Error {
	return apierr.BadRequest("InvalidImageSize", `The specified "DiskDeviceMapping.n.DiskImageSize" should be not less than system device size.`)
}

func errBucketNotFound() *apierr.Error {
	return apierr.BadRequest("OSSBucket.NotFound", "The specified OSSBucket is not exist.")
}

// errObjectNotFound is ecsd's answer for an image file that is not in the
// bucket: the guide names no code for it, so it is InvalidParameter naming the
// parameter, with a message that says what is missing.
func errObjectNotFound(bucket, key string) *apierr.Error {
	return apierr.BadRequest("InvalidParameter", `The specified parameter "DiskDeviceMapping.1.OSSObject" is not valid: object "`+key+`" does not exist in bucket "`+bucket+`".`)
}

func errExportNotFound() *apierr.Error {
	return apierr.NotFound("ImageId.NotFound", "The image does not exist.")
}

func errImageExporting() *apierr.Error {
	return apierr.Forbidden("OperationDenied.ImageExporting", "The Image is exporting.")
}

func errPrefixMalformed() *apierr.Error {
	return apierr.BadRequest("OSSPrefix.Malformed", "The specified OSSPrefix Format is wrongly formed.")
}

// errTokenConflict is CreateImage's answer for a ClientToken reused with other
// parameters (the guide's spelling, "Paramter", kept).
func errTokenConflict() *apierr.Error {
	return apierr.Forbidden("InvalidParamter.Conflict", "The specified same token is trying to make requests with different parameters.")
}
