package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// imageServer starts ecsd with quick snapshots and copies of copyTime.
func imageServer(t *testing.T, copyTime string) *server {
	return startServer(t, serverOptions{args: []string{"--sim-snapshot-time", "1s", "--sim-image-copy-time", copyTime}})
}

// findImage returns the image as DescribeImages shows it in region, in any
// status (nil: not listed).
func findImage(t *testing.T, c *ecs.Client, region, id string) *ecs.Image {
	t.Helper()
	req := ecs.CreateDescribeImagesRequest()
	req.RegionId, req.ImageId, req.Status = region, id, "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"
	resp, err := c.DescribeImages(req)
	if err != nil {
		t.Fatalf("DescribeImages %s: %v", id, err)
	}
	if len(resp.Images.Image) == 0 {
		return nil
	}
	return &resp.Images.Image[0]
}

// waitImage polls DescribeImages until the image is Available; it returns
// every Progress seen.
func waitImage(t *testing.T, c *ecs.Client, region, id string) []string {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		img := findImage(t, c, region, id)
		if img == nil {
			t.Fatalf("image %s is gone", id)
		}
		if len(seen) == 0 || seen[len(seen)-1] != img.Progress {
			seen = append(seen, img.Progress)
		}
		switch img.Status {
		case "Available":
			return seen
		case "Creating":
		default:
			t.Fatalf("image %s is %s", id, img.Status)
		}
	}
	t.Fatalf("image %s not Available after 60s (progress %v)", id, seen)
	return nil
}

// runFromImage runs an instance from imageID in a new VPC of the client's
// account and waits until it is Running.
func runFromImage(t *testing.T, c *ecs.Client, vc *vpc.Client, imageID string) string {
	t.Helper()
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName = "10.0.0.0/16", unique("e2e-images")
	created, err := vc.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, vc, created.VpcId)
	vsw, err := createVSwitch(t, vc, created.VpcId, "cn-hangzhou-b", "10.0.1.0/24", unique("images"))
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	cleanUp(t, vc, created.VpcId, vsw)
	sg := createSecurityGroup(t, c, "images", created.VpcId, "", runID())
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = sg
		_, _ = c.DeleteSecurityGroup(del)
	})
	req := ecs.CreateRunInstancesRequest()
	req.RegionId, req.ImageId, req.InstanceType = "cn-hangzhou", imageID, "ecs.g5.large"
	req.SecurityGroupId, req.VSwitchId = sg, vsw
	ids := runInstances(t, c, req)
	got := waitForStatus(t, c, ids, "Running")
	if got[0].ImageId != imageID {
		t.Fatalf("instance runs %s, want %s", got[0].ImageId, imageID)
	}
	return ids[0]
}

func createImage(t *testing.T, c *ecs.Client, req *ecs.CreateImageRequest) string {
	t.Helper()
	resp, err := c.CreateImage(req)
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	return resp.ImageId
}

// TestCreateImageFromASnapshotAndFromAnInstanceThenLaunchFromIt follows 1.9.1:
// an image made from a system-disk snapshot, and one made from an instance
// (a snapshot of each disk), are Creating, then Available at 100%; an
// instance runs from the first and ReplaceSystemDisk takes it; the snapshot
// is then refused by DeleteSnapshot (SnapshotCreatedImage); DeleteImage
// refuses the image instances use unless Force (1.9.4).
func TestCreateImageFromASnapshotAndFromAnInstanceThenLaunchFromIt(t *testing.T) {
	s := imageServer(t, "2s")
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	waitForStatus(t, c, []string{inst}, "Running")
	sn := takeSnapshot(t, c, systemDisk(t, c, inst).DiskId, "for-image")
	waitSnapshot(t, c, sn)

	req := ecs.CreateCreateImageRequest()
	req.SnapshotId, req.ImageName, req.ImageVersion, req.Description = sn, unique("from-snapshot"), "1.0", "e2e"
	fromSnapshot := createImage(t, c, req)
	if img := findImage(t, c, "cn-hangzhou", fromSnapshot); img == nil || img.ImageOwnerAlias != "self" {
		t.Fatalf("new image: %+v", img)
	}
	waitImage(t, c, "cn-hangzhou", fromSnapshot)
	img := findImage(t, c, "cn-hangzhou", fromSnapshot)
	m := img.DiskDeviceMappings.DiskDeviceMapping
	if img.Progress != "100%" || img.Size != 40 || len(m) != 1 || m[0].SnapshotId != sn || m[0].Device != "/dev/xvda" || img.OSType != "linux" {
		t.Fatalf("image from snapshot: %+v", img)
	}

	req = ecs.CreateCreateImageRequest()
	req.InstanceId, req.ImageName = inst, unique("from-instance")
	fromInstance := createImage(t, c, req)
	waitImage(t, c, "cn-hangzhou", fromInstance)
	if got := findImage(t, c, "cn-hangzhou", fromInstance); got.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId == "" || got.Platform != "Ubuntu" {
		t.Fatalf("image from instance: %+v", got)
	}

	launched := runFromImage(t, c, vpcSDK(t, s), fromSnapshot)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = inst
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitForStatus(t, c, []string{inst}, "Stopped")
	replace := ecs.CreateReplaceSystemDiskRequest()
	replace.InstanceId, replace.ImageId = inst, fromSnapshot
	if _, err := c.ReplaceSystemDisk(replace); err != nil {
		t.Fatalf("ReplaceSystemDisk with the custom image: %v", err)
	}

	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = sn
	_, err := c.DeleteSnapshot(del)
	wantServerError(t, "DeleteSnapshot of the image's snapshot", err, "SnapshotCreatedImage", 403)

	delImage := ecs.CreateDeleteImageRequest()
	delImage.ImageId = fromSnapshot
	_, err = c.DeleteImage(delImage)
	wantServerError(t, "DeleteImage of an image in use", err, "ImageUsingByInstance", 403)
	delImage.Force = requests.NewBoolean(true)
	if _, err := c.DeleteImage(delImage); err != nil {
		t.Fatalf("DeleteImage Force: %v", err)
	}
	if findImage(t, c, "cn-hangzhou", fromSnapshot) != nil {
		t.Fatal("image listed after DeleteImage")
	}
	if got := describeInstances(t, c, []string{launched}); len(got) != 1 || got[0].Status != "Running" {
		t.Fatalf("instance of the deleted image: %+v", got)
	}
	missing := ecs.CreateDeleteImageRequest()
	missing.ImageId = "m-doesnotexist0000001"
	if _, err := c.DeleteImage(missing); err != nil {
		t.Fatalf("DeleteImage of a missing image is ignored, got %v", err)
	}
}

// TestCopyImageToBeijingAndCancelCopyImageOfAnother follows 1.9.5 and 1.9.6:
// a copy is a Creating image of cn-beijing with IsCopied, whose progress
// grows until it is Available and runs instances there; a second copy is
// cancelled while under way and disappears; a finished copy cannot be
// cancelled.
func TestCopyImageToBeijingAndCancelCopyImageOfAnother(t *testing.T) {
	s := imageServer(t, "3s")
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	waitForStatus(t, c, []string{inst}, "Running")
	sn := takeSnapshot(t, c, systemDisk(t, c, inst).DiskId, "for-copy")
	waitSnapshot(t, c, sn)
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId, req.ImageName = sn, unique("source")
	src := createImage(t, c, req)
	waitImage(t, c, "cn-hangzhou", src)

	cp := ecs.CreateCopyImageRequest()
	cp.RegionId, cp.ImageId, cp.DestinationRegionId, cp.DestinationImageName = "cn-hangzhou", src, "cn-beijing", unique("copy")
	copied, err := c.CopyImage(cp)
	if err != nil {
		t.Fatalf("CopyImage: %v", err)
	}
	if img := findImage(t, c, "cn-beijing", copied.ImageId); img == nil || img.Status != "Creating" || !img.IsCopied {
		t.Fatalf("copy at once: %+v", img)
	}
	if findImage(t, c, "cn-hangzhou", copied.ImageId) != nil {
		t.Fatal("the copy is listed in the source region")
	}
	seen := waitImage(t, c, "cn-beijing", copied.ImageId)
	if len(seen) < 3 {
		t.Fatalf("progress of the copy: %v, want several steps", seen)
	}
	cancel := ecs.CreateCancelCopyImageRequest()
	cancel.RegionId, cancel.ImageId = "cn-beijing", copied.ImageId
	_, err = c.CancelCopyImage(cancel)
	wantServerError(t, "CancelCopyImage of a finished copy", err, "IncorrectImageStatus", 400)

	cp.DestinationImageName = unique("second")
	second, err := c.CopyImage(cp)
	if err != nil {
		t.Fatalf("second CopyImage: %v", err)
	}
	cancel.ImageId = second.ImageId
	if _, err := c.CancelCopyImage(cancel); err != nil {
		t.Fatalf("CancelCopyImage: %v", err)
	}
	if img := findImage(t, c, "cn-beijing", second.ImageId); img != nil {
		t.Fatalf("cancelled copy still listed: %+v", img)
	}
	_, err = c.CancelCopyImage(cancel)
	wantServerError(t, "CancelCopyImage again", err, "InvalidImageId.NotFound", 404)

	cp.DestinationRegionId = "cn-hangzhou"
	_, err = c.CopyImage(cp)
	wantServerError(t, "CopyImage to its own region", err, "IncorrectDestinationRegion", 403)
}

// TestASharedImageIsListedAndLaunchedByThatAccountOnly follows 1.9.7 and
// 1.9.8: an image shared with a second account (made with `ecsd admin account
// create`) is listed for it as ImageOwnerAlias others and runs its
// instances; a third account neither sees nor uses it; the owner cannot
// delete it while shared (ImageUseShared).
func TestASharedImageIsListedAndLaunchedByThatAccountOnly(t *testing.T) {
	s := imageServer(t, "2s")
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, c)
	waitForStatus(t, c, []string{inst}, "Running")
	sn := takeSnapshot(t, c, systemDisk(t, c, inst).DiskId, "for-share")
	waitSnapshot(t, c, sn)
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId, req.ImageName = sn, unique("shared")
	id := createImage(t, c, req)
	waitImage(t, c, "cn-hangzhou", id)

	b, other := createAccount(t, s, "image-b"), createAccount(t, s, "image-c")
	bc, oc := oldSDK(t, s, b.AccessKeyId, b.AccessKeySecret), oldSDK(t, s, other.AccessKeyId, other.AccessKeySecret)
	if findImage(t, bc, "cn-hangzhou", id) != nil {
		t.Fatal("B sees the image before it is shared")
	}
	share := ecs.CreateModifyImageSharePermissionRequest()
	share.ImageId, share.AddAccount = id, &[]string{strconv.FormatInt(b.AccountId, 10)}
	if _, err := c.ModifyImageSharePermission(share); err != nil {
		t.Fatalf("ModifyImageSharePermission: %v", err)
	}
	list := ecs.CreateDescribeImageSharePermissionRequest()
	list.ImageId = id
	perms, err := c.DescribeImageSharePermission(list)
	if err != nil || perms.TotalCount != 1 || perms.Accounts.Account[0].AliyunId != strconv.FormatInt(b.AccountId, 10) {
		t.Fatalf("DescribeImageSharePermission: %+v, %v", perms, err)
	}
	others := ecs.CreateDescribeImagesRequest()
	others.ImageOwnerAlias = "others"
	got, err := bc.DescribeImages(others)
	if err != nil || got.TotalCount != 1 || got.Images.Image[0].ImageId != id || got.Images.Image[0].ImageOwnerAlias != "others" {
		t.Fatalf("B's shared images: %+v, %v", got, err)
	}
	runFromImage(t, bc, vpcWith(t, s, b), id)

	if findImage(t, oc, "cn-hangzhou", id) != nil {
		t.Fatal("a third account sees the shared image")
	}
	run := ecs.CreateRunInstancesRequest()
	run.ImageId, run.InstanceType = id, "ecs.g5.large"
	_, err = oc.RunInstances(run)
	if err == nil {
		t.Fatal("a third account ran an instance from the shared image")
	}
	del := ecs.CreateDeleteImageRequest()
	del.ImageId = id
	_, err = c.DeleteImage(del)
	wantServerError(t, "DeleteImage of a shared image", err, "ImageUseShared", 403)
	share.AddAccount = &[]string{strconv.FormatInt(rootAccountID(t, s), 10)}
	_, err = c.ModifyImageSharePermission(share)
	wantServerError(t, "sharing with oneself", err, "InvalidAccount.Forbidden", 404)
}

// TestCustomImageActionsAnswerTheGuidesErrorsAndCreateNothing checks bad
// input of CreateImage, ImportImage and ExportImage: each a guide error, with
// no image left behind. The account has no AliyunECSImageImportDefaultRole
// nor AliyunECSImageExportDefaultRole, so the import and export of otherwise
// valid requests are Forbidden (the guide's RAM authorization).
func TestCustomImageActionsAnswerTheGuidesErrorsAndCreateNothing(t *testing.T) {
	s := imageServer(t, "2s")
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	req := ecs.CreateCreateImageRequest()
	_, err := c.CreateImage(req)
	wantServerError(t, "CreateImage without a source", err, "MissingParameter", 400)
	req.SnapshotId = "s-doesnotexist00000001"
	_, err = c.CreateImage(req)
	wantServerError(t, "CreateImage of a missing snapshot", err, "InvalidSnapshotId.NotFound", 404)
	req = ecs.CreateCreateImageRequest()
	req.SnapshotId, req.ImageName = "s-doesnotexist00000001", "1-starts-with-a-digit"
	_, err = c.CreateImage(req)
	wantServerError(t, "CreateImage with a bad name", err, "InvalidImageName.Malformed", 400)
	req = ecs.CreateCreateImageRequest()
	req.InstanceId = "i-doesnotexist00000001"
	_, err = c.CreateImage(req)
	wantServerError(t, "CreateImage of a missing instance", err, "InvalidInstanceId.NotFound", 404)

	imp := ecs.CreateImportImageRequest()
	imp.DiskDeviceMapping = &[]ecs.ImportImageDiskDeviceMapping{{OSSBucket: "images", OSSObject: "disk.qcow2", Format: "qcow2"}}
	_, err = c.ImportImage(imp)
	wantServerError(t, "ImportImage without the import role", err, "Forbidden", 400)
	// Requests of the SDK keep the parameters of earlier calls: a new one each time.
	imp = ecs.CreateImportImageRequest()
	imp.DiskDeviceMapping = &[]ecs.ImportImageDiskDeviceMapping{{OSSObject: "disk.qcow2"}}
	_, err = c.ImportImage(imp)
	wantServerError(t, "ImportImage without a bucket", err, "MissingParameter", 400)
	imp = ecs.CreateImportImageRequest()
	imp.DiskDeviceMapping = &[]ecs.ImportImageDiskDeviceMapping{{OSSBucket: "images", OSSObject: "d", Format: "vmdk"}}
	_, err = c.ImportImage(imp)
	wantServerError(t, "ImportImage of an unknown format", err, "InvalidFormat.Malformed", 400)
	exp := ecs.CreateExportImageRequest()
	exp.ImageId, exp.OSSBucket = "m-doesnotexist00000001", "images"
	_, err = c.ExportImage(exp)
	wantServerError(t, "ExportImage without the export role", err, "Forbidden", 400)

	mine := ecs.CreateDescribeImagesRequest()
	mine.ImageOwnerAlias, mine.Status = "self", "Creating,Available,CreateFailed"
	got, err := c.DescribeImages(mine)
	if err != nil || got.TotalCount != 0 {
		t.Fatalf("refused calls left images: %+v, %v", got, err)
	}
	attr := ecs.CreateModifyImageAttributeRequest()
	attr.ImageId, attr.ImageName = "m-doesnotexist00000001", "renamed"
	_, err = c.ModifyImageAttribute(attr)
	wantServerError(t, "ModifyImageAttribute of a missing image", err, "InvalidImageId.NotFound", 404)
}
