package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/console"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/service/eni"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// attrEnv is handlers whose instance service runs on a fresh SQLite store
// holding a VPC (vpc-1, VSwitch vsw-1 in cn-hangzhou-b), groups sg-1 and sg-2,
// the key pair "web", and instances written straight into the store.
type attrEnv struct {
	h   *Handlers
	svc *instance.Service
	st  store.Store
	net *network.Service
	n   int
}

func newAttrEnv(t *testing.T) *attrEnv {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	gen := idgen.Seeded(1)
	nw := network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	svc := instance.New(instance.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: nw})
	enis := eni.New(eni.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Network: nw})
	e := &attrEnv{h: New(Deps{Catalog: cat, Endpoint: testEndpoint, Instances: svc, ENIs: enis,
		Console: console.New(console.Deps{Store: st, Clock: clk})}), svc: svc, st: st, net: nw}
	now := clk.Now()
	err = st.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateVPC(store.VPC{ID: "vpc-1", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "192.168.0.0/16",
			Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateVSwitch(store.VSwitch{ID: "vsw-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1",
			ZoneID: "cn-hangzhou-b", CidrBlock: "192.168.1.0/24", Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		for _, id := range []string{"sg-1", "sg-2"} {
			if err := tx.CreateSecurityGroup(store.SecurityGroup{ID: id, AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1",
				Type: "normal", InnerAccessPolicy: "Accept", CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.CreateKeyPair(store.KeyPair{ID: "kp-1", AccountID: 1, RegionID: "cn-hangzhou", Name: "web",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAA web", CreatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// instance writes a Running Linux instance of account 1 in vsw-1 and sg-1.
func (e *attrEnv) instance(t *testing.T, bandwidthOut int) string {
	t.Helper()
	e.n++
	id := "i-handler" + string(rune('a'+e.n))
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		addr, err := e.net.AllocatePrivateIP(tx, 1, "vsw-1", "", network.OwnerInstance, id)
		if err != nil {
			return err
		}
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		in := store.Instance{ID: id, AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Name: "web",
			InstanceType: "ecs.g5.large", CPU: 2, MemoryMiB: 8192, ImageID: "centos", OSType: "linux", VpcID: "vpc-1",
			VSwitchID: "vsw-1", PrivateIP: addr, InternetMaxBandwidthIn: 200, InternetMaxBandwidthOut: bandwidthOut,
			InternetChargeType: "PayByTraffic", InstanceChargeType: "PostPaid", Status: instance.StatusRunning,
			CreatedAt: now.Add(time.Duration(e.n) * time.Second), StartedAt: now}
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		if err := instance.CreatePrimaryNIC(tx, in); err != nil {
			return err
		}
		return tx.SetInstanceSecurityGroups(1, id, []string{"sg-1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// attrCall decodes query as the front does and calls a handler as account 1
// in cn-hangzhou.
func attrCall[Req, Resp any](t *testing.T, query string, call func(context.Context, *Req) (Resp, error)) (Resp, error) {
	t.Helper()
	var req Req
	if err := decode(t, query, &req); err != nil {
		var zero Resp
		return zero, err
	}
	return call(asAccount(1), &req)
}

func TestInstanceAttributeActionsAreRouted(t *testing.T) {
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, newAttrEnv(t).h); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ModifyInstanceAttribute", "ModifyInstanceVpcAttribute", "ModifyInstanceVncPasswd",
		"AttachInstanceRamRole", "DetachInstanceRamRole", "DescribeInstanceRamRole", "JoinSecurityGroup", "LeaveSecurityGroup",
		"AttachKeyPair", "DetachKeyPair", "AllocatePublicIpAddress", "ModifyInstanceNetworkSpec",
		"DescribeInstanceMaintenanceAttributes", "DescribeInstanceAttachmentAttributes", "DescribeAvailableResource",
		"DescribeNetworkInterfaces"} {
		if ep, _ := reg.Lookup(spec.Version, name); ep == nil || !ep.Implemented() {
			t.Errorf("%s is not implemented", name)
		}
	}
}

func TestInstanceAttributeAnswersHaveTheSDKShapes(t *testing.T) {
	e := newAttrEnv(t)
	id := e.instance(t, 5)
	err := e.st.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateRAMRole(store.RAMRole{ID: "300000000000000001", AccountID: 1, Name: "EcsRole", MaxSessionDuration: 3600,
			AssumeRolePolicy: `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`})
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := `["` + id + `"]`
	// RequestId-only answers are empty objects (the front adds RequestId).
	modify, err := attrCall(t, "InstanceId="+id+"&InstanceName=web-2&SecurityGroupIds.1=sg-1&SecurityGroupIds.2=sg-2",
		e.h.ModifyInstanceAttribute)
	if err != nil || string(attrJSON(t, modify)) != "{}" {
		t.Fatalf("ModifyInstanceAttribute = %s, %v", attrJSON(t, modify), err)
	}
	attach, err := attrCall(t, "RamRoleName=EcsRole&InstanceIds="+ids, e.h.AttachInstanceRamRole)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, attach, "AttachInstanceRamRoleResponse", "AttachInstanceRamRoleResponseBody")
	if !strings.Contains(string(body), `"Code":"200"`) || attach.TotalCount != 1 || attach.FailCount != 0 {
		t.Errorf("AttachInstanceRamRole = %s", body)
	}
	described, err := attrCall(t, "InstanceIds="+ids, e.h.DescribeInstanceRamRole)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, described, "DescribeInstanceRamRoleResponse", "DescribeInstanceRamRoleResponseBody")
	if len(described.InstanceRamRoleSets.InstanceRamRoleSet) != 1 || described.InstanceRamRoleSets.InstanceRamRoleSet[0].RamRoleName != "EcsRole" {
		t.Errorf("DescribeInstanceRamRole = %+v", described)
	}
	detached, err := attrCall(t, "InstanceIds="+ids, e.h.DetachInstanceRamRole)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, detached, "DetachInstanceRamRoleResponse", "DetachInstanceRamRoleResponseBody")
	if detached.RamRoleName != "EcsRole" || detached.FailCount != 0 {
		t.Errorf("DetachInstanceRamRole = %+v", detached)
	}
	kp, err := attrCall(t, "KeyPairName=web&InstanceIds="+`["`+id+`","i-missing"]`, e.h.AttachKeyPair)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, kp, "AttachKeyPairResponse", "AttachKeyPairResponseBody")
	if kp.TotalCount != "2" || kp.FailCount != "1" || kp.Results.Result[1].Success != "false" ||
		kp.Results.Result[1].Code != "InvalidInstanceId.NotFound" {
		t.Errorf("AttachKeyPair = %+v", kp)
	}
	dkp, err := attrCall(t, "KeyPairName=web", e.h.DetachKeyPair)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, dkp, "DetachKeyPairResponse", "DetachKeyPairResponseBody")
	ip, err := attrCall(t, "InstanceId="+id, e.h.AllocatePublicIpAddress)
	if err != nil || !strings.HasPrefix(ip.IpAddress, "198.1") {
		t.Fatalf("AllocatePublicIpAddress = %+v, %v", ip, err)
	}
	assertSDKShape(t, ip, "AllocatePublicIpAddressResponse", "AllocatePublicIpAddressResponseBody")
	spec, err := attrCall(t, "InstanceId="+id+"&InternetMaxBandwidthOut=0&NetworkChargeType=PayByTraffic", e.h.ModifyInstanceNetworkSpec)
	if err != nil || string(attrJSON(t, spec)) != "{}" {
		t.Fatalf("ModifyInstanceNetworkSpec = %s, %v", attrJSON(t, spec), err)
	}
}

func attrJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInstanceAttributeParametersDecodeAndFailAsTheGuideSays(t *testing.T) {
	e := newAttrEnv(t)
	id := e.instance(t, 0)
	_, err := attrCall(t, "InstanceId="+id+"&InternetMaxBandwidthOut=fast", e.h.ModifyInstanceNetworkSpec)
	var we *wire.Error
	if !errors.As(err, &we) || we.Param != "InternetMaxBandwidthOut" || we.Kind == wire.KindMissing {
		t.Errorf("non-numeric bandwidth: %v, want the front's InvalidParameter", err)
	}
	_, err = attrCall(t, "RamRoleName=EcsRole", e.h.DetachInstanceRamRole)
	assertAPIError(t, err, "MissingParameter.InstancesIds", http.StatusBadRequest)
	_, err = attrCall(t, "InstanceIds="+id, e.h.AttachInstanceRamRole)
	assertAPIError(t, err, "InvalidInstanceIds.Malformed", http.StatusBadRequest)
	_, err = attrCall(t, "KeyPairName=web", e.h.AttachKeyPair)
	if !errors.As(err, &we) || we.Kind != wire.KindMissing || we.Param != "InstanceIds" {
		t.Errorf("AttachKeyPair without InstanceIds: %v", err)
	}
	_, err = attrCall(t, "InstanceId="+id+"&SecurityGroupIds.1=sg-1&SecurityGroupIds.2=sg-nope", e.h.ModifyInstanceAttribute)
	assertAPIError(t, err, "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
	_, err = attrCall(t, "InstanceId="+id+"&SecurityGroupId=sg-2", e.h.JoinSecurityGroup)
	if err != nil {
		t.Fatal(err)
	}
	_, err = attrCall(t, "InstanceId="+id+"&SecurityGroupId=sg-2", e.h.LeaveSecurityGroup)
	if err != nil {
		t.Fatal(err)
	}
	_, err = attrCall(t, "InstanceId="+id+"&VSwitchId=vsw-1", e.h.ModifyInstanceVpcAttribute)
	assertAPIError(t, err, "IncorrectInstanceStatus", http.StatusBadRequest)
	_, err = attrCall(t, "InstanceId="+id+"&VncPassword=abc", e.h.ModifyInstanceVncPasswd)
	assertAPIError(t, err, "IncorrectVncPassword.Malformed", http.StatusBadRequest)
}
