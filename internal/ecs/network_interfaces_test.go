package ecs

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/store"
)

// stop makes one of the environment's instances Stopped (it has no driver
// handle, so interfaces attach to it at once).
func (e *attrEnv) stop(t *testing.T, id string) {
	t.Helper()
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		in, err := tx.GetInstance(1, id)
		if err != nil {
			return err
		}
		in.Status = instance.StatusStopped
		return tx.UpdateInstance(in)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNetworkInterfaceActionsAnswerTheSDKShapes(t *testing.T) {
	e := newAttrEnv(t)
	inst := e.instance(t, 0)
	e.stop(t, inst)
	created, err := attrCall(t, "VSwitchId=vsw-1&SecurityGroupId=sg-1&NetworkInterfaceName=eth1&Description=second+leg"+
		"&Tag.1.Key=env&Tag.1.Value=prod&ClientToken=tok-1", e.h.CreateNetworkInterface)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, created, "CreateNetworkInterfaceResponse", "CreateNetworkInterfaceResponseBody")
	id := created.NetworkInterfaceId
	if !strings.HasPrefix(id, "eni-") || created.Status != "Available" || created.Type != "Secondary" ||
		created.VpcId != "vpc-1" || created.ZoneId != "cn-hangzhou-b" || created.NetworkInterfaceName != "eth1" ||
		!strings.HasPrefix(created.MacAddress, "00:16:3e:") || created.OwnerId != "1" {
		t.Errorf("CreateNetworkInterface = %s", body)
	}
	// The guide's table spells it SecurityGroupID; its example and the SDKs SecurityGroupId.
	guide, err := attrCall(t, "VSwitchId=vsw-1&SecurityGroupID=sg-2", e.h.CreateNetworkInterface)
	if err != nil || !slices.Equal(guide.SecurityGroupIds.SecurityGroupId, []string{"sg-2"}) {
		t.Errorf("SecurityGroupID: %+v, %v", guide, err)
	}
	_, err = attrCall(t, "VSwitchId=vsw-1&SecurityGroupId=sg-1&Ipv6AddressCount=1", e.h.CreateNetworkInterface)
	assertAPIError(t, err, "UnsupportedParameter", 400)
	_, err = attrCall(t, "VSwitchId=vsw-1", e.h.CreateNetworkInterface)
	assertAPIError(t, err, "MissingParameter", 400)

	attached, err := attrCall(t, "NetworkInterfaceId="+id+"&InstanceId="+inst, e.h.AttachNetworkInterface)
	if err != nil || string(attrJSON(t, attached)) != "{}" {
		t.Fatalf("AttachNetworkInterface = %s, %v", attrJSON(t, attached), err)
	}
	described, err := attrCall(t, "InstanceId="+inst, e.h.DescribeNetworkInterfaces)
	if err != nil {
		t.Fatal(err)
	}
	body = assertSDKShape(t, described, "DescribeNetworkInterfacesResponse", "DescribeNetworkInterfacesResponseBody")
	sets := described.NetworkInterfaceSets.NetworkInterfaceSet
	if len(sets) == 2 && sets[0].Type == "Primary" { // the instance was created a second later
		sets[0], sets[1] = sets[1], sets[0]
	}
	if described.TotalCount != 2 || sets[0].NetworkInterfaceId != id || sets[0].Status != "InUse" ||
		sets[0].Attachment == nil || sets[0].Attachment.InstanceId != inst || sets[1].Type != "Primary" ||
		len(sets[0].Tags.Tag) != 1 || sets[0].Tags.Tag[0].TagKey != "env" || sets[0].Description != "second leg" {
		t.Errorf("DescribeNetworkInterfaces = %s", body)
	}
	instances, err := attrCall(t, `InstanceIds=["`+inst+`"]`, e.h.DescribeInstances)
	if err != nil {
		t.Fatal(err)
	}
	nics := instances.Instances.Instance[0].NetworkInterfaces.NetworkInterface
	if len(nics) != 2 || nics[0].Type != "Primary" || nics[1].NetworkInterfaceId != id || nics[1].MacAddress != created.MacAddress ||
		nics[1].PrimaryIpAddress != created.PrivateIpAddress || nics[1].Type != "Secondary" {
		t.Errorf("DescribeInstances' NetworkInterfaces = %+v", nics)
	}

	for name, call := range map[string]func() (any, error){
		"ModifyNetworkInterfaceAttribute": func() (any, error) {
			return attrCall(t, "NetworkInterfaceId="+id+"&SecurityGroupId.1=sg-2&NetworkInterfaceName=eth9", e.h.ModifyNetworkInterfaceAttribute)
		},
	} {
		resp, err := call()
		if err != nil || string(attrJSON(t, resp)) != "{}" {
			t.Fatalf("%s = %s, %v", name, attrJSON(t, resp), err)
		}
	}
	after, err := attrCall(t, "NetworkInterfaceId.1="+id, e.h.DescribeNetworkInterfaces)
	if err != nil || after.NetworkInterfaceSets.NetworkInterfaceSet[0].NetworkInterfaceName != "eth9" ||
		!slices.Equal(after.NetworkInterfaceSets.NetworkInterfaceSet[0].SecurityGroupIds.SecurityGroupId, []string{"sg-2"}) {
		t.Errorf("after Modify: %+v, %v", after, err)
	}
	_, err = attrCall(t, "NetworkInterfaceId="+id, e.h.DeleteNetworkInterface)
	assertAPIError(t, err, "InvalidOperation.InvalidEniState", 400)
	detached, err := attrCall(t, "NetworkInterfaceId="+id+"&InstanceId="+inst, e.h.DetachNetworkInterface)
	if err != nil || string(attrJSON(t, detached)) != "{}" {
		t.Fatalf("DetachNetworkInterface = %s, %v", attrJSON(t, detached), err)
	}
	deleted, err := attrCall(t, "NetworkInterfaceId="+id, e.h.DeleteNetworkInterface)
	if err != nil || string(attrJSON(t, deleted)) != "{}" {
		t.Fatalf("DeleteNetworkInterface = %s, %v", attrJSON(t, deleted), err)
	}
	_, err = attrCall(t, "NetworkInterfaceId.1="+id+"&NetworkInterfaceName=x", e.h.ModifyNetworkInterfaceAttribute)
	var we *wire.Error
	if !errors.As(err, &we) || we.Param != "NetworkInterfaceId" || we.Kind != wire.KindMissing {
		t.Errorf("Modify without NetworkInterfaceId: %v", err)
	}
}

func TestDescribeNetworkInterfacesPagesByTokenForTheSDK(t *testing.T) {
	e := newAttrEnv(t)
	for range 3 {
		if _, err := attrCall(t, "VSwitchId=vsw-1&SecurityGroupId=sg-1", e.h.CreateNetworkInterface); err != nil {
			t.Fatal(err)
		}
	}
	first, err := attrCall(t, "MaxResults=2", e.h.DescribeNetworkInterfaces)
	if err != nil || len(first.NetworkInterfaceSets.NetworkInterfaceSet) != 2 || first.NextToken == "" || first.TotalCount != 3 {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	next, err := attrCall(t, "MaxResults=2&NextToken="+first.NextToken, e.h.DescribeNetworkInterfaces)
	if err != nil || len(next.NetworkInterfaceSets.NetworkInterfaceSet) != 1 || next.NextToken != "" {
		t.Fatalf("second page = %+v, %v", next, err)
	}
	_, err = attrCall(t, "PageSize=101", e.h.DescribeNetworkInterfaces)
	var we *wire.Error
	if !errors.As(err, &we) || we.Param != "PageSize" {
		t.Errorf("PageSize=101: %v", err)
	}
	_, err = attrCall(t, "Type=Tertiary", e.h.DescribeNetworkInterfaces)
	if !errors.As(err, &we) || we.Param != "Type" {
		t.Errorf("Type=Tertiary: %v", err)
	}
}
