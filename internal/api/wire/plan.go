package wire

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// defaultMaxItems caps the distinct indices of a list, and the entries of a map,
// that has no maxItems tag.
const defaultMaxItems = 1000

// plans caches the decoding plan of every struct type seen by Decode or Encode
// (reflect.Type → *structPlan). It is the package's only mutable state.
var plans sync.Map

// shape is how a field maps onto wire parameters.
type shape uint8

const (
	shapeScalar     shape = iota // T: `Name`
	shapePointer                 // *T: `Name`, nil when absent
	shapeList                    // []T: `Name.N`
	shapeStruct                  // struct: `Name.Field`
	shapeStructPtr               // *struct: `Name.Field`, nil when absent
	shapeStructList              // []struct: `Name.N.Field`
	shapeMap                     // map[string]T: `Name.Key`
)

// structPlan is the validated description of one request struct type.
type structPlan struct {
	typ    reflect.Type
	fields []field
	// visit is true when decoding must look into this struct even if none of its
	// parameters were sent, because it (or a value struct inside it) has a
	// required field.
	visit bool
}

// field is one tagged field of a request struct.
type field struct {
	name     string // wire name relative to the enclosing struct; may contain dots
	goName   string // Go path of the field, for panic messages
	index    []int  // reflect index path (through embedded structs)
	shape    shape
	typ      reflect.Type // the field's Go type
	leaf     leaf         // scalar, pointer, list and map fields
	elem     *structPlan  // struct, pointer-to-struct and list-of-struct fields
	required bool
	json     bool
	maxItems int // 0: defaultMaxItems
	// claimed holds the names, relative to this field's name, of sibling fields
	// whose literal dotted names lie under it (field `PrivatePoolOptions` and
	// sibling `PrivatePoolOptions.Id` → "Id"). Keys under them are not this
	// field's items.
	claimed []string
}

// limit is the number of list items or map entries the field accepts.
func (f *field) limit() int {
	if f.maxItems > 0 {
		return f.maxItems
	}
	return defaultMaxItems
}

// planFor returns the cached plan of struct type t, building it on first use.
// It panics if t (or a type inside it) is not supported.
func planFor(t reflect.Type) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	p := buildPlan(t, map[reflect.Type]bool{})
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*structPlan)
}

// buildPlan builds the plan of struct type t; building holds the struct types
// being built above it, to reject recursive types.
func buildPlan(t reflect.Type, building map[reflect.Type]bool) *structPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*structPlan)
	}
	if building[t] {
		panic(fmt.Sprintf("wire: recursive parameter type %s", t))
	}
	building[t] = true
	defer delete(building, t)

	sp := &structPlan{typ: t}
	path := t.Name()
	if path == "" {
		path = "struct"
	}
	collectFields(sp, t, nil, path, building)
	seen := map[string]string{}
	for i := range sp.fields {
		f := &sp.fields[i]
		if other, dup := seen[f.name]; dup {
			panic(fmt.Sprintf("wire: %s and %s both use parameter %q", other, f.goName, f.name))
		}
		seen[f.name] = f.goName
		if f.required || (f.shape == shapeStruct && f.elem.visit) {
			sp.visit = true
		}
	}
	for i := range sp.fields {
		f := &sp.fields[i]
		if f.shape == shapeScalar || f.shape == shapePointer {
			continue
		}
		for j := range sp.fields {
			if g := sp.fields[j].name; i != j && strings.HasPrefix(g, f.name+".") {
				f.claimed = append(f.claimed, g[len(f.name)+1:])
			}
		}
	}
	plans.LoadOrStore(t, sp)
	return sp
}

// collectFields appends the tagged fields of struct type t (index path idx) to sp,
// promoting the fields of untagged embedded structs.
func collectFields(sp *structPlan, t reflect.Type, idx []int, path string, building map[reflect.Type]bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		index := append(append([]int(nil), idx...), i)
		goName := path + "." + sf.Name
		tag, ok := sf.Tag.Lookup("param")
		if !ok {
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				collectFields(sp, sf.Type, index, goName, building)
			}
			continue
		}
		if tag == "-" {
			continue
		}
		if !sf.IsExported() {
			panic(fmt.Sprintf("wire: field %s is not exported", goName))
		}
		sp.fields = append(sp.fields, buildField(sf, index, goName, tag, building))
	}
}

// buildField validates one tagged field and its tags.
func buildField(sf reflect.StructField, index []int, goName, tag string, building map[reflect.Type]bool) field {
	name, opts, _ := strings.Cut(tag, ",")
	if !validName(name) {
		panic(fmt.Sprintf("wire: field %s: bad parameter name %q", goName, name))
	}
	f := field{name: name, goName: goName, index: index, typ: sf.Type}
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		switch opt {
		case "required":
			f.required = true
		case "json":
			f.json = true
		default:
			panic(fmt.Sprintf("wire: field %s: unknown tag option %q", goName, opt))
		}
	}
	var leafType reflect.Type
	f.shape, leafType = classify(sf.Type)
	switch f.shape {
	case shapeStruct, shapeStructPtr, shapeStructList:
		f.elem = buildPlan(leafType, building)
	default:
		if leafType == nil {
			panic(fmt.Sprintf("wire: field %s: unsupported type %s", goName, sf.Type))
		}
		f.leaf = leaf{class: classOf(leafType.Kind()), bits: bitsOf(leafType)}
	}
	if f.json && (f.shape == shapeScalar || f.shape == shapePointer) {
		panic(fmt.Sprintf("wire: field %s: option json needs a list, struct or map", goName))
	}
	parseRules(&f, sf.Tag)
	return f
}

// validName reports whether a tag name is non-empty with no empty dot segment.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for seg := range strings.SplitSeq(name, ".") {
		if seg == "" {
			return false
		}
	}
	return true
}

// classify returns the shape of a field type and its leaf type (the scalar type,
// or the struct type for struct shapes); leaf is nil if the type is unsupported.
func classify(t reflect.Type) (shape, reflect.Type) {
	switch {
	case isScalar(t):
		return shapeScalar, t
	case t.Kind() == reflect.Struct:
		return shapeStruct, t
	case t.Kind() == reflect.Pointer && isScalar(t.Elem()):
		return shapePointer, t.Elem()
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		return shapeStructPtr, t.Elem()
	case t.Kind() == reflect.Slice && isScalar(t.Elem()):
		return shapeList, t.Elem()
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return shapeStructList, t.Elem()
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && isScalar(t.Elem()):
		return shapeMap, t.Elem()
	}
	return shapeScalar, nil
}

// isScalar reports whether t is a string, bool, integer or float type.
func isScalar(t reflect.Type) bool {
	return classOf(t.Kind()) != classNone
}

// parseRules reads the validation tags min, max, maxItems, enum and maxLen.
func parseRules(f *field, tag reflect.StructTag) {
	bad := func(format string, args ...any) {
		panic(fmt.Sprintf("wire: field %s: ", f.goName) + fmt.Sprintf(format, args...))
	}
	hasLeaf := f.elem == nil
	if s, ok := tag.Lookup("maxItems"); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			bad("bad maxItems %q", s)
		}
		if f.shape != shapeList && f.shape != shapeStructList && f.shape != shapeMap {
			bad("maxItems needs a list or map")
		}
		f.maxItems = n
	}
	if s, ok := tag.Lookup("enum"); ok {
		if !hasLeaf || f.leaf.class != classString || s == "" {
			bad("enum %q needs string values", s)
		}
		f.leaf.enum = strings.Split(s, "|")
	}
	if s, ok := tag.Lookup("maxLen"); ok {
		n, err := strconv.Atoi(s)
		if !hasLeaf || f.leaf.class != classString || err != nil || n < 1 {
			bad("maxLen %q needs string values and a positive length", s)
		}
		f.leaf.maxLen = n
	}
	for _, which := range []string{"min", "max"} {
		s, ok := tag.Lookup(which)
		if !ok {
			continue
		}
		if !hasLeaf || !f.leaf.numeric() {
			bad("%s needs number values", which)
		}
		b, err := f.leaf.parseBound(s)
		if err != nil {
			bad("bad %s %q", which, s)
		}
		if which == "min" {
			f.leaf.min = b
		} else {
			f.leaf.max = b
		}
	}
	if f.leaf.min.set && f.leaf.max.set && f.leaf.cmp(f.leaf.min, f.leaf.max) > 0 {
		bad("min is greater than max")
	}
}
