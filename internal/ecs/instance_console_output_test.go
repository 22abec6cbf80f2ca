package ecs

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

func TestGetInstanceConsoleOutputHasTheSDKShapeAndAnswersNotFound(t *testing.T) {
	h, svc, ctx := instanceHandlers(t)
	run, err := h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("")))
	if err != nil {
		t.Fatal(err)
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	if err := svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := h.GetInstanceConsoleOutput(ctx, decodeInto[GetInstanceConsoleOutputRequest](t, "RegionId=cn-hangzhou&InstanceId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, out, "GetInstanceConsoleOutputResponse", "GetInstanceConsoleOutputResponseBody")
	if b, err := base64.StdEncoding.DecodeString(out.ConsoleOutput); err != nil || !strings.Contains(string(b), "login:") ||
		out.InstanceId != id || out.LastUpdateTime == "" {
		t.Fatalf("the sim driver's console = %+v (%q, %v), want its simulated boot log", out, b, err)
	}
	_, err = h.GetInstanceConsoleOutput(ctx, decodeInto[GetInstanceConsoleOutputRequest](t, "InstanceId=i-nope"))
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != "InvalidInstanceId.NotFound" || ae.HTTPStatus != 404 {
		t.Fatalf("console of a missing instance: %v", err)
	}
}

func TestRemoveSymbolsDropsEscapeSequencesAndControlCharacters(t *testing.T) {
	in := "\x1b[0;32mOK\x1b[0m boot\r\n\tdone\x07\x1b[2J\n"
	if got, want := removeSymbols(in), "OK boot\n\tdone\n"; got != want {
		t.Fatalf("removeSymbols(%q) = %q, want %q", in, got, want)
	}
}
