package instance

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

func attrJSONIDs(ids ...string) string { return `["` + strings.Join(ids, `","`) + `"]` }

func TestRAMRoleActionsNeedARAMRoleOfTheAccountThatTrustsECS(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	_, err := f.svc.AttachRAMRole(t.Context(), attrCaller(), "EcsRole", attrJSONIDs(in.ID))
	attrWantError(t, err, "InvalidRamRole.NotFound", http.StatusNotFound, "The specified RamRoleName does not exist.")
	// A role of another account is as unknown as a missing one.
	err = f.store.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateRAMRole(store.RAMRole{ID: "r-other", AccountID: 2, Name: "EcsRole", AssumeRolePolicy: ecsTrust,
			MaxSessionDuration: 3600}); err != nil {
			return err
		}
		return tx.CreateRAMRole(store.RAMRole{ID: "r-users", AccountID: 1, Name: "UsersOnly", MaxSessionDuration: 3600,
			AssumeRolePolicy: `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root"]}}],"Version":"1"}`})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AttachRAMRole(t.Context(), attrCaller(), "EcsRole", attrJSONIDs(in.ID))
	attrWantError(t, err, "InvalidRamRole.NotFound", http.StatusNotFound, "The specified RamRoleName does not exist.")
	_, err = f.svc.AttachRAMRole(t.Context(), attrCaller(), "UsersOnly", attrJSONIDs(in.ID))
	attrWantError(t, err, "InvalidRamRole.NotEcsRole", http.StatusBadRequest,
		"The specified ram role is not authorized for ecs, please check your role policy.")
	createRAMRoles(t, f.store, "EcsRole")
	res, err := f.svc.AttachRAMRole(t.Context(), attrCaller(), "EcsRole", attrJSONIDs(in.ID))
	if err != nil || len(res) != 1 || !res[0].Success || res[0].Code != "200" {
		t.Fatalf("AttachRAMRole = %+v, %v", res, err)
	}
	if got := f.get(t, in.ID).RAMRoleName; got != "EcsRole" {
		t.Fatalf("RAMRoleName = %q", got)
	}
}

func TestAttachDescribeDetachInstanceRamRole(t *testing.T) {
	f := newAttrFixture(t)
	createRAMRoles(t, f.store, "EcsRole", "Other")
	a, b := f.attrInstance(t, nil), f.attrInstance(t, nil)
	ctx, c := t.Context(), attrCaller()
	if _, err := f.svc.AttachRAMRole(ctx, c, "Other", attrJSONIDs(b.ID)); err != nil {
		t.Fatal(err)
	}
	// b already has a role: it fails in its result, a gets the role.
	res, err := f.svc.AttachRAMRole(ctx, c, "EcsRole", attrJSONIDs(a.ID, b.ID, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !res[0].Success || res[1].Success || res[1].Code != codeRAMRoleAttached {
		t.Fatalf("results = %+v", res)
	}
	sets, total, err := f.svc.DescribeRAMRoles(ctx, c, "", attrJSONIDs(a.ID, b.ID), store.Page{})
	want := []RAMRoleSet{{a.ID, "EcsRole"}, {b.ID, "Other"}}
	if err != nil || total != 2 || !reflect.DeepEqual(sets, want) {
		t.Fatalf("DescribeRAMRoles = %+v %d %v, want %+v", sets, total, err, want)
	}
	sets, _, err = f.svc.DescribeRAMRoles(ctx, c, "EcsRole", "", store.Page{})
	if err != nil || !reflect.DeepEqual(sets, []RAMRoleSet{{a.ID, "EcsRole"}}) {
		t.Fatalf("DescribeRAMRoles by role = %+v, %v", sets, err)
	}
	res, err = f.svc.DetachRAMRole(ctx, c, "EcsRole", attrJSONIDs(a.ID, b.ID))
	if err != nil || len(res) != 2 || !res[0].Success || res[0].RoleName != "EcsRole" || res[1].Success ||
		res[1].Code != "InvalidRamRole.NotFound" {
		t.Fatalf("DetachRAMRole = %+v, %v", res, err)
	}
	res, err = f.svc.DetachRAMRole(ctx, c, "", attrJSONIDs(b.ID))
	if err != nil || !res[0].Success || res[0].RoleName != "Other" {
		t.Fatalf("DetachRAMRole without a name = %+v, %v", res, err)
	}
	sets, _, err = f.svc.DescribeRAMRoles(ctx, c, "", attrJSONIDs(a.ID, b.ID), store.Page{})
	if err != nil || !reflect.DeepEqual(sets, []RAMRoleSet{{a.ID, ""}, {b.ID, ""}}) {
		t.Fatalf("after detaching: %+v, %v", sets, err)
	}
}

func TestRAMRoleActionsAnswerTheGuidesParameterErrors(t *testing.T) {
	f := newAttrFixture(t)
	createRAMRoles(t, f.store, "EcsRole")
	in := f.attrInstance(t, nil)
	ctx, c := t.Context(), attrCaller()
	var hundredOne []string
	for i := range 101 {
		hundredOne = append(hundredOne, fmt.Sprintf("i-%d", i))
	}
	attach := func(role, ids string) error { _, err := f.svc.AttachRAMRole(ctx, c, role, ids); return err }
	detach := func(role, ids string) error { _, err := f.svc.DetachRAMRole(ctx, c, role, ids); return err }
	cases := []struct {
		name   string
		err    error
		code   string
		status int
		msg    string
	}{
		{"attach without InstanceIds", attach("EcsRole", ""), "MissingParameter.InstanceIds", 400,
			"The input parameter InstanceIds that is mandatory for processing this request is missing."},
		{"attach without RamRoleName", attach("", attrJSONIDs(in.ID)), "MissingParameter.RamRoleName", 400,
			"The input parameter RamRoleName that is mandatory for processing this request is missing."},
		{"detach without InstanceIds", detach("EcsRole", ""), "MissingParameter.InstancesIds", 400,
			"The input parameter InstancesIds that is mandatory for processing this request is missing."},
		{"not a JSON array", attach("EcsRole", in.ID), "InvalidInstanceIds.Malformed", 400, "The specified InstanceIds is not valid."},
		{"empty array", detach("EcsRole", "[]"), "InvalidInstanceIds.Malformed", 400, ""},
		{"101 instances", attach("EcsRole", attrJSONIDs(hundredOne...)), "InvalidInstanceIds.Malformed", 400, ""},
		{"unknown instance", attach("EcsRole", attrJSONIDs(in.ID, "i-missing")), "InvalidInstanceId.NotFound", 404,
			"The specified InstanceId does not exist."},
		{"unknown role on detach", detach("Nope", attrJSONIDs(in.ID)), "InvalidRamRole.NotFound", 404, ""},
		{"describe with neither", func() error { _, _, err := f.svc.DescribeRAMRoles(ctx, c, "", "", store.Page{}); return err }(),
			"MissingParameter", 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { attrWantError(t, tc.err, tc.code, tc.status, tc.msg) })
	}
	if got := f.get(t, in.ID).RAMRoleName; got != "" {
		t.Fatalf("a refused attach gave the role %q", got)
	}
}

func TestAttachKeyPairReplacesTheKeyAndDetachKeyPairRemovesIt(t *testing.T) {
	f := newAttrFixture(t)
	a := f.attrInstance(t, func(in *store.Instance) { in.KeyPairName = "old" })
	b := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped })
	ctx, c := t.Context(), attrCaller()
	res, err := f.svc.AttachKeyPair(ctx, c, "web", []string{a.ID, "i-missing", b.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []KeyPairResult{keyPairSuccess(a.ID), {InstanceID: "i-missing", Code: "InvalidInstanceId.NotFound",
		Message: "The specified InstanceId does not exist."}, keyPairSuccess(b.ID)}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("results = %+v, want %+v", res, want)
	}
	if f.get(t, a.ID).KeyPairName != "web" || f.get(t, b.ID).KeyPairName != "web" {
		t.Fatal("the key pair did not replace the old one")
	}
	// Without InstanceIds, DetachKeyPair unbinds every instance that has the key.
	res, err = f.svc.DetachKeyPair(ctx, c, "web", nil)
	if err != nil || len(res) != 2 {
		t.Fatalf("DetachKeyPair = %+v, %v", res, err)
	}
	if f.get(t, a.ID).KeyPairName != "" || f.get(t, b.ID).KeyPairName != "" {
		t.Fatal("the key pair is still bound")
	}
	_, err = f.svc.AttachKeyPair(ctx, c, "nope", []string{a.ID})
	attrWantError(t, err, "InvalidKeyPairName.NotFound", http.StatusNotFound, "The specified KeyPairName does not exist in our records.")
	_, err = f.svc.DetachKeyPair(ctx, c, "nope", []string{a.ID})
	attrWantError(t, err, "InvalidKeyPairName.NotFound", http.StatusNotFound, "The specified KeyPairName does not exist.")
	_, err = f.svc.AttachKeyPair(ctx, Caller{AccountID: 1, RegionID: "cn-beijing"}, "web", []string{a.ID})
	attrWantError(t, err, "InvalidKeyPairName.NotFound", http.StatusNotFound, "")
}

func TestAttachKeyPairRefusesWindowsInstances(t *testing.T) {
	f := newAttrFixture(t)
	linux := f.attrInstance(t, nil)
	windows := f.attrInstance(t, func(in *store.Instance) { in.OSType = image.OSTypeWindows })
	_, err := f.svc.AttachKeyPair(t.Context(), attrCaller(), "web", []string{linux.ID, windows.ID})
	attrWantError(t, err, "DependencyViolation.WindowsInstance", http.StatusForbidden,
		"The instance creating is window, cannot use ssh key pair to login")
	if f.get(t, linux.ID).KeyPairName != "" {
		t.Fatal("a refused call bound the Linux instance")
	}
	_, err = f.svc.DetachKeyPair(t.Context(), attrCaller(), "web", []string{windows.ID})
	attrWantError(t, err, "DependencyViolation.WindowsInstance", http.StatusForbidden,
		"The instance creating is windows, cannot use ssh key pair to login")
}

func TestInstanceIDsListsTheCallersInstancesOfTheRegion(t *testing.T) {
	f := newAttrFixture(t)
	a, b := f.attrInstance(t, nil), f.attrInstance(t, nil)
	f.attrInstance(t, func(in *store.Instance) { in.RegionID, in.ZoneID, in.VSwitchID = "cn-beijing", "cn-beijing-a", "" })
	ids, total, err := f.svc.InstanceIDs(t.Context(), attrCaller(), []string{a.ID, "i-missing"}, store.Page{Number: 1, Size: 10})
	if err != nil || total != 1 || !reflect.DeepEqual(ids, []string{a.ID}) {
		t.Fatalf("by id: %v %d %v", ids, total, err)
	}
	ids, total, err = f.svc.InstanceIDs(t.Context(), attrCaller(), nil, store.Page{Number: 1, Size: 1})
	if err != nil || total != 2 || len(ids) != 1 || ids[0] != b.ID {
		t.Fatalf("all: %v %d %v, want the newest (%s) of 2", ids, total, err, b.ID)
	}
}
