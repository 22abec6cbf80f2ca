package wire

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
)

// FuzzDecode decodes arbitrary form-encoded parameters into runInstances, which
// has every supported field kind. Decode must never panic; a failure must be a
// *Error naming a parameter; a success must survive Encode, and Encode∘Decode
// must be a fixpoint on the wire form.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"",
		runInstancesQuery,
		"ImageId=m-1&Tag.1.Key=a&Tag.3.Value=b",
		"ImageId=m-1&Tag.99999999999999999999.Key=z&Tag.0.Key=y",
		"ImageId=m-1&NetworkInterface.1.SecurityGroupIds.1=sg&NetworkInterface.2.SecurityGroupIds.9=x",
		`ImageId=m-1&HostNames=["a","b"]&Arn=[{"RoleType":"service","AssumeRoleFor":"3"},{}]`,
		`ImageId=m-1&Arn=[{"Rolearn":{"x":[1,[2,{"y":null}]]}}]&HostNames=[1,true]`,
		"ImageId=m-1&Amount=1e3&Period=-0&Weight=+1&Ratio=0x1p-2&SpotPriceLimit=NaN",
		"ImageId=m-1&Labels.%233%23a.b=1&Labels.a=2&Labels.=3&Labels.%230%23=4",
		"ImageId=m-1&PrivatePoolOptions.Id=p&PrivatePoolOptions.MatchCriteria=Open&SystemDisk.Size=20",
		"ImageId=&DataDisk.01.Size=1&Ports.1=&Ports.2=65536",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		v, _ := url.ParseQuery(query) // keeps what parsed before an error
		var got runInstances
		err := Decode(Params(v), &got)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		wire1, err := Encode(&got)
		if err != nil {
			t.Fatalf("Encode of a decoded request: %v\nrequest: %+v", err, got)
		}
		var again runInstances
		if err := Decode(Params(wire1), &again); err != nil {
			t.Fatalf("Decode(Encode(x)): %v\nwire: %v", err, wire1)
		}
		wire2, err := Encode(&again)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(wire1, wire2) {
			t.Fatalf("Encode∘Decode is not a fixpoint\nfirst:  %v\nsecond: %v", wire1, wire2)
		}
	})
}

func checkFuzzError(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if e.Param == "" || e.Reason == "" || e.Error() == "" {
		t.Fatalf("error %#v lacks a parameter name or reason", e)
	}
	if e.Kind < KindMissing || e.Kind > KindMalformedList {
		t.Fatalf("error %#v has an unknown kind", e)
	}
}
