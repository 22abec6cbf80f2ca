package vpc

import (
	"testing"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
)

// TestHandlersBindToTheVPCSpec proves the HTTP front can route to every method:
// each is named after an action of the checked-in VPC spec and has the handler
// shape the registry expects.
func TestHandlersBindToTheVPCSpec(t *testing.T) {
	spec, err := apispec.VPC()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, newHandlers(t)); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"DescribeRegions", "DescribeZones"} {
		ep, _ := reg.Lookup(spec.Version, action)
		if ep == nil || !ep.Implemented() {
			t.Errorf("%s is not routed to a handler", action)
		}
	}
}
