package wire

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeHostileInputs checks that the cost of a call is bounded by its size,
// never by the indices or counts it claims.
func TestDecodeHostileInputs(t *testing.T) {
	bigArray := "[" + strings.Repeat(`"a",`, 1_000_000) + `"a"]`
	deepArray := strings.Repeat("[", 1_000_000)
	manyTags := req()
	for i := range 100_000 {
		manyTags["Tag."+strconv.Itoa(i+1)+".Key"] = []string{"k"}
	}
	type unbounded struct {
		L []string `param:"L,json"`
		S []struct {
			A string `param:"A"`
		} `param:"S,json"`
	}
	for _, tc := range []struct {
		name     string
		p        Params
		dst      any
		want     *Error
		maxBytes uint64
	}{
		{"huge index", req("Tag.999999999999999999999.Key", "k", "Ports.4294967296", "1"), &runInstances{}, nil, 16 << 10},
		{"many indices", manyTags, &runInstances{}, &Error{Kind: KindTooMany, Param: "Tag"}, 4 << 20},
		{"long JSON array, maxItems", req("HostNames", bigArray), &runInstances{},
			&Error{Kind: KindTooMany, Param: "HostNames", Value: ""}, 64 << 10},
		{"long JSON array, default cap", ps("L", bigArray), &unbounded{},
			&Error{Kind: KindTooMany, Param: "L"}, 1 << 20},
		{"deep JSON", ps("S", "[{\"a\":"+deepArray), &unbounded{}, &Error{Kind: KindInvalid, Param: "S", Value: "[{\"a\":" + deepArray}, 64 << 10},
		{"deep JSON in scalar list", ps("L", deepArray), &unbounded{}, &Error{Kind: KindInvalid, Param: "L", Value: deepArray}, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_ = Decode(Params{}, tc.dst) // build the plan outside the measurement
			var err error
			n := allocated(func() { err = Decode(tc.p, tc.dst) })
			checkErr(t, err, tc.want)
			if n > tc.maxBytes {
				t.Errorf("Decode allocated %d bytes, want at most %d", n, tc.maxBytes)
			}
		})
	}
}
