package sandbox

import (
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Limits keep a hostile request from building a huge tree.
const (
	maxFormDepth  = 8
	maxFormParams = 1000
)

// fnode is one node of a decoded Stripe form: a scalar value or a hash whose
// keys are names or array indexes ("a[b][0]=x" gives a → b → 0 → "x").
type fnode struct {
	val   *string
	kids  map[string]*fnode
	order []string
	used  bool
}

func (n *fnode) child(k string) *fnode {
	if n.kids == nil {
		n.kids = map[string]*fnode{}
	}
	c, ok := n.kids[k]
	if !ok {
		c = &fnode{}
		n.kids[k] = c
		n.order = append(n.order, k)
	}
	return c
}

// splitKey turns "a[b][0][c]" into [a b 0 c]; "a[]" gives [a ""]. It reports
// false for malformed names such as "a[b" or "a]b".
func splitKey(key string) ([]string, bool) {
	i := strings.IndexByte(key, '[')
	if i < 0 {
		return []string{key}, key != "" && !strings.Contains(key, "]")
	}
	parts := []string{key[:i]}
	if parts[0] == "" || strings.Contains(parts[0], "]") {
		return nil, false
	}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, false
		}
		part := rest[1:end]
		if strings.ContainsAny(part, "[") {
			return nil, false
		}
		parts = append(parts, part)
		rest = rest[end+1:]
	}
	return parts, len(parts) <= maxFormDepth
}

// decodeForm builds the tree from url-encoded pairs in their order, so that
// "a[]=x&a[]=y" appends. A name used both as a scalar and as a hash is an error.
func decodeForm(raw string) (*fnode, *apiError) {
	root := &fnode{}
	count := 0
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if count++; count > maxFormParams {
			return nil, invalid("", "", "Too many parameters in the request.")
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, invalid(k, "", "Invalid URL encoding in parameter name %q.", k)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, invalid(key, "", "Invalid URL encoding in the value of %s.", key)
		}
		parts, ok := splitKey(key)
		if !ok {
			return nil, invalid(key, "", "Invalid parameter name: %s", key)
		}
		n := root
		for i, p := range parts {
			if n.val != nil {
				return nil, invalid(paramName(parts[:i]), "", "Invalid hash: %s is given both as a value and as a hash.", paramName(parts[:i]))
			}
			if p == "" && i > 0 {
				p = strconv.Itoa(len(n.kids))
			}
			n = n.child(p)
		}
		if len(n.kids) > 0 {
			return nil, invalid(key, "", "Invalid hash: %s is given both as a value and as a hash.", key)
		}
		n.val = &val
	}
	return root, nil
}

func paramName(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		b.WriteString("[" + p + "]")
	}
	return b.String()
}

// params reads a decoded form. Reads record the first problem in err, so a
// handler reads every field and checks once; finish also rejects any field
// the handler never read, as Stripe does with "Received unknown parameter".
type params struct {
	root *fnode
	err  *apiError
}

func (p *params) fail(e *apiError) {
	if p.err == nil {
		p.err = e
	}
}

func (p *params) node(path ...string) *fnode {
	n := p.root
	for _, k := range path {
		if n == nil || n.kids == nil {
			return nil
		}
		n = n.kids[k]
	}
	return n
}

func markUsed(n *fnode) {
	n.used = true
	for _, c := range n.kids {
		markUsed(c)
	}
}

// has reports whether the field was sent at all.
func (p *params) has(path ...string) bool { return p.node(path...) != nil }

// str returns a scalar field, "" when absent.
func (p *params) str(path ...string) string {
	n := p.node(path...)
	if n == nil {
		return ""
	}
	markUsed(n)
	if n.val == nil {
		p.fail(invalid(paramName(path), "", "Invalid string: %s must be a string, not a hash.", paramName(path)))
		return ""
	}
	return *n.val
}

// required returns a scalar field that must be present and non-empty.
func (p *params) required(path ...string) string {
	if !p.has(path...) {
		p.fail(errMissing(paramName(path)))
		return ""
	}
	v := p.str(path...)
	if v == "" {
		p.fail(errEmpty(paramName(path)))
	}
	return v
}

// integer returns an integer field within [lo, hi], or def when absent.
func (p *params) integer(def, lo, hi int64, path ...string) int64 {
	if !p.has(path...) {
		return def
	}
	s := p.str(path...)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.fail(invalid(paramName(path), "parameter_invalid_integer", "Invalid integer: %s", s))
		return def
	}
	if n < lo || n > hi {
		p.fail(invalid(paramName(path), "", "Invalid %s: must be between %d and %d.", paramName(path), lo, hi))
		return def
	}
	return n
}

// decimal returns a non-negative number such as percent_off.
func (p *params) decimal(path ...string) float64 {
	s := p.str(path...)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.fail(invalid(paramName(path), "", "Invalid decimal: %s", s))
		return 0
	}
	return f
}

// boolean returns a true/false field, or def when absent.
func (p *params) boolean(def bool, path ...string) bool {
	if !p.has(path...) {
		return def
	}
	switch s := p.str(path...); s {
	case "true":
		return true
	case "false":
		return false
	default:
		p.fail(invalid(paramName(path), "", "Invalid boolean: %s", s))
		return def
	}
}

// oneOf returns a field that must be one of the allowed values, or def.
func (p *params) oneOf(def string, allowed []string, path ...string) string {
	if !p.has(path...) {
		return def
	}
	s := p.str(path...)
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	p.fail(invalid(paramName(path), "", "Invalid %s: must be one of %s", paramName(path), strings.Join(allowed, ", ")))
	return def
}

// indexes returns the keys of an array field ("a[0]", "a[1]" or "a[]") in
// index order, so callers read elements with p.str(name, i, field); a hash
// with non-numeric keys is an error.
func (p *params) indexes(path ...string) []string {
	n := p.node(path...)
	if n == nil {
		return nil
	}
	n.used = true
	if n.val != nil {
		if *n.val == "" { // "a=" clears an array in Stripe's API
			return nil
		}
		p.fail(invalid(paramName(path), "", "Invalid array: %s must be an array.", paramName(path)))
		return nil
	}
	idx := make([]int, 0, len(n.kids))
	for k := range n.kids {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || strconv.Itoa(i) != k {
			p.fail(invalid(paramName(path), "", "Invalid array: %s must be an array.", paramName(path)))
			return nil
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = strconv.Itoa(k)
	}
	return out
}

// strings returns an array of scalars such as expand[] or enabled_events[].
func (p *params) strings(path ...string) []string {
	var out []string
	for _, k := range p.indexes(path...) {
		out = append(out, p.str(append(path[:len(path):len(path)], k)...))
	}
	return out
}

// enums returns an array of values that must each be one of allowed, such
// as default_allowed_updates[]; "a=" clears it.
func (p *params) enums(allowed []string, path ...string) []string {
	out := []string{}
	for _, v := range p.strings(path...) {
		if !contains(allowed, v) {
			p.fail(invalid(paramName(path), "", "Invalid %s: each value must be one of %s", paramName(path), strings.Join(allowed, ", ")))
			continue
		}
		out = append(out, v)
	}
	return out
}

// hash reports whether the field was sent as a hash ("a[b]=x"); sent as a
// scalar it is an error, as in Stripe ("Invalid object").
func (p *params) hash(path ...string) bool {
	n := p.node(path...)
	if n == nil {
		return false
	}
	if n.val != nil {
		markUsed(n)
		p.fail(invalid(paramName(path), "", "Invalid object: %s must be a hash.", paramName(path)))
		return false
	}
	// Not marked used: a field inside it that nobody reads is still unknown.
	return true
}

// objects is indexes for an array of hashes, such as products[0][prices]:
// unlike indexes, a field inside an element that nobody reads is reported
// as unknown.
func (p *params) objects(path ...string) []string {
	idx := p.indexes(path...)
	if n := p.node(path...); n != nil && n.val == nil {
		n.used = false
	}
	return idx
}

// metadata applies metadata[k]=v to old (nil for a create): an empty value
// deletes the key and "metadata=" clears all, as in Stripe.
func (p *params) metadata(old map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range old {
		out[k] = v
	}
	n := p.node("metadata")
	if n == nil {
		return out
	}
	markUsed(n)
	if n.val != nil {
		if *n.val != "" {
			p.fail(invalid("metadata", "", "Invalid hash: metadata must be a hash."))
		}
		return map[string]string{}
	}
	if len(n.kids) > 50 {
		p.fail(invalid("metadata", "", "Invalid metadata: at most 50 keys are allowed."))
	}
	for _, k := range n.order {
		c := n.kids[k]
		if c.val == nil {
			p.fail(invalid("metadata["+k+"]", "", "Invalid metadata: values must be strings."))
			continue
		}
		if *c.val == "" {
			delete(out, k)
		} else {
			out[k] = *c.val
		}
	}
	return out
}

// tree returns a field as plain JSON-able data (strings and nested maps), for
// settings the sandbox stores but does not interpret.
func (p *params) tree(path ...string) any {
	n := p.node(path...)
	if n == nil {
		return nil
	}
	markUsed(n)
	return plain(n)
}

func plain(n *fnode) any {
	if n.val != nil {
		return *n.val
	}
	m := make(map[string]any, len(n.kids))
	for k, c := range n.kids {
		m[k] = plain(c)
	}
	return m
}

// finish reports the first read error, or else the first field nobody read.
func (p *params) finish() *apiError {
	if p.err != nil {
		return p.err
	}
	if name := firstUnused(p.root, nil); name != "" {
		return errUnknownParam(name)
	}
	return nil
}

func firstUnused(n *fnode, path []string) string {
	if n.used {
		return ""
	}
	if n.val != nil {
		return paramName(path)
	}
	for _, k := range n.order {
		if name := firstUnused(n.kids[k], append(path, k)); name != "" {
			return name
		}
	}
	return ""
}
