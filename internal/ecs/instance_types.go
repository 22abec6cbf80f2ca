package ecs

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
)

// maxInstanceTypesPage is DescribeInstanceTypes' largest (and default) MaxResults.
const maxInstanceTypesPage = 1600

// DescribeInstanceTypesRequest holds the parameters of DescribeInstanceTypes
// (guide 1.5.14: InstanceTypeFamily) plus the SDK's newer filters that the
// catalog can answer truthfully. Clients of the v7 SDK send no RegionId;
// instance types are the same in every region, so it is not used.
type DescribeInstanceTypesRequest struct {
	// RegionId is accepted and not used.
	RegionId string `param:"RegionId"`
	// InstanceTypeFamily keeps the types of one family (the guide's filter).
	InstanceTypeFamily string `param:"InstanceTypeFamily"`
	// InstanceTypeFamilies keeps the types of any of these families.
	InstanceTypeFamilies []string `param:"InstanceTypeFamilies" maxItems:"10"`
	// InstanceTypes keeps only these instance types.
	InstanceTypes []string `param:"InstanceTypes" maxItems:"10"`
	// InstanceCategory keeps one category, e.g. "General-purpose".
	InstanceCategory string `param:"InstanceCategory"`
	// InstanceCategories keeps any of these categories.
	InstanceCategories []string `param:"InstanceCategories" maxItems:"10"`
	// InstanceFamilyLevel keeps one level.
	InstanceFamilyLevel string `param:"InstanceFamilyLevel" enum:"EntryLevel|EnterpriseLevel|CreditEntryLevel"`
	// CpuArchitecture keeps one architecture (every type of the guide is X86).
	CpuArchitecture string `param:"CpuArchitecture" enum:"X86|ARM"`
	// CpuArchitectures keeps any of these architectures.
	CpuArchitectures []string `param:"CpuArchitectures" maxItems:"2"`
	// GPUSpec keeps types whose GPU model contains it (case-insensitive).
	GPUSpec string `param:"GPUSpec"`
	// GpuSpecs keeps types with one of these GPU models.
	GpuSpecs []string `param:"GpuSpecs" maxItems:"10"`
	// LocalStorageCategory keeps types with this local disk category.
	LocalStorageCategory string `param:"LocalStorageCategory" enum:"local_hdd_pro|local_ssd_pro"`
	// LocalStorageCategories keeps types with any of these local disk categories.
	LocalStorageCategories []string `param:"LocalStorageCategories" maxItems:"2"`
	// NvmeSupport keeps types by NVMe cloud-disk support (none of the guide's has it).
	NvmeSupport string `param:"NvmeSupport" enum:"required|unsupported"`

	// Numeric bounds: a type is kept when its value is within every bound sent.
	MinimumCpuCoreCount           *int     `param:"MinimumCpuCoreCount"`
	MaximumCpuCoreCount           *int     `param:"MaximumCpuCoreCount"`
	MinimumMemorySize             *float64 `param:"MinimumMemorySize"`
	MaximumMemorySize             *float64 `param:"MaximumMemorySize"`
	MinimumGPUAmount              *int     `param:"MinimumGPUAmount"`
	MaximumGPUAmount              *int     `param:"MaximumGPUAmount"`
	MinimumEniQuantity            *int     `param:"MinimumEniQuantity"`
	MinimumEniIpv6AddressQuantity *int     `param:"MinimumEniIpv6AddressQuantity"`
	MinimumPrimaryEniQueueNumber  *int     `param:"MinimumPrimaryEniQueueNumber"`
	MinimumInstanceBandwidthRx    *int     `param:"MinimumInstanceBandwidthRx"`
	MinimumInstanceBandwidthTx    *int     `param:"MinimumInstanceBandwidthTx"`
	MinimumInstancePpsRx          *int64   `param:"MinimumInstancePpsRx"`
	MinimumInstancePpsTx          *int64   `param:"MinimumInstancePpsTx"`
	MinimumLocalStorageAmount     *int     `param:"MinimumLocalStorageAmount"`
	MinimumLocalStorageCapacity   *int64   `param:"MinimumLocalStorageCapacity"`
	MinimumBaselineCredit         *int     `param:"MinimumBaselineCredit"`

	// MaxResults is the page size, 1 to 1600 (default 1600).
	MaxResults *int `param:"MaxResults" min:"1" max:"1600"`
	// NextToken is the NextToken of the previous page.
	NextToken string `param:"NextToken"`
}

// DescribeInstanceTypesResponse is the answer of DescribeInstanceTypes.
type DescribeInstanceTypesResponse struct {
	// NextToken continues the listing; empty on the last page.
	NextToken     string        `json:"NextToken"`
	InstanceTypes InstanceTypes `json:"InstanceTypes"`
}

// InstanceTypes is the SDK's InstanceTypesInDescribeInstanceTypes container.
type InstanceTypes struct {
	InstanceType []InstanceType `json:"InstanceType"`
}

// InstanceType is one instance type (the guide's InstanceTypeItem with the SDK's
// fields that the guide's table fills). Fields the real service omits when they
// do not apply (local storage sizes, burst credits) are omitted likewise.
type InstanceType struct {
	InstanceTypeId         string  `json:"InstanceTypeId"`
	InstanceTypeFamily     string  `json:"InstanceTypeFamily"`
	Generation             string  `json:"Generation"`
	InstanceCategory       string  `json:"InstanceCategory"`
	InstanceFamilyLevel    string  `json:"InstanceFamilyLevel"`
	CpuArchitecture        string  `json:"CpuArchitecture"`
	CpuCoreCount           int     `json:"CpuCoreCount"`
	MemorySize             float64 `json:"MemorySize"`
	EniQuantity            int     `json:"EniQuantity"`
	EniIpv6AddressQuantity int     `json:"EniIpv6AddressQuantity"`
	PrimaryEniQueueNumber  int     `json:"PrimaryEniQueueNumber"`
	InstanceBandwidthRx    int     `json:"InstanceBandwidthRx"`
	InstanceBandwidthTx    int     `json:"InstanceBandwidthTx"`
	InstancePpsRx          int64   `json:"InstancePpsRx"`
	InstancePpsTx          int64   `json:"InstancePpsTx"`
	GPUAmount              int     `json:"GPUAmount"`
	GPUSpec                string  `json:"GPUSpec"`
	LocalStorageCategory   string  `json:"LocalStorageCategory"`
	LocalStorageAmount     int     `json:"LocalStorageAmount,omitempty"`
	LocalStorageCapacity   int64   `json:"LocalStorageCapacity,omitempty"`
	BaselineCredit         int     `json:"BaselineCredit,omitempty"`
	NvmeSupport            string  `json:"NvmeSupport"`
}

// Values the guide's instance types share.
const (
	cpuArchitectureX86 = "X86"
	nvmeUnsupported    = "unsupported"
)

// DescribeInstanceTypes lists the instance types that pass every filter sent, in
// the guide's order, one page at a time.
func (h *Handlers) DescribeInstanceTypes(_ context.Context, req *DescribeInstanceTypesRequest) (*DescribeInstanceTypesResponse, error) {
	size := maxInstanceTypesPage
	if req.MaxResults != nil {
		if *req.MaxResults < 1 || *req.MaxResults > maxInstanceTypesPage {
			return nil, apierr.InvalidParameter("MaxResults")
		}
		size = *req.MaxResults
	}
	start := 0
	if req.NextToken != "" {
		var ok bool
		if start, ok = parsePageToken(req.NextToken); !ok {
			return nil, apierr.InvalidParameter("NextToken")
		}
	}
	keep := instanceTypeFilters(req)
	var matched []catalog.InstanceType
	for _, t := range h.deps.Catalog.InstanceTypes("") {
		if keepAll(keep, t) {
			matched = append(matched, t)
		}
	}
	if start > len(matched) {
		return nil, apierr.InvalidParameter("NextToken")
	}
	resp := &DescribeInstanceTypesResponse{InstanceTypes: InstanceTypes{InstanceType: []InstanceType{}}}
	end := min(start+size, len(matched))
	for _, t := range matched[start:end] {
		resp.InstanceTypes.InstanceType = append(resp.InstanceTypes.InstanceType, instanceType(t))
	}
	if end < len(matched) {
		resp.NextToken = pageToken(end)
	}
	return resp, nil
}

// instanceType renders one catalog instance type.
func instanceType(t catalog.InstanceType) InstanceType {
	ipv6 := 0
	if t.IPv6Supported {
		ipv6 = 1
	}
	return InstanceType{
		InstanceTypeId:         t.ID,
		InstanceTypeFamily:     t.Family,
		Generation:             t.Generation,
		InstanceCategory:       t.Category,
		InstanceFamilyLevel:    t.FamilyLevel,
		CpuArchitecture:        cpuArchitectureX86,
		CpuCoreCount:           t.CPUCoreCount,
		MemorySize:             t.MemorySize,
		EniQuantity:            t.EniQuantity,
		EniIpv6AddressQuantity: ipv6,
		PrimaryEniQueueNumber:  t.PrimaryEniQueueNumber,
		InstanceBandwidthRx:    t.InstanceBandwidthRx,
		InstanceBandwidthTx:    t.InstanceBandwidthTx,
		InstancePpsRx:          t.InstancePpsRx,
		InstancePpsTx:          t.InstancePpsTx,
		GPUAmount:              t.GPUAmount,
		GPUSpec:                t.GPUSpec,
		LocalStorageCategory:   t.LocalStorageCategory,
		LocalStorageAmount:     t.LocalStorageAmount,
		LocalStorageCapacity:   t.LocalStorageCapacity,
		BaselineCredit:         t.BaselineCredit,
		NvmeSupport:            nvmeUnsupported,
	}
}

// pageTokenPrefix marks ecsd's DescribeInstanceTypes tokens (an offset).
const pageTokenPrefix = "it:"

func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pageTokenPrefix + strconv.Itoa(offset)))
}

func parsePageToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	s, ok := strings.CutPrefix(string(raw), pageTokenPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// DescribeInstanceTypeFamiliesRequest holds the parameters of
// DescribeInstanceTypeFamilies (guide 1.5.13).
type DescribeInstanceTypeFamiliesRequest struct {
	// RegionId is the region whose families are listed.
	RegionId string `param:"RegionId,required"`
	// Generation keeps one series: ecs-1, ecs-2 or ecs-3.
	Generation string `param:"Generation" enum:"ecs-1|ecs-2|ecs-3"`
}

// DescribeInstanceTypeFamiliesResponse is the answer of DescribeInstanceTypeFamilies.
type DescribeInstanceTypeFamiliesResponse struct {
	InstanceTypeFamilies InstanceTypeFamilies `json:"InstanceTypeFamilies"`
}

// InstanceTypeFamilies is the SDK's InstanceTypeFamiliesInDescribeInstanceTypeFamilies.
type InstanceTypeFamilies struct {
	InstanceTypeFamily []InstanceTypeFamily `json:"InstanceTypeFamily"`
}

// InstanceTypeFamily is one family (the guide's InstanceTypeFamilyItemType).
type InstanceTypeFamily struct {
	InstanceTypeFamilyId string `json:"InstanceTypeFamilyId"`
	Generation           string `json:"Generation"`
}

// DescribeInstanceTypeFamilies lists the families sold in the region's zones, in
// the guide's order, optionally of one Generation. An unknown region is
// InvalidRegionId.NotFound; a Generation other than ecs-1/2/3 is InvalidParameter.
func (h *Handlers) DescribeInstanceTypeFamilies(_ context.Context, req *DescribeInstanceTypeFamiliesRequest) (*DescribeInstanceTypeFamiliesResponse, error) {
	if req.Generation != "" && !catalog.ValidGeneration(req.Generation) {
		return nil, apierr.InvalidParameter("Generation")
	}
	r, err := h.region(req.RegionId)
	if err != nil {
		return nil, err
	}
	fams, _ := h.deps.Catalog.RegionFamilies(r.RegionID, req.Generation)
	resp := &DescribeInstanceTypeFamiliesResponse{
		InstanceTypeFamilies: InstanceTypeFamilies{InstanceTypeFamily: []InstanceTypeFamily{}},
	}
	for _, f := range fams {
		resp.InstanceTypeFamilies.InstanceTypeFamily = append(resp.InstanceTypeFamilies.InstanceTypeFamily,
			InstanceTypeFamily{InstanceTypeFamilyId: f.ID, Generation: f.Generation})
	}
	return resp, nil
}
