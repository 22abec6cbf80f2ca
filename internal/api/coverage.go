package api

import (
	"fmt"
	"strings"
)

// CoverageMarkdown renders docs/coverage.md: every routed action, whether it is
// implemented, and where the guide documents it.
func CoverageMarkdown(r *Registry) string {
	var b strings.Builder
	eps := r.Endpoints()
	done := 0
	for _, ep := range eps {
		if ep.Implemented() {
			done++
		}
	}
	b.WriteString("# API coverage\n\n")
	b.WriteString("Generated from the registry (`go generate ./cmd/ecsd`); do not edit by hand. ")
	b.WriteString("An action that is not implemented answers HTTP 501 `NotImplemented`.\n\n")
	fmt.Fprintf(&b, "%d of %d routed actions implemented.\n", done, len(eps))
	product, version := "", ""
	for _, ep := range eps {
		if ep.Product != product || ep.Version != version {
			product, version = ep.Product, ep.Version
			total, impl := countVersion(eps, version)
			fmt.Fprintf(&b, "\n## %s %s (%d of %d implemented)\n\n", product, version, impl, total)
			b.WriteString("| action | implemented | guide section | group | source |\n| --- | --- | --- | --- | --- |\n")
		}
		mark := "[ ]"
		if ep.Implemented() {
			mark = "[x]"
		}
		section := ep.Section
		if section == "" {
			section = "—"
		}
		source := ep.Source
		if source == "" {
			source = fmt.Sprintf("guide, seed line %d", ep.Line)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", ep.Name, mark, section, ep.Group, source)
	}
	return b.String()
}

func countVersion(eps []*Endpoint, version string) (total, implemented int) {
	for _, ep := range eps {
		if ep.Version == version {
			total++
			if ep.Implemented() {
				implemented++
			}
		}
	}
	return total, implemented
}
