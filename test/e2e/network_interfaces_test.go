package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// createInstance makes a Stopped instance in n with CreateInstance (the guide
// attaches interfaces to Stopped instances only), waits for it, and deletes it
// when the test ends.
func createInstance(t *testing.T, c *ecs.Client, n instanceNet, instanceType string) string {
	t.Helper()
	req := ecs.CreateCreateInstanceRequest()
	req.RegionId, req.ImageId, req.InstanceType = "cn-hangzhou", e2eImage, instanceType
	req.SecurityGroupId, req.VSwitchId = n.groupID, n.vswitchID
	resp, err := c.CreateInstance(req)
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	t.Cleanup(func() { deleteInstances(t, c, []string{resp.InstanceId}) })
	waitInstance(t, c, resp.InstanceId, "Stopped")
	return resp.InstanceId
}

// createENI calls CreateNetworkInterface in vswitch with group and deletes the
// interface when the test ends.
func createENI(t *testing.T, c *ecs.Client, vswitch, group string, edit func(*ecs.CreateNetworkInterfaceRequest)) *ecs.CreateNetworkInterfaceResponse {
	t.Helper()
	req := ecs.CreateCreateNetworkInterfaceRequest()
	req.RegionId, req.VSwitchId, req.SecurityGroupId = "cn-hangzhou", vswitch, group
	if edit != nil {
		edit(req)
	}
	resp, err := c.CreateNetworkInterface(req)
	if err != nil {
		t.Fatalf("CreateNetworkInterface: %v", err)
	}
	t.Cleanup(func() {
		// An interface still attached goes with its instance first (which detaches it).
		list := ecs.CreateDescribeNetworkInterfacesRequest()
		list.NetworkInterfaceId = &[]string{resp.NetworkInterfaceId}
		if got, err := c.DescribeNetworkInterfaces(list); err == nil && len(got.NetworkInterfaceSets.NetworkInterfaceSet) == 1 {
			if inst := got.NetworkInterfaceSets.NetworkInterfaceSet[0].InstanceId; inst != "" {
				deleteInstances(t, c, []string{inst})
			}
		}
		_ = deleteENI(c, resp.NetworkInterfaceId)
	})
	return resp
}

// describeENIs calls DescribeNetworkInterfaces with the parameters set by edit.
func describeENIs(t *testing.T, c *ecs.Client, edit func(*ecs.DescribeNetworkInterfacesRequest)) *ecs.DescribeNetworkInterfacesResponse {
	t.Helper()
	req := ecs.CreateDescribeNetworkInterfacesRequest()
	req.RegionId = "cn-hangzhou"
	edit(req)
	resp, err := c.DescribeNetworkInterfaces(req)
	if err != nil {
		t.Fatalf("DescribeNetworkInterfaces: %v", err)
	}
	return resp
}

// describeENI returns one interface, or fails.
func describeENI(t *testing.T, c *ecs.Client, id string) ecs.NetworkInterfaceSet {
	t.Helper()
	resp := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) { r.NetworkInterfaceId = &[]string{id} })
	if resp.TotalCount != 1 || len(resp.NetworkInterfaceSets.NetworkInterfaceSet) != 1 {
		t.Fatalf("DescribeNetworkInterfaces %s: %+v", id, resp.NetworkInterfaceSets)
	}
	return resp.NetworkInterfaceSets.NetworkInterfaceSet[0]
}

func attachENI(c *ecs.Client, eni, instance string) error {
	req := ecs.CreateAttachNetworkInterfaceRequest()
	req.RegionId, req.NetworkInterfaceId, req.InstanceId = "cn-hangzhou", eni, instance
	_, err := c.AttachNetworkInterface(req)
	return err
}

func detachENI(c *ecs.Client, eni, instance string) error {
	req := ecs.CreateDetachNetworkInterfaceRequest()
	req.RegionId, req.NetworkInterfaceId, req.InstanceId = "cn-hangzhou", eni, instance
	_, err := c.DetachNetworkInterface(req)
	return err
}

func deleteENI(c *ecs.Client, eni string) error {
	req := ecs.CreateDeleteNetworkInterfaceRequest()
	req.RegionId, req.NetworkInterfaceId = "cn-hangzhou", eni
	_, err := c.DeleteNetworkInterface(req)
	return err
}

func TestNetworkInterfaceCreateAttachDetachDeleteFollowTheGuideThroughTheGoSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	inst := createInstance(t, c, n, "ecs.g5.large")
	name := unique("eth")
	created := createENI(t, c, n.vswitchID, n.groupID, func(r *ecs.CreateNetworkInterfaceRequest) {
		r.NetworkInterfaceName, r.Description, r.PrimaryIpAddress = name, "second leg", "10.0.1.100"
		r.Tag = &[]ecs.CreateNetworkInterfaceTag{{Key: "suite", Value: name}}
		r.ClientToken = "tok-" + name
	})
	id := created.NetworkInterfaceId
	again := ecs.CreateCreateNetworkInterfaceRequest()
	again.RegionId, again.VSwitchId, again.SecurityGroupId = "cn-hangzhou", n.vswitchID, n.groupID
	again.NetworkInterfaceName, again.Description, again.PrimaryIpAddress = name, "second leg", "10.0.1.100"
	again.Tag, again.ClientToken = &[]ecs.CreateNetworkInterfaceTag{{Key: "suite", Value: name}}, "tok-"+name
	if retried, err := c.CreateNetworkInterface(again); err != nil || retried.NetworkInterfaceId != id {
		t.Fatalf("CreateNetworkInterface retried with its ClientToken: %+v, %v; want %s", retried, err, id)
	}

	// New interfaces are Available (1.13.1), with the address asked for.
	eni := describeENI(t, c, id)
	if eni.Status != "Available" || eni.Type != "Secondary" || eni.PrivateIpAddress != "10.0.1.100" || eni.VpcId != n.vpcID ||
		eni.VSwitchId != n.vswitchID || eni.ZoneId != "cn-hangzhou-b" || eni.NetworkInterfaceName != name ||
		eni.Description != "second leg" || !strings.HasPrefix(eni.MacAddress, "00:16:3e:") || eni.InstanceId != "" ||
		!slices.Equal(eni.SecurityGroupIds.SecurityGroupId, []string{n.groupID}) || eni.CreationTime == "" {
		t.Errorf("new interface = %+v", eni)
	}
	if len(eni.Tags.Tag) != 1 || eni.Tags.Tag[0].TagKey != "suite" || eni.Tags.Tag[0].TagValue != name {
		t.Errorf("tags = %+v", eni.Tags.Tag)
	}
	if ips := eni.PrivateIpSets.PrivateIpSet; len(ips) != 1 || !ips[0].Primary || ips[0].PrivateIpAddress != "10.0.1.100" {
		t.Errorf("private addresses = %+v", ips)
	}

	// The instance's primary interface is listed too, with the instance's address, groups and MAC.
	primary := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) { r.InstanceId, r.Type = inst, "Primary" })
	in := describeInstances(t, c, []string{inst})[0]
	p := primary.NetworkInterfaceSets.NetworkInterfaceSet
	if len(p) != 1 || p[0].InstanceId != inst || p[0].Status != "InUse" || p[0].PrivateIpAddress != in.VpcAttributes.PrivateIpAddress.IpAddress[0] ||
		p[0].MacAddress != in.NetworkInterfaces.NetworkInterface[0].MacAddress ||
		p[0].NetworkInterfaceId != in.NetworkInterfaces.NetworkInterface[0].NetworkInterfaceId ||
		!slices.Equal(p[0].SecurityGroupIds.SecurityGroupId, []string{n.groupID}) {
		t.Fatalf("primary interface = %+v\ninstance's = %+v", p, in.NetworkInterfaces)
	}
	primaryID := p[0].NetworkInterfaceId
	wantServerError(t, "DetachNetworkInterface of the primary interface", detachENI(c, primaryID, inst),
		"InvalidOperation.DetachPrimaryEniNotAllowed", 400)
	wantServerError(t, "DeleteNetworkInterface of the primary interface", deleteENI(c, primaryID),
		"InvalidOperation.InvalidEniType", 403)
	wantServerError(t, "AttachNetworkInterface of a primary interface", attachENI(c, primaryID, inst),
		"InvalidOperation.InvalidEniType", 403)

	// Attach: the instance lists it; a second attach and a delete are refused.
	if err := attachENI(c, id, inst); err != nil {
		t.Fatalf("AttachNetworkInterface: %v", err)
	}
	if eni := describeENI(t, c, id); eni.Status != "InUse" || eni.InstanceId != inst {
		t.Errorf("attached interface = %+v", eni)
	}
	nics := describeInstances(t, c, []string{inst})[0].NetworkInterfaces.NetworkInterface
	if len(nics) != 2 || nics[1].NetworkInterfaceId != id || nics[1].PrimaryIpAddress != "10.0.1.100" || nics[1].MacAddress != eni.MacAddress {
		t.Errorf("DescribeInstances' NetworkInterfaces = %+v", nics)
	}
	wantServerError(t, "AttachNetworkInterface of an InUse interface", attachENI(c, id, inst), "InvalidOperation.InvalidEniState", 400)
	wantServerError(t, "DeleteNetworkInterface of an InUse interface", deleteENI(c, id), "InvalidOperation.InvalidEniState", 400)

	// Detach needs a Stopped instance (1.13.4).
	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = inst
	if _, err := c.StartInstance(start); err != nil {
		t.Fatalf("StartInstance: %v", err)
	}
	waitInstance(t, c, inst, "Running")
	wantServerError(t, "DetachNetworkInterface from a Running instance", detachENI(c, id, inst), "InvalidOperation.InvalidEcsState", 400)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId, stop.ForceStop = inst, requests.NewBoolean(true)
	if _, err := c.StopInstance(stop); err != nil {
		t.Fatalf("StopInstance: %v", err)
	}
	waitInstance(t, c, inst, "Stopped")
	if err := detachENI(c, id, inst); err != nil {
		t.Fatalf("DetachNetworkInterface: %v", err)
	}
	if eni := describeENI(t, c, id); eni.Status != "Available" || eni.InstanceId != "" || eni.PrivateIpAddress != "10.0.1.100" {
		t.Errorf("detached interface = %+v", eni)
	}

	// Modify replaces the groups and renames.
	other := createSecurityGroup(t, c, "eni-other", n.vpcID, "", runID())
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = other
		_, _ = c.DeleteSecurityGroup(del)
	})
	mod := ecs.CreateModifyNetworkInterfaceAttributeRequest()
	mod.RegionId, mod.NetworkInterfaceId, mod.NetworkInterfaceName = "cn-hangzhou", id, name+"-renamed"
	mod.SecurityGroupId = &[]string{other, n.groupID}
	if _, err := c.ModifyNetworkInterfaceAttribute(mod); err != nil {
		t.Fatalf("ModifyNetworkInterfaceAttribute: %v", err)
	}
	if eni := describeENI(t, c, id); eni.NetworkInterfaceName != name+"-renamed" || eni.Description != "second leg" ||
		!slices.Equal(eni.SecurityGroupIds.SecurityGroupId, []string{other, n.groupID}) {
		t.Errorf("modified interface = %+v", eni)
	}
	inOther := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) { r.SecurityGroupId = other })
	if inOther.TotalCount != 1 || inOther.NetworkInterfaceSets.NetworkInterfaceSet[0].NetworkInterfaceId != id {
		t.Errorf("SecurityGroupId filter: %+v", inOther.NetworkInterfaceSets)
	}

	// An interface holds its group and VSwitch: both refuse to go (dependency errors).
	delGroup := ecs.CreateDeleteSecurityGroupRequest()
	delGroup.SecurityGroupId = other
	_, err := c.DeleteSecurityGroup(delGroup)
	wantServerError(t, "DeleteSecurityGroup of a group holding an interface", err, "DependencyViolation", 403)
	delVSwitch := vpc.CreateDeleteVSwitchRequest()
	delVSwitch.VSwitchId = n.vswitchID
	_, err = vpcSDK(t, s).DeleteVSwitch(delVSwitch)
	wantServerError(t, "DeleteVSwitch of a VSwitch holding an interface", err, "DependencyViolation", 400)

	// Delete releases the address and the group.
	if err := deleteENI(c, id); err != nil {
		t.Fatalf("DeleteNetworkInterface: %v", err)
	}
	if gone := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) { r.NetworkInterfaceId = &[]string{id} }); gone.TotalCount != 0 {
		t.Errorf("deleted interface still listed: %+v", gone.NetworkInterfaceSets)
	}
	wantServerError(t, "DeleteNetworkInterface twice", deleteENI(c, id), "InvalidEniId.NotFound", 404)
	if _, err := c.DeleteSecurityGroup(delGroup); err != nil {
		t.Errorf("DeleteSecurityGroup after the interface went: %v", err)
	}
	reuse := createENI(t, c, n.vswitchID, n.groupID, func(r *ecs.CreateNetworkInterfaceRequest) { r.PrimaryIpAddress = "10.0.1.100" })
	if reuse.PrivateIpAddress != "10.0.1.100" {
		t.Errorf("the released address was not free again: %+v", reuse)
	}
}

func TestDeleteInstanceDetachesItsNetworkInterfacesAndDropsItsPrimaryOne(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	inst := createInstance(t, c, n, "ecs.g5.large")
	id := createENI(t, c, n.vswitchID, n.groupID, nil).NetworkInterfaceId
	if err := attachENI(c, id, inst); err != nil {
		t.Fatalf("AttachNetworkInterface: %v", err)
	}
	primary := describeInstances(t, c, []string{inst})[0].NetworkInterfaces.NetworkInterface[0].NetworkInterfaceId
	deleteInstances(t, c, []string{inst})
	if eni := describeENI(t, c, id); eni.Status != "Available" || eni.InstanceId != "" {
		t.Errorf("interface of the deleted instance = %+v, want Available", eni)
	}
	if gone := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) { r.NetworkInterfaceId = &[]string{primary} }); gone.TotalCount != 0 {
		t.Errorf("the primary interface outlived its instance: %+v", gone.NetworkInterfaceSets)
	}
}

func TestNetworkInterfaceErrorsCarryTheGuidesCodesAndStatuses(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	inst := createInstance(t, c, n, "ecs.g5.large") // 2 interfaces, the primary one included
	first := createENI(t, c, n.vswitchID, n.groupID, nil).NetworkInterfaceId
	second := createENI(t, c, n.vswitchID, n.groupID, nil).NetworkInterfaceId
	if err := attachENI(c, first, inst); err != nil {
		t.Fatalf("AttachNetworkInterface: %v", err)
	}
	wantServerError(t, "a third interface on ecs.g5.large", attachENI(c, second, inst), "EniPerInstanceLimitExceeded", 403)
	wantServerError(t, "an unknown interface", attachENI(c, "eni-nope", inst), "InvalidEniId.NotFound", 404)
	wantServerError(t, "an unknown instance", attachENI(c, second, "i-nope"), "InvalidEcsId.NotFound", 404)

	vc := vpcSDK(t, s)
	vswG, err := createVSwitch(t, vc, n.vpcID, "cn-hangzhou-g", "10.0.2.0/24", unique("zone-g"))
	if err != nil {
		t.Fatalf("CreateVSwitch: %v", err)
	}
	cleanUp(t, vc, n.vpcID, n.vswitchID, vswG)
	inZoneG := createENI(t, c, vswG, n.groupID, nil).NetworkInterfaceId
	wantServerError(t, "an interface of another zone", attachENI(c, inZoneG, inst), "InvalidOperation.AvailabilityZoneMismatch", 403)

	create := func(edit func(r *ecs.CreateNetworkInterfaceRequest)) error {
		req := ecs.CreateCreateNetworkInterfaceRequest()
		req.RegionId, req.VSwitchId, req.SecurityGroupId = "cn-hangzhou", n.vswitchID, n.groupID
		edit(req)
		resp, err := c.CreateNetworkInterface(req)
		if err == nil {
			_ = deleteENI(c, resp.NetworkInterfaceId)
		}
		return err
	}
	otherVPC := createSecurityGroup(t, c, "eni-vpc2", "", "", runID())
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.SecurityGroupId = otherVPC
		_, _ = c.DeleteSecurityGroup(del)
	})
	for _, e := range []struct {
		name   string
		edit   func(r *ecs.CreateNetworkInterfaceRequest)
		code   string
		status int
	}{
		{"no VSwitchId", func(r *ecs.CreateNetworkInterfaceRequest) { r.VSwitchId = "" }, "MissingParameter", 400},
		{"no SecurityGroupId", func(r *ecs.CreateNetworkInterfaceRequest) { r.SecurityGroupId = "" }, "MissingParameter", 400},
		{"an unknown VSwitch", func(r *ecs.CreateNetworkInterfaceRequest) { r.VSwitchId = "vsw-nope" }, "InvalidVSwitchId.NotFound", 404},
		{"an unknown group", func(r *ecs.CreateNetworkInterfaceRequest) { r.SecurityGroupId = "sg-nope" }, "InvalidSecurityGroupId.NotFound", 404},
		{"a group without VPC", func(r *ecs.CreateNetworkInterfaceRequest) { r.SecurityGroupId = otherVPC }, "InvalidSecurityGroupId.NotVpc", 403},
		{"an address outside the VSwitch", func(r *ecs.CreateNetworkInterfaceRequest) { r.PrimaryIpAddress = "10.9.9.9" },
			"InvalidPrivateIpAddress.Mismatch", 400},
		{"a name starting with a digit", func(r *ecs.CreateNetworkInterfaceRequest) { r.NetworkInterfaceName = "0eth" }, "InvalidParameter", 400},
		{"IPv6", func(r *ecs.CreateNetworkInterfaceRequest) { r.Ipv6AddressCount = requests.NewInteger(1) }, "UnsupportedParameter", 400},
	} {
		wantServerError(t, "CreateNetworkInterface with "+e.name, create(e.edit), e.code, e.status)
	}
	for _, q := range []struct {
		name string
		edit func(r *ecs.DescribeNetworkInterfacesRequest)
		code string
	}{
		{"InstanceId", func(r *ecs.DescribeNetworkInterfacesRequest) { r.InstanceId = "i-nope" }, "InvalidEcsId.NotFound"},
		{"VSwitchId", func(r *ecs.DescribeNetworkInterfacesRequest) { r.VSwitchId = "vsw-nope" }, "InvalidVSwitchId.NotFound"},
		{"SecurityGroupId", func(r *ecs.DescribeNetworkInterfacesRequest) { r.SecurityGroupId = "sg-nope" }, "InvalidSecurityGroupId.NotFound"},
	} {
		req := ecs.CreateDescribeNetworkInterfacesRequest()
		q.edit(req)
		_, err := c.DescribeNetworkInterfaces(req)
		wantServerError(t, "DescribeNetworkInterfaces with an unknown "+q.name, err, q.code, 404)
	}
}

func TestNetworkInterfacesAreTaggableAndPageByToken(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	var made []string
	for range 3 {
		made = append(made, createENI(t, c, n.vswitchID, n.groupID, nil).NetworkInterfaceId)
	}
	tag := ecs.CreateTagResourcesRequest()
	tag.RegionId, tag.ResourceType, tag.ResourceId = "cn-hangzhou", "eni", &[]string{made[0]}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: "role", Value: "db"}}
	if _, err := c.TagResources(tag); err != nil {
		t.Fatalf("TagResources eni: %v", err)
	}
	tagged := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) {
		r.VSwitchId, r.Tag = n.vswitchID, &[]ecs.DescribeNetworkInterfacesTag{{Key: "role", Value: "db"}}
	})
	if tagged.TotalCount != 1 || tagged.NetworkInterfaceSets.NetworkInterfaceSet[0].NetworkInterfaceId != made[0] {
		t.Errorf("Tag filter: %+v", tagged.NetworkInterfaceSets)
	}
	list := ecs.CreateListTagResourcesRequest()
	list.RegionId, list.ResourceType, list.ResourceId = "cn-hangzhou", "eni", &[]string{made[0]}
	listed, err := c.ListTagResources(list)
	if err != nil || len(listed.TagResources.TagResource) != 1 || listed.TagResources.TagResource[0].ResourceType != "ALIYUN::ECS::ENI" {
		t.Errorf("ListTagResources eni: %+v, %v", listed, err)
	}
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		resp := describeENIs(t, c, func(r *ecs.DescribeNetworkInterfacesRequest) {
			r.VSwitchId, r.MaxResults, r.NextToken = n.vswitchID, requests.NewInteger(2), token
		})
		for _, e := range resp.NetworkInterfaceSets.NetworkInterfaceSet {
			seen = append(seen, e.NetworkInterfaceId)
		}
		if token = resp.NextToken; token == "" || pages > 3 {
			break
		}
	}
	slices.Sort(seen)
	slices.Sort(made)
	if !slices.Equal(seen, made) {
		t.Errorf("token pages saw %v, want %v", seen, made)
	}
}

func TestAttachNetworkInterfaceShowsAttachingWhileTheSimulatedHypervisorWorks(t *testing.T) {
	s := startServer(t, serverOptions{args: []string{"--sim-delay", "700ms"}})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	n := newInstanceNet(t, s, c)
	inst := createInstance(t, c, n, "ecs.g5.large")
	id := createENI(t, c, n.vswitchID, n.groupID, nil).NetworkInterfaceId
	for _, step := range []struct {
		call        func() error
		during, end string
	}{
		{func() error { return attachENI(c, id, inst) }, "Attaching", "InUse"},
		{func() error { return detachENI(c, id, inst) }, "Detaching", "Available"},
	} {
		done := make(chan error, 1)
		go func() { done <- step.call() }()
		seen := map[string]bool{}
		for finished := false; !finished; {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("%s: %v", step.during, err)
				}
				finished = true
			case <-time.After(50 * time.Millisecond):
			}
			seen[describeENI(t, c, id).Status] = true
		}
		if !seen[step.during] || !seen[step.end] {
			t.Errorf("statuses seen: %v, want %s then %s", seen, step.during, step.end)
		}
	}
}
