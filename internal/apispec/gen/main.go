// Command gen refreshes the checked-in ECS action list (ecs-2014-05-26.json) from the
// structured extract of the guide (shared/spec/apis.json). Actions that the guide
// does not document but clients call (kept in extra-ecs.json) are appended after it.
//
//	go run ./gen -from ../../../shared/spec/apis.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type guideAPI struct {
	Name    string `json:"name"`
	Section string `json:"section"`
	Group   struct {
		Slug string `json:"slug"`
	} `json:"group"`
	Overview    string `json:"overview_description"`
	SourceLines []int  `json:"source_lines"`
}

type action struct {
	Name    string `json:"name"`
	Section string `json:"section"`
	Group   string `json:"group"`
	Summary string `json:"summary"`
	Line    int    `json:"line"`
}

func main() {
	from := flag.String("from", "../../../shared/spec/apis.json", "the guide's structured API extract")
	out := flag.String("out", "ecs-2014-05-26.json", "the checked-in action list to write")
	flag.Parse()
	if err := run(*from, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(from, out string) error {
	raw, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	var apis []guideAPI
	if err := json.Unmarshal(raw, &apis); err != nil {
		return fmt.Errorf("decode %s: %w", from, err)
	}
	actions := make([]action, 0, len(apis))
	for _, a := range apis {
		line := 0
		if len(a.SourceLines) > 0 {
			line = a.SourceLines[0]
		}
		actions = append(actions, action{Name: a.Name, Section: a.Section, Group: a.Group.Slug, Summary: a.Overview, Line: line})
	}
	data, err := json.MarshalIndent(actions, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(data, '\n'), 0o644)
}
