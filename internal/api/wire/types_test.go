package wire

import (
	"net/url"
	"testing"
)

// The request types below cover every supported field kind; the fuzz target,
// the benchmark and most tests decode into runInstances.

type common struct {
	RegionId string `param:"RegionId"`
}

type systemDisk struct {
	Category    string `param:"Category" enum:"cloud|cloud_efficiency|cloud_ssd|cloud_essd"`
	Size        *int   `param:"Size" min:"20" max:"500"`
	Encrypted   *bool  `param:"Encrypted"`
	Description string `param:"Description" maxLen:"16"`
}

type dataDisk struct {
	Size               int     `param:"Size" min:"20" max:"32768"`
	Category           string  `param:"Category" enum:"cloud|cloud_efficiency|cloud_ssd|cloud_essd"`
	SnapshotId         string  `param:"SnapshotId"`
	DeleteWithInstance *bool   `param:"DeleteWithInstance"`
	PerformanceLevel   *string `param:"PerformanceLevel"`
}

type tag struct {
	Key   string `param:"Key,required" maxLen:"128"`
	Value string `param:"Value" maxLen:"128"`
}

type networkInterface struct {
	VSwitchId        string   `param:"VSwitchId"`
	SecurityGroupIds []string `param:"SecurityGroupIds" maxItems:"5"`
	QueueNumber      *int32   `param:"QueueNumber" min:"1"`
}

type privatePool struct {
	MatchCriteria string `param:"MatchCriteria" enum:"Open|Target|None"`
}

type arn struct {
	RoleType      string `param:"RoleType" enum:"service|user"`
	Rolearn       string `param:"Rolearn"`
	AssumeRoleFor int64  `param:"AssumeRoleFor"`
}

type runInstances struct {
	common
	ImageId            string             `param:"ImageId,required"`
	InstanceType       string             `param:"InstanceType"`
	InstanceName       string             `param:"InstanceName" maxLen:"20"`
	Amount             *int               `param:"Amount" min:"1" max:"100"`
	MinAmount          int32              `param:"MinAmount" min:"1" max:"100"`
	Period             int64              `param:"Period"`
	Weight             uint16             `param:"Weight"`
	SpotPriceLimit     float64            `param:"SpotPriceLimit" min:"0" max:"1000"`
	Ratio              *float32           `param:"Ratio"`
	DryRun             bool               `param:"DryRun"`
	UniqueSuffix       *bool              `param:"UniqueSuffix"`
	SecurityGroupIds   []string           `param:"SecurityGroupIds" maxItems:"16"`
	Ports              []int              `param:"Ports" min:"1" max:"65535"`
	HostNames          []string           `param:"HostNames,json" maxItems:"10"`
	SystemDisk         systemDisk         `param:"SystemDisk"`
	DataDisk           []dataDisk         `param:"DataDisk" maxItems:"16"`
	Tag                []tag              `param:"Tag" maxItems:"20"`
	NetworkInterface   []networkInterface `param:"NetworkInterface" maxItems:"8"`
	PrivatePoolOptions *privatePool       `param:"PrivatePoolOptions"`
	PrivatePoolId      string             `param:"PrivatePoolOptions.Id"`
	Labels             map[string]string  `param:"Labels" maxItems:"4"`
	Arn                []arn              `param:"Arn,json"`
	Ignored            string
	Skipped            string `param:"-"`
}

// ps builds Params from name, value pairs (a name may repeat).
func ps(kv ...string) Params {
	p := Params{}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = append(p[kv[i]], kv[i+1])
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// fullRunInstances is a request that sets every field.
func fullRunInstances() runInstances {
	return runInstances{
		common:           common{RegionId: "cn-hangzhou"},
		ImageId:          "m-1",
		InstanceType:     "ecs.g6.large",
		InstanceName:     "probe vm*~",
		Amount:           ptr(2),
		MinAmount:        1,
		Period:           -7,
		Weight:           65535,
		SpotPriceLimit:   0.25,
		Ratio:            ptr(float32(1.5)),
		DryRun:           true,
		UniqueSuffix:     ptr(false),
		SecurityGroupIds: []string{"sg-1", "sg-2"},
		Ports:            []int{22, 443},
		HostNames:        []string{"a", "b \"c\""},
		SystemDisk:       systemDisk{Category: "cloud_essd", Size: ptr(40), Encrypted: ptr(false), Description: "sys"},
		DataDisk: []dataDisk{
			{Size: 100, Category: "cloud_essd", DeleteWithInstance: ptr(true), PerformanceLevel: ptr("PL1")},
			{Size: 200, SnapshotId: "s-1", PerformanceLevel: ptr("")},
		},
		Tag:                []tag{{Key: "env", Value: "a b"}, {Key: "team"}},
		NetworkInterface:   []networkInterface{{VSwitchId: "vsw-1", SecurityGroupIds: []string{"sg-3"}, QueueNumber: ptr(int32(4))}},
		PrivatePoolOptions: &privatePool{MatchCriteria: "Target"},
		PrivatePoolId:      "pp-1",
		Labels:             map[string]string{"a.b": "1", "": "empty key", "#2#xy": "hash"},
		Arn:                []arn{{RoleType: "service", Rolearn: "acs:ram::1:role/x", AssumeRoleFor: 12}},
	}
}

// runInstancesQuery is what the Go SDK sends for a typical RunInstances call
// (clients.md §2-A), common parameters included.
const runInstancesQuery = "AccessKeyId=probe-ak&Action=RunInstances&Format=JSON&RegionId=cn-hangzhou" +
	"&Signature=eITUaAgIZUeqlf3YM3lzjByv%2FlA%3D&SignatureMethod=HMAC-SHA1" +
	"&SignatureNonce=64916ccb528608b25f5e67aa5a386345&SignatureType=&SignatureVersion=1.0" +
	"&Timestamp=2026-11-28T14%3A18%3A45Z&Version=2014-05-26" +
	"&ImageId=m-1&InstanceType=ecs.g6.large&Amount=2&InstanceName=probe+vm%2A~" +
	"&DataDisk.1.Category=cloud_essd&DataDisk.1.DeleteWithInstance=true&DataDisk.1.PerformanceLevel=PL1" +
	"&DataDisk.1.Size=100&DataDisk.2.Size=200&DataDisk.2.SnapshotId=s-1" +
	"&NetworkInterface.1.SecurityGroupIds.1=sg-3&NetworkInterface.1.VSwitchId=vsw-1" +
	"&SecurityGroupIds.1=sg-1&SecurityGroupIds.2=sg-2" +
	"&SystemDisk.Category=cloud_essd&SystemDisk.Encrypted=false&SystemDisk.Size=40" +
	"&Tag.1.Key=env&Tag.1.Value=a+b&Tag.2.Key=team&DryRun=false" +
	"&HostNames=%5B%22a%22%2C%22b%22%5D&Labels.a=1&Labels.%233%23x.y=2" +
	"&PrivatePoolOptions.MatchCriteria=Open&PrivatePoolOptions.Id=pp-1"

func mustQuery(tb testing.TB, q string) Params {
	tb.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		tb.Fatal(err)
	}
	return Params(v)
}
