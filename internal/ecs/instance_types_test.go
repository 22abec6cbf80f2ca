package ecs

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/catalog"
)

func describeTypes(t *testing.T, h *Handlers, req *DescribeInstanceTypesRequest) []InstanceType {
	t.Helper()
	resp, err := h.DescribeInstanceTypes(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.InstanceTypes.InstanceType
}

func ids(types []InstanceType) []string {
	var out []string
	for _, it := range types {
		out = append(out, it.InstanceTypeId)
	}
	return out
}

func TestDescribeInstanceTypesWithoutParametersListsAll213GuideTypes(t *testing.T) {
	h := newHandlers(t)
	// The v7 SDK's request has no RegionId: the request arrives without one.
	resp, err := h.DescribeInstanceTypes(context.Background(), &DescribeInstanceTypesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeInstanceTypesResponse", "DescribeInstanceTypesResponseBody")
	types := resp.InstanceTypes.InstanceType
	if len(types) != 213 || resp.NextToken != "" {
		t.Fatalf("got %d types, NextToken %q", len(types), resp.NextToken)
	}
	if types[0].InstanceTypeId != "ecs.n4.small" {
		t.Errorf("guide order: first is %s", types[0].InstanceTypeId)
	}
	g5 := types[slices.Index(ids(types), "ecs.g5.large")]
	want := InstanceType{
		InstanceTypeId: "ecs.g5.large", InstanceTypeFamily: "ecs.g5", Generation: "ecs-3",
		InstanceCategory: "General-purpose", InstanceFamilyLevel: "EnterpriseLevel", CpuArchitecture: "X86",
		CpuCoreCount: 2, MemorySize: 8, EniQuantity: 2, PrimaryEniQueueNumber: 2,
		InstanceBandwidthRx: 1024000, InstanceBandwidthTx: 1024000, InstancePpsRx: 300000, InstancePpsTx: 300000,
		NvmeSupport: "unsupported",
	}
	if g5 != want {
		t.Errorf("ecs.g5.large:\n got %+v\nwant %+v", g5, want)
	}
}

func TestDescribeInstanceTypesRendersDevicesAndCredits(t *testing.T) {
	h := newHandlers(t)
	types := describeTypes(t, h, &DescribeInstanceTypesRequest{
		InstanceTypes: []string{"ecs.d1.2xlarge", "ecs.gn5-c8g1.8xlarge", "ecs.t5-c1m1.large", "ecs.n4v2.small", "ecs.g5.large"},
	})
	body := string(assertSDKShape(t, &DescribeInstanceTypesResponse{InstanceTypes: InstanceTypes{InstanceType: types}},
		"DescribeInstanceTypesResponse", "DescribeInstanceTypesResponseBody"))
	byID := map[string]InstanceType{}
	for _, it := range types {
		byID[it.InstanceTypeId] = it
	}
	if d := byID["ecs.d1.2xlarge"]; d.LocalStorageCategory != "local_hdd_pro" || d.LocalStorageAmount != 4 || d.LocalStorageCapacity != 5500 {
		t.Errorf("d1 local storage: %+v", d)
	}
	if g := byID["ecs.gn5-c8g1.8xlarge"]; g.GPUAmount != 4 || g.GPUSpec != "NVIDIA P100" || g.LocalStorageCapacity != 1760 {
		t.Errorf("gn5 GPUs: %+v", g)
	}
	if t5 := byID["ecs.t5-c1m1.large"]; t5.BaselineCredit != 25 || t5.InstanceFamilyLevel != "CreditEntryLevel" {
		t.Errorf("t5 credits: %+v", t5)
	}
	if byID["ecs.n4v2.small"].EniIpv6AddressQuantity != 1 || byID["ecs.g5.large"].EniIpv6AddressQuantity != 0 {
		t.Error("EniIpv6AddressQuantity follows the guide's IPv6 column")
	}
	// Like the real service: GPU fields always present, local-disk sizes and
	// burst credits only where they apply.
	g5 := body[strings.Index(body, `"InstanceTypeId":"ecs.g5.large"`):]
	g5 = g5[:strings.Index(g5, "}")]
	if !strings.Contains(g5, `"GPUAmount":0`) || !strings.Contains(g5, `"LocalStorageCategory":""`) ||
		strings.Contains(g5, "LocalStorageAmount") || strings.Contains(g5, "BaselineCredit") {
		t.Errorf("ecs.g5.large JSON: %s", g5)
	}
}

func TestDescribeInstanceTypesFiltersByTheGuidesInstanceTypeFamily(t *testing.T) {
	h := newHandlers(t)
	cat, _ := catalog.NewDefault()
	total := 0
	for _, f := range cat.Families("") {
		types := describeTypes(t, h, &DescribeInstanceTypesRequest{InstanceTypeFamily: f.ID})
		if len(types) == 0 {
			t.Errorf("family %s lists no types", f.ID)
		}
		for _, it := range types {
			if it.InstanceTypeFamily != f.ID || it.Generation != f.Generation {
				t.Errorf("family %s lists %+v", f.ID, it)
			}
		}
		total += len(types)
	}
	if total != 213 {
		t.Errorf("families cover %d types, want 213", total)
	}
	if n := len(describeTypes(t, h, &DescribeInstanceTypesRequest{InstanceTypeFamily: "ecs.nope"})); n != 0 {
		t.Errorf("unknown family: %d types", n)
	}
	got := ids(describeTypes(t, h, &DescribeInstanceTypesRequest{InstanceTypeFamilies: []string{"ecs.e3", "ecs.m2"}}))
	if strings.Join(got, ",") != "ecs.e3.small,ecs.e3.medium,ecs.e3.large,ecs.e3.xlarge,ecs.e3.3xlarge,ecs.m2.medium" {
		t.Errorf("InstanceTypeFamilies.N: %v", got)
	}
}

func TestDescribeInstanceTypesFiltersByTheSDKsNewerParameters(t *testing.T) {
	h := newHandlers(t)
	cases := []struct {
		name string
		req  DescribeInstanceTypesRequest
		want int
	}{
		{"InstanceTypes.N", DescribeInstanceTypesRequest{InstanceTypes: []string{"ecs.g5.large", "ecs.nope"}}, 1},
		{"NvmeSupport=required (Terraform's disk-path probe)", DescribeInstanceTypesRequest{
			InstanceTypes: []string{"ecs.g5.large"}, NvmeSupport: "required"}, 0},
		{"MinimumCpuCoreCount", DescribeInstanceTypesRequest{MinimumCpuCoreCount: ptr(88)}, 6},
		{"cpu and memory range", DescribeInstanceTypesRequest{MinimumCpuCoreCount: ptr(2), MaximumCpuCoreCount: ptr(2),
			MinimumMemorySize: ptr(8.0), MaximumMemorySize: ptr(8.0)}, 10},
		{"GPUSpec fuzzy", DescribeInstanceTypesRequest{GPUSpec: "v100"}, 4},
		{"GpuSpecs.N exact", DescribeInstanceTypesRequest{GpuSpecs: []string{"NVIDIA T4", "AMD S7150"}}, 14},
		{"MinimumGPUAmount", DescribeInstanceTypesRequest{MinimumGPUAmount: ptr(8)}, 5},
		{"LocalStorageCategory", DescribeInstanceTypesRequest{LocalStorageCategory: "local_hdd_pro"}, 16},
		{"InstanceFamilyLevel", DescribeInstanceTypesRequest{InstanceFamilyLevel: "CreditEntryLevel"}, 16},
		{"InstanceCategory", DescribeInstanceTypesRequest{InstanceCategory: "Local SSDs"}, 5},
		{"MinimumEniIpv6AddressQuantity", DescribeInstanceTypesRequest{MinimumEniIpv6AddressQuantity: ptr(1)}, 18},
		{"bandwidth and pps", DescribeInstanceTypesRequest{MinimumInstanceBandwidthRx: ptr(20480000), MinimumInstancePpsTx: ptr(int64(4000000))}, 6},
		{"CpuArchitecture=ARM", DescribeInstanceTypesRequest{CpuArchitecture: "ARM"}, 0},
		{"MinimumBaselineCredit", DescribeInstanceTypesRequest{MinimumBaselineCredit: ptr(25)}, 11},
	}
	for _, c := range cases {
		if got := describeTypes(t, h, &c.req); len(got) != c.want {
			t.Errorf("%s: got %d types %v, want %d", c.name, len(got), ids(got), c.want)
		}
	}
}

func TestDescribeInstanceTypesPagesWithNextToken(t *testing.T) {
	h := newHandlers(t)
	var all []string
	req := &DescribeInstanceTypesRequest{MaxResults: ptr(50)}
	pages := 0
	for {
		resp, err := h.DescribeInstanceTypes(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, ids(resp.InstanceTypes.InstanceType)...)
		if resp.NextToken == "" {
			break
		}
		req.NextToken = resp.NextToken
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 5 || len(all) != 213 {
		t.Fatalf("%d pages, %d types", pages, len(all))
	}
	everything := ids(describeTypes(t, h, &DescribeInstanceTypesRequest{}))
	if !slices.Equal(all, everything) {
		t.Error("pages do not add up to the full list in order")
	}
}

func TestDescribeInstanceTypesRejectsBadPaging(t *testing.T) {
	h := newHandlers(t)
	for _, req := range []*DescribeInstanceTypesRequest{
		{MaxResults: ptr(0)},
		{MaxResults: ptr(1601)},
		{NextToken: "not-a-token"},
		{NextToken: pageToken(500)},
	} {
		_, err := h.DescribeInstanceTypes(context.Background(), req)
		assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
	}
}

func TestDescribeInstanceTypeFamiliesListsEveryFamilyWithItsGeneration(t *testing.T) {
	h := newHandlers(t)
	resp, err := h.DescribeInstanceTypeFamilies(context.Background(), &DescribeInstanceTypeFamiliesRequest{RegionId: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeInstanceTypeFamiliesResponse", "DescribeInstanceTypeFamiliesResponseBody")
	fams := resp.InstanceTypeFamilies.InstanceTypeFamily
	if len(fams) != 44 {
		t.Fatalf("got %d families, want 44", len(fams))
	}
	cat, _ := catalog.NewDefault()
	for i, f := range cat.Families("") {
		if fams[i].InstanceTypeFamilyId != f.ID || fams[i].Generation != f.Generation {
			t.Errorf("family %d: got %+v, want %s %s", i, fams[i], f.ID, f.Generation)
		}
	}
}

func TestDescribeInstanceTypeFamiliesFiltersByGeneration(t *testing.T) {
	h := newHandlers(t)
	want := map[string]int{"ecs-1": 8, "ecs-2": 3, "ecs-3": 33}
	for gen, n := range want {
		resp, err := h.DescribeInstanceTypeFamilies(context.Background(),
			&DescribeInstanceTypeFamiliesRequest{RegionId: "cn-beijing", Generation: gen})
		if err != nil {
			t.Fatal(err)
		}
		fams := resp.InstanceTypeFamilies.InstanceTypeFamily
		if len(fams) != n {
			t.Errorf("%s: %d families, want %d", gen, len(fams), n)
		}
		for _, f := range fams {
			if f.Generation != gen {
				t.Errorf("%s lists %+v", gen, f)
			}
		}
	}
	// The guide's example answer: ecs.t1, ecs.s2, ecs.s3 are ecs-1.
	resp, _ := h.DescribeInstanceTypeFamilies(context.Background(),
		&DescribeInstanceTypeFamiliesRequest{RegionId: "cn-hangzhou", Generation: "ecs-1"})
	var got []string
	for _, f := range resp.InstanceTypeFamilies.InstanceTypeFamily {
		got = append(got, f.InstanceTypeFamilyId)
	}
	for _, id := range []string{"ecs.t1", "ecs.s2", "ecs.s3"} {
		if !slices.Contains(got, id) {
			t.Errorf("ecs-1 lacks %s: %v", id, got)
		}
	}
}

func TestDescribeInstanceTypeFamiliesRejectsAnUnknownGeneration(t *testing.T) {
	h := newHandlers(t)
	for _, gen := range []string{"ecs-4", "ECS-1", "3"} {
		_, err := h.DescribeInstanceTypeFamilies(context.Background(),
			&DescribeInstanceTypeFamiliesRequest{RegionId: "cn-hangzhou", Generation: gen})
		assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
		if !strings.Contains(err.Error(), `"Generation"`) {
			t.Errorf("error %q does not name Generation", err)
		}
	}
}

func TestDescribeInstanceTypeFamiliesUnknownRegionIsInvalidRegionIdNotFound(t *testing.T) {
	h := newHandlers(t)
	_, err := h.DescribeInstanceTypeFamilies(context.Background(), &DescribeInstanceTypeFamiliesRequest{RegionId: "eu-nowhere-1"})
	assertAPIError(t, err, "InvalidRegionId.NotFound", http.StatusNotFound)
	_, err = h.DescribeInstanceTypeFamilies(context.Background(), &DescribeInstanceTypeFamiliesRequest{})
	assertAPIError(t, err, "MissingParameter", http.StatusBadRequest)
}

func TestDescribeInstanceTypeFamiliesListsOnlyFamiliesSoldInTheRegion(t *testing.T) {
	topo, err := catalog.LoadTopology("../catalog/testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo.Regions[0].Zones[0].InstanceTypes = []string{"ecs.s3.large"}
	h := handlersFor(t, topo)
	resp, err := h.DescribeInstanceTypeFamilies(context.Background(), &DescribeInstanceTypeFamiliesRequest{RegionId: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range resp.InstanceTypeFamilies.InstanceTypeFamily {
		got = append(got, f.InstanceTypeFamilyId+"/"+f.Generation)
	}
	if strings.Join(got, ",") != "ecs.n4/ecs-3,ecs.g5/ecs-3,ecs.t5/ecs-3,ecs.s3/ecs-1" {
		t.Errorf("families %v", got)
	}
}
