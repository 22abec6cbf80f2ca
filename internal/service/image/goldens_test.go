package image_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

// fakeGoldens is an in-memory golden store: images by ID, what each golden
// file was made from, and the failure every call returns (err).
type fakeGoldens struct {
	mu      sync.Mutex
	images  map[string]image.GoldenImage
	made    map[string]string // image ID → "snapshot s-…" or "file PATH"
	deleted []string
	// exports are the formats ExportGolden was asked for, by image ID;
	// exportDir is where it writes "golden <id> as <format>".
	exports   map[string][]string
	exportDir string
	err       error
}

func newFakeGoldens(imgs ...image.GoldenImage) *fakeGoldens {
	g := &fakeGoldens{images: map[string]image.GoldenImage{}, made: map[string]string{}}
	for _, img := range imgs {
		g.images[img.ImageID] = img
	}
	return g
}

func (g *fakeGoldens) GoldenImages(context.Context) ([]image.GoldenImage, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []image.GoldenImage
	for _, img := range g.images {
		out = append(out, img)
	}
	return out, g.err
}

func (g *fakeGoldens) add(img image.GoldenImage, from string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return g.err
	}
	if _, ok := g.images[img.ImageID]; !ok {
		g.images[img.ImageID], g.made[img.ImageID] = img, from
	}
	return nil
}

func (g *fakeGoldens) GoldenFromSnapshot(_ context.Context, snapshotID string, img image.GoldenImage) error {
	return g.add(img, "snapshot "+snapshotID)
}

func (g *fakeGoldens) GoldenFromFile(_ context.Context, path string, img image.GoldenImage) error {
	return g.add(img, "file "+path)
}

func (g *fakeGoldens) DeleteGolden(_ context.Context, id string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return g.err
	}
	delete(g.images, id)
	g.deleted = append(g.deleted, id)
	return nil
}

func (g *fakeGoldens) ExportGolden(_ context.Context, id, format string) (string, func(), error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return "", nil, g.err
	}
	if _, ok := g.images[id]; !ok {
		return "", nil, fmt.Errorf("%w: image %s", driver.ErrNotFound, id)
	}
	if g.exports == nil {
		g.exports = map[string][]string{}
	}
	g.exports[id] = append(g.exports[id], format)
	path := filepath.Join(g.exportDir, id+"."+format)
	if err := os.WriteFile(path, []byte("golden "+id+" as "+format), 0o600); err != nil {
		return "", nil, err
	}
	return path, func() { os.Remove(path) }, nil
}

func (g *fakeGoldens) get(id string) (image.GoldenImage, string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	img, ok := g.images[id]
	return img, g.made[id], ok
}

// debianGolden is the system image the golden fixtures' store has.
var debianGolden = image.GoldenImage{ImageID: "m-debian12", Name: "debian-12", Description: "bookworm", OSType: "linux",
	Platform: "Debian", Architecture: "x86_64", SizeGiB: 3, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}

// goldenFixture is newFixture with a golden store holding debianGolden, whose
// instance i-run's system disk d-sys was made from.
func goldenFixture(t *testing.T) (*fixture, *fakeGoldens) {
	t.Helper()
	g := newFakeGoldens(debianGolden)
	f := newFixtureWith(t, g)
	f.update(func(tx store.Tx) error {
		d, err := tx.GetDisk(1, "d-sys")
		if err != nil {
			return err
		}
		d.ImageID = debianGolden.ImageID
		return tx.UpdateDisk(d)
	})
	return f, g
}

func systemImages(t *testing.T, f *fixture, c image.Caller) []image.Image {
	t.Helper()
	res, err := f.svc.List(t.Context(), c.AccountID, c.RegionID, image.Query{OwnerAlias: image.OwnerSystem}, image.Page{Number: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	return res.Images
}

func TestWithAGoldenStoreTheSystemImagesAreExactlyTheStoresImages(t *testing.T) {
	f, _ := goldenFixture(t)
	for _, c := range []image.Caller{alice, bob, {AccountID: 1, RegionID: beijing}} {
		got := systemImages(t, f, c)
		if len(got) != 1 {
			t.Fatalf("%+v sees %d system images, want only the store's one: %+v", c, len(got), got)
		}
		img := got[0]
		if img.ID != debianGolden.ImageID || img.Name != "debian-12" || img.Size != 3 || img.OwnerAlias != image.OwnerSystem ||
			img.Platform != "Debian" || img.OSType != "linux" || !img.Usable() || !img.SupportsIoOptimized ||
			!img.CreationTime.Equal(debianGolden.CreatedAt) || len(img.DiskDeviceMappings) != 1 || img.DiskDeviceMappings[0].Size != 3 {
			t.Fatalf("the store's image is shown as %+v", img)
		}
	}
	if _, err := f.svc.Image(t.Context(), 1, hangzhou, ubuntu22); err == nil {
		t.Fatal("an image of the embedded catalog is known with a golden store")
	} else {
		wantAPIError(t, err, "InvalidImageId.NotFound", http.StatusNotFound)
	}
}

func TestWithAGoldenStoreCreateImageMakesAGoldenFileFromTheSystemSnapshot(t *testing.T) {
	f, g := goldenFixture(t)
	id, sn := f.fromSnapshot("web")
	gi, from, ok := g.get(id)
	if !ok || from != "snapshot "+sn || gi.BootFrom != debianGolden.ImageID || gi.Name != "web" || gi.SizeGiB != 40 {
		t.Fatalf("golden of the new image: %+v from %q (%v); want one from %s booting like %s", gi, from, ok, sn, debianGolden.ImageID)
	}
	if img := f.image(alice, id); img.Status != image.StatusAvailable || img.OwnerAlias != image.OwnerSelf {
		t.Fatalf("the new image: %s, %s", img.Status, img.OwnerAlias)
	}
	// A custom image's golden file is not a system image, for anyone.
	for _, c := range []image.Caller{alice, bob} {
		if got := systemImages(t, f, c); len(got) != 1 || got[0].ID != debianGolden.ImageID {
			t.Fatalf("%+v: system images %+v", c, got)
		}
	}
	if _, err := f.svc.Image(t.Context(), 2, hangzhou, id); err == nil {
		t.Fatal("bob sees alice's image through its golden file")
	}
	// An image made from the instance boots like the instance's image too.
	whole, err := f.svc.Create(t.Context(), alice, image.CreateInput{InstanceID: "i-run", Name: "whole"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if gi, from, _ := g.get(whole); gi.BootFrom != debianGolden.ImageID || from == "" {
		t.Fatalf("golden of an instance's image: %+v from %q", gi, from)
	}
}

func TestWithAGoldenStoreAnImageWhoseGoldenCannotBeMadeFails(t *testing.T) {
	f, g := goldenFixture(t)
	sn := f.takeSnapshot("d-sys")
	g.err = fmt.Errorf("%w: snapshot file", driver.ErrNotFound)
	id, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn, Name: "broken"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if img, _ := f.stored(id); img.Status != image.StatusCreateFailed {
		t.Fatalf("image without its golden file is %s, want CreateFailed", img.Status)
	}
}

func TestWithAGoldenStoreCopiesAndImportsGetGoldenFilesAndDeleteImageDropsThem(t *testing.T) {
	f, g := goldenFixture(t)
	src, sn := f.fromSnapshot("golden")
	cp, err := f.svc.Copy(t.Context(), alice, image.CopyInput{ImageID: src, DestinationRegionID: beijing, DestinationName: "golden-bj"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if gi, from, ok := g.get(cp); !ok || from != "snapshot "+sn || gi.BootFrom != src {
		t.Fatalf("golden of the copy: %+v from %q (%v); want one from %s booting like %s", gi, from, ok, sn, src)
	}

	f.grantRole(image.ImportRole, "AliyunECSImageImportRolePolicy")
	f.obj.AddBucket(1, hangzhou, "media")
	f.obj.PutObject("media", "disk.qcow2", qcow2File(gib))
	out, err := f.svc.Import(t.Context(), alice, importInput("qcow2", "disk.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	st, err := f.stored(out.ImageID)
	if err != nil || st.Status != image.StatusAvailable {
		t.Fatalf("imported image: %+v, %v", st, err)
	}
	if _, from, ok := g.get(out.ImageID); !ok || from != "file "+st.ContentPath {
		t.Fatalf("golden of the imported image made from %q (%v), want its file %s", from, ok, st.ContentPath)
	}

	if err := f.svc.Delete(t.Context(), alice, out.ImageID, false); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := g.get(out.ImageID); ok || !slices.Contains(g.deleted, out.ImageID) {
		t.Fatalf("DeleteImage left the golden file of %s", out.ImageID)
	}
	// Deleting a missing image deletes no golden file.
	if err := f.svc.Delete(t.Context(), alice, "m-nope", false); err != nil || slices.Contains(g.deleted, "m-nope") {
		t.Fatalf("DeleteImage of a missing image: %v, deleted %v", err, g.deleted)
	}
}

func TestWithAGoldenStoreExportImageWritesTheGoldenFileInTheFormatAskedFor(t *testing.T) {
	f, g := goldenFixture(t)
	g.exportDir = t.TempDir()
	f.grantRole(image.ExportRole, "AliyunECSImageExportRolePolicy")
	f.obj.AddBucket(1, hangzhou, "media")
	id, _ := f.fromSnapshot("web")
	f.finish()
	for _, c := range []struct{ format, object, content string }{
		{"raw", id + "_system.raw", "golden " + id + " as RAW"},
		{"Vhd", id + "_system.vhd", "golden " + id + " as VHD"},
		{"", id + "_system.qcow2", "golden " + id + " as qcow2"}, // an image made from snapshots: qcow2
	} {
		taskID, err := f.svc.Export(t.Context(), alice, image.ExportInput{ImageID: id, OSSBucket: "media", OSSPrefix: "out/", ImageFormat: c.format})
		if err != nil {
			t.Fatalf("export as %q: %v", c.format, err)
		}
		f.finish()
		tk, err := f.eng.Attribute(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, taskID)
		if err != nil || tk.Status != store.TaskFinished {
			t.Fatalf("export as %q: task %+v, %v", c.format, tk, err)
		}
		got, ok := f.obj.Object("media", "out/"+c.object)
		if !ok || string(got) != c.content {
			t.Fatalf("export as %q: object out/%s = %q (found %v); want %q", c.format, c.object, got, ok, c.content)
		}
	}
	if left, _ := os.ReadDir(g.exportDir); len(left) != 0 {
		t.Fatalf("export files left behind: %v", left)
	}
	// A golden file the store lost fails the export with ImageId.NotFound.
	g.mu.Lock()
	delete(g.images, id)
	g.mu.Unlock()
	taskID, err := f.svc.Export(t.Context(), alice, image.ExportInput{ImageID: id, OSSBucket: "media", ImageFormat: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	tk, err := f.eng.Attribute(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, taskID)
	if err != nil || tk.Status != store.TaskFailed || len(tk.Operations) == 0 || tk.Operations[0].ErrorCode != "ImageId.NotFound" {
		t.Fatalf("export of a lost golden file: %+v, %v", tk, err)
	}
}
