// Package catalog is ecsd's read-only description of the cloud it simulates: the
// regions and zones it serves (the topology) and the instance types it sells.
//
// Instance types are the 213 rows of appendix 1.18.1 of the ECS developer guide,
// converted once by ./gen into data/instance_types.json and embedded in the
// binary (see gen/main.go for every decision the conversion takes: units, local
// storage, GPU cells, series, category, two corrected family labels).
//
// The topology comes from DefaultTopology or from a YAML file (LoadTopology; a
// documented example is testdata/topology.example.yaml). New combines both into
// a Catalog after validating that every region, zone and instance type a zone
// names is well formed and known. A Catalog never changes after New and hands out
// copies, so it is safe for concurrent use.
package catalog

//go:generate go run ./gen -from ../../../shared/spec/instance_types.json
