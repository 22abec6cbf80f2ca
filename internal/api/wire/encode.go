package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
)

// Encode flattens the struct src (or *src) into wire parameters, the mirror image
// of Decode: scalars when non-zero or required, pointers when non-nil, lists as
// `Name.N` (1-based), structs as `Name.Field`, maps as `Name.Key` (the SDK form
// `Name.#<len>#<key>` for keys that are empty or start with '#'), and fields with
// the json option as one JSON string, as Alibaba's clients send them.
//
// A struct whose fields are all zero sends nothing, so Decode(Encode(x)) drops
// such list items (the others are numbered without gaps) and leaves such
// pointers nil; inside a JSON list such an item is kept as `{}`. Encode fails on
// nil or non-struct input and on non-finite floats; it panics on unsupported
// field types, like Decode.
func Encode(src any) (url.Values, error) {
	rv := reflect.ValueOf(src)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, errors.New("wire: Encode of a nil pointer")
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("wire: Encode needs a struct or a pointer to one, got %T", src)
	}
	e := encoder{out: url.Values{}}
	if err := e.encodeStruct(planFor(rv.Type()), "", rv); err != nil {
		return nil, err
	}
	return e.out, nil
}

// encoder collects the parameters of one Encode call.
type encoder struct {
	out url.Values
	n   int // parameters added so far
}

func (e *encoder) encodeStruct(sp *structPlan, prefix string, v reflect.Value) error {
	for i := range sp.fields {
		f := &sp.fields[i]
		if err := e.encodeField(f, prefix+f.name, fieldByIndex(v, f.index)); err != nil {
			return err
		}
	}
	return nil
}

// skip reports whether field f with value v sends nothing.
func skip(f *field, v reflect.Value) bool {
	switch f.shape {
	case shapeScalar:
		return !f.required && v.IsZero()
	case shapePointer, shapeStructPtr:
		return v.IsNil()
	case shapeList, shapeStructList, shapeMap:
		return v.Len() == 0
	}
	return false
}

func (e *encoder) encodeField(f *field, full string, v reflect.Value) error {
	if skip(f, v) {
		return nil
	}
	if f.json {
		j, err := jsonOf(f, v)
		if err != nil {
			return fmt.Errorf("wire: parameter %s: %w", full, err)
		}
		if m, ok := j.(map[string]any); ok && len(m) == 0 {
			return nil
		}
		b, err := json.Marshal(j)
		if err != nil {
			return fmt.Errorf("wire: parameter %s: %w", full, err)
		}
		e.add(full, string(b))
		return nil
	}
	switch f.shape {
	case shapeScalar:
		return e.addLeaf(full, f, v)
	case shapePointer:
		return e.addLeaf(full, f, v.Elem())
	case shapeList:
		for i := range v.Len() {
			if err := e.addLeaf(full+"."+strconv.Itoa(i+1), f, v.Index(i)); err != nil {
				return err
			}
		}
	case shapeStructList:
		// Items that send nothing are skipped and the rest numbered without
		// gaps, as Decode would number them.
		for i, n := 0, 1; i < v.Len(); i++ {
			before := e.n
			if err := e.encodeStruct(f.elem, full+"."+strconv.Itoa(n)+".", v.Index(i)); err != nil {
				return err
			}
			if e.n > before {
				n++
			}
		}
	case shapeStruct:
		return e.encodeStruct(f.elem, full+".", v)
	case shapeStructPtr:
		return e.encodeStruct(f.elem, full+".", v.Elem())
	case shapeMap:
		it := v.MapRange()
		for it.Next() {
			if err := e.addLeaf(full+"."+encodeMapKey(it.Key().String()), f, it.Value()); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeMapKey writes a map key so that Decode reads it back unchanged.
func encodeMapKey(k string) string {
	if k == "" || k[0] == '#' {
		return "#" + strconv.Itoa(len(k)) + "#" + k
	}
	return k
}

func (e *encoder) addLeaf(name string, f *field, v reflect.Value) error {
	s, err := f.leaf.format(v)
	if err != nil {
		return fmt.Errorf("wire: parameter %s: %w", name, err)
	}
	e.add(name, s)
	return nil
}

func (e *encoder) add(name, value string) {
	e.out.Add(name, value)
	e.n++
}

// jsonOf builds the JSON value of field f (value v): arrays for lists, objects
// keyed by parameter name for structs and maps, json.Number for numbers. Inside
// it, fields are included by the same rules as flat parameters.
func jsonOf(f *field, v reflect.Value) (any, error) {
	switch f.shape {
	case shapeScalar:
		return jsonLeaf(&f.leaf, v)
	case shapePointer:
		return jsonLeaf(&f.leaf, v.Elem())
	case shapeList, shapeStructList:
		items := make([]any, v.Len())
		for i := range items {
			var err error
			if f.shape == shapeList {
				items[i], err = jsonLeaf(&f.leaf, v.Index(i))
			} else {
				items[i], err = jsonStruct(f.elem, v.Index(i))
			}
			if err != nil {
				return nil, err
			}
		}
		return items, nil
	case shapeStruct:
		return jsonStruct(f.elem, v)
	case shapeStructPtr:
		return jsonStruct(f.elem, v.Elem())
	}
	m := make(map[string]any, v.Len())
	it := v.MapRange()
	for it.Next() {
		j, err := jsonLeaf(&f.leaf, it.Value())
		if err != nil {
			return nil, err
		}
		m[encodeMapKey(it.Key().String())] = j
	}
	return m, nil
}

func jsonStruct(sp *structPlan, v reflect.Value) (map[string]any, error) {
	m := map[string]any{}
	for i := range sp.fields {
		f := &sp.fields[i]
		fv := fieldByIndex(v, f.index)
		if skip(f, fv) {
			continue
		}
		j, err := jsonOf(f, fv)
		if err != nil {
			return nil, err
		}
		if o, ok := j.(map[string]any); ok && len(o) == 0 && f.shape != shapeMap {
			continue
		}
		m[f.name] = j
	}
	return m, nil
}

func jsonLeaf(l *leaf, v reflect.Value) (any, error) {
	switch l.class {
	case classString:
		return v.String(), nil
	case classBool:
		return v.Bool(), nil
	}
	s, err := l.format(v)
	return json.Number(s), err
}
