// Package apispec is the checked-in list of API actions ecsd routes: the 92 actions
// documented by the ECS guide (ecs-2014-05-26.json, regenerated from the guide's
// structured extract by ./gen), the ECS actions official clients call although the
// guide has no section for them (extra-ecs.json), and the VPC 2016-04-28 subset
// instances need (vpc-2016-04-28.json), and the RAM (ram-2015-05-01.json) and
// STS (sts-2015-04-01.json) subsets that manage identities inside an account.
//
// The HTTP front registers every action listed here; an action whose handler method
// does not exist yet answers NotImplemented. Adding an action to ecsd is therefore:
// make sure it is listed here, then write its handler method and tests.
package apispec

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

//go:generate go run ./gen -from ../../../shared/spec/apis.json

// Product versions served by ecsd.
const (
	ECSVersion = "2014-05-26"
	VPCVersion = "2016-04-28"
	RAMVersion = "2015-05-01"
	STSVersion = "2015-04-01"
)

// Action is one routed API action.
type Action struct {
	// Name is the action as it appears on the wire (Action parameter).
	Name string `json:"name"`
	// Section is the guide section that documents it ("" when the guide does not).
	Section string `json:"section,omitempty"`
	// Group is the resource group (instance, disk, region, …).
	Group string `json:"group"`
	// Summary is a one-line description (the guide's own words where it has them).
	Summary string `json:"summary"`
	// Line is the seed line where the guide's section starts (0 when none).
	Line int `json:"line,omitempty"`
	// Source says where an action not documented by the guide comes from.
	Source string `json:"source,omitempty"`
}

// MethodName is the Go handler method name for the action: the action itself, or
// for the guide's snake_case actions (migrate_disk) its CamelCase form (MigrateDisk).
func (a Action) MethodName() string {
	if !strings.Contains(a.Name, "_") {
		return a.Name
	}
	var b strings.Builder
	for _, part := range strings.Split(a.Name, "_") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// API is the action list of one product version.
type API struct {
	Product string
	Version string
	// Global is true for products without regions (RAM, STS): any RegionId is accepted.
	Global  bool
	Actions []Action
}

var (
	//go:embed ecs-2014-05-26.json
	ecsGuideJSON []byte
	//go:embed extra-ecs.json
	ecsExtraJSON []byte
	//go:embed vpc-2016-04-28.json
	vpcJSON []byte
	//go:embed ram-2015-05-01.json
	ramJSON []byte
	//go:embed sts-2015-04-01.json
	stsJSON []byte
)

// ECS returns the ECS 2014-05-26 actions: the guide's, then the extra ones.
func ECS() (API, error) {
	guide, err := decode("ecs-2014-05-26.json", ecsGuideJSON)
	if err != nil {
		return API{}, err
	}
	extra, err := decode("extra-ecs.json", ecsExtraJSON)
	if err != nil {
		return API{}, err
	}
	return API{Product: "Ecs", Version: ECSVersion, Actions: append(guide, extra...)}, nil
}

// VPC returns the VPC 2016-04-28 subset.
func VPC() (API, error) {
	actions, err := decode("vpc-2016-04-28.json", vpcJSON)
	if err != nil {
		return API{}, err
	}
	return API{Product: "Vpc", Version: VPCVersion, Actions: actions}, nil
}

// RAM returns the RAM 2015-05-01 subset (users, AccessKeys, groups, policies, roles).
func RAM() (API, error) {
	actions, err := decode("ram-2015-05-01.json", ramJSON)
	if err != nil {
		return API{}, err
	}
	return API{Product: "Ram", Version: RAMVersion, Global: true, Actions: actions}, nil
}

// STS returns the STS 2015-04-01 subset (AssumeRole, GetCallerIdentity).
func STS() (API, error) {
	actions, err := decode("sts-2015-04-01.json", stsJSON)
	if err != nil {
		return API{}, err
	}
	return API{Product: "Sts", Version: STSVersion, Global: true, Actions: actions}, nil
}

func decode(name string, data []byte) ([]Action, error) {
	var actions []Action
	if err := json.Unmarshal(data, &actions); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	seen := make(map[string]bool, len(actions))
	for _, a := range actions {
		if a.Name == "" || seen[a.Name] {
			return nil, fmt.Errorf("%s: empty or duplicate action %q", name, a.Name)
		}
		seen[a.Name] = true
	}
	return actions, nil
}
