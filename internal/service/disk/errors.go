package disk

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The errors of guide 1.7, to the letter: codes, statuses and messages as each
// action's table gives them. The same code has other messages or statuses in
// other tables (IncorrectDiskStatus, DiskNotPortable, IncorrectInstanceStatus,
// InvalidDescription.Malformed); the caller picks the action's. Every *.NotFound
// is 404 (docs/adr/0002), also where a table says 400.

// Messages that differ between the actions' tables.
const (
	msgDiskStatusAttach = "The operation is not supported in this status."
	msgDiskStatus       = "The current disk status does not support this operation."
	msgNotPortable      = "It is not a portable disk."
	msgNotPortableDel   = "The operation is denied due to the specified disk is not a portable disk."
)

// ErrDiskNotFound is the answer for a disk that does not exist or is another
// account's (InvalidDiskId.NotFound, 404).
func ErrDiskNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDiskId.NotFound", "The specified disk does not exist.")
}

// ErrInstanceNotFound is the answer for an instance that does not exist or is
// another account's (InvalidInstanceId.NotFound, 404).
func ErrInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "The specified instance does not exist.")
}

// ErrSnapshotNotFound is the answer for a SnapshotId that does not exist or is
// another account's.
func ErrSnapshotNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
}

func errSnapshotNotReady() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
}

func errNotDataDiskSnapshot() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotDataDiskSnapshot", "The specified snapshot is system disk snapshot.")
}

func errSnapshotTooLarge() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshot.TooLarge", "The capacity of snapshot exceeds 2000GB.")
}

// errCreatingSnapshot is ReInitDisk's and ReplaceSystemDisk's answer while a
// snapshot of the disk is being taken; DeleteDisk's code has a final s.
func errCreatingSnapshot(code string) *apierr.Error {
	return apierr.Forbidden(code, "The operation is denied due to a snapshot of the specified disk is not completed yet.")
}

func errZoneNotFound() *apierr.Error {
	return apierr.NotFound("InvalidZoneId.NotFound", "The specified zone does not exist.")
}

func errZoneFilterNotFound() *apierr.Error {
	return apierr.NotFound("InvalidZoneId.NotFound", "The zoneId provided does not exist in our records.")
}

func errNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDiskName.Malformed", "The specified disk name is wrongly formed.")
}

// errDescriptionMalformed is 400 in CreateDisk and 404 in ModifyDiskAttribute.
func errDescriptionMalformed(status int) *apierr.Error {
	return apierr.New("InvalidDescription.Malformed", status, "The specified description is wrongly formed.")
}

func errSizeOrSnapshot() *apierr.Error {
	return apierr.BadRequest("MissingParameter", `The input parameter either "SnapshotId" or "Size" should be specified.`)
}

// errCategoryNotSupported answers a DiskCategory that is no disk category at
// all (CreateDisk has no code for it; RunInstances' is used).
func errCategoryNotSupported() *apierr.Error {
	return apierr.BadRequest("InvalidDiskCategory.ValueNotSupported", "The specified parameter DiskCategory is not valid.")
}

// errCategoryUnauthorized answers a category the zone does not offer, or one
// CreateDisk cannot create (local disks).
func errCategoryUnauthorized() *apierr.Error {
	return apierr.Forbidden("InvalidDiskCategory.ValueUnauthorized", "The disk category is not authorized.")
}

func errPortableQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.PortableCloudDisk", "The quota of portable cloud disk exceeds.")
}

// DescribeDisks filters.

func errDiskTypeFilter() *apierr.Error {
	return apierr.BadRequest("InvalidDiskType.ValueNotSupported", "The specified disk type is not supported.")
}

func errCategoryFilter() *apierr.Error {
	return apierr.BadRequest("InvalidCategory.ValueNotSupported", "The specified disk category is not supported.")
}

func errStatusFilter() *apierr.Error {
	return apierr.BadRequest("InvalidStatus.ValueNotSupported", "The specified disk status is not supported.")
}

func errDiskIDsMalformed() *apierr.Error {
	return apierr.Forbidden("InvalidDiskIds.Malformed", "The amount of specified disk Ids exceeds the limit.")
}

func errChargeTypeNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDiskChargeType.NotFound", "The DiskChargeType does not exist in our records")
}

func errLockReasonNotFound() *apierr.Error {
	return apierr.NotFound("InvalidLockReason.NotFound", "The specified LockReason is not found")
}

// Status and state rules shared by several actions.

func errDiskStatus(msg string) *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus", msg)
}

func errNotPortable(msg string) *apierr.Error { return apierr.Forbidden("DiskNotPortable", msg) }

// errInstanceStatus is 400 in AttachDisk and 403 elsewhere.
func errInstanceStatus(status int) *apierr.Error {
	return apierr.New("IncorrectInstanceStatus", status, "The current status of the resource does not support this operation.")
}

func errInstanceLocked() *apierr.Error {
	return apierr.Forbidden("InstanceLockedForSecurity", "The instance is locked due to security.")
}

func errSystemDisk() *apierr.Error {
	return apierr.Forbidden("DiskTypeViolation", "The specified disk is a system disk and cannot support the operation.")
}

// AttachDisk and DetachDisk.

func errDeviceMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDevice.Malformed", "The specified device is not valid.")
}

func errDeviceInUse() *apierr.Error {
	return apierr.Forbidden("InvalidDevice.InUse", "The specified device has been occupied.")
}

func errDiskLimit() *apierr.Error {
	return apierr.Forbidden("InstanceDiskLimitExceeded", "The amount of the disk on instance in question reach its limits.")
}

func errNotSameZone() *apierr.Error {
	return apierr.Forbidden("ResourcesNotInSameZone", "The specified instance and disk are not in the same zone.")
}

func errNotAttachedHere() *apierr.Error {
	return apierr.Forbidden("DependencyViolation", "The specified disk has not been attached on the specified instance.")
}

// errDetachParameter is DetachDisk's answer for an absent InstanceId or DiskId.
func errDetachParameter() *apierr.Error {
	return apierr.BadRequest("InvalidParameter", "The input parameter is mandatory for processing this request is empty.")
}

// errDriverUnsupported answers an attach or detach the compute driver cannot
// make (ecsd's own; the guide's clouds can always).
func errDriverUnsupported() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The compute driver of the instance cannot attach or detach disks.")
}

// ModifyDiskAttribute.

func errNoAttribute() *apierr.Error {
	return apierr.BadRequest("NoAttributeToModify", "No attribute to be modified in this request.")
}

// ReInitDisk.

func errNeverUsed() *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus.NeverUsed", "The specified disk has never been used after creating.")
}

// ResizeDisk.

func errSizeTooSmall() *apierr.Error {
	return apierr.Forbidden("InvalidDiskSize.TooSmall", "Specified new disk size is less than the original disk size")
}

func errNewSize() *apierr.Error {
	return apierr.Forbidden("InvalidParameter", `The specified parameter "NewSize" is not valid.`)
}

func errResizeStatus() *apierr.Error {
	return apierr.Forbidden("OperationDenied",
		"The status of the disk or the instance that the disk is attaching with does not support the operation.")
}

func errResizeType() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The type of the disk does not support the operation.")
}

// ReplaceSystemDisk.

func errImageNotFound() *apierr.Error {
	return apierr.NotFound("InvalidImageId.NotFound", "The specified Image is disabled or is deleted.")
}

func errSystemSizeLessThanImage() *apierr.Error {
	return apierr.NotFound("InvalidSystemDiskSize.LessThanImageSize",
		`The specified parameter "SystemDisk.Size" is less than the image size.`)
}

func errSystemSizeMoreThanMax() *apierr.Error {
	return apierr.NotFound("InvalidSystemDiskSize.MoreThanMaxSize", `The specified parameter "SystemDisk.Size" is more than the max size.`)
}

func errSystemSizeLessThanMin() *apierr.Error {
	return apierr.NotFound("InvalidSystemDiskSize.LessThanMinimumSize",
		`The specified parameter "SystemDiskSize" is less than the minimum size.`)
}

func errImageInstanceType() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Conflict", "The specified image does not support the specified instance type.")
}

func errImageIoOptimized() *apierr.Error {
	return apierr.Forbidden("IoOptimized.NotSupported", "The specified image is not support IoOptimized Instance.")
}

func errImageHasDataDisks() *apierr.Error {
	return apierr.New("OperationDenied", http.StatusBadRequest,
		"The specified image that contains the snapshot of the data disk does not support this operation.")
}
