package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// importSnapshot calls ImportSnapshot, which the Go SDK has no request for,
// through its CommonRequest, and returns the SnapshotId and TaskId.
func importSnapshot(t *testing.T, s *server, c *ecs.Client, params map[string]string) (string, string, error) {
	t.Helper()
	resp, err := c.ProcessCommonRequest(commonRequest(s, "ImportSnapshot", params))
	if err != nil {
		return "", "", err
	}
	var out struct{ SnapshotId, TaskId string }
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &out); err != nil || out.SnapshotId == "" || out.TaskId == "" {
		t.Fatalf("ImportSnapshot answer %s: %v", resp.GetHttpContentString(), err)
	}
	return out.SnapshotId, out.TaskId, nil
}

// snapshotsOf returns the caller's snapshots in cn-hangzhou.
func snapshotsOf(t *testing.T, c *ecs.Client, ids ...string) []ecs.Snapshot {
	t.Helper()
	req := ecs.CreateDescribeSnapshotsRequest()
	req.PageSize = requests.NewInteger(100)
	if len(ids) > 0 {
		b, _ := json.Marshal(ids)
		req.SnapshotIds = string(b)
	}
	resp, err := c.DescribeSnapshots(req)
	if err != nil {
		t.Fatalf("DescribeSnapshots: %v", err)
	}
	return resp.Snapshots.Snapshot
}

// TestSDKExportSnapshotWritesAQcow2AndImportSnapshotMakesADiskableSnapshot
// follows 1.8.5 and 1.8.4 with the ECS and OSS SDKs: a snapshot is exported
// as <SnapshotId>.qcow2 (a qcow2 of the disk's size), a qcow2 uploaded with
// the OSS SDK is imported as a snapshot that becomes accomplished, and a disk
// is made from it.
func TestSDKExportSnapshotWritesAQcow2AndImportSnapshotMakesADiskableSnapshot(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(testAccessKeyID, testAccessKeySecret))
	bucket := imageBucket(t, s, testAccessKeyID, testAccessKeySecret, unique("snapshots"))
	inst := launchInstance(t, s, c)
	sys := systemDisk(t, c, inst)
	snap := takeSnapshot(t, c, sys.DiskId, "")
	waitSnapshot(t, c, snap)

	export := ecs.CreateExportSnapshotRequest()
	export.SnapshotId, export.OssBucket = snap, bucket.BucketName
	exported, err := c.ExportSnapshot(export)
	if err != nil {
		t.Fatalf("ExportSnapshot: %v", err)
	}
	waitTask(t, c, exported.TaskId, "ExportSnapshot")
	body, err := bucket.GetObject(snap + ".qcow2")
	if err != nil {
		t.Fatalf("GetObject %s.qcow2: %v", snap, err)
	}
	file, _ := io.ReadAll(body)
	_ = body.Close()
	if len(file) < 104 || !bytes.Equal(file[:4], []byte("QFI\xfb")) ||
		binary.BigEndian.Uint64(file[24:32]) != uint64(sys.Size)<<30 {
		t.Fatalf("exported object: %d bytes, header % x; want a qcow2 of %d GiB", len(file), file[:min(len(file), 32)], sys.Size)
	}

	uploadMultipart(t, bucket, "data.qcow2", qcow2Disk(30<<30+1, 1<<20))
	id, taskID, err := importSnapshot(t, s, c, map[string]string{"OssBucket": bucket.BucketName, "OssObject": "data.qcow2",
		"SnapshotName": "imported"})
	if err != nil {
		t.Fatalf("ImportSnapshot: %v", err)
	}
	waitTask(t, c, taskID, "ImportSnapshot")
	got := snapshotsOf(t, c, id)
	if len(got) != 1 || got[0].Status != "accomplished" || got[0].SourceDiskSize != "31" || got[0].SourceDiskId != "" ||
		got[0].SnapshotName != "imported" {
		t.Fatalf("imported snapshot: %+v", got)
	}
	create := ecs.CreateCreateDiskRequest()
	create.ZoneId, create.DiskCategory, create.SnapshotId = diskZone, "cloud_efficiency", id
	disk, err := c.CreateDisk(create)
	if err != nil {
		t.Fatalf("CreateDisk from the imported snapshot: %v", err)
	}
	d := describeDisks(t, c, func(r *ecs.DescribeDisksRequest) { r.DiskIds = `["` + disk.DiskId + `"]` })
	if len(d.Disks.Disk) != 1 || d.Disks.Disk[0].Size != 31 || d.Disks.Disk[0].SourceSnapshotId != id {
		t.Fatalf("disk from the imported snapshot: %+v", d.Disks.Disk)
	}
}

// TestSDKImportAndExportSnapshotRefuseBadInputWithTheGuideErrorsAndCreateNothing:
// a missing object, another account's bucket, a missing bucket, junk, a
// missing or unfinished snapshot and a caller without the RAM roles are
// refused, and no snapshot or object is left behind.
func TestSDKImportAndExportSnapshotRefuseBadInputWithTheGuideErrorsAndCreateNothing(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "0s"}})
	own := createAccount(t, s, "snapshot-io-bad")
	c := oldSDK(t, s, own.AccessKeyId, own.AccessKeySecret)
	bucket := imageBucket(t, s, own.AccessKeyId, own.AccessKeySecret, unique("bad-snapshots"))
	if err := bucket.PutObject("junk.qcow2", bytes.NewReader(bytes.Repeat([]byte("not a disk "), 1000))); err != nil {
		t.Fatal(err)
	}
	uploadMultipart(t, bucket, "disk.qcow2", qcow2Disk(20<<30, 1<<20))
	other := createAccount(t, s, "snapshot-io-other")
	theirs := imageBucket(t, s, other.AccessKeyId, other.AccessKeySecret, unique("their-snapshots"))
	uploadMultipart(t, theirs, "disk.qcow2", qcow2Disk(20<<30, 1<<20))

	_, _, err := importSnapshot(t, s, c, map[string]string{"OssBucket": bucket.BucketName, "OssObject": "disk.qcow2"})
	wantServerError(t, "ImportSnapshot without the import role", err, "OSS_AUTHORIZED_FAILED", 403)
	grantImageRoles(t, s, credentials.NewAccessKeyCredential(own.AccessKeyId, own.AccessKeySecret))
	for _, bad := range []struct {
		what, bucket, object, code string
		status                     int
	}{
		{"a missing object", bucket.BucketName, "nothing.qcow2", "OSS_OBJECT_NOT_FOUND", 403},
		{"another account's bucket", theirs.BucketName, "disk.qcow2", "OSS_BUCKET_NOT_FOUND", 403},
		{"a missing bucket", unique("no-such-bucket"), "disk.qcow2", "OSS_BUCKET_NOT_FOUND", 403},
		{"junk", bucket.BucketName, "junk.qcow2", "InvalidSnapshotFile.Malformed", 400},
		{"no OssObject", bucket.BucketName, "", "MissingParameter", 400},
	} {
		params := map[string]string{"OssBucket": bad.bucket, "SnapshotName": "imported"}
		if bad.object != "" {
			params["OssObject"] = bad.object
		}
		_, _, err := importSnapshot(t, s, c, params)
		wantServerError(t, "ImportSnapshot of "+bad.what, err, bad.code, bad.status)
	}
	if n := len(snapshotsOf(t, c)); n != 0 {
		t.Fatalf("%d snapshots after refused imports", n)
	}

	export := ecs.CreateExportSnapshotRequest()
	export.SnapshotId, export.OssBucket = "s-nope", bucket.BucketName
	_, err = c.ExportSnapshot(export)
	wantServerError(t, "ExportSnapshot of a missing snapshot", err, "SNAPSHOT_NOT_EXIST", 403)
	id, taskID, err := importSnapshot(t, s, c, map[string]string{"OssBucket": bucket.BucketName, "OssObject": "disk.qcow2"})
	if err != nil {
		t.Fatalf("ImportSnapshot: %v", err)
	}
	waitTask(t, c, taskID, "ImportSnapshot")
	export.SnapshotId, export.OssBucket = id, theirs.BucketName
	_, err = c.ExportSnapshot(export)
	wantServerError(t, "ExportSnapshot into another account's bucket", err, "OSS_BUCKET_NOT_FOUND", 403)
	export.OssBucket, export.RoleName = bucket.BucketName, "NoSuchRole"
	_, err = c.ExportSnapshot(export)
	wantServerError(t, "ExportSnapshot through a role the account lacks", err, "OSS_AUTHORIZED_FAILED", 403)
	if _, err := bucket.GetObjectMeta(id + ".qcow2"); err == nil {
		t.Fatal("a refused export wrote its object")
	}
}
