package secgroup

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The errors of guide 1.11, to the letter: codes, statuses and messages as the
// guide gives them, misspellings included ("InvalidParamter.Conflict",
// "intrnet"). Where a code appears with a PDF hyphenation artefact in one table
// ("InvalidSecurity-GroupName.Malformed") the spelling of the other tables is
// used. Every *.NotFound is 404 (docs/adr/0002), also where a table says 400.

// Messages of InvalidSecurityGroupId.NotFound: most tables use the first, the
// newer sections (1.11.6, 1.11.11, 1.11.14) the second.
const (
	msgGroupNotFound      = "The SecurityGroupId provided does not exist in our records."
	msgGroupNotFoundNewer = "The specified SecurityGroupId does not exist."
)

func errGroupNotFound(msg string) *apierr.Error {
	return apierr.NotFound("InvalidSecurityGroupId.NotFound", msg)
}

// CreateSecurityGroup, ModifySecurityGroupAttribute.

func errNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidSecurityGroupName.Malformed", "Specified security group name is not valid.")
}

func errDescriptionMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidDescription.Malformed", `The specified parameter "Description" is not valid.`)
}

func errGroupQuota() *apierr.Error {
	return apierr.Forbidden("QuotaExceed.SecurityGroup", "The security group quota exceeds.")
}

func errVpcNotFound() *apierr.Error {
	return apierr.NotFound("InvalidVpcId.NotFound", "Specified VPC does not exist.")
}

func errVpcStatus() *apierr.Error {
	return apierr.BadRequest("IncorrectVpcStatus", "Current VPC status does not support this operation.")
}

// Tags (the messages of guide 1.15.1 AddTags).

func errTagKeyMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
}

func errTagCount() *apierr.Error {
	return apierr.BadRequest("InvalidTagCount", "The specified tags are beyond the permitted range.")
}

// DeleteSecurityGroup.

func errHasInstances() *apierr.Error {
	return apierr.Forbidden("DependencyViolation", "There is still instance(s) in the specified security group.")
}

func errReferenced() *apierr.Error {
	return apierr.Forbidden("DependencyViolation", "The specified security group has been authorized in another one.")
}

func errReferencedByOtherAccount() *apierr.Error {
	return apierr.Forbidden("DependencyViolation",
		"The specified security group has been authorized in another one of another user account")
}

// DescribeSecurityGroupAttribute (and every rule action): NicType.

func errNicType() *apierr.Error {
	return apierr.BadRequest("InvalidNicType.ValueNotSupported", "The specified NicType does not exist.")
}

// DescribeSecurityGroupReferences.

func errGroupNos() *apierr.Error {
	return apierr.BadRequest("Abs.GroupNos.Malformed",
		"The specified parameter SecurityGroupId is essential and size should less than 10.")
}

// ModifySecurityGroupPolicy.

func errInnerPolicy() *apierr.Error {
	return apierr.BadRequest("InvalidPolicy.Malformed", "The InnerAccessPolicy is invalid. Only Accept and Drop are supported.")
}

func errGroupIDMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidSecurityGroupId.Malformed",
		"The SecurityGroupId is invalid. Only letters, numbers and underscores are supported. Maximum length is 100 characters.")
}

// ruleAction names the rule action a rule error is answered for: the guide
// gives the same problem different codes in different actions.
type ruleAction int

const (
	actAuthorize ruleAction = iota
	actAuthorizeEgress
	actRevoke
	actRevokeEgress
	actModifyRule
)

// egress reports whether the action works on egress rules.
func (a ruleAction) egress() bool { return a == actAuthorizeEgress || a == actRevokeEgress }

// revoke reports whether the action is a Revoke.
func (a ruleAction) revoke() bool { return a == actRevoke || a == actRevokeEgress }

// direction is the rule direction the action works on.
func (a ruleAction) direction() string {
	if a.egress() {
		return DirectionEgress
	}
	return DirectionIngress
}

// problem is something wrong with a rule, answered by ruleError.
type problem int

const (
	probProtocol          problem = iota // IpProtocol is not one of the five
	probPortFormat                       // PortRange is not "from/to"
	probPortMismatch                     // PortRange does not suit IpProtocol
	probPriorityMalformed                // Priority is not a number
	probPriorityRange                    // Priority is outside 1–100
	probPolicy                           // Policy is not accept or drop
	probPeerCidr                         // SourceCidrIp (ingress) / DestCidrIp (egress)
	probLocalCidr                        // DestCidrIp (ingress) / SourceCidrIp (egress)
	probPeerMissing                      // neither a peer group nor a peer CIDR
	probNicRequired                      // group-to-group rule without NicType=intranet
	probSameGroup                        // the peer group is the group itself
	probVpcMismatch                      // the groups are in different VPCs
	probNetworkMismatch                  // one group is in a VPC, the other is not
	probPeerNotFound                     // the peer group does not exist
	probOwnerRequired                    // the rule's peer is another account's and no owner was named
	probOwnerMismatch                    // the peer group is not the named owner's
	probLimit                            // the group is full
	probDescription                      // the rule description is not valid
	probGroupNotFound                    // the security group itself does not exist
)

// ruleError returns the guide's answer for problem p in action a.
func ruleError(a ruleAction, p problem) *apierr.Error {
	peer, peerCidr, localCidr := "SourceGroupId", "SourceCidrIp", "DestCidrIp"
	if a.egress() {
		peer, peerCidr, localCidr = "DestGroupId", "DestCidrIp", "SourceCidrIp"
	}
	switch p {
	case probProtocol:
		switch {
		case a.revoke():
			return apierr.BadRequest("InvalidIpProtocol.ValueNotSupported", "The specified IpProtocol does not exist.")
		case a == actModifyRule:
			return apierr.BadRequest("InvalidIpProtocol.Malformed", `The specified parameter "IpProtocol" is not valid.`)
		}
		return errOperationDenied()
	case probPortFormat, probPortMismatch:
		switch {
		case a.revoke():
			return apierr.BadRequest("InvalidIpPortRange.Malformed", `The specified parameter "PortRange" is not valid.`)
		case p == probPortFormat && a != actModifyRule:
			return apierr.BadRequest("InvalidIpProtocol.Malformed", `The specified parameter "PortRange" is not valid.`)
		}
		return errOperationDenied()
	case probPriorityMalformed:
		return apierr.BadRequest("InvalidPriority.Malformed", `The specified parameter "Priority" is not valid.`)
	case probPriorityRange:
		if a == actModifyRule {
			return apierr.BadRequest("InvalidPriority.ValueNotSupported", "The specified Priority is invalid.")
		}
		return apierr.BadRequest("InvalidPriority.ValueNotSupported", "The specified priority is illegal.")
	case probPolicy:
		return apierr.BadRequest("InvalidPolicy.Malformed", `The specified parameter "Policy" is not valid.`)
	case probPeerCidr:
		return cidrMalformed(peerCidr)
	case probLocalCidr:
		return cidrMalformed(localCidr)
	case probPeerMissing:
		status := http.StatusForbidden
		if a.revoke() {
			status = http.StatusBadRequest
		}
		return apierr.Newf("MissingParameter", status, "The input parameter %q or %q cannot be both blank.", peer, peerCidr)
	case probNicRequired:
		msg := "NicType is required or NicType expects intranet."
		if a == actRevoke {
			msg = "NicType is required or NicType expects intrnet."
		}
		return apierr.Forbidden("Invalid"+peer+".Mismatch", msg)
	}
	return peerError(a, p, peer)
}

// peerError answers the problems about the peer group, the limit, the
// description and the group itself.
func peerError(a ruleAction, p problem, peer string) *apierr.Error {
	switch p {
	case probSameGroup:
		if a.egress() {
			return apierr.Forbidden("InvalidSecurityGroup.IsSame", "The authorized SecurityGroupId should be different from the DestGroupId.")
		}
		return apierr.Forbidden("InvalidParamter.Conflict", "The specified SecurityGroupId should be different from the SourceGroupId.")
	case probVpcMismatch:
		if a.egress() {
			return apierr.BadRequest("InvalidDestGroupId.Mismatch", "Specified security group and destination group are not in the same VPC.")
		}
		return apierr.BadRequest("InvalidSourceGroupId.Mismatch", "Specified security group and source group are not in the same VPC.")
	case probNetworkMismatch:
		const msg = "The specified SecurityGroup network type should be same with SourceGroup network type (vpc or classic)."
		if a.egress() {
			return apierr.Forbidden("InvalidNetworkType.Conflict", msg)
		}
		return apierr.Forbidden("InvalidNetworkType.Mismatch", msg)
	case probPeerNotFound:
		return apierr.NotFound("Invalid"+peer+".NotFound", "The "+peer+" provided does not exist in our records.")
	case probOwnerRequired:
		if a.egress() {
			return apierr.Forbidden("InvalidDestGroupId.Mismatch", "DestGroupOwnerAccount is required")
		}
		return apierr.Forbidden("InvalidSourceGroupId.Mismatch", "SourceGroupOwnerAccount is required")
	case probOwnerMismatch:
		if a.egress() {
			return apierr.Forbidden("InvalidDestGroupOwnerUserAccount.Mismatch",
				"The specified DestGroupId is not belong to the DestGroupOwnerAccount")
		}
		return apierr.Forbidden("InvalidSourceGroupOwnerUserAccount.Mismatch",
			"The specified SourceGroupId is not belong to the SourceGroupOwnerAccount")
	case probLimit:
		return apierr.Forbidden("AuthorizationLimitExceed", "The limit of authorization records in the security group reaches.")
	case probDescription:
		return apierr.BadRequest("InvalidSecurityGroupDescription.Malformed", "The specified security group rule description is not valid.")
	case probGroupNotFound:
		if a == actModifyRule {
			return errGroupNotFound(msgGroupNotFoundNewer)
		}
		return errGroupNotFound(msgGroupNotFound)
	}
	return apierr.InternalError(nil)
}

func errOperationDenied() *apierr.Error {
	return apierr.BadRequest("OperationDenied", "The specified IpProtocol does not exist or IpProtocol and PortRange do not match.")
}

func cidrMalformed(param string) *apierr.Error {
	return apierr.BadRequest("Invalid"+param+".Malformed", `The specified parameter "`+param+`" is not valid.`)
}
