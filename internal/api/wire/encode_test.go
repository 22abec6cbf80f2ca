package wire

import (
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	got, err := Encode(&runInstances{
		ImageId: "m-1", Amount: ptr(0), DryRun: false, UniqueSuffix: ptr(false), Period: 3,
		SecurityGroupIds: []string{"sg-1", ""}, HostNames: []string{"i-1", "i-2"},
		SystemDisk:         systemDisk{Category: "cloud"},
		DataDisk:           []dataDisk{{Size: 100}, {}, {SnapshotId: "s"}},
		NetworkInterface:   []networkInterface{{SecurityGroupIds: []string{"sg-3"}}},
		PrivatePoolOptions: &privatePool{}, PrivatePoolId: "pp",
		Labels:  map[string]string{"a.b": "1", "": "2", "#": "3"},
		Arn:     []arn{{RoleType: "user", AssumeRoleFor: 5}, {}},
		Ignored: "x", Skipped: "y",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"ImageId": {"m-1"}, "Amount": {"0"}, "UniqueSuffix": {"false"}, "Period": {"3"},
		"SecurityGroupIds.1": {"sg-1"}, "SecurityGroupIds.2": {""}, "HostNames": {`["i-1","i-2"]`},
		"SystemDisk.Category": {"cloud"},
		"DataDisk.1.Size":     {"100"}, "DataDisk.2.SnapshotId": {"s"},
		"NetworkInterface.1.SecurityGroupIds.1": {"sg-3"},
		"PrivatePoolOptions.Id":                 {"pp"},
		"Labels.a.b":                            {"1"}, "Labels.#0#": {"2"}, "Labels.#1##": {"3"},
		"Arn": {`[{"AssumeRoleFor":5,"RoleType":"user"},{}]`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Encode =\n%v\nwant\n%v", got, want)
	}
}

func TestEncodeRequiredZero(t *testing.T) {
	var src struct {
		N int    `param:"N,required"`
		B bool   `param:"B,required"`
		S string `param:"S,required"`
		O int    `param:"O"`
	}
	got, err := Encode(src)
	if err != nil {
		t.Fatal(err)
	}
	if want := (url.Values{"N": {"0"}, "B": {"false"}, "S": {""}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	type floats struct {
		F  float64            `param:"F"`
		P  *float32           `param:"P"`
		L  []float64          `param:"L,json"`
		M  map[string]float64 `param:"M"`
		In struct {
			F float64 `param:"F"`
		} `param:"In,json"`
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		src  any
		want string
	}{
		{"nil", nil, "got <nil>"},
		{"nil pointer", (*runInstances)(nil), "nil pointer"},
		{"not a struct", 42, "got int"},
		{"pointer to non-struct", ptr(42), "got *int"},
		{"NaN", floats{F: nan}, "parameter F: not a finite number"},
		{"Inf pointer", floats{P: ptr(float32(math.Inf(1)))}, "parameter P: not a finite number"},
		{"NaN in JSON list", floats{L: []float64{1, nan}}, "parameter L: not a finite number"},
		{"NaN in map", floats{M: map[string]float64{"k": nan}}, "parameter M.k: not a finite number"},
		{"NaN in JSON struct", floats{In: struct {
			F float64 `param:"F"`
		}{F: nan}}, "parameter In: not a finite number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Encode(tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "wire: ") {
				t.Errorf("Encode error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// roundTrip checks Decode(Encode(src)) == src, also through a real URL query.
func roundTrip[T any](t *testing.T, src T) {
	t.Helper()
	v, err := Encode(&src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Params{Params(v), mustQuery(t, v.Encode())} {
		var got T
		if err := Decode(p, &got); err != nil {
			t.Fatalf("Decode(Encode(x)): %v\nparams: %v", err, p)
		}
		if !reflect.DeepEqual(got, src) {
			t.Fatalf("round trip\n got %+v\nwant %+v\nparams: %v", got, src, p)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	roundTrip(t, fullRunInstances())
	roundTrip(t, runInstances{ImageId: "m"})
	roundTrip(t, runInstances{ImageId: "m", Arn: []arn{{}, {Rolearn: "r"}}, HostNames: []string{""}})
	roundTrip(t, runInstances{ImageId: "m", Labels: map[string]string{"#3#abc": "x", "#": "", "a#b": "y"}})
	roundTrip(t, runInstances{ImageId: "m", Period: math.MinInt64, Weight: math.MaxUint16,
		SpotPriceLimit: 1000, Ratio: ptr(float32(math.SmallestNonzeroFloat32)), Amount: ptr(100)})

	type inner struct {
		Ids  []int             `param:"Ids"`
		Kv   map[string]string `param:"Kv"`
		Deep *struct {
			Names []string `param:"Names,json"`
			On    *bool    `param:"On"`
		} `param:"Deep"`
	}
	type outer struct {
		Opt     inner             `param:"Opt,json"`
		OptPtr  *inner            `param:"OptPtr,json"`
		Items   []inner           `param:"Items,json"`
		Flat    []inner           `param:"Flat"`
		Map     map[string]int64  `param:"Map,json"`
		Req     int               `param:"Req,required"`
		Floats  []float64         `param:"Floats,json"`
		Uints   []uint64          `param:"Uints"`
		Strings map[string]string `param:"Strings"`
	}
	x := outer{
		Opt: inner{Ids: []int{1, -2}, Kv: map[string]string{"": "e", "k": "v"}},
		OptPtr: &inner{Deep: &struct {
			Names []string `param:"Names,json"`
			On    *bool    `param:"On"`
		}{Names: []string{"a", `"q"`}, On: ptr(false)}},
		Items:   []inner{{}, {Ids: []int{3}}},
		Flat:    []inner{{Kv: map[string]string{"x.y": "z"}}},
		Map:     map[string]int64{"#1#a": math.MaxInt64, "b": 0},
		Floats:  []float64{0.1, -1e300, 5e-324},
		Uints:   []uint64{math.MaxUint64, 0},
		Strings: map[string]string{"<&>": "\u2028", "tab\t": "nl\n"},
	}
	roundTrip(t, x)
	roundTrip(t, outer{})
}

func TestEncodeDropsZeroFlatItems(t *testing.T) {
	v, err := Encode(runInstances{ImageId: "m", DataDisk: []dataDisk{{}, {Size: 20}}, PrivatePoolOptions: &privatePool{}})
	if err != nil {
		t.Fatal(err)
	}
	var got runInstances
	if err := Decode(Params(v), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.DataDisk, []dataDisk{{Size: 20}}) || got.PrivatePoolOptions != nil {
		t.Errorf("got %+v", got)
	}
}
