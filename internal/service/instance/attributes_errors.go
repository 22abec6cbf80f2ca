package instance

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The errors of the attribute actions, to the letter of the guide's tables:
// codes, statuses and messages, misspellings included (MissingParameter.InstancesIds
// of 1.5.8, IncorrectInstanceState of 1.11.6). Where one code has several
// messages across sections, each action answers with its own section's.

// InvalidInstanceId.NotFound: ModifyInstanceAttribute (1.5.15),
// AllocatePublicIpAddress (1.10.1) and ModifyInstanceNetworkSpec (1.10.2) answer
// ErrNotFoundInRecords; the RAM-role actions (1.5.7, 1.5.8, 1.5.12),
// JoinSecurityGroup and LeaveSecurityGroup (1.11.6, 1.11.7), and the actions
// whose tables give no message for it, ErrNotFound; ModifyInstanceVpcAttribute
// its own.

func errVpcInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidInstanceId.NotFound", "Specified instance does not exist.")
}

// ModifyInstanceAttribute (1.5.15).

func errModifyNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceName.Malformed", `The specified parameter "InstanceName" is not valid.`)
}

func errModifyDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDescription.Malformed", `The specified parameter "Description" is not valid.`)
}

func errModifyPasswordMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidHostPassword.Malformed", `The specified parameter "Password" is not valid.`)
}

func errModifyHostNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidHostName.Malformed", `The specified parameter "HostName" is not valid.`)
}

func errModifyUserDataSize() *apierr.Error {
	return apierr.BadRequest("InvalidUserData.SizeExceeded", `The specified parameter "UserData" exceeds the size.`)
}

// errModifyUserDataNotSupported answers user data for an instance that is not
// I/O optimized (a series I type); every ecsd instance is in a VPC.
func errModifyUserDataNotSupported() *apierr.Error {
	return apierr.BadRequest("InvalidUserData.NotSupported",
		`The specified parameter "UserData" only support the vpc and IoOptimized Instance.`)
}

// ModifyInstanceVpcAttribute (1.5.16).

func errVpcVSwitchNotInVpc() *apierr.Error {
	return apierr.NotFound("InvalidVSwitchId.NotFound", "Specified virtual switch is not found in current VPC.")
}

func errVpcVSwitchZone() *apierr.Error {
	return apierr.BadRequest("InvalidVSwitchId.Mismatch", "Specified instance and virtual switch are not in the same zone.")
}

func errVpcPrivateIPChanging() *apierr.Error {
	return apierr.BadRequest("InvalidPrivateIp.Changing", "Previous action is not finished yet.")
}

func errVpcIncorrectStatus() *apierr.Error {
	return apierr.BadRequest("IncorrectInstanceStatus", "The current status of instance does not support this operation.")
}

func errVpcNotInVpc() *apierr.Error {
	return apierr.BadRequest("OperationDenied", "Specified operation is denied as your instance is not in VPC.")
}

// ModifyInstanceVncPasswd (1.5.17).

func errVncPasswordMalformed() *apierr.Error {
	return apierr.BadRequest("IncorrectVncPassword.Malformed", `The specified parameter "VncPassword" is not valid.`)
}

// The RAM-role actions (1.5.7, 1.5.8, 1.5.12).

// errRAMMissing is MissingParameter.<name> of 1.5.7 and 1.5.8, whose
// messages say "is missing" (DetachInstanceRamRole's name is "InstancesIds").
func errRAMMissing(name string) *apierr.Error {
	return apierr.BadRequest("MissingParameter."+name,
		"The input parameter "+name+" that is mandatory for processing this request is missing.")
}

// AllocatePublicIpAddress (1.10.1).

func errPublicIPInUse() *apierr.Error {
	return apierr.Forbidden("IpInUse", "The specified IP is already in use.")
}

func errPublicIPAllocatedAlready() *apierr.Error {
	return apierr.Forbidden("AllocatedAlready", "There is an IpAddress allocated already for the specified instance.")
}

func errPublicIPInVpc() *apierr.Error {
	return apierr.BadRequest("OperationDenied", "Specified operation is denied as your instance is in VPC.")
}

func errPublicIPInsufficient() *apierr.Error {
	return apierr.BadRequest("InsufficientPublicIp", "Ip address not found")
}

// ModifyInstanceNetworkSpec (1.10.2).

func errSpecBandwidthOut() *apierr.Error {
	return apierr.BadRequest("InvalidInternetMaxBandwidthOut.ValueNotSupported",
		"The specified InternetMaxBandwidthOut beyond the permitted range.")
}

func errSpecBandwidthIn() *apierr.Error {
	return apierr.BadRequest("InvalidInternetMaxBandwidthIn.ValueNotSupported",
		"The specified InternetMaxBandwidthIn beyond the permitted range.")
}

// JoinSecurityGroup and LeaveSecurityGroup (1.11.6, 1.11.7).

func errJoinGroupNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
}

func errJoinVpcMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidInstanceId.Mismatch", "Specified instance and security group are not in the same VPC.")
}

func errJoinInstanceLimit() *apierr.Error {
	return apierr.BadRequest("InstanceSecurityGroupLimitExceeded",
		"Exceeding the allowed amount of security groups that an instance can be in.")
}

func errJoinGroupFull() *apierr.Error {
	return apierr.Forbidden("SecurityGroupInstanceLimitExceeded", "The maximum number of instances in a security group is exceeded.")
}

func errJoinAlreadyMember() *apierr.Error {
	return apierr.Forbidden("InvalidInstanceId.AlreadyExists", "The specified instance already exists in the specified security group.")
}

func errLeaveLastGroup() *apierr.Error {
	return apierr.Forbidden("InstanceLastSecurityGroup", "The specified security group is the last security group for the instance.")
}

func errLeaveNotMember() *apierr.Error {
	return apierr.Forbidden("InstanceNotInSecurityGroup", "The instance not in the group.")
}

// AttachKeyPair and DetachKeyPair (1.12.3, 1.12.4).

func errKeyPairBindNotFound(attach bool) *apierr.Error {
	if attach {
		return apierr.NotFound("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist in our records.")
	}
	return apierr.NotFound("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist.")
}

func errKeyPairBindWindows(attach bool) *apierr.Error {
	msg := "The instance creating is windows, cannot use ssh key pair to login"
	if attach {
		msg = "The instance creating is window, cannot use ssh key pair to login"
	}
	return apierr.New("DependencyViolation.WindowsInstance", http.StatusForbidden, msg)
}
