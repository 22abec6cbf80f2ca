package wire

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Decode fills the struct pointed to by dst from p according to its `param` tags
// (see the package documentation). It sets only the fields whose parameters were
// sent, so fields preset by the caller keep their values when absent.
//
// Decode returns a *Error for the first problem in p (fields in declaration order,
// list items in index order). It panics if dst is not a non-nil pointer to a
// struct, or if the struct's type is not supported; the type is checked once and
// its plan cached.
func Decode(p Params, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("wire: Decode needs a non-nil pointer to a struct, got %T", dst))
	}
	d := decoder{p: p}
	if err := d.decodeStruct(planFor(rv.Elem().Type()), "", rv.Elem()); err != nil {
		return err
	}
	return nil
}

// decoder holds the parameters of one Decode call and, once a list, map or
// struct needs them, the keys that contain a dot, in byte order.
type decoder struct {
	p      Params
	keys   []string
	sorted bool
}

// under returns the keys that start with prefix (which ends with a dot), in byte
// order.
func (d *decoder) under(prefix string) []string {
	if !d.sorted {
		d.keys = make([]string, 0, len(d.p))
		for k := range d.p {
			if strings.IndexByte(k, '.') >= 0 {
				d.keys = append(d.keys, k)
			}
		}
		slices.Sort(d.keys)
		d.sorted = true
	}
	if len(d.keys) == 0 {
		return nil
	}
	lo, _ := slices.BinarySearch(d.keys, prefix)
	rest := d.keys[lo:]
	n := sort.Search(len(rest), func(i int) bool { return !strings.HasPrefix(rest[i], prefix) })
	return rest[:n]
}

// present reports whether any key lies under prefix other than those claimed by
// sibling fields.
func (d *decoder) present(prefix string, claimed []string) bool {
	for _, k := range d.under(prefix) {
		if !isClaimed(k[len(prefix):], claimed) {
			return true
		}
	}
	return false
}

// isClaimed reports whether the key rest (relative to a field's prefix) belongs
// to one of the sibling names in claimed.
func isClaimed(rest string, claimed []string) bool {
	for _, c := range claimed {
		if strings.HasPrefix(rest, c) && (len(rest) == len(c) || rest[len(c)] == '.') {
			return true
		}
	}
	return false
}

// decodeStruct decodes the fields of sp from the parameters under prefix into v.
func (d *decoder) decodeStruct(sp *structPlan, prefix string, v reflect.Value) *Error {
	for i := range sp.fields {
		f := &sp.fields[i]
		if err := d.decodeField(f, prefix+f.name, fieldByIndex(v, f.index)); err != nil {
			return err
		}
	}
	return nil
}

// fieldByIndex is reflect.Value.FieldByIndex for paths through value structs.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	if len(index) == 1 {
		return v.Field(index[0])
	}
	return v.FieldByIndex(index)
}

// decodeField decodes one field whose full wire name is full.
func (d *decoder) decodeField(f *field, full string, v reflect.Value) *Error {
	switch f.shape {
	case shapeScalar, shapePointer:
		return d.decodeScalar(f, full, v)
	}
	if f.json {
		if raw, ok := d.p.first(full); ok && raw != "" {
			sub, err := jsonParams(f, full, raw)
			if err != nil {
				return err
			}
			jd := decoder{p: sub}
			return jd.decodeComposite(f, full, v)
		}
	}
	return d.decodeComposite(f, full, v)
}

// decodeComposite decodes a list, struct or map field from its flattened form.
func (d *decoder) decodeComposite(f *field, full string, v reflect.Value) *Error {
	switch f.shape {
	case shapeList, shapeStructList:
		return d.decodeList(f, full, v)
	case shapeMap:
		return d.decodeMap(f, full, v)
	}
	prefix := full + "."
	present := d.present(prefix, f.claimed)
	if !present && f.required {
		return missing(full)
	}
	if f.shape == shapeStruct {
		if !present && !f.elem.visit {
			return nil
		}
		return d.decodeStruct(f.elem, prefix, v)
	}
	if !present {
		return nil
	}
	if v.IsNil() {
		v.Set(reflect.New(f.typ.Elem()))
	}
	return d.decodeStruct(f.elem, prefix, v.Elem())
}

// decodeScalar decodes a scalar or pointer-to-scalar field.
func (d *decoder) decodeScalar(f *field, full string, v reflect.Value) *Error {
	s, ok := d.p.first(full)
	if s == "" && (f.required || f.shape == shapeScalar || f.leaf.class != classString) {
		// Absent, or empty (which means absent except for an optional *string).
		if f.required {
			return missing(full)
		}
		return nil
	}
	if !ok {
		return nil
	}
	target := v
	if f.shape == shapePointer {
		target = reflect.New(f.typ.Elem()).Elem()
	}
	if reason := f.leaf.set(target, s); reason != "" {
		return invalid(full, s, reason)
	}
	if f.shape == shapePointer {
		v.Set(target.Addr())
	}
	return nil
}

// decodeList decodes `full.N` (scalars) or `full.N.Field` (structs) items. Indices
// are sorted numerically and gaps are closed up.
func (d *decoder) decodeList(f *field, full string, v reflect.Value) *Error {
	prefix := full + "."
	idxs, err := d.indices(f, prefix)
	if err != nil {
		return err
	}
	if len(idxs) == 0 {
		if f.required {
			return missing(full)
		}
		return nil
	}
	items := reflect.MakeSlice(f.typ, len(idxs), len(idxs))
	n := 0
	for _, idx := range idxs {
		name := prefix + idx
		if f.shape == shapeStructList {
			if err := d.decodeStruct(f.elem, name+".", items.Index(n)); err != nil {
				return err
			}
			n++
			continue
		}
		s, _ := d.p.first(name)
		if s == "" && f.leaf.class != classString {
			continue // an empty number or boolean is an absent item
		}
		if reason := f.leaf.set(items.Index(n), s); reason != "" {
			return invalid(name, s, reason)
		}
		n++
	}
	if n == 0 {
		if f.required {
			return missing(full)
		}
		return nil
	}
	v.Set(items.Slice(0, n))
	return nil
}

// indices returns the distinct item indices under prefix, in numeric order: for
// scalar lists those of `prefix+N` keys, for struct lists those of
// `prefix+N.Field` keys. Indices never get converted to integers, so a huge N
// costs nothing; their count is capped by the field's limit.
func (d *decoder) indices(f *field, prefix string) ([]string, *Error) {
	wantSub := f.shape == shapeStructList
	var idxs []string
	for _, k := range d.under(prefix) {
		rest := k[len(prefix):]
		if isClaimed(rest, f.claimed) {
			continue
		}
		idx, _, sub := strings.Cut(rest, ".")
		if !canonicalIndex(idx) {
			return nil, malformed(k, d.p.Get(k), "list index must be a positive decimal integer")
		}
		if sub != wantSub {
			continue
		}
		// Keys of one index are adjacent in byte order: between `P.N` and
		// `P.N.x` only keys `P.N<c>…` with c < '.' sort, and those are malformed.
		if len(idxs) > 0 && idxs[len(idxs)-1] == idx {
			continue
		}
		if len(idxs) == f.limit() {
			return nil, tooMany(prefix[:len(prefix)-1], f.limit())
		}
		idxs = append(idxs, idx)
	}
	slices.SortFunc(idxs, compareIndex)
	return slices.Compact(idxs), nil
}

// canonicalIndex reports whether s is a positive decimal without leading zeros.
func canonicalIndex(s string) bool {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// compareIndex orders canonical decimal strings numerically.
func compareIndex(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// decodeMap decodes `full.Key` entries, and the SDK's `full.#<len>#<key>` form.
// When both forms name the same key, the first in byte order (the SDK form) wins.
func (d *decoder) decodeMap(f *field, full string, v reflect.Value) *Error {
	prefix := full + "."
	var m reflect.Value
	for _, k := range d.under(prefix) {
		rest := k[len(prefix):]
		if isClaimed(rest, f.claimed) {
			continue
		}
		s, _ := d.p.first(k)
		if s == "" && f.leaf.class != classString {
			continue
		}
		key := mapKey(rest)
		if !utf8.ValidString(key) {
			return invalid(k, s, "map key is not valid UTF-8")
		}
		kv := reflect.ValueOf(key).Convert(f.typ.Key())
		if !m.IsValid() {
			m = reflect.MakeMap(f.typ)
		} else if m.MapIndex(kv).IsValid() {
			continue
		}
		if m.Len() == f.limit() {
			return tooMany(full, f.limit())
		}
		ev := reflect.New(f.typ.Elem()).Elem()
		if reason := f.leaf.set(ev, s); reason != "" {
			return invalid(k, s, reason)
		}
		m.SetMapIndex(kv, ev)
	}
	if !m.IsValid() {
		if f.required {
			return missing(full)
		}
		return nil
	}
	v.Set(m)
	return nil
}

// mapKey decodes the key part of a map parameter: `#<len>#<key>` (the SDK's Map
// form, when <len> is the byte length of <key>) or the literal key.
func mapKey(rest string) string {
	if len(rest) < 3 || rest[0] != '#' {
		return rest
	}
	j := strings.IndexByte(rest[1:], '#') + 1
	if j < 2 {
		return rest
	}
	n := 0
	for _, c := range []byte(rest[1:j]) {
		if c < '0' || c > '9' || n > len(rest) {
			return rest
		}
		n = n*10 + int(c-'0')
	}
	if key := rest[j+1:]; n == len(key) {
		return key
	}
	return rest
}
