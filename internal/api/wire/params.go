package wire

import "net/url"

// Params are the parameters of one call: URL query ∪ form body (query first; for a
// key present in both, the query's values come first). Keys are case-sensitive.
type Params map[string][]string

// Merge returns the parameters of a call whose URL query is query and whose
// application/x-www-form-urlencoded body is form. The value slices are copied, so
// the result shares no memory with its arguments.
func Merge(query, form url.Values) Params {
	p := make(Params, len(query)+len(form))
	for k, vs := range query {
		p[k] = append([]string(nil), vs...)
	}
	for k, vs := range form {
		p[k] = append(p[k], vs...)
	}
	return p
}

// Get returns the first value of name, or "" when it is absent.
func (p Params) Get(name string) string {
	if vs := p[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Has reports whether name was sent (possibly with an empty value).
func (p Params) Has(name string) bool { return len(p[name]) > 0 }

// first returns the first value of name and whether there is one.
func (p Params) first(name string) (string, bool) {
	if vs := p[name]; len(vs) > 0 {
		return vs[0], true
	}
	return "", false
}
