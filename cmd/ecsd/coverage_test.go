package main

import (
	"flag"
	"os"
	"testing"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/app"
	"github.com/ecsd/ecsd/internal/catalog"
)

//go:generate go test -run TestCoverageDocIsCurrent -update-coverage .

var updateCoverage = flag.Bool("update-coverage", false, "rewrite docs/coverage.md from the registry")

// TestCoverageDocIsCurrent fails when docs/coverage.md no longer matches the actions
// that are routed and implemented; `go generate ./cmd/ecsd` rewrites it.
func TestCoverageDocIsCurrent(t *testing.T) {
	cat, err := catalog.New(catalog.DefaultTopology())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := app.NewRegistry(cat, "127.0.0.1:8080", app.Services{})
	if err != nil {
		t.Fatal(err)
	}
	want := api.CoverageMarkdown(reg)
	const path = "../../docs/coverage.md"
	if *updateCoverage {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/coverage.md is out of date: run go generate ./cmd/ecsd")
	}
}
