package network

import (
	"fmt"
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The errors of the VPC API (2016-04-28) this service answers with. Codes,
// statuses and messages are those of Alibaba Cloud's VPC API reference (the
// error tables of CreateVpc, ModifyVpcAttribute, DeleteVpc, DescribeVpcAttribute,
// CreateVSwitch, DeleteVSwitch and DescribeVSwitches), spelling included
// ("Discription", "Cirdr" are the service's own). The private-IP errors are the
// ECS guide's (ModifyInstanceVpcAttribute, seed lines 2269–2271) and, for an
// exhausted VSwitch, ECS's AssignPrivateIpAddresses / CreateNetworkInterface.

func errVpcNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVpcId.NotFound", "Specified VPC does not exist.")
}

func errVSwitchNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVSwitchId.NotFound", "VSwitch not exist.")
}

func errZoneNotFound() *apierr.Error {
	return apierr.NotFound("InvalidZoneId.NotFound", "Specified zone does not exist.")
}

func errVpcNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidVpcName.Malformed", "Specified VPC name is not valid.")
}

func errVpcDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidVpcDiscription.Malformed", "Specified VPC description is not valid.")
}

func errVSwitchNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidVSwitchName.Malformed", "Specified virtual switch name is not valid.")
}

func errVSwitchDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidVSwitchDiscription.Malformed", "Specified virtual switch description is not valid.")
}

// errCidrMalformed: the CidrBlock is not an IPv4 CIDR block in canonical form.
func errCidrMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.")
}

// errVpcCidrInvalid: a well-formed VPC CIDR block outside the private ranges, with
// a mask outside 8–24, or (ModifyVpcAttribute) not covering the VSwitches.
func errVpcCidrInvalid() *apierr.Error {
	return apierr.BadRequest("InvalidParameter", "Specified CIDR block is not valid")
}

// errVSwitchMaskLength: a VSwitch CIDR block whose mask is outside 16–29.
func errVSwitchMaskLength() *apierr.Error {
	return apierr.BadRequest("InvalidCirdrBlock.MaskLength", "Specified CIDR block is not valid .")
}

// errVSwitchCidrNotInVpc: a VSwitch CIDR block outside its VPC's.
func errVSwitchCidrNotInVpc() *apierr.Error {
	return apierr.BadRequest("InvalidParameter", "Specified CIDR block is not valid in VPC.")
}

func errCidrOverlapped() *apierr.Error {
	return apierr.BadRequest("InvalidCidrBlock.Overlapped", "Specified CIDR block overlapped with other subnets.")
}

func errVpcQuotaExceeded() *apierr.Error {
	return apierr.BadRequest("QuotaExceeded.Vpc", "VPC quota exceeded.")
}

func errVSwitchQuotaExceeded() *apierr.Error {
	return apierr.BadRequest("QuotaExceeded.VSwitch", "Virtual switch quota exceeded.")
}

// errVpcHasVSwitches is DeleteVpc's answer while the VPC still has VSwitches.
func errVpcHasVSwitches() *apierr.Error {
	return apierr.BadRequest("DependencyViolation.VSwitch", "Specified object has dependent resources")
}

// errVSwitchInUse is DeleteVSwitch's answer while addresses are allocated in it.
func errVSwitchInUse() *apierr.Error {
	return apierr.BadRequest("DependencyViolation", "Specified object has dependent resources.")
}

func errPrivateIPMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidPrivateIpAddress.Malformed", "Specified private IP address is malformed.")
}

func errPrivateIPMismatch() *apierr.Error {
	return apierr.BadRequest("InvalidPrivateIpAddress.Mismatch",
		"Specified private IP address is not in the CIDR block of virtual switch.")
}

func errPrivateIPDuplicated() *apierr.Error {
	return apierr.BadRequest("InvalidPrivateIpAddress.Duplicated", "Specified private IP address is duplicated.")
}

func errVSwitchIPNotEnough(vswitchID string) *apierr.Error {
	return apierr.New("InvalidVSwitchId.IpNotEnough", http.StatusForbidden,
		fmt.Sprintf("The specified VSwitch %q has not enough IpAddress.", vswitchID))
}

// errVpcHasSecurityGroups refuses deleting a VPC that still holds security groups.
func errVpcHasSecurityGroups() *apierr.Error {
	return apierr.BadRequest("DependencyViolation.SecurityGroup", "Specified object has dependent resources")
}

// errVpcHasInstances refuses deleting a VPC that still holds instances.
func errVpcHasInstances() *apierr.Error {
	return apierr.BadRequest("DependencyViolation.Instance", "Specified object has dependent resources")
}
