package ecs

import (
	"slices"
	"strings"

	"github.com/ecsd/ecsd/internal/catalog"
)

// typeFilter keeps an instance type when it returns true.
type typeFilter func(catalog.InstanceType) bool

func keepAll(filters []typeFilter, t catalog.InstanceType) bool {
	for _, keep := range filters {
		if !keep(t) {
			return false
		}
	}
	return true
}

// instanceTypeFilters turns the filter parameters that were sent into filters.
func instanceTypeFilters(req *DescribeInstanceTypesRequest) []typeFilter {
	var fs []typeFilter
	add := func(f typeFilter) { fs = append(fs, f) }
	str := func(value string, get func(catalog.InstanceType) string) {
		if value != "" {
			add(func(t catalog.InstanceType) bool { return get(t) == value })
		}
	}
	oneOf := func(values []string, get func(catalog.InstanceType) string) {
		if len(values) > 0 {
			add(func(t catalog.InstanceType) bool { return slices.Contains(values, get(t)) })
		}
	}
	arch := func(catalog.InstanceType) string { return cpuArchitectureX86 }
	nvme := func(catalog.InstanceType) string { return nvmeUnsupported }
	str(req.InstanceTypeFamily, func(t catalog.InstanceType) string { return t.Family })
	oneOf(req.InstanceTypeFamilies, func(t catalog.InstanceType) string { return t.Family })
	oneOf(req.InstanceTypes, func(t catalog.InstanceType) string { return t.ID })
	str(req.InstanceCategory, func(t catalog.InstanceType) string { return t.Category })
	oneOf(req.InstanceCategories, func(t catalog.InstanceType) string { return t.Category })
	str(req.InstanceFamilyLevel, func(t catalog.InstanceType) string { return t.FamilyLevel })
	str(req.CpuArchitecture, arch)
	oneOf(req.CpuArchitectures, arch)
	oneOf(req.GpuSpecs, func(t catalog.InstanceType) string { return t.GPUSpec })
	str(req.LocalStorageCategory, func(t catalog.InstanceType) string { return t.LocalStorageCategory })
	oneOf(req.LocalStorageCategories, func(t catalog.InstanceType) string { return t.LocalStorageCategory })
	str(req.NvmeSupport, nvme)
	if req.GPUSpec != "" {
		q := strings.ToLower(req.GPUSpec)
		add(func(t catalog.InstanceType) bool {
			return t.GPUSpec != "" && strings.Contains(strings.ToLower(t.GPUSpec), q)
		})
	}
	return append(fs, boundFilters(req)...)
}

// boundFilters turns the Minimum*/Maximum* parameters that were sent into filters.
func boundFilters(req *DescribeInstanceTypesRequest) []typeFilter {
	var fs []typeFilter
	atLeast := func(bound *int, get func(catalog.InstanceType) int) {
		if bound != nil {
			b := *bound
			fs = append(fs, func(t catalog.InstanceType) bool { return get(t) >= b })
		}
	}
	atMost := func(bound *int, get func(catalog.InstanceType) int) {
		if bound != nil {
			b := *bound
			fs = append(fs, func(t catalog.InstanceType) bool { return get(t) <= b })
		}
	}
	atLeast64 := func(bound *int64, get func(catalog.InstanceType) int64) {
		if bound != nil {
			b := *bound
			fs = append(fs, func(t catalog.InstanceType) bool { return get(t) >= b })
		}
	}
	if req.MinimumMemorySize != nil {
		b := *req.MinimumMemorySize
		fs = append(fs, func(t catalog.InstanceType) bool { return t.MemorySize >= b })
	}
	if req.MaximumMemorySize != nil {
		b := *req.MaximumMemorySize
		fs = append(fs, func(t catalog.InstanceType) bool { return t.MemorySize <= b })
	}
	atLeast(req.MinimumCpuCoreCount, func(t catalog.InstanceType) int { return t.CPUCoreCount })
	atMost(req.MaximumCpuCoreCount, func(t catalog.InstanceType) int { return t.CPUCoreCount })
	atLeast(req.MinimumGPUAmount, func(t catalog.InstanceType) int { return t.GPUAmount })
	atMost(req.MaximumGPUAmount, func(t catalog.InstanceType) int { return t.GPUAmount })
	atLeast(req.MinimumEniQuantity, func(t catalog.InstanceType) int { return t.EniQuantity })
	atLeast(req.MinimumEniIpv6AddressQuantity, func(t catalog.InstanceType) int { return instanceType(t).EniIpv6AddressQuantity })
	atLeast(req.MinimumPrimaryEniQueueNumber, func(t catalog.InstanceType) int { return t.PrimaryEniQueueNumber })
	atLeast(req.MinimumInstanceBandwidthRx, func(t catalog.InstanceType) int { return t.InstanceBandwidthRx })
	atLeast(req.MinimumInstanceBandwidthTx, func(t catalog.InstanceType) int { return t.InstanceBandwidthTx })
	atLeast64(req.MinimumInstancePpsRx, func(t catalog.InstanceType) int64 { return t.InstancePpsRx })
	atLeast64(req.MinimumInstancePpsTx, func(t catalog.InstanceType) int64 { return t.InstancePpsTx })
	atLeast(req.MinimumLocalStorageAmount, func(t catalog.InstanceType) int { return t.LocalStorageAmount })
	atLeast64(req.MinimumLocalStorageCapacity, func(t catalog.InstanceType) int64 { return t.LocalStorageCapacity })
	atLeast(req.MinimumBaselineCredit, func(t catalog.InstanceType) int { return t.BaselineCredit })
	return fs
}
