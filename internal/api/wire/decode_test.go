package wire

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// req returns Params holding ImageId=m-1 (runInstances' one required field) and kv.
func req(kv ...string) Params { return ps(append([]string{"ImageId", "m-1"}, kv...)...) }

// decodeCase is one table row: params in, either a struct or an error out.
type decodeCase struct {
	name string
	p    Params
	want runInstances // compared when err is nil; ImageId is preset to "m-1"
	err  *Error       // Kind, Param and Value are compared
}

func runDecodeCases(t *testing.T, cases []decodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got runInstances
			err := Decode(tc.p, &got)
			checkErr(t, err, tc.err)
			if tc.err != nil {
				return
			}
			want := tc.want
			want.ImageId = "m-1"
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decode(%v)\n got %+v\nwant %+v", tc.p, got, want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want *Error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("error = %v (%T), want *Error %+v", err, err, want)
	}
	if got.Kind != want.Kind || got.Param != want.Param || got.Value != want.Value {
		t.Fatalf("error = %+v, want Kind=%v Param=%q Value=%q", got, want.Kind, want.Param, want.Value)
	}
	if got.Reason == "" || got.Error() == "" {
		t.Fatalf("error %+v has no reason", got)
	}
}

func TestDecodeScalars(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{name: "only required", p: req()},
		{name: "strings", p: req("InstanceType", "ecs.g6.large", "InstanceName", "vm 1*~é"),
			want: runInstances{InstanceType: "ecs.g6.large", InstanceName: "vm 1*~é"}},
		{name: "embedded struct field is promoted", p: req("RegionId", "cn-beijing"),
			want: runInstances{common: common{RegionId: "cn-beijing"}}},
		{name: "bool true", p: req("DryRun", "true"), want: runInstances{DryRun: true}},
		{name: "bool TRUE", p: req("DryRun", "TRUE"), want: runInstances{DryRun: true}},
		{name: "bool False", p: req("DryRun", "False", "UniqueSuffix", "fAlSe"),
			want: runInstances{UniqueSuffix: ptr(false)}},
		{name: "bool yes", p: req("DryRun", "yes"), err: &Error{Kind: KindInvalid, Param: "DryRun", Value: "yes"}},
		{name: "bool 1", p: req("UniqueSuffix", "1"), err: &Error{Kind: KindInvalid, Param: "UniqueSuffix", Value: "1"}},
		{name: "pointer int", p: req("Amount", "3"), want: runInstances{Amount: ptr(3)}},
		{name: "plus sign", p: req("Amount", "+3", "Weight", "+7"), want: runInstances{Amount: ptr(3), Weight: 7}},
		{name: "negative int64", p: req("Period", "-9223372036854775808"), want: runInstances{Period: -9223372036854775808}},
		{name: "int64 overflow", p: req("Period", "9223372036854775808"),
			err: &Error{Kind: KindInvalid, Param: "Period", Value: "9223372036854775808"}},
		{name: "int32 overflow", p: req("MinAmount", "2147483648"),
			err: &Error{Kind: KindInvalid, Param: "MinAmount", Value: "2147483648"}},
		{name: "uint16 overflow", p: req("Weight", "65536"), err: &Error{Kind: KindInvalid, Param: "Weight", Value: "65536"}},
		{name: "uint negative", p: req("Weight", "-1"), err: &Error{Kind: KindInvalid, Param: "Weight", Value: "-1"}},
		{name: "int decimal point", p: req("Amount", "1.5"), err: &Error{Kind: KindInvalid, Param: "Amount", Value: "1.5"}},
		{name: "int hex", p: req("Period", "0x10"), err: &Error{Kind: KindInvalid, Param: "Period", Value: "0x10"}},
		{name: "int underscore", p: req("Period", "1_000"), err: &Error{Kind: KindInvalid, Param: "Period", Value: "1_000"}},
		{name: "int space", p: req("Period", " 1"), err: &Error{Kind: KindInvalid, Param: "Period", Value: " 1"}},
		{name: "int double sign", p: req("Period", "--1"), err: &Error{Kind: KindInvalid, Param: "Period", Value: "--1"}},
		{name: "float", p: req("SpotPriceLimit", "0.125", "Ratio", "-1e3"),
			want: runInstances{SpotPriceLimit: 0.125, Ratio: ptr(float32(-1000))}},
		{name: "float NaN", p: req("Ratio", "NaN"), err: &Error{Kind: KindInvalid, Param: "Ratio", Value: "NaN"}},
		{name: "float Inf", p: req("Ratio", "+Inf"), err: &Error{Kind: KindInvalid, Param: "Ratio", Value: "+Inf"}},
		{name: "float32 overflow", p: req("Ratio", "1e39"), err: &Error{Kind: KindInvalid, Param: "Ratio", Value: "1e39"}},
		{name: "float garbage", p: req("SpotPriceLimit", "1.2.3"),
			err: &Error{Kind: KindInvalid, Param: "SpotPriceLimit", Value: "1.2.3"}},
		{name: "first value wins", p: req("Amount", "4", "Amount", "x"), want: runInstances{Amount: ptr(4)}},
		{name: "empty optional number is absent", p: req("Amount", "", "Period", "", "DryRun", "", "Ratio", ""),
			want: runInstances{}},
		{name: "empty optional string", p: req("InstanceName", ""), want: runInstances{}},
		{name: "empty optional *string is sent", p: req("DataDisk.1.PerformanceLevel", ""),
			want: runInstances{DataDisk: []dataDisk{{PerformanceLevel: ptr("")}}}},
		{name: "invalid UTF-8", p: req("InstanceType", "a\xffb"),
			err: &Error{Kind: KindInvalid, Param: "InstanceType", Value: "a\xffb"}},
		{name: "untagged and dash fields ignored", p: req("Ignored", "x", "Skipped", "y"), want: runInstances{}},
		{name: "unknown and common params ignored", p: req("AccessKeyId", "ak", "Signature", "s", "SignatureType", "",
			"Format", "JSON", "Version", "2014-05-26", "Bogus.1.X", "y"), want: runInstances{}},
		{name: "names are case-sensitive", p: req("dryrun", "true", "imageid", "x"), want: runInstances{}},
	})
}

func TestDecodeRules(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{name: "min and max inclusive", p: req("Amount", "100", "MinAmount", "1"),
			want: runInstances{Amount: ptr(100), MinAmount: 1}},
		{name: "below min", p: req("Amount", "0"), err: &Error{Kind: KindInvalid, Param: "Amount", Value: "0"}},
		{name: "above max", p: req("Amount", "101"), err: &Error{Kind: KindInvalid, Param: "Amount", Value: "101"}},
		{name: "float below min", p: req("SpotPriceLimit", "-0.01"),
			err: &Error{Kind: KindInvalid, Param: "SpotPriceLimit", Value: "-0.01"}},
		{name: "zero value not range-checked when absent", p: req(), want: runInstances{}},
		{name: "enum", p: req("SystemDisk.Category", "cloud_ssd"),
			want: runInstances{SystemDisk: systemDisk{Category: "cloud_ssd"}}},
		{name: "enum is case-sensitive", p: req("SystemDisk.Category", "Cloud_ssd"),
			err: &Error{Kind: KindInvalid, Param: "SystemDisk.Category", Value: "Cloud_ssd"}},
		{name: "enum skipped for empty", p: req("SystemDisk.Category", ""), want: runInstances{}},
		{name: "maxLen counts runes", p: req("InstanceName", strings.Repeat("é", 20)),
			want: runInstances{InstanceName: strings.Repeat("é", 20)}},
		{name: "maxLen exceeded", p: req("InstanceName", strings.Repeat("a", 21)),
			err: &Error{Kind: KindInvalid, Param: "InstanceName", Value: strings.Repeat("a", 21)}},
		{name: "rule in list item", p: req("Ports.1", "22", "Ports.2", "0"),
			err: &Error{Kind: KindInvalid, Param: "Ports.2", Value: "0"}},
		{name: "rule in struct list item", p: req("DataDisk.1.Size", "20", "DataDisk.3.Size", "10"),
			err: &Error{Kind: KindInvalid, Param: "DataDisk.3.Size", Value: "10"}},
		{name: "enum in nested struct", p: req("PrivatePoolOptions.MatchCriteria", "open"),
			err: &Error{Kind: KindInvalid, Param: "PrivatePoolOptions.MatchCriteria", Value: "open"}},
		{name: "first error in field order", p: ps("Amount", "0"), err: &Error{Kind: KindMissing, Param: "ImageId"}},
	})
}

func TestDecodeRequired(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{name: "absent", p: ps("RegionId", "cn-hangzhou"), err: &Error{Kind: KindMissing, Param: "ImageId"}},
		{name: "empty", p: ps("ImageId", ""), err: &Error{Kind: KindMissing, Param: "ImageId"}},
		{name: "no values", p: Params{"ImageId": nil}, err: &Error{Kind: KindMissing, Param: "ImageId"}},
		{name: "in list item keeps its index", p: req("Tag.1.Key", "a", "Tag.3.Value", "v"),
			err: &Error{Kind: KindMissing, Param: "Tag.3.Key"}},
		{name: "in list item empty", p: req("Tag.7.Key", ""), err: &Error{Kind: KindMissing, Param: "Tag.7.Key"}},
		{name: "in JSON list item", p: req("Arn", `[{}]`), want: runInstances{Arn: []arn{{}}}},
	})

	type inner struct {
		Id string `param:"Id,required"`
	}
	type reqs struct {
		N     int               `param:"N,required"`
		P     *bool             `param:"P,required"`
		S     *string           `param:"S,required"`
		L     []string          `param:"L,required"`
		J     []int             `param:"J,required,json"`
		M     map[string]string `param:"M,required"`
		V     inner             `param:"V"`
		R     inner             `param:"R,required"`
		Opt   *inner            `param:"Opt"`
		Items []inner           `param:"Items,required"`
	}
	all := []string{"N", "0", "P", "false", "S", "s", "L.1", "", "J", "[1]", "M.k", "",
		"V.Id", "v", "R.Id", "r", "Items.1.Id", "i"}
	without := func(name string, extra ...string) Params {
		p := Params{}
		for i := 0; i < len(all); i += 2 {
			if !strings.HasPrefix(all[i], name) {
				p[all[i]] = []string{all[i+1]}
			}
		}
		for i := 0; i+1 < len(extra); i += 2 {
			p[extra[i]] = []string{extra[i+1]}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		p    Params
		want *Error
	}{
		{"all given", without("-"), nil},
		{"int", without("N"), &Error{Kind: KindMissing, Param: "N"}},
		{"int empty", without("N", "N", ""), &Error{Kind: KindMissing, Param: "N"}},
		{"pointer", without("P"), &Error{Kind: KindMissing, Param: "P"}},
		{"*string empty", without("S", "S", ""), &Error{Kind: KindMissing, Param: "S"}},
		{"list", without("L"), &Error{Kind: KindMissing, Param: "L"}},
		{"list of empty numbers", without("J", "J.1", ""), &Error{Kind: KindMissing, Param: "J"}},
		{"JSON list empty", without("J", "J", "[]"), &Error{Kind: KindMissing, Param: "J"}},
		{"map", without("M"), &Error{Kind: KindMissing, Param: "M"}},
		{"field of value struct", without("V"), &Error{Kind: KindMissing, Param: "V.Id"}},
		{"value struct", without("R"), &Error{Kind: KindMissing, Param: "R"}},
		{"field of pointer struct", without("-", "Opt.X", "1"), &Error{Kind: KindMissing, Param: "Opt.Id"}},
		{"list of structs", without("Items", "Items.1", "bare"), &Error{Kind: KindMissing, Param: "Items"}},
		{"field in item", without("Items", "Items.4.Other", "x"), &Error{Kind: KindMissing, Param: "Items.4.Id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got reqs
			checkErr(t, Decode(tc.p, &got), tc.want)
		})
	}
}

func TestDecodePresetDefaults(t *testing.T) {
	got := runInstances{Amount: ptr(1), InstanceName: "default", Ports: []int{80},
		PrivatePoolOptions: &privatePool{MatchCriteria: "None"}}
	if err := Decode(req("Ports.1", "22", "InstanceName", "", "PrivatePoolOptions.Id", "pp"), &got); err != nil {
		t.Fatal(err)
	}
	want := runInstances{ImageId: "m-1", Amount: ptr(1), InstanceName: "default", Ports: []int{22},
		PrivatePoolOptions: &privatePool{MatchCriteria: "None"}, PrivatePoolId: "pp"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDecodeStructs(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{name: "value struct", p: req("SystemDisk.Category", "cloud", "SystemDisk.Size", "40", "SystemDisk.Encrypted", "true"),
			want: runInstances{SystemDisk: systemDisk{Category: "cloud", Size: ptr(40), Encrypted: ptr(true)}}},
		{name: "pointer struct nil when absent", p: req(), want: runInstances{}},
		{name: "pointer struct set", p: req("PrivatePoolOptions.MatchCriteria", "Open"),
			want: runInstances{PrivatePoolOptions: &privatePool{MatchCriteria: "Open"}}},
		{name: "pointer struct present with unknown member only", p: req("PrivatePoolOptions.Other", "x"),
			want: runInstances{PrivatePoolOptions: &privatePool{}}},
		{name: "literal dotted sibling does not make the struct present", p: req("PrivatePoolOptions.Id", "pp-1"),
			want: runInstances{PrivatePoolId: "pp-1"}},
		{name: "literal dotted name and struct together",
			p:    req("PrivatePoolOptions.Id", "pp-1", "PrivatePoolOptions.MatchCriteria", "Target"),
			want: runInstances{PrivatePoolId: "pp-1", PrivatePoolOptions: &privatePool{MatchCriteria: "Target"}}},
		{name: "bare struct name ignored", p: req("SystemDisk", "x", "PrivatePoolOptions", "y"), want: runInstances{}},
		{name: "invalid member", p: req("SystemDisk.Size", "big"),
			err: &Error{Kind: KindInvalid, Param: "SystemDisk.Size", Value: "big"}},
	})
}

func TestDecodeLists(t *testing.T) {
	many := func(name string, n int, suffix string) []string {
		var kv []string
		for i := 1; i <= n; i++ {
			kv = append(kv, name+"."+strconv.Itoa(i)+suffix, "20")
		}
		return kv
	}
	runDecodeCases(t, []decodeCase{
		{name: "strings", p: req("SecurityGroupIds.1", "sg-1", "SecurityGroupIds.2", "sg-2"),
			want: runInstances{SecurityGroupIds: []string{"sg-1", "sg-2"}}},
		{name: "numeric order", p: req("SecurityGroupIds.10", "c", "SecurityGroupIds.2", "b", "SecurityGroupIds.1", "a"),
			want: runInstances{SecurityGroupIds: []string{"a", "b", "c"}}},
		{name: "gaps are closed up", p: req("Ports.3", "3", "Ports.7", "7"), want: runInstances{Ports: []int{3, 7}}},
		{name: "huge index costs nothing", p: req("Tag.99999999999999999999999999.Key", "z", "Tag.5.Key", "a"),
			want: runInstances{Tag: []tag{{Key: "a"}, {Key: "z"}}}},
		{name: "empty string item kept", p: req("SecurityGroupIds.1", "", "SecurityGroupIds.2", "sg"),
			want: runInstances{SecurityGroupIds: []string{"", "sg"}}},
		{name: "empty number item dropped", p: req("Ports.1", "", "Ports.2", "80"), want: runInstances{Ports: []int{80}}},
		{name: "only empty number items", p: req("Ports.1", ""), want: runInstances{}},
		{name: "bad number item", p: req("Ports.1", "80", "Ports.2", "http"),
			err: &Error{Kind: KindInvalid, Param: "Ports.2", Value: "http"}},
		{name: "struct items", p: req("DataDisk.2.Size", "200", "DataDisk.1.Size", "100", "DataDisk.1.Category", "cloud"),
			want: runInstances{DataDisk: []dataDisk{{Size: 100, Category: "cloud"}, {Size: 200}}}},
		{name: "struct item with unknown member only", p: req("DataDisk.1.Foo", "x"),
			want: runInstances{DataDisk: []dataDisk{{}}}},
		{name: "bare key under struct list ignored", p: req("DataDisk.1", "x", "DataDisk", "y"), want: runInstances{}},
		{name: "member key under scalar list ignored", p: req("SecurityGroupIds.1.Id", "x"), want: runInstances{}},
		{name: "bare name of scalar list ignored", p: req("SecurityGroupIds", "sg-1"), want: runInstances{}},
		{name: "nested list", p: req("NetworkInterface.1.SecurityGroupIds.2", "b", "NetworkInterface.1.SecurityGroupIds.1", "a",
			"NetworkInterface.2.VSwitchId", "vsw", "NetworkInterface.2.QueueNumber", "2"),
			want: runInstances{NetworkInterface: []networkInterface{
				{SecurityGroupIds: []string{"a", "b"}}, {VSwitchId: "vsw", QueueNumber: ptr(int32(2))}}}},
		{name: "nested list malformed", p: req("NetworkInterface.1.SecurityGroupIds.0", "a"),
			err: &Error{Kind: KindMalformedList, Param: "NetworkInterface.1.SecurityGroupIds.0", Value: "a"}},
		{name: "nested list too many", p: req(many("NetworkInterface.3.SecurityGroupIds", 6, "")...),
			err: &Error{Kind: KindTooMany, Param: "NetworkInterface.3.SecurityGroupIds"}},
		{name: "maxItems reached", p: req(many("DataDisk", 16, ".Size")...),
			want: runInstances{DataDisk: func() []dataDisk {
				d := make([]dataDisk, 16)
				for i := range d {
					d[i].Size = 20
				}
				return d
			}()}},
		{name: "maxItems exceeded", p: req(many("DataDisk", 17, ".Size")...),
			err: &Error{Kind: KindTooMany, Param: "DataDisk"}},
		{name: "maxItems counts indices not keys", p: req(append(many("SecurityGroupIds", 16, ""), "SecurityGroupIds.99", "x")...),
			err: &Error{Kind: KindTooMany, Param: "SecurityGroupIds"}},
		{name: "default cap", p: req(many("Ports", defaultMaxItems+1, "")...), err: &Error{Kind: KindTooMany, Param: "Ports"}},
		{name: "default cap reached", p: req(many("Ports", defaultMaxItems, "")...),
			want: runInstances{Ports: func() []int {
				p := make([]int, defaultMaxItems)
				for i := range p {
					p[i] = 20
				}
				return p
			}()}},
	})
}

func TestDecodeMalformedLists(t *testing.T) {
	for _, key := range []string{
		"Tag.0.Key", "Tag.x.Key", "Tag.01.Key", "Tag..Key", "Tag.", "Tag.-1.Key", "Tag.+1.Key", "Tag.1x.Key",
		"Tag. 1.Key", "Tag.1e3.Key", "Tag.١.Key", "Ports.0", "Ports.01", "Ports.a", "Ports.", "Ports.-1",
		"DataDisk.Size", "SecurityGroupIds.Id", "HostNames.0",
	} {
		t.Run(key, func(t *testing.T) {
			var got runInstances
			checkErr(t, Decode(req("Tag.1.Key", "ok", key, "v"), &got),
				&Error{Kind: KindMalformedList, Param: key, Value: "v"})
		})
	}
}

func TestDecodeMaps(t *testing.T) {
	runDecodeCases(t, []decodeCase{
		{name: "plain keys", p: req("Labels.env", "prod", "Labels.a.b", "1", "Labels.", "root"),
			want: runInstances{Labels: map[string]string{"env": "prod", "a.b": "1", "": "root"}}},
		{name: "SDK form", p: req("Labels.#3#env", "prod", "Labels.#0#", "", "Labels.#5#a.b#c", "x"),
			want: runInstances{Labels: map[string]string{"env": "prod", "": "", "a.b#c": "x"}}},
		{name: "SDK form wins over plain key", p: req("Labels.env", "plain", "Labels.#3#env", "sdk"),
			want: runInstances{Labels: map[string]string{"env": "sdk"}}},
		{name: "not the SDK form", p: req("Labels.#4#env", "1", "Labels.#x#y", "2", "Labels.##", "3", "Labels.#9", "4"),
			want: runInstances{Labels: map[string]string{"#4#env": "1", "#x#y": "2", "##": "3", "#9": "4"}}},
		{name: "SDK form length overflow", p: req("Labels.#99999999999999999999999#x", "5"),
			want: runInstances{Labels: map[string]string{"#99999999999999999999999#x": "5"}}},
		{name: "too many entries", p: req("Labels.a", "1", "Labels.b", "2", "Labels.c", "3", "Labels.d", "4", "Labels.e", "5"),
			err: &Error{Kind: KindTooMany, Param: "Labels"}},
		{name: "duplicates count once", p: req("Labels.a", "1", "Labels.#1#a", "2", "Labels.b", "3", "Labels.c", "4", "Labels.d", "5"),
			want: runInstances{Labels: map[string]string{"a": "2", "b": "3", "c": "4", "d": "5"}}},
		{name: "invalid UTF-8 key", p: req("Labels.\xff", "1"), err: &Error{Kind: KindInvalid, Param: "Labels.\xff", Value: "1"}},
		{name: "invalid UTF-8 value", p: req("Labels.a", "\xff"), err: &Error{Kind: KindInvalid, Param: "Labels.a", Value: "\xff"}},
		{name: "bare map name ignored", p: req("Labels", "x"), want: runInstances{}},
	})

	var ints struct {
		M map[string]int `param:"M" min:"0"`
	}
	checkErr(t, Decode(ps("M.a", "1", "M.b", "", "M.c", "-1"), &ints), &Error{Kind: KindInvalid, Param: "M.c", Value: "-1"})
	if err := Decode(ps("M.a", "1", "M.b", ""), &ints); err != nil || !reflect.DeepEqual(ints.M, map[string]int{"a": 1}) {
		t.Errorf("map[string]int: %v %v", ints.M, err)
	}
}

func TestDecodeUnsignedAndFloatBounds(t *testing.T) {
	var dst struct {
		U uint8   `param:"U" min:"2" max:"200"`
		F float32 `param:"F" min:"-1.5" max:"2.5"`
	}
	for _, tc := range []struct {
		p    Params
		want *Error
	}{
		{ps("U", "2", "F", "-1.5"), nil},
		{ps("U", "200", "F", "2.5"), nil},
		{ps("U", "1"), &Error{Kind: KindInvalid, Param: "U", Value: "1"}},
		{ps("U", "201"), &Error{Kind: KindInvalid, Param: "U", Value: "201"}},
		{ps("F", "2.51"), &Error{Kind: KindInvalid, Param: "F", Value: "2.51"}},
		{ps("F", "-2"), &Error{Kind: KindInvalid, Param: "F", Value: "-2"}},
	} {
		err := Decode(tc.p, &dst)
		checkErr(t, err, tc.want)
		if tc.want != nil && !strings.Contains(err.Error(), "must be at") {
			t.Errorf("reason of %v does not name the bound", err)
		}
	}
}

func TestDecodeClaimedSiblings(t *testing.T) {
	type perm struct {
		Port int `param:"Port"`
	}
	var got struct {
		Permissions []perm            `param:"Permissions"`
		Count       int               `param:"Permissions.Count"`
		Extra       []string          `param:"Permissions.Extra"`
		Opts        map[string]string `param:"Opts"`
		OptsId      string            `param:"Opts.Id"`
	}
	p := ps("Permissions.1.Port", "22", "Permissions.Count", "1", "Permissions.Extra.1", "e",
		"Opts.k", "v", "Opts.Id", "id", "Opts.Id.x", "claimed")
	if err := Decode(p, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Permissions) != 1 || got.Count != 1 || len(got.Extra) != 1 || len(got.Opts) != 1 || got.OptsId != "id" {
		t.Errorf("got %+v", got)
	}
	checkErr(t, Decode(ps("Permissions.Counts", "1"), &got),
		&Error{Kind: KindMalformedList, Param: "Permissions.Counts", Value: "1"})
}

func TestDecodeRunInstancesQuery(t *testing.T) {
	var got runInstances
	if err := Decode(mustQuery(t, runInstancesQuery), &got); err != nil {
		t.Fatal(err)
	}
	want := runInstances{
		common: common{RegionId: "cn-hangzhou"}, ImageId: "m-1", InstanceType: "ecs.g6.large",
		InstanceName: "probe vm*~", Amount: ptr(2),
		SecurityGroupIds: []string{"sg-1", "sg-2"}, HostNames: []string{"a", "b"},
		SystemDisk: systemDisk{Category: "cloud_essd", Size: ptr(40), Encrypted: ptr(false)},
		DataDisk: []dataDisk{
			{Size: 100, Category: "cloud_essd", DeleteWithInstance: ptr(true), PerformanceLevel: ptr("PL1")},
			{Size: 200, SnapshotId: "s-1"},
		},
		Tag:                []tag{{Key: "env", Value: "a b"}, {Key: "team"}},
		NetworkInterface:   []networkInterface{{VSwitchId: "vsw-1", SecurityGroupIds: []string{"sg-3"}}},
		PrivatePoolOptions: &privatePool{MatchCriteria: "Open"}, PrivatePoolId: "pp-1",
		Labels: map[string]string{"a": "1", "x.y": "2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
