package eni

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// eniIDs lists the interfaces of a result.
func eniIDs(res Result) []string {
	out := []string{}
	for _, v := range res.Interfaces {
		out = append(out, v.ID)
	}
	return out
}

func TestDescribeNetworkInterfacesListsPrimaryAndSecondaryInterfacesNewestFirst(t *testing.T) {
	e := newEnv(t)
	inst := e.instance(t, "ecs.g5.large", "vsw-1")
	primary := "eni-" + strings.TrimPrefix(inst, "i-")
	e.clk.Advance(time.Second)
	a := e.create(t, func(in *CreateInput) {
		in.Name, in.SecurityGroupIDs, in.Tags = "eth-a", []string{"sg-2"}, []store.Tag{{Key: "env", Value: "prod"}}
	})
	e.clk.Advance(time.Second)
	b := e.create(t, func(in *CreateInput) { in.VSwitchID = "vsw-g" })
	e.clk.Advance(time.Second)
	c := e.create(t, func(in *CreateInput) { in.VSwitchID, in.SecurityGroupIDs = "vsw-2", []string{"sg-2x"} })
	if err := e.svc.Attach(t.Context(), alice, a.ID, inst); err != nil {
		t.Fatal(err)
	}
	list := func(q Query) Result {
		t.Helper()
		res, err := e.svc.List(t.Context(), alice, q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		return res
	}
	all := list(Query{})
	if fmt.Sprint(eniIDs(all)) != fmt.Sprint([]string{c.ID, b.ID, a.ID, primary}) || all.TotalCount != 4 ||
		all.PageNumber != 1 || all.PageSize != 10 {
		t.Fatalf("all = %v (%d, page %d of %d)", eniIDs(all), all.TotalCount, all.PageNumber, all.PageSize)
	}
	p := all.Interfaces[3]
	if p.Type != TypePrimary || p.Status != StatusInUse || p.InstanceID != inst || p.PrivateIP != e.inst(t, inst).PrivateIP ||
		fmt.Sprint(p.SecurityGroupIDs) != "[sg-1]" || !strings.HasPrefix(p.MACAddress(), "00:16:3e:") {
		t.Errorf("primary interface = %+v", p)
	}
	for _, f := range []struct {
		q    Query
		want []string
	}{
		{Query{InstanceID: inst}, []string{a.ID, primary}},
		{Query{Type: TypePrimary}, []string{primary}},
		{Query{Type: TypeSecondary, Status: StatusAvailable}, []string{c.ID, b.ID}},
		{Query{VSwitchID: "vsw-g"}, []string{b.ID}},
		{Query{VpcID: "vpc-2"}, []string{c.ID}},
		{Query{SecurityGroupID: "sg-1"}, []string{b.ID, primary}},
		{Query{Name: "eth-a"}, []string{a.ID}},
		{Query{PrimaryIP: a.PrivateIP}, []string{a.ID}},
		{Query{PrivateIPs: []string{a.PrivateIP, p.PrivateIP}}, []string{a.ID, primary}},
		{Query{PrimaryIP: a.PrivateIP, PrivateIPs: []string{p.PrivateIP}}, []string{}},
		{Query{IDs: []string{a.ID, "eni-nope", primary}}, []string{a.ID, primary}},
		{Query{IDs: []string{}}, []string{}},
		{Query{Tags: []store.Tag{{Key: "env"}}}, []string{a.ID}},
		{Query{Unsupported: []string{"Ipv6Address"}}, []string{}},
	} {
		if got := list(f.q); fmt.Sprint(eniIDs(got)) != fmt.Sprint(f.want) || got.TotalCount != len(f.want) {
			t.Errorf("%+v = %v (%d), want %v", f.q, eniIDs(got), got.TotalCount, f.want)
		}
	}
	if got, _ := e.svc.List(t.Context(), bob, Query{}); got.TotalCount != 0 {
		t.Errorf("another account sees %v", eniIDs(got))
	}
}

func TestDescribeNetworkInterfacesPagesByNumberAndByToken(t *testing.T) {
	e := newEnv(t)
	var made []string
	for range 5 {
		e.clk.Advance(time.Second)
		made = append([]string{e.create(t, nil).ID}, made...) // newest first
	}
	page2, err := e.svc.List(t.Context(), alice, Query{Page: store.Page{Number: 2, Size: 2}})
	if err != nil || fmt.Sprint(eniIDs(page2)) != fmt.Sprint(made[2:4]) || page2.TotalCount != 5 || page2.PageNumber != 2 || page2.PageSize != 2 {
		t.Fatalf("page 2 = %v (%+v), %v", eniIDs(page2), page2, err)
	}
	var seen []string
	q := Query{TokenPaging: true, MaxResults: 2}
	for pages := 0; ; pages++ {
		res, err := e.svc.List(t.Context(), alice, q)
		if err != nil || pages > 5 {
			t.Fatalf("token page %d: %v", pages, err)
		}
		seen = append(seen, eniIDs(res)...)
		if res.NextToken == "" {
			break
		}
		q.NextToken = res.NextToken
	}
	if fmt.Sprint(seen) != fmt.Sprint(made) {
		t.Errorf("token pages = %v, want %v", seen, made)
	}
	_, err = e.svc.List(t.Context(), alice, Query{TokenPaging: true, NextToken: "garbage"})
	wantCode(t, "a bad NextToken", err, "InvalidParameter", 400)
}

func TestDescribeNetworkInterfacesAnswersNotFoundForUnknownFilters(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		q    Query
		code string
	}{
		{Query{InstanceID: "i-nope"}, "InvalidEcsId.NotFound"},
		{Query{VSwitchID: "vsw-nope"}, "InvalidVSwitchId.NotFound"},
		{Query{SecurityGroupID: "sg-nope"}, "InvalidSecurityGroupId.NotFound"},
	} {
		_, err := e.svc.List(t.Context(), alice, c.q)
		wantCode(t, c.code, err, c.code, 404)
	}
	_, err := e.svc.List(t.Context(), bob, Query{VSwitchID: "vsw-1"})
	wantCode(t, "another account's VSwitch", err, "InvalidVSwitchId.NotFound", 404)
	_, err = e.svc.List(t.Context(), alice, Query{Status: "Busy"})
	wantCode(t, "an unknown status", err, "InvalidParameter", 400)
	_, err = e.svc.List(t.Context(), alice, Query{IDs: make([]string, 101)})
	wantCode(t, "101 IDs", err, "InvalidParameter", 400)
}
