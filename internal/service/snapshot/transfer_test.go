package snapshot

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ecsd/ecsd/internal/imagefile"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// countSnapshots is the number of account 1's snapshots.
func (f *fixture) countSnapshots() int {
	f.t.Helper()
	var n int
	err := f.st.View(f.t.Context(), func(tx store.Tx) error {
		var err error
		_, n, err = tx.ListSnapshots(store.SnapshotFilter{AccountID: 1, Page: store.Page{Number: 1, Size: 100}})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestExportSnapshotWritesAQcow2OfTheSnapshotSizeIntoTheBucket(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	id := f.take("d-data")
	taskID, err := f.svc.Export(t.Context(), alice, ExportInput{SnapshotID: id, OssBucket: "backups"})
	if err != nil {
		t.Fatal(err)
	}
	if tk := f.task(taskID); tk.Action != ActionExportSnapshot || !tk.SupportCancel || tk.ResourceID != id {
		t.Fatalf("task: %+v", tk)
	}
	_, err = f.svc.Export(t.Context(), alice, ExportInput{SnapshotID: id, OssBucket: "backups"})
	wantAPIError(t, err, "SNAPSHOT_IS_EXPORTING", 403)
	f.finish()
	if tk := f.task(taskID); tk.Status != store.TaskFinished {
		t.Fatalf("task %s: %s", taskID, tk.Status)
	}
	data, ok := f.obj.Object("backups", id+".qcow2")
	if !ok {
		t.Fatal("no object " + id + ".qcow2")
	}
	v, err := imagefile.VirtualSize(bytes.NewReader(data), int64(len(data)), imagefile.QCOW2)
	if err != nil || v != 40<<30 {
		t.Fatalf("exported file: virtual size %d, %v; want 40 GiB", v, err)
	}
	if f.roles.asked[0] != "export:"+ExportRole {
		t.Fatalf("roles asked: %v", f.roles.asked)
	}
}

func TestExportSnapshotAnswersTheGuideErrors(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	f.obj.AddBucket(2, "cn-hangzhou", "theirs")
	f.obj.AddBucket(1, "cn-beijing", "faraway")
	id := f.take("d-data")
	ctx := t.Context()
	_, err := f.svc.Export(ctx, alice, ExportInput{OssBucket: "backups"})
	wantAPIError(t, err, "MissingParameter", 400)
	_, err = f.svc.Export(ctx, alice, ExportInput{SnapshotID: id})
	wantAPIError(t, err, "MissingParameter", 400)
	_, err = f.svc.Export(ctx, alice, ExportInput{SnapshotID: "s-missing", OssBucket: "backups"})
	wantAPIError(t, err, "SNAPSHOT_NOT_EXIST", 403)
	_, err = f.svc.Export(ctx, Caller{AccountID: 2, RegionID: "cn-hangzhou"}, ExportInput{SnapshotID: id, OssBucket: "theirs"})
	wantAPIError(t, err, "SNAPSHOT_NOT_EXIST", 403)
	for _, b := range []string{"nothing", "theirs", "faraway"} {
		_, err = f.svc.Export(ctx, alice, ExportInput{SnapshotID: id, OssBucket: b})
		wantAPIError(t, err, "OSS_BUCKET_NOT_FOUND", 403)
	}
	progressing, err := f.svc.Create(ctx, alice, CreateInput{DiskID: "d-sys"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Export(ctx, alice, ExportInput{SnapshotID: progressing, OssBucket: "backups"})
	wantAPIError(t, err, "SNAPSHOT_CREATE_NOT_FINISHED", 403)
	f.roles.allow = false
	_, err = f.svc.Export(ctx, alice, ExportInput{SnapshotID: id, OssBucket: "backups", RoleName: "Mine"})
	wantAPIError(t, err, "OSS_AUTHORIZED_FAILED", 403)
	if got := f.roles.asked[len(f.roles.asked)-1]; got != "export:Mine" {
		t.Fatalf("role asked: %s", got)
	}
	f.finish()
	if f.obj.ObjectCount("backups") != 0 {
		t.Fatal("a refused export wrote an object")
	}
}

// vhdFile is a VHD of vsize bytes (footer only).
func vhdFile(vsize int64) []byte {
	b := make([]byte, 1024)
	copy(b[512:], "conectix")
	binary.BigEndian.PutUint64(b[512+48:], uint64(vsize))
	return b
}

func TestImportSnapshotCreatesAProgressingSnapshotThatItsTaskAccomplishes(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	f.obj.PutObject("backups", "disk.qcow2", imagefile.QCOW2Header(5<<30+1))
	f.obj.PutObject("backups", "disk.vhd", vhdFile(3<<30))
	f.obj.PutObject("backups", "disk.raw", make([]byte, 4096))
	for _, c := range []struct {
		object string
		gib    int
	}{{"disk.qcow2", 6}, {"disk.vhd", 3}, {"disk.raw", 1}} {
		out, err := f.svc.Import(t.Context(), alice, ImportInput{SnapshotName: "imported", OssBucket: "backups", OssObject: c.object})
		if err != nil {
			t.Fatalf("%s: %v", c.object, err)
		}
		sn := f.snapshot(out.SnapshotID)
		if sn.Status != store.SnapshotProgressing || sn.SourceDiskID != "" || sn.SourceDiskSizeGiB != c.gib ||
			sn.Name != "imported" || sn.TaskID != out.TaskID {
			t.Fatalf("%s: snapshot %+v", c.object, sn)
		}
		if tk := f.task(out.TaskID); tk.Action != ActionImportSnapshot || !tk.SupportCancel {
			t.Fatalf("%s: task %+v", c.object, tk)
		}
		f.finish()
		if sn = f.snapshot(out.SnapshotID); sn.Status != store.SnapshotAccomplished || sn.Progress != 100 || sn.SourceDiskSizeGiB != c.gib {
			t.Fatalf("%s: after the task: %+v", c.object, sn)
		}
	}
	if f.roles.asked[0] != "import:"+ImportRole {
		t.Fatalf("roles asked: %v", f.roles.asked)
	}
}

func TestImportSnapshotOfBadInputCreatesNothing(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	f.obj.AddBucket(2, "cn-hangzhou", "theirs")
	f.obj.AddBucket(1, "cn-beijing", "faraway")
	f.obj.PutObject("backups", "junk.txt", []byte("this is not a disk image"))
	f.obj.PutObject("backups", "cut.qcow2", imagefile.QCOW2Header(1 << 30)[:80])
	f.obj.PutObject("theirs", "disk.qcow2", imagefile.QCOW2Header(1<<30))
	f.obj.PutObject("faraway", "disk.qcow2", imagefile.QCOW2Header(1<<30))
	ctx := t.Context()
	for _, c := range []struct {
		in     ImportInput
		code   string
		status int
	}{
		{ImportInput{OssObject: "x"}, "MissingParameter", 400},
		{ImportInput{OssBucket: "backups"}, "MissingParameter", 400},
		{ImportInput{OssBucket: "backups", OssObject: "junk.txt", SnapshotName: "1bad"}, "InvalidSnapshotName.Malformed", 400},
		{ImportInput{OssBucket: "nothing", OssObject: "disk.qcow2"}, "OSS_BUCKET_NOT_FOUND", 403},
		{ImportInput{OssBucket: "theirs", OssObject: "disk.qcow2"}, "OSS_BUCKET_NOT_FOUND", 403},
		{ImportInput{OssBucket: "faraway", OssObject: "disk.qcow2"}, "OSS_BUCKET_NOT_FOUND", 403},
		{ImportInput{OssBucket: "backups", OssObject: "missing.qcow2"}, "OSS_OBJECT_NOT_FOUND", 403},
		{ImportInput{OssBucket: "backups", OssObject: "junk.txt"}, "InvalidSnapshotFile.Malformed", 400},
		{ImportInput{OssBucket: "backups", OssObject: "cut.qcow2"}, "InvalidSnapshotFile.Malformed", 400},
	} {
		_, err := f.svc.Import(ctx, alice, c.in)
		wantAPIError(t, err, c.code, c.status)
	}
	f.roles.allow = false
	f.obj.PutObject("backups", "disk.qcow2", imagefile.QCOW2Header(1<<30))
	_, err := f.svc.Import(ctx, alice, ImportInput{OssBucket: "backups", OssObject: "disk.qcow2"})
	wantAPIError(t, err, "OSS_AUTHORIZED_FAILED", 403)
	if n := f.countSnapshots(); n != 0 {
		t.Fatalf("%d snapshots after refused imports", n)
	}
}

func TestCancelTaskCancelsAnImportAndItsSnapshotGoes(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	f.obj.PutObject("backups", "disk.qcow2", imagefile.QCOW2Header(1<<30))
	out, err := f.svc.Import(t.Context(), alice, ImportInput{OssBucket: "backups", OssObject: "disk.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Cancel(t.Context(), task.Caller{AccountID: 1, RegionID: "cn-hangzhou"}, out.TaskID); err != nil {
		t.Fatal(err)
	}
	f.finish()
	if tk := f.task(out.TaskID); tk.Status != store.TaskCancelled {
		t.Fatalf("task: %s", tk.Status)
	}
	if n := f.countSnapshots(); n != 0 {
		t.Fatalf("%d snapshots after a cancelled import", n)
	}
}

func TestCancelTaskCancelsAnExportAndNothingIsWritten(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	id := f.take("d-data")
	taskID, err := f.svc.Export(t.Context(), alice, ExportInput{SnapshotID: id, OssBucket: "backups"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Cancel(t.Context(), task.Caller{AccountID: 1, RegionID: "cn-hangzhou"}, taskID); err != nil {
		t.Fatal(err)
	}
	f.finish()
	if tk := f.task(taskID); tk.Status != store.TaskCancelled {
		t.Fatalf("task: %s", tk.Status)
	}
	if _, ok := f.obj.Object("backups", id+".qcow2"); ok {
		t.Fatal("a cancelled export wrote its object")
	}
}

func TestAnImportWhoseFileWentBeforeItsTaskRanFails(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	f.obj.PutObject("backups", "disk.qcow2", imagefile.QCOW2Header(1<<30))
	out, err := f.svc.Import(t.Context(), alice, ImportInput{OssBucket: "backups", OssObject: "disk.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	f.obj.PutObject("backups", "disk.qcow2", []byte("junk"))
	f.finish()
	if tk := f.task(out.TaskID); tk.Status != store.TaskFailed || tk.ErrorCode != "InvalidSnapshotFile.Malformed" {
		t.Fatalf("task: %+v", tk)
	}
	if sn := f.snapshot(out.SnapshotID); sn.Status != store.SnapshotFailed {
		t.Fatalf("snapshot: %s", sn.Status)
	}
}
