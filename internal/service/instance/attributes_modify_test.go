package instance

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
)

func TestModifyInstanceAttributeChangesOnlyTheAttributesGiven(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, func(in *store.Instance) { in.Description = "old description"; in.UserData = "b2xk" })
	err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: in.ID, Name: attrStr("renamed-1.x"),
		HostName: attrStr("web-01.example")})
	if err != nil {
		t.Fatal(err)
	}
	got := f.get(t, in.ID)
	if got.Name != "renamed-1.x" || got.HostName != "web-01.example" || got.Description != "old description" ||
		got.UserData != "b2xk" || got.PasswordHash != "" {
		t.Fatalf("after renaming: %+v", got)
	}
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))
	err = f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: in.ID, Description: attrStr(""),
		UserData: &ud, DeletionProtection: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	got = f.get(t, in.ID)
	if got.Description != "" || got.UserData != ud || !got.DeletionProtection || got.Name != "renamed-1.x" {
		t.Fatalf("after clearing the description: %+v", got)
	}
}

func TestModifyInstanceAttributeAnswersTheGuidesMalformedCodes(t *testing.T) {
	f := newAttrFixture(t)
	linux := f.attrInstance(t, nil)
	windows := f.attrInstance(t, func(in *store.Instance) { in.OSType = image.OSTypeWindows })
	big := base64.StdEncoding.EncodeToString(make([]byte, 16*1024+1))
	cases := []struct {
		name string
		id   string
		in   ModifyAttributeInput
		code string
	}{
		{"name starting with a digit", linux.ID, ModifyAttributeInput{Name: attrStr("1web")}, "InvalidInstanceName.Malformed"},
		{"name with a colon", linux.ID, ModifyAttributeInput{Name: attrStr("web:1")}, "InvalidInstanceName.Malformed"},
		{"name as a URL", linux.ID, ModifyAttributeInput{Name: attrStr("http://web")}, "InvalidInstanceName.Malformed"},
		{"one-character description", linux.ID, ModifyAttributeInput{Description: attrStr("x")}, "InvalidDescription.Malformed"},
		{"password of two kinds", linux.ID, ModifyAttributeInput{Password: attrStr("abcdefgh1")}, "InvalidHostPassword.Malformed"},
		{"password too short", linux.ID, ModifyAttributeInput{Password: attrStr("Ab1!")}, "InvalidHostPassword.Malformed"},
		{"password with ':' (not among 1.5.15's specials)", linux.ID, ModifyAttributeInput{Password: attrStr("Abcdef1:")}, "InvalidHostPassword.Malformed"},
		{"user data over 16 KB", linux.ID, ModifyAttributeInput{UserData: &big}, "InvalidUserData.SizeExceeded"},
		{"user data not base64", linux.ID, ModifyAttributeInput{UserData: attrStr("not base64!")}, "InvalidParameter"},
		{"linux host name over 30", linux.ID, ModifyAttributeInput{HostName: attrStr(strings.Repeat("a", 31))}, "InvalidHostName.Malformed"},
		{"host name with '..'", linux.ID, ModifyAttributeInput{HostName: attrStr("a..b")}, "InvalidHostName.Malformed"},
		{"host name ending in '-'", linux.ID, ModifyAttributeInput{HostName: attrStr("web-")}, "InvalidHostName.Malformed"},
		{"windows host name with '.'", windows.ID, ModifyAttributeInput{HostName: attrStr("web.local")}, "InvalidHostName.Malformed"},
		{"windows host name of digits", windows.ID, ModifyAttributeInput{HostName: attrStr("12345")}, "InvalidHostName.Malformed"},
		{"windows host name over 15", windows.ID, ModifyAttributeInput{HostName: attrStr(strings.Repeat("w", 16))}, "InvalidHostName.Malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.InstanceID = c.id
			attrWantError(t, f.svc.ModifyAttribute(t.Context(), attrCaller(), c.in), c.code, http.StatusBadRequest, "")
		})
	}
	// Accepted: the longest Linux name, a 15-character Windows name, a password
	// of three kinds with the guide's specials.
	for _, in := range []ModifyAttributeInput{
		{InstanceID: linux.ID, HostName: attrStr(strings.Repeat("a", 14) + "." + strings.Repeat("b", 15))},
		{InstanceID: windows.ID, HostName: attrStr("WIN-" + strings.Repeat("1", 11))},
		{InstanceID: linux.ID, Password: attrStr("abc(DEF)`~!@#$%^&*")},
	} {
		if err := f.svc.ModifyAttribute(t.Context(), attrCaller(), in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	seriesOne := f.attrInstance(t, func(in *store.Instance) { in.InstanceType = "ecs.c1.small" })
	err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: seriesOne.ID, UserData: attrStr("aGk=")})
	attrWantError(t, err, "InvalidUserData.NotSupported", http.StatusBadRequest,
		`The specified parameter "UserData" only support the vpc and IoOptimized Instance.`)
	err = f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: "i-missing", Name: attrStr("ok-name")})
	attrWantError(t, err, "InvalidInstanceId.NotFound", http.StatusNotFound, "The InstanceId provided does not exist in our records.")
	err = f.svc.ModifyAttribute(t.Context(), Caller{AccountID: 2, RegionID: "cn-hangzhou"}, ModifyAttributeInput{InstanceID: linux.ID})
	attrWantError(t, err, "InvalidInstanceId.NotFound", http.StatusNotFound, "")
}

func TestModifyInstanceAttributeKeepsOnlyAPasswordHashAndRefusesItWhileStarting(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	const pw = "Secret#2026"
	if err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: in.ID, Password: attrStr(pw)}); err != nil {
		t.Fatal(err)
	}
	got := f.get(t, in.ID)
	if got.PasswordHash == "" || strings.Contains(got.PasswordHash, pw) || got.PasswordHash != passwordHash(in.ID, pw) {
		t.Fatalf("PasswordHash = %q, want the launch code's hash of the password", got.PasswordHash)
	}
	starting := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStarting })
	err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: starting.ID, Password: attrStr(pw)})
	attrWantError(t, err, "IncorrectInstanceStatus", http.StatusForbidden, "")
	// A name may change while Starting: the status rule is the password's.
	if err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: starting.ID, Name: attrStr("booting")}); err != nil {
		t.Fatal(err)
	}
}

func TestModifyInstanceAttributeReplacesTheSecurityGroupsWithinTheGuidesLimits(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	set := func(groups ...string) error {
		return f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: in.ID, SecurityGroupIDs: groups})
	}
	if err := set("sg-a2", "sg-a3", "sg-a2"); err != nil {
		t.Fatal(err)
	}
	if got := f.groups(t, in.ID); !slices.Equal(got, []string{"sg-a2", "sg-a3"}) {
		t.Fatalf("groups = %v, want [sg-a2 sg-a3]", got)
	}
	attrWantError(t, set("sg-a1", "sg-a2", "sg-a3", "sg-a4", "sg-a5", "sg-a6"), "InstanceSecurityGroupLimitExceeded", http.StatusBadRequest, "")
	attrWantError(t, set("sg-b1"), "InvalidInstanceId.Mismatch", http.StatusBadRequest, "")
	attrWantError(t, set("sg-nope"), "InvalidSecurityGroupId.NotFound", http.StatusNotFound, "")
	stopping := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopping; in.NextStatus = "Stopped" })
	err := f.svc.ModifyAttribute(t.Context(), attrCaller(), ModifyAttributeInput{InstanceID: stopping.ID, SecurityGroupIDs: []string{"sg-a2"}})
	attrWantError(t, err, "IncorrectInstanceStatus", http.StatusForbidden, "")
	if got := f.groups(t, in.ID); !slices.Equal(got, []string{"sg-a2", "sg-a3"}) {
		t.Fatalf("a refused change changed the groups: %v", got)
	}
}

func TestModifyInstanceVncPasswdTakesSixLettersAndDigitsOfEveryKind(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	for _, bad := range []string{"abc123", "ABC123", "Abcdef", "Ab12345", "Ab12", "Ab12!x"} {
		attrWantError(t, f.svc.ModifyVncPassword(t.Context(), attrCaller(), in.ID, bad), "IncorrectVncPassword.Malformed", http.StatusBadRequest,
			`The specified parameter "VncPassword" is not valid.`)
	}
	if err := f.svc.ModifyVncPassword(t.Context(), attrCaller(), in.ID, "Ab12cd"); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, in.ID).VNCPassword; got != "Ab12cd" {
		t.Fatalf("VNCPassword = %q", got)
	}
	pending := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusPending; in.NextStatus = "Running" })
	attrWantError(t, f.svc.ModifyVncPassword(t.Context(), attrCaller(), pending.ID, "Ab12cd"), "IncorrectInstanceStatus", http.StatusForbidden, "")
	attrWantError(t, f.svc.ModifyVncPassword(t.Context(), attrCaller(), "i-missing", "Ab12cd"), "InvalidInstanceId.NotFound", http.StatusNotFound, "")
}

func TestSecurityLockRefusesTheActionsTheGuidesTableMarksAndNoOthers(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, func(in *store.Instance) { in.InternetMaxBandwidthOut = 5 })
	f.lock(t, in.ID)
	f.lock(t, in.ID) // locking twice is one lock
	if got := f.get(t, in.ID).OperationLocks; got != LockSecurity {
		t.Fatalf("OperationLocks = %q", got)
	}
	ctx, c := t.Context(), attrCaller()
	refused := map[string]error{
		"ModifyInstanceAttribute":   f.svc.ModifyAttribute(ctx, c, ModifyAttributeInput{InstanceID: in.ID, Name: attrStr("other")}),
		"AllocatePublicIpAddress":   func() error { _, err := f.svc.AllocatePublicIP(ctx, c, in.ID, ""); return err }(),
		"ModifyInstanceNetworkSpec": f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthOut: new(10)}),
		"JoinSecurityGroup":         f.svc.JoinSecurityGroup(ctx, c, in.ID, "sg-a2"),
		"LeaveSecurityGroup":        f.svc.LeaveSecurityGroup(ctx, c, in.ID, "sg-a1"),
	}
	for action, err := range refused {
		t.Run(action, func(t *testing.T) {
			attrWantError(t, err, "InstanceLockedForSecurity", http.StatusForbidden,
				"The specified operation is denied as your instance is locked for security reasons.")
		})
	}
	// Not in the table: they work as usual.
	if err := f.svc.ModifyVncPassword(ctx, c, in.ID, "Ab12cd"); err != nil {
		t.Errorf("ModifyInstanceVncPasswd: %v", err)
	}
	if _, err := f.svc.AttachKeyPair(ctx, c, "web", []string{in.ID}); err != nil {
		t.Errorf("AttachKeyPair: %v", err)
	}
	if err := f.svc.LockForSecurity(ctx, 1, in.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ModifyAttribute(ctx, c, ModifyAttributeInput{InstanceID: in.ID, Name: attrStr("other")}); err != nil {
		t.Fatalf("after unlocking: %v", err)
	}
	attrWantError(t, f.svc.LockForSecurity(ctx, 1, "i-missing", true), "InvalidInstanceId.NotFound", http.StatusNotFound, "")
}
