package main

import (
	"bytes"
	"os"
	"testing"
)

// specPath is where the guide's extracted tables live next to the repository
// (the same path go:generate uses); the drift test skips when it is absent.
const specPath = "../../../../shared/spec/instance_types.json"

func TestGeneratedFileIsUpToDate(t *testing.T) {
	src, err := os.ReadFile(specPath)
	if os.IsNotExist(err) {
		t.Skipf("%s not present; cannot check the generated file", specPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../data/instance_types.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/catalog/data/instance_types.json is stale: run go generate ./internal/catalog")
	}
}

func TestParseAcceleratorCellForms(t *testing.T) {
	cases := []struct {
		cell string
		n    float64
		spec string
	}{
		{"1 * NVIDIA P100", 1, "NVIDIA P100"},
		{"0.25 * AMD S7150", 0.25, "AMD S7150"},
		{"T4 * 2", 2, "T4"},
		{"Intel ARRIA 10 GX 1150", 1, "Intel ARRIA 10 GX 1150"},
		{"2 * Intel ARRIA 10 GX 1150", 2, "Intel ARRIA 10 GX 1150"},
	}
	for _, c := range cases {
		n, spec, err := parseAccelerator(c.cell)
		if err != nil || n != c.n || spec != c.spec {
			t.Errorf("%q: got %v %q %v", c.cell, n, spec, err)
		}
	}
	for _, bad := range []string{"", "* 2", "a * b * c"} {
		if _, _, err := parseAccelerator(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConvertRejectsWhatItCannotRead(t *testing.T) {
	bad := "4 x 100"
	if _, err := convert(specRow{InstanceType: "ecs.x.large", Family: "ecs.x", CPU: 1, MemoryGiB: 1,
		LocalStorage: &bad}); err == nil {
		t.Error("unparsable local storage accepted")
	}
	legacy := legacyGroup
	if _, err := convert(specRow{InstanceType: "ecs.q9.large", Family: "ecs.q9", CPU: 1, MemoryGiB: 1,
		TableGroup: &legacy}); err == nil {
		t.Error("legacy family without a series accepted")
	}
	if _, err := convert(specRow{InstanceType: "ecs.t5- lc1m1.sm all", Family: "ecs.t5"}); err == nil {
		t.Error("broken type name accepted")
	}
}
