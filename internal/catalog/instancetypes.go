package catalog

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The instance-type series ("Generation") values of the guide's
// DescribeInstanceTypeFamilies (section 1.5.13).
const (
	// Generation1 is Series I: the first families (t1, s1, s2, s3, m1, m2, c1, c2).
	Generation1 = "ecs-1"
	// Generation2 is Series II: n1, n2, e3.
	Generation2 = "ecs-2"
	// Generation3 is Series III: every newer family of the guide.
	Generation3 = "ecs-3"
)

// Generations returns the valid Generation values in order.
func Generations() []string { return []string{Generation1, Generation2, Generation3} }

// ValidGeneration reports whether g is one of the guide's Generation values.
func ValidGeneration(g string) bool {
	return g == Generation1 || g == Generation2 || g == Generation3
}

// InstanceType is one row of the guide's instance-type table. JSON names are
// those of the data file, which match the SDK's InstanceType fields where the
// SDK has one. Zero means "not given by the guide" for every optional field.
type InstanceType struct {
	// ID is the instance type, e.g. "ecs.g5.large".
	ID string `json:"InstanceTypeId"`
	// Family is the instance family, e.g. "ecs.g5".
	Family string `json:"InstanceTypeFamily"`
	// FamilyLabel is the guide's (Chinese) family label, spaces removed.
	FamilyLabel string `json:"FamilyLabel,omitempty"`
	// Generation is the family's series: Generation1, 2 or 3.
	Generation string `json:"Generation"`
	// Category is the SDK's InstanceCategory ("General-purpose", "Shared", …).
	Category string `json:"InstanceCategory,omitempty"`
	// FamilyLevel is the SDK's InstanceFamilyLevel: EntryLevel, EnterpriseLevel
	// or CreditEntryLevel.
	FamilyLevel string `json:"InstanceFamilyLevel,omitempty"`
	// CPUCoreCount is the number of vCPUs.
	CPUCoreCount int `json:"CpuCoreCount"`
	// MemorySize is the memory in GiB.
	MemorySize float64 `json:"MemorySize"`
	// EniQuantity is the number of ENIs, the primary one included.
	EniQuantity int `json:"EniQuantity,omitempty"`
	// PrimaryEniQueueNumber is the guide's "多队列" (NIC queues) column.
	PrimaryEniQueueNumber int `json:"PrimaryEniQueueNumber,omitempty"`
	// IPv6Supported is true for the guide's IPv6-capable families.
	IPv6Supported bool `json:"Ipv6Supported,omitempty"`
	// InstanceBandwidthRx is the inbound internal bandwidth in Kbit/s.
	InstanceBandwidthRx int `json:"InstanceBandwidthRx,omitempty"`
	// InstanceBandwidthTx is the outbound internal bandwidth in Kbit/s.
	InstanceBandwidthTx int `json:"InstanceBandwidthTx,omitempty"`
	// InstancePpsRx is the inbound packet rate in packets/s.
	InstancePpsRx int64 `json:"InstancePpsRx,omitempty"`
	// InstancePpsTx is the outbound packet rate in packets/s.
	InstancePpsTx int64 `json:"InstancePpsTx,omitempty"`
	// LocalStorageCategory is local_ssd_pro or local_hdd_pro when the type has local disks.
	LocalStorageCategory string `json:"LocalStorageCategory,omitempty"`
	// LocalStorageAmount is the number of local disks.
	LocalStorageAmount int `json:"LocalStorageAmount,omitempty"`
	// LocalStorageCapacity is the size of each local disk in GiB.
	LocalStorageCapacity int64 `json:"LocalStorageCapacity,omitempty"`
	// GPUAmount is the number of GPU devices (1 for a fractional virtual GPU).
	GPUAmount int `json:"GPUAmount,omitempty"`
	// GPUShare is the fraction of a physical GPU when the guide gives one (ga1).
	GPUShare float64 `json:"GPUShare,omitempty"`
	// GPUSpec is the GPU model, e.g. "NVIDIA P100".
	GPUSpec string `json:"GPUSpec,omitempty"`
	// FPGAAmount is the number of FPGAs.
	FPGAAmount int `json:"FPGAAmount,omitempty"`
	// FPGASpec is the FPGA model.
	FPGASpec string `json:"FPGASpec,omitempty"`
	// BaselineCredit is the baseline CPU performance in percent (burstable types).
	BaselineCredit int `json:"BaselineCredit,omitempty"`
	// CPUCreditsPerHour is the CPU credits earned per hour (burstable types).
	CPUCreditsPerHour int `json:"CpuCreditsPerHour,omitempty"`
	// MaxCPUCreditBalance is the maximum CPU credit balance (burstable types).
	MaxCPUCreditBalance int `json:"MaxCpuCreditBalance,omitempty"`
	// Legacy marks types the guide lists only for environments upgraded from V2.
	Legacy bool `json:"Legacy,omitempty"`
	// SourceLine is the line of the row in the guide (seed file).
	SourceLine int `json:"SourceLine"`
}

// Family is an instance family and its series.
type Family struct {
	// ID is the family, e.g. "ecs.g5".
	ID string
	// Generation is the family's series: Generation1, 2 or 3.
	Generation string
	// Label is the guide's family label.
	Label string
}

//go:embed data/instance_types.json
var instanceTypesJSON string

// instanceTypesFile is the shape of data/instance_types.json.
type instanceTypesFile struct {
	Source        string
	Note          string
	InstanceTypes []InstanceType
}

// EmbeddedInstanceTypes decodes the instance types compiled into the binary, in
// the guide's order. Every call returns a fresh slice.
func EmbeddedInstanceTypes() ([]InstanceType, error) {
	dec := json.NewDecoder(strings.NewReader(instanceTypesJSON))
	dec.DisallowUnknownFields()
	var f instanceTypesFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: embedded instance types: %w", err)
	}
	if err := validateInstanceTypes(f.InstanceTypes); err != nil {
		return nil, fmt.Errorf("catalog: embedded instance types: %w", err)
	}
	return f.InstanceTypes, nil
}

func validateInstanceTypes(types []InstanceType) error {
	if len(types) == 0 {
		return errors.New("no instance types")
	}
	seen := make(map[string]bool, len(types))
	var errs []error
	for _, t := range types {
		switch {
		case !strings.HasPrefix(t.ID, "ecs."):
			errs = append(errs, fmt.Errorf("instance type %q: ID must start with \"ecs.\"", t.ID))
		case seen[t.ID]:
			errs = append(errs, fmt.Errorf("instance type %q: listed twice", t.ID))
		case !strings.HasPrefix(t.Family, "ecs."):
			errs = append(errs, fmt.Errorf("instance type %q: bad family %q", t.ID, t.Family))
		case !ValidGeneration(t.Generation):
			errs = append(errs, fmt.Errorf("instance type %q: bad generation %q", t.ID, t.Generation))
		case t.CPUCoreCount <= 0 || t.MemorySize <= 0:
			errs = append(errs, fmt.Errorf("instance type %q: CPU and memory must be positive", t.ID))
		}
		seen[t.ID] = true
	}
	return errors.Join(errs...)
}

// familiesOf lists the families of types in order of first appearance; a family
// whose types disagree on the generation is an error.
func familiesOf(types []InstanceType) ([]Family, error) {
	var fams []Family
	idx := map[string]int{}
	for _, t := range types {
		i, ok := idx[t.Family]
		if !ok {
			idx[t.Family] = len(fams)
			fams = append(fams, Family{ID: t.Family, Generation: t.Generation, Label: t.FamilyLabel})
			continue
		}
		if fams[i].Generation != t.Generation {
			return nil, fmt.Errorf("family %s: instance type %s has generation %s, others %s",
				t.Family, t.ID, t.Generation, fams[i].Generation)
		}
	}
	return fams, nil
}
