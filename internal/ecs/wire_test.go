package ecs

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/wire"
)

func decode(t *testing.T, query string, dst any) error {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	return wire.Decode(wire.Merge(q, nil), dst)
}

func TestRequestsDecodeFromTheWire(t *testing.T) {
	var types DescribeInstanceTypesRequest
	err := decode(t, "InstanceTypes.1=ecs.g5.large&InstanceTypes.2=ecs.n4.small&MaxResults=10"+
		"&MinimumMemorySize=4.5&MinimumInstancePpsRx=100000&NvmeSupport=required&InstanceTypeFamily=ecs.g5", &types)
	if err != nil {
		t.Fatal(err)
	}
	if len(types.InstanceTypes) != 2 || types.InstanceTypes[1] != "ecs.n4.small" || *types.MaxResults != 10 ||
		*types.MinimumMemorySize != 4.5 || *types.MinimumInstancePpsRx != 100000 || types.NvmeSupport != "required" ||
		types.InstanceTypeFamily != "ecs.g5" {
		t.Errorf("DescribeInstanceTypes: %+v", types)
	}

	var zones DescribeZonesRequest
	if err := decode(t, "RegionId=cn-hangzhou&Verbose=false&AcceptLanguage=en-US", &zones); err != nil {
		t.Fatal(err)
	}
	if zones.RegionId != "cn-hangzhou" || zones.Verbose == nil || *zones.Verbose || zones.AcceptLanguage != "en-US" {
		t.Errorf("DescribeZones: %+v", zones)
	}

	var regions DescribeRegionsRequest
	if err := decode(t, "AcceptLanguage=en-US&ResourceType=instance", &regions); err != nil || regions.AcceptLanguage != "en-US" {
		t.Errorf("DescribeRegions: %+v %v", regions, err)
	}

	var fams DescribeInstanceTypeFamiliesRequest
	if err := decode(t, "RegionId=cn-hangzhou&Generation=ecs-2", &fams); err != nil || fams.Generation != "ecs-2" {
		t.Errorf("DescribeInstanceTypeFamilies: %+v %v", fams, err)
	}
}

func TestRequestsRejectBadWireValues(t *testing.T) {
	cases := []struct {
		query string
		dst   any
		kind  wire.ErrorKind
	}{
		{"Generation=ecs-4&RegionId=cn-hangzhou", &DescribeInstanceTypeFamiliesRequest{}, wire.KindInvalid},
		{"Verbose=true", &DescribeZonesRequest{}, wire.KindMissing},
		{"MaxResults=1601", &DescribeInstanceTypesRequest{}, wire.KindInvalid},
		{"MaxResults=0", &DescribeInstanceTypesRequest{}, wire.KindInvalid},
		{"InstanceFamilyLevel=Gold", &DescribeInstanceTypesRequest{}, wire.KindInvalid},
		{elevenTypes(), &DescribeInstanceTypesRequest{}, wire.KindTooMany},
	}
	for _, c := range cases {
		err := decode(t, c.query, c.dst)
		var we *wire.Error
		if !errors.As(err, &we) || we.Kind != c.kind {
			t.Errorf("%s: got %v, want a %s error", c.query, err, c.kind)
		}
	}
}

// elevenTypes is one more InstanceTypes.N than the SDK's limit of 10.
func elevenTypes() string {
	var parts []string
	for i := 1; i <= 11; i++ {
		parts = append(parts, fmt.Sprintf("InstanceTypes.%d=ecs.g5.large", i))
	}
	return strings.Join(parts, "&")
}
