package apispec

import "testing"

func TestECSListsEveryGuideAction(t *testing.T) {
	api, err := ECS()
	if err != nil {
		t.Fatal(err)
	}
	guide := 0
	seen := map[string]bool{}
	for _, a := range api.Actions {
		if seen[a.Name] {
			t.Errorf("action %s listed twice across the guide and extra lists", a.Name)
		}
		seen[a.Name] = true
		if a.Section != "" {
			guide++
		}
	}
	if guide != 92 {
		t.Fatalf("guide actions = %d, want the guide's 92", guide)
	}
}

func TestMethodNameCamelCasesSnakeCaseActions(t *testing.T) {
	cases := map[string]string{"migrate_disk": "MigrateDisk", "query_load_progress": "QueryLoadProgress", "RunInstances": "RunInstances"}
	for in, want := range cases {
		if got := (Action{Name: in}).MethodName(); got != want {
			t.Errorf("MethodName(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestVPCSubsetDecodes(t *testing.T) {
	api, err := VPC()
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Actions) == 0 || api.Version != VPCVersion {
		t.Fatalf("VPC() = %+v", api)
	}
}
