package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// The guide's roles of ImportImage and ExportImage (1.9.9, 1.9.10) and the
// system policies that let them read and write the object store.
const (
	imageImportRole   = "AliyunECSImageImportDefaultRole"
	imageExportRole   = "AliyunECSImageExportDefaultRole"
	imageImportPolicy = "AliyunECSImageImportRolePolicy"
	imageExportPolicy = "AliyunECSImageExportRolePolicy"
)

// grantImageRoles creates, with services/ram, the import and export roles of
// cred's account: trusted by the ECS service, with their policies.
func grantImageRoles(t *testing.T, s *server, cred auth.Credential) {
	t.Helper()
	rc := ramSDK(t, s, cred)
	createRole(t, rc, imageImportRole, ecsTrustPolicy)
	attachToRole(t, rc, imageImportRole, imageImportPolicy)
	createRole(t, rc, imageExportRole, ecsTrustPolicy)
	attachToRole(t, rc, imageExportRole, imageExportPolicy)
}

// qcow2Disk is a version 3 qcow2 file of fileSize bytes holding a disk of
// virtualSize bytes, laid out as qemu-img does: the header in cluster 0, the
// refcount table in cluster 1, the L1 table in cluster 2 (64 KiB clusters),
// then data (a pattern, so a byte comparison means something).
func qcow2Disk(virtualSize int64, fileSize int) []byte {
	const clusterBits = 16
	b := make([]byte, fileSize)
	be := binary.BigEndian
	copy(b, "QFI\xfb")
	be.PutUint32(b[4:], 3)
	be.PutUint32(b[20:], clusterBits)
	be.PutUint64(b[24:], uint64(virtualSize))
	l2Span := int64(1) << (2*clusterBits - 3) // bytes one L2 table maps
	be.PutUint32(b[36:], uint32((virtualSize+l2Span-1)/l2Span))
	be.PutUint64(b[40:], 2<<clusterBits)
	be.PutUint64(b[48:], 1<<clusterBits)
	be.PutUint32(b[56:], 1)
	be.PutUint32(b[96:], 4)
	be.PutUint32(b[100:], 104)
	for i := 3 << clusterBits; i < fileSize; i++ {
		b[i] = byte(i*7 + i>>9)
	}
	return b
}

// imageBucket creates a bucket in cn-hangzhou with the OSS SDK (V4, region
// cn-hangzhou) for the account of ak/secret.
func imageBucket(t *testing.T, s *server, ak, secret, name string) *oss.Bucket {
	t.Helper()
	oc := ossClient(t, s, ak, secret, oss.AuthVersion(oss.AuthV4), oss.Region("cn-hangzhou"))
	if err := oc.CreateBucket(name); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	if loc, err := oc.GetBucketLocation(name); err != nil || loc != "oss-cn-hangzhou" {
		t.Fatalf("GetBucketLocation %s = %q, %v", name, loc, err)
	}
	b, err := oc.Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uploadMultipart uploads data as key with the SDK's UploadFile in parts of
// 256 KiB and checks that the object is a multipart one of that many parts.
func uploadMultipart(t *testing.T, b *oss.Bucket, key string, data []byte) {
	t.Helper()
	const partSize = 256 << 10
	src := filepath.Join(t.TempDir(), "disk")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.UploadFile(key, src, partSize, oss.Routines(2)); err != nil {
		t.Fatalf("UploadFile %s: %v", key, err)
	}
	parts := (len(data) + partSize - 1) / partSize
	meta, err := b.GetObjectDetailedMeta(key)
	if err != nil || meta.Get("X-Oss-Object-Type") != "Multipart" || !strings.HasSuffix(meta.Get("ETag"), fmt.Sprintf(`-%d"`, parts)) {
		t.Fatalf("object %s: %v, %v; want a multipart object of %d parts", key, meta, err, parts)
	}
}

// importImage calls ImportImage of one qcow2 object of bucket.
func importImage(c *ecs.Client, name, bucket, object, format string) (*ecs.ImportImageResponse, error) {
	req := ecs.CreateImportImageRequest()
	req.ImageName, req.Platform, req.OSType, req.Architecture = name, "Ubuntu", "linux", "x86_64"
	req.DiskDeviceMapping = &[]ecs.ImportImageDiskDeviceMapping{{Format: format, OSSBucket: bucket, OSSObject: object, DiskImageSize: "20"}}
	return c.ImportImage(req)
}

// waitTask polls DescribeTaskAttribute until the task is Finished.
func waitTask(t *testing.T, c *ecs.Client, taskID, action string) *ecs.DescribeTaskAttributeResponse {
	t.Helper()
	req := ecs.CreateDescribeTaskAttributeRequest()
	req.TaskId = taskID
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := c.DescribeTaskAttribute(req)
		if err != nil {
			t.Fatalf("DescribeTaskAttribute %s: %v", taskID, err)
		}
		if resp.TaskAction != action {
			t.Fatalf("task %s is a %s, want %s", taskID, resp.TaskAction, action)
		}
		switch resp.TaskStatus {
		case "Finished":
			return resp
		case "Waiting", "Processing":
		default:
			t.Fatalf("task %s is %s", taskID, resp.TaskStatus)
		}
	}
	t.Fatalf("task %s not Finished after 60s", taskID)
	return nil
}

// contentFile reads an image's file in the content store (<data-dir>/images).
func contentFile(t *testing.T, s *server, imageID, ext string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dataDir, "images", imageID+ext))
	if err != nil {
		t.Fatalf("content of %s: %v", imageID, err)
	}
	return b
}

// TestSDKImportImageFromAMultipartUploadThenLaunchImageCopyShareAndExportIt
// is the guide's life of an imported image (1.9.9, 1.9.1, 1.9.5–1.9.7,
// 1.9.10) with the official SDKs: the RAM import and export roles; a qcow2
// file uploaded to a cn-hangzhou bucket in parts; ImportImage, whose image
// becomes Available and whose task Finished; an instance runs from it; an
// image of its system disk's snapshot; a copy in cn-beijing and a cancelled
// second copy; a second account launches from it once shared; ExportImage
// writes into the bucket the very bytes that were uploaded.
func TestSDKImportImageFromAMultipartUploadThenLaunchImageCopyShareAndExportIt(t *testing.T) {
	s := imageServer(t, "2s")
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	grantImageRoles(t, s, rootCred())
	bucket := imageBucket(t, s, testAccessKeyID, testAccessKeySecret, "image-io")
	data := qcow2Disk(20<<30, 3<<20+4096)
	uploadMultipart(t, bucket, "uploads/ubuntu.qcow2", data)

	imported, err := importImage(c, unique("imported"), "image-io", "uploads/ubuntu.qcow2", "QCOW2")
	if err != nil {
		t.Fatalf("ImportImage: %v", err)
	}
	if imported.ImageId == "" || imported.TaskId == "" || imported.RegionId != "cn-hangzhou" {
		t.Fatalf("ImportImage answered %+v", imported)
	}
	id := imported.ImageId
	waitImage(t, c, "cn-hangzhou", id)
	task := waitTask(t, c, imported.TaskId, "ImportImage")
	if task.TaskProcess != "100%" && task.TaskProcess != "" {
		t.Fatalf("finished import task: %+v", task)
	}
	img := findImage(t, c, "cn-hangzhou", id)
	m := img.DiskDeviceMappings.DiskDeviceMapping
	if img.Size != 20 || img.Platform != "Ubuntu" || img.OSType != "linux" || img.ImageOwnerAlias != "self" || len(m) != 1 ||
		m[0].Format != "qcow2" || m[0].ImportOSSBucket != "image-io" || m[0].ImportOSSObject != "uploads/ubuntu.qcow2" {
		t.Fatalf("imported image: %+v", img)
	}
	if !bytes.Equal(contentFile(t, s, id, ".qcow2"), data) {
		t.Fatal("the content store does not hold the uploaded file")
	}

	inst := runFromImage(t, c, vpcSDK(t, s), id)
	sysDisk := systemDisk(t, c, inst)
	if sysDisk.Size != 40 {
		t.Fatalf("system disk of an instance of a 20 GiB image: %d GiB, want the default max(40, image size)", sysDisk.Size)
	}
	sn := takeSnapshot(t, c, sysDisk.DiskId, "of-imported")
	waitSnapshot(t, c, sn)
	create := ecs.CreateCreateImageRequest()
	create.SnapshotId, create.ImageName = sn, unique("from-imported")
	fromSnapshot := createImage(t, c, create)
	waitImage(t, c, "cn-hangzhou", fromSnapshot)
	if got := findImage(t, c, "cn-hangzhou", fromSnapshot); got.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId != sn || got.Size != sysDisk.Size {
		t.Fatalf("image of the snapshot: %+v", got)
	}

	cp := ecs.CreateCopyImageRequest()
	cp.ImageId, cp.DestinationRegionId, cp.DestinationImageName = id, "cn-beijing", unique("copy")
	copied, err := c.CopyImage(cp)
	if err != nil {
		t.Fatalf("CopyImage: %v", err)
	}
	waitImage(t, c, "cn-beijing", copied.ImageId)
	if got := findImage(t, c, "cn-beijing", copied.ImageId); !got.IsCopied || got.Size != 20 {
		t.Fatalf("the copy in cn-beijing: %+v", got)
	}
	if !bytes.Equal(contentFile(t, s, copied.ImageId, ".qcow2"), data) {
		t.Fatal("the copy's file differs from the imported one")
	}
	cp2 := ecs.CreateCopyImageRequest()
	cp2.ImageId, cp2.DestinationRegionId, cp2.DestinationImageName = id, "cn-beijing", unique("cancelled")
	second, err := c.CopyImage(cp2)
	if err != nil {
		t.Fatalf("second CopyImage: %v", err)
	}
	cancel := ecs.CreateCancelCopyImageRequest()
	cancel.RegionId, cancel.ImageId = "cn-beijing", second.ImageId
	if _, err := c.CancelCopyImage(cancel); err != nil {
		t.Fatalf("CancelCopyImage: %v", err)
	}
	if got := findImage(t, c, "cn-beijing", second.ImageId); got != nil {
		t.Fatalf("cancelled copy still listed: %+v", got)
	}

	b := createAccount(t, s, "image-io-b")
	bc := oldSDK(t, s, b.AccessKeyId, b.AccessKeySecret)
	if findImage(t, bc, "cn-hangzhou", id) != nil {
		t.Fatal("the second account sees the image before it is shared")
	}
	share := ecs.CreateModifyImageSharePermissionRequest()
	share.ImageId, share.AddAccount = id, &[]string{strconv.FormatInt(b.AccountId, 10)}
	if _, err := c.ModifyImageSharePermission(share); err != nil {
		t.Fatalf("ModifyImageSharePermission: %v", err)
	}
	if got := findImage(t, bc, "cn-hangzhou", id); got == nil || got.ImageOwnerAlias != "others" {
		t.Fatalf("the shared image for the second account: %+v", got)
	}
	runFromImage(t, bc, vpcWith(t, s, b), id)

	exp := ecs.CreateExportImageRequest()
	exp.ImageId, exp.OSSBucket, exp.OSSPrefix = id, "image-io", "exports/"
	exported, err := c.ExportImage(exp)
	if err != nil {
		t.Fatalf("ExportImage: %v", err)
	}
	waitTask(t, c, exported.TaskId, "ExportImage")
	r, err := bucket.GetObject("exports/" + id + "_system.qcow2")
	if err != nil {
		t.Fatalf("GetObject of the export: %v", err)
	}
	got, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the exported object (%d bytes, %v) differs from the uploaded file (%d bytes)", len(got), err, len(data))
	}
	if !bytes.Equal(got, contentFile(t, s, id, ".qcow2")) {
		t.Fatal("the exported object differs from the content store's file")
	}
}

// noImportLeft checks that refused imports left nothing: no image of the
// caller in any status, no ImportImage task.
func noImportLeft(t *testing.T, c *ecs.Client, what string, images int) {
	t.Helper()
	req := ecs.CreateDescribeImagesRequest()
	req.ImageOwnerAlias, req.Status = "self", "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
	req.PageSize = requests.NewInteger(100)
	got, err := c.DescribeImages(req)
	if err != nil || got.TotalCount != images {
		t.Fatalf("%s: DescribeImages lists %d images (%v), want %d", what, got.TotalCount, err, images)
	}
	tasks := ecs.CreateDescribeTasksRequest()
	tasks.TaskAction = "ImportImage"
	listed, err := c.DescribeTasks(tasks)
	if err != nil || listed.TotalCount != images {
		t.Fatalf("%s: DescribeTasks lists %d ImportImage tasks (%v), want %d", what, listed.TotalCount, err, images)
	}
}

// TestSDKImportImageRefusesBadFilesAndForeignBucketsAndLeavesNothingBehind
// follows 1.9.9's errors: a qcow2 file cut short, files that are not what
// Format says, a missing object and another account's bucket are refused
// at once with the guide's code, and neither an image nor a task is left.
func TestSDKImportImageRefusesBadFilesAndForeignBucketsAndLeavesNothingBehind(t *testing.T) {
	s := startServer(t, serverOptions{})
	// An account of its own, so that the counts below see only this test's
	// images even when servers share a store (ECSD_E2E_STORE).
	own := createAccount(t, s, "image-io-bad")
	c := oldSDK(t, s, own.AccessKeyId, own.AccessKeySecret)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(own.AccessKeyId, own.AccessKeySecret))
	bucket := imageBucket(t, s, own.AccessKeyId, own.AccessKeySecret, unique("bad-images"))
	whole := qcow2Disk(20<<30, 1<<20)
	uploadMultipart(t, bucket, "cut.qcow2", whole[:200<<10]) // the L1 table (at 128 KiB) is whole, the rest is not: still valid
	uploadMultipart(t, bucket, "truncated.qcow2", whole[:100<<10])
	vhd := make([]byte, 1<<20)
	footer := vhd[len(vhd)-512:]
	copy(footer, "conectix")
	binary.BigEndian.PutUint64(footer[48:], 20<<30)
	objects := map[string][]byte{
		"header-only.qcow2": whole[:64],
		"raw-disk.qcow2":    make([]byte, 1<<20),
		"vhd-disk.qcow2":    vhd,
		"junk.qcow2":        bytes.Repeat([]byte("not a disk "), 1000),
	}
	for k, v := range objects {
		if err := bucket.PutObject(k, bytes.NewReader(v)); err != nil {
			t.Fatalf("PutObject %s: %v", k, err)
		}
	}
	for _, bad := range []struct{ what, object, format, code string }{
		{"a qcow2 file cut before its L1 table", "truncated.qcow2", "QCOW2", "InvalidFormat.Malformed"},
		{"a file too short for a qcow2 header", "header-only.qcow2", "QCOW2", "InvalidFormat.Malformed"},
		{"RAW bytes labelled QCOW2", "raw-disk.qcow2", "QCOW2", "InvalidFormat.Malformed"},
		{"a VHD labelled QCOW2", "vhd-disk.qcow2", "QCOW2", "InvalidFormat.Malformed"},
		{"junk labelled QCOW2", "junk.qcow2", "qcow2", "InvalidFormat.Malformed"},
		{"junk labelled VHD", "junk.qcow2", "VHD", "InvalidFormat.Malformed"},
		{"a missing object", "nothing-here.qcow2", "QCOW2", "InvalidParameter"},
	} {
		_, err := importImage(c, unique("bad"), bucket.BucketName, bad.object, bad.format)
		wantServerError(t, "ImportImage of "+bad.what, err, bad.code, 400)
		noImportLeft(t, c, bad.what, 0)
	}
	_, err := importImage(c, unique("bad"), "no-such-bucket", "cut.qcow2", "QCOW2")
	wantServerError(t, "ImportImage from a missing bucket", err, "OSSBucket.NotFound", 400)

	other := createAccount(t, s, "image-io-other")
	theirs := imageBucket(t, s, other.AccessKeyId, other.AccessKeySecret, unique("their-images"))
	uploadMultipart(t, theirs, "disk.qcow2", whole)
	_, err = importImage(c, unique("theirs"), theirs.BucketName, "disk.qcow2", "QCOW2")
	wantServerError(t, "ImportImage from another account's bucket", err, "OSSBucket.NotFound", 400)
	noImportLeft(t, c, "another account's bucket", 0)

	// The same request from the owner of the object works: the refusals above
	// were about the file and the bucket, not the request.
	ok, err := importImage(c, unique("good"), bucket.BucketName, "cut.qcow2", "QCOW2")
	if err != nil {
		t.Fatalf("ImportImage of a whole qcow2 header and tables: %v", err)
	}
	waitTask(t, c, ok.TaskId, "ImportImage")
	noImportLeft(t, c, "one good import", 1)
}

// TestSDKImportImageBeyondTheImageQuotaIsQuotaExceedImage: an account has at
// most 100 custom images per region (the guide's QuotaExceed.Image); with 100
// imported images, the next ImportImage is refused and creates nothing.
func TestSDKImportImageBeyondTheImageQuotaIsQuotaExceedImage(t *testing.T) {
	s := startServer(t, serverOptions{})
	own := createAccount(t, s, "image-io-quota") // the quota counts this account's images only
	c := oldSDK(t, s, own.AccessKeyId, own.AccessKeySecret)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(own.AccessKeyId, own.AccessKeySecret))
	bucket := imageBucket(t, s, own.AccessKeyId, own.AccessKeySecret, unique("many-images"))
	if err := bucket.PutObject("small.qcow2", bytes.NewReader(qcow2Disk(20<<30, 3<<16))); err != nil {
		t.Fatal(err)
	}
	const quota = 100
	var last string
	for i := 0; i < quota; i++ {
		resp, err := importImage(c, fmt.Sprintf("image-%03d-%s", i, runID()), bucket.BucketName, "small.qcow2", "QCOW2")
		if err != nil {
			t.Fatalf("ImportImage %d: %v", i, err)
		}
		last = resp.TaskId
	}
	_, err := importImage(c, unique("one-too-many"), bucket.BucketName, "small.qcow2", "QCOW2")
	wantServerError(t, "ImportImage beyond the quota", err, "QuotaExceed.Image", 403)
	waitTask(t, c, last, "ImportImage")
	noImportLeft(t, c, "over quota", quota)
}
