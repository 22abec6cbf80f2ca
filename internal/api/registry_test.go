package api

import (
	"context"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
)

type echoRequest struct {
	Name  string `param:"Name,required"`
	Count *int   `param:"Count" min:"1" max:"5"`
}

type echoResponse struct {
	Name  string
	Count int
}

type goodHandlers struct{}

func (goodHandlers) Echo(_ context.Context, req *echoRequest) (*echoResponse, error) {
	n := 1
	if req.Count != nil {
		n = *req.Count
	}
	return &echoResponse{Name: req.Name, Count: n}, nil
}

// Helper is not an action: its shape is not a handler's, so Bind ignores it.
func (goodHandlers) Helper() string { return "" }

type strayHandlers struct{ goodHandlers }

func (strayHandlers) Unlisted(context.Context, *echoRequest) (*echoResponse, error) { return nil, nil }

type badShapeHandlers struct{}

func (badShapeHandlers) Echo(_ context.Context, req echoRequest) (*echoResponse, error) {
	return nil, nil
}

var testAPI = apispec.API{Product: "Test", Version: "2000-01-01", Actions: []apispec.Action{
	{Name: "Echo", Section: "1.1.1"}, {Name: "Later", Section: "1.1.2"},
}}

func TestBindRoutesMethodsAndMarksTheRestNotImplemented(t *testing.T) {
	r := NewRegistry()
	if err := r.Bind(testAPI, goodHandlers{}); err != nil {
		t.Fatal(err)
	}
	echo, known := r.Lookup("2000-01-01", "Echo")
	if !known || echo == nil || !echo.Implemented() {
		t.Fatalf("Echo not routed: %+v", echo)
	}
	later, _ := r.Lookup("2000-01-01", "Later")
	if later == nil || later.Implemented() {
		t.Fatalf("Later should be routed but not implemented: %+v", later)
	}
	if _, known := r.Lookup("1999-01-01", "Echo"); known {
		t.Fatal("unknown version reported as known")
	}
	resp, err := echo.call(context.Background(), wire.Params{"Name": {"x"}, "Count": {"3"}})
	if err != nil || resp.(*echoResponse).Count != 3 {
		t.Fatalf("call = %+v, %v", resp, err)
	}
	if _, err := echo.call(context.Background(), wire.Params{}); err == nil {
		t.Fatal("missing required parameter accepted")
	}
}

func TestBindRejectsHandlerMethodsThatAreNotListedActions(t *testing.T) {
	err := NewRegistry().Bind(testAPI, strayHandlers{})
	if err == nil || !strings.Contains(err.Error(), "Unlisted") {
		t.Fatalf("Bind = %v, want an error naming Unlisted", err)
	}
}

func TestBindRejectsMethodsOfTheWrongShape(t *testing.T) {
	if err := NewRegistry().Bind(testAPI, badShapeHandlers{}); err == nil {
		t.Fatal("Bind accepted a handler taking a struct by value")
	}
}

func TestEndpointsAreOrderedBySection(t *testing.T) {
	r := NewRegistry()
	api := apispec.API{Version: "v", Actions: []apispec.Action{
		{Name: "Z", Source: "extra"}, {Name: "B", Section: "1.10.1"}, {Name: "A", Section: "1.9.2"},
	}}
	if err := r.Bind(api, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ep := range r.Endpoints() {
		names = append(names, ep.Name)
	}
	if strings.Join(names, ",") != "A,B,Z" {
		t.Fatalf("order = %v", names)
	}
}
