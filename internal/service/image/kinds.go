package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/objectstore"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// The task kinds of this package (TaskAction values).
const (
	// ActionCreateImage waits for an image's snapshots, then makes it Available.
	ActionCreateImage = "CreateImage"
	// ActionCopyImage copies an image to another region (CancelCopyImage
	// cancels it).
	ActionCopyImage = "CopyImage"
	// ActionImportImage reads an image file from the object store.
	ActionImportImage = "ImportImage"
	// ActionExportImage writes an image file to the object store.
	ActionExportImage = "ExportImage"
)

// kinds are the task kinds this package registers. Guide 1.16.3 lets
// CancelTask cancel imports and exports; copies are cancelled by
// CancelCopyImage.
func (s *Service) kinds() []task.Kind {
	return []task.Kind{
		{Action: ActionCreateImage, Step: s.createStep, Fail: s.markFailed},
		{Action: ActionCopyImage, Step: s.copyStep, Cancel: s.dropImage, Fail: s.markFailed},
		{Action: ActionImportImage, Cancellable: true, Step: s.importStep, Cancel: s.dropImage, Fail: s.markFailed},
		{Action: ActionExportImage, Cancellable: true, Step: s.exportStep},
	}
}

// imageState is the state of every kind: the image it works on and what the
// kind needs besides.
type imageState struct {
	ImageID string `json:"imageId"`
	// StartedAt is when a copy began (CopyImage).
	StartedAt time.Time `json:"startedAt,omitzero"`
	// Bucket, Object and Format name the file of an import or export;
	// DiskSizeGiB is an import's system disk size.
	Bucket      string `json:"bucket,omitempty"`
	Object      string `json:"object,omitempty"`
	Format      string `json:"format,omitempty"`
	DiskSizeGiB int    `json:"diskSizeGiB,omitempty"`
}

func decodeState(t store.Task) (imageState, error) {
	var st imageState
	if err := json.Unmarshal(t.State, &st); err != nil {
		return st, task.Fail("InternalError", fmt.Sprintf("The state of task %s cannot be read.", t.ID))
	}
	return st, nil
}

// enqueue records a task of kind action on img and sets img.TaskID.
func (s *Service) enqueue(tx store.Tx, img *store.Image, action string, st imageState) error {
	if s.deps.Tasks == nil {
		return errors.New("image: no task engine")
	}
	st.ImageID = img.ID
	state, err := json.Marshal(st)
	if err != nil {
		return err
	}
	img.TaskID, err = s.deps.Tasks.Enqueue(tx, task.Spec{AccountID: img.AccountID, RegionID: img.RegionID, Action: action,
		ResourceID: img.ID, State: state, Operations: []store.TaskOperation{imageOperation(task.OperationProcessing, img.ID)}})
	return err
}

// enqueueCreate records the CreateImage task of a new image.
func (s *Service) enqueueCreate(tx store.Tx, img *store.Image) error {
	return s.enqueue(tx, img, ActionCreateImage, imageState{})
}

func imageOperation(status, imageID string) store.TaskOperation {
	return store.TaskOperation{Status: status, Items: []store.TaskItem{{Name: "ImageId", Value: imageID}}}
}

// loadImage reads an image outside any transaction; found is false when it
// was deleted.
func (s *Service) loadImage(ctx context.Context, id string) (img store.Image, found bool, err error) {
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		img, err = tx.GetImage(id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Image{}, false, nil
	}
	return img, err == nil, err
}

// editImage returns an Apply that changes an image (a deleted one is left alone).
func editImage(id string, edit func(*store.Image)) func(store.Tx) error {
	return func(tx store.Tx) error {
		img, err := tx.GetImage(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		edit(&img)
		return tx.UpdateImage(img)
	}
}

// finished ends a task with its image Available at 100%.
func finished(imageID string, edit func(*store.Image)) task.Outcome {
	return task.Outcome{Done: true, Progress: 100, Operations: []store.TaskOperation{imageOperation(task.OperationSuccess, imageID)},
		Apply: editImage(imageID, func(img *store.Image) {
			img.Status, img.Progress = StatusAvailable, 100
			if edit != nil {
				edit(img)
			}
		})}
}

// createStep follows the snapshots an image is made from.
func (s *Service) createStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState(t)
	if err != nil {
		return task.Outcome{}, err
	}
	img, found, err := s.loadImage(ctx, st.ImageID)
	if err != nil || !found {
		return task.Outcome{Done: true}, err
	}
	var snaps []store.Snapshot
	err = s.deps.Store.View(ctx, func(tx store.Tx) error {
		snaps = snaps[:0]
		refs, err := tx.ImageSnapshotRefs(img.ID)
		if err != nil {
			return err
		}
		for _, id := range refs {
			sn, err := tx.GetSnapshot(img.AccountID, id)
			if errors.Is(err, store.ErrNotFound) {
				return task.Fail("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
			}
			if err != nil {
				return err
			}
			snaps = append(snaps, sn)
		}
		return nil
	})
	if err != nil {
		return task.Outcome{}, err
	}
	total, done := 0, true
	for _, sn := range snaps {
		if sn.Status == store.SnapshotFailed {
			return task.Outcome{}, task.Fail("InvalidSnapshotId.NotReady", "The snapshot "+sn.ID+" of the image failed.")
		}
		total += sn.Progress
		done = done && sn.Status == store.SnapshotAccomplished
	}
	if done {
		if err := s.makeGolden(ctx, img); err != nil {
			return task.Outcome{}, err
		}
		return finished(img.ID, nil), nil
	}
	pct := min(total/max(len(snaps), 1), 99)
	return task.Outcome{After: s.deps.PollInterval, Progress: pct,
		Apply: editImage(img.ID, func(i *store.Image) { i.Progress = max(i.Progress, pct) })}, nil
}

// copyStep advances a copy by the simulated transfer time (Deps.CopyTime),
// then copies the image's file, if it has one, and makes the copy Available.
func (s *Service) copyStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState(t)
	if err != nil {
		return task.Outcome{}, err
	}
	now := s.now()
	if st.StartedAt.IsZero() {
		st.StartedAt = now
		state, err := json.Marshal(st)
		if err != nil {
			return task.Outcome{}, err
		}
		return task.Outcome{State: state, After: s.deps.PollInterval}, nil
	}
	img, found, err := s.loadImage(ctx, st.ImageID)
	if err != nil || !found {
		return task.Outcome{Done: true}, err
	}
	if pct := int(now.Sub(st.StartedAt) * 100 / s.deps.CopyTime); pct < 100 {
		pct = max(pct, 1)
		return task.Outcome{After: s.deps.PollInterval, Progress: pct,
			Apply: editImage(img.ID, func(i *store.Image) { i.Progress = max(i.Progress, pct) })}, nil
	}
	path := ""
	if img.FileFormat != "" {
		src, found, err := s.loadImage(ctx, img.SourceImageID)
		if err != nil {
			return task.Outcome{}, err
		}
		if !found || src.ContentPath == "" {
			return task.Outcome{}, task.Fail("InvalidImageId.NotFound", "The image does not exist.")
		}
		f, err := s.content().Open(src.ContentPath)
		if err != nil {
			return task.Outcome{}, err
		}
		path, _, err = s.content().Write(img.ID, img.FileFormat, f)
		_ = f.Close()
		if err != nil {
			return task.Outcome{}, err
		}
	}
	img.ContentPath = path
	if err := s.makeGolden(ctx, img); err != nil {
		return task.Outcome{}, err
	}
	return finished(img.ID, func(i *store.Image) { i.ContentPath = path }), nil
}

// dropImage undoes a cancelled copy or import: the image (if CancelCopyImage
// has not deleted it already) and its file go.
func (s *Service) dropImage(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState(t)
	if err != nil {
		return task.Outcome{}, err
	}
	img, found, err := s.loadImage(ctx, st.ImageID)
	if err != nil {
		return task.Outcome{}, err
	}
	if err := s.content().Remove(s.content().Path(st.ImageID, st.Format)); err != nil {
		return task.Outcome{}, err
	}
	if !found {
		return task.Outcome{Done: true}, nil
	}
	if err := s.content().Remove(img.ContentPath); err != nil {
		return task.Outcome{}, err
	}
	return task.Outcome{Done: true, Apply: func(tx store.Tx) error {
		err := tx.DeleteImage(img.AccountID, img.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}}, nil
}

// markFailed records a failed creation, copy or import on the image.
func (s *Service) markFailed(tx store.Tx, t store.Task, _ *task.Failure) error {
	st, err := decodeState(t)
	if err != nil {
		return nil
	}
	return editImage(st.ImageID, func(i *store.Image) { i.Status = StatusCreateFailed })(tx)
}

// objectFailure turns an object store error into the task's failure.
func objectFailure(err error, bucket, key string) error {
	switch {
	case errors.Is(err, objectstore.ErrNoSuchBucket):
		return task.Fail(errBucketNotFound().Code, errBucketNotFound().Message)
	case errors.Is(err, objectstore.ErrNoSuchKey):
		e := errObjectNotFound(bucket, key)
		return task.Fail(e.Code, e.Message)
	case errors.Is(err, objectstore.ErrAccessDenied):
		return task.Fail(errForbidden().Code, errForbidden().Message)
	}
	return err
}

// importStep reads the image file, checks it again (it may have changed since
// ImportImage looked), keeps its bytes and makes the image Available.
func (s *Service) importStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState(t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Objects == nil {
		return task.Outcome{}, task.Fail(errNoObjectStore().Code, errNoObjectStore().Message)
	}
	r, size, err := s.deps.Objects.Open(ctx, t.AccountID, st.Bucket, st.Object)
	if err != nil {
		return task.Outcome{}, objectFailure(err, st.Bucket, st.Object)
	}
	defer func() { _ = r.Close() }()
	vsize, err := virtualSize(readerAt{r}, size, st.Format)
	if errors.Is(err, errBadImageFile) {
		return task.Outcome{}, task.Fail(errFormatMalformed().Code, errFormatMalformed().Message)
	}
	if err != nil {
		return task.Outcome{}, err
	}
	if vsize > int64(st.DiskSizeGiB)<<30 {
		return task.Outcome{}, task.Fail(errImageSize().Code, errImageSize().Message)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return task.Outcome{}, err
	}
	path, _, err := s.content().Write(st.ImageID, st.Format, r)
	if err != nil {
		return task.Outcome{}, err
	}
	img, found, err := s.loadImage(ctx, st.ImageID)
	if err != nil || !found {
		return task.Outcome{Done: true}, err
	}
	img.ContentPath = path
	if err := s.makeGolden(ctx, img); err != nil {
		return task.Outcome{}, err
	}
	return finished(st.ImageID, func(i *store.Image) { i.ContentPath, i.VirtualSize = path, vsize }), nil
}

// exportStep writes the image's file into the bucket: with Goldens, the
// image's golden file converted to the export's format; else the bytes kept
// for an imported (or copied imported) image, or, for an image whose data are
// snapshots, an empty qcow2 image of its size.
func (s *Service) exportStep(ctx context.Context, t store.Task) (task.Outcome, error) {
	st, err := decodeState(t)
	if err != nil {
		return task.Outcome{}, err
	}
	if s.deps.Objects == nil {
		return task.Outcome{}, task.Fail(errNoObjectStore().Code, errNoObjectStore().Message)
	}
	img, found, err := s.loadImage(ctx, st.ImageID)
	if err != nil {
		return task.Outcome{}, err
	}
	if !found {
		return task.Outcome{}, task.Fail(errExportNotFound().Code, errExportNotFound().Message)
	}
	if s.deps.Goldens != nil {
		return s.exportGolden(ctx, t, st, img)
	}
	var body io.Reader = bytes.NewReader(qcow2Header(int64(img.SizeGiB) << 30))
	if img.ContentPath != "" {
		f, err := s.content().Open(img.ContentPath)
		if err != nil {
			return task.Outcome{}, err
		}
		defer func() { _ = f.Close() }()
		body = f
	}
	if err := s.deps.Objects.Put(ctx, t.AccountID, st.Bucket, st.Object, body); err != nil {
		return task.Outcome{}, objectFailure(err, st.Bucket, st.Object)
	}
	return task.Outcome{Done: true, Progress: 100, Operations: []store.TaskOperation{imageOperation(task.OperationSuccess, img.ID)}}, nil
}

// exportGolden writes the image's golden file, converted to the export's
// format, into the bucket.
func (s *Service) exportGolden(ctx context.Context, t store.Task, st imageState, img store.Image) (task.Outcome, error) {
	path, cleanup, err := s.deps.Goldens.ExportGolden(ctx, img.ID, cmpOr(st.Format, FormatQCOW2))
	if errors.Is(err, driver.ErrNotFound) {
		return task.Outcome{}, task.Fail(errExportNotFound().Code, errExportNotFound().Message)
	}
	if err != nil {
		return task.Outcome{}, fmt.Errorf("export the golden file of %s: %w", img.ID, err)
	}
	defer cleanup()
	f, err := os.Open(path)
	if err != nil {
		return task.Outcome{}, fmt.Errorf("export the golden file of %s: %w", img.ID, err)
	}
	defer func() { _ = f.Close() }()
	if err := s.deps.Objects.Put(ctx, t.AccountID, st.Bucket, st.Object, f); err != nil {
		return task.Outcome{}, objectFailure(err, st.Bucket, st.Object)
	}
	return task.Outcome{Done: true, Progress: 100, Operations: []store.TaskOperation{imageOperation(task.OperationSuccess, img.ID)}}, nil
}

// readerAt adapts an io.ReadSeeker to io.ReaderAt (for one reader at a time).
type readerAt struct{ r io.ReadSeeker }

func (a readerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := a.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(a.r, p)
}

// content is the content store (Deps.Content, or one under os.TempDir).
func (s *Service) content() *ContentStore {
	return s.deps.Content
}
