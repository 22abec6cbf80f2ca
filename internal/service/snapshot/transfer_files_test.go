package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/imagefile"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// fakeFiles is an in-memory SnapshotFiles: data files by snapshot ID.
type fakeFiles struct {
	mu      sync.Mutex
	data    map[string][]byte
	removed []string
	// refuse makes ImportSnapshot answer ErrInvalidArgument.
	refuse bool
}

func newFakeFiles() *fakeFiles { return &fakeFiles{data: map[string][]byte{}} }

func (f *fakeFiles) OpenSnapshot(_ context.Context, id string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.data[id]
	if !ok {
		return nil, fmt.Errorf("%w: snapshot %s", driver.ErrNotFound, id)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (f *fakeFiles) ImportSnapshot(_ context.Context, id string, r io.Reader) (driver.Handle, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return driver.Handle{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse {
		return driver.Handle{}, fmt.Errorf("%w: refers to other files", driver.ErrInvalidArgument)
	}
	f.data[id] = b
	return driver.Handle{Driver: "fake", Version: 1, State: json.RawMessage(`"` + id + `"`)}, nil
}

func (f *fakeFiles) RemoveSnapshot(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, id)
	f.removed = append(f.removed, id)
	return nil
}

// filesFixture is newFixture whose service keeps snapshot data in fakeFiles,
// with a bucket "backups".
func filesFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.files = newFakeFiles()
	f.restart()
	f.obj.AddBucket(1, "cn-hangzhou", "backups")
	return f
}

func TestWithSnapshotFilesExportSnapshotWritesTheSnapshotsDataFile(t *testing.T) {
	f := filesFixture(t)
	id := f.take("d-data")
	f.files.data[id] = []byte("the qcow2 file of " + id)
	taskID, err := f.svc.Export(t.Context(), alice, ExportInput{SnapshotID: id, OssBucket: "backups"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if tk := f.task(taskID); tk.Status != store.TaskFinished {
		t.Fatalf("task: %+v", tk)
	}
	if got, ok := f.obj.Object("backups", id+".qcow2"); !ok || string(got) != "the qcow2 file of "+id {
		t.Fatalf("exported object: %q, %v", got, ok)
	}
	// A snapshot whose data file the store lost fails with INTERNAL_ERROR.
	delete(f.files.data, id)
	f.obj.AddBucket(1, "cn-hangzhou", "second")
	taskID, err = f.svc.Export(t.Context(), alice, ExportInput{SnapshotID: id, OssBucket: "second"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if tk := f.task(taskID); tk.Status != store.TaskFailed || tk.ErrorCode != "INTERNAL_ERROR" {
		t.Fatalf("task: %+v", tk)
	}
	if f.obj.ObjectCount("second") != 0 {
		t.Fatal("a failed export wrote its object")
	}
}

func TestWithSnapshotFilesImportSnapshotMakesTheDataFileAndRecordsItsHandle(t *testing.T) {
	f := filesFixture(t)
	file := append(imagefile.QCOW2Header(2<<30), bytes.Repeat([]byte{9}, 512)...)
	f.obj.PutObject("backups", "disk.qcow2", file)
	out, err := f.svc.Import(t.Context(), alice, ImportInput{OssBucket: "backups", OssObject: "disk.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	sn := f.snapshot(out.SnapshotID)
	if sn.Status != store.SnapshotAccomplished || sn.SourceDiskSizeGiB != 2 || len(sn.DriverHandle) == 0 {
		t.Fatalf("snapshot: %+v", sn)
	}
	var h driver.Handle
	if err := json.Unmarshal(sn.DriverHandle, &h); err != nil || h.Driver != "fake" {
		t.Fatalf("handle %s: %v", sn.DriverHandle, err)
	}
	if got := f.files.data[out.SnapshotID]; !bytes.Equal(got, file) {
		t.Fatalf("data file: %d bytes; want the object's %d", len(got), len(file))
	}
}

func TestWithSnapshotFilesAnImportTheStoreRefusesFailsMalformed(t *testing.T) {
	f := filesFixture(t)
	f.files.refuse = true
	f.obj.PutObject("backups", "overlay.qcow2", imagefile.QCOW2Header(1<<30))
	out, err := f.svc.Import(t.Context(), alice, ImportInput{OssBucket: "backups", OssObject: "overlay.qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if tk := f.task(out.TaskID); tk.Status != store.TaskFailed || tk.ErrorCode != "InvalidSnapshotFile.Malformed" {
		t.Fatalf("task: %+v", tk)
	}
	if sn := f.snapshot(out.SnapshotID); sn.Status != store.SnapshotFailed {
		t.Fatalf("snapshot: %s", sn.Status)
	}
}

func TestWithSnapshotFilesACancelledImportRemovesItsDataFile(t *testing.T) {
	f := filesFixture(t)
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
	if !slices.Contains(f.files.removed, out.SnapshotID) {
		t.Fatalf("removed %v; want the cancelled import's %s", f.files.removed, out.SnapshotID)
	}
}
