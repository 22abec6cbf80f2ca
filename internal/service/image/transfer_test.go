package image_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/service/task"
	"github.com/ecsd/ecsd/internal/store"
)

const gib = int64(1) << 30

// qcow2File is a qcow2 header announcing a disk of size bytes.
func qcow2File(size int64) []byte {
	h := make([]byte, 512)
	copy(h, "QFI\xfb")
	binary.BigEndian.PutUint32(h[4:], 3)
	binary.BigEndian.PutUint32(h[20:], 16) // cluster_bits
	binary.BigEndian.PutUint64(h[24:], uint64(size))
	binary.BigEndian.PutUint32(h[100:], 104) // header_length
	return h
}

// vhdFile is a fixed VHD: data then the 512-byte footer with the current size.
func vhdFile(size int64) []byte {
	f := make([]byte, 1024)
	footer := f[512:]
	copy(footer, "conectix")
	binary.BigEndian.PutUint64(footer[40:], uint64(size))
	binary.BigEndian.PutUint64(footer[48:], uint64(size))
	return f
}

// importFixture: alice has the import and export roles and a bucket "media"
// in cn-hangzhou; bob has a bucket "bobs"; alice a bucket "far" in cn-beijing.
func importFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.grantRole(image.ImportRole, "AliyunECSImageImportRolePolicy")
	f.grantRole(image.ExportRole, "AliyunECSImageExportRolePolicy")
	f.obj.AddBucket(1, hangzhou, "media")
	f.obj.AddBucket(2, hangzhou, "bobs")
	f.obj.AddBucket(1, beijing, "far")
	return f
}

func importInput(format, object string) image.ImportInput {
	return image.ImportInput{Name: "imported", Mappings: []image.ImportMapping{{Format: format, OSSBucket: "media", OSSObject: object}}}
}

func (f *fixture) countImages(c image.Caller) int {
	f.t.Helper()
	res, err := f.svc.List(f.t.Context(), c.AccountID, c.RegionID, image.Query{OwnerAlias: image.OwnerSelf}, image.Page{Number: 1, Size: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.TotalCount
}

func TestImportImageReadsTheFileAndRecordsItsVirtualSize(t *testing.T) {
	f := importFixture(t)
	f.obj.PutObject("media", "disk.qcow2", qcow2File(30*gib))
	out, err := f.svc.Import(t.Context(), alice, image.ImportInput{Name: "centos-import", Platform: "centos", OSType: "Linux",
		Mappings: []image.ImportMapping{{Format: "QCOW2", OSSBucket: "media", OSSObject: "disk.qcow2", DiskImageSize: "40"}}})
	if err != nil {
		t.Fatal(err)
	}
	if img := f.image(alice, out.ImageID); img.Status != image.StatusCreating || out.TaskID == "" {
		t.Fatalf("at once: %s, task %q", img.Status, out.TaskID)
	}
	f.finish()
	img := f.image(alice, out.ImageID)
	m := img.DiskDeviceMappings[0]
	if img.Status != image.StatusAvailable || img.Size != 40 || img.Platform != "CentOS" || img.OSType != "linux" ||
		img.Architecture != "x86_64" || m.Format != "qcow2" || m.ImportOSSBucket != "media" || m.ImportOSSObject != "disk.qcow2" {
		t.Fatalf("imported: %+v", img)
	}
	st, _ := f.stored(out.ImageID)
	if st.VirtualSize != 30*gib || st.ContentPath == "" {
		t.Fatalf("stored: virtual size %d, content %q", st.VirtualSize, st.ContentPath)
	}
	tk, err := f.eng.Attribute(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, out.TaskID)
	if err != nil || tk.Status != store.TaskFinished || tk.Action != "ImportImage" || !tk.SupportCancel {
		t.Fatalf("task: %+v, %v", tk, err)
	}
}

func TestImportImageAcceptsVHDAndRAW(t *testing.T) {
	f := importFixture(t)
	f.obj.PutObject("media", "d.vhd", vhdFile(25*gib))
	f.obj.PutObject("media", "d.raw", make([]byte, 4096))
	for _, in := range []image.ImportInput{importInput("vhd", "d.vhd"), importInput("", "d.raw")} {
		in.Name = ""
		in.Mappings[0].DiskImageSize = "30"
		out, err := f.svc.Import(t.Context(), alice, in)
		if err != nil {
			t.Fatal(err)
		}
		f.finish()
		if img := f.image(alice, out.ImageID); img.Status != image.StatusAvailable {
			t.Fatalf("%s: %s", in.Mappings[0].OSSObject, img.Status)
		}
	}
}

func TestImportImageRefusesBadInputAndCreatesNothing(t *testing.T) {
	f := importFixture(t)
	f.obj.PutObject("media", "big.qcow2", qcow2File(50*gib))
	f.obj.PutObject("media", "junk.qcow2", bytes.Repeat([]byte("x"), 1024))
	f.obj.PutObject("media", "odd.raw", make([]byte, 1000))
	f.obj.PutObject("media", "ok.qcow2", qcow2File(gib))
	cut := qcow2File(gib)
	binary.BigEndian.PutUint64(cut[40:], 4096) // L1 table offset
	binary.BigEndian.PutUint32(cut[36:], 2)    // L1 entries: beyond the 512 bytes
	f.obj.PutObject("media", "cut.qcow2", cut)
	cases := []struct {
		name   string
		in     image.ImportInput
		code   string
		status int
	}{
		{"missing object", importInput("qcow2", "nope.qcow2"), "InvalidParameter", 400},
		{"not qcow2", importInput("qcow2", "junk.qcow2"), "InvalidFormat.Malformed", 400},
		{"not VHD", importInput("VHD", "junk.qcow2"), "InvalidFormat.Malformed", 400},
		{"qcow2 cut short", importInput("qcow2", "cut.qcow2"), "InvalidFormat.Malformed", 400},
		{"RAW not a multiple of 512", importInput("RAW", "odd.raw"), "InvalidFormat.Malformed", 400},
		{"unknown format", importInput("vmdk", "ok.qcow2"), "InvalidFormat.Malformed", 400},
		{"larger than the disk", importInput("qcow2", "big.qcow2"), "InvalidImageSize", 400},
		{"disk below 20", func() image.ImportInput {
			in := importInput("qcow2", "ok.qcow2")
			in.Mappings[0].DiskImageSize = "10"
			return in
		}(), "InvalidImageSize", 400},
		{"no bucket", image.ImportInput{Mappings: []image.ImportMapping{{OSSObject: "ok.qcow2"}}}, "MissingParameter", 400},
		{"no object", image.ImportInput{Mappings: []image.ImportMapping{{OSSBucket: "media"}}}, "MissingParameter", 400},
		{"no mapping", image.ImportInput{}, "MissingParameter", 400},
		{"unknown bucket", image.ImportInput{Mappings: []image.ImportMapping{{OSSBucket: "none", OSSObject: "x"}}}, "OSSBucket.NotFound", 400},
		{"another account's bucket", image.ImportInput{Mappings: []image.ImportMapping{{OSSBucket: "bobs", OSSObject: "x"}}}, "OSSBucket.NotFound", 400},
		{"bucket of another region", image.ImportInput{Mappings: []image.ImportMapping{{OSSBucket: "far", OSSObject: "x"}}}, "OSSBucket.NotFound", 400},
		{"bad architecture", func() image.ImportInput { in := importInput("", "ok.qcow2"); in.Architecture = "sparc"; return in }(), "InvalidArchitecture.Malformed", 400},
		{"bad OS type", func() image.ImportInput { in := importInput("", "ok.qcow2"); in.OSType = "bsd"; return in }(), "InvalidOSType.Malformed", 400},
		{"bad platform", func() image.ImportInput { in := importInput("", "ok.qcow2"); in.Platform = "Plan9"; return in }(), "InvalidPlatform.Malformed", 400},
		{"bad name", func() image.ImportInput { in := importInput("", "ok.qcow2"); in.Name = "9lives"; return in }(), "InvalidImageName.Malformed", 400},
		{"role missing", func() image.ImportInput {
			in := importInput("qcow2", "ok.qcow2")
			in.RoleName = "NoSuchRole"
			return in
		}(), "Forbidden", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Import(t.Context(), alice, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
	if n := f.countImages(alice); n != 0 {
		t.Fatalf("refused imports left %d images", n)
	}
}

func TestImportImageNeedsTheRoleWithItsPolicy(t *testing.T) {
	f := newFixture(t)
	f.obj.AddBucket(1, hangzhou, "media")
	f.obj.PutObject("media", "ok.qcow2", qcow2File(gib))
	_, err := f.svc.Import(t.Context(), alice, importInput("qcow2", "ok.qcow2"))
	wantAPIError(t, err, "Forbidden", 400)
	f.grantRole(image.ImportRole, "") // trusted by ECS, but no policy
	_, err = f.svc.Import(t.Context(), alice, importInput("qcow2", "ok.qcow2"))
	wantAPIError(t, err, "Forbidden", 400)
	f.grantRole("Reader", "")
	doc := `{"Version":"1","Statement":[{"Action":["oss:Get*"],"Resource":"*","Effect":"Allow"}]}`
	if _, err := f.ram.CreatePolicy(t.Context(), ram.Caller{AccountID: 1}, "OSSRead", "", doc); err != nil {
		t.Fatal(err)
	}
	if err := f.ram.AttachPolicy(t.Context(), ram.Caller{AccountID: 1}, store.RAMPrincipalRole, "Reader", "Custom", "OSSRead"); err != nil {
		t.Fatal(err)
	}
	in := importInput("qcow2", "ok.qcow2")
	in.RoleName = "Reader"
	if _, err := f.svc.Import(t.Context(), alice, in); err != nil {
		t.Fatalf("with a role allowed oss:GetObject: %v", err)
	}
}

func TestImportImageFailsTheTaskWhenTheFileGoesBadMeanwhile(t *testing.T) {
	f := importFixture(t)
	f.obj.PutObject("media", "ok.qcow2", qcow2File(gib))
	out, err := f.svc.Import(t.Context(), alice, importInput("qcow2", "ok.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	f.obj.PutObject("media", "ok.qcow2", []byte("garbage"))
	f.finish()
	if img := f.image(alice, out.ImageID); img.Status != image.StatusCreateFailed {
		t.Fatalf("status = %s, want CreateFailed", img.Status)
	}
	tk, err := f.eng.Attribute(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, out.TaskID)
	if err != nil || tk.Status != store.TaskFailed || len(tk.Operations) == 0 || tk.Operations[0].ErrorCode != "InvalidFormat.Malformed" {
		t.Fatalf("task: %+v, %v", tk, err)
	}
}

func TestWithoutAnObjectStoreImportAndExportAnswerInvalidRegionNotSupport(t *testing.T) {
	f := newFixture(t)
	svc := image.New(image.Deps{Store: f.st, IDs: ids.Seeded(9), Clock: f.clk, Catalog: nil})
	_, err := svc.Import(t.Context(), alice, importInput("qcow2", "x"))
	wantAPIError(t, err, "InvalidRegion.NotSupport", 403)
	_, err = svc.Export(t.Context(), alice, image.ExportInput{ImageID: "m-1", OSSBucket: "media"})
	wantAPIError(t, err, "InvalidRegion.NotSupport", 403)
}

func TestExportImageWritesTheImageFileIntoTheBucket(t *testing.T) {
	f := importFixture(t)
	data := append(qcow2File(2*gib), bytes.Repeat([]byte{7}, 4096)...)
	f.obj.PutObject("media", "src.qcow2", data)
	out, err := f.svc.Import(t.Context(), alice, importInput("qcow2", "src.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	taskID, err := f.svc.Export(t.Context(), alice, image.ExportInput{ImageID: out.ImageID, OSSBucket: "media", OSSPrefix: "exports/"})
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	got, ok := f.obj.Object("media", "exports/"+out.ImageID+"_system.qcow2")
	if !ok || !bytes.Equal(got, data) {
		t.Fatalf("exported object: %d bytes, found %v", len(got), ok)
	}
	tk, err := f.eng.Attribute(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, taskID)
	if err != nil || tk.Status != store.TaskFinished || tk.Action != "ExportImage" {
		t.Fatalf("task: %+v, %v", tk, err)
	}
	// An image made from a snapshot exports as an empty qcow2 of its size,
	// which imports back.
	snapImage, _ := f.fromSnapshot("snap-image")
	if _, err := f.svc.Export(t.Context(), alice, image.ExportInput{ImageID: snapImage, OSSBucket: "media"}); err != nil {
		t.Fatal(err)
	}
	f.finish()
	in := importInput("qcow2", snapImage+"_system.qcow2")
	in.Name, in.Mappings[0].DiskImageSize = "back", "40"
	back, err := f.svc.Import(t.Context(), alice, in)
	if err != nil {
		t.Fatal(err)
	}
	f.finish()
	if st, _ := f.stored(back.ImageID); st.VirtualSize != 40*gib || st.Status != image.StatusAvailable {
		t.Fatalf("re-imported: %+v", st)
	}
}

func TestExportImageAnswersTheGuidesErrors(t *testing.T) {
	f := importFixture(t)
	id, _ := f.fromSnapshot("golden")
	sn := f.takeSnapshot("d-sys")
	creating, err := f.svc.Create(t.Context(), alice, image.CreateInput{SnapshotID: sn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Export(t.Context(), alice, image.ExportInput{ImageID: id, OSSBucket: "media"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		in     image.ExportInput
		code   string
		status int
	}{
		{"export under way", image.ExportInput{ImageID: id, OSSBucket: "media"}, "OperationDenied.ImageExporting", 403},
		{"no image", image.ExportInput{OSSBucket: "media"}, "MissingParameter", 400},
		{"no bucket", image.ExportInput{ImageID: id}, "MissingParameter", 400},
		{"unknown image", image.ExportInput{ImageID: "m-none", OSSBucket: "media"}, "ImageId.NotFound", 404},
		{"system image", image.ExportInput{ImageID: ubuntu22, OSSBucket: "media"}, "ImageId.NotFound", 404},
		{"image being created", image.ExportInput{ImageID: creating, OSSBucket: "media"}, "IncorrectImageStatus", 400},
		{"unknown bucket", image.ExportInput{ImageID: id, OSSBucket: "none"}, "OSSBucket.NotFound", 400},
		{"bucket of another region", image.ExportInput{ImageID: id, OSSBucket: "far"}, "OSSBucket.NotFound", 400},
		{"bad prefix", image.ExportInput{ImageID: id, OSSBucket: "media", OSSPrefix: "/abs"}, "OSSPrefix.Malformed", 400},
		{"bad format", image.ExportInput{ImageID: id, OSSBucket: "media", ImageFormat: "vmdk"}, "InvalidFormat.Malformed", 400},
		{"role missing", image.ExportInput{ImageID: id, OSSBucket: "media", RoleName: "Nope"}, "Forbidden", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Export(t.Context(), alice, c.in)
			wantAPIError(t, err, c.code, c.status)
		})
	}
}

func TestCancelTaskOfAnImportDeletesTheImage(t *testing.T) {
	f := importFixture(t)
	f.obj.PutObject("media", "ok.qcow2", qcow2File(gib))
	out, err := f.svc.Import(t.Context(), alice, importInput("qcow2", "ok.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Cancel(t.Context(), task.Caller{AccountID: 1, RegionID: hangzhou}, out.TaskID); err != nil {
		t.Fatal(err)
	}
	f.finish()
	if _, err := f.stored(out.ImageID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("image after CancelTask: %v", err)
	}
}
