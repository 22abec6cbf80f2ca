package instance

import (
	"encoding/base64"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func TestRunInstancesWritesInstancesDisksAddressesGroupsAndTagsInOneTransaction(t *testing.T) {
	f := newLaunchFixture(t)
	ids := f.launch(t, runInput(func(in *RunInput) {
		in.Amount, in.InstanceName, in.UniqueSuffix = intp(3), "web", true
		in.SecurityGroupIDs = []string{"sg-1", "sg-1b", "sg-1"}
		in.InternetMaxBandwidthOut = intp(5)
		in.DataDisks = []DataDiskInput{{Category: CategoryEfficiency, Size: intp(40)},
			{Category: CategorySSD, Size: intp(100), Device: "/dev/xvdf", DeleteWithInstance: boolp(false)}}
		in.Tags = []store.Tag{{Key: "env", Value: "prod"}, {Key: "team"}}
	}))
	if len(ids) != 3 {
		t.Fatalf("InstanceIds = %v, want 3", ids)
	}
	pool := netip.MustParsePrefix(DefaultPublicIPPool)
	seen := map[string]bool{}
	for i, id := range ids {
		in := f.get(t, id)
		if in.Status != StatusPending || in.NextStatus != intentRunning || in.Name != []string{"web001", "web002", "web003"}[i] {
			t.Errorf("%s: status %s, intent %s, name %s", id, in.Status, in.NextStatus, in.Name)
		}
		if in.ZoneID != "cn-hangzhou-b" || in.VpcID != "vpc-1" || in.CPU != 2 || in.MemoryMiB != 8192 ||
			in.HostName != defaultHostName(id, false) || in.InternetMaxBandwidthIn != 200 || in.InstanceChargeType != "PostPaid" {
			t.Errorf("%s: %+v", id, in)
		}
		pub, err := netip.ParseAddr(in.PublicIP)
		if err != nil || !pool.Contains(pub) || seen[in.PublicIP] || seen[in.PrivateIP] {
			t.Errorf("%s: public %q, private %q (seen %v)", id, in.PublicIP, in.PrivateIP, seen)
		}
		seen[in.PublicIP], seen[in.PrivateIP] = true, true
		f.update(t, func(tx store.Tx) error {
			v, err := LoadView(tx, 1, id)
			if err != nil {
				return err
			}
			if !slices.Equal(v.SecurityGroupIDs, []string{"sg-1", "sg-1b"}) || len(v.Tags) != 2 {
				t.Errorf("%s: groups %v, tags %v", id, v.SecurityGroupIDs, v.Tags)
			}
			var devices []string
			for _, d := range v.Disks {
				devices = append(devices, d.Device+":"+d.Category)
			}
			want := []string{"/dev/xvda:cloud_efficiency", "/dev/xvdb:cloud_efficiency", "/dev/xvdf:cloud_ssd"}
			if !slices.Equal(devices, want) || v.Disks[0].SizeGiB != 40 || !v.Disks[0].DeleteWithInstance ||
				v.Disks[2].DeleteWithInstance || v.Disks[0].Status != diskStatusInUse {
				t.Errorf("%s: disks %v, want %v: %+v", id, devices, want, v.Disks)
			}
			return nil
		})
	}
}

func TestRunInstancesStartsEveryInstancePendingStartingRunning(t *testing.T) {
	f := newLaunchFixture(t)
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount = intp(2) }))
	f.settle(t)
	for _, id := range ids {
		in := f.get(t, id)
		if in.Status != StatusRunning || in.NextStatus != "" || in.StartedAt.IsZero() || len(in.DriverHandle) == 0 {
			t.Fatalf("%s after the reconciler: %s/%s, started %v", id, in.Status, in.NextStatus, in.StartedAt)
		}
		h, _ := decodeHandle(in.DriverHandle)
		if state, err := f.sim.Inspect(t.Context(), h); err != nil || state != "Running" {
			t.Fatalf("driver reports %s, %v", state, err)
		}
	}
}

func TestCreateInstanceLeavesTheInstanceStopped(t *testing.T) {
	f := newLaunchFixture(t)
	ids := f.launch(t, runInput(func(in *RunInput) {
		in.Action, in.InternetMaxBandwidthOut = ActionCreate, intp(10)
	}))
	if len(ids) != 1 {
		t.Fatalf("CreateInstance made %v", ids)
	}
	f.settle(t)
	in := f.get(t, ids[0])
	if in.Status != StatusStopped || in.NextStatus != "" || len(in.DriverHandle) == 0 || in.PublicIP != "" {
		t.Fatalf("CreateInstance left %s/%s, handle %d bytes, public IP %q", in.Status, in.NextStatus, len(in.DriverHandle), in.PublicIP)
	}
	if err := f.svc.Start(t.Context(), lfCaller(), ids[0], false); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if s := f.status(t, ids[0]); s != StatusRunning {
		t.Fatalf("after StartInstance: %s", s)
	}
}

func TestRunInstancesWithTheSameClientTokenReturnsTheSameInstances(t *testing.T) {
	f := newLaunchFixture(t)
	in := runInput(func(in *RunInput) { in.Amount, in.ClientToken = intp(2), "token-1" })
	first := f.launch(t, in)
	again := f.launch(t, in)
	if !slices.Equal(first, again) {
		t.Fatalf("retry created %v, want %v", again, first)
	}
	in.InstanceName = "other"
	_, err := f.svc.Launch(t.Context(), lfCaller(), in)
	wantCode(t, "same token, other parameters", err, "IdempotentParameterMismatch", 400)
	var n int
	f.update(t, func(tx store.Tx) error {
		var err error
		n, err = tx.CountInstances(1, "cn-hangzhou")
		return err
	})
	if n != 2 {
		t.Fatalf("%d instances, want 2", n)
	}
}

func TestRunInstancesDryRunChecksEverythingAndCreatesNothing(t *testing.T) {
	f := newLaunchFixture(t)
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.DryRun = true }))
	wantCode(t, "DryRun", err, "DryRunOperation", 400)
	_, err = f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.DryRun, in.VSwitchID = true, "vsw-nope" }))
	wantCode(t, "DryRun with a missing VSwitch", err, "InvalidVSwitchId.NotFound", 404)
	f.update(t, func(tx store.Tx) error {
		if n, _ := tx.CountInstances(1, "cn-hangzhou"); n != 0 {
			t.Errorf("DryRun created %d instances", n)
		}
		return nil
	})
}

func TestRunInstancesIsAllOrNothing(t *testing.T) {
	f := newLaunchFixture(t)
	// The second instance cannot have the same private address: the call fails
	// and the first instance, its address, disks and tags are not kept either.
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
		in.Amount, in.PrivateIPAddress, in.InternetMaxBandwidthOut = intp(2), "192.168.1.20", intp(1)
		in.Tags = []store.Tag{{Key: "k", Value: "v"}}
	}))
	wantCode(t, "two instances on one address", err, "InvalidPrivateIpAddress.Duplicated", 400)
	f.update(t, func(tx store.Tx) error {
		n, _ := tx.CountInstances(1, "cn-hangzhou")
		ips, _ := tx.ListPrivateIPs("vsw-1")
		pub, _ := tx.ListPrivateIPs(publicIPPoolKey)
		disks, _, _ := tx.ListDisks(store.DiskFilter{AccountID: 1})
		if n != 0 || len(ips) != 0 || len(pub) != 0 || len(disks) != 0 {
			t.Errorf("left %d instances, %d private and %d public IPs, %d disks", n, len(ips), len(pub), len(disks))
		}
		return nil
	})
}

func TestRunInstancesCreatesAtLeastMinAmountWhenTheVSwitchRunsOutOfAddresses(t *testing.T) {
	f := newLaunchFixture(t)
	// 192.168.9.0/29 has 8 addresses, of which 4 are reserved.
	ids := f.launch(t, runInput(func(in *RunInput) { in.VSwitchID, in.Amount, in.MinAmount = "vsw-tiny", intp(6), intp(2) }))
	if len(ids) != 4 {
		t.Fatalf("created %d instances, want the 4 the VSwitch has room for", len(ids))
	}
	_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) { in.VSwitchID = "vsw-tiny" }))
	wantCode(t, "full VSwitch", err, "InvalidVSwitchId.IpNotEnough", 403)
}

func TestRunInstancesAnswersTheGuidesErrors(t *testing.T) {
	f := newLaunchFixture(t)
	big := base64.StdEncoding.EncodeToString(make([]byte, 16<<10+1))
	cases := []struct {
		name   string
		edit   func(*RunInput)
		code   string
		status int
	}{
		{"no image", func(in *RunInput) { in.ImageID = "" }, "MissingParameter", 400},
		{"no instance type", func(in *RunInput) { in.InstanceType = "" }, "MissingParameter", 400},
		{"no security group", func(in *RunInput) { in.SecurityGroupIDs = nil }, "MissingParameter", 400},
		{"no VSwitch", func(in *RunInput) { in.VSwitchID = "" }, "MissingParameter", 400},
		{"six security groups", func(in *RunInput) { in.SecurityGroupIDs = []string{"a", "b", "c", "d", "e", "f"} }, "InvalidSecurityGroupId.MultiGroupLimitExceed", 400},
		{"amount 101", func(in *RunInput) { in.Amount = intp(101) }, "InvalidParameter", 400},
		{"amount 0", func(in *RunInput) { in.Amount = intp(0) }, "InvalidParameter", 400},
		{"MinAmount above Amount", func(in *RunInput) { in.Amount, in.MinAmount = intp(2), intp(3) }, "InvalidParameter", 400},
		{"name starting with a digit", func(in *RunInput) { in.InstanceName = "1web" }, "InvalidInstanceName.Malformed", 400},
		{"name with a slash", func(in *RunInput) { in.InstanceName = "web/1" }, "InvalidInstanceName.Malformed", 400},
		{"one-character description", func(in *RunInput) { in.Description = "x" }, "InvalidDescription.Malformed", 400},
		{"host name ending in a dot", func(in *RunInput) { in.HostName = "web." }, "InvalidHostName.Malformed", 400},
		{"host name with --", func(in *RunInput) { in.HostName = "we--b" }, "InvalidHostName.Malformed", 400},
		{"password of one kind", func(in *RunInput) { in.Password = "abcdefghij" }, "InvalidPassword.Malformed", 400},
		{"password and PasswordInherit", func(in *RunInput) { in.Password, in.PasswordInherit = "Abcdef12!", true }, "InvalidPasswordParam.Mismatch", 400},
		{"user data over 16 KiB", func(in *RunInput) { in.UserData = big }, "InvalidUserData.SizeExceeded", 400},
		{"unknown instance type", func(in *RunInput) { in.InstanceType = "ecs.nope.large" }, "InvalidInstanceType.ValueNotSupported", 400},
		{"unknown image", func(in *RunInput) { in.ImageID = "m-nope" }, "InvalidImageId.NotFound", 404},
		{"arm image on x86", func(in *RunInput) { in.ImageID = "ubuntu_22_04_arm64_20G_alibase_20240508.vhd" }, "ImageNotSupportInstanceType", 403},
		{"series III type not I/O optimised", func(in *RunInput) { in.IoOptimized = "none" }, "DependencyViolation.IoOptimized", 404},
		{"series I type I/O optimised", func(in *RunInput) { in.InstanceType, in.IoOptimized = "ecs.s1.small", "optimized" }, "IoOptimized.NotSupported", 404},
		{"bad IoOptimized", func(in *RunInput) { in.IoOptimized = "maybe" }, "InvalidIoOptimizedValue.ValueNotSupported", 400},
		{"user data on series I", func(in *RunInput) { in.InstanceType, in.UserData = "ecs.s1.small", "aGk=" }, "InvalidUserData.NotSupported", 400},
		{"key pair on Windows", func(in *RunInput) { in.ImageID, in.KeyPairName = lfWindowsImage, "ops" }, "DependencyViolation.WindowsInstance", 403},
		{"system disk 19 GiB", func(in *RunInput) { in.SystemDisk.Size = intp(19) }, "InvalidSystemDiskSize.LessThanMinSize", 404},
		{"system disk below the image", func(in *RunInput) { in.ImageID, in.SystemDisk.Size = lfWindowsImage, intp(30) }, "InvalidSystemDiskSize.LessThanImageSize", 404},
		{"system disk 501 GiB", func(in *RunInput) { in.SystemDisk.Size = intp(501) }, "InvalidSystemDiskSize.MoreThanMaxSize", 404},
		{"system disk category", func(in *RunInput) { in.SystemDisk.Category = "floppy" }, "InvalidSystemDiskCategory.ValueNotSupported", 400},
		{"data disk category", func(in *RunInput) { in.DataDisks = []DataDiskInput{{Category: "floppy", Size: intp(20)}} }, "InvalidDiskCategory.ValueNotSupported", 400},
		{"cloud data disk of 2001 GiB", func(in *RunInput) { in.DataDisks = []DataDiskInput{{Size: intp(2001)}} }, "InvalidDataDiskSize.ValueNotSupported", 400},
		{"data disk from a snapshot", func(in *RunInput) { in.DataDisks = []DataDiskInput{{SnapshotID: "s-1"}} }, "InvalidDataDiskSnapshotId.NotFound", 404},
		{"seventeen data disks", func(in *RunInput) { in.DataDisks = make([]DataDiskInput, 17) }, "InstanceDiskNumber.LimitExceeded", 400},
		{"two disks on one device", func(in *RunInput) {
			in.DataDisks = []DataDiskInput{{Size: intp(20), Device: "/dev/xvdc"}, {Size: intp(20), Device: "/dev/xvdc"}}
		}, "InvalidDevice.InUse", 403},
		{"device /dev/sdb", func(in *RunInput) { in.DataDisks = []DataDiskInput{{Size: intp(20), Device: "/dev/sdb"}} }, "InvalidDataDevice.Malformed", 400},
		{"local SSD with DeleteWithInstance", func(in *RunInput) {
			in.DataDisks = []DataDiskInput{{Category: CategoryEphemeralSSD, Size: intp(20), DeleteWithInstance: boolp(false)}}
		}, "DeleteWithInstance.Conflict", 403},
		{"encrypted basic disk", func(in *RunInput) { in.DataDisks = []DataDiskInput{{Size: intp(20), Encrypted: boolp(true)}} }, "InvalidParameter.EncryptedNotSupported", 400},
		{"local SSD not in the zone", func(in *RunInput) { in.DataDisks = []DataDiskInput{{Category: CategoryEphemeralSSD, Size: intp(20)}} }, "CategoryNotSupported", 403},
		{"bandwidth out 101", func(in *RunInput) { in.InternetMaxBandwidthOut = intp(101) }, "InvalidParameter", 400},
		{"bandwidth in 0", func(in *RunInput) { in.InternetMaxBandwidthIn = intp(0) }, "InvalidParameter", 400},
		{"internet charge type", func(in *RunInput) { in.InternetChargeType = "Free" }, "InvalidInternetChargeType.ValueNotSupported", 400},
		{"PrePaid", func(in *RunInput) { in.InstanceChargeType = "PrePaid" }, "InvalidInstanceChargeType.ValueNotSupported", 400},
		{"six tags", func(in *RunInput) {
			for i := range 6 {
				in.Tags = append(in.Tags, store.Tag{Key: string(rune('a' + i))})
			}
		}, "InvalidTagCount", 400},
		{"aliyun tag key", func(in *RunInput) { in.Tags = []store.Tag{{Key: "aliyun:x"}} }, "InvalidTagKey.Malformed", 400},
		{"auto release in ten minutes", func(in *RunInput) { in.AutoReleaseTime = "2026-03-01T08:10:00Z" }, "InvalidAutoReleaseTime.Malformed", 400},
		{"zone of another region", func(in *RunInput) { in.ZoneID = "cn-beijing-a" }, "InvalidZoneId.NotFound", 404},
		{"zone other than the VSwitch's", func(in *RunInput) { in.ZoneID = "cn-hangzhou-g" }, "InvalidParameter.Mismatch", 400},
		{"missing VSwitch", func(in *RunInput) { in.VSwitchID = "vsw-nope" }, "InvalidVSwitchId.NotFound", 404},
		{"missing security group", func(in *RunInput) { in.SecurityGroupIDs = []string{"sg-nope"} }, "InvalidSecurityGroupId", 404},
		{"security group of another VPC", func(in *RunInput) { in.SecurityGroupIDs = []string{"sg-2"} }, "InvalidParameter.Mismatch", 400},
		{"missing key pair", func(in *RunInput) { in.KeyPairName = "nope" }, "InvalidKeyPairName.NotFound", 404},
		{"address outside the VSwitch", func(in *RunInput) { in.PrivateIPAddress = "10.0.0.5" }, "InvalidPrivateIpAddress.Mismatch", 400},
		{"HPC cluster", func(in *RunInput) { in.HpcClusterID = "hpc-1" }, "InvalidHpcClusterId.NotFound", 400},
		{"RAM role", func(in *RunInput) { in.RAMRoleName = "admin" }, "InvalidRamRole.NotFound", 404},
		{"IPv6", func(in *RunInput) { in.Unsupported = []string{"Ipv6AddressCount"} }, "InvalidParameter", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(c.edit))
			wantCode(t, c.name, err, c.code, c.status)
		})
	}
}

func TestCreateInstanceWordsItsErrorsAsItsOwnSection(t *testing.T) {
	f := newLaunchFixture(t)
	create := func(edit func(*RunInput)) error {
		_, err := f.svc.Launch(t.Context(), lfCaller(), runInput(func(in *RunInput) {
			in.Action = ActionCreate
			edit(in)
		}))
		return err
	}
	err := create(func(in *RunInput) { in.SystemDisk.Size = intp(39) })
	wantCode(t, "system disk 39 GiB", err, "InvalidSystemDiskSize.LessThanMinimumSize", 404)
	err = create(func(in *RunInput) { in.SecurityGroupIDs = []string{"sg-nope"} })
	wantCode(t, "missing group", err, "InvalidSecurityGroupId.NotFound", 404)
	err = create(func(in *RunInput) { in.HostName = strings.Repeat("a", 31) })
	wantCode(t, "31-character host name", err, "InvalidHostName.Malformed", 400)
	err = create(func(in *RunInput) { in.InstanceName = "web:1" })
	wantCode(t, "name with a colon", err, "InvalidInstanceName.Malformed", 400)
	err = create(func(in *RunInput) {
		in.SystemDisk.Category, in.DataDisks = CategoryCloud, []DataDiskInput{{Category: CategorySSD, Size: intp(20)}}
	})
	wantCode(t, "SSD data disk beside a basic system disk", err, "InvalidParameter.Mismatch", 403)
	err = create(func(in *RunInput) { in.DataDisks = make([]DataDiskInput, 17) })
	wantCode(t, "seventeen data disks", err, "InstanceDiskNumLimitExceed", 403)
}

func TestRunInstancesAppliesTheGuidesDefaults(t *testing.T) {
	f := newLaunchFixture(t)
	ids := f.launch(t, runInput(func(in *RunInput) {
		in.InstanceType, in.DataDisks = "ecs.s1.small", []DataDiskInput{{Size: intp(5)}}
		in.HostNames = []string{"alpha"}
		in.AutoReleaseTime = "2026-03-01T09:30:45Z"
		in.Password = "Abcdef12!"
	}))
	in := f.get(t, ids[0])
	if in.HostName != "alpha" || in.Name != ids[0] || !in.AutoReleaseTime.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) ||
		!strings.HasPrefix(in.PasswordHash, "sha256:") || strings.Contains(in.PasswordHash, "Abcdef12") {
		t.Fatalf("defaults: %+v", in)
	}
	f.update(t, func(tx store.Tx) error {
		v, err := LoadView(tx, 1, ids[0])
		if err != nil {
			return err
		}
		// Series I without I/O optimisation: a basic cloud system disk of max(40, 20) GiB.
		if v.Disks[0].Category != CategoryCloud || v.Disks[0].SizeGiB != 40 || v.Disks[1].Category != CategoryCloud {
			t.Errorf("disks: %+v", v.Disks)
		}
		return nil
	})
	if f.svc.IoOptimized(in) {
		t.Error("a series I instance reports I/O optimised")
	}
	createRAMRoles(t, f.store, "worker")
	if r := f.get(t, f.launch(t, runInput(func(in *RunInput) { in.RAMRoleName = "worker" }))[0]); r.RAMRoleName != "worker" {
		t.Errorf("RamRoleName = %q", r.RAMRoleName)
	}
	win := f.get(t, f.launch(t, runInput(func(in *RunInput) { in.ImageID = lfWindowsImage }))[0])
	if len(win.HostName) > 15 || !validHostName(win.HostName, true, 15) {
		t.Errorf("Windows default host name %q", win.HostName)
	}
}
