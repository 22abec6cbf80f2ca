package qcow2

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// handleVersion is the layout of handleState.
const handleVersion = 1

// handleState is what the store's Handles carry: the IDs that name the files.
type handleState struct {
	// Kind is "snapshot" or "migration".
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	DiskID  string `json:"diskId"`
	SizeGiB int    `json:"sizeGiB"`
}

const (
	kindSnapshot  = "snapshot"
	kindMigration = "migration"
)

func makeHandle(st handleState) driver.Handle {
	b, _ := json.Marshal(st)
	return driver.Handle{Driver: Name, Version: handleVersion, State: b}
}

func decodeHandle(h driver.Handle, kind string) (handleState, error) {
	if err := h.Check(Name, handleVersion); err != nil {
		return handleState{}, err
	}
	var st handleState
	if err := json.Unmarshal(h.State, &st); err != nil {
		return handleState{}, fmt.Errorf("%w: qcow2 handle: %v", driver.ErrInvalidArgument, err)
	}
	if st.Kind != kind || checkID(kind, st.ID) != nil {
		return handleState{}, fmt.Errorf("%w: not a qcow2 %s handle", driver.ErrInvalidArgument, kind)
	}
	return st, nil
}

// Snapshot states in the record.
const (
	stateCopying = "copying"
	stateDone    = "done"
)

// snapshotRecord is snapshots/<id>.json.
type snapshotRecord struct {
	SnapshotID string `json:"snapshotId"`
	DiskID     string `json:"diskId"`
	SizeGiB    int    `json:"sizeGiB"`
	// State is "copying" until the data file is complete, then "done".
	State string `json:"state"`
	// SizeBytes is the data file's size, once done.
	SizeBytes int64 `json:"sizeBytes,omitempty"`
	// Live is true when QEMU copied the disk of a running VM.
	Live       bool      `json:"live,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// copyJob is a snapshot copy running in this process.
type copyJob struct {
	cancel  context.CancelFunc
	done    chan struct{}
	percent atomic.Int64
	bytes   atomic.Int64
	err     error // set before done closes
}

func (j *copyJob) finished() bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

func (s *Store) readSnapshot(id string) (snapshotRecord, error) {
	var rec snapshotRecord
	if err := readJSON(s.snapshotRecordPath(id), &rec); err != nil {
		if errors.Is(err, driver.ErrNotFound) {
			return rec, fmt.Errorf("%w: snapshot %s", driver.ErrNotFound, id)
		}
		return rec, err
	}
	return rec, nil
}

// doneSnapshot returns the record of a finished snapshot: a missing one wraps
// ErrNotFound, one still being taken ErrInvalidState.
func (s *Store) doneSnapshot(id string) (snapshotRecord, error) {
	rec, err := s.readSnapshot(id)
	if err != nil {
		return rec, err
	}
	if rec.State != stateDone {
		return rec, fmt.Errorf("%w: snapshot %s is still being taken", driver.ErrInvalidState, id)
	}
	if _, err := os.Stat(s.snapshotPath(id)); err != nil {
		return rec, fmt.Errorf("%w: snapshot %s has no data", driver.ErrNotFound, id)
	}
	return rec, nil
}

// StartSnapshot implements driver.Snapshotter: it records the snapshot and starts
// copying the disk into a standalone qcow2 file in the background — through QEMU
// when a running VM has the disk, else with qemu-img. It is idempotent on
// spec.SnapshotID. A disk without a file is ErrNotFound.
func (s *Store) StartSnapshot(ctx context.Context, spec driver.SnapshotSpec) (driver.Handle, error) {
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if checkID("snapshot", spec.SnapshotID) != nil || checkID("disk", spec.DiskID) != nil || spec.SizeGiB < 1 {
		return driver.Handle{}, fmt.Errorf("%w: snapshot spec %+v", driver.ErrInvalidArgument, spec)
	}
	defer s.lock("snapshot/" + spec.SnapshotID)()
	rec, err := s.readSnapshot(spec.SnapshotID)
	switch {
	case err == nil:
		if rec.State == stateCopying {
			s.ensureCopy(rec)
		}
		return makeHandle(handleState{Kind: kindSnapshot, ID: rec.SnapshotID, DiskID: rec.DiskID, SizeGiB: rec.SizeGiB}), nil
	case !errors.Is(err, driver.ErrNotFound):
		return driver.Handle{}, err
	}
	if _, err := os.Stat(s.DiskPath(spec.DiskID)); err != nil {
		return driver.Handle{}, fmt.Errorf("%w: disk %s has no file", driver.ErrNotFound, spec.DiskID)
	}
	rec = snapshotRecord{SnapshotID: spec.SnapshotID, DiskID: spec.DiskID, SizeGiB: spec.SizeGiB,
		State: stateCopying, StartedAt: time.Now().UTC()}
	if err := writeJSON(s.snapshotRecordPath(rec.SnapshotID), rec); err != nil {
		return driver.Handle{}, transient(err)
	}
	s.ensureCopy(rec)
	return makeHandle(handleState{Kind: kindSnapshot, ID: rec.SnapshotID, DiskID: rec.DiskID, SizeGiB: rec.SizeGiB}), nil
}

// ensureCopy starts the copy of rec unless one runs. Callers hold the
// snapshot's lock.
func (s *Store) ensureCopy(rec snapshotRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.copies[rec.SnapshotID]; j != nil && !j.finished() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &copyJob{cancel: cancel, done: make(chan struct{})}
	s.copies[rec.SnapshotID] = j
	go func() {
		defer cancel()
		live, err := s.takeCopy(ctx, j, rec)
		if err == nil {
			err = s.finishCopy(rec, live)
		}
		j.err = err
		if err == nil {
			s.mu.Lock()
			if s.copies[rec.SnapshotID] == j {
				delete(s.copies, rec.SnapshotID)
			}
			s.mu.Unlock()
		}
		close(j.done)
	}()
}

// takeCopy copies rec's disk into the snapshot's data file and reports whether
// QEMU made the copy from a running VM.
func (s *Store) takeCopy(ctx context.Context, j *copyJob, rec snapshotRecord) (live bool, err error) {
	src := s.DiskPath(rec.DiskID)
	if _, err := os.Stat(src); err != nil {
		return false, fmt.Errorf("%w: disk %s has no file", driver.ErrNotFound, rec.DiskID)
	}
	final := s.snapshotPath(rec.SnapshotID)
	removeStaleTemps(final)
	tmp := tempName(final)
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if hook := s.liveHook(); hook != nil {
		stop := j.watch(tmp, allocated(src))
		live, err = hook.BackupDisk(ctx, rec.DiskID, tmp)
		stop()
		if err != nil {
			return false, err
		}
		if !live {
			os.Remove(tmp)
		}
	}
	if !live {
		if err := s.convertWithProgress(ctx, j, src, tmp); err != nil {
			return false, err
		}
	}
	return live, transient(commit(tmp, final))
}

// finishCopy marks the snapshot done, or removes its data when the snapshot was
// deleted while it was copied.
func (s *Store) finishCopy(rec snapshotRecord, live bool) error {
	defer s.lock("snapshot/" + rec.SnapshotID)()
	cur, err := s.readSnapshot(rec.SnapshotID)
	if errors.Is(err, driver.ErrNotFound) {
		os.Remove(s.snapshotPath(rec.SnapshotID))
		return err
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(s.snapshotPath(rec.SnapshotID))
	if err != nil {
		return transient(err)
	}
	cur.State, cur.SizeBytes, cur.Live, cur.FinishedAt = stateDone, fi.Size(), live, time.Now().UTC()
	return transient(writeJSON(s.snapshotRecordPath(rec.SnapshotID), cur))
}

// allocated returns the bytes the files of path's backing chain take on disk: an
// estimate of what a full copy writes.
func allocated(path string) int64 {
	chain, _ := Chain(path)
	var n int64
	for _, l := range chain {
		if fi, err := os.Stat(l.Path); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// watch samples the size of the file QEMU writes at path every 200 ms as the
// copy's progress (capped at 99% until the copy ends); the returned func stops it.
func (j *copyJob) watch(path string, total int64) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if fi, err := os.Stat(path); err == nil && total > 0 {
				j.bytes.Store(fi.Size())
				j.percent.Store(min(99, fi.Size()*100/total))
			}
		}
	}()
	return func() { close(stop); <-done }
}

// convertWithProgress flattens src into a standalone qcow2 at dst with qemu-img
// convert -p, whose percentages become the copy's progress.
func (s *Store) convertWithProgress(ctx context.Context, j *copyJob, src, dst string) error {
	args := []string{"convert", "-p", "-O", "qcow2", src, dst}
	cmd := exec.CommandContext(ctx, s.cfg.QemuImg, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return transient(err)
	}
	if err := cmd.Start(); err != nil {
		return transient(err)
	}
	total := allocated(src)
	sc := bufio.NewScanner(out)
	sc.Split(splitCR)
	for sc.Scan() {
		// "    (12.34/100%)"
		f := strings.TrimSpace(sc.Text())
		f = strings.TrimPrefix(f, "(")
		if i := strings.IndexByte(f, '/'); i > 0 {
			if p, err := strconv.ParseFloat(f[:i], 64); err == nil {
				pct := min(int64(p), 99)
				j.percent.Store(pct)
				j.bytes.Store(total * pct / 100)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return qemuImgError(args, err, stderr.String())
	}
	return nil
}

// splitCR splits qemu-img's progress output at carriage returns and newlines.
func splitCR(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// SnapshotProgress implements driver.Snapshotter. A copy that this process is not
// running (ecsd restarted part-way) starts again; a copy that failed reports its
// error once (ErrTransient, or ErrNotFound when the disk is gone) and starts again
// at the next call. A deleted snapshot is ErrNotFound.
func (s *Store) SnapshotProgress(ctx context.Context, h driver.Handle) (driver.CopyProgress, error) {
	if err := ctx.Err(); err != nil {
		return driver.CopyProgress{}, err
	}
	st, err := decodeHandle(h, kindSnapshot)
	if err != nil {
		return driver.CopyProgress{}, err
	}
	defer s.lock("snapshot/" + st.ID)()
	rec, err := s.readSnapshot(st.ID)
	if err != nil {
		return driver.CopyProgress{}, err
	}
	if rec.State == stateDone {
		return driver.CopyProgress{Percent: 100, Done: true, SizeBytes: rec.SizeBytes}, nil
	}
	s.mu.Lock()
	j := s.copies[st.ID]
	if j != nil && j.finished() && j.err != nil {
		delete(s.copies, st.ID)
		s.mu.Unlock()
		return driver.CopyProgress{}, fmt.Errorf("snapshot %s: %w", st.ID, transient(j.err))
	}
	s.mu.Unlock()
	if j == nil || j.finished() {
		s.ensureCopy(rec)
		return driver.CopyProgress{}, nil
	}
	return driver.CopyProgress{Percent: int(j.percent.Load()), SizeBytes: j.bytes.Load()}, nil
}

// DeleteSnapshot implements driver.Snapshotter: it stops a copy under way and
// removes the snapshot's record and data. Disks are never touched (none has a
// snapshot as its backing file). Deleting a missing snapshot succeeds.
func (s *Store) DeleteSnapshot(ctx context.Context, h driver.Handle) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := decodeHandle(h, kindSnapshot)
	if err != nil {
		return err
	}
	unlock := s.lock("snapshot/" + st.ID)
	// The record goes first: from then on the snapshot does not exist, and a
	// copy that ends now throws its data away.
	err = os.Remove(s.snapshotRecordPath(st.ID))
	s.mu.Lock()
	j := s.copies[st.ID]
	s.mu.Unlock()
	unlock()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return transient(err)
	}
	if j != nil {
		j.cancel()
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer s.lock("snapshot/" + st.ID)()
	if _, err := os.Stat(s.snapshotRecordPath(st.ID)); err == nil {
		return nil // taken again with the same ID meanwhile
	}
	final := s.snapshotPath(st.ID)
	removeStaleTemps(final)
	if err := os.Remove(final); err != nil && !errors.Is(err, os.ErrNotExist) {
		return transient(err)
	}
	return nil
}

// RestoreSnapshot implements driver.Snapshotter (ResetDisk): it writes a fresh
// standalone copy of the snapshot, grown to the disk's current size, and renames
// it over the disk, so the disk's content is exactly the snapshot's. A disk that a
// running VM has open is ErrInvalidState.
func (s *Store) RestoreSnapshot(ctx context.Context, h driver.Handle, diskID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := decodeHandle(h, kindSnapshot)
	if err != nil {
		return err
	}
	if err := checkID("disk", diskID); err != nil {
		return err
	}
	if _, err := s.doneSnapshot(st.ID); err != nil {
		return err
	}
	unlock := s.lock("disk/" + diskID)
	final := s.DiskPath(diskID)
	var want int64
	if l, err := ReadLayer(final); err == nil {
		want = l.VirtualSize
	}
	err = s.notInUse(ctx, final)
	if err == nil {
		// The disk keeps its own size when it grew after the snapshot.
		err = s.makeDisk(ctx, DiskSource{DiskID: diskID, SnapshotID: st.ID}, final, want)
	}
	unlock()
	if err != nil {
		return err
	}
	s.gcRetiredImages()
	return nil
}

// StartMigration implements driver.DiskMigrator. The store is one pool of local
// storage, so a move between categories or zones has no data to copy: the
// migration is done at once (MigrationProgress reports the disk's file size).
func (s *Store) StartMigration(ctx context.Context, spec driver.MigrationSpec) (driver.Handle, error) {
	if err := ctx.Err(); err != nil {
		return driver.Handle{}, err
	}
	if checkID("migration", spec.MigrationID) != nil || checkID("disk", spec.DiskID) != nil || spec.SizeGiB < 1 {
		return driver.Handle{}, fmt.Errorf("%w: migration spec %+v", driver.ErrInvalidArgument, spec)
	}
	return makeHandle(handleState{Kind: kindMigration, ID: spec.MigrationID, DiskID: spec.DiskID, SizeGiB: spec.SizeGiB}), nil
}

// MigrationProgress implements driver.DiskMigrator: always done.
func (s *Store) MigrationProgress(ctx context.Context, h driver.Handle) (driver.CopyProgress, error) {
	if err := ctx.Err(); err != nil {
		return driver.CopyProgress{}, err
	}
	st, err := decodeHandle(h, kindMigration)
	if err != nil {
		return driver.CopyProgress{}, err
	}
	var size int64
	if fi, err := os.Stat(s.DiskPath(st.DiskID)); err == nil {
		size = fi.Size()
	}
	return driver.CopyProgress{Percent: 100, Done: true, SizeBytes: size}, nil
}
