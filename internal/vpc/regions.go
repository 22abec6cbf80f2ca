package vpc

import (
	"context"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// zoneTypeAvailability is the ZoneType of every ecsd zone (there are no edge zones).
const zoneTypeAvailability = "AvailabilityZone"

// DescribeRegionsRequest holds the parameters of VPC's DescribeRegions.
type DescribeRegionsRequest struct {
	// RegionId is accepted (the front fills in the default) and not used.
	RegionId string `param:"RegionId"`
	// AcceptLanguage picks the language of LocalName: zh-CN (default), en-US, …
	AcceptLanguage string `param:"AcceptLanguage"`
	// ProductType is accepted; every region offers every VPC product.
	ProductType string `param:"ProductType"`
}

// DescribeRegionsResponse is the answer of DescribeRegions.
type DescribeRegionsResponse struct {
	Regions Regions `json:"Regions"`
}

// Regions is the SDK's Regions container.
type Regions struct {
	Region []Region `json:"Region"`
}

// Region is one region as VPC's SDK struct has it (no Status, unlike ECS).
type Region struct {
	RegionId       string `json:"RegionId"`
	LocalName      string `json:"LocalName"`
	RegionEndpoint string `json:"RegionEndpoint"`
}

// DescribeRegions lists every region of the topology, in topology order.
func (h *Handlers) DescribeRegions(_ context.Context, req *DescribeRegionsRequest) (*DescribeRegionsResponse, error) {
	resp := &DescribeRegionsResponse{Regions: Regions{Region: []Region{}}}
	for _, r := range h.deps.Catalog.Regions() {
		endpoint := r.Endpoint
		if endpoint == "" {
			endpoint = h.deps.Endpoint
		}
		resp.Regions.Region = append(resp.Regions.Region, Region{
			RegionId:       r.RegionID,
			LocalName:      r.Name(req.AcceptLanguage),
			RegionEndpoint: endpoint,
		})
	}
	return resp, nil
}

// DescribeZonesRequest holds the parameters of VPC's DescribeZones.
type DescribeZonesRequest struct {
	// RegionId is the region whose zones are listed.
	RegionId string `param:"RegionId,required"`
	// AcceptLanguage picks the language of LocalName: zh-CN (default), en-US, …
	AcceptLanguage string `param:"AcceptLanguage"`
	// ZoneType keeps zones of one type: AvailabilityZone (every ecsd zone) or
	// EdgeZone (none).
	ZoneType string `param:"ZoneType"`
}

// DescribeZonesResponse is the answer of DescribeZones.
type DescribeZonesResponse struct {
	Zones Zones `json:"Zones"`
}

// Zones is the SDK's ZonesInDescribeZones container.
type Zones struct {
	Zone []Zone `json:"Zone"`
}

// Zone is one zone as VPC's SDK struct has it.
type Zone struct {
	ZoneId    string `json:"ZoneId"`
	LocalName string `json:"LocalName"`
	ZoneType  string `json:"ZoneType"`
}

// DescribeZones lists the zones of a region. An unknown region is
// InvalidRegionId.NotFound (404).
func (h *Handlers) DescribeZones(_ context.Context, req *DescribeZonesRequest) (*DescribeZonesResponse, error) {
	if req.RegionId == "" {
		return nil, apierr.MissingParameter("RegionId")
	}
	r, ok := h.deps.Catalog.Region(req.RegionId)
	if !ok {
		return nil, apierr.ErrRegionNotFound()
	}
	resp := &DescribeZonesResponse{Zones: Zones{Zone: []Zone{}}}
	if req.ZoneType != "" && req.ZoneType != zoneTypeAvailability {
		return resp, nil
	}
	for _, z := range r.Zones {
		resp.Zones.Zone = append(resp.Zones.Zone, Zone{
			ZoneId:    z.ZoneID,
			LocalName: z.Name(req.AcceptLanguage),
			ZoneType:  zoneTypeAvailability,
		})
	}
	return resp, nil
}
