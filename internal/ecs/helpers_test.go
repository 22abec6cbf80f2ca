package ecs

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/ecs/sdkshape"
)

const testEndpoint = "127.0.0.1:8080"

// The SDKs' declarations, parsed once per test binary.
var (
	classicECS = sync.OnceValues(func() (*sdkshape.Package, error) {
		return sdkshape.Load(sdkshape.ClassicSDK, "services/ecs")
	})
	teaECS = sync.OnceValues(func() (*sdkshape.Package, error) {
		return sdkshape.Load(sdkshape.TeaECS, "client")
	})
)

func newHandlers(t *testing.T) *Handlers {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint})
}

func handlersFor(t *testing.T, topo catalog.Topology) *Handlers {
	t.Helper()
	cat, err := catalog.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Catalog: cat, Endpoint: testEndpoint})
}

// marshal renders resp as the front does (JSON, plus a RequestId).
func marshal(t *testing.T, resp any) []byte {
	t.Helper()
	body, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "null") {
		t.Errorf("response has a null (an uninitialised list?): %s", body)
	}
	return append([]byte(`{"RequestId":"test",`), body[1:]...)
}

// assertSDKShape checks the JSON of resp against both official SDKs: every key
// must be a field of the classic SDK's struct classic (e.g.
// "DescribeZonesResponse") with that field's JSON type, and every key the v7 Tea
// SDK's struct tea (e.g. "DescribeZonesResponseBody") knows must have its type.
// It returns the JSON.
func assertSDKShape(t *testing.T, resp any, classic, tea string) []byte {
	t.Helper()
	body := marshal(t, resp)
	if pkg, err := classicECS(); err != nil {
		t.Logf("classic SDK sources unavailable, check against %s skipped: %v", classic, err)
	} else {
		for _, p := range pkg.Check(body, classic) {
			t.Errorf("classic SDK %s: %s", classic, p)
		}
	}
	if pkg, err := teaECS(); err != nil {
		t.Logf("v7 SDK sources unavailable, check against %s skipped: %v", tea, err)
	} else {
		for _, p := range pkg.CheckKnown(body, tea) {
			t.Errorf("v7 SDK %s: %s", tea, p)
		}
	}
	return body
}

func assertAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if e.Code != code || e.HTTPStatus != status {
		t.Fatalf("got %s (%d) %q, want %s (%d)", e.Code, e.HTTPStatus, e.Message, code, status)
	}
}

func ptr[T any](v T) *T { return &v }
