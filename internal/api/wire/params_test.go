package wire

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	query := url.Values{"Action": {"RunInstances"}, "Both": {"q1", "q2"}, "Signature": {"sig"}}
	form := url.Values{"Both": {"f1"}, "ImageId": {"m-1"}, "Empty": {""}}
	p := Merge(query, form)
	want := Params{"Action": {"RunInstances"}, "Both": {"q1", "q2", "f1"}, "Signature": {"sig"},
		"ImageId": {"m-1"}, "Empty": {""}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("Merge = %v, want %v", p, want)
	}
	p["Both"][0] = "changed"
	p["ImageId"][0] = "changed"
	if query["Both"][0] != "q1" || form["ImageId"][0] != "m-1" {
		t.Error("Merge shares memory with its arguments")
	}
	if got := Merge(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("Merge(nil, nil) = %#v", got)
	}
}

func TestParamsGetHas(t *testing.T) {
	p := Params{"A": {"1", "2"}, "Empty": {""}, "None": nil}
	for _, tc := range []struct {
		name string
		get  string
		has  bool
	}{
		{"A", "1", true},
		{"Empty", "", true},
		{"None", "", false},
		{"Missing", "", false},
	} {
		if got := p.Get(tc.name); got != tc.get {
			t.Errorf("Get(%q) = %q, want %q", tc.name, got, tc.get)
		}
		if got := p.Has(tc.name); got != tc.has {
			t.Errorf("Has(%q) = %v, want %v", tc.name, got, tc.has)
		}
	}
	var nilParams Params
	if nilParams.Get("A") != "" || nilParams.Has("A") {
		t.Error("nil Params")
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: KindMissing, Param: "Tag.3.Key"}, "wire: missing parameter Tag.3.Key"},
		{invalid("Amount", "abc", "not an integer"), `wire: invalid parameter Amount="abc": not an integer`},
		{tooMany("DataDisk", 16), "wire: too many items in parameter DataDisk: at most 16 allowed"},
		{malformed("Tag.x.Key", "v", "list index must be a positive decimal integer"),
			"wire: malformed list parameter Tag.x.Key: list index must be a positive decimal integer"},
		{invalid("X", strings.Repeat("é", 70), "r"), `wire: invalid parameter X="` + strings.Repeat("é", 64) + `…": r`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	for k, want := range map[ErrorKind]string{KindMissing: "missing", KindInvalid: "invalid",
		KindTooMany: "too many", KindMalformedList: "malformed list", 0: "ErrorKind(0)"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}
