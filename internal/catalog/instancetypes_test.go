package catalog

import (
	"testing"
)

func embedded(t *testing.T) []InstanceType {
	t.Helper()
	types, err := EmbeddedInstanceTypes()
	if err != nil {
		t.Fatal(err)
	}
	return types
}

func find(t *testing.T, types []InstanceType, id string) InstanceType {
	t.Helper()
	for _, it := range types {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("instance type %s missing", id)
	return InstanceType{}
}

func TestAppendix1181HasAll213InstanceTypes(t *testing.T) {
	types := embedded(t)
	if len(types) != 213 {
		t.Fatalf("got %d instance types, the guide lists 213", len(types))
	}
	// First and last rows of the table, in the guide's order.
	if types[0].ID != "ecs.n4.small" || types[212].ID != "ecs.t1.small" {
		t.Errorf("order: first %s, last %s", types[0].ID, types[212].ID)
	}
}

func TestAppendix1181HasEveryFamilyWithItsGeneration(t *testing.T) {
	fams, err := familiesOf(embedded(t))
	if err != nil {
		t.Fatal(err)
	}
	// 45 family labels in the guide; "an4" is read as gn4 and the "ecs.d2-zyy"
	// type-name prefix joins d2 (see gen/main.go familyFixes).
	if len(fams) != 44 {
		t.Errorf("got %d families, want 44", len(fams))
	}
	want := map[string]string{
		"ecs.t1": Generation1, "ecs.s1": Generation1, "ecs.s2": Generation1, "ecs.s3": Generation1,
		"ecs.m1": Generation1, "ecs.m2": Generation1, "ecs.c1": Generation1, "ecs.c2": Generation1,
		"ecs.n1": Generation2, "ecs.n2": Generation2, "ecs.e3": Generation2,
		"ecs.g5": Generation3, "ecs.n4": Generation3, "ecs.t5": Generation3, "ecs.gn4": Generation3,
		"ecs.sn2ne": Generation3, "ecs.d2": Generation3, "ecs.sccgn6p": Generation3,
	}
	got := map[string]string{}
	for _, f := range fams {
		got[f.ID] = f.Generation
	}
	for id, g := range want {
		if got[id] != g {
			t.Errorf("family %s: generation %q, want %q", id, got[id], g)
		}
	}
	for _, bad := range []string{"ecs.an4", "ecs.d2-zyy"} {
		if _, ok := got[bad]; ok {
			t.Errorf("family %s should have been corrected", bad)
		}
	}
}

func TestInstanceTypeUnitsAreTheSDKs(t *testing.T) {
	types := embedded(t)
	g5 := find(t, types, "ecs.g5.large") // 2 vCPU, 8 GiB, 1.0 Gbit/s, 30 万PPS, 2 ENIs
	if g5.CPUCoreCount != 2 || g5.MemorySize != 8 || g5.EniQuantity != 2 {
		t.Errorf("ecs.g5.large: %+v", g5)
	}
	if g5.InstanceBandwidthRx != 1024000 || g5.InstanceBandwidthTx != 1024000 {
		t.Errorf("bandwidth: got %d/%d Kbit/s, want 1024000", g5.InstanceBandwidthRx, g5.InstanceBandwidthTx)
	}
	if g5.InstancePpsRx != 300000 || g5.InstancePpsTx != 300000 {
		t.Errorf("pps: got %d/%d, want 300000", g5.InstancePpsRx, g5.InstancePpsTx)
	}
	nano := find(t, types, "ecs.t5-lc2m1.nano") // 0.5 GiB, 0.1 Gbit/s
	if nano.MemorySize != 0.5 || nano.InstanceBandwidthRx != 102400 {
		t.Errorf("ecs.t5-lc2m1.nano: %+v", nano)
	}
}

func TestInstanceTypeLocalStorageParsed(t *testing.T) {
	types := embedded(t)
	cases := []struct {
		id       string
		category string
		amount   int
		capacity int64
	}{
		{"ecs.d1.2xlarge", "local_hdd_pro", 4, 5500},       // "4 * 5500"
		{"ecs.i2.xlarge", "local_ssd_pro", 1, 894},         // "1 * 894"
		{"ecs.gn5-c4g1.xlarge", "local_ssd_pro", 1, 440},   // "440"
		{"ecs.ga1.xlarge", "local_ssd_pro", 1, 87},         // "1*87"
		{"ecs.d2-zyy-d0.4xlarge", "", 0, 0},                // "无"
		{"ecs.g5.large", "", 0, 0},                         // "无"
		{"ecs.n1.tiny", "", 0, 0},                          // legacy block: no column
		{"ecs.d2-zyy.22xlarge", "local_hdd_pro", 12, 7300}, // "12 * 7300"
	}
	for _, c := range cases {
		it := find(t, types, c.id)
		if it.LocalStorageCategory != c.category || it.LocalStorageAmount != c.amount || it.LocalStorageCapacity != c.capacity {
			t.Errorf("%s: got %q %d×%d, want %q %d×%d", c.id, it.LocalStorageCategory,
				it.LocalStorageAmount, it.LocalStorageCapacity, c.category, c.amount, c.capacity)
		}
	}
}

func TestInstanceTypeAcceleratorsParsed(t *testing.T) {
	types := embedded(t)
	cases := []struct {
		id    string
		gpus  int
		share float64
		spec  string
	}{
		{"ecs.gn5-c8g1.8xlarge", 4, 0, "NVIDIA P100"}, // "4 * NVIDIA P100"
		{"ecs.gn6i-c10g1.5xlarge", 2, 0, "NVIDIA T4"}, // "T4 * 2"
		{"ecs.ga1.xlarge", 1, 0.25, "AMD S7150"},      // "0.25 * AMD S7150"
		{"ecs.g5.large", 0, 0, ""},
	}
	for _, c := range cases {
		it := find(t, types, c.id)
		if it.GPUAmount != c.gpus || it.GPUShare != c.share || it.GPUSpec != c.spec {
			t.Errorf("%s: got %d (%v) %q, want %d (%v) %q", c.id, it.GPUAmount, it.GPUShare, it.GPUSpec, c.gpus, c.share, c.spec)
		}
	}
	f1 := find(t, types, "ecs.f1-c8f1.2xlarge") // bare "Intel ARRIA 10 GX 1150"
	if f1.FPGAAmount != 1 || f1.FPGASpec != "Intel ARRIA 10 GX 1150" {
		t.Errorf("f1: %d %q", f1.FPGAAmount, f1.FPGASpec)
	}
	f3 := find(t, types, "ecs.f3-c16f1.16xlarge") // "4 * Xilinx VU9P"
	if f3.FPGAAmount != 4 || f3.FPGASpec != "Xilinx VU9P" {
		t.Errorf("f3: %d %q", f3.FPGAAmount, f3.FPGASpec)
	}
}

func TestBurstableInstanceTypesCarryCredits(t *testing.T) {
	types := embedded(t)
	it := find(t, types, "ecs.t5-c1m1.large") // 25%, 30 credits/h, 720 max
	if it.BaselineCredit != 25 || it.CPUCreditsPerHour != 30 || it.MaxCPUCreditBalance != 720 {
		t.Errorf("t5-c1m1.large: %+v", it)
	}
	if it.FamilyLevel != "CreditEntryLevel" {
		t.Errorf("family level %q", it.FamilyLevel)
	}
	n := 0
	for _, it := range types {
		if it.Family == "ecs.t5" {
			n++
			if it.BaselineCredit == 0 || it.CPUCreditsPerHour == 0 {
				t.Errorf("%s lacks credits", it.ID)
			}
		}
	}
	if n != 16 {
		t.Errorf("t5 has %d types, want 16", n)
	}
}

func TestIPv6FamiliesAndLegacyBlockMarked(t *testing.T) {
	types := embedded(t)
	if !find(t, types, "ecs.n4v2.small").IPv6Supported || find(t, types, "ecs.n4.small").IPv6Supported {
		t.Error("IPv6 support: only the v2 shared families have it")
	}
	legacy := 0
	for _, it := range types {
		if it.Legacy {
			legacy++
		}
	}
	if legacy != 36 || !find(t, types, "ecs.s3.large").Legacy {
		t.Errorf("legacy (V2→V3 only) types: %d, want 36", legacy)
	}
}

func TestGenerationValuesAreTheGuides(t *testing.T) {
	for _, g := range Generations() {
		if !ValidGeneration(g) {
			t.Errorf("%s invalid", g)
		}
	}
	for _, g := range []string{"", "ecs-4", "ECS-1", "ecs-0"} {
		if ValidGeneration(g) {
			t.Errorf("%q accepted", g)
		}
	}
}
