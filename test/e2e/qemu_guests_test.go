package e2e

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// End-to-end tests of real VMs: `ecsd serve --driver qemu` boots the busybox
// test guest of scripts/setup-qemu.sh, whose init prints what it sees on its
// serial console (docs/drivers.md, "The test guest"); the tests read that
// console through GetInstanceConsoleOutput, as a user would.

// waitConsoleMatch polls the console until it matches re.
func waitConsoleMatch(t *testing.T, c *ecs.Client, id string, re *regexp.Regexp) string {
	t.Helper()
	return waitConsole(t, c, id, re.String(), re.MatchString)
}

// guestScript is a user-data shell script for the test guest.
func guestScript(body string) string {
	return base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\n" + body))
}

func TestQEMUGuestPrintsItsIdentityUserDataAndKeyFromTheMetadataServiceAndTheVPCsNamespaceGoesWithIt(t *testing.T) {
	q := startQEMU(t)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)
	req := q.runRequest(n)
	req.HostName = "meta-guest"
	req.KeyPairName = n.keyPair
	// The user data also walks the token mode by hand (busybox wget cannot
	// PUT): a token for 60 s, a read with it, and a read with a forged one.
	req.UserData = guestScript(`echo USERDATA-SAYS-$((6*7))
md() { printf "$1 $2 HTTP/1.0\r\n$3\r\n" | timeout 5 nc 100.100.100.200 80; }
tok=$(md PUT /latest/api/token "X-aliyun-ecs-metadata-token-ttl-seconds: 60\r\n" | tail -n 1)
echo "TOKEN-READ $(md GET /latest/meta-data/instance-id "X-aliyun-ecs-metadata-token: $tok\r\n" | tail -n 1)"
echo "FORGED-TOKEN $(md GET /latest/meta-data/instance-id "X-aliyun-ecs-metadata-token: forged\r\n" | head -n 1)"
`)
	id := runInstances(t, c, req)[0]
	out := waitConsoleMatch(t, c, id, regexp.MustCompile(`FORGED-TOKEN HTTP`))
	for _, want := range []string{
		"ECSD-META instance-id=" + id,
		"ECSD-META hostname=meta-guest",
		"ECSD-META openssh-key=ssh-ed25519 ",
		"ECSD-META user-data=#!/bin/sh",
		"USERDATA-SAYS-42",
		"TOKEN-READ " + id,
		"FORGED-TOKEN HTTP/1.0 401",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console of %s lacks %q:\n%s", id, want, out)
		}
	}
	waitForStatus(t, c, []string{id}, "Running")

	// Once the VPC is deleted, its namespace (bridge, taps, DHCP) goes too.
	ns := filepath.Join("/run/netns", "ecsd-"+n.vpcID)
	if _, err := os.Stat(ns); err != nil {
		t.Fatalf("the VPC's namespace: %v", err)
	}
	deleteInstances(t, c, []string{id})
	delGroup := ecs.CreateDeleteSecurityGroupRequest()
	delGroup.SecurityGroupId = n.groupID
	if _, err := c.DeleteSecurityGroup(delGroup); err != nil {
		t.Fatalf("DeleteSecurityGroup: %v", err)
	}
	vc := vpcSDK(t, q.server)
	delVSwitch := vpc.CreateDeleteVSwitchRequest()
	delVSwitch.VSwitchId = n.vswitchID
	if _, err := vc.DeleteVSwitch(delVSwitch); err != nil {
		t.Fatalf("DeleteVSwitch: %v", err)
	}
	delVpc := vpc.CreateDeleteVpcRequest()
	delVpc.VpcId = n.vpcID
	if _, err := vc.DeleteVpc(delVpc); err != nil {
		t.Fatalf("DeleteVpc: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(ns); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the namespace of deleted %s is still there after 10 s", n.vpcID)
		}
	}
}

func TestQEMUSecurityGroupRuleGovernsPingBetweenTwoInstances(t *testing.T) {
	q := startQEMU(t)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)
	// Members of the group reach each other only through its rules.
	pol := ecs.CreateModifySecurityGroupPolicyRequest()
	pol.SecurityGroupId, pol.InnerAccessPolicy = n.groupID, "Drop"
	if _, err := c.ModifySecurityGroupPolicy(pol); err != nil {
		t.Fatalf("ModifySecurityGroupPolicy: %v", err)
	}
	target := q.runRequest(n)
	target.PrivateIpAddress = "10.0.1.21"
	targetID := runInstances(t, c, target)[0]
	pinger := q.runRequest(n)
	pinger.PrivateIpAddress = "10.0.1.20"
	pinger.UserData = guestScript(`i=0
while true; do
	i=$((i + 1))
	if ping -c 1 -W 1 10.0.1.21 >/dev/null 2>&1; then echo "PING $i OK"; else echo "PING $i FAIL"; fi
	sleep 1
done
`)
	pingerID := runInstances(t, c, pinger)[0]
	waitConsoleMatch(t, c, targetID, regexp.MustCompile(`ECSD-IP eth0 10\.0\.1\.21/24`))
	waitConsoleMatch(t, c, pingerID, regexp.MustCompile(`PING \d+ FAIL`))
	// Several failures in a row while the target is up: nothing allows ICMP.
	pings := pingLog(t, c, pingerID, 3, 30*time.Second)
	if strings.Contains(pings, "OK") {
		t.Fatalf("pings got through without a rule:\n%s", pings)
	}

	auth := ecs.CreateAuthorizeSecurityGroupRequest()
	auth.SecurityGroupId, auth.IpProtocol, auth.PortRange, auth.SourceCidrIp = n.groupID, "icmp", "-1/-1", "10.0.1.0/24"
	if _, err := c.AuthorizeSecurityGroup(auth); err != nil {
		t.Fatalf("AuthorizeSecurityGroup: %v", err)
	}
	authorized := time.Now()
	waitPing(t, c, pingerID, "OK", 30*time.Second)
	t.Logf("pings pass %v after AuthorizeSecurityGroup", time.Since(authorized).Round(100*time.Millisecond))

	revoke := ecs.CreateRevokeSecurityGroupRequest()
	revoke.SecurityGroupId, revoke.IpProtocol, revoke.PortRange, revoke.SourceCidrIp = n.groupID, "icmp", "-1/-1", "10.0.1.0/24"
	if _, err := c.RevokeSecurityGroup(revoke); err != nil {
		t.Fatalf("RevokeSecurityGroup: %v", err)
	}
	revoked := time.Now()
	waitPing(t, c, pingerID, "FAIL", 30*time.Second)
	t.Logf("pings stop %v after RevokeSecurityGroup", time.Since(revoked).Round(100*time.Millisecond))
}

var pingLine = regexp.MustCompile(`PING (\d+) (OK|FAIL)`)

// lastPing returns the number and result of the guest's newest ping line.
func lastPing(out string) (int, string) {
	m := pingLine.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, ""
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n, m[len(m)-1][2]
}

// waitPing waits until a ping started after now has result want.
func waitPing(t *testing.T, c *ecs.Client, id, want string, limit time.Duration) {
	t.Helper()
	from, _ := lastPing(consoleOutput(t, c, id))
	var out string
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		out = consoleOutput(t, c, id)
		if n, got := lastPing(out); n > from+1 && got == want {
			return
		}
	}
	t.Fatalf("no ping %s from %s within %v:\n%s", want, id, limit, out)
}

// pingLog waits for count more ping lines and returns them.
func pingLog(t *testing.T, c *ecs.Client, id string, count int, limit time.Duration) string {
	t.Helper()
	from, _ := lastPing(consoleOutput(t, c, id))
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		out := consoleOutput(t, c, id)
		if n, _ := lastPing(out); n >= from+count {
			var lines []string
			for _, m := range pingLine.FindAllStringSubmatch(out, -1) {
				if k, _ := strconv.Atoi(m[1]); k > from {
					lines = append(lines, m[0])
				}
			}
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf("fewer than %d pings from %s within %v", count, id, limit)
	return ""
}

func TestQEMUDataDiskSnapshotHotPlugAndResetDiskRollBackTheGuestsWrites(t *testing.T) {
	q := startQEMU(t)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)
	req := q.runRequest(n)
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{Size: "20", Category: "cloud_efficiency"}}
	// On a blank data disk: write "first", then wait for a hot-plugged disk
	// (vdc) and overwrite it with "second". On any other disk: only report.
	req.UserData = guestScript(`c=$(head -c 6 /dev/vdb | tr -d '\000')
echo "DISK-CONTENT=[$c]"
if [ -z "$c" ]; then
	printf first | dd of=/dev/vdb conv=fsync 2>/dev/null && echo WROTE-FIRST
	while [ ! -e /sys/block/vdc ]; do sleep 1; done
	printf second | dd of=/dev/vdb conv=fsync 2>/dev/null && echo WROTE-SECOND
fi
`)
	id := runInstances(t, c, req)[0]
	waitConsoleMatch(t, c, id, regexp.MustCompile(`WROTE-FIRST`))
	dataDisk := instanceDisks(t, c, id, "data")[0]

	// A crash-consistent snapshot of the running guest's disk.
	snap := ecs.CreateCreateSnapshotRequest()
	snap.DiskId, snap.SnapshotName = dataDisk, "after-first"
	created, err := c.CreateSnapshot(snap)
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	waitSnapshot(t, c, created.SnapshotId)

	// Hot-plug a second data disk: the guest sees it appear, and writes.
	cd := ecs.CreateCreateDiskRequest()
	cd.ZoneId, cd.Size, cd.DiskCategory = q.zone, "20", "cloud_efficiency"
	disk, err := c.CreateDisk(cd)
	if err != nil {
		t.Fatalf("CreateDisk: %v", err)
	}
	waitDisk(t, c, disk.DiskId, "Available")
	attach := ecs.CreateAttachDiskRequest()
	attach.InstanceId, attach.DiskId = id, disk.DiskId
	if _, err := c.AttachDisk(attach); err != nil {
		t.Fatalf("AttachDisk to the running instance: %v", err)
	}
	waitConsoleMatch(t, c, id, regexp.MustCompile(`ECSD-DISKS vda vdb vdc`))
	waitConsoleMatch(t, c, id, regexp.MustCompile(`WROTE-SECOND`))

	stopAndWait(t, c, id)
	reset := ecs.CreateResetDiskRequest()
	reset.DiskId, reset.SnapshotId = dataDisk, created.SnapshotId
	if _, err := c.ResetDisk(reset); err != nil {
		t.Fatalf("ResetDisk: %v", err)
	}
	waitDisk(t, c, dataDisk, "In_use") // the rollback runs as a task
	if err := startInstance(c, id); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	// The new boot's console (QEMU starts a new file) reports the disk.
	out := waitConsole(t, c, id, "the disk's content after the reset", func(out string) bool {
		return diskContent.MatchString(out) && !strings.Contains(out, "\nWROTE-FIRST")
	})
	if !strings.Contains(out, "DISK-CONTENT=[first]") {
		t.Fatalf("after ResetDisk the guest reads another content than the snapshot's:\n%s", out)
	}
}

// diskContent is the guest's report of its data disk (not the script's text).
var diskContent = regexp.MustCompile(`DISK-CONTENT=\[[a-z]*\]`)

// instanceDisks returns the IDs of the instance's disks of a type (system, data).
func instanceDisks(t *testing.T, c *ecs.Client, id, diskType string) []string {
	t.Helper()
	req := ecs.CreateDescribeDisksRequest()
	req.InstanceId, req.DiskType = id, diskType
	resp, err := c.DescribeDisks(req)
	if err != nil {
		t.Fatalf("DescribeDisks: %v", err)
	}
	var ids []string
	for _, d := range resp.Disks.Disk {
		ids = append(ids, d.DiskId)
	}
	if len(ids) == 0 {
		t.Fatalf("instance %s has no %s disk", id, diskType)
	}
	return ids
}

// stopAndWait stops the instance and waits until it is Stopped.
func stopAndWait(t *testing.T, c *ecs.Client, id string) {
	t.Helper()
	if err := stopInstance(c, id); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitForStatus(t, c, []string{id}, "Stopped")
}

func TestQEMUInstancesKeepRunningThroughAnEcsdSIGKILLAreAdoptedWithoutASecondQEMUAndStopWhenQEMUDies(t *testing.T) {
	q := startQEMU(t)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)
	req := q.runRequest(n)
	req.Amount = requests.NewInteger(2)
	ids := runInstances(t, c, req)
	pids := map[string]int{}
	for _, id := range ids {
		waitConsoleMatch(t, c, id, regexp.MustCompile(`ECSD-META instance-id=`+id))
		pids[id] = q.qemuPID(t, id)
	}
	waitForStatus(t, c, ids, "Running")

	if err := q.server.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-q.server.done
	q.server.launch(q.server.opts)
	q.server.waitHealthy()

	got := waitForStatus(t, c, ids, "Running")
	if len(got) != len(ids) {
		t.Fatalf("after the restart DescribeInstances shows %d of %d instances", len(got), len(ids))
	}
	for _, id := range ids {
		if pid := q.qemuPID(t, id); pid != pids[id] {
			t.Errorf("%s: QEMU pid %d before the SIGKILL, %d after", id, pids[id], pid)
		}
		if n := countQEMU(id); n != 1 {
			t.Errorf("%s: %d QEMU processes after the restart, want 1", id, n)
		}
	}
	// The adopted VMs are controlled: a reboot reaches the guest, which reads
	// its identity again from the metadata service of the new process.
	reboot := ecs.CreateRebootInstanceRequest()
	reboot.InstanceId = ids[0]
	if _, err := c.RebootInstance(reboot); err != nil {
		t.Fatalf("RebootInstance after the restart: %v", err)
	}
	time.Sleep(time.Second)
	waitConsoleMatch(t, c, ids[0], regexp.MustCompile(`ECSD-META instance-id=`+ids[0]))
	stopAndWait(t, c, ids[1])
	if n := countQEMU(ids[1]); n != 0 {
		t.Errorf("%s: %d QEMU processes after StopInstance, want 0", ids[1], n)
	}
	// A QEMU that dies on its own leaves its instance Stopped.
	if err := syscall.Kill(q.qemuPID(t, ids[0]), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, ids[:1], "Stopped")
}

// countQEMU counts the QEMU processes running the instance.
func countQEMU(id string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if len(args) > 0 && strings.Contains(filepath.Base(args[0]), "qemu-system") && slices.Contains(args, "guest="+id) {
			n++
		}
	}
	return n
}

func TestQEMUGuestReadsItsRAMRoleCredentialsFromTheMetadataServiceAndTheyActAsTheRole(t *testing.T) {
	q := startQEMU(t)
	c := oldSDK(t, q.server, testAccessKeyID, testAccessKeySecret)
	n := q.network(t, c)
	role := "EcsGuestRole-" + runID()
	rc := ramSDK(t, q.server, rootCred())
	createRole(t, rc, role, ecsTrustPolicy)
	attachToRole(t, rc, role, "AliyunECSReadOnlyAccess")

	req := q.runRequest(n)
	req.UserData = guestScript(`url=http://100.100.100.200/latest/meta-data/ram/security-credentials/` + role + `
while ! timeout 3 wget -q -O /run/cred "$url"; do sleep 1; done
echo "ROLE-CREDENTIALS $(tr -d '\n ' < /run/cred)"
`)
	id := runInstances(t, c, req)[0]
	waitConsoleMatch(t, c, id, regexp.MustCompile(`ECSD-META instance-id=`))
	attach := ecs.CreateAttachInstanceRamRoleRequest()
	attach.InstanceIds, attach.RamRoleName = fmt.Sprintf("[%q]", id), role
	if _, err := c.AttachInstanceRamRole(attach); err != nil {
		t.Fatalf("AttachInstanceRamRole: %v", err)
	}
	out := waitConsoleMatch(t, c, id, regexp.MustCompile(`ROLE-CREDENTIALS \{.*\}`))
	var cred struct {
		AccessKeyId, AccessKeySecret, SecurityToken, Expiration, Code string
	}
	line := regexp.MustCompile(`ROLE-CREDENTIALS (\{.*\})`).FindStringSubmatch(out)[1]
	if err := json.Unmarshal([]byte(line), &cred); err != nil || cred.Code != "Success" || cred.SecurityToken == "" {
		t.Fatalf("the guest read %q (%v)", line, err)
	}
	// The guest's credentials act as the role: they read, and may not stop.
	guest := ecsWith(t, q.server, credentials.NewStsTokenCredential(cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken))
	if got := describeInstances(t, guest, []string{id}); len(got) != 1 {
		t.Fatalf("DescribeInstances with the guest's credentials: %d instances", len(got))
	}
	err := stopInstance(guest, id)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.ErrorCode() != "Forbidden.RAM" {
		t.Fatalf("StopInstance with the read-only role's credentials: %v, want Forbidden.RAM", err)
	}
}
