package ecs

import (
	"context"
	"slices"

	"github.com/ecsd/ecsd/internal/catalog"
)

// DescribeAvailableResource is not in the guide; Terraform's zones and
// instance_types data sources read it (clients.md §4.3). It answers from the
// catalog's topology: ecsd never runs out of stock, so every resource a zone
// offers is Available / WithStock.

// Values of DescribeAvailableResource.
const (
	resourceStatusAvailable = "Available"
	resourceStockWith       = "WithStock"
	resourceUnitGiB         = "GiB"
	ioOptimized             = "optimized"
	ioNotOptimized          = "none"
)

// Disk size ranges in GiB of RunInstances (guide 1.5.1), which the service
// enforces: a system disk takes 20–500, a data disk its category's range.
const (
	systemDiskMinGiB = 20
	systemDiskMaxGiB = 500
)

// dataDiskRange is the size range of a data disk category (guide 1.5.1, and
// Alibaba Cloud's for cloud_essd).
func dataDiskRange(category string) (lo, hi int) {
	if category == "cloud" {
		return 5, 2000
	}
	return 20, 32768
}

// DescribeAvailableResourceRequest holds the parameters of
// DescribeAvailableResource (SDK).
type DescribeAvailableResourceRequest struct {
	RegionId string `param:"RegionId"`
	// DestinationResource is what to list: zones, I/O optimisation, instance
	// types, system or data disk categories, network types (ddh: none).
	DestinationResource string `param:"DestinationResource,required" enum:"Zone|IoOptimized|InstanceType|SystemDisk|DataDisk|Network|ddh"`
	ZoneId              string `param:"ZoneId"`
	// IoOptimized narrows to types that are (optimized) or are not (none, the
	// series I types) I/O optimised, and the disk categories they take.
	IoOptimized        string   `param:"IoOptimized" enum:"optimized|none"`
	InstanceType       string   `param:"InstanceType"`
	SystemDiskCategory string   `param:"SystemDiskCategory"`
	DataDiskCategory   string   `param:"DataDiskCategory"`
	NetworkCategory    string   `param:"NetworkCategory" enum:"vpc|classic"`
	Cores              *int     `param:"Cores"`
	Memory             *float64 `param:"Memory"`
	// ResourceType is instance (default) or disk: what the zone must be able
	// to create.
	ResourceType string `param:"ResourceType" enum:"instance|disk|reservedinstance|ddh"`
	// InstanceChargeType, SpotStrategy, SpotDuration, Scope and DedicatedHostId
	// are accepted: every zone sells every one of them the same.
	InstanceChargeType string `param:"InstanceChargeType" enum:"PrePaid|PostPaid"`
	SpotStrategy       string `param:"SpotStrategy" enum:"NoSpot|SpotWithPriceLimit|SpotAsPriceGo"`
	SpotDuration       *int   `param:"SpotDuration"`
	Scope              string `param:"Scope"`
	DedicatedHostId    string `param:"DedicatedHostId"`
}

// DescribeAvailableResourceResponse is the answer of DescribeAvailableResource.
type DescribeAvailableResourceResponse struct {
	AvailableZones AvailableZones `json:"AvailableZones"`
}

// AvailableZones is the SDK's AvailableZones container.
type AvailableZones struct {
	AvailableZone []AvailableZone `json:"AvailableZone"`
}

// AvailableZone is one zone and what it offers of the destination resource.
type AvailableZone struct {
	RegionId           string                 `json:"RegionId"`
	ZoneId             string                 `json:"ZoneId"`
	Status             string                 `json:"Status"`
	StatusCategory     string                 `json:"StatusCategory"`
	AvailableResources ZoneAvailableResources `json:"AvailableResources"`
}

// ZoneAvailableResources is the SDK's AvailableResources container of an
// AvailableZone.
type ZoneAvailableResources struct {
	AvailableResource []AvailableResource `json:"AvailableResource"`
}

// AvailableResource lists the values of one resource type.
type AvailableResource struct {
	Type               string             `json:"Type"`
	SupportedResources SupportedResources `json:"SupportedResources"`
}

// SupportedResources is the SDK's SupportedResources container.
type SupportedResources struct {
	SupportedResource []SupportedResource `json:"SupportedResource"`
}

// SupportedResource is one value (a zone, a type, a category); disks carry
// their size range.
type SupportedResource struct {
	Value          string `json:"Value"`
	Status         string `json:"Status"`
	StatusCategory string `json:"StatusCategory"`
	Min            int    `json:"Min,omitempty"`
	Max            int    `json:"Max,omitempty"`
	Unit           string `json:"Unit,omitempty"`
}

// DescribeAvailableResource lists, zone by zone, what the region offers of
// DestinationResource under the given conditions; zones offering nothing are
// left out.
func (h *Handlers) DescribeAvailableResource(_ context.Context, req *DescribeAvailableResourceRequest) (*DescribeAvailableResourceResponse, error) {
	r, err := h.region(req.RegionId)
	if err != nil {
		return nil, err
	}
	resp := &DescribeAvailableResourceResponse{AvailableZones: AvailableZones{AvailableZone: []AvailableZone{}}}
	for _, z := range r.Zones {
		if req.ZoneId != "" && z.ZoneID != req.ZoneId {
			continue
		}
		values := h.zoneResources(z, req)
		if len(values) == 0 {
			continue
		}
		resp.AvailableZones.AvailableZone = append(resp.AvailableZones.AvailableZone, AvailableZone{
			RegionId: r.RegionID, ZoneId: z.ZoneID, Status: resourceStatusAvailable, StatusCategory: resourceStockWith,
			AvailableResources: ZoneAvailableResources{AvailableResource: []AvailableResource{{
				Type: req.DestinationResource, SupportedResources: SupportedResources{SupportedResource: values},
			}}},
		})
	}
	return resp, nil
}

// zoneResources returns what zone z offers of the request's destination.
func (h *Handlers) zoneResources(z catalog.Zone, req *DescribeAvailableResourceRequest) []SupportedResource {
	if req.NetworkCategory == "classic" || req.DestinationResource == "ddh" {
		return nil
	}
	diskOnly := req.ResourceType == "disk"
	need := "Instance"
	if diskOnly {
		need = "Disk"
	}
	if !slices.Contains(z.ResourceTypes, need) {
		return nil
	}
	types := h.zoneTypes(z, req)
	if !diskOnly && len(types) == 0 {
		return nil
	}
	optimized, plain := ioKinds(types)
	if diskOnly {
		optimized = true
	}
	sys := diskCategories(z, req.SystemDiskCategory, optimized, plain)
	data := diskCategories(z, req.DataDiskCategory, optimized, plain)
	if req.SystemDiskCategory != "" && len(sys) == 0 || req.DataDiskCategory != "" && len(data) == 0 {
		return nil
	}
	var out []SupportedResource
	add := func(value string, lo, hi int, unit string) {
		out = append(out, SupportedResource{Value: value, Status: resourceStatusAvailable, StatusCategory: resourceStockWith,
			Min: lo, Max: hi, Unit: unit})
	}
	switch req.DestinationResource {
	case "Zone":
		add(z.ZoneID, 0, 0, "")
	case "Network":
		add("vpc", 0, 0, "")
	case "IoOptimized":
		if optimized {
			add(ioOptimized, 0, 0, "")
		}
		if plain {
			add(ioNotOptimized, 0, 0, "")
		}
	case "InstanceType":
		for _, t := range types {
			add(t.ID, 0, 0, "")
		}
	case "SystemDisk":
		for _, c := range sys {
			add(c, systemDiskMinGiB, systemDiskMaxGiB, resourceUnitGiB)
		}
	case "DataDisk":
		for _, c := range data {
			lo, hi := dataDiskRange(c)
			add(c, lo, hi, resourceUnitGiB)
		}
	}
	return out
}

// zoneTypes returns the zone's instance types that match the request's
// InstanceType, Cores, Memory and IoOptimized (series I types are the ones
// that are not I/O optimised).
func (h *Handlers) zoneTypes(z catalog.Zone, req *DescribeAvailableResourceRequest) []catalog.InstanceType {
	var out []catalog.InstanceType
	for _, t := range h.deps.Catalog.ZoneInstanceTypes(z.ZoneID) {
		plain := t.Generation == catalog.Generation1
		switch {
		case req.InstanceType != "" && t.ID != req.InstanceType,
			req.Cores != nil && t.CPUCoreCount != *req.Cores,
			req.Memory != nil && t.MemorySize != *req.Memory,
			req.IoOptimized == ioOptimized && plain,
			req.IoOptimized == ioNotOptimized && !plain:
			continue
		}
		out = append(out, t)
	}
	return out
}

// ioKinds reports whether types hold I/O optimised and non-optimised ones.
func ioKinds(types []catalog.InstanceType) (optimized, plain bool) {
	for _, t := range types {
		if t.Generation == catalog.Generation1 {
			plain = true
		} else {
			optimized = true
		}
	}
	return optimized, plain
}

// diskCategories returns the zone's disk categories (only want, when given)
// that instances of the I/O kinds found can take: a non-optimised instance
// takes only basic cloud disks.
func diskCategories(z catalog.Zone, want string, optimized, plain bool) []string {
	var out []string
	for _, c := range z.DiskCategories {
		if want != "" && c != want || !optimized && !(plain && c == "cloud") {
			continue
		}
		out = append(out, c)
	}
	return out
}
