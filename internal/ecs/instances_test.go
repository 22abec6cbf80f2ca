package ecs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver/sim"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/instance"
	"github.com/ecsd/ecsd/internal/service/network"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const instanceTestImage = "ubuntu_22_04_x64_20G_alibase_20240530.vhd"

// instanceHandlers returns handlers backed by a fresh SQLite store and the sim
// driver, with account 1's VPC vpc-1, VSwitch vsw-1 (192.168.1.0/24 in
// cn-hangzhou-b), group sg-1 and key pair "ops", and a context calling as
// account 1 in cn-hangzhou.
func instanceHandlers(t *testing.T) (*Handlers, *instance.Service, context.Context) {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	err = st.Update(t.Context(), func(tx store.Tx) error {
		now := clk.Now()
		for _, step := range []error{
			tx.CreateAccount(store.Account{ID: 1, Name: "alice", Status: store.AccountEnabled, CreatedAt: now}),
			tx.CreateVPC(store.VPC{ID: "vpc-1", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "192.168.0.0/16", Status: "Available", CreatedAt: now}),
			tx.CreateVSwitch(store.VSwitch{ID: "vsw-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1", ZoneID: "cn-hangzhou-b",
				CidrBlock: "192.168.1.0/24", Status: "Available", CreatedAt: now}),
			tx.CreateSecurityGroup(store.SecurityGroup{ID: "sg-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1", Type: "normal",
				InnerAccessPolicy: "Accept", CreatedAt: now}),
			tx.CreateKeyPair(store.KeyPair{ID: "kp-1", AccountID: 1, RegionID: "cn-hangzhou", Name: "ops", FingerPrint: "00",
				PublicKey: "ssh-ed25519 AAAA ops", CreatedAt: now}),
		} {
			if step != nil {
				return step
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gen := idgen.Seeded(3)
	drv, err := sim.New(sim.Config{}, clk)
	if err != nil {
		t.Fatal(err)
	}
	images := image.New(image.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})
	svc := instance.New(instance.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat, Images: images, Compute: drv,
		Network: network.New(network.Deps{Store: st, IDs: gen, Clock: clk, Catalog: cat})})
	h := New(Deps{Catalog: cat, Endpoint: testEndpoint, Images: images, Instances: svc})
	return h, svc, reqctx.With(t.Context(), &reqctx.Call{AccountID: 1, RegionID: "cn-hangzhou"})
}

func runQuery(extra string) string {
	return "RegionId=cn-hangzhou&ImageId=" + instanceTestImage + "&InstanceType=ecs.g5.large&SecurityGroupId=sg-1&VSwitchId=vsw-1" + extra
}

func TestInstanceActionsAreRouted(t *testing.T) {
	h, _, _ := instanceHandlers(t)
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, h); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"RunInstances", "CreateInstance", "StartInstance", "StopInstance", "RebootInstance",
		"DeleteInstance", "DescribeInstances", "DescribeInstanceStatus", "DescribeInstanceAttribute", "DescribeUserData"} {
		if ep, _ := reg.Lookup(spec.Version, name); ep == nil || !ep.Implemented() {
			t.Errorf("%s is not implemented", name)
		}
	}
}

func TestInstanceAnswersHaveTheSDKShapes(t *testing.T) {
	h, svc, ctx := instanceHandlers(t)
	run, err := h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("&Amount=2&InternetMaxBandwidthOut=5"+
		"&DataDisk.1.Category=cloud_ssd&DataDisk.1.Size=40&Tag.1.Key=env&Tag.1.Value=prod&KeyPairName=ops&UserData=aGVsbG8=")))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, run, "RunInstancesResponse", "RunInstancesResponseBody")
	if len(run.InstanceIdSets.InstanceIdSet) != 2 {
		t.Fatalf("RunInstances = %+v", run)
	}
	created, err := h.CreateInstance(ctx, decodeInto[CreateInstanceRequest](t, runQuery("&InstanceName=db")))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateInstanceResponse", "CreateInstanceResponseBody")
	if err := svc.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "RegionId=cn-hangzhou&PageSize=5"))
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, list, "DescribeInstancesResponse", "DescribeInstancesResponseBody")
	if list.TotalCount != 3 || len(list.Instances.Instance) != 3 {
		t.Fatalf("DescribeInstances = %s", body)
	}
	// Terraform reads these with type assertions: real JSON booleans.
	for _, want := range []string{`"Primary":true`, `"IoOptimized":true`, `"DeviceAvailable":true`, `"EipAddress":{}`,
		`"Status":"Running"`, `"Status":"Stopped"`, `"TagKey":"env"`, `"KeyPairName":"ops"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("DescribeInstances lacks %s: %s", want, body)
		}
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	status, err := h.DescribeInstanceStatus(ctx, decodeInto[DescribeInstanceStatusRequest](t, "RegionId=cn-hangzhou"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, status, "DescribeInstanceStatusResponse", "DescribeInstanceStatusResponseBody")
	attr, err := h.DescribeInstanceAttribute(ctx, decodeInto[DescribeInstanceAttributeRequest](t, "InstanceId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, attr, "DescribeInstanceAttributeResponse", "DescribeInstanceAttributeResponseBody")
	if attr.IoOptimized != "optimized" || len(attr.PublicIpAddress.IpAddress) != 1 {
		t.Errorf("DescribeInstanceAttribute = %+v", attr)
	}
	data, err := h.DescribeUserData(ctx, decodeInto[DescribeUserDataRequest](t, "RegionId=cn-hangzhou&InstanceId="+id))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, data, "DescribeUserDataResponse", "DescribeUserDataResponseBody")
	if data.UserData != "aGVsbG8=" || data.RegionId != "cn-hangzhou" {
		t.Errorf("DescribeUserData = %+v", data)
	}
	lifecycle := []func() (any, error){
		func() (any, error) {
			return h.StopInstance(ctx, decodeInto[StopInstanceRequest](t, "InstanceId="+id+"&ForceStop=true"))
		},
		func() (any, error) { return svc.Settle(ctx), nil },
		func() (any, error) {
			return h.StartInstance(ctx, decodeInto[StartInstanceRequest](t, "InstanceId="+id))
		},
		func() (any, error) { return svc.Settle(ctx), nil },
		func() (any, error) {
			return h.RebootInstance(ctx, decodeInto[RebootInstanceRequest](t, "InstanceId="+id))
		},
		func() (any, error) { return svc.Settle(ctx), nil },
		func() (any, error) {
			return h.DeleteInstance(ctx, decodeInto[DeleteInstanceRequest](t, "InstanceId="+id+"&Force=true"))
		},
	}
	for i, call := range lifecycle {
		resp, err := call()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if i%2 == 0 {
			assertEmptyAnswer(t, resp)
		}
	}
}

func TestDescribeInstancesDecodesTheJSONArrayFiltersAndTokenPaging(t *testing.T) {
	h, _, ctx := instanceHandlers(t)
	run, err := h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("&Amount=3")))
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := json.Marshal(run.InstanceIdSets.InstanceIdSet[:2])
	got, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "InstanceIds="+string(ids)+"&MaxResults=1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalCount != 2 || len(got.Instances.Instance) != 1 || got.NextToken == "" {
		t.Fatalf("first token page: total %d, %d instances, token %q", got.TotalCount, len(got.Instances.Instance), got.NextToken)
	}
	next, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t,
		"InstanceIds="+string(ids)+"&MaxResults=1&NextToken="+got.NextToken))
	if err != nil || len(next.Instances.Instance) != 1 || next.NextToken != "" ||
		next.Instances.Instance[0].InstanceId == got.Instances.Instance[0].InstanceId {
		t.Fatalf("second token page: %+v, %v", next, err)
	}
	none, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "InstanceIds=[]"))
	if err != nil || none.TotalCount != 0 || len(none.Instances.Instance) != 0 {
		t.Fatalf("InstanceIds=[] = %+v, %v", none, err)
	}
	_, err = h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "InstanceIds=i-1"))
	assertAPIError(t, err, "InvalidInstanceIds.Malformed", 400)
	_, err = h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "DryRun=true"))
	assertAPIError(t, err, "DryRunOperation", 400)
	var bad DescribeInstancesRequest
	if err := decode(t, "PageSize=101", &bad); err == nil {
		t.Error("PageSize=101 decoded")
	}
}

func TestRunInstancesTakesTheSDKsListParameters(t *testing.T) {
	h, _, ctx := instanceHandlers(t)
	req := decodeInto[RunInstancesRequest](t, "RegionId=cn-hangzhou&ImageId="+instanceTestImage+
		"&InstanceType=ecs.g5.large&SecurityGroupIds.1=sg-1&VSwitchId=vsw-1&Amount=2&HostNames.1=a1&HostNames.2=a2"+
		`&DataDisk=[{"Category":"cloud_essd","Size":100,"PerformanceLevel":"PL1"}]&SystemDisk.Size=60`)
	run, err := h.RunInstances(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	list, err := h.DescribeInstances(ctx, decodeInto[DescribeInstancesRequest](t, "RegionId=cn-hangzhou"))
	if err != nil || list.TotalCount != 2 {
		t.Fatalf("DescribeInstances: %+v, %v", list, err)
	}
	hosts := map[string]bool{}
	for _, i := range list.Instances.Instance {
		hosts[i.HostName] = true
	}
	if !hosts["a1"] || !hosts["a2"] || len(run.InstanceIdSets.InstanceIdSet) != 2 {
		t.Fatalf("host names %v", hosts)
	}
	_, err = h.RunInstances(ctx, decodeInto[RunInstancesRequest](t, runQuery("&Ipv6AddressCount=1")))
	assertAPIError(t, err, "InvalidParameter", 400)
}
