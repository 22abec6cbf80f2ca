package wire

import (
	"strconv"
	"testing"
)

// BenchmarkDecodeRunInstances decodes the Go SDK's RunInstances query (common
// parameters, lists, nested lists, structs, a map and a JSON list).
func BenchmarkDecodeRunInstances(b *testing.B) {
	p := mustQuery(b, runInstancesQuery)
	b.ReportAllocs()
	for b.Loop() {
		var r runInstances
		if err := Decode(p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeScalarsOnly decodes a call without lists (DescribeRegions-like).
func BenchmarkDecodeScalarsOnly(b *testing.B) {
	p := req("RegionId", "cn-hangzhou", "InstanceType", "ecs.g6.large", "Amount", "2", "DryRun", "true",
		"AccessKeyId", "ak", "Signature", "s", "SignatureType", "", "Format", "JSON")
	b.ReportAllocs()
	for b.Loop() {
		var r runInstances
		if err := Decode(p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeHostileIndices decodes 1000 tags with huge, unsorted indices.
func BenchmarkDecodeHostileIndices(b *testing.B) {
	p := req()
	for i := range 20 {
		p["Tag."+strconv.Itoa(999999999-i*7919)+"99999999999.Key"] = []string{"k"}
	}
	b.ReportAllocs()
	for b.Loop() {
		var r runInstances
		if err := Decode(p, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRunInstances encodes a request that sets every field.
func BenchmarkEncodeRunInstances(b *testing.B) {
	r := fullRunInstances()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(&r); err != nil {
			b.Fatal(err)
		}
	}
}
