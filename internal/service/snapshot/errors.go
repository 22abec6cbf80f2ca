package snapshot

import "github.com/ecsd/ecsd/internal/api/apierr"

// The errors of guide 1.8 (and 1.7.7 ResetDisk), to the letter. Every
// *.NotFound is 404 (docs/adr/0002). Codes marked "ecsd's own" answer
// situations the guide has no code for.

// ErrSnapshotNotFound is the answer for a snapshot that does not exist or is
// another account's (InvalidSnapshotId.NotFound, 404).
func ErrSnapshotNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
}

// ErrSnapshotNotReady answers a snapshot still being taken (or failed) where a
// finished one is needed.
func ErrSnapshotNotReady() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
}

// ErrDiskNotFound answers a disk that does not exist or is another account's.
func ErrDiskNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDiskId.NotFound", "The specified disk does not exist.")
}

// errCreateDiskNotFound is CreateSnapshot's wording of InvalidDiskId.NotFound.
func errCreateDiskNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDiskId.NotFound", "The specified DiskId does not exist.")
}

func errSnapshotNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.")
}

// errDescriptionMalformed is 404 in CreateSnapshot's table.
func errDescriptionMalformed() *apierr.Error {
	return apierr.NotFound("InvalidDescription.Malformed", "The specified description is wrongly formed.")
}

// errInstanceStatus is 400 in CreateSnapshot and 403 in ResetDisk.
func errInstanceStatus(status int) *apierr.Error {
	return apierr.New("IncorrectInstanceStatus", status, "The current status of the resource does not support this operation.")
}

func errCreatingSnapshot() *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus.CreatingSnapshot", "The snapshot of the disk is still creating.")
}

// errInstanceLocked has CreateSnapshot's message; ResetDisk's is errResetLocked.
func errInstanceLocked() *apierr.Error {
	return apierr.Forbidden("InstanceLockedForSecurity", "The disk attached instance is locked due to security.")
}

func errResetLocked() *apierr.Error {
	return apierr.Forbidden("InstanceLockedForSecurity", "The instance is locked due to security.")
}

func errNeverAttached() *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus.NeverAttached", "The specified disk has never been attached to any instance.")
}

func errNeverUsed() *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus.NeverUsed", "The specified disk has never been used after creating.")
}

func errSnapshotQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.Snapshot", "The snapshot quota exceeds.")
}

// errDiskStatus answers a disk in the middle of another operation (Attaching,
// Detaching, ReIniting): IncorrectDiskStatus, as ResetDisk's table words it.
func errDiskStatus() *apierr.Error {
	return apierr.Forbidden("IncorrectDiskStatus", "The current disk status does not support this operation.")
}

// errCategoryNotSupported answers a local disk, which cannot have snapshots
// (ecsd's own code).
func errCategoryNotSupported() *apierr.Error {
	return apierr.Forbidden("InvalidDiskCategory.NotSupported", "The specified disk category does not support snapshots.")
}

// DeleteSnapshot.

func errCreatedImage() *apierr.Error {
	return apierr.Forbidden("SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).")
}

func errCreatedDisk() *apierr.Error {
	return apierr.Forbidden("SnapshotCreatedDisk", "The snapshot has been used to create disk(s).")
}

// DescribeSnapshots.

func errSnapshotIDsMalformed() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotIds.Malformed", "The amount of specified specified snapshot ids exceeds the limit.")
}

func errStatusNotFound() *apierr.Error {
	return apierr.NotFound("InvalidStatus.NotFound", "The specified Status is not found")
}

func errTypeNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSnapshotType.NotFound", "The specified SnapshotType is not found")
}

// errFilterKey has no message in the guide's table; this one says what is wrong.
func errFilterKey() *apierr.Error {
	return apierr.NotFound("InvalidFilterKey.NotFound", "The specified filter key or its time value is not valid.")
}

func errUsage() *apierr.Error {
	return apierr.NotFound("InvalidUsage", "The specified Usage is not valid")
}

func errSourceDiskType() *apierr.Error {
	return apierr.NotFound("InvalidSourceDiskType", "The specified SourceDiskType is not valid")
}

// DescribeSnapshotLinks.

func errLinkDiskIDs() *apierr.Error {
	return apierr.BadRequest("InvalidDiskIds", "The specified diskIds is invalid.")
}

func errLinkIDs() *apierr.Error {
	return apierr.BadRequest("InvalidSnapshotLinkIds", "The specified snapshotLinkIds is invalid.")
}

// ResetDisk.

func errMismatch() *apierr.Error {
	return apierr.Forbidden("InvalidParameter.Mismatch", "The specified snapshot is not created from the specified disk.")
}

// errDiskCreatingSnapshot is the disk actions' answer while a snapshot of the
// disk is being taken (ReInitDisk, ReplaceSystemDisk; ResetDisk borrows it).
func errDiskCreatingSnapshot() *apierr.Error {
	return apierr.Forbidden("DiskCreatingSnapshot", "The operation is denied due to a snapshot of the specified disk is not completed yet.")
}

// ImportSnapshot and ExportSnapshot (1.8.4, 1.8.5; the table is ExportSnapshot's).

func errExportSnapshotNotFound() *apierr.Error {
	return apierr.Forbidden("SNAPSHOT_NOT_EXIST", "The specified snapshot is not exists.")
}

func errExportNotFinished() *apierr.Error {
	return apierr.Forbidden("SNAPSHOT_CREATE_NOT_FINISHED", "The specified snapshot is not finished yet.")
}

func errSnapshotExporting() *apierr.Error {
	return apierr.Forbidden("SNAPSHOT_IS_EXPORTING", "The specified snapshot is already exporting.")
}

// errBucketNotFound answers a bucket that does not exist, is another
// account's or is in another region.
func errBucketNotFound() *apierr.Error {
	return apierr.Forbidden("OSS_BUCKET_NOT_FOUND", "The specified OSS bucket does not exist in this region.")
}

// errOSSAuthorization answers a RAM role that does not let ECS read or write
// the caller's buckets.
func errOSSAuthorization() *apierr.Error {
	return apierr.Forbidden("OSS_AUTHORIZED_FAILED",
		"ECS service account Have no right to access your OSS. please attach a role of access your oss to ECS service account.")
}

// errObjectNotFound answers ImportSnapshot of a missing object (ecsd's own
// code, in the style of the table's).
func errObjectNotFound() *apierr.Error {
	return apierr.Forbidden("OSS_OBJECT_NOT_FOUND", "The specified OSS object does not exist in the bucket.")
}

// errSnapshotFileMalformed answers ImportSnapshot of an object that is not a
// qcow2, VHD or RAW disk image (ecsd's own code).
func errSnapshotFileMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidSnapshotFile.Malformed", "The specified OSS object is not a qcow2, VHD or RAW disk image.")
}

// Automatic snapshot policies (1.8.7–1.8.12 refer to the common errors; the
// codes below are Alibaba Cloud's for the same situations).

// ErrPolicyNotFound answers a policy that does not exist or is another account's.
func ErrPolicyNotFound() *apierr.Error {
	return apierr.NotFound("InvalidAutoSnapshotPolicyId.NotFound", "The specified autoSnapshotPolicyId does not exist.")
}

func errPolicyNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidAutoSnapshotPolicyName.Malformed", "The specified autoSnapshotPolicyName is wrongly formed.")
}

func errPolicyQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.AutoSnapshotPolicy", "The quota of automatic snapshot policies exceeds.")
}

// errExportFailed is ExportSnapshot's failure when the snapshot's data file
// cannot be read (the volume store lost it).
func errExportFailed() *apierr.Error {
	return apierr.Forbidden("INTERNAL_ERROR", "Exporting snapshot is failed, Please contact the administrator.")
}
