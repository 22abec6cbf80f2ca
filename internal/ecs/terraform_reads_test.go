package ecs

import (
	"slices"
	"strings"
	"testing"
)

func TestDescribeInstanceMaintenanceAttributesReportsEachInstanceWithAnEmptyWindowList(t *testing.T) {
	e := newAttrEnv(t)
	a, b := e.instance(t, 0), e.instance(t, 0)
	resp, err := attrCall(t, "InstanceId.1="+a+"&InstanceId.2=i-missing", e.h.DescribeInstanceMaintenanceAttributes)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, resp, "DescribeInstanceMaintenanceAttributesResponse", "DescribeInstanceMaintenanceAttributesResponseBody")
	attrs := resp.MaintenanceAttributes.MaintenanceAttribute
	if resp.TotalCount != 1 || len(attrs) != 1 || attrs[0].InstanceId != a || attrs[0].ActionOnMaintenance.Value != "AutoRecover" {
		t.Fatalf("answer %s", body)
	}
	// Terraform compares the window list with an empty one: it must be [] in JSON.
	if !strings.Contains(string(body), `"MaintenanceWindows":{"MaintenanceWindow":[]}`) {
		t.Errorf("the maintenance windows are not an empty list: %s", body)
	}
	all, err := attrCall(t, "PageSize=1", e.h.DescribeInstanceMaintenanceAttributes)
	if err != nil || all.TotalCount != 2 || len(all.MaintenanceAttributes.MaintenanceAttribute) != 1 ||
		all.MaintenanceAttributes.MaintenanceAttribute[0].InstanceId != b || all.PageSize != 1 {
		t.Fatalf("without ids: %+v, %v", all, err)
	}
}

func TestDescribeInstanceAttachmentAttributesReportsNoPrivatePool(t *testing.T) {
	e := newAttrEnv(t)
	a := e.instance(t, 0)
	resp, err := attrCall(t, `InstanceIds=["`+a+`"]`, e.h.DescribeInstanceAttachmentAttributes)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeInstanceAttachmentAttributesResponse", "DescribeInstanceAttachmentAttributesResponseBody")
	if resp.TotalCount != 1 || resp.Instances.Instance[0].InstanceId != a ||
		resp.Instances.Instance[0].PrivatePoolOptionsMatchCriteria != "None" || resp.PageNumber != 1 || resp.PageSize != 10 {
		t.Fatalf("answer %+v", resp)
	}
}

// availableValues returns zone → values of a DescribeAvailableResource answer.
func availableValues(resp *DescribeAvailableResourceResponse) map[string][]string {
	out := map[string][]string{}
	for _, z := range resp.AvailableZones.AvailableZone {
		for _, r := range z.AvailableResources.AvailableResource {
			for _, s := range r.SupportedResources.SupportedResource {
				out[z.ZoneId] = append(out[z.ZoneId], s.Value)
			}
		}
	}
	return out
}

func TestDescribeAvailableResourceListsTheTopologyLikeTerraformsDataSourcesRead(t *testing.T) {
	h := newHandlers(t)
	zones, err := attrCall(t, "RegionId=cn-hangzhou&DestinationResource=Zone&IoOptimized=optimized", h.DescribeAvailableResource)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, zones, "DescribeAvailableResourceResponse", "DescribeAvailableResourceResponseBody")
	got := availableValues(zones)
	if len(got) != 3 || !slices.Equal(got["cn-hangzhou-b"], []string{"cn-hangzhou-b"}) {
		t.Fatalf("zones of cn-hangzhou: %v", got)
	}
	for _, z := range zones.AvailableZones.AvailableZone {
		r := z.AvailableResources.AvailableResource[0]
		if z.RegionId != "cn-hangzhou" || z.Status != "Available" || z.StatusCategory != "WithStock" || r.Type != "Zone" ||
			r.SupportedResources.SupportedResource[0].Status != "Available" {
			t.Errorf("zone %+v", z)
		}
	}

	types, err := attrCall(t, "RegionId=cn-hangzhou&ZoneId=cn-hangzhou-g&DestinationResource=InstanceType&Cores=2&Memory=8",
		h.DescribeAvailableResource)
	if err != nil {
		t.Fatal(err)
	}
	got = availableValues(types)
	if len(got) != 1 || !slices.Contains(got["cn-hangzhou-g"], "ecs.g5.large") || slices.Contains(got["cn-hangzhou-g"], "ecs.g5.xlarge") {
		t.Fatalf("2-core 8-GiB types of cn-hangzhou-g: %v", got)
	}
	one, err := attrCall(t, "RegionId=cn-hangzhou&DestinationResource=InstanceType&InstanceType=ecs.nope", h.DescribeAvailableResource)
	if err != nil || len(one.AvailableZones.AvailableZone) != 0 {
		t.Fatalf("an unknown type is offered: %+v, %v", one, err)
	}
}

func TestDescribeAvailableResourceGivesDiskCategoriesWithTheirSizeRanges(t *testing.T) {
	h := newHandlers(t)
	sys, err := attrCall(t, "RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DestinationResource=SystemDisk&InstanceType=ecs.g5.large",
		h.DescribeAvailableResource)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, sys, "DescribeAvailableResourceResponse", "DescribeAvailableResourceResponseBody")
	res := sys.AvailableZones.AvailableZone[0].AvailableResources.AvailableResource[0]
	if res.Type != "SystemDisk" || len(res.SupportedResources.SupportedResource) != 4 {
		t.Fatalf("system disks %+v", res)
	}
	for _, s := range res.SupportedResources.SupportedResource {
		if s.Min != 20 || s.Max != 500 || s.Unit != "GiB" {
			t.Errorf("system disk %+v, want 20–500 GiB", s)
		}
	}
	data, err := attrCall(t, "RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DestinationResource=DataDisk&DataDiskCategory=cloud",
		h.DescribeAvailableResource)
	if err != nil {
		t.Fatal(err)
	}
	s := data.AvailableZones.AvailableZone[0].AvailableResources.AvailableResource[0].SupportedResources.SupportedResource
	if len(s) != 1 || s[0].Value != "cloud" || s[0].Min != 5 || s[0].Max != 2000 {
		t.Fatalf("cloud data disks %+v, want 5–2000 GiB", s)
	}
	// Series I types are the ones that are not I/O optimised, and take only
	// basic cloud disks.
	plain, err := attrCall(t, "RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DestinationResource=SystemDisk&IoOptimized=none",
		h.DescribeAvailableResource)
	if err != nil {
		t.Fatal(err)
	}
	if got := availableValues(plain)["cn-hangzhou-b"]; !slices.Equal(got, []string{"cloud"}) {
		t.Fatalf("system disks without I/O optimisation: %v", got)
	}
	io, err := attrCall(t, "RegionId=cn-hangzhou&ZoneId=cn-hangzhou-b&DestinationResource=IoOptimized", h.DescribeAvailableResource)
	if err != nil || !slices.Equal(availableValues(io)["cn-hangzhou-b"], []string{"optimized", "none"}) {
		t.Fatalf("IoOptimized: %+v, %v", io, err)
	}
	_, err = attrCall(t, "RegionId=cn-hangzhou", h.DescribeAvailableResource)
	if err == nil {
		t.Fatal("no DestinationResource was accepted")
	}
	_, err = attrCall(t, "RegionId=cn-nowhere&DestinationResource=Zone", h.DescribeAvailableResource)
	assertAPIError(t, err, "InvalidRegionId.NotFound", 404)
}

func TestDescribeNetworkInterfacesAnswersThePrimaryInterfaceDescribeInstancesLists(t *testing.T) {
	e := newAttrEnv(t)
	a, b := e.instance(t, 0), e.instance(t, 0)
	eni := "eni-" + strings.TrimPrefix(a, "i-")
	resp, err := attrCall(t, "NetworkInterfaceId.1="+eni, e.h.DescribeNetworkInterfaces)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, resp, "DescribeNetworkInterfacesResponse", "DescribeNetworkInterfacesResponseBody")
	sets := resp.NetworkInterfaceSets.NetworkInterfaceSet
	if resp.TotalCount != 1 || len(sets) != 1 || sets[0].NetworkInterfaceId != eni || sets[0].InstanceId != a ||
		sets[0].Type != "Primary" || sets[0].Status != "InUse" || sets[0].VSwitchId != "vsw-1" ||
		!slices.Equal(sets[0].SecurityGroupIds.SecurityGroupId, []string{"sg-1"}) {
		t.Fatalf("answer %s", body)
	}
	// Terraform asserts PrivateIpSet[].Primary is a JSON boolean.
	if ip := sets[0].PrivateIpSets.PrivateIpSet; len(ip) != 1 || !ip[0].Primary || ip[0].PrivateIpAddress != sets[0].PrivateIpAddress ||
		!strings.Contains(string(body), `"Primary":true`) {
		t.Fatalf("private addresses in %s", body)
	}
	all, err := attrCall(t, "VpcId=vpc-1&Type=Primary", e.h.DescribeNetworkInterfaces)
	if err != nil || all.TotalCount != 2 || all.NetworkInterfaceSets.NetworkInterfaceSet[0].InstanceId != b {
		t.Fatalf("by VPC: %+v, %v", all, err)
	}
	for _, q := range []string{"Type=Secondary", "NetworkInterfaceId.1=eni-nope", "NetworkInterfaceName=x", "Status=Available",
		"InstanceId=" + b + "&NetworkInterfaceId.1=" + eni} {
		none, err := attrCall(t, q, e.h.DescribeNetworkInterfaces)
		if err != nil || none.TotalCount != 0 || len(none.NetworkInterfaceSets.NetworkInterfaceSet) != 0 {
			t.Errorf("%s: %+v, %v", q, none, err)
		}
	}
	_, err = attrCall(t, "InstanceId=i-missing", e.h.DescribeNetworkInterfaces)
	assertAPIError(t, err, "InvalidEcsId.NotFound", 404)
	_, err = attrCall(t, "VSwitchId=vsw-missing", e.h.DescribeNetworkInterfaces)
	assertAPIError(t, err, "InvalidVSwitchId.NotFound", 404)
	_, err = attrCall(t, "SecurityGroupId=sg-missing", e.h.DescribeNetworkInterfaces)
	assertAPIError(t, err, "InvalidSecurityGroupId.NotFound", 404)
}
