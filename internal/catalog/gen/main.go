// Command gen turns the instance-type table of the ECS developer guide (appendix
// 1.18.1, as extracted into spec/instance_types.json) into the trimmed data file
// internal/catalog/data/instance_types.json that the catalog package embeds.
//
// Run it through `go generate ./internal/catalog`; the output is committed, and
// TestGeneratedFileIsUpToDate fails when the committed file drifts from the spec.
//
// What the generator decides (everything else is copied from the guide as is):
//
//   - Units are converted to what the SDK's InstanceType fields expect: bandwidth
//     from Gbit/s to Kbit/s (×1,024,000, the factor Alibaba Cloud itself uses:
//     1 Gbit/s is reported as 1024000), packet rates from 10,000 PPS to PPS.
//   - Local storage "N * C" (or a bare "C") becomes LocalStorageAmount N and
//     LocalStorageCapacity C GiB per disk; the category is local_hdd_pro for the
//     big-data families (d1, d2) and local_ssd_pro otherwise (i2, gn5, ga1), the
//     SDK's documented mapping.
//   - GPU/FPGA cells "N * Model" (or "Model * N", or a bare model = 1) become an
//     amount and a spec. A fractional GPU share (ga1: 0.25 * AMD S7150) is one
//     virtual GPU device: GPUAmount 1, the share kept in GPUShare. A one-word
//     GPU model (gn6i's "T4") gets the "NVIDIA " prefix the other NVIDIA cells
//     carry.
//   - Generation ("Series" in DescribeInstanceTypeFamilies) is ecs-1 for the
//     first-generation families t1, s1, s2, s3, m1, m2, c1, c2; ecs-2 for the
//     second generation n1, n2, e3; ecs-3 (the guide's newest series) for every
//     other family. A legacy-block family missing from these lists is an error.
//   - InstanceCategory and InstanceFamilyLevel are derived from the family's
//     Chinese label (共享 → Shared/EntryLevel, 突发性能 → CreditEntryLevel, …).
//   - Family corrections, see familyFixes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/ecsd/ecsd/internal/catalog"
)

func main() {
	from := flag.String("from", "", "path of spec/instance_types.json (required)")
	out := flag.String("out", "data/instance_types.json", "path of the data file to write")
	flag.Parse()
	if *from == "" {
		fmt.Fprintln(os.Stderr, "gen: -from is required")
		os.Exit(2)
	}
	if err := run(*from, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(from, out string) error {
	src, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	data, err := generate(src)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	return os.WriteFile(out, data, 0o644)
}

// specRow is one row of spec/instance_types.json (only the columns we use).
type specRow struct {
	Family         string   `json:"family"`
	FamilyLabel    string   `json:"family_label"`
	InstanceType   string   `json:"instance_type"`
	CPU            int      `json:"cpu"`
	MemoryGiB      float64  `json:"memory_gib"`
	LocalStorage   *string  `json:"local_storage"`
	BandwidthGbps  *float64 `json:"bandwidth_gbps"`
	PPS10k         *float64 `json:"pps_10k"`
	Queues         *int     `json:"queues"`
	ENI            *int     `json:"eni"`
	FPGA           *string  `json:"fpga"`
	GPU            *string  `json:"gpu"`
	IPv6           *string  `json:"ipv6"`
	BaselineCPU    *string  `json:"baseline_cpu_performance"`
	CreditsPerHour *int     `json:"cpu_credits_per_hour"`
	MaxCreditBal   *int     `json:"max_cpu_credit_balance"`
	TableGroup     *string  `json:"table_group"`
	Line           int      `json:"line"`
}

// record is one entry of the data file: the catalog's own type, so the generator
// and the reader cannot drift apart.
type record = catalog.InstanceType

// familyFixes corrects family labels of the guide that are not family names
// (label, when set, replaces the printed label). Every other row keeps the
// family the spec extraction assigned.
var familyFixes = map[string]struct{ to, label string }{
	// "GPU计算实例规格族an4" heads six rows all named ecs.gn4-*/ecs.gn4.*: the label is
	// a typo for gn4 (the family's public name), and a family must prefix its types.
	"ecs.an4": {to: "ecs.gn4"},
	// "ecs.d2-zyy" is a type-name prefix printed in the family column above the
	// "大数据型实例规格族 d2" label; its four rows are d2 types like the rows below.
	"ecs.d2-zyy": {to: "ecs.d2", label: "大数据型实例规格族d2"},
}

// generationByFamily holds the families of Series I and II; every other family
// is Series III (see the package comment).
var generationByFamily = map[string]string{
	"ecs.t1": "ecs-1", "ecs.s1": "ecs-1", "ecs.s2": "ecs-1", "ecs.s3": "ecs-1",
	"ecs.m1": "ecs-1", "ecs.m2": "ecs-1", "ecs.c1": "ecs-1", "ecs.c2": "ecs-1",
	"ecs.n1": "ecs-2", "ecs.n2": "ecs-2", "ecs.e3": "ecs-2",
}

const legacyGroup = "以下实例规格仅适用于从V2版本升级到V3版本的环境："

// header is the data file's envelope; InstanceTypes is written one entry per line.
type header struct {
	Source string `json:"Source"`
	Note   string `json:"Note"`
}

func generate(src []byte) ([]byte, error) {
	var rows []specRow
	if err := json.Unmarshal(src, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no rows")
	}
	seen := map[string]bool{}
	var buf bytes.Buffer
	h, _ := json.Marshal(header{
		Source: "Apsara Stack ECS Developer Guide V3.11.0, appendix 1.18.1 (spec/instance_types.json)",
		Note:   "Generated by internal/catalog/gen; do not edit. Units: MemorySize GiB, bandwidth Kbit/s, PPS packets/s, LocalStorageCapacity GiB per disk.",
	})
	buf.Write(h[:len(h)-1])
	buf.WriteString(",\n\"InstanceTypes\":[\n")
	for i, row := range rows {
		rec, err := convert(row)
		if err != nil {
			return nil, fmt.Errorf("row at seed line %d (%s): %w", row.Line, row.InstanceType, err)
		}
		if seen[rec.ID] {
			return nil, fmt.Errorf("duplicate instance type %s", rec.ID)
		}
		seen[rec.ID] = true
		line, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		buf.Write(line)
		if i < len(rows)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), nil
}

func convert(row specRow) (record, error) {
	if !strings.HasPrefix(row.InstanceType, "ecs.") || strings.ContainsAny(row.InstanceType, " \t") {
		return record{}, fmt.Errorf("malformed instance type name %q", row.InstanceType)
	}
	family := row.Family
	label := strings.Join(strings.Fields(row.FamilyLabel), "")
	if fix, ok := familyFixes[family]; ok {
		family = fix.to
		if fix.label != "" {
			label = fix.label
		}
	}
	legacy := row.TableGroup != nil && *row.TableGroup == legacyGroup
	rec := record{
		ID:           row.InstanceType,
		Family:       family,
		FamilyLabel:  label,
		CPUCoreCount: row.CPU,
		MemorySize:   row.MemoryGiB,
		Legacy:       legacy,
		SourceLine:   row.Line,
	}
	gen, err := generationOf(family, legacy)
	if err != nil {
		return record{}, err
	}
	rec.Generation = gen
	rec.Category, rec.FamilyLevel = categoryOf(family, label, legacy)
	if err := convertNetwork(row, &rec); err != nil {
		return record{}, err
	}
	if err := convertDevices(row, &rec); err != nil {
		return record{}, err
	}
	if err := convertCredits(row, &rec); err != nil {
		return record{}, err
	}
	return rec, nil
}

func generationOf(family string, legacy bool) (string, error) {
	if g, ok := generationByFamily[family]; ok {
		return g, nil
	}
	if legacy {
		return "", fmt.Errorf("legacy family %s has no series in generationByFamily", family)
	}
	return "ecs-3", nil
}

// categoryKeywords maps words of the Chinese family label to the SDK's
// InstanceCategory values, most specific first.
var categoryKeywords = []struct{ word, category string }{
	{"超级计算集群", "Super Computing Cluster"},
	{"弹性裸金属", "ECS Bare Metal"},
	{"FPGA", "Compute-optimized with FPGA"},
	{"GPU可视化", "Visual Compute-optimized"},
	{"GPU", "Compute-optimized with GPU"},
	{"共享", "Shared"},
	{"本地SSD", "Local SSDs"},
	{"大数据", "Big data"},
	{"高主频", "High Clock Speed"},
	{"通用", "General-purpose"},
	{"计算", "Compute-optimized"},
	{"内存", "Memory-optimized"},
}

// categoryOf derives InstanceCategory and InstanceFamilyLevel from the label.
// ecs.e4's label ("实例规格族e4") names no kind; it is printed with the shared
// families and its IPv6 twin e4v2 is "共享内存型", so it is Shared too. Burstable
// (t5) has no category among the SDK's values; legacy families have neither.
func categoryOf(family, label string, legacy bool) (category, level string) {
	switch {
	case legacy:
		return "", ""
	case strings.Contains(label, "突发性能"):
		return "", "CreditEntryLevel"
	case family == "ecs.e4":
		return "Shared", "EntryLevel"
	}
	for _, k := range categoryKeywords {
		if strings.Contains(label, k.word) {
			if k.category == "Shared" {
				return k.category, "EntryLevel"
			}
			return k.category, "EnterpriseLevel"
		}
	}
	return "", "EnterpriseLevel"
}

func convertNetwork(row specRow, rec *record) error {
	if row.BandwidthGbps != nil {
		kbit := int(math.Round(*row.BandwidthGbps * 1024000))
		rec.InstanceBandwidthRx, rec.InstanceBandwidthTx = kbit, kbit
	}
	if row.PPS10k != nil {
		pps := int64(math.Round(*row.PPS10k * 10000))
		rec.InstancePpsRx, rec.InstancePpsTx = pps, pps
	}
	if row.ENI != nil {
		rec.EniQuantity = *row.ENI
	}
	if row.Queues != nil {
		rec.PrimaryEniQueueNumber = *row.Queues
	}
	if row.IPv6 != nil {
		if *row.IPv6 != "是" {
			return fmt.Errorf("unexpected IPv6 cell %q", *row.IPv6)
		}
		rec.IPv6Supported = true
	}
	return nil
}

var (
	storageRe  = regexp.MustCompile(`^(?:(\d+)\s*\*\s*)?(\d+)$`)
	countFirst = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*\*\s*(.+)$`)
	countLast  = regexp.MustCompile(`^(.+?)\s*\*\s*(\d+)$`)
)

func convertDevices(row specRow, rec *record) error {
	if row.LocalStorage != nil && *row.LocalStorage != "无" {
		m := storageRe.FindStringSubmatch(strings.TrimSpace(*row.LocalStorage))
		if m == nil {
			return fmt.Errorf("unparsable local storage %q", *row.LocalStorage)
		}
		rec.LocalStorageAmount = 1
		if m[1] != "" {
			rec.LocalStorageAmount, _ = strconv.Atoi(m[1])
		}
		rec.LocalStorageCapacity, _ = strconv.ParseInt(m[2], 10, 64)
		rec.LocalStorageCategory = "local_ssd_pro"
		if strings.HasPrefix(rec.Family, "ecs.d") {
			rec.LocalStorageCategory = "local_hdd_pro"
		}
	}
	if row.GPU != nil {
		share, spec, err := parseAccelerator(*row.GPU)
		if err != nil {
			return err
		}
		if !strings.Contains(spec, " ") { // "T4" → "NVIDIA T4", like the other NVIDIA cells
			spec = "NVIDIA " + spec
		}
		rec.GPUSpec = spec
		rec.GPUAmount = int(share)
		if share != math.Trunc(share) {
			rec.GPUAmount, rec.GPUShare = 1, share
		}
	}
	if row.FPGA != nil {
		n, spec, err := parseAccelerator(*row.FPGA)
		if err != nil {
			return err
		}
		if n != math.Trunc(n) {
			return fmt.Errorf("fractional FPGA count %q", *row.FPGA)
		}
		rec.FPGAAmount, rec.FPGASpec = int(n), spec
	}
	return nil
}

// parseAccelerator reads "N * Model", "Model * N" or a bare "Model" (N = 1).
func parseAccelerator(cell string) (float64, string, error) {
	cell = strings.TrimSpace(cell)
	if m := countFirst.FindStringSubmatch(cell); m != nil {
		n, err := strconv.ParseFloat(m[1], 64)
		return n, m[2], err
	}
	if m := countLast.FindStringSubmatch(cell); m != nil {
		n, err := strconv.ParseFloat(m[2], 64)
		return n, m[1], err
	}
	if cell == "" || strings.Contains(cell, "*") {
		return 0, "", fmt.Errorf("unparsable accelerator %q", cell)
	}
	return 1, cell, nil
}

func convertCredits(row specRow, rec *record) error {
	if row.BaselineCPU != nil {
		pct := strings.TrimSuffix(strings.TrimSpace(*row.BaselineCPU), "%")
		n, err := strconv.Atoi(pct)
		if err != nil {
			return fmt.Errorf("unparsable baseline performance %q", *row.BaselineCPU)
		}
		rec.BaselineCredit = n
	}
	if row.CreditsPerHour != nil {
		rec.CPUCreditsPerHour = *row.CreditsPerHour
	}
	if row.MaxCreditBal != nil {
		rec.MaxCPUCreditBalance = *row.MaxCreditBal
	}
	return nil
}
