package ecs

import (
	"context"
	"slices"

	"github.com/ecsd/ecsd/internal/catalog"
)

// Region status and zone type values of the SDK's Region and Zone structs.
const (
	regionStatusAvailable = "available"
	zoneTypeAvailability  = "AvailabilityZone"
	networkTypeVPC        = "vpc"
)

// DescribeRegionsRequest holds the parameters of DescribeRegions (guide 1.14.1).
type DescribeRegionsRequest struct {
	// RegionId is accepted (the front fills in the default) and not used.
	RegionId string `param:"RegionId"`
	// AcceptLanguage picks the language of LocalName: zh-CN (default), en-US, …
	AcceptLanguage string `param:"AcceptLanguage"`
	// InstanceChargeType and ResourceType are accepted; every region offers all.
	InstanceChargeType string `param:"InstanceChargeType"`
	// ResourceType is accepted; every region offers every resource type.
	ResourceType string `param:"ResourceType"`
}

// DescribeRegionsResponse is the answer of DescribeRegions.
type DescribeRegionsResponse struct {
	Regions Regions `json:"Regions"`
}

// Regions is the SDK's Regions container.
type Regions struct {
	Region []Region `json:"Region"`
}

// Region is one region (the guide's RegionType, with the SDK's extra fields).
type Region struct {
	RegionId       string `json:"RegionId"`
	LocalName      string `json:"LocalName"`
	RegionEndpoint string `json:"RegionEndpoint"`
	Status         string `json:"Status"`
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
			Status:         regionStatusAvailable,
		})
	}
	return resp, nil
}

// DescribeZonesRequest holds the parameters of DescribeZones (guide 1.14.2).
type DescribeZonesRequest struct {
	// RegionId is the region whose zones are listed.
	RegionId string `param:"RegionId,required"`
	// AcceptLanguage picks the language of LocalName: zh-CN (default), en-US, …
	AcceptLanguage string `param:"AcceptLanguage"`
	// Verbose (default true) includes the instance types and AvailableResources;
	// false answers only the zones' names, resource types and disk categories.
	Verbose *bool `param:"Verbose"`
	// InstanceChargeType is accepted; every zone sells every charge type.
	InstanceChargeType string `param:"InstanceChargeType"`
	// SpotStrategy is accepted; every zone sells every spot strategy.
	SpotStrategy string `param:"SpotStrategy"`
}

// DescribeZonesResponse is the answer of DescribeZones.
type DescribeZonesResponse struct {
	Zones Zones `json:"Zones"`
}

// Zones is the SDK's ZonesInDescribeZones container.
type Zones struct {
	Zone []Zone `json:"Zone"`
}

// Zone is one zone (the guide's ZoneType, with the SDK's extra fields).
type Zone struct {
	ZoneId                      string                      `json:"ZoneId"`
	LocalName                   string                      `json:"LocalName"`
	ZoneType                    string                      `json:"ZoneType"`
	AvailableResourceCreation   AvailableResourceCreation   `json:"AvailableResourceCreation"`
	AvailableDiskCategories     AvailableDiskCategories     `json:"AvailableDiskCategories"`
	AvailableVolumeCategories   AvailableVolumeCategories   `json:"AvailableVolumeCategories"`
	AvailableInstanceTypes      AvailableInstanceTypes      `json:"AvailableInstanceTypes"`
	AvailableResources          AvailableResources          `json:"AvailableResources"`
	AvailableDedicatedHostTypes AvailableDedicatedHostTypes `json:"AvailableDedicatedHostTypes"`
	DedicatedHostGenerations    DedicatedHostGenerations    `json:"DedicatedHostGenerations"`
	NetworkTypes                ZoneNetworkTypes            `json:"NetworkTypes"`
}

// AvailableResourceCreation lists the resource types a zone can create.
type AvailableResourceCreation struct {
	ResourceTypes []string `json:"ResourceTypes"`
}

// AvailableDiskCategories lists a zone's disk categories.
type AvailableDiskCategories struct {
	DiskCategories []string `json:"DiskCategories"`
}

// AvailableVolumeCategories lists a zone's volume categories (its disk categories).
type AvailableVolumeCategories struct {
	VolumeCategories []string `json:"VolumeCategories"`
}

// AvailableInstanceTypes lists the instance types sold in a zone.
type AvailableInstanceTypes struct {
	InstanceTypes []string `json:"InstanceTypes"`
}

// AvailableDedicatedHostTypes lists dedicated host types (ecsd has none).
type AvailableDedicatedHostTypes struct {
	DedicatedHostType []string `json:"DedicatedHostType"`
}

// DedicatedHostGenerations lists dedicated host generations (ecsd has none).
type DedicatedHostGenerations struct {
	DedicatedHostGeneration []string `json:"DedicatedHostGeneration"`
}

// ZoneNetworkTypes lists a zone's network types.
type ZoneNetworkTypes struct {
	NetworkType []string `json:"NetworkType"`
}

// AvailableResources is the SDK's AvailableResourcesInDescribeZones container.
type AvailableResources struct {
	ResourcesInfo []ResourcesInfo `json:"ResourcesInfo"`
}

// ResourcesInfo describes what can be created in a zone (the guide's
// AvailableResourcesType). Note the SDK's lower-case item names.
type ResourcesInfo struct {
	IoOptimized          bool                 `json:"IoOptimized"`
	SystemDiskCategories SystemDiskCategories `json:"SystemDiskCategories"`
	DataDiskCategories   DataDiskCategories   `json:"DataDiskCategories"`
	InstanceGenerations  InstanceGenerations  `json:"InstanceGenerations"`
	InstanceTypes        SupportedTypes       `json:"InstanceTypes"`
	InstanceTypeFamilies SupportedFamilies    `json:"InstanceTypeFamilies"`
	NetworkTypes         SupportedNetworks    `json:"NetworkTypes"`
}

// SystemDiskCategories lists the system disk categories of a ResourcesInfo.
type SystemDiskCategories struct {
	SupportedSystemDiskCategory []string `json:"supportedSystemDiskCategory"`
}

// DataDiskCategories lists the data disk categories of a ResourcesInfo.
type DataDiskCategories struct {
	SupportedDataDiskCategory []string `json:"supportedDataDiskCategory"`
}

// InstanceGenerations lists the instance series of a ResourcesInfo.
type InstanceGenerations struct {
	SupportedInstanceGeneration []string `json:"supportedInstanceGeneration"`
}

// SupportedTypes lists the instance types of a ResourcesInfo.
type SupportedTypes struct {
	SupportedInstanceType []string `json:"supportedInstanceType"`
}

// SupportedFamilies lists the instance families of a ResourcesInfo.
type SupportedFamilies struct {
	SupportedInstanceTypeFamily []string `json:"supportedInstanceTypeFamily"`
}

// SupportedNetworks lists the network types of a ResourcesInfo.
type SupportedNetworks struct {
	SupportedNetworkCategory []string `json:"supportedNetworkCategory"`
}

// DescribeZones lists the zones of a region. An unknown region is
// InvalidRegionId.NotFound (404).
func (h *Handlers) DescribeZones(_ context.Context, req *DescribeZonesRequest) (*DescribeZonesResponse, error) {
	r, err := h.region(req.RegionId)
	if err != nil {
		return nil, err
	}
	verbose := req.Verbose == nil || *req.Verbose
	resp := &DescribeZonesResponse{Zones: Zones{Zone: []Zone{}}}
	for _, z := range r.Zones {
		resp.Zones.Zone = append(resp.Zones.Zone, h.zone(z, req.AcceptLanguage, verbose))
	}
	return resp, nil
}

// zone renders one catalog zone. Instance types (and so AvailableResources) are
// listed only when verbose and when the zone can create instances at all.
func (h *Handlers) zone(z catalog.Zone, lang string, verbose bool) Zone {
	out := Zone{
		ZoneId:                      z.ZoneID,
		LocalName:                   z.Name(lang),
		ZoneType:                    zoneTypeAvailability,
		AvailableResourceCreation:   AvailableResourceCreation{ResourceTypes: list(z.ResourceTypes)},
		AvailableDiskCategories:     AvailableDiskCategories{DiskCategories: list(z.DiskCategories)},
		AvailableVolumeCategories:   AvailableVolumeCategories{VolumeCategories: list(z.DiskCategories)},
		AvailableInstanceTypes:      AvailableInstanceTypes{InstanceTypes: []string{}},
		AvailableResources:          AvailableResources{ResourcesInfo: []ResourcesInfo{}},
		AvailableDedicatedHostTypes: AvailableDedicatedHostTypes{DedicatedHostType: []string{}},
		DedicatedHostGenerations:    DedicatedHostGenerations{DedicatedHostGeneration: []string{}},
		NetworkTypes:                ZoneNetworkTypes{NetworkType: []string{networkTypeVPC}},
	}
	if !verbose || !slices.Contains(z.ResourceTypes, "Instance") {
		return out
	}
	var ids, families, generations []string
	for _, t := range h.deps.Catalog.ZoneInstanceTypes(z.ZoneID) {
		ids = append(ids, t.ID)
		if !slices.Contains(families, t.Family) {
			families = append(families, t.Family)
		}
		if !slices.Contains(generations, t.Generation) {
			generations = append(generations, t.Generation)
		}
	}
	slices.Sort(generations)
	out.AvailableInstanceTypes.InstanceTypes = list(ids)
	out.AvailableResources.ResourcesInfo = []ResourcesInfo{{
		IoOptimized:          true,
		SystemDiskCategories: SystemDiskCategories{SupportedSystemDiskCategory: list(z.DiskCategories)},
		DataDiskCategories:   DataDiskCategories{SupportedDataDiskCategory: list(z.DiskCategories)},
		InstanceGenerations:  InstanceGenerations{SupportedInstanceGeneration: list(generations)},
		InstanceTypes:        SupportedTypes{SupportedInstanceType: list(ids)},
		InstanceTypeFamilies: SupportedFamilies{SupportedInstanceTypeFamily: list(families)},
		NetworkTypes:         SupportedNetworks{SupportedNetworkCategory: []string{networkTypeVPC}},
	}}
	return out
}
