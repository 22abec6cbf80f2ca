package instance

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// privateIPOwner returns who holds an address of a VSwitch ("" for nobody).
func (f *attrFixture) privateIPOwner(t *testing.T, vswitchID, addr string) string {
	t.Helper()
	var owner string
	err := f.store.View(t.Context(), func(tx store.Tx) error {
		ips, err := tx.ListPrivateIPs(vswitchID)
		for _, ip := range ips {
			if ip.Address == addr {
				owner = ip.OwnerID
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return owner
}

func TestModifyInstanceVpcAttributeMovesAStoppedInstanceWithinItsVpcAndZone(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped })
	old := in.PrivateIP
	f.clock.Advance(time.Minute)
	if err := f.svc.ModifyVpcAttribute(t.Context(), attrCaller(), in.ID, "vsw-a2", ""); err != nil {
		t.Fatal(err)
	}
	got := f.get(t, in.ID)
	if got.VSwitchID != "vsw-a2" || got.PrivateIP != "192.168.2.1" {
		t.Fatalf("after the move: %s %s, want vsw-a2 and its lowest free address 192.168.2.1", got.VSwitchID, got.PrivateIP)
	}
	if owner := f.privateIPOwner(t, "vsw-a1", old); owner != "" {
		t.Fatalf("the old address %s is still held by %q", old, owner)
	}
	if owner := f.privateIPOwner(t, "vsw-a2", got.PrivateIP); owner != in.ID {
		t.Fatalf("the new address is held by %q", owner)
	}
	// One change per stop (InvalidPrivateIp.Changing); after a start and stop, again.
	err := f.svc.ModifyVpcAttribute(t.Context(), attrCaller(), in.ID, "vsw-a1", "192.168.1.50")
	attrWantError(t, err, "InvalidPrivateIp.Changing", http.StatusBadRequest, "Previous action is not finished yet.")
	f.clock.Advance(time.Minute)
	f.update(t, func(tx store.Tx) error {
		got.StartedAt = f.clock.Now()
		return tx.UpdateInstance(got)
	})
	f.clock.Advance(time.Minute)
	if err := f.svc.ModifyVpcAttribute(t.Context(), attrCaller(), in.ID, "vsw-a1", "192.168.1.50"); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, in.ID); got.VSwitchID != "vsw-a1" || got.PrivateIP != "192.168.1.50" {
		t.Fatalf("after the second move: %s %s", got.VSwitchID, got.PrivateIP)
	}
	// Naming where it is changes nothing, and is no change.
	if err := f.svc.ModifyVpcAttribute(t.Context(), attrCaller(), in.ID, "vsw-a1", ""); err != nil {
		t.Fatal(err)
	}
}

func TestModifyInstanceVpcAttributeAnswersTheGuidesErrors(t *testing.T) {
	f := newAttrFixture(t)
	stopped := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped })
	other := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped })
	running := f.attrInstance(t, nil)
	never := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusStopped; in.StartedAt = time.Time{} })
	cases := []struct {
		name, id, vsw, ip, code string
		status                  int
		msg                     string
	}{
		{"unknown instance", "i-missing", "vsw-a2", "", "InvalidInstanceId.NotFound", 404, "Specified instance does not exist."},
		{"unknown vswitch", stopped.ID, "vsw-nope", "", "InvalidVSwitchId.NotFound", 404, "Specified virtual switch does not exist."},
		{"vswitch of another VPC", stopped.ID, "vsw-b1", "", "InvalidVSwitchId.NotFound", 404, "Specified virtual switch is not found in current VPC."},
		{"vswitch of another zone", stopped.ID, "vsw-a3", "", "InvalidVSwitchId.Mismatch", 400, "Specified instance and virtual switch are not in the same zone."},
		{"running instance", running.ID, "vsw-a2", "", "IncorrectInstanceStatus", 400, "The current status of instance does not support this operation."},
		{"never started", never.ID, "vsw-a2", "", "IncorrectInstanceStatus", 400, ""},
		{"address outside the block", stopped.ID, "vsw-a2", "192.168.9.9", "InvalidPrivateIpAddress.Mismatch", 400, ""},
		{"malformed address", stopped.ID, "vsw-a2", "192.168.2", "InvalidPrivateIpAddress.Malformed", 400, ""},
		{"address in use", stopped.ID, "vsw-a1", other.PrivateIP, "InvalidPrivateIpAddress.Duplicated", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			attrWantError(t, f.svc.ModifyVpcAttribute(t.Context(), attrCaller(), c.id, c.vsw, c.ip), c.code, c.status, c.msg)
		})
	}
	if got := f.get(t, stopped.ID); got.VSwitchID != "vsw-a1" || got.PrivateIP != stopped.PrivateIP {
		t.Fatalf("a refused change moved the instance: %+v", got)
	}
	if owner := f.privateIPOwner(t, "vsw-a1", stopped.PrivateIP); owner != stopped.ID {
		t.Fatalf("a refused change released the address (owner %q)", owner)
	}
}

func TestAllocatePublicIpAddressTakesOneAddressOfThePoolAndReturnsItAgain(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, func(in *store.Instance) { in.InternetMaxBandwidthOut = 10 })
	addr, err := f.svc.AllocatePublicIP(t.Context(), attrCaller(), in.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := netip.ParseAddr(addr); err != nil || !netip.MustParsePrefix(DefaultPublicIPPool).Contains(a) {
		t.Fatalf("address %q is not in the pool %s", addr, DefaultPublicIPPool)
	}
	again, err := f.svc.AllocatePublicIP(t.Context(), attrCaller(), in.ID, "")
	if err != nil || again != addr || f.get(t, in.ID).PublicIP != addr {
		t.Fatalf("second call = %q, %v; want the same %s", again, err, addr)
	}
	_, err = f.svc.AllocatePublicIP(t.Context(), attrCaller(), in.ID, "198.18.9.9")
	attrWantError(t, err, "AllocatedAlready", http.StatusForbidden, "There is an IpAddress allocated already for the specified instance.")

	second := f.attrInstance(t, func(in *store.Instance) { in.InternetMaxBandwidthOut = 10; in.Status = StatusStopped })
	_, err = f.svc.AllocatePublicIP(t.Context(), attrCaller(), second.ID, addr)
	attrWantError(t, err, "IpInUse", http.StatusForbidden, "The specified IP is already in use.")
	if got, err := f.svc.AllocatePublicIP(t.Context(), attrCaller(), second.ID, "198.18.9.9"); err != nil || got != "198.18.9.9" {
		t.Fatalf("requested address: %q, %v", got, err)
	}

	noBandwidth := f.attrInstance(t, nil)
	_, err = f.svc.AllocatePublicIP(t.Context(), attrCaller(), noBandwidth.ID, "")
	attrWantError(t, err, "OperationDenied", http.StatusBadRequest, "Specified operation is denied as your instance is in VPC.")
	starting := f.attrInstance(t, func(in *store.Instance) { in.InternetMaxBandwidthOut = 1; in.Status = StatusStarting })
	_, err = f.svc.AllocatePublicIP(t.Context(), attrCaller(), starting.ID, "")
	attrWantError(t, err, "IncorrectInstanceStatus", http.StatusForbidden, "")
	_, err = f.svc.AllocatePublicIP(t.Context(), attrCaller(), "i-missing", "")
	attrWantError(t, err, "InvalidInstanceId.NotFound", http.StatusNotFound, "The InstanceId provided does not exist in our records.")
}

func TestModifyInstanceNetworkSpecGivesAPublicIPWithBandwidthAndTakesItBackAtZero(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	ctx, c := t.Context(), attrCaller()
	if err := f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthOut: new(20), BandwidthIn: new(50)}); err != nil {
		t.Fatal(err)
	}
	got := f.get(t, in.ID)
	if got.InternetMaxBandwidthOut != 20 || got.InternetMaxBandwidthIn != 50 || got.PublicIP == "" {
		t.Fatalf("after 0 → 20: %+v", got)
	}
	ip := got.PublicIP
	if err := f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthOut: new(0)}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, in.ID); got.PublicIP != "" || got.InternetMaxBandwidthOut != 0 {
		t.Fatalf("after 20 → 0: %+v", got)
	}
	if owner := f.privateIPOwner(t, publicIPPoolKey, ip); owner != "" {
		t.Fatalf("%s is still held by %q", ip, owner)
	}
	err := f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthOut: new(5), AllocatePublicIP: new(false)})
	if err != nil || f.get(t, in.ID).PublicIP != "" {
		t.Fatalf("AllocatePublicIp=false allocated one (err %v)", err)
	}
	attrWantError(t, f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthOut: new(101)}),
		"InvalidInternetMaxBandwidthOut.ValueNotSupported", http.StatusBadRequest, "The specified InternetMaxBandwidthOut beyond the permitted range.")
	attrWantError(t, f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: in.ID, BandwidthIn: new(0)}),
		"InvalidInternetMaxBandwidthIn.ValueNotSupported", http.StatusBadRequest, "The specified InternetMaxBandwidthIn beyond the permitted range.")
	pending := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusPending; in.NextStatus = "Running" })
	attrWantError(t, f.svc.ModifyNetworkSpec(ctx, c, NetworkSpecInput{InstanceID: pending.ID, BandwidthOut: new(1)}),
		"IncorrectInstanceStatus", http.StatusForbidden, "")
}

func TestJoinAndLeaveSecurityGroupFollowTheGuidesRules(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	ctx, c := t.Context(), attrCaller()
	for _, g := range []string{"sg-a2", "sg-a3", "sg-a4", "sg-a5"} {
		if err := f.svc.JoinSecurityGroup(ctx, c, in.ID, g); err != nil {
			t.Fatalf("join %s: %v", g, err)
		}
	}
	if got := f.groups(t, in.ID); !slices.Equal(got, []string{"sg-a1", "sg-a2", "sg-a3", "sg-a4", "sg-a5"}) {
		t.Fatalf("groups = %v", got)
	}
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, in.ID, "sg-a6"), "InstanceSecurityGroupLimitExceeded", http.StatusBadRequest, "")
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, in.ID, "sg-a2"), "InvalidInstanceId.AlreadyExists", http.StatusForbidden, "")
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, in.ID, "sg-nope"), "InvalidSecurityGroupId.NotFound", http.StatusNotFound,
		"The specified SecurityGroupId does not exist.")
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, "i-missing", "sg-a2"), "InvalidInstanceId.NotFound", http.StatusNotFound,
		"The specified InstanceId does not exist.")
	for _, g := range []string{"sg-a2", "sg-a3", "sg-a4", "sg-a5"} {
		if err := f.svc.LeaveSecurityGroup(ctx, c, in.ID, g); err != nil {
			t.Fatalf("leave %s: %v", g, err)
		}
	}
	attrWantError(t, f.svc.LeaveSecurityGroup(ctx, c, in.ID, "sg-a1"), "InstanceLastSecurityGroup", http.StatusForbidden, "")
	attrWantError(t, f.svc.LeaveSecurityGroup(ctx, c, in.ID, "sg-a2"), "InstanceNotInSecurityGroup", http.StatusForbidden, "The instance not in the group.")
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, in.ID, "sg-b1"), "InvalidInstanceId.Mismatch", http.StatusBadRequest,
		"Specified instance and security group are not in the same VPC.")

	pending := f.attrInstance(t, func(in *store.Instance) { in.Status = StatusPending; in.NextStatus = "Running" })
	attrWantError(t, f.svc.JoinSecurityGroup(ctx, c, pending.ID, "sg-a2"), "IncorrectInstanceState", http.StatusForbidden, "")
	attrWantError(t, f.svc.LeaveSecurityGroup(ctx, c, pending.ID, "sg-a1"), "IncorrectInstanceStatus", http.StatusForbidden, "")
}

func TestJoinSecurityGroupRefusesAGroupHoldingAThousandInstances(t *testing.T) {
	f := newAttrFixture(t)
	in := f.attrInstance(t, nil)
	f.update(t, func(tx store.Tx) error {
		for i := range MaxInstancesPerGroup {
			if err := tx.SetInstanceSecurityGroups(1, fmt.Sprintf("i-filler%04d", i), []string{"sg-a2"}); err != nil {
				return err
			}
		}
		return nil
	})
	attrWantError(t, f.svc.JoinSecurityGroup(t.Context(), attrCaller(), in.ID, "sg-a2"), "SecurityGroupInstanceLimitExceeded",
		http.StatusForbidden, "The maximum number of instances in a security group is exceeded.")
}
