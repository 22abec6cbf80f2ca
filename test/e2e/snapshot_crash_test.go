package e2e

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/ecsd/ecsd/internal/store"
)

// TestSIGKILLDuringSnapshotsLosesNoTaskAndRunsNoneTwice kills ecsd with SIGKILL
// while snapshots are being taken — two copies half done, one snapshot being
// deleted (its creation being cancelled), and a CreateSnapshot call in flight
// with a ClientToken — and restarts it on the same data dir. The restarted
// runner takes its tasks back at once: the copies resume where the volume
// driver had got to (their progress never goes back and their volume handle
// is the one saved before the kill: the first step did not run again), the
// cancellation completes, the retried call gets exactly one snapshot, and
// every snapshot ends with exactly one CreateSnapshot task, Finished.
func TestSIGKILLDuringSnapshotsLosesNoTaskAndRunsNoneTwice(t *testing.T) {
	dir, dsn := t.TempDir(), os.Getenv("ECSD_E2E_STORE")
	args := []string{"--sim-snapshot-time", "4s"}
	s := startServer(t, serverOptions{dataDir: dir, args: args})
	addr := s.addr
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	disks := []string{systemDisk(t, c, inst).DiskId}
	for i := range 3 {
		disks = append(disks, attachedDisk(t, c, inst, "crash-"+strconv.Itoa(i), 20))
	}

	// Two copies under way, a third being deleted.
	halfDone := []string{takeSnapshot(t, c, disks[0], ""), takeSnapshot(t, c, disks[1], "")}
	deleted := takeSnapshot(t, c, disks[2], "")
	before := map[string]int{}
	for deadline := time.Now().Add(30 * time.Second); len(before) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the copies did not start: %v", before)
		}
		for _, id := range halfDone {
			if sn := describeSnapshot(t, c, id); sn != nil && sn.Progress != "0%" && sn.Status == "progressing" {
				before[id] = percent(t, sn.Progress)
			}
		}
	}
	handles := snapshotHandles(t, dsn, dir, halfDone)
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = deleted
	if _, err := c.DeleteSnapshot(del); err != nil {
		t.Fatalf("DeleteSnapshot: %v", err)
	}

	// A call in flight, then SIGKILL.
	token := "crash-snap-" + runID()
	answered := make(chan string, 1)
	go func() {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId, req.ClientToken = disks[3], token
		if resp, err := c.CreateSnapshot(req); err == nil {
			answered <- resp.SnapshotId
		}
		close(answered)
	}()
	time.Sleep(3 * time.Millisecond)
	s.kill()
	first := <-answered

	s = startServer(t, serverOptions{dataDir: dir, addr: addr, args: args})
	restarted := time.Now()
	c = oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId, req.ClientToken = disks[3], token
	retried, err := c.CreateSnapshot(req)
	if err != nil {
		t.Fatalf("CreateSnapshot retried with its ClientToken: %v", err)
	}
	if first != "" && retried.SnapshotId != first {
		t.Errorf("the retry answered %s, the call before the kill %s", retried.SnapshotId, first)
	}
	for _, id := range halfDone {
		if sn := describeSnapshot(t, c, id); sn == nil || percent(t, sn.Progress) < before[id] {
			t.Errorf("after the restart %s is at %v, it was at %d%% before: the copy went back", id, sn, before[id])
		}
	}
	for _, id := range append(halfDone, retried.SnapshotId) {
		waitSnapshot(t, c, id)
	}
	waitTasksEnded(t, c, deleted)
	// The restarted runner took its leases back at once: the tasks did not
	// wait for the 30 s leases of the killed process to expire.
	if took := time.Since(restarted); took > 20*time.Second {
		t.Errorf("the tasks took %v to finish after the restart; the leases were not taken back at once", took)
	}
	if describeSnapshot(t, c, deleted) != nil {
		t.Errorf("the deleted snapshot %s came back", deleted)
	}
	s.kill()
	checkSnapshotTasks(t, dsn, dir, append(halfDone, retried.SnapshotId), deleted, disks[3])
	for id, h := range snapshotHandles(t, dsn, dir, halfDone) {
		if !bytes.Equal(h, handles[id]) {
			t.Errorf("%s's volume handle changed across the restart: the copy was started again\nbefore %s\nafter  %s", id, handles[id], h)
		}
	}
}

// percent reads "40%".
func percent(t *testing.T, p string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(p, "%"))
	if err != nil {
		t.Fatalf("progress %q", p)
	}
	return n
}

// waitTasksEnded waits until every task of a resource has ended.
func waitTasksEnded(t *testing.T, c *ecs.Client, resource string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req := ecs.CreateDescribeTasksRequest()
		req.ResourceIds = &[]string{resource}
		resp, err := c.DescribeTasks(req)
		if err != nil {
			t.Fatal(err)
		}
		ended := true
		for _, tk := range resp.TaskSet.Task {
			ended = ended && tk.TaskStatus != "Waiting" && tk.TaskStatus != "Processing"
		}
		if ended {
			return
		}
	}
	t.Fatalf("the tasks of %s did not end", resource)
}

// snapshotHandles reads the snapshots' volume handles from the store.
func snapshotHandles(t *testing.T, dsn, dir string, ids []string) map[string][]byte {
	t.Helper()
	st, account := openStore(t, dsn, dir)
	defer st.Close()
	out := map[string][]byte{}
	err := st.View(ctx(t), func(tx store.Tx) error {
		for _, id := range ids {
			sn, err := tx.GetSnapshot(account, id)
			if err != nil {
				return err
			}
			out[id] = sn.DriverHandle
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read snapshots: %v", err)
	}
	return out
}

// checkSnapshotTasks checks in the store that every snapshot in done has
// exactly one CreateSnapshot task, Finished with one successful operation and
// no lease; that the deleted snapshot's creation ended Cancelled; and that the
// disk of the retried call has exactly one snapshot.
func checkSnapshotTasks(t *testing.T, dsn, dir string, done []string, deleted, retriedDisk string) {
	t.Helper()
	st, account := openStore(t, dsn, dir)
	defer st.Close()
	err := st.View(ctx(t), func(tx store.Tx) error {
		for _, id := range done {
			tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: account, ResourceIDs: []string{id}})
			if err != nil {
				return err
			}
			if len(tasks) != 1 {
				t.Errorf("%s has %d tasks, want one", id, len(tasks))
				continue
			}
			tk := tasks[0]
			if tk.Action != "CreateSnapshot" || tk.Status != store.TaskFinished || len(tk.Operations) != 1 ||
				tk.Operations[0].Status != "Success" || tk.LeaseOwner != "" || !tk.NextRunAt.IsZero() {
				t.Errorf("task of %s: %+v", id, tk)
			}
		}
		tasks, _, err := tx.ListTasks(store.TaskFilter{AccountID: account, ResourceIDs: []string{deleted}})
		if err != nil {
			return err
		}
		if len(tasks) != 1 || tasks[0].Status != store.TaskCancelled {
			t.Errorf("tasks of the snapshot deleted while taken: %+v; want its creation, Cancelled", tasks)
		}
		snaps, _, err := tx.ListSnapshots(store.SnapshotFilter{AccountID: account, SourceDiskIDs: []string{retriedDisk}})
		if err != nil {
			return err
		}
		if len(snaps) != 1 {
			t.Errorf("the disk of the retried CreateSnapshot has %d snapshots, want one", len(snaps))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the store: %v", err)
	}
}
