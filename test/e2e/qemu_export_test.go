package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// patternedRaw writes a raw disk image of size bytes whose every 4 KiB block
// holds its own number (so content comparisons mean something).
func patternedRaw(t *testing.T, size int) string {
	t.Helper()
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i>>12) ^ byte(i*31)
	}
	path := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// qemuImgCompare fails the test unless qemu-img compare finds the two image
// files' contents identical (whatever their formats).
func qemuImgCompare(t *testing.T, what, a, b string) {
	t.Helper()
	if out, err := exec.Command("qemu-img", "compare", "-U", a, b).CombinedOutput(); err != nil {
		t.Fatalf("%s: qemu-img compare %s %s: %v\n%s", what, a, b, err, out)
	}
}

// downloadObject writes an object of the bucket into a temporary file.
func downloadObject(t *testing.T, b *oss.Bucket, key string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), filepath.Base(key))
	if err := b.GetObjectToFile(key, path); err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	return path
}

// TestQEMUExportImageWritesTheRealGoldenFileConvertedToTheRequestedFormat:
// with the QEMU driver, a RAW file imported with ImportImage becomes a golden
// qcow2 file, and ExportImage with ImageFormat raw (official SDK) writes that
// golden file's content — byte for byte the uploaded disk — as a raw file.
func TestQEMUExportImageWritesTheRealGoldenFileConvertedToTheRequestedFormat(t *testing.T) {
	s, c, _ := qemuServerWithGuestImage(t)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(testAccessKeyID, testAccessKeySecret))
	bucket := imageBucket(t, s, testAccessKeyID, testAccessKeySecret, unique("qexport"))
	src := patternedRaw(t, 8<<20)
	if err := bucket.PutObjectFromFile("uploads/disk.raw", src); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	imported, err := importImage(c, unique("imported"), bucket.BucketName, "uploads/disk.raw", "RAW")
	if err != nil {
		t.Fatalf("ImportImage: %v", err)
	}
	waitImage(t, c, "cn-hangzhou", imported.ImageId)
	golden := filepath.Join(s.dataDir, "volumes", "images", imported.ImageId, "disk.qcow2")
	qemuImgCompare(t, "golden file of the imported image", src, golden)

	for _, f := range []struct{ format, ext string }{{"raw", ".raw"}, {"qcow2", ".qcow2"}, {"vhd", ".vhd"}} {
		exp := ecs.CreateExportImageRequest()
		exp.ImageId, exp.OSSBucket, exp.OSSPrefix, exp.ImageFormat = imported.ImageId, bucket.BucketName, "exports/", f.format
		exported, err := c.ExportImage(exp)
		if err != nil {
			t.Fatalf("ExportImage as %s: %v", f.format, err)
		}
		waitTask(t, c, exported.TaskId, "ExportImage")
		got := downloadObject(t, bucket, "exports/"+imported.ImageId+"_system"+f.ext)
		qemuImgCompare(t, "the "+f.format+" export and the golden file", golden, got)
		if f.format == "raw" {
			want, _ := os.ReadFile(src)
			if b, _ := os.ReadFile(got); !bytes.Equal(b, want) {
				t.Fatalf("the raw export (%d bytes) is not the uploaded disk (%d bytes)", len(b), len(want))
			}
		} else if head := readHead(t, got); f.format == "qcow2" && !bytes.Equal(head, []byte("QFI\xfb")) {
			t.Fatalf("the qcow2 export starts with % x", head)
		}
	}
	left, _ := os.ReadDir(filepath.Join(s.dataDir, "volumes", "exports"))
	if len(left) != 0 {
		t.Fatalf("export files left in the volume store: %v", left)
	}
}

// TestQEMUImportSnapshotKeepsTheFilesContentForDisksAndExportSnapshotWritesIt:
// with the QEMU driver, ImportSnapshot of a qcow2 uploaded with the OSS SDK
// puts its content into the volume store, a disk created from the snapshot
// holds that content, and ExportSnapshot writes the same content back.
func TestQEMUImportSnapshotKeepsTheFilesContentForDisksAndExportSnapshotWritesIt(t *testing.T) {
	s, c, _ := qemuServerWithGuestImage(t)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(testAccessKeyID, testAccessKeySecret))
	bucket := imageBucket(t, s, testAccessKeyID, testAccessKeySecret, unique("qsnap"))
	raw := patternedRaw(t, 8<<20)
	src := filepath.Join(t.TempDir(), "disk.qcow2")
	if out, err := exec.Command("qemu-img", "convert", "-O", "qcow2", raw, src).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img convert: %v\n%s", err, out)
	}
	if err := bucket.PutObjectFromFile("data.qcow2", src); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	id, taskID, err := importSnapshot(t, s, c, map[string]string{"OssBucket": bucket.BucketName, "OssObject": "data.qcow2"})
	if err != nil {
		t.Fatalf("ImportSnapshot: %v", err)
	}
	waitTask(t, c, taskID, "ImportSnapshot")
	if got := snapshotsOf(t, c, id); len(got) != 1 || got[0].Status != "accomplished" || got[0].SourceDiskSize != "1" {
		t.Fatalf("imported snapshot: %+v", got)
	}
	qemuImgCompare(t, "the imported snapshot's data file", raw, filepath.Join(s.dataDir, "volumes", "snapshots", id+".qcow2"))

	create := ecs.CreateCreateDiskRequest()
	create.ZoneId, create.DiskCategory, create.SnapshotId = diskZone, "cloud_efficiency", id
	disk, err := c.CreateDisk(create)
	if err != nil {
		t.Fatalf("CreateDisk from the imported snapshot: %v", err)
	}
	diskFile := filepath.Join(s.dataDir, "volumes", "disks", disk.DiskId+".qcow2")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(diskFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no file %s for the disk made from the imported snapshot", diskFile)
		}
	}
	// The disk is 1 GiB (the snapshot's size rounded up): its first 8 MiB are the file.
	head := filepath.Join(t.TempDir(), "head.raw")
	if out, err := exec.Command("qemu-img", "dd", "-f", "qcow2", "-O", "raw", "bs=1M", "count=8", "if="+diskFile, "of="+head).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img dd: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(raw)
	if got, _ := os.ReadFile(head); !bytes.Equal(got, want) {
		t.Fatal("the disk made from the imported snapshot does not hold the file's content")
	}

	export := ecs.CreateExportSnapshotRequest()
	export.SnapshotId, export.OssBucket = id, bucket.BucketName
	exported, err := c.ExportSnapshot(export)
	if err != nil {
		t.Fatalf("ExportSnapshot: %v", err)
	}
	waitTask(t, c, exported.TaskId, "ExportSnapshot")
	qemuImgCompare(t, "the exported snapshot and the uploaded file", src, downloadObject(t, bucket, id+".qcow2"))
}

// readHead returns the first 4 bytes of a file.
func readHead(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 4)
	if _, err := io.ReadFull(f, b); err != nil {
		t.Fatal(err)
	}
	return b
}
