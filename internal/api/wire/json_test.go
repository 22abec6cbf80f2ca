package wire

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeJSONLists(t *testing.T) {
	// `[{"x":` opens two levels.
	deep := strings.Repeat(`{"a":`, maxJSONDepth-2) + `1` + strings.Repeat(`}`, maxJSONDepth-2)
	tooDeep := strings.Repeat(`{"a":`, maxJSONDepth-1) + `1` + strings.Repeat(`}`, maxJSONDepth-1)
	runDecodeCases(t, []decodeCase{
		{name: "strings", p: req("HostNames", `["i-1","i-2"]`), want: runInstances{HostNames: []string{"i-1", "i-2"}}},
		{name: "spaces and escapes", p: req("HostNames", " [ \"a\\\"b\" , \"\\u00e9\" ] "),
			want: runInstances{HostNames: []string{`a"b`, "é"}}},
		{name: "numbers and booleans as strings", p: req("HostNames", `[1, 2.5, true]`),
			want: runInstances{HostNames: []string{"1", "2.5", "true"}}},
		{name: "empty array", p: req("HostNames", `[]`), want: runInstances{}},
		{name: "empty value is absent", p: req("HostNames", ``), want: runInstances{}},
		{name: "N form also accepted", p: req("HostNames.2", "b", "HostNames.1", "a"),
			want: runInstances{HostNames: []string{"a", "b"}}},
		{name: "JSON form wins over N form", p: req("HostNames", `["j"]`, "HostNames.1", "n"),
			want: runInstances{HostNames: []string{"j"}}},
		{name: "empty JSON falls back to N form", p: req("HostNames", ``, "HostNames.1", "n"),
			want: runInstances{HostNames: []string{"n"}}},
		{name: "not JSON", p: req("HostNames", `i-1`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `i-1`}},
		{name: "unterminated", p: req("HostNames", `["a"`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a"`}},
		{name: "trailing comma", p: req("HostNames", `["a",]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a",]`}},
		{name: "missing comma", p: req("HostNames", `["a" "b"]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a" "b"]`}},
		{name: "trailing value", p: req("HostNames", `["a"] ["b"]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a"] ["b"]`}},
		{name: "trailing garbage", p: req("HostNames", `["a"]x`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a"]x`}},
		{name: "object instead of array", p: req("HostNames", `{"a":1}`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `{"a":1}`}},
		{name: "string instead of array", p: req("HostNames", `"a"`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `"a"`}},
		{name: "null instead of array", p: req("HostNames", `null`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `null`}},
		{name: "null item", p: req("HostNames", `["a",null]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `["a",null]`}},
		{name: "array item", p: req("HostNames", `[["a"]]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `[["a"]]`}},
		{name: "object item in string list", p: req("HostNames", `[{}]`), err: &Error{Kind: KindInvalid, Param: "HostNames", Value: `[{}]`}},
		{name: "too many items", p: req("HostNames", `["1","2","3","4","5","6","7","8","9","10","11"]`),
			err: &Error{Kind: KindTooMany, Param: "HostNames"}},
		{name: "invalid UTF-8 in JSON string is replaced", p: req("HostNames", "[\"a\xffb\"]"),
			want: runInstances{HostNames: []string{"a\uFFFDb"}}},
		{name: "objects", p: req("Arn", `[{"RoleType":"service","Rolearn":"r1","AssumeRoleFor":12},{"Rolearn":"r2"}]`),
			want: runInstances{Arn: []arn{{RoleType: "service", Rolearn: "r1", AssumeRoleFor: 12}, {Rolearn: "r2"}}}},
		{name: "number as string and nulls", p: req("Arn", `[{"AssumeRoleFor":"7","RoleType":null}]`),
			want: runInstances{Arn: []arn{{AssumeRoleFor: 7}}}},
		{name: "empty object is one item", p: req("Arn", `[{},{"Rolearn":"r"}]`), want: runInstances{Arn: []arn{{}, {Rolearn: "r"}}}},
		{name: "unknown members ignored", p: req("Arn", `[{"Other":{"x":[1,2]},"Rolearn":"r"}]`),
			want: runInstances{Arn: []arn{{Rolearn: "r"}}}},
		{name: "error names the flattened item", p: req("Arn", `[{"Rolearn":"r"},{"RoleType":"root"}]`),
			err: &Error{Kind: KindInvalid, Param: "Arn.2.RoleType", Value: "root"}},
		{name: "bad number in item", p: req("Arn", `[{"AssumeRoleFor":1.5}]`),
			err: &Error{Kind: KindInvalid, Param: "Arn.1.AssumeRoleFor", Value: "1.5"}},
		{name: "string item in object list", p: req("Arn", `["x"]`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `["x"]`}},
		{name: "bad JSON inside an item", p: req("Arn", `[{"a":[1,}]`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{"a":[1,}]`}},
		{name: "missing colon", p: req("Arn", `[{"a" 1}]`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{"a" 1}]`}},
		{name: "object key not a string", p: req("Arn", `[{1:2}]`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{1:2}]`}},
		{name: "truncated member", p: req("Arn", `[{"a":`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{"a":`}},
		{name: "truncated nested object", p: req("Arn", `[{"a":{"b":1`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{"a":{"b":1`}},
		{name: "struct list N form", p: req("Arn.1.Rolearn", "r"), want: runInstances{Arn: []arn{{Rolearn: "r"}}}},
		{name: "deep nesting accepted", p: req("Arn", `[{"x":`+deep+`}]`), want: runInstances{Arn: []arn{{}}}},
		{name: "too deep", p: req("Arn", `[{"x":`+tooDeep+`}]`), err: &Error{Kind: KindInvalid, Param: "Arn", Value: `[{"x":` + tooDeep + `}]`}},
		{name: "too many values", p: req("Arn", `[{"x":[`+strings.Repeat(`1,`, maxJSONValues)+`1]}]`),
			err: &Error{Kind: KindTooMany, Param: "Arn"}},
	})
}

func TestDecodeJSONNested(t *testing.T) {
	type ni struct {
		VSwitchId string   `param:"VSwitchId"`
		Ids       []string `param:"SecurityGroupIds,json" maxItems:"2"`
	}
	type opts struct {
		Id    string            `param:"Id,required"`
		Sizes []int             `param:"Sizes"`
		Inner *ni               `param:"Inner"`
		Tags  map[string]string `param:"Tags"`
	}
	type req struct {
		NI   []ni              `param:"NI"`
		Opts *opts             `param:"Opts,json"`
		Meta map[string]int    `param:"Meta,json"`
		Kv   map[string]string `param:"Kv,json"`
	}
	for _, tc := range []struct {
		name string
		p    Params
		want req
		err  *Error
	}{
		{name: "JSON list inside an N-form item",
			p:    ps("NI.1.SecurityGroupIds", `["sg-1","sg-2"]`, "NI.2.SecurityGroupIds.1", "sg-3"),
			want: req{NI: []ni{{Ids: []string{"sg-1", "sg-2"}}, {Ids: []string{"sg-3"}}}}},
		{name: "nested JSON list too long", p: ps("NI.1.SecurityGroupIds", `["a","b","c"]`),
			err: &Error{Kind: KindTooMany, Param: "NI.1.SecurityGroupIds"}},
		{name: "JSON struct", p: ps("Opts", `{"Id":"x","Sizes":[1,2],"Inner":{"VSwitchId":"v","SecurityGroupIds":["s"]},"Tags":{"a.b":"c"}}`),
			want: req{Opts: &opts{Id: "x", Sizes: []int{1, 2}, Inner: &ni{VSwitchId: "v", Ids: []string{"s"}}, Tags: map[string]string{"a.b": "c"}}}},
		{name: "JSON struct N form", p: ps("Opts.Id", "x", "Opts.Sizes.1", "3"), want: req{Opts: &opts{Id: "x", Sizes: []int{3}}}},
		{name: "JSON struct missing member", p: ps("Opts", `{"Sizes":[1]}`), err: &Error{Kind: KindMissing, Param: "Opts.Id"}},
		{name: "JSON struct empty object", p: ps("Opts", `{}`)},
		{name: "JSON struct not an object", p: ps("Opts", `[1]`), err: &Error{Kind: KindInvalid, Param: "Opts", Value: `[1]`}},
		{name: "JSON struct bad item", p: ps("Opts", `{"Id":"x","Sizes":[1,"a"]}`), err: &Error{Kind: KindInvalid, Param: "Opts.Sizes.2", Value: "a"}},
		{name: "JSON map", p: ps("Meta", `{"a":1,"b":"2","c":null}`), want: req{Meta: map[string]int{"a": 1, "b": 2}}},
		{name: "JSON map bad value", p: ps("Meta", `{"a":true}`), err: &Error{Kind: KindInvalid, Param: "Meta.a", Value: "true"}},
		{name: "JSON map nested value ignored", p: ps("Kv", `{"a":{"b":"c"}}`), want: req{Kv: map[string]string{"a.b": "c"}}},
		{name: "JSON map duplicate key first wins", p: ps("Kv", `{"a":"1","a":"2"}`), want: req{Kv: map[string]string{"a": "1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got req
			err := Decode(tc.p, &got)
			checkErr(t, err, tc.err)
			if tc.err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
