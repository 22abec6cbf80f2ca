package ecs

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/catalog"
)

func TestDescribeRegionsListsEveryRegionWithThisServersEndpoint(t *testing.T) {
	h := newHandlers(t)
	resp, err := h.DescribeRegions(context.Background(), &DescribeRegionsRequest{RegionId: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeRegionsResponse", "DescribeRegionsResponseBody")
	regions := resp.Regions.Region
	if len(regions) != 5 {
		t.Fatalf("got %d regions, want 5", len(regions))
	}
	var ids []string
	for _, r := range regions {
		ids = append(ids, r.RegionId)
		if r.RegionEndpoint != testEndpoint || r.Status != "available" || r.LocalName == "" {
			t.Errorf("region %+v", r)
		}
	}
	if strings.Join(ids, ",") != "cn-qingdao,cn-beijing,cn-hangzhou,cn-shanghai,cn-shenzhen" {
		t.Errorf("regions %v", ids)
	}
	if regions[2].LocalName != "华东1（杭州）" {
		t.Errorf("LocalName defaults to Chinese: %q", regions[2].LocalName)
	}
}

func TestDescribeRegionsHonoursAcceptLanguage(t *testing.T) {
	h := newHandlers(t)
	resp, err := h.DescribeRegions(context.Background(), &DescribeRegionsRequest{AcceptLanguage: "en-US"})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Regions.Region[2].LocalName; got != "China (Hangzhou)" {
		t.Errorf("en-US name %q", got)
	}
}

func TestDescribeRegionsReportsARegionsOwnEndpoint(t *testing.T) {
	topo := catalog.DefaultTopology()
	topo.Regions[0].Endpoint = "qingdao.ecsd.example:443"
	h := handlersFor(t, topo)
	resp, _ := h.DescribeRegions(context.Background(), &DescribeRegionsRequest{})
	if resp.Regions.Region[0].RegionEndpoint != "qingdao.ecsd.example:443" ||
		resp.Regions.Region[1].RegionEndpoint != testEndpoint {
		t.Errorf("endpoints %+v", resp.Regions.Region[:2])
	}
}

func TestDescribeZonesListsTheRegionsZonesWithTheirResources(t *testing.T) {
	h := newHandlers(t)
	resp, err := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, resp, "DescribeZonesResponse", "DescribeZonesResponseBody")
	if !strings.Contains(string(body), `"IoOptimized":true`) {
		t.Error("IoOptimized must be the JSON boolean true")
	}
	zones := resp.Zones.Zone
	if len(zones) != 3 || zones[0].ZoneId != "cn-hangzhou-b" || zones[0].LocalName != "华东 1 可用区 B" {
		t.Fatalf("zones %+v", zones)
	}
	z := zones[0]
	if len(z.AvailableResources.ResourcesInfo) != 1 {
		t.Fatalf("ResourcesInfo %+v", z.AvailableResources)
	}
	info := z.AvailableResources.ResourcesInfo[0]
	disks := "cloud,cloud_efficiency,cloud_ssd,cloud_essd"
	checks := map[string][2]string{
		"ZoneType":                    {z.ZoneType, "AvailabilityZone"},
		"ResourceTypes":               {strings.Join(z.AvailableResourceCreation.ResourceTypes, ","), "Instance,Disk,VSwitch,IoOptimized"},
		"DiskCategories":              {strings.Join(z.AvailableDiskCategories.DiskCategories, ","), disks},
		"VolumeCategories":            {strings.Join(z.AvailableVolumeCategories.VolumeCategories, ","), disks},
		"NetworkType":                 {strings.Join(z.NetworkTypes.NetworkType, ","), "vpc"},
		"supportedSystemDiskCategory": {strings.Join(info.SystemDiskCategories.SupportedSystemDiskCategory, ","), disks},
		"supportedDataDiskCategory":   {strings.Join(info.DataDiskCategories.SupportedDataDiskCategory, ","), disks},
		"supportedNetworkCategory":    {strings.Join(info.NetworkTypes.SupportedNetworkCategory, ","), "vpc"},
		"supportedInstanceGeneration": {strings.Join(info.InstanceGenerations.SupportedInstanceGeneration, ","), "ecs-1,ecs-2,ecs-3"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", name, c[0], c[1])
		}
	}
	if !info.IoOptimized {
		t.Error("IoOptimized")
	}
	if n := len(z.AvailableInstanceTypes.InstanceTypes); n != 213 {
		t.Errorf("AvailableInstanceTypes: %d, want all 213", n)
	}
	if n := len(info.InstanceTypes.SupportedInstanceType); n != 213 {
		t.Errorf("supportedInstanceType: %d", n)
	}
	if n := len(info.InstanceTypeFamilies.SupportedInstanceTypeFamily); n != 44 {
		t.Errorf("supportedInstanceTypeFamily: %d", n)
	}
}

func TestDescribeZonesUnknownRegionIsInvalidRegionIdNotFound(t *testing.T) {
	h := newHandlers(t)
	_, err := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-atlantis"})
	assertAPIError(t, err, "InvalidRegionId.NotFound", http.StatusNotFound)
	if !strings.Contains(err.Error(), "The specified RegionId does not exist.") {
		t.Errorf("message %q", err)
	}
}

func TestDescribeZonesWithoutRegionIdIsMissingParameter(t *testing.T) {
	_, err := newHandlers(t).DescribeZones(context.Background(), &DescribeZonesRequest{})
	assertAPIError(t, err, "MissingParameter", http.StatusBadRequest)
}

func TestDescribeZonesNotVerboseOmitsInstanceTypes(t *testing.T) {
	h := newHandlers(t)
	resp, err := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-beijing", Verbose: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeZonesResponse", "DescribeZonesResponseBody")
	z := resp.Zones.Zone[0]
	if z.ZoneId != "cn-beijing-a" || len(z.AvailableInstanceTypes.InstanceTypes) != 0 ||
		len(z.AvailableResources.ResourcesInfo) != 0 || len(z.AvailableDiskCategories.DiskCategories) != 4 {
		t.Errorf("zone %+v", z)
	}
}

func TestDescribeZonesHonoursAcceptLanguage(t *testing.T) {
	resp, _ := newHandlers(t).DescribeZones(context.Background(),
		&DescribeZonesRequest{RegionId: "cn-shenzhen", AcceptLanguage: "en-US"})
	if got := resp.Zones.Zone[0].LocalName; got != "Shenzhen Zone A" {
		t.Errorf("en-US zone name %q", got)
	}
}

func TestDescribeZonesReflectsTheTopologysRestrictions(t *testing.T) {
	topo, err := catalog.LoadTopology("../catalog/testdata/topology.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo.Regions[1].Zones[1].ResourceTypes = []string{"Disk"}
	h := handlersFor(t, topo)
	resp, err := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	g := resp.Zones.Zone[1]
	wantTypes := []string{"ecs.n4.small", "ecs.n4.large", "ecs.g5.large", "ecs.g5.xlarge", "ecs.t5-lc1m2.small"}
	if !slices.Equal(g.AvailableInstanceTypes.InstanceTypes, wantTypes) ||
		!slices.Equal(g.AvailableResources.ResourcesInfo[0].InstanceTypeFamilies.SupportedInstanceTypeFamily, []string{"ecs.n4", "ecs.g5", "ecs.t5"}) ||
		slices.Contains(g.AvailableDiskCategories.DiskCategories, "cloud") {
		t.Errorf("zone g: %+v", g)
	}
	resp, _ = h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-beijing"})
	c := resp.Zones.Zone[1]
	if len(c.AvailableInstanceTypes.InstanceTypes) != 0 || len(c.AvailableResources.ResourcesInfo) != 0 {
		t.Errorf("a zone that cannot create instances lists none: %+v", c)
	}
}
