package sdkshape

import (
	"strings"
	"testing"
)

func TestCheckFindsWrongNamesAndTypes(t *testing.T) {
	p, err := Load(ClassicSDK, "services/ecs")
	if err != nil {
		t.Skip(err)
	}
	good := `{"RequestId":"x","Regions":{"Region":[{"RegionId":"cn-a","LocalName":"A","RegionEndpoint":"h","Status":"available"}]}}`
	if problems := p.Check([]byte(good), "DescribeRegionsResponse"); problems != nil {
		t.Errorf("good document: %v", problems)
	}
	bad := `{"Regions":{"Region":{"RegionId":1}},"Extra":true}`
	problems := strings.Join(p.Check([]byte(bad), "DescribeRegionsResponse"), "\n")
	for _, want := range []string{`$: key "Extra"`, `$.Regions.Region: want an array, got object`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	bad = `{"Zones":{"Zone":[{"AvailableResources":{"ResourcesInfo":[{"IoOptimized":"true"}]}}]}}`
	if got := strings.Join(p.Check([]byte(bad), "DescribeZonesResponse"), "\n"); !strings.Contains(got, "want a boolean") {
		t.Errorf("string boolean not caught: %q", got)
	}
	bad = `{"InstanceTypes":{"InstanceType":[{"CpuCoreCount":1.5,"MemorySize":"8"}]}}`
	got := strings.Join(p.Check([]byte(bad), "DescribeInstanceTypesResponse"), "\n")
	if !strings.Contains(got, "want an integer, got 1.5") || !strings.Contains(got, `want a number, got string "8"`) {
		t.Errorf("number types not caught: %q", got)
	}
}

func TestCheckReadsTheTeaSDKModels(t *testing.T) {
	p, err := Load(TeaECS, "client")
	if err != nil {
		t.Skip(err)
	}
	good := `{"RequestId":"x","Zones":{"Zone":[{"ZoneId":"z","AvailableResources":{"ResourcesInfo":[{"IoOptimized":true,"InstanceTypes":{"supportedInstanceType":["a"]}}]}}]}}`
	if problems := p.Check([]byte(good), "DescribeZonesResponseBody"); problems != nil {
		t.Errorf("good document: %v", problems)
	}
	extra := `{"Zones":{"Zone":[{"NetworkTypes":{}}]}}` // classic SDK only
	if problems := p.Check([]byte(extra), "DescribeZonesResponseBody"); len(problems) != 1 {
		t.Errorf("strict: problems %v", problems)
	}
	if problems := p.CheckKnown([]byte(extra), "DescribeZonesResponseBody"); problems != nil {
		t.Errorf("known keys only: problems %v", problems)
	}
	bad := `{"Zones":{"Zone":[{"ZoneId":7}]}}`
	if problems := p.CheckKnown([]byte(bad), "DescribeZonesResponseBody"); len(problems) != 1 {
		t.Errorf("known keys only: problems %v", problems)
	}
}
