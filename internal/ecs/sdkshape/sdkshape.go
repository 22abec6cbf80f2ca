// Package sdkshape is test support: it checks that a JSON document has exactly
// the names, nesting and JSON types of a response struct of an official Alibaba
// Cloud Go SDK: the classic SDK (github.com/aliyun/alibaba-cloud-sdk-go,
// services/ecs, services/vpc) or the v7 Tea SDK
// (github.com/alibabacloud-go/ecs-20140526/v7, package client).
//
// Decoding into the SDK structs would prove little: their decoders ignore unknown
// keys and accept "true" for a bool or "2" for an int, which Terraform's raw-map
// type assertions do not. So the struct declarations are read from the SDKs'
// sources in the module cache with go/parser, and checked strictly: every JSON key
// must be a json tag of the corresponding SDK field, and every value must have the
// JSON type the field's Go type decodes from: string, number (integral for integer
// fields), boolean, array or object.
package sdkshape

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// The SDK modules whose sources can be read (both are required by go.mod).
const (
	// ClassicSDK is the classic Go SDK; its services live in services/<product>.
	ClassicSDK = "github.com/aliyun/alibaba-cloud-sdk-go"
	// TeaECS is the v7 (Tea) ECS SDK; its models live in client.
	TeaECS = "github.com/alibabacloud-go/ecs-20140526/v7"
)

// Package holds the struct declarations of one SDK service package.
type Package struct {
	types map[string]*ast.StructType
}

// Load parses the package in subdir of an SDK module (e.g. ClassicSDK,
// "services/ecs"), located with `go list -m`. It fails when the module's source
// is not in the module cache.
func Load(module, subdir string) (*Package, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return nil, fmt.Errorf("sdkshape: locating %s: %w", module, err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return nil, fmt.Errorf("sdkshape: %s is not downloaded", module)
	}
	dir := filepath.Join(root, filepath.FromSlash(subdir))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sdkshape: %w", err)
	}
	p := &Package{types: map[string]*ast.StructType{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("sdkshape: %w", err)
		}
		for _, d := range f.Decls {
			p.collect(d)
		}
	}
	return p, nil
}

func (p *Package) collect(d ast.Decl) {
	gd, ok := d.(*ast.GenDecl)
	if !ok || gd.Tok != token.TYPE {
		return
	}
	for _, s := range gd.Specs {
		ts := s.(*ast.TypeSpec)
		if st, ok := ts.Type.(*ast.StructType); ok {
			p.types[ts.Name.Name] = st
		}
	}
}

// Check compares doc with the SDK struct typeName and returns every mismatch,
// one line each, sorted; nil means doc has the struct's shape. A key that is
// not a field of the SDK struct is a mismatch.
func (p *Package) Check(doc []byte, typeName string) []string {
	return p.run(doc, typeName, true)
}

// CheckKnown is Check without the complaint about keys the SDK struct lacks
// (which its decoder ignores): it checks only the JSON types of known keys.
func (p *Package) CheckKnown(doc []byte, typeName string) []string {
	return p.run(doc, typeName, false)
}

// checker walks one document.
type checker struct {
	p        *Package
	strict   bool
	problems []string
}

func (p *Package) run(doc []byte, typeName string, strict bool) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"invalid JSON: " + err.Error()}
	}
	c := &checker{p: p, strict: strict}
	c.check("$", v, &ast.Ident{Name: typeName})
	sort.Strings(c.problems)
	return c.problems
}

func (c *checker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

func (c *checker) check(path string, v any, t ast.Expr) {
	switch t := t.(type) {
	case *ast.StarExpr:
		c.check(path, v, t.X)
	case *ast.ArrayType:
		items, ok := v.([]any)
		if !ok {
			c.fail(path, "want an array, got %s", kind(v))
			return
		}
		for i, item := range items {
			c.check(fmt.Sprintf("%s[%d]", path, i), item, t.Elt)
		}
	case *ast.Ident:
		if st, ok := c.p.types[t.Name]; ok {
			c.checkStruct(path, v, st)
			return
		}
		if msg := checkScalar(t.Name, v); msg != "" {
			c.fail(path, "%s", msg)
		}
	default:
		c.fail(path, "unsupported SDK type %T", t)
	}
}

func (c *checker) checkStruct(path string, v any, st *ast.StructType) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "want an object, got %s", kind(v))
		return
	}
	fields := map[string]ast.Expr{}
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue // embedded *responses.BaseResponse and the like
		}
		tag := reflect.StructTag(strings.Trim(f.Tag.Value, "`"))
		name, _, _ := strings.Cut(tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = f.Type
		}
	}
	for key, val := range obj {
		ft, ok := fields[key]
		if !ok {
			if c.strict {
				c.fail(path, "key %q is not a field of the SDK struct", key)
			}
			continue
		}
		c.check(path+"."+key, val, ft)
	}
}

func checkScalar(goType string, v any) string {
	switch goType {
	case "string":
		if _, ok := v.(string); !ok {
			return "want a string, got " + kind(v)
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			return "want a boolean, got " + kind(v)
		}
	case "int", "int32", "int64":
		n, ok := v.(json.Number)
		if !ok {
			return "want an integer, got " + kind(v)
		}
		if f, err := n.Float64(); err != nil || f != math.Trunc(f) {
			return "want an integer, got " + n.String()
		}
	case "float32", "float64":
		if _, ok := v.(json.Number); !ok {
			return "want a number, got " + kind(v)
		}
	default:
		return "unknown SDK type " + goType
	}
	return ""
}

func kind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + v.String()
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
