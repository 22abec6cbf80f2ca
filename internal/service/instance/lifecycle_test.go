package instance

import (
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// running launches one instance and lets the reconciler start it.
func (f *launchFixture) running(t *testing.T, edit func(*RunInput)) string {
	t.Helper()
	ids := f.launch(t, runInput(edit))
	f.settle(t)
	if s := f.status(t, ids[0]); s != StatusRunning {
		t.Fatalf("%s is %s, want Running", ids[0], s)
	}
	return ids[0]
}

func TestStopStartAndRebootFollowTheGuidesStatuses(t *testing.T) {
	f := newLaunchFixture(t)
	id := f.running(t, nil)
	c := lfCaller()
	if err := f.svc.Stop(t.Context(), c, StopInput{InstanceID: id, StoppedMode: StoppedModeStopCharging}); err != nil {
		t.Fatal(err)
	}
	if in := f.get(t, id); in.Status != StatusStopping || in.StoppedMode != StoppedModeStopCharging {
		t.Fatalf("after StopInstance: %s (%s), want Stopping", in.Status, in.StoppedMode)
	}
	wantCode(t, "StopInstance while Stopping", f.svc.Stop(t.Context(), c, StopInput{InstanceID: id}), "IncorrectInstanceStatus", 403)
	f.settle(t)
	if s := f.status(t, id); s != StatusStopped {
		t.Fatalf("after the reconciler: %s, want Stopped", s)
	}
	wantCode(t, "StopInstance of a Stopped instance", f.svc.Stop(t.Context(), c, StopInput{InstanceID: id}), "IncorrectInstanceStatus", 403)
	wantCode(t, "RebootInstance of a Stopped instance", f.svc.Reboot(t.Context(), c, id, false, false), "IncorrectInstanceStatus", 403)
	if err := f.svc.Start(t.Context(), c, id, false); err != nil {
		t.Fatal(err)
	}
	if s := f.status(t, id); s != StatusStarting {
		t.Fatalf("after StartInstance: %s, want Starting", s)
	}
	f.settle(t)
	wantCode(t, "StartInstance of a Running instance", f.svc.Start(t.Context(), c, id, false), "IncorrectInstanceStatus", 403)
	if err := f.svc.Reboot(t.Context(), c, id, true, false); err != nil {
		t.Fatal(err)
	}
	if s := f.status(t, id); s != StatusStopping {
		t.Fatalf("after RebootInstance: %s, want Stopping", s)
	}
	f.settle(t)
	if in := f.get(t, id); in.Status != StatusRunning || in.NextStatus != "" {
		t.Fatalf("after the reboot: %s/%s, want Running", in.Status, in.NextStatus)
	}
}

func TestLifecycleActionsAnswerTheGuidesErrors(t *testing.T) {
	f := newLaunchFixture(t)
	c := lfCaller()
	wantCode(t, "StartInstance of a missing instance", f.svc.Start(t.Context(), c, "i-nope", false), "InvalidInstanceId.NotFound", 404)
	wantCode(t, "StopInstance of a missing instance", f.svc.Stop(t.Context(), c, StopInput{InstanceID: "i-nope"}), "InvalidInstanceId.NotFound", 404)
	wantCode(t, "DeleteInstance of a missing instance", f.svc.Delete(t.Context(), c, "i-nope", true, false), "InvalidInstanceId.NotFound", 404)
	id := f.launch(t, runInput(nil))[0]
	wantCode(t, "StartInstance of a Pending instance", f.svc.Start(t.Context(), c, id, false), "InstanceNotReady", 403)
	other := Caller{AccountID: 2, RegionID: "cn-hangzhou"}
	wantCode(t, "another account's instance", f.svc.Reboot(t.Context(), other, id, false, false), "InvalidInstanceId.NotFound", 404)
	f.settle(t)
	wantCode(t, "StoppedMode", f.svc.Stop(t.Context(), c, StopInput{InstanceID: id, StoppedMode: "Sleep"}), "InvalidParameter", 400)
	wantCode(t, "DryRun", f.svc.Stop(t.Context(), c, StopInput{InstanceID: id, DryRun: true}), "DryRunOperation", 400)
	if s := f.status(t, id); s != StatusRunning {
		t.Fatalf("DryRun changed the status to %s", s)
	}
	f.update(t, func(tx store.Tx) error {
		in, err := tx.GetInstance(1, id)
		if err != nil {
			return err
		}
		in.OperationLocks = LockSecurity
		return tx.UpdateInstance(in)
	})
	wantCode(t, "StopInstance of a locked instance", f.svc.Stop(t.Context(), c, StopInput{InstanceID: id}), "InstanceLockedForSecurity", 403)
	wantCode(t, "RebootInstance of a locked instance", f.svc.Reboot(t.Context(), c, id, false, false), "InstanceLockedForSecurity", 403)
}

func TestDeleteInstanceReleasesAddressesDisksAndTags(t *testing.T) {
	f := newLaunchFixture(t)
	c := lfCaller()
	id := f.running(t, func(in *RunInput) {
		in.InternetMaxBandwidthOut = intp(1)
		in.Tags = []store.Tag{{Key: "env", Value: "dev"}}
		in.DataDisks = []DataDiskInput{{Category: CategoryEfficiency, Size: intp(20)},
			{Category: CategoryEfficiency, Size: intp(30), DeleteWithInstance: boolp(false)}}
	})
	wantCode(t, "DeleteInstance of a Running instance", f.svc.Delete(t.Context(), c, id, false, false), "IncorrectInstanceState", 403)
	if err := f.svc.Delete(t.Context(), c, id, true, false); err != nil {
		t.Fatalf("DeleteInstance with Force: %v", err)
	}
	if s := f.status(t, id); s != StatusStopping {
		t.Fatalf("while being deleted: %s, want Stopping", s)
	}
	if err := f.svc.Delete(t.Context(), c, id, true, false); err != nil {
		t.Fatalf("a second DeleteInstance while deleting: %v", err)
	}
	wantCode(t, "StartInstance while deleting", f.svc.Start(t.Context(), c, id, false), "IncorrectInstanceStatus", 403)
	f.settle(t)
	if !f.gone(t, id) {
		t.Fatalf("%s still exists", id)
	}
	f.update(t, func(tx store.Tx) error {
		ips, _ := tx.ListPrivateIPs("vsw-1")
		pub, _ := tx.ListPrivateIPs(publicIPPoolKey)
		tags, _ := tx.GetTags(1, store.TagTypeInstance, []string{id})
		disks, _, _ := tx.ListDisks(store.DiskFilter{AccountID: 1})
		if len(ips) != 0 || len(pub) != 0 || len(tags) != 0 {
			t.Errorf("left %v private, %v public IPs, tags %v", ips, pub, tags)
		}
		if len(disks) != 1 || disks[0].SizeGiB != 30 || disks[0].Status != diskStatusAvailable || disks[0].InstanceID != "" {
			t.Errorf("disks left: %+v, want the 30 GiB one, Available", disks)
		}
		return nil
	})
	wantCode(t, "DeleteInstance of a deleted instance", f.svc.Delete(t.Context(), c, id, true, false), "InvalidInstanceId.NotFound", 404)
}

func TestDeleteInstanceRefusesAnInstanceWithDeletionProtection(t *testing.T) {
	f := newLaunchFixture(t)
	id := f.running(t, func(in *RunInput) { in.DeletionProtection = true })
	wantCode(t, "DeleteInstance", f.svc.Delete(t.Context(), lfCaller(), id, true, false), "InvalidOperation.DeletionProtection", 403)
	if f.gone(t, id) {
		t.Fatal("a protected instance was deleted")
	}
}

func TestDeleteInstanceOfAStoppedInstanceNeedsNoForce(t *testing.T) {
	f := newLaunchFixture(t)
	id := f.running(t, nil)
	if err := f.svc.Stop(t.Context(), lfCaller(), StopInput{InstanceID: id}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteInstance while Stopping", f.svc.Delete(t.Context(), lfCaller(), id, false, false), "IncorrectInstanceState", 403)
	f.settle(t)
	if err := f.svc.Delete(t.Context(), lfCaller(), id, false, false); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if !f.gone(t, id) {
		t.Fatal("not deleted")
	}
}

func TestAutoReleaseTimeReleasesTheInstance(t *testing.T) {
	f := newLaunchFixture(t)
	id := f.running(t, func(in *RunInput) { in.AutoReleaseTime = "2026-03-01T09:00:00Z" })
	f.clock.Advance(59 * time.Minute)
	f.settle(t)
	if f.gone(t, id) {
		t.Fatal("released a minute early")
	}
	f.clock.Advance(time.Minute)
	f.settle(t)
	if !f.gone(t, id) {
		t.Fatalf("still there after its AutoReleaseTime: %+v", f.get(t, id))
	}
}

func TestStartAndRebootRefuseAnInstanceWhoseDisksAreBusy(t *testing.T) {
	f := newLaunchFixture(t)
	id := f.running(t, func(in *RunInput) { in.DataDisks = []DataDiskInput{{Size: intp(20)}} })
	f.update(t, func(tx store.Tx) error {
		disks, err := tx.InstanceDisks(id)
		if err != nil {
			return err
		}
		disks[1].Status = "Detaching"
		return tx.UpdateDisk(disks[1])
	})
	wantCode(t, "RebootInstance", f.svc.Reboot(t.Context(), lfCaller(), id, false, false), "DiskError", 403)
	if err := f.svc.Stop(t.Context(), lfCaller(), StopInput{InstanceID: id}); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	wantCode(t, "StartInstance", f.svc.Start(t.Context(), lfCaller(), id, false), "DiskError", 403)
}
