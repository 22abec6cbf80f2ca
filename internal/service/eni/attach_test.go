package eni

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

func TestAttachAndDetachMoveTheInterfaceThroughTheDriver(t *testing.T) {
	e := newEnv(t)
	id := e.instance(t, "ecs.g5.large", "vsw-1")
	v := e.create(t, nil)
	if err := e.svc.Attach(t.Context(), alice, v.ID, id); err != nil {
		t.Fatal(err)
	}
	got := e.eni(t, v.ID)
	if got.Status != StatusInUse || got.InstanceID != id || got.AttachedAt.IsZero() {
		t.Errorf("after Attach: %+v", got.NetworkInterface)
	}
	primary := "eni-" + strings.TrimPrefix(id, "i-")
	nics := e.driverNICs(t, id)
	if len(nics) != 2 || !strings.HasPrefix(nics[0], primary+"=") || nics[1] != v.ID+"="+v.MACAddress() {
		t.Errorf("driver NICs = %v; want the primary, then %s=%s", nics, v.ID, v.MACAddress())
	}
	view, err := e.instances.Get(t.Context(), instance.Caller(alice), id)
	if err != nil || len(view.NICs) != 2 || view.NICs[0].ID != primary || view.NICs[1].ID != v.ID {
		t.Errorf("the instance's interfaces = %+v, %v", view.NICs, err)
	}
	if err := e.svc.Detach(t.Context(), alice, v.ID, id); err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, v.ID); got.Status != StatusAvailable || got.InstanceID != "" {
		t.Errorf("after Detach: %+v", got.NetworkInterface)
	}
	if nics := e.driverNICs(t, id); len(nics) != 1 {
		t.Errorf("driver NICs after Detach = %v", nics)
	}
	// Attached again, the interface keeps its address and MAC (1.13.1).
	if err := e.svc.Attach(t.Context(), alice, v.ID, id); err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, v.ID); got.PrivateIP != v.PrivateIP || got.MACAddress() != v.MACAddress() {
		t.Errorf("reattached: %+v", got.NetworkInterface)
	}
}

func TestAttachFollowsTheGuidesRules(t *testing.T) {
	e := newEnv(t)
	stopped := e.instance(t, "ecs.g5.large", "vsw-1")
	running := e.instance(t, "ecs.g5.large", "vsw-1")
	if err := e.instances.Start(t.Context(), instance.Caller(alice), running, false); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	inZoneG := e.create(t, func(in *CreateInput) { in.VSwitchID = "vsw-g" })
	otherVPC := e.create(t, func(in *CreateInput) { in.VSwitchID, in.SecurityGroupIDs = "vsw-2", []string{"sg-2x"} })
	free, second := e.create(t, nil), e.create(t, nil)
	for _, c := range []struct {
		name, eni, instance, code string
		status                    int
	}{
		{"unknown interface", "eni-nope", stopped, "InvalidEniId.NotFound", 404},
		{"unknown instance", free.ID, "i-nope", "InvalidEcsId.NotFound", 404},
		{"a primary interface", "eni-" + strings.TrimPrefix(running, "i-"), stopped, "InvalidOperation.InvalidEniType", 403},
		{"a Running instance", free.ID, running, "InvalidOperation.InvalidEcsState", 400},
		{"an interface of another VPC", otherVPC.ID, stopped, "InvalidOperation.VpcMismatch", 403},
		{"an interface of another zone", inZoneG.ID, stopped, "InvalidOperation.AvailabilityZoneMismatch", 403},
	} {
		wantCode(t, c.name, e.svc.Attach(t.Context(), alice, c.eni, c.instance), c.code, c.status)
	}
	wantCode(t, "another account's interface", e.svc.Attach(t.Context(), bob, free.ID, stopped), "InvalidEniId.NotFound", 404)
	if err := e.svc.Attach(t.Context(), alice, free.ID, stopped); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "an interface InUse", e.svc.Attach(t.Context(), alice, free.ID, stopped), "InvalidOperation.InvalidEniState", 400)
	// ecs.g5.large takes 2 interfaces, its primary one included (appendix 1.18.1).
	wantCode(t, "a third interface on ecs.g5.large", e.svc.Attach(t.Context(), alice, second.ID, stopped),
		"EniPerInstanceLimitExceeded", 403)
	for typ, want := range map[string]int{"ecs.g5.large": 2, "ecs.g5.xlarge": 3, "ecs.g5.4xlarge": 8, "ecs.n1.tiny": 1, "ecs.nope": 1} {
		if got := e.svc.InstanceLimit(typ); got != want {
			t.Errorf("InstanceLimit(%s) = %d, want %d", typ, got, want)
		}
	}
	// A deleted instance takes no interface, even before the reconciler removes it.
	if err := e.instances.Delete(t.Context(), instance.Caller(alice), stopped, false, false); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "an instance being deleted", e.svc.Detach(t.Context(), alice, free.ID, stopped), "InvalidOperation.InvalidEcsState", 400)
}

func TestDetachFollowsTheGuidesRules(t *testing.T) {
	e := newEnv(t)
	id := e.instance(t, "ecs.g5.xlarge", "vsw-1")
	other := e.instance(t, "ecs.g5.xlarge", "vsw-1")
	v, loose := e.create(t, nil), e.create(t, nil)
	if err := e.svc.Attach(t.Context(), alice, v.ID, id); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, eni, instance, code string
		status                    int
	}{
		{"the primary interface", "eni-" + strings.TrimPrefix(id, "i-"), id, "InvalidOperation.DetachPrimaryEniNotAllowed", 400},
		{"an interface not attached", loose.ID, id, "InvalidOperation.InvalidEniState", 400},
		{"another instance", v.ID, other, "InvalidOperation.InvalidEniState", 400},
		{"unknown instance", v.ID, "i-nope", "InvalidEcsId.NotFound", 404},
		{"unknown interface", "eni-nope", id, "InvalidEniId.NotFound", 404},
	} {
		wantCode(t, c.name, e.svc.Detach(t.Context(), alice, c.eni, c.instance), c.code, c.status)
	}
	wantCode(t, "deleting an attached interface", e.svc.Delete(t.Context(), alice, v.ID), "InvalidOperation.InvalidEniState", 400)
	if err := e.instances.Start(t.Context(), instance.Caller(alice), id, false); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	wantCode(t, "a Running instance", e.svc.Detach(t.Context(), alice, v.ID, id), "InvalidOperation.InvalidEcsState", 400)
}

func TestAttachIsAttachingWhileTheDriverWorks(t *testing.T) {
	e := newEnvWith(t, sim.Config{Delays: sim.Delays{Attach: sim.Duration(10 * time.Second)}}, Limits{})
	id := e.instance(t, "ecs.g5.large", "vsw-1")
	v := e.create(t, nil)
	done := make(chan error, 1)
	go func() { done <- e.svc.Attach(context.Background(), alice, v.ID, id) }()
	for e.clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	if got := e.eni(t, v.ID); got.Status != StatusAttaching || got.InstanceID != id {
		t.Errorf("while the driver attaches: %+v, want Attaching to %s", got.NetworkInterface, id)
	}
	e.clk.Advance(10 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, v.ID); got.Status != StatusInUse {
		t.Errorf("after the delay: %s, want InUse", got.Status)
	}
	go func() { done <- e.svc.Detach(context.Background(), alice, v.ID, id) }()
	for e.clk.Waiters() == 0 {
		time.Sleep(time.Millisecond)
	}
	if got := e.eni(t, v.ID); got.Status != StatusDetaching {
		t.Errorf("while the driver detaches: %s, want Detaching", got.Status)
	}
	e.clk.Advance(10 * time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, v.ID); got.Status != StatusAvailable {
		t.Errorf("after the delay: %s, want Available", got.Status)
	}
}

func TestAttachRefusedByTheDriverLeavesTheInterfaceAvailable(t *testing.T) {
	for _, c := range []struct {
		kind   sim.ErrorKind
		code   string
		status int
	}{
		{sim.KindInvalidState, "InvalidOperation.InvalidEcsState", 400},
		{sim.KindInvalidArgument, "InvalidOperation.InvalidEniState", 400},
		{sim.KindTransient, "ServiceUnavailable", 503},
	} {
		e := newEnvWith(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpAttachNIC, Kind: c.kind}}}, Limits{})
		id := e.instance(t, "ecs.g5.large", "vsw-1")
		v := e.create(t, nil)
		wantCode(t, string(c.kind), e.svc.Attach(t.Context(), alice, v.ID, id), c.code, c.status)
		if got := e.eni(t, v.ID); got.Status != StatusAvailable || got.InstanceID != "" {
			t.Errorf("%s: interface after a refused attach: %+v", c.kind, got.NetworkInterface)
		}
	}
}

func TestDeletingAnInstanceDetachesItsInterfacesAndDeletesItsPrimaryOne(t *testing.T) {
	e := newEnv(t)
	id := e.instance(t, "ecs.g5.large", "vsw-1")
	v := e.create(t, func(in *CreateInput) { in.SecurityGroupIDs = []string{"sg-3"} })
	if err := e.svc.Attach(t.Context(), alice, v.ID, id); err != nil {
		t.Fatal(err)
	}
	if err := e.instances.Delete(t.Context(), instance.Caller(alice), id, false, false); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	got := e.eni(t, v.ID)
	if got.Status != StatusAvailable || got.InstanceID != "" || got.PrivateIP != v.PrivateIP ||
		!slices.Equal(got.SecurityGroupIDs, []string{"sg-3"}) {
		t.Errorf("interface of the deleted instance: %+v", got)
	}
	_, err := e.svc.Get(t.Context(), alice, "eni-"+strings.TrimPrefix(id, "i-"))
	wantCode(t, "the primary interface of a deleted instance", err, "InvalidEniId.NotFound", 404)
	if err := e.svc.Delete(t.Context(), alice, v.ID); err != nil {
		t.Errorf("deleting the detached interface: %v", err)
	}
}

func TestResumeFinishesWhatACrashInterrupted(t *testing.T) {
	e := newEnv(t)
	id := e.instance(t, "ecs.g5.xlarge", "vsw-1")
	attaching, detaching, orphan := e.create(t, nil), e.create(t, nil), e.create(t, nil)
	if err := e.svc.Attach(t.Context(), alice, detaching.ID, id); err != nil {
		t.Fatal(err)
	}
	e.update(t, func(tx store.Tx) error { // what a crash right after the first transaction leaves
		for eniID, set := range map[string]func(n *store.NetworkInterface){
			attaching.ID: func(n *store.NetworkInterface) { n.Status, n.InstanceID = StatusAttaching, id },
			detaching.ID: func(n *store.NetworkInterface) { n.Status = StatusDetaching },
			orphan.ID:    func(n *store.NetworkInterface) { n.Status, n.InstanceID = StatusAttaching, "i-gone" },
		} {
			n, _ := tx.GetNetworkInterface(1, eniID)
			set(&n)
			if err := tx.UpdateNetworkInterface(n); err != nil {
				return err
			}
		}
		return nil
	})
	restarted, err := sim.New(sim.Config{}, e.clk) // ecsd starts again: the driver knows no instance
	if err != nil {
		t.Fatal(err)
	}
	e.sim, e.svc.deps.Compute = restarted, restarted
	if err := e.svc.Resume(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.eni(t, attaching.ID); got.Status != StatusInUse || got.InstanceID != id {
		t.Errorf("attaching interface resumed to %+v", got.NetworkInterface)
	}
	if got := e.eni(t, detaching.ID); got.Status != StatusAvailable || got.InstanceID != "" {
		t.Errorf("detaching interface resumed to %+v", got.NetworkInterface)
	}
	if got := e.eni(t, orphan.ID); got.Status != StatusAvailable || got.InstanceID != "" {
		t.Errorf("interface attaching to a gone instance resumed to %+v", got.NetworkInterface)
	}
	nics := e.driverNICs(t, id)
	if len(nics) != 2 || !strings.HasPrefix(nics[1], attaching.ID+"=") {
		t.Errorf("driver NICs after resume = %v", nics)
	}
}
