package snapshot

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreateSnapshotProgressesFromZeroToAccomplishedThroughItsTask(t *testing.T) {
	f := newFixture(t)
	id, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data", Name: "before-upgrade", Description: "kept",
		Tags: []store.Tag{{Key: "env", Value: "prod"}}})
	if err != nil {
		t.Fatal(err)
	}
	sn := f.snapshot(id)
	if !strings.HasPrefix(id, "s-bp") || sn.Status != store.SnapshotProgressing || sn.Progress != 0 || sn.Type != store.SnapshotTypeUser ||
		sn.SourceDiskID != "d-data" || sn.SourceDiskSizeGiB != 40 || sn.SourceDiskType != "data" || sn.TaskID == "" {
		t.Fatalf("just created: %+v", sn)
	}
	f.settle() // starts the copy, reads 0%
	f.clk.Advance(4 * time.Second)
	f.settle()
	if sn = f.snapshot(id); sn.Progress != 40 || sn.Status != store.SnapshotProgressing {
		t.Fatalf("after 4s of 10: %d%% %s", sn.Progress, sn.Status)
	}
	if tk := f.task(sn.TaskID); tk.Action != ActionCreateSnapshot || tk.Status != store.TaskProcessing || tk.Progress != 40 {
		t.Fatalf("task after 4s: %+v", tk)
	}
	f.clk.Advance(6 * time.Second)
	f.settle()
	sn = f.snapshot(id)
	if sn.Status != store.SnapshotAccomplished || sn.Progress != 100 || sn.SizeBytes != 40<<30 || !sn.FinishedAt.Equal(f.clk.Now()) ||
		len(sn.DriverHandle) == 0 {
		t.Fatalf("after 10s: %+v", sn)
	}
	tk := f.task(sn.TaskID)
	if tk.Status != store.TaskFinished || len(tk.Operations) != 1 || tk.Operations[0].Status != task.OperationSuccess ||
		tk.Operations[0].Items[0] != (store.TaskItem{Name: "SnapshotId", Value: id}) {
		t.Fatalf("task: %+v", tk)
	}
}

func TestCreateSnapshotFollowsTheGuidesRules(t *testing.T) {
	f := newFixture(t)
	busy, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-sys"})
	if err != nil {
		t.Fatal(err)
	}
	f.update(func(tx store.Tx) error {
		in, _ := tx.GetInstance(1, "i-stop")
		in.Status = "Pending"
		return tx.UpdateInstance(in)
	})
	for _, c := range []struct {
		name   string
		in     CreateInput
		code   string
		status int
	}{
		{"no disk", CreateInput{}, "MissingParameter", http.StatusBadRequest},
		{"an unknown disk", CreateInput{DiskID: "d-nope"}, "InvalidDiskId.NotFound", http.StatusNotFound},
		{"a name starting with auto", CreateInput{DiskID: "d-data", Name: "automatic"}, "InvalidSnapshotName.Malformed", http.StatusBadRequest},
		{"a name starting with a digit", CreateInput{DiskID: "d-data", Name: "1st"}, "InvalidSnapshotName.Malformed", http.StatusBadRequest},
		{"a name with a dot", CreateInput{DiskID: "d-data", Name: "v1.2"}, "InvalidSnapshotName.Malformed", http.StatusBadRequest},
		{"a one-character name", CreateInput{DiskID: "d-data", Name: "a"}, "InvalidSnapshotName.Malformed", http.StatusBadRequest},
		{"a description of one character", CreateInput{DiskID: "d-data", Description: "x"}, "InvalidDescription.Malformed", http.StatusNotFound},
		{"a description that is a URL", CreateInput{DiskID: "d-data", Description: "https://x"}, "InvalidDescription.Malformed", http.StatusNotFound},
		{"a retention of 0 days", CreateInput{DiskID: "d-data", RetentionDays: ptr(0)}, "InvalidParameter", http.StatusBadRequest},
		{"a portable disk never attached", CreateInput{DiskID: "d-fresh"}, "IncorrectDiskStatus.NeverAttached", http.StatusForbidden},
		{"an instance that never started", CreateInput{DiskID: "d-new"}, "IncorrectDiskStatus.NeverUsed", http.StatusForbidden},
		{"an instance locked for security", CreateInput{DiskID: "d-lock"}, "InstanceLockedForSecurity", http.StatusForbidden},
		{"an instance neither running nor stopped", CreateInput{DiskID: "d-stop"}, "IncorrectInstanceStatus", http.StatusBadRequest},
		{"a snapshot under way", CreateInput{DiskID: "d-sys"}, "IncorrectDiskStatus.CreatingSnapshot", http.StatusForbidden},
		{"a local disk", CreateInput{DiskID: "d-local"}, "InvalidDiskCategory.NotSupported", http.StatusForbidden},
		{"another account's disk", CreateInput{DiskID: "d-data"}, "InvalidDiskId.NotFound", http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			caller := alice
			if strings.HasPrefix(c.name, "another account") {
				caller.AccountID = 2
			}
			_, err := f.svc.Create(t.Context(), caller, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
	if id, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-old", Name: "中文_名-1"}); err != nil || id == busy {
		t.Errorf("a detached disk that was used, a Chinese name: %s, %v", id, err)
	}
}

func TestCreateSnapshotIsIdempotentAndBoundedPerDisk(t *testing.T) {
	f := newFixture(t)
	f.svc.deps.Limits.SnapshotsPerDisk = 2
	in := CreateInput{DiskID: "d-data", ClientToken: "tok-1"}
	first, err := f.svc.Create(t.Context(), alice, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Create(t.Context(), alice, in)
	if err != nil || again != first {
		t.Fatalf("retry = %s, %v; want %s", again, err, first)
	}
	in.Name = "other"
	_, err = f.svc.Create(t.Context(), alice, in)
	wantAPIError(t, err, "IdempotentParameterMismatch", http.StatusBadRequest)
	f.finish()
	f.take("d-data")
	_, err = f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data"})
	wantAPIError(t, err, "QuotaExceed.Snapshot", http.StatusForbidden)
}

func TestAFailingCopyFailsTheSnapshot(t *testing.T) {
	f := newFixture(t)
	id, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data"})
	if err != nil {
		t.Fatal(err)
	}
	f.settle()
	// The volume driver loses the copy (it was deleted behind ecsd's back).
	sn := f.snapshot(id)
	h, _ := handleOf(sn.DriverHandle)
	if err := f.vols.DeleteSnapshot(t.Context(), h); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Second)
	f.settle()
	if sn = f.snapshot(id); sn.Status != store.SnapshotFailed {
		t.Fatalf("snapshot %+v, want failed", sn)
	}
	if tk := f.task(sn.TaskID); tk.Status != store.TaskFailed || tk.ErrorCode != "CreateSnapshot.Failed" {
		t.Fatalf("task %+v", tk)
	}
	if _, err := f.svc.Create(t.Context(), alice, CreateInput{DiskID: "d-data"}); err != nil {
		t.Errorf("a failed snapshot does not block the next: %v", err)
	}
}
