package instance

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/store"
)

// screenDriver is a compute driver that serves screens; only its
// VNCConsoler methods are used.
type screenDriver struct {
	driver.Compute
	fail error
	sets []string // "handle-state password" of every SetVNCPassword
}

func (d *screenDriver) VNCSocket(context.Context, driver.Handle) (string, error) { return "", nil }

func (d *screenDriver) SetVNCPassword(_ context.Context, h driver.Handle, password string) error {
	d.sets = append(d.sets, string(h.State)+" "+password)
	return d.fail
}

func TestModifyInstanceVncPasswdHandsThePasswordToADriverThatServesScreens(t *testing.T) {
	f := newAttrFixture(t)
	d := &screenDriver{}
	f.svc.deps.Compute = d
	handle, _ := json.Marshal(driver.Handle{Driver: "qemu", Version: 1, State: []byte(`{"instanceId":"i-attr001"}`)})
	running := f.attrInstance(t, func(in *store.Instance) { in.DriverHandle = handle })
	stopped := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped; in.DriverHandle = handle })
	bare := f.attrInstance(t, nil) // no driver handle: nothing to tell the driver
	for _, id := range []string{running.ID, stopped.ID, bare.ID} {
		if err := f.svc.ModifyVncPassword(t.Context(), attrCaller(), id, "Ab12cd"); err != nil {
			t.Fatal(err)
		}
	}
	want := `{"instanceId":"i-attr001"} Ab12cd`
	if len(d.sets) != 2 || d.sets[0] != want || d.sets[1] != want {
		t.Fatalf("SetVNCPassword calls %q, want two of %q", d.sets, want)
	}
	// A refused password never reaches the driver.
	attrWantError(t, f.svc.ModifyVncPassword(t.Context(), attrCaller(), running.ID, "abc123"), "IncorrectVncPassword.Malformed", 400, "")
	if len(d.sets) != 2 {
		t.Fatalf("a malformed password reached the driver: %q", d.sets)
	}
	// A driver that fails leaves the password recorded: the console sets it
	// on the screen when opened.
	d.fail = errors.New("qmp: connection closed")
	if err := f.svc.ModifyVncPassword(t.Context(), attrCaller(), running.ID, "Xy98zw"); err != nil {
		t.Fatalf("a failing driver failed the call: %v", err)
	}
	if got := f.get(t, running.ID).VNCPassword; got != "Xy98zw" {
		t.Fatalf("VNCPassword = %q", got)
	}
}
