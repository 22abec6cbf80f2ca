package eni

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateNetworkInterfaceIsAvailableWithAnAddressOfItsVSwitchAndAUniqueMAC(t *testing.T) {
	e := newEnv(t)
	a := e.create(t, func(in *CreateInput) {
		in.Name, in.Description = "web-eth1", "the second leg"
		in.SecurityGroupIDs = []string{"sg-2", "sg-1", "sg-2"}
		in.Tags = []store.Tag{{Key: "env", Value: "prod"}}
	})
	b := e.create(t, nil)
	if a.Status != StatusAvailable || a.Type != TypeSecondary || a.InstanceID != "" || a.VpcID != "vpc-1" ||
		a.ZoneID != "cn-hangzhou-b" || a.VSwitchID != "vsw-1" || a.Name != "web-eth1" || a.Description != "the second leg" ||
		!strings.HasPrefix(a.ID, "eni-") || a.RegionID != "cn-hangzhou" {
		t.Errorf("new interface = %+v", a)
	}
	if a.PrivateIP != "192.168.1.1" || b.PrivateIP != "192.168.1.2" {
		t.Errorf("addresses %s, %s; want the lowest free ones of vsw-1", a.PrivateIP, b.PrivateIP)
	}
	if !strings.HasPrefix(a.MACAddress(), "00:16:3e:") || a.MACAddress() == b.MACAddress() {
		t.Errorf("MACs %s, %s; want distinct addresses of 00:16:3e", a.MACAddress(), b.MACAddress())
	}
	if !slices.Equal(a.SecurityGroupIDs, []string{"sg-2", "sg-1"}) || fmt.Sprint(a.Tags) != "[{env prod}]" {
		t.Errorf("groups %v, tags %v", a.SecurityGroupIDs, a.Tags)
	}
	e.update(t, func(tx store.Tx) error {
		ips, err := tx.ListPrivateIPs("vsw-1")
		if err != nil || len(ips) != 2 || ips[0].OwnerType != "NetworkInterface" || ips[0].OwnerID != a.ID {
			t.Errorf("addresses taken in vsw-1: %+v, %v", ips, err)
		}
		return nil
	})
}

func TestCreateNetworkInterfaceHonoursPrimaryIpAddress(t *testing.T) {
	e := newEnv(t)
	v := e.create(t, func(in *CreateInput) { in.PrimaryIP = "192.168.1.200" })
	if v.PrivateIP != "192.168.1.200" {
		t.Fatalf("address %s, want 192.168.1.200", v.PrivateIP)
	}
	for _, c := range []struct{ ip, code string }{
		{"192.168.1.200", "InvalidPrivateIpAddress.Duplicated"},
		{"10.1.0.5", "InvalidPrivateIpAddress.Mismatch"},
		{"192.168.1.255", "InvalidPrivateIpAddress.Malformed"},
		{"192.168.1", "InvalidPrivateIpAddress.Malformed"},
	} {
		_, err := e.svc.Create(t.Context(), alice, CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}, PrimaryIP: c.ip})
		wantCode(t, "PrimaryIpAddress "+c.ip, err, c.code, http.StatusBadRequest)
	}
	for range 4 { // vsw-tiny (a /29) has 4 usable addresses
		e.create(t, func(in *CreateInput) { in.VSwitchID = "vsw-tiny" })
	}
	_, err := e.svc.Create(t.Context(), alice, CreateInput{VSwitchID: "vsw-tiny", SecurityGroupIDs: []string{"sg-1"}})
	wantCode(t, "a full VSwitch", err, "InvalidVSwitchId.IpNotEnough", http.StatusForbidden)
}

func TestCreateNetworkInterfaceRefusesWhatTheGuideForbids(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("a", 129)
	for _, c := range []struct {
		name   string
		edit   func(*CreateInput)
		code   string
		status int
	}{
		{"no VSwitch", func(in *CreateInput) { in.VSwitchID = "" }, "MissingParameter", 400},
		{"no group", func(in *CreateInput) { in.SecurityGroupIDs = nil }, "MissingParameter", 400},
		{"six groups", func(in *CreateInput) {
			in.SecurityGroupIDs = []string{"sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"}
		}, "InvalidSecurityGroupId.MultiGroupLimitExceed", 400},
		{"name starting with a digit", func(in *CreateInput) { in.Name = "1eth" }, "InvalidParameter", 400},
		{"name with a dot", func(in *CreateInput) { in.Name = "eth.1" }, "InvalidParameter", 400},
		{"name of one character", func(in *CreateInput) { in.Name = "e" }, "InvalidParameter", 400},
		{"name of 129 characters", func(in *CreateInput) { in.Name = long }, "InvalidParameter", 400},
		{"name starting with http://", func(in *CreateInput) { in.Name = "http://x" }, "InvalidParameter", 400},
		{"description of one character", func(in *CreateInput) { in.Description = "d" }, "InvalidParameter", 400},
		{"description starting with https://", func(in *CreateInput) { in.Description = "https://x" }, "InvalidParameter", 400},
		{"IPv6 asked for", func(in *CreateInput) { in.Unsupported = []string{"Ipv6AddressCount"} }, "UnsupportedParameter", 400},
		{"a tag key starting with aliyun", func(in *CreateInput) { in.Tags = []store.Tag{{Key: "aliyun-x"}} },
			"InvalidTagKey.Malformed", 400},
		{"unknown VSwitch", func(in *CreateInput) { in.VSwitchID = "vsw-nope" }, "InvalidVSwitchId.NotFound", 404},
		{"unknown group", func(in *CreateInput) { in.SecurityGroupIDs = []string{"sg-nope"} }, "InvalidSecurityGroupId.NotFound", 404},
		{"group without VPC", func(in *CreateInput) { in.SecurityGroupIDs = []string{"sg-classic"} }, "InvalidSecurityGroupId.NotVpc", 403},
		{"group of another VPC", func(in *CreateInput) { in.SecurityGroupIDs = []string{"sg-2x"} }, "InvalidOperation.VpcMismatch", 403},
	} {
		in := CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}}
		c.edit(&in)
		_, err := e.svc.Create(t.Context(), alice, in)
		wantCode(t, c.name, err, c.code, c.status)
	}
	// Another account's VSwitch and group answer like missing ones.
	_, err := e.svc.Create(t.Context(), bob, CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}})
	wantCode(t, "another account's VSwitch", err, "InvalidVSwitchId.NotFound", 404)
	e.update(t, func(tx store.Tx) error {
		if n, _ := tx.CountNetworkInterfaces(1, "cn-hangzhou", ""); n != 0 {
			t.Errorf("refused creates left %d interfaces", n)
		}
		if n, _ := tx.CountPrivateIPs("vsw-1"); n != 0 {
			t.Errorf("refused creates left %d addresses", n)
		}
		return nil
	})
}

func TestCreateNetworkInterfaceStopsAtTheRegionLimitAndAFullGroup(t *testing.T) {
	e := newEnvWith(t, sim.Config{}, Limits{PerRegion: 2})
	e.instance(t, "ecs.g5.large", "vsw-1") // primary interfaces do not count
	e.create(t, nil)
	e.create(t, nil)
	_, err := e.svc.Create(t.Context(), alice, CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}})
	wantCode(t, "a third interface", err, "MaxEniCountExceeded", 403)

	e = newEnv(t)
	e.update(t, func(tx store.Tx) error { // sg-6 holds 1000 interfaces
		for i := range 1000 {
			if err := tx.SetNetworkInterfaceSecurityGroups(1, fmt.Sprintf("eni-filler%d", i), []string{"sg-6"}); err != nil {
				return err
			}
		}
		return nil
	})
	_, err = e.svc.Create(t.Context(), alice, CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-6"}})
	wantCode(t, "a full group", err, "SecurityGroupInstanceLimitExceed", 403)
}

func TestCreateNetworkInterfaceIsIdempotentOnItsClientToken(t *testing.T) {
	e := newEnv(t)
	in := CreateInput{VSwitchID: "vsw-1", SecurityGroupIDs: []string{"sg-1"}, Name: "eth1", ClientToken: "tok-1"}
	a, err := e.svc.Create(t.Context(), alice, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Create(t.Context(), alice, in)
	if err != nil || b.ID != a.ID || b.PrivateIP != a.PrivateIP {
		t.Fatalf("retry = %+v, %v; want %s", b, err, a.ID)
	}
	in.Name = "eth2"
	_, err = e.svc.Create(t.Context(), alice, in)
	wantCode(t, "the token with other parameters", err, "IdempotentParameterMismatch", 400)
	e.update(t, func(tx store.Tx) error {
		if n, _ := tx.CountNetworkInterfaces(1, "cn-hangzhou", TypeSecondary); n != 1 {
			t.Errorf("%d interfaces, want 1", n)
		}
		return nil
	})
}

func TestModifyNetworkInterfaceAttributeChangesNameDescriptionAndGroups(t *testing.T) {
	e := newEnv(t)
	v := e.create(t, func(in *CreateInput) { in.Name, in.Description = "eth1", "first" })
	err := e.svc.Modify(t.Context(), alice, v.ID, ModifyInput{Name: strp("eth-renamed"), SecurityGroupIDs: []string{"sg-3", "sg-4"}})
	if err != nil {
		t.Fatal(err)
	}
	got := e.eni(t, v.ID)
	if got.Name != "eth-renamed" || got.Description != "first" || !slices.Equal(got.SecurityGroupIDs, []string{"sg-3", "sg-4"}) {
		t.Errorf("after Modify: %+v", got)
	}
	if err := e.svc.Modify(t.Context(), alice, v.ID, ModifyInput{Description: strp("")}); err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, v.ID); got.Description != "" || got.Name != "eth-renamed" {
		t.Errorf("an empty Description clears only it: %+v", got)
	}
	for _, c := range []struct {
		name   string
		in     ModifyInput
		code   string
		status int
	}{
		{"a bad name", ModifyInput{Name: strp("-x")}, "InvalidParameter", 400},
		{"a bad description", ModifyInput{Description: strp("http://x")}, "InvalidParameter", 400},
		{"six groups", ModifyInput{SecurityGroupIDs: []string{"sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"}},
			"InvalidSecurityGroupId.MultiGroupLimitExceed", 400},
		{"a group of another VPC", ModifyInput{SecurityGroupIDs: []string{"sg-2x"}}, "InvalidOperation.VpcMismatch", 403},
		{"an unknown group", ModifyInput{SecurityGroupIDs: []string{"sg-nope"}}, "InvalidSecurityGroupId.NotFound", 404},
		{"a group without VPC", ModifyInput{SecurityGroupIDs: []string{"sg-classic"}}, "InvalidSecurityGroupId.NotVpc", 403},
		{"queues", ModifyInput{Unsupported: []string{"QueueNumber"}}, "UnsupportedParameter", 400},
	} {
		wantCode(t, c.name, e.svc.Modify(t.Context(), alice, v.ID, c.in), c.code, c.status)
	}
	wantCode(t, "an unknown interface", e.svc.Modify(t.Context(), alice, "eni-nope", ModifyInput{Name: strp("x1")}),
		"InvalidEniId.NotFound", 404)
	wantCode(t, "another account's interface", e.svc.Modify(t.Context(), bob, v.ID, ModifyInput{Name: strp("x1")}),
		"InvalidEniId.NotFound", 404)
}

func TestModifyingAPrimaryInterfacesGroupsChangesItsInstances(t *testing.T) {
	e := newEnv(t)
	id := e.instance(t, "ecs.g5.large", "vsw-1")
	primary := "eni-" + strings.TrimPrefix(id, "i-")
	if err := e.svc.Modify(t.Context(), alice, primary, ModifyInput{Name: strp("eth0"), SecurityGroupIDs: []string{"sg-2"}}); err != nil {
		t.Fatal(err)
	}
	e.update(t, func(tx store.Tx) error {
		groups, err := tx.InstanceSecurityGroups(id)
		if err != nil || !slices.Equal(groups, []string{"sg-2"}) {
			t.Errorf("instance groups = %v, %v", groups, err)
		}
		return nil
	})
	if got := e.eni(t, primary); got.Name != "eth0" || !slices.Equal(got.SecurityGroupIDs, []string{"sg-2"}) || got.Type != TypePrimary {
		t.Errorf("primary interface = %+v", got)
	}
}

func TestDeleteNetworkInterfaceReleasesItsAddressGroupsAndTags(t *testing.T) {
	e := newEnv(t)
	v := e.create(t, func(in *CreateInput) { in.Tags = []store.Tag{{Key: "k", Value: "v"}} })
	wantCode(t, "another account's", e.svc.Delete(t.Context(), bob, v.ID), "InvalidEniId.NotFound", 404)
	if err := e.svc.Delete(t.Context(), alice, v.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "deleted twice", e.svc.Delete(t.Context(), alice, v.ID), "InvalidEniId.NotFound", 404)
	e.update(t, func(tx store.Tx) error {
		if n, _ := tx.CountPrivateIPs("vsw-1"); n != 0 {
			t.Errorf("%d addresses left in vsw-1", n)
		}
		if n, _ := tx.CountSecurityGroupNetworkInterfaces("sg-1"); n != 0 {
			t.Errorf("%d memberships left in sg-1", n)
		}
		if tags, _ := tx.GetTags(1, store.TagTypeNetworkInterface, []string{v.ID}); len(tags[v.ID]) != 0 {
			t.Errorf("tags left: %v", tags)
		}
		return nil
	})
	id := e.instance(t, "ecs.g5.large", "vsw-1")
	wantCode(t, "a primary interface", e.svc.Delete(t.Context(), alice, "eni-"+strings.TrimPrefix(id, "i-")),
		"InvalidOperation.InvalidEniType", 403)
}
