package secgroup

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/store"
)

// RuleSpec is one rule as a caller sent it, flat or as Permissions.N, in
// direction-neutral terms: the peer is the other side of the rule (the source
// of an ingress rule, the destination of an egress one) and the local range
// the optional range inside this group (DestCidrIp of an ingress rule,
// SourceCidrIp of an egress one). Empty means "not sent".
type RuleSpec struct {
	// Prefix is how the caller named the rule's parameters ("" for the flat
	// form, "Permissions.2." for the second item); MissingParameter uses it.
	Prefix string

	IPProtocol      string
	PortRange       string
	SourcePortRange string
	NicType         string
	Policy          string
	Priority        string

	PeerCidrIP  string
	LocalCidrIP string
	// PeerGroupID is SourceGroupId / DestGroupId; Revoke accepts up to ten,
	// comma-separated.
	PeerGroupID string
	// PeerOwnerAccount and PeerOwnerID name the peer group's owner by account
	// name or by account ID (Source/DestGroupOwnerAccount, …OwnerId).
	PeerOwnerAccount string
	PeerOwnerID      string

	// Description is the rule's description; nil when not sent.
	Description *string
}

// parsedRule is a RuleSpec whose values have been checked and normalized.
type parsedRule struct {
	protocol        string // lower case
	portRange       string // "from/to", canonical
	sourcePortRange string // canonical, "" when not sent
	nicType         string // "" when not sent
	policy          string // lower case, accept by default
	priority        int    // 0 when not sent
	peerCidrText    string // as sent, "" for a group rule
	peerCidr        netip.Prefix
	localCidrText   string
	localCidr       netip.Prefix
	peerGroupIDs    []string // empty for a CIDR rule
	ownerAccount    string
	ownerID         int64 // 0 when not sent
	description     *string
}

// parseRule checks a RuleSpec's values for action a, without looking anything up.
func parseRule(a ruleAction, spec RuleSpec) (parsedRule, error) {
	p := parsedRule{policy: PolicyAccept, description: spec.Description}
	if spec.IPProtocol == "" {
		return p, apierr.MissingParameter(spec.Prefix + "IpProtocol")
	}
	p.protocol = strings.ToLower(spec.IPProtocol)
	if !validProtocol(p.protocol) {
		return p, ruleError(a, probProtocol)
	}
	if spec.PortRange == "" {
		return p, apierr.MissingParameter(spec.Prefix + "PortRange")
	}
	var err error
	if p.portRange, err = parsePortRange(a, p.protocol, spec.PortRange); err != nil {
		return p, err
	}
	if spec.SourcePortRange != "" {
		if p.sourcePortRange, err = parsePortRange(a, p.protocol, spec.SourcePortRange); err != nil {
			return p, err
		}
	}
	if err := parseAttributes(a, spec, &p); err != nil {
		return p, err
	}
	if err := parsePeer(a, spec, &p); err != nil {
		return p, err
	}
	if spec.Description != nil {
		if n := utf8.RuneCountInString(*spec.Description); n > maxRuleDescLen || (a == actModifyRule && n == 0) {
			return p, ruleError(a, probDescription)
		}
	}
	return p, nil
}

// validProtocol reports whether p is one of the guide's IpProtocol values.
func validProtocol(p string) bool {
	switch p {
	case "tcp", "udp", "icmp", "gre", "all":
		return true
	}
	return false
}

// parsePortRange checks "from/to" against the protocol: 1–65535 with from ≤ to
// for tcp and udp, exactly -1/-1 for icmp, gre and all.
func parsePortRange(a ruleAction, protocol, text string) (string, error) {
	fromText, toText, ok := strings.Cut(text, "/")
	from, err1 := strconv.Atoi(fromText)
	to, err2 := strconv.Atoi(toText)
	if !ok || err1 != nil || err2 != nil {
		return "", ruleError(a, probPortFormat)
	}
	switch protocol {
	case "tcp", "udp":
		if from < 1 || to > 65535 || from > to {
			return "", ruleError(a, probPortMismatch)
		}
	default:
		if from != -1 || to != -1 {
			return "", ruleError(a, probPortMismatch)
		}
	}
	return strconv.Itoa(from) + "/" + strconv.Itoa(to), nil
}

// parseAttributes checks NicType, Policy and Priority.
func parseAttributes(a ruleAction, spec RuleSpec, p *parsedRule) error {
	if spec.NicType != "" {
		p.nicType = strings.ToLower(spec.NicType)
		if p.nicType != NicInternet && p.nicType != NicIntranet {
			return errNicType()
		}
	}
	if spec.Policy != "" {
		p.policy = strings.ToLower(spec.Policy)
		if p.policy != PolicyAccept && p.policy != PolicyDrop {
			return ruleError(a, probPolicy)
		}
	}
	if spec.Priority != "" {
		n, err := strconv.Atoi(spec.Priority)
		if err != nil {
			return ruleError(a, probPriorityMalformed)
		}
		if n < 1 || n > 100 {
			return ruleError(a, probPriorityRange)
		}
		p.priority = n
	}
	return nil
}

// parsePeer checks the rule's peer: a CIDR block, which wins when a group is
// named too (1.11.2: "如果两项都设置，则默认对SourceCidrIp授权"), or a group
// with its optional owner; and the optional local range.
func parsePeer(a ruleAction, spec RuleSpec, p *parsedRule) error {
	if spec.LocalCidrIP != "" {
		prefix, ok := parseCidr(spec.LocalCidrIP)
		if !ok {
			return ruleError(a, probLocalCidr)
		}
		p.localCidrText, p.localCidr = spec.LocalCidrIP, prefix
	}
	if spec.PeerCidrIP != "" {
		prefix, ok := parseCidr(spec.PeerCidrIP)
		if !ok {
			return ruleError(a, probPeerCidr)
		}
		p.peerCidrText, p.peerCidr = spec.PeerCidrIP, prefix
		return nil
	}
	if spec.PeerGroupID == "" {
		return ruleError(a, probPeerMissing)
	}
	p.peerGroupIDs = []string{spec.PeerGroupID}
	if a.revoke() {
		p.peerGroupIDs = strings.Split(spec.PeerGroupID, ",")
		if len(p.peerGroupIDs) > maxRevokeGroups {
			return apierr.InvalidParameter(peerGroupParam(a))
		}
	}
	if spec.PeerOwnerID != "" {
		id, err := strconv.ParseInt(spec.PeerOwnerID, 10, 64)
		if err != nil || id <= 0 {
			return apierr.InvalidParameter(ownerIDParam(a))
		}
		p.ownerID = id
	}
	p.ownerAccount = spec.PeerOwnerAccount
	return nil
}

// peerGroupParam is the name of the peer group parameter of action a.
func peerGroupParam(a ruleAction) string {
	if a.egress() {
		return "DestGroupId"
	}
	return "SourceGroupId"
}

// ownerIDParam is the name of the peer owner ID parameter of action a.
func ownerIDParam(a ruleAction) string {
	if a.egress() {
		return "DestGroupOwnerId"
	}
	return "SourceGroupOwnerId"
}

// parseCidr accepts an IPv4 CIDR block or a single IPv4 address (a /32).
func parseCidr(text string) (netip.Prefix, bool) {
	if strings.Contains(text, "/") {
		p, err := netip.ParsePrefix(text)
		return p, err == nil && p.Addr().Is4()
	}
	addr, err := netip.ParseAddr(text)
	if err != nil || !addr.Is4() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(addr, 32), true
}

// sameCidr compares a stored CIDR text with a parsed one ("" never matches a
// prefix, and two empty ones match).
func sameCidr(stored string, p netip.Prefix, given string) bool {
	if stored == "" || given == "" {
		return stored == given
	}
	q, ok := parseCidr(stored)
	return ok && q == p
}

// peerCidrOf and localCidrOf return a stored rule's peer and local ranges.
func peerCidrOf(r store.SecurityGroupRule) string {
	if r.Direction == DirectionEgress {
		return r.DestCidrIP
	}
	return r.SourceCidrIP
}

func localCidrOf(r store.SecurityGroupRule) string {
	if r.Direction == DirectionEgress {
		return r.SourceCidrIP
	}
	return r.DestCidrIP
}

// effectiveNic is the NIC type a rule of group g gets: intranet in a VPC (1.11.2:
// "VPC 类型的 ECS 实例，只支持 intranet 类型"), else what was sent, internet by default.
func effectiveNic(g store.SecurityGroup, p parsedRule) string {
	switch {
	case g.VpcID != "":
		return NicIntranet
	case p.nicType != "":
		return p.nicType
	}
	return NicInternet
}

// target is a rule's identity as a caller names it: the fields every rule has,
// plus the optional ones when sent.
type target struct {
	direction, protocol, portRange, nicType, policy string
	peerCidrText                                    string
	peerCidr                                        netip.Prefix
	peerGroupID                                     string
	peerAccountID                                   int64
	priority                                        int // 0: any
	sourcePortRange                                 string
	localCidrText                                   string
	localCidr                                       netip.Prefix
}

// matches reports whether stored rule r is the one t names. With exact, the
// optional fields must be equal too (an unsent one meaning "none" or, for the
// priority, 1): that is a duplicate for Authorize.
func (t target) matches(r store.SecurityGroupRule, exact bool) bool {
	if r.Direction != t.direction || r.IPProtocol != t.protocol || r.PortRange != t.portRange ||
		r.NicType != t.nicType || r.Policy != t.policy || r.PeerGroupID != t.peerGroupID ||
		r.PeerAccountID != t.peerAccountID || !sameCidr(peerCidrOf(r), t.peerCidr, t.peerCidrText) {
		return false
	}
	if exact {
		prio := t.priority
		if prio == 0 {
			prio = 1
		}
		return r.Priority == prio && r.SourcePortRange == t.sourcePortRange &&
			sameCidr(localCidrOf(r), t.localCidr, t.localCidrText)
	}
	return (t.priority == 0 || r.Priority == t.priority) &&
		(t.sourcePortRange == "" || r.SourcePortRange == t.sourcePortRange) &&
		(t.localCidrText == "" || sameCidr(localCidrOf(r), t.localCidr, t.localCidrText))
}

// targetOf builds the identity of parsed rule p in group g, for the peer group
// peerID of account peerAccount ("" and 0 for a CIDR rule).
func targetOf(a ruleAction, g store.SecurityGroup, p parsedRule, peerID string, peerAccount int64) target {
	return target{direction: a.direction(), protocol: p.protocol, portRange: p.portRange, nicType: effectiveNic(g, p),
		policy: p.policy, peerCidrText: p.peerCidrText, peerCidr: p.peerCidr, peerGroupID: peerID, peerAccountID: peerAccount,
		priority: p.priority, sourcePortRange: p.sourcePortRange, localCidrText: p.localCidrText, localCidr: p.localCidr}
}
