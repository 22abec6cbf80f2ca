package ecs

import (
	"testing"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
)

// TestHandlersBindToTheECSSpec proves the HTTP front can route to every method:
// each is named after an action of the checked-in ECS spec and has the handler
// shape the registry expects.
func TestHandlersBindToTheECSSpec(t *testing.T) {
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, newHandlers(t)); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"DescribeRegions", "DescribeZones", "DescribeInstanceTypes", "DescribeInstanceTypeFamilies"} {
		ep, _ := reg.Lookup(spec.Version, action)
		if ep == nil || !ep.Implemented() {
			t.Errorf("%s is not routed to a handler", action)
		}
	}
}
