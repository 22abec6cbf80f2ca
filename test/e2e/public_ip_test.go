package e2e

import (
	"net/netip"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// TestRunInstancesWithBandwidthTakesPublicIPsFromTheConfiguredPool starts ecsd
// with --public-ip-pool and checks that instances with InternetMaxBandwidthOut > 0
// get distinct public IPs from that block.
func TestRunInstancesWithBandwidthTakesPublicIPsFromTheConfiguredPool(t *testing.T) {
	const pool = "198.19.7.0/24"
	s := startServer(t, serverOptions{args: []string{"--public-ip-pool", pool}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	vpcID := tryCreateVPC(t, s)
	vc := vpcSDK(t, s)
	vsw, err := createVSwitch(t, vc, vpcID, diskZone, "172.16.2.0/24", unique("vsw"))
	if err != nil {
		t.Fatal(err)
	}
	sg := createSecurityGroup(t, c, "pool", vpcID, "", runID())

	req := ecs.CreateRunInstancesRequest()
	req.ZoneId, req.ImageId, req.InstanceType = diskZone, "ubuntu_22_04_x64_20G_alibase_20240530.vhd", "ecs.g5.large"
	req.SecurityGroupId, req.VSwitchId, req.Amount = sg, vsw, requests.NewInteger(3)
	req.InternetMaxBandwidthOut = requests.NewInteger(10)
	resp, err := c.RunInstances(req)
	if err != nil || len(resp.InstanceIdSets.InstanceIdSet) != 3 {
		t.Fatalf("RunInstances = %+v, %v", resp, err)
	}
	describe := ecs.CreateDescribeInstancesRequest()
	describe.VpcId = vpcID
	list, err := c.DescribeInstances(describe)
	if err != nil || len(list.Instances.Instance) != 3 {
		t.Fatalf("DescribeInstances = %+v, %v", list, err)
	}
	prefix := netip.MustParsePrefix(pool)
	seen := map[string]bool{}
	for _, in := range list.Instances.Instance {
		ips := in.PublicIpAddress.IpAddress
		if len(ips) != 1 {
			t.Fatalf("%s has public IPs %v, want one", in.InstanceId, ips)
		}
		addr, err := netip.ParseAddr(ips[0])
		if err != nil || !prefix.Contains(addr) || seen[ips[0]] {
			t.Fatalf("%s public IP %s: not a fresh address of %s (%v)", in.InstanceId, ips[0], pool, err)
		}
		seen[ips[0]] = true
	}
}
