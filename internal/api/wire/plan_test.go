package wire

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

type recursivePtr struct {
	Next *recursivePtr `param:"Next"`
}

type recursiveList struct {
	Items []recursiveList `param:"Items"`
}

type hidden struct {
	Inner string `param:"Inner"`
}

// panicCase is a destination that Decode must refuse with a panic.
type panicCase struct {
	name string
	dst  any
	want string // substring of the panic message
}

func runPanicCases(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if r == nil || !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "wire: ") {
					t.Errorf("panic = %v, want one containing %q", r, tc.want)
				}
			}()
			_ = Decode(Params{}, tc.dst)
		})
	}
}

func TestPlanPanicsOnTypes(t *testing.T) {
	runPanicCases(t, []panicCase{
		{"nil", nil, "non-nil pointer to a struct"},
		{"struct value", runInstances{}, "non-nil pointer to a struct"},
		{"nil pointer", (*runInstances)(nil), "non-nil pointer to a struct"},
		{"pointer to map", &map[string]string{}, "non-nil pointer to a struct"},
		{"chan", &struct {
			C chan int `param:"C"`
		}{}, "unsupported type chan int"},
		{"interface", &struct {
			I any `param:"I"`
		}{}, "unsupported type"},
		{"complex", &struct {
			C complex128 `param:"C"`
		}{}, "unsupported type"},
		{"uintptr", &struct {
			U uintptr `param:"U"`
		}{}, "unsupported type"},
		{"list of lists", &struct {
			L [][]string `param:"L"`
		}{}, "unsupported type"},
		{"list of pointers", &struct {
			L []*hidden `param:"L"`
		}{}, "unsupported type"},
		{"pointer to list", &struct {
			L *[]string `param:"L"`
		}{}, "unsupported type"},
		{"double pointer", &struct {
			P **int `param:"P"`
		}{}, "unsupported type"},
		{"array", &struct {
			A [2]string `param:"A"`
		}{}, "unsupported type"},
		{"map with int keys", &struct {
			M map[int]string `param:"M"`
		}{}, "unsupported type"},
		{"map of structs", &struct {
			M map[string]hidden `param:"M"`
		}{}, "unsupported type"},
		{"unsupported type inside a nested struct", &struct {
			S struct {
				F func() `param:"F"`
			} `param:"S"`
		}{}, "unsupported type func()"},
		{"recursive pointer", &recursivePtr{}, "recursive parameter type"},
		{"recursive list", &recursiveList{}, "recursive parameter type"},
	})
}

func TestPlanPanicsOnTags(t *testing.T) {
	runPanicCases(t, []panicCase{
		{"unknown option", &struct {
			S string `param:"S,optional"`
		}{}, `unknown tag option "optional"`},
		{"empty name", &struct {
			S string `param:",required"`
		}{}, "bad parameter name"},
		{"empty segment", &struct {
			S string `param:"A..B"`
		}{}, "bad parameter name"},
		{"trailing dot", &struct {
			S string `param:"A."`
		}{}, "bad parameter name"},
		{"duplicate", &struct {
			A string `param:"X"`
			B int    `param:"X"`
		}{}, `both use parameter "X"`},
		{"duplicate through embedding", &struct {
			common
			R string `param:"RegionId"`
		}{}, `both use parameter "RegionId"`},
		{"unexported", &struct {
			s string `param:"S"`
		}{}, "not exported"},
		{"json on scalar", &struct {
			S string `param:"S,json"`
		}{}, "option json"},
		{"min on string", &struct {
			S string `param:"S" min:"1"`
		}{}, "min needs number"},
		{"bad min", &struct {
			N int `param:"N" min:"one"`
		}{}, `bad min "one"`},
		{"min out of range", &struct {
			N int8 `param:"N" max:"300"`
		}{}, `bad max "300"`},
		{"NaN bound", &struct {
			F float64 `param:"F" max:"NaN"`
		}{}, `bad max "NaN"`},
		{"min above max", &struct {
			N int `param:"N" min:"5" max:"4"`
		}{}, "min is greater than max"},
		{"enum on int", &struct {
			N int `param:"N" enum:"1|2"`
		}{}, "needs string values"},
		{"empty enum", &struct {
			S string `param:"S" enum:""`
		}{}, "needs string values"},
		{"maxLen on bool", &struct {
			B bool `param:"B" maxLen:"3"`
		}{}, "maxLen"},
		{"maxLen zero", &struct {
			S string `param:"S" maxLen:"0"`
		}{}, "maxLen"},
		{"maxItems on scalar", &struct {
			S string `param:"S" maxItems:"3"`
		}{}, "maxItems needs a list or map"},
		{"maxItems zero", &struct {
			S []string `param:"S" maxItems:"0"`
		}{}, `bad maxItems "0"`},
		{"rule on struct", &struct {
			S hidden `param:"S" maxLen:"3"`
		}{}, "maxLen"},
	})
}

func TestPlanSupported(t *testing.T) {
	type named string
	type embedded struct {
		hidden
		Shared string `param:"Shared"`
	}
	var dst struct {
		embedded
		*common                      // embedded pointer: not promoted, ignored
		Named     named              `param:"Named" enum:"a|b"`
		NamedList []named            `param:"NamedList"`
		NamedMap  map[named]named    `param:"NamedMap"`
		When      time.Time          // untagged struct: ignored
		Mu        sync.Mutex         // untagged: ignored
		I8        int8               `param:"I8"`
		U64       uint64             `param:"U64"`
		Bytes     []byte             `param:"Bytes"`
		Ptrs      *struct{ X int }   `param:"Ptrs"` // a struct with no tagged fields
		Digits    string             `param:"A.1"`
		Floats    map[string]float64 `param:"Floats"`
	}
	p := ps("Inner", "in", "Shared", "sh", "Named", "b", "NamedList.1", "x", "NamedMap.k", "v",
		"I8", "-128", "U64", "18446744073709551615", "Bytes.1", "255", "Ptrs.X", "1", "A.1", "d", "Floats.pi", "3.14")
	if err := Decode(p, &dst); err != nil {
		t.Fatal(err)
	}
	if dst.Inner != "in" || dst.Shared != "sh" || dst.Named != "b" || !reflect.DeepEqual(dst.NamedList, []named{"x"}) ||
		dst.NamedMap["k"] != "v" || dst.I8 != -128 || dst.U64 != 1<<64-1 || !reflect.DeepEqual(dst.Bytes, []byte{255}) ||
		dst.Ptrs == nil || dst.Digits != "d" || dst.Floats["pi"] != 3.14 || dst.common != nil {
		t.Errorf("got %+v", &dst)
	}
	checkErr(t, Decode(ps("Named", "c"), &dst), &Error{Kind: KindInvalid, Param: "Named", Value: "c"})
	checkErr(t, Decode(ps("I8", "128"), &dst), &Error{Kind: KindInvalid, Param: "I8", Value: "128"})
}

func TestPlanCached(t *testing.T) {
	typ := reflect.TypeFor[runInstances]()
	var wg sync.WaitGroup
	got := make([]*structPlan, 8)
	for i := range got {
		wg.Go(func() { got[i] = planFor(typ) })
	}
	wg.Wait()
	for _, p := range got {
		if p != got[0] {
			t.Fatal("planFor returned different plans for one type")
		}
	}
	if !got[0].visit {
		t.Error("runInstances has a required field, visit should be true")
	}
	for _, f := range got[0].fields {
		if f.name == "PrivatePoolOptions" && !reflect.DeepEqual(f.claimed, []string{"Id"}) {
			t.Errorf("claimed = %q", f.claimed)
		}
	}
}
