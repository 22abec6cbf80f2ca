package api

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
)

// Endpoint is one routed action of one product version.
type Endpoint struct {
	apispec.Action
	// Version is the API version the action belongs to.
	Version string
	// Product names the product ("Ecs", "Vpc", "Ram", "Sts").
	Product string
	// Global is true for products without regions (RAM, STS).
	Global bool
	// call decodes the parameters and runs the handler method; nil when the action
	// has no handler method yet.
	call func(ctx context.Context, p wire.Params) (any, error)
}

// Implemented reports whether the action has a handler method.
func (e *Endpoint) Implemented() bool { return e.call != nil }

// Registry maps (Version, Action) to endpoints. It is built once at start-up and
// read-only afterwards.
type Registry struct {
	endpoints map[string]map[string]*Endpoint // version → action → endpoint
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{endpoints: map[string]map[string]*Endpoint{}}
}

var (
	contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	errorType   = reflect.TypeOf((*error)(nil)).Elem()
)

// Bind registers every action of api. For each action, the handler method named
// after it (apispec.Action.MethodName) is looked up on handlers by reflection; it
// must have the shape
//
//	func (h *H) Action(ctx context.Context, req *ActionRequest) (*ActionResponse, error)
//
// Actions without a method are registered as not implemented. A method with that
// shape whose name is not an action of api is an error: it would never be reached.
func (r *Registry) Bind(api apispec.API, handlers any) error {
	byAction, ok := r.endpoints[api.Version]
	if !ok {
		byAction = map[string]*Endpoint{}
		r.endpoints[api.Version] = byAction
	}
	hv := reflect.ValueOf(handlers)
	known := map[string]bool{}
	for _, a := range api.Actions {
		ep := &Endpoint{Action: a, Version: api.Version, Product: api.Product, Global: api.Global}
		known[a.MethodName()] = true
		if handlers != nil {
			if m := hv.MethodByName(a.MethodName()); m.IsValid() {
				call, err := bindMethod(a.Name, m)
				if err != nil {
					return err
				}
				ep.call = call
			}
		}
		byAction[a.Name] = ep
	}
	if handlers == nil {
		return nil
	}
	ht := hv.Type()
	for i := 0; i < ht.NumMethod(); i++ {
		m := ht.Method(i)
		if isHandlerShape(m.Type, 1) && !known[m.Name] {
			return fmt.Errorf("handler method %s.%s is not an action of %s %s: list it in internal/apispec",
				ht, m.Name, api.Product, api.Version)
		}
	}
	return nil
}

// isHandlerShape reports whether t is func([recv,] context.Context, *Struct) (*Struct, error);
// skip is 1 for method types that include the receiver, 0 for bound methods.
func isHandlerShape(t reflect.Type, skip int) bool {
	if t.NumIn() != 2+skip || t.NumOut() != 2 {
		return false
	}
	req, resp := t.In(1+skip), t.Out(0)
	return t.In(skip) == contextType &&
		req.Kind() == reflect.Pointer && req.Elem().Kind() == reflect.Struct &&
		resp.Kind() == reflect.Pointer && resp.Elem().Kind() == reflect.Struct &&
		t.Out(1) == errorType
}

func bindMethod(action string, m reflect.Value) (func(context.Context, wire.Params) (any, error), error) {
	t := m.Type()
	if !isHandlerShape(t, 0) {
		return nil, fmt.Errorf("handler for %s has type %s, want func(context.Context, *%sRequest) (*%sResponse, error)",
			action, t, action, action)
	}
	reqType := t.In(1).Elem()
	return func(ctx context.Context, p wire.Params) (any, error) {
		req := reflect.New(reqType)
		if err := wire.Decode(p, req.Interface()); err != nil {
			return nil, err
		}
		out := m.Call([]reflect.Value{reflect.ValueOf(ctx), req})
		if errv := out[1].Interface(); errv != nil {
			return nil, errv.(error)
		}
		if out[0].IsNil() {
			return nil, apierr.InternalError(fmt.Errorf("handler %s returned a nil response", action))
		}
		return out[0].Interface(), nil
	}, nil
}

// Lookup returns the endpoint for (version, action). versionKnown is false when no
// action of that version is registered at all.
func (r *Registry) Lookup(version, action string) (ep *Endpoint, versionKnown bool) {
	byAction, ok := r.endpoints[version]
	if !ok {
		return nil, false
	}
	return byAction[action], true
}

// Endpoints lists every registered endpoint, by version then in spec order.
func (r *Registry) Endpoints() []*Endpoint {
	versions := make([]string, 0, len(r.endpoints))
	for v := range r.endpoints {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	var out []*Endpoint
	for _, v := range versions {
		eps := make([]*Endpoint, 0, len(r.endpoints[v]))
		for _, ep := range r.endpoints[v] {
			eps = append(eps, ep)
		}
		sort.SliceStable(eps, func(i, j int) bool { return less(eps[i], eps[j]) })
		out = append(out, eps...)
	}
	return out
}

// less orders guide actions by section number, then the extra ones by name.
func less(a, b *Endpoint) bool {
	if (a.Section == "") != (b.Section == "") {
		return a.Section != ""
	}
	if a.Section != b.Section {
		return sectionLess(a.Section, b.Section)
	}
	return a.Name < b.Name
}

func sectionLess(a, b string) bool {
	var ai, bi [4]int
	fmt.Sscanf(a, "%d.%d.%d.%d", &ai[0], &ai[1], &ai[2], &ai[3])
	fmt.Sscanf(b, "%d.%d.%d.%d", &bi[0], &bi[1], &bi[2], &bi[3])
	for i := range ai {
		if ai[i] != bi[i] {
			return ai[i] < bi[i]
		}
	}
	return false
}
