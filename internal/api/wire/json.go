package wire

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Limits on one JSON-string parameter.
const (
	// maxJSONDepth is the deepest nesting of arrays and objects accepted
	// (`[{"a":[1]}]` is nested 3 deep).
	maxJSONDepth = 32
	// maxJSONValues caps the scalar values one JSON parameter may carry.
	maxJSONValues = 10000
)

// jsonParams parses raw, the JSON form of field f (full wire name full), and
// flattens it the way the Tea SDKs flatten a request model: array items become
// `full.N` (1-based), object members `full.Member`; strings, numbers and booleans
// become values, nulls are dropped. The result is decoded like any flat
// parameters, so both forms share one set of rules and error names.
//
// Lists must be JSON arrays (of objects for lists of structs, of strings, numbers
// or booleans otherwise); structs and maps must be JSON objects.
func jsonParams(f *field, full, raw string) (Params, *Error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	j := &flattener{dec: dec, full: full, raw: raw, out: Params{}}
	tok, err := dec.Token()
	if err != nil {
		return nil, j.syntax(err)
	}
	switch f.shape {
	case shapeList, shapeStructList:
		if tok != json.Delim('[') {
			return nil, invalid(full, raw, "not a JSON array")
		}
		if err := j.items(f); err != nil {
			return nil, err
		}
	default:
		if tok != json.Delim('{') {
			return nil, invalid(full, raw, "not a JSON object")
		}
		if err := j.value(full, tok, 1); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return nil, j.syntax(err)
	}
	return j.out, nil
}

// flattener turns one JSON value into flat parameters.
type flattener struct {
	dec    *json.Decoder
	full   string // the parameter's wire name, for errors
	raw    string // the parameter's value, for errors
	out    Params
	values int
}

func (j *flattener) syntax(err error) *Error {
	return invalid(j.full, j.raw, "not valid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
}

// items flattens the items of a top-level array (its '[' already read) for list
// field f, checking each item's shape and the item count.
func (j *flattener) items(f *field) *Error {
	n := 0
	for j.dec.More() {
		n++
		if n > f.limit() {
			return tooMany(j.full, f.limit())
		}
		tok, err := j.dec.Token()
		if err != nil {
			return j.syntax(err)
		}
		switch tok.(type) {
		case json.Delim:
			if f.shape != shapeStructList || tok != json.Delim('{') {
				return invalid(j.full, j.raw, "item "+strconv.Itoa(n)+" has the wrong JSON type")
			}
		case nil:
			return invalid(j.full, j.raw, "item "+strconv.Itoa(n)+" is null")
		default:
			if f.shape == shapeStructList {
				return invalid(j.full, j.raw, "item "+strconv.Itoa(n)+" is not a JSON object")
			}
		}
		name := j.full + "." + strconv.Itoa(n)
		if f.shape == shapeStructList {
			// Mark the item, so that `[{}]` decodes to one zero item.
			if err := j.emit(name+".", ""); err != nil {
				return err
			}
		}
		if err := j.value(name, tok, 2); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil {
		return j.syntax(err)
	}
	return nil
}

// value flattens the JSON value that starts with tok under the wire name name.
func (j *flattener) value(name string, tok json.Token, depth int) *Error {
	switch t := tok.(type) {
	case json.Delim:
		if depth > maxJSONDepth {
			return invalid(j.full, j.raw, "JSON nested too deeply")
		}
		return j.container(name, t, depth)
	case string:
		return j.emit(name, t)
	case json.Number:
		return j.emit(name, string(t))
	case bool:
		return j.emit(name, strconv.FormatBool(t))
	}
	return nil // null: absent
}

// container flattens an array or object whose opening delimiter open was read.
func (j *flattener) container(name string, open json.Delim, depth int) *Error {
	for i := 1; j.dec.More(); i++ {
		member := strconv.Itoa(i)
		if open == '{' {
			key, err := j.dec.Token()
			if err != nil {
				return j.syntax(err)
			}
			k, ok := key.(string)
			if !ok { // not reachable: the decoder only yields string keys
				return invalid(j.full, j.raw, "not valid JSON: object key is not a string")
			}
			member = k
		}
		tok, err := j.dec.Token()
		if err != nil {
			return j.syntax(err)
		}
		if err := j.value(name+"."+member, tok, depth+1); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil {
		return j.syntax(err)
	}
	return nil
}

func (j *flattener) emit(name, value string) *Error {
	j.values++
	if j.values > maxJSONValues {
		return tooMany(j.full, maxJSONValues)
	}
	j.out[name] = append(j.out[name], value)
	return nil
}
