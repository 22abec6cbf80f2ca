package secgroup

import (
	"fmt"
	"net/http"
	"testing"
)

func TestRuleParametersAreCheckedWithEachActionsCodes(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	call := map[ruleAction]func(RuleSpec) error{
		actAuthorize:       func(s RuleSpec) error { return f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{s}) },
		actAuthorizeEgress: func(s RuleSpec) error { return f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{s}) },
		actRevoke:          func(s RuleSpec) error { return f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{s}) },
		actRevokeEgress:    func(s RuleSpec) error { return f.svc.Revoke(t.Context(), alice, id, true, []RuleSpec{s}) },
		actModifyRule: func(s RuleSpec) error {
			s.Description = ptr("d")
			return f.svc.ModifyRule(t.Context(), alice, id, s)
		},
	}
	ok := tcp("22/22", "10.0.0.0/8")
	with := func(change func(*RuleSpec)) RuleSpec { s := ok; change(&s); return s }
	cases := []struct {
		name  string
		spec  RuleSpec
		codes [5]string // Authorize, AuthorizeEgress, Revoke, RevokeEgress, ModifyRule
		// statuses are the HTTP statuses, when not all 400.
		statuses [5]int
	}{
		{"no IpProtocol", with(func(s *RuleSpec) { s.IPProtocol = "" }),
			[5]string{"MissingParameter", "MissingParameter", "MissingParameter", "MissingParameter", "MissingParameter"}, [5]int{}},
		{"unknown IpProtocol", with(func(s *RuleSpec) { s.IPProtocol = "sctp" }),
			[5]string{"OperationDenied", "OperationDenied", "InvalidIpProtocol.ValueNotSupported", "InvalidIpProtocol.ValueNotSupported", "InvalidIpProtocol.Malformed"}, [5]int{}},
		{"PortRange not from/to", with(func(s *RuleSpec) { s.PortRange = "22" }),
			[5]string{"InvalidIpProtocol.Malformed", "InvalidIpProtocol.Malformed", "InvalidIpPortRange.Malformed", "InvalidIpPortRange.Malformed", "OperationDenied"}, [5]int{}},
		{"PortRange reversed", with(func(s *RuleSpec) { s.PortRange = "200/1" }),
			[5]string{"OperationDenied", "OperationDenied", "InvalidIpPortRange.Malformed", "InvalidIpPortRange.Malformed", "OperationDenied"}, [5]int{}},
		{"tcp with -1/-1", with(func(s *RuleSpec) { s.PortRange = "-1/-1" }),
			[5]string{"OperationDenied", "OperationDenied", "InvalidIpPortRange.Malformed", "InvalidIpPortRange.Malformed", "OperationDenied"}, [5]int{}},
		{"icmp with ports", with(func(s *RuleSpec) { s.IPProtocol = "icmp"; s.PortRange = "1/200" }),
			[5]string{"OperationDenied", "OperationDenied", "InvalidIpPortRange.Malformed", "InvalidIpPortRange.Malformed", "OperationDenied"}, [5]int{}},
		{"Priority not a number", with(func(s *RuleSpec) { s.Priority = "high" }),
			[5]string{"InvalidPriority.Malformed", "InvalidPriority.Malformed", "InvalidPriority.Malformed", "InvalidPriority.Malformed", "InvalidPriority.Malformed"}, [5]int{}},
		{"Priority 101", with(func(s *RuleSpec) { s.Priority = "101" }),
			[5]string{"InvalidPriority.ValueNotSupported", "InvalidPriority.ValueNotSupported", "InvalidPriority.ValueNotSupported", "InvalidPriority.ValueNotSupported", "InvalidPriority.ValueNotSupported"}, [5]int{}},
		{"Policy allow", with(func(s *RuleSpec) { s.Policy = "allow" }),
			[5]string{"InvalidPolicy.Malformed", "InvalidPolicy.Malformed", "InvalidPolicy.Malformed", "InvalidPolicy.Malformed", "InvalidPolicy.Malformed"}, [5]int{}},
		{"NicType wan", with(func(s *RuleSpec) { s.NicType = "wan" }),
			[5]string{"InvalidNicType.ValueNotSupported", "InvalidNicType.ValueNotSupported", "InvalidNicType.ValueNotSupported", "InvalidNicType.ValueNotSupported", "InvalidNicType.ValueNotSupported"}, [5]int{}},
		{"peer CIDR", with(func(s *RuleSpec) { s.PeerCidrIP = "10.0.0.0/33" }),
			[5]string{"InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed"}, [5]int{}},
		{"IPv6 peer", with(func(s *RuleSpec) { s.PeerCidrIP = "2001:db8::/32" }),
			[5]string{"InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed"}, [5]int{}},
		{"local CIDR", with(func(s *RuleSpec) { s.LocalCidrIP = "nope" }),
			[5]string{"InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed", "InvalidSourceCidrIp.Malformed", "InvalidDestCidrIp.Malformed"}, [5]int{}},
		{"no peer", with(func(s *RuleSpec) { s.PeerCidrIP = "" }),
			[5]string{"MissingParameter", "MissingParameter", "MissingParameter", "MissingParameter", "MissingParameter"},
			[5]int{403, 403, 400, 400, 403}},
		{"group peer without intranet", with(func(s *RuleSpec) { s.PeerCidrIP = ""; s.PeerGroupID = id }),
			[5]string{"InvalidSourceGroupId.Mismatch", "InvalidDestGroupId.Mismatch", "InvalidSourceGroupId.Mismatch", "InvalidDestGroupId.Mismatch", "InvalidSourceGroupId.Mismatch"},
			[5]int{403, 403, 403, 403, 403}},
	}
	for _, c := range cases {
		for a := actAuthorize; a <= actModifyRule; a++ {
			err := call[a](c.spec)
			if err == nil {
				t.Errorf("%s, action %d: accepted", c.name, a)
				continue
			}
			status := c.statuses[a]
			if status == 0 {
				status = http.StatusBadRequest
			}
			t.Run(fmt.Sprintf("%s/%d", c.name, a), func(t *testing.T) { wantCode(t, err, c.codes[a], status) })
		}
	}
}

func TestMissingPeerIs403OnAuthorizeAnd400OnRevoke(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	spec := RuleSpec{IPProtocol: "tcp", PortRange: "22/22"}
	wantCode(t, f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{spec}), "MissingParameter", http.StatusForbidden,
		`The input parameter "SourceGroupId" or "SourceCidrIp" cannot be both blank.`)
	wantCode(t, f.svc.Revoke(t.Context(), alice, id, true, []RuleSpec{spec}), "MissingParameter", http.StatusBadRequest,
		`The input parameter "DestGroupId" or "DestCidrIp" cannot be both blank.`)
	spec.Prefix = "Permissions.2."
	spec.IPProtocol = ""
	wantCode(t, f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{spec}), "MissingParameter", http.StatusBadRequest,
		`The input parameter "Permissions.2.IpProtocol" that is mandatory for processing this request is not supplied.`)
}

func TestAuthorizeDefaultsPolicyPriorityAndNicTypeLikeTheGuide(t *testing.T) {
	f := newFixture(t, Limits{})
	f.vpc("vpc-1", 1, "cn-hangzhou", "Available")
	classic := f.group(alice, CreateInput{})
	inVPC := f.group(alice, CreateInput{VpcID: "vpc-1"})
	for _, id := range []string{classic, inVPC} {
		f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{{IPProtocol: "TCP", PortRange: "022/80", PeerCidrIP: "10.159.6.18/12"}}))
		f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{{IPProtocol: "all", PortRange: "-1/-1", PeerCidrIP: "1.2.3.4",
			NicType: "internet", Policy: "DROP", Priority: "100", LocalCidrIP: "172.16.0.0/24", Description: ptr("out")}}))
	}
	want := map[string][2]string{classic: {"internet", "internet"}, inVPC: {"intranet", "intranet"}}
	for id, nics := range want {
		rules := f.rules(alice, id)
		if len(rules) != 2 {
			t.Fatalf("%s: %d rules", id, len(rules))
		}
		in, out := rules[0], rules[1]
		if in.Direction != "ingress" || in.IPProtocol != "tcp" || in.PortRange != "22/80" || in.Policy != "accept" || in.Priority != 1 ||
			in.NicType != nics[0] || in.SourceCidrIP != "10.159.6.18/12" || in.DestCidrIP != "" || in.ID == "" {
			t.Errorf("%s ingress rule %+v", id, in.SecurityGroupRule)
		}
		if out.Direction != "egress" || out.IPProtocol != "all" || out.Policy != "drop" || out.Priority != 100 || out.NicType != nics[1] ||
			out.DestCidrIP != "1.2.3.4" || out.SourceCidrIP != "172.16.0.0/24" || out.Description != "out" {
			t.Errorf("%s egress rule %+v", id, out.SecurityGroupRule)
		}
	}
}

func TestAuthorizingAnExistingRuleSucceedsWithoutAddingIt(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	rule := RuleSpec{IPProtocol: "tcp", PortRange: "80/80", PeerCidrIP: "0.0.0.0/0", Policy: "accept", Priority: "1"}
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{rule, rule}))
	same := RuleSpec{IPProtocol: "TCP", PortRange: "80/80", PeerCidrIP: "0.0.0.0/0", NicType: "internet", Description: ptr("again")}
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{same}))
	if rules := f.rules(alice, id); len(rules) != 1 {
		t.Fatalf("an identical rule was added: %+v", rules)
	}
	other := rule
	other.Priority = "2"
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{other}))
	f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{rule}))
	if rules := f.rules(alice, id); len(rules) != 3 {
		t.Fatalf("another priority or direction is another rule: %d rules", len(rules))
	}
}

func TestAuthorizeBeyondTheRuleLimitIsAuthorizationLimitExceedAndAddsNothing(t *testing.T) {
	f := newFixture(t, Limits{RulesPerGroup: 3})
	id := f.group(alice, CreateInput{})
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{tcp("1/1", "10.0.0.1"), tcp("2/2", "10.0.0.1")}))
	err := f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{tcp("3/3", "10.0.0.1"), tcp("4/4", "10.0.0.1")})
	wantCode(t, err, "AuthorizationLimitExceed", http.StatusForbidden, "The limit of authorization records in the security group reaches.")
	if rules := f.rules(alice, id); len(rules) != 2 {
		t.Fatalf("a refused call added rules: %d", len(rules))
	}
	f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{tcp("3/3", "10.0.0.1")}))
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{tcp("1/1", "10.0.0.1")})) // a duplicate still succeeds
}

func TestGroupToGroupRulesFollowTheGuide(t *testing.T) {
	f := newFixture(t, Limits{})
	f.vpc("vpc-1", 1, "cn-hangzhou", "Available")
	f.vpc("vpc-2", 1, "cn-hangzhou", "Available")
	f.vpc("vpc-b", 2, "cn-hangzhou", "Available")
	classic, classic2 := f.group(alice, CreateInput{}), f.group(alice, CreateInput{})
	vpc1, vpc1b, vpc2 := f.group(alice, CreateInput{VpcID: "vpc-1"}), f.group(alice, CreateInput{VpcID: "vpc-1"}), f.group(alice, CreateInput{VpcID: "vpc-2"})
	north := f.group(aliceNorth, CreateInput{})
	bobs := f.group(bob, CreateInput{VpcID: "vpc-b"})
	peer := func(id string) RuleSpec {
		return RuleSpec{IPProtocol: "tcp", PortRange: "443/443", NicType: "intranet", PeerGroupID: id}
	}
	authorize := func(in string, egress bool, s RuleSpec) error {
		return f.svc.Authorize(t.Context(), alice, in, egress, []RuleSpec{s})
	}
	wantCode(t, authorize(classic, false, peer(classic)), "InvalidParamter.Conflict", http.StatusForbidden,
		"The specified SecurityGroupId should be different from the SourceGroupId.")
	wantCode(t, authorize(classic, true, peer(classic)), "InvalidSecurityGroup.IsSame", http.StatusForbidden)
	wantCode(t, authorize(classic, false, peer("sg-nope")), "InvalidSourceGroupId.NotFound", http.StatusNotFound,
		"The SourceGroupId provided does not exist in our records.")
	wantCode(t, authorize(classic, true, peer(north)), "InvalidDestGroupId.NotFound", http.StatusNotFound)
	wantCode(t, authorize(classic, false, peer(vpc1)), "InvalidNetworkType.Mismatch", http.StatusForbidden)
	wantCode(t, authorize(vpc1, true, peer(classic)), "InvalidNetworkType.Conflict", http.StatusForbidden)
	wantCode(t, authorize(vpc1, false, peer(vpc2)), "InvalidSourceGroupId.Mismatch", http.StatusBadRequest,
		"Specified security group and source group are not in the same VPC.")
	wantCode(t, authorize(vpc1, true, peer(vpc2)), "InvalidDestGroupId.Mismatch", http.StatusBadRequest)
	wantCode(t, authorize(vpc1, false, peer(bobs)), "InvalidSourceGroupId.NotFound", http.StatusNotFound) // not alice's
	f.must(authorize(classic, false, peer(classic2)))
	noNic := peer(vpc1b)
	noNic.NicType = ""
	f.must(authorize(vpc1, false, noNic)) // in a VPC every rule is intranet
	// A CIDR block wins over a group named with it.
	both := peer("sg-nope")
	both.PeerCidrIP = "10.0.0.0/8"
	f.must(authorize(classic, false, both))
	rules := f.rules(alice, classic)
	if len(rules) != 2 || rules[0].PeerGroupID != classic2 || rules[0].PeerAccountID != 1 || rules[0].PeerOwnerAccount != "" ||
		rules[1].PeerGroupID != "" || rules[1].SourceCidrIP != "10.0.0.0/8" {
		t.Errorf("rules %+v", rules)
	}
}

func TestGroupToGroupRulesAcrossAccountsNameTheOwner(t *testing.T) {
	f := newFixture(t, Limits{})
	mine := f.group(alice, CreateInput{})
	bobs := f.group(bob, CreateInput{Name: "bobs"})
	rule := RuleSpec{IPProtocol: "tcp", PortRange: "22/22", NicType: "intranet", PeerGroupID: bobs}
	wantCode(t, f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{rule}), "InvalidSourceGroupId.NotFound", http.StatusNotFound)
	byName, byID := rule, rule
	byName.PeerOwnerAccount, byID.PeerOwnerID = "bob", "2"
	f.must(f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{byName}))
	f.must(f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{byID})) // the same rule
	rules := f.rules(alice, mine)
	if len(rules) != 1 || rules[0].PeerAccountID != 2 || rules[0].PeerOwnerAccount != "2" || rules[0].PeerGroupName != "bobs" {
		t.Fatalf("cross-account rule %+v", rules)
	}
	nobody := rule
	nobody.PeerOwnerAccount = "carol"
	wantCode(t, f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{nobody}), "InvalidSourceGroupId.NotFound", http.StatusNotFound)
	badID := rule
	badID.PeerOwnerID = "bob"
	wantCode(t, f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{badID}), "InvalidParameter", http.StatusBadRequest)

	// Revoking it needs the owner (1.11.4's two Mismatch answers).
	wantCode(t, f.svc.Revoke(t.Context(), alice, mine, false, []RuleSpec{rule}), "InvalidSourceGroupId.Mismatch", http.StatusForbidden,
		"SourceGroupOwnerAccount is required")
	wrong := rule
	wrong.PeerOwnerAccount = "alice"
	wantCode(t, f.svc.Revoke(t.Context(), alice, mine, false, []RuleSpec{wrong}), "InvalidSourceGroupOwnerUserAccount.Mismatch",
		http.StatusForbidden, "The specified SourceGroupId is not belong to the SourceGroupOwnerAccount")
	wrong.PeerOwnerAccount = "carol"
	wantCode(t, f.svc.Revoke(t.Context(), alice, mine, false, []RuleSpec{wrong}), "InvalidSourceGroupOwnerUserAccount.Mismatch", http.StatusForbidden)
	missing := rule
	missing.PeerGroupID = "sg-gone"
	wantCode(t, f.svc.Revoke(t.Context(), alice, mine, false, []RuleSpec{missing}), "InvalidSourceGroupId.NotFound", http.StatusNotFound)
	f.must(f.svc.Revoke(t.Context(), alice, mine, false, []RuleSpec{byName}))
	if rules := f.rules(alice, mine); len(rules) != 0 {
		t.Fatalf("after revoke: %+v", rules)
	}
}

func TestRevokeMatchesARuleByItsIdentifyingFields(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{
		{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8", Priority: "5"},
		{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8", Policy: "drop"},
		{IPProtocol: "udp", PortRange: "53/53", PeerCidrIP: "1.2.3.4", LocalCidrIP: "172.16.0.1"},
	}))
	f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{tcp("22/22", "10.0.0.0/8")}))
	// Another policy, port, NIC type, priority or direction names no rule: nothing
	// is removed and the call succeeds.
	for _, miss := range []RuleSpec{
		{IPProtocol: "tcp", PortRange: "22/23", PeerCidrIP: "10.0.0.0/8"},
		{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8", NicType: "intranet"},
		{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8", Priority: "6"},
		{IPProtocol: "udp", PortRange: "53/53", PeerCidrIP: "1.2.3.4", LocalCidrIP: "172.16.0.2"},
	} {
		f.must(f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{miss}))
	}
	if n := len(f.rules(alice, id)); n != 4 {
		t.Fatalf("a non-matching revoke removed rules: %d left", n)
	}
	// The priority is matched only when sent; a single address is its /32.
	f.must(f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{
		{IPProtocol: "TCP", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8"},
		{IPProtocol: "udp", PortRange: "53/53", PeerCidrIP: "1.2.3.4/32"},
	}))
	rules := f.rules(alice, id)
	if len(rules) != 2 || rules[0].Policy != "drop" || rules[1].Direction != "egress" {
		t.Fatalf("after revoke: %+v", rules)
	}
	f.must(f.svc.Revoke(t.Context(), alice, id, true, []RuleSpec{tcp("22/22", "10.0.0.0/8")}))
	f.must(f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "10.0.0.0/8", Policy: "Drop"}}))
	if rules := f.rules(alice, id); len(rules) != 0 {
		t.Fatalf("left: %+v", rules)
	}
}

func TestRevokeTakesUpToTenSourceGroupsAtOnce(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	a, b := f.group(alice, CreateInput{}), f.group(alice, CreateInput{})
	rule := func(peer string) RuleSpec {
		return RuleSpec{IPProtocol: "all", PortRange: "-1/-1", NicType: "intranet", PeerGroupID: peer}
	}
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{rule(a), rule(b)}))
	f.must(f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{rule(a + "," + b)}))
	if rules := f.rules(alice, id); len(rules) != 0 {
		t.Fatalf("left: %+v", rules)
	}
	eleven := a + ",a,b,c,d,e,f,g,h,i,j"
	wantCode(t, f.svc.Revoke(t.Context(), alice, id, false, []RuleSpec{rule(eleven)}), "InvalidParameter", http.StatusBadRequest)
}

func TestModifySecurityGroupRuleChangesTheDescriptionOfTheNamedRule(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	peer := f.group(alice, CreateInput{})
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{tcp("80/80", "0.0.0.0/0"),
		{IPProtocol: "tcp", PortRange: "80/80", NicType: "intranet", PeerGroupID: peer}}))
	f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{tcp("80/80", "0.0.0.0/0")}))
	spec := tcp("80/80", "0.0.0.0/0")
	wantCode(t, f.svc.ModifyRule(t.Context(), alice, id, spec), "MissingParameter", http.StatusBadRequest)
	spec.Description = ptr("")
	wantCode(t, f.svc.ModifyRule(t.Context(), alice, id, spec), "InvalidSecurityGroupDescription.Malformed", http.StatusBadRequest)
	spec.Description = ptr("web")
	f.must(f.svc.ModifyRule(t.Context(), alice, id, spec))
	byGroup := RuleSpec{IPProtocol: "tcp", PortRange: "80/80", NicType: "intranet", PeerGroupID: peer, Description: ptr("from peer")}
	f.must(f.svc.ModifyRule(t.Context(), alice, id, byGroup))
	byGroup.PeerGroupID = id
	wantCode(t, f.svc.ModifyRule(t.Context(), alice, id, byGroup), "InvalidParamter.Conflict", http.StatusForbidden)
	byGroup.PeerGroupID = "sg-nope"
	wantCode(t, f.svc.ModifyRule(t.Context(), alice, id, byGroup), "InvalidSourceGroupId.NotFound", http.StatusNotFound)
	rules := f.rules(alice, id)
	if rules[0].Description != "web" || rules[1].Description != "from peer" || rules[2].Description != "" {
		t.Errorf("descriptions %q %q %q; the egress rule must keep its own", rules[0].Description, rules[1].Description, rules[2].Description)
	}
}

func TestDescribeSecurityGroupAttributeFiltersByDirectionAndNicType(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{tcp("1/1", "1.1.1.1"),
		{IPProtocol: "tcp", PortRange: "2/2", PeerCidrIP: "1.1.1.1", NicType: "intranet"}}))
	f.must(f.svc.Authorize(t.Context(), alice, id, true, []RuleSpec{tcp("3/3", "1.1.1.1")}))
	cases := map[RuleFilter]int{{}: 3, {Direction: "all"}: 3, {Direction: "ingress"}: 2, {Direction: "egress"}: 1,
		{NicType: "intranet"}: 1, {Direction: "ingress", NicType: "internet"}: 1}
	for filter, want := range cases {
		d, err := f.svc.Describe(t.Context(), alice, id, filter)
		if err != nil || len(d.Rules) != want {
			t.Errorf("%+v: %d rules, %v; want %d", filter, len(d.Rules), err, want)
		}
	}
	_, err := f.svc.Describe(t.Context(), alice, id, RuleFilter{NicType: "wan"})
	wantCode(t, err, "InvalidNicType.ValueNotSupported", http.StatusBadRequest, "The specified NicType does not exist.")
}
