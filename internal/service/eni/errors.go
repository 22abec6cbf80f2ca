package eni

import (
	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The guide's error codes of 1.13, with its messages. Where the guide names no
// code for a situation, Alibaba Cloud's is used (marked below).

// errENINotFound answers an unknown interface. The guide's tables have no code
// for it; this is Alibaba Cloud's.
func errENINotFound() *apierr.Error {
	return apierr.NotFound("InvalidEniId.NotFound", "The specified EniId is not found.")
}

func errInstanceNotFound() *apierr.Error {
	return apierr.NotFound("InvalidEcsId.NotFound", "The specified EcsId is not found.")
}

func errVSwitchNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVSwitchId.NotFound", "The specified VSwitchId is not found.")
}

func errGroupNotFound() *apierr.Error {
	return apierr.NotFound("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId is not found.")
}

func errRegionLimit() *apierr.Error {
	return apierr.Forbidden("MaxEniCountExceeded", "The number of ENI exceeds the limit per region.")
}

func errZoneMismatch() *apierr.Error {
	return apierr.Forbidden("InvalidOperation.AvailabilityZoneMismatch",
		"The VPC VSwitch of the specified ENI and ECS instance are not in the same availability zone.")
}

func errVpcMismatch() *apierr.Error {
	return apierr.Forbidden("InvalidOperation.VpcMismatch",
		"The VPC of the specified ENI and security group are not in the same VPC.")
}

func errGroupFull() *apierr.Error {
	return apierr.Forbidden("SecurityGroupInstanceLimitExceed", "The maximum number of instances in a security group is exceeded.")
}

func errGroupNotVpc() *apierr.Error {
	return apierr.Forbidden("InvalidSecurityGroupId.NotVpc", "The specified SecurityGroupId not in VPC.")
}

func errEcsState() *apierr.Error {
	return apierr.BadRequest("InvalidOperation.InvalidEcsState", "The operation is not allowed in the current ECS state.")
}

func errDetachPrimary() *apierr.Error {
	return apierr.BadRequest("InvalidOperation.DetachPrimaryEniNotAllowed",
		"Detaching primary ENI from ECS instance is not allowed.")
}

func errInstanceLimit() *apierr.Error {
	return apierr.Forbidden("EniPerInstanceLimitExceeded",
		"The number of ENI exceeds the limit for the type of instance you are trying to launch.")
}

func errENIType() *apierr.Error {
	return apierr.Forbidden("InvalidOperation.InvalidEniType", "The operation is not allowed in the current ENI type.")
}

// errENIState answers an interface in the wrong status (attaching one that is
// not Available, detaching one that is not InUse on the instance named,
// deleting an attached one …). The guide's notes state the
// rules but its tables have no code; this is Alibaba Cloud's.
func errENIState() *apierr.Error {
	return apierr.BadRequest("InvalidOperation.InvalidEniState", "The operation is not allowed in the current ENI state.")
}

// ErrUnsupportedParameter answers a parameter of the SDK that ecsd does not
// model (IPv6, secondary private addresses, prefixes, queues, trunking …).
func ErrUnsupportedParameter() *apierr.Error {
	return apierr.BadRequest("UnsupportedParameter", "The parameters is unsupported.")
}

// errTooManyGroups answers more than MaxSecurityGroups groups; Alibaba Cloud's
// code for instances, which the guide does not give for interfaces.
func errTooManyGroups() *apierr.Error {
	return apierr.BadRequest("InvalidSecurityGroupId.MultiGroupLimitExceed",
		"The number of security groups an ENI can join exceeds the limit.")
}

// errDriverUnsupported answers an attach or detach the compute driver cannot make.
func errDriverUnsupported() *apierr.Error {
	return apierr.Forbidden("OperationDenied", "The compute driver of the instance cannot attach or detach network interfaces.")
}
