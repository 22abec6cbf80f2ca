package vpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/ecs/sdkshape"
)

const testEndpoint = "127.0.0.1:8080"

func newHandlers(t *testing.T) *Handlers {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint})
}

// assertSDKShape checks that every key of resp's JSON is a field of the classic
// SDK's services/vpc struct sdkType, with that field's JSON type.
func assertSDKShape(t *testing.T, resp any, sdkType string) {
	t.Helper()
	body, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "null") {
		t.Errorf("response has a null: %s", body)
	}
	pkg, err := sdkshape.Load(sdkshape.ClassicSDK, "services/vpc")
	if err != nil {
		t.Logf("SDK sources unavailable, check against %s skipped: %v", sdkType, err)
		return
	}
	for _, p := range pkg.Check(body, sdkType) {
		t.Errorf("%s: %s", sdkType, p)
	}
}

func assertAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("got %v, want %s (%d)", err, code, status)
	}
}

func TestDescribeRegionsListsEveryRegionWithThisServersEndpoint(t *testing.T) {
	resp, err := newHandlers(t).DescribeRegions(context.Background(), &DescribeRegionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeRegionsResponse")
	regions := resp.Regions.Region
	if len(regions) != 5 || regions[2].RegionId != "cn-hangzhou" || regions[2].LocalName != "华东1（杭州）" {
		t.Fatalf("regions %+v", regions)
	}
	for _, r := range regions {
		if r.RegionEndpoint != testEndpoint {
			t.Errorf("endpoint %+v", r)
		}
	}
	resp, _ = newHandlers(t).DescribeRegions(context.Background(), &DescribeRegionsRequest{AcceptLanguage: "en-US"})
	if resp.Regions.Region[1].LocalName != "China (Beijing)" {
		t.Errorf("en-US: %+v", resp.Regions.Region[1])
	}
}

func TestDescribeZonesListsTheRegionsAvailabilityZones(t *testing.T) {
	resp, err := newHandlers(t).DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, resp, "DescribeZonesResponse")
	var got []string
	for _, z := range resp.Zones.Zone {
		got = append(got, z.ZoneId+"/"+z.ZoneType+"/"+z.LocalName)
	}
	want := "cn-shanghai-b/AvailabilityZone/华东 2 可用区 B,cn-shanghai-e/AvailabilityZone/华东 2 可用区 E," +
		"cn-shanghai-g/AvailabilityZone/华东 2 可用区 G"
	if strings.Join(got, ",") != want {
		t.Errorf("zones %v", got)
	}
}

func TestDescribeZonesFiltersByZoneType(t *testing.T) {
	h := newHandlers(t)
	resp, _ := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-qingdao", ZoneType: "EdgeZone"})
	if len(resp.Zones.Zone) != 0 {
		t.Errorf("edge zones: %+v", resp.Zones.Zone)
	}
	assertSDKShape(t, resp, "DescribeZonesResponse")
	resp, _ = h.DescribeZones(context.Background(),
		&DescribeZonesRequest{RegionId: "cn-qingdao", ZoneType: "AvailabilityZone", AcceptLanguage: "en-US"})
	if len(resp.Zones.Zone) != 2 || resp.Zones.Zone[0].LocalName != "Qingdao Zone B" {
		t.Errorf("availability zones: %+v", resp.Zones.Zone)
	}
}

func TestDescribeZonesUnknownRegionIsInvalidRegionIdNotFound(t *testing.T) {
	h := newHandlers(t)
	_, err := h.DescribeZones(context.Background(), &DescribeZonesRequest{RegionId: "cn-atlantis"})
	assertAPIError(t, err, "InvalidRegionId.NotFound", http.StatusNotFound)
	_, err = h.DescribeZones(context.Background(), &DescribeZonesRequest{})
	assertAPIError(t, err, "MissingParameter", http.StatusBadRequest)
}
