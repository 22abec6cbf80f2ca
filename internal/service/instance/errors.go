package instance

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The guide's errors of the instance actions (1.5.1–1.5.11), codes, statuses and
// messages to the letter. RunInstances (1.5.1) and CreateInstance (1.5.2) word
// many messages differently (CreateInstance quotes parameter names, and some
// codes differ): those take the action's rules. Codes the guide lacks (deletion
// protection, auto-release time, DryRun) are Alibaba Cloud's.

// param renders a parameter name inside a message as the action's table does.
func (r rules) param(name string) string {
	if r.create {
		return `"` + name + `"`
	}
	return name
}

// notValid is "The specified parameter X is not valid." in the action's words.
func (r rules) notValid(code, name string) *apierr.Error {
	return apierr.BadRequest(code, "The specified parameter "+r.param(name)+" is not valid.")
}

func (r rules) errInstanceNameMalformed() *apierr.Error {
	return r.notValid("InvalidInstanceName.Malformed", "InstanceName")
}

func (r rules) errHostNameMalformed() *apierr.Error {
	return r.notValid("InvalidHostName.Malformed", "HostName")
}

func (r rules) errDescriptionMalformed() *apierr.Error {
	return r.notValid("InvalidDescription.Malformed", "Description")
}

func (r rules) errPasswordMalformed() *apierr.Error {
	return r.notValid("InvalidPassword.Malformed", "Password")
}

func errPasswordInheritMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidPasswordParam.Mismatch", "The input password should be null when passwdInherit is true.")
}

func errUserDataSize() *apierr.Error {
	return apierr.BadRequest("InvalidUserData.SizeExceeded", "The specified parameter UserData exceeds the size.")
}

func errUserDataNotSupported() *apierr.Error {
	return apierr.BadRequest("InvalidUserData.NotSupported",
		"The specified parameter UserData only support the vpc and IoOptimized Instance.")
}

func (r rules) errSystemDiskCategory() *apierr.Error {
	return r.notValid("InvalidSystemDiskCategory.ValueNotSupported", "SystemDisk.Category")
}

func (r rules) errDataDiskCategory() *apierr.Error {
	if r.create {
		return r.notValid("InvalidDataDiskCategory.ValueNotSupported", "DataDisk.n.Category")
	}
	return r.notValid("InvalidDiskCategory.ValueNotSupported", "DiskCategory")
}

func (r rules) errDiskNameMalformed() *apierr.Error {
	return r.notValid("InvalidDiskName.Malformed", "SystemDisk.DiskName or DataDisk.n.DiskName")
}

func (r rules) errDiskDescriptionMalformed() *apierr.Error {
	if r.create {
		return apierr.BadRequest("InvalidDiskDescription.Malformed",
			`The specified parameter "SystemDisk.DiskDescription" or "DataDisk.n.Description" is not valid.`)
	}
	return r.notValid("InvalidDiskDescription.Malformed", "SystemDisk.DiskDescription or DataDisk.n.Description")
}

func errDataDiskSize() *apierr.Error {
	return apierr.BadRequest("InvalidDataDiskSize.ValueNotSupported",
		"The specified DataDisk.n.Size beyond the permitted range, or the capacity of snapshot exceeds the size limit of the specified disk category.")
}

func errSnapshotNotReady() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
}

func errNotDataDiskSnapshot() *apierr.Error {
	return apierr.Forbidden("InvalidSnapshotId.NotDataDiskSnapshot", "The specified snapshot is system disk snapshot.")
}

func (r rules) errDataDiskSnapshotNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDataDiskSnapshotId.NotFound",
		"The specified parameter "+r.param("DataDisk.n.SnapshotId")+" is not valid.")
}

func errDataDeviceMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDataDevice.Malformed", `The specified parameter "DataDisk.n.Device" is not valid.`)
}

func errDeviceInUse() *apierr.Error {
	return apierr.Forbidden("InvalidDevice.InUse", "The specified device has been occupied.")
}

func (r rules) errDiskNumber() *apierr.Error {
	if r.create {
		return apierr.Forbidden("InstanceDiskNumLimitExceed", "The number of specified disk in an instance exceeds.")
	}
	return apierr.BadRequest("InstanceDiskNumber.LimitExceeded", "The total number of specified disk in an instance exceeds.")
}

func errDeleteWithInstanceConflict() *apierr.Error {
	return apierr.Forbidden("DeleteWithInstance.Conflict",
		"The specified disk is not a portable disk and cannot be set to DeleteWithInstance attribute.")
}

func errEncryptedNotSupported() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.EncryptedNotSupported", "Corresponding data disk category does not support encryption.")
}

func (r rules) errSystemDiskLessThanImage() *apierr.Error {
	return apierr.NotFound("InvalidSystemDiskSize.LessThanImageSize",
		"The specified parameter "+r.param("SystemDisk.Size")+" is less than the image size.")
}

func (r rules) errSystemDiskTooSmall() *apierr.Error {
	if r.create {
		return apierr.NotFound("InvalidSystemDiskSize.LessThanMinimumSize",
			`The specified parameter "SystemDisk.Size" is less than the minimum size.`)
	}
	return apierr.NotFound("InvalidSystemDiskSize.LessThanMinSize", "The specified parameter SystemDisk.Size is less than the min size.")
}

func (r rules) errSystemDiskTooLarge() *apierr.Error {
	if r.create {
		return apierr.NotFound("InvalidSystemDiskSize.MoreThanMaxSize", `The specified parameter "SystemDisk.Size" is more than the maxsize.`)
	}
	return apierr.NotFound("InvalidSystemDiskSize.MoreThanMaxSize", "The specified parameter SystemDisk.Size is more than the max size.")
}

func errCategoryNotSupported() *apierr.Error {
	return apierr.Forbidden("CategoryNotSupported", "The specified zone does not offer the specified disk category.")
}

func errDiskCategoryNotForType() *apierr.Error {
	return apierr.Forbidden("InvalidDiskCategory.NotSupported", "The specified disk category is not support the specified instance type.")
}

// errDataDiskMustBeCloud is CreateInstance's answer when the system disk is a
// basic cloud disk and a data disk is not.
func errDataDiskMustBeCloud() *apierr.Error {
	return apierr.Forbidden("InvalidParameter.Mismatch", "The data disk must be cloud disk when system disk category is cloud.")
}

func errInstanceTypeNotSupported() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceType.ValueNotSupported", "The specified InstanceType beyond the permitted range.")
}

func (r rules) errZoneNotOffering() *apierr.Error {
	if r.create {
		return apierr.Forbidden("InstanceTypeNotSupported", "The specified zone does not offer the specified instancetype.")
	}
	return apierr.Forbidden("InvalidInstanceType.ZoneNotSupported", "The specified zone does not support this InstanceType.")
}

func (r rules) errZoneNotFound() *apierr.Error {
	if r.create {
		return apierr.NotFound("InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.")
	}
	return apierr.NotFound("InvalidZoneId.NotFound", "The specified ZoneId does not exist.")
}

func (r rules) errZoneNoInstances() *apierr.Error {
	if r.create {
		return apierr.Forbidden("OperationDenied", "The creation of Instance to the specified Zone is not allowed.")
	}
	return apierr.Forbidden("Zone.NotOnSale", "The specified zone is not available for purchase.")
}

func errImageUnavailable() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The specified Image is disabled or is deleted.")
}

func (r rules) errImageInstanceType() *apierr.Error {
	if r.create {
		return apierr.BadRequest("InvalidParameter.Conflict", "The specified image does not support the specified instance type.")
	}
	return apierr.Forbidden("ImageNotSupportInstanceType", "The specified image don't support the InstanceType instance.")
}

func errImageNotIoOptimized() *apierr.Error {
	return apierr.Forbidden("IoOptimized.NotSupported", "The specified image is not support IoOptimized Instance.")
}

func errIoOptimizedValue() *apierr.Error {
	return apierr.BadRequest("InvalidIoOptimizedValue.ValueNotSupported", "IoOptimized value not supported.")
}

func (r rules) errTypeNotIoOptimized() *apierr.Error {
	if r.create {
		return apierr.Forbidden("IoOptimized.NotSupported", "The specified instancetype is not support IoOptimized instance.")
	}
	return apierr.NotFound("IoOptimized.NotSupported", "The specified InstanceType is not support IoOptimized instance.")
}

func (r rules) errTypeMustBeIoOptimized() *apierr.Error {
	if r.create {
		return apierr.NotFound("DependencyViolation.IoOptimized", "The specified instancetype must be IoOptimized instance.")
	}
	return apierr.NotFound("DependencyViolation.IoOptimized", "The specified InstanceType must be IoOptimized instance.")
}

func (r rules) errSecurityGroupNotFound() *apierr.Error {
	if r.create {
		return apierr.NotFound("InvalidSecurityGroupId.NotFound", "The SecurityGroupId provided does not exist in our records.")
	}
	return apierr.NotFound("InvalidSecurityGroupId", "The specified SecurityGroupId is invalid or does not exist.")
}

func errSecurityGroupVpcMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Mismatch", "Specified security group and virtual switch are not in the same VPC.")
}

func errVSwitchZoneMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Mismatch", "Specified virtual switch is not in the specified zone.")
}

func errVSwitchNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.")
}

func errVSwitchStatus() *apierr.Error {
	return apierr.BadRequest("IncorrectVSwitchStatus", "The current status of virtual switch does not support this operation.")
}

func (r rules) errVSwitchMissing() *apierr.Error {
	if r.create {
		return apierr.MissingParameter("VSwitchId")
	}
	return apierr.BadRequest("MissingParameter",
		"The input parameter VSwitchId that is mandatory for processing this request is not supplied.")
}

func (r rules) errSecurityGroupFull() *apierr.Error {
	if r.create {
		return apierr.Forbidden("SecurityGroupInstanceLimitExceed", "Exceeding the allowed amount of instances of a security group.")
	}
	return apierr.Forbidden("SecurityGroupInstanceLimitExceed", "The maximum number of instances in a security group is exceeded.")
}

// errTooManySecurityGroups answers more than MaxSecurityGroups groups (the SDK's
// SecurityGroupIds.N; Alibaba Cloud's code).
func errTooManySecurityGroups() *apierr.Error {
	return apierr.BadRequest("InvalidSecurityGroupId.MultiGroupLimitExceed",
		"The number of security groups an instance can join exceeds the limit.")
}

func errKeyPairNotFound() *apierr.Error {
	return apierr.NotFound("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist in our records.")
}

func errWindowsKeyPair() *apierr.Error {
	return apierr.Forbidden("DependencyViolation.WindowsInstance", "The instance creating is window, cannot use ssh key pair to login.")
}

func errAmount() *apierr.Error {
	return apierr.BadRequest("InvalidParameter", "The specified parameter Amount is not valid.")
}

func (r rules) errBandwidthOut() *apierr.Error {
	if r.create {
		return apierr.InvalidParameter("InternetMaxBandwidthOut")
	}
	return apierr.BadRequest("InvalidParameter", "The specified parameterInternetMaxBandwidthOut is not valid.")
}

func (r rules) errBandwidthIn() *apierr.Error {
	if r.create {
		return apierr.InvalidParameter("InternetMaxBandwidthIn")
	}
	return apierr.BadRequest("InvalidParameter", "The specified instance bandwidth is not valid.")
}

func errInternetChargeType() *apierr.Error {
	return apierr.BadRequest("InvalidInternetChargeType.ValueNotSupported", "The specified InternetChargeType is not valid.")
}

// errInstanceChargeType answers a charge type ecsd does not sell: PrePaid
// instances need an expiry and renewals ecsd does not model.
func errInstanceChargeType() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceChargeType.ValueNotSupported", "The specified InstanceChargeType is not valid.")
}

func errHpcClusterNotFound() *apierr.Error {
	return apierr.BadRequest("InvalidHpcClusterId.NotFound", "The specified HpcClusterId is not found.")
}

func errRAMRoleNotFound() *apierr.Error {
	return apierr.NotFound("InvalidRamRole.NotFound", "The specified RamRoleName does not exist.")
}

// errRAMRoleNotECS answers a role whose trust policy does not let the ECS
// service assume it (the guide has no code for it; this is Alibaba Cloud's).
func errRAMRoleNotECS() *apierr.Error {
	return apierr.BadRequest("InvalidRamRole.NotEcsRole",
		"The specified ram role is not authorized for ecs, please check your role policy.")
}

func errDeploymentSetNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDeploymentSetId.NotFound", "The DeploymentSetId provided does not exist in our records.")
}

func errAutoReleaseTime() *apierr.Error {
	return apierr.BadRequest("InvalidAutoReleaseTime.Malformed", "The specified parameter AutoReleaseTime is not valid.")
}

func errTagKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
}

func errTagValueMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")
}

func errTagCount() *apierr.Error {
	return apierr.BadRequest("InvalidTagCount", "The specified tags are beyond the permitted range.")
}

// errNotSupported answers a parameter that asks for something ecsd does not
// model (IPv6 addresses, secondary network interfaces, launch templates).
func errNotSupported(param string) *apierr.Error {
	return apierr.BadRequest("InvalidParameter", "The specified parameter \""+param+"\" is not supported.")
}

// ErrDryRun is the answer to a DryRun request whose checks all passed.
func ErrDryRun() *apierr.Error {
	return apierr.BadRequest("DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

// ErrNotFound is the guide's 404 for an unknown instance (1.18.4); the
// lifecycle actions word it "The InstanceId provided does not exist in our
// records." (ErrNotFoundInRecords).
func ErrNotFound() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
}

// ErrNotFoundInRecords is StartInstance's, StopInstance's and RebootInstance's
// wording of InvalidInstanceId.NotFound.
func ErrNotFoundInRecords() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records.")
}

// ErrIncorrectStatus is the guide's 403 for an action the instance's status
// does not allow.
func ErrIncorrectStatus() *apierr.Error {
	return apierr.Forbidden("IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
}

// errIncorrectState is DeleteInstance's wording (1.5.6: IncorrectInstanceState).
func errIncorrectState() *apierr.Error {
	return apierr.Forbidden("IncorrectInstanceState", "The current status of the resource does not support this operation.")
}

// errDiskStatus is StartInstance's and RebootInstance's answer for an instance
// whose disks are not ready (the guide's message is the code it names).
func errDiskStatus() *apierr.Error {
	return apierr.Forbidden("DiskError", "IncorrectDiskStatus")
}

func errNotReady() *apierr.Error {
	return apierr.Forbidden("InstanceNotReady", "The specified instance is not ready for use.")
}

// ErrLockedForSecurity is the guide's 403 for an action refused because the
// instance is locked for security reasons (1.18.7).
func ErrLockedForSecurity() *apierr.Error {
	return apierr.Forbidden("InstanceLockedForSecurity",
		"The specified operation is denied as your instance is locked for security reasons.")
}

func errDeletionProtection() *apierr.Error {
	return apierr.New("InvalidOperation.DeletionProtection", http.StatusForbidden,
		"The instance cannot be released because deletion protection is enabled.")
}

func errStatusNotFound() *apierr.Error {
	return apierr.NotFound("InvalidStatus.NotFound", "The specified Status is not found.")
}

func errNetworkTypeNotFound() *apierr.Error {
	return apierr.NotFound("InvalidNetworkType.NotFound", "The specified InstanceNetworkType is not found.")
}

// errIDListMalformed answers a JSON-array filter that is not one, or holds more
// than 100 items (the guide's wording for InstanceIds, 1.5.7).
func errIDListMalformed(param string) *apierr.Error {
	if param == "InstanceIds" {
		return apierr.BadRequest("InvalidInstanceIds.Malformed", "The specified InstanceIds is not valid.")
	}
	return apierr.InvalidParameter(param)
}
