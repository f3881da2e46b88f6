package sandbox

import (
	"fmt"
	"strings"
)

// expand[] as Stripe does it: "You can expand recursively by specifying
// nested fields after a dot", "Expansions on list requests start with the
// data property", and "Expansions have a maximum depth of four levels"
// (API reference, Expanding Responses). Handlers render objects with every
// expandable field an id; the router then expands what the request asked
// for, following the fields each object type declares, and refuses a path
// that names no such field before the handler runs.

// maxExpandDepth is Stripe's limit on the levels of one expand[] path,
// counting data on a list ("the deepest expansion allowed when listing
// charges is data.payment_intent.customer.default_source").
const maxExpandDepth = 4

// objectType is what expansion knows of one kind of API object: the fields
// expand[] may name in it. Every resource with an object name has one (see
// declare); objects only ever found inside others (a plan, a subscription
// item, a discount) declare theirs with addObjectType.
type objectType struct {
	name   string
	fields []field
	// byID renders the object of that id, unexpanded, for a field
	// expanded into it; false when there is none. Nil for objects only
	// ever embedded in others.
	byID func(s *Sandbox, id string) (map[string]any, bool)
}

// objectTypes are every object type by name, filled by the init functions.
var objectTypes = map[string]*objectType{}

func addObjectType(t *objectType) { objectTypes[t.name] = t }

type fieldKind int

const (
	// fieldRef holds an id (or a list of ids) that expanding replaces by
	// the object of that id, as "customer" on a subscription.
	fieldRef fieldKind = iota
	// fieldNested holds an object (or a list of them) that is always
	// there; expand[] goes through it to the fields inside, as
	// "items.data" to reach "items.data.price.product".
	fieldNested
	// fieldIncluded is left out of its object unless expanded, as an
	// invoice's payments ("includable" in Stripe's reference).
	fieldIncluded
)

// field is one field of an object that expand[] may name.
type field struct {
	// path is where it is in the object, dots between levels:
	// "customer", or "invoice_settings.default_payment_method". Every
	// shorter path of a dotted one names an object expand[] can go
	// through ("invoice_settings"), which expands to itself.
	path string
	kind fieldKind
	// to is the object type the field holds once expanded ("list:x" for
	// a list of x objects); empty for an alwaysNull field.
	to string
	// include makes a fieldIncluded field for the object of that id.
	include func(s *Sandbox, id string) any
}

// ref is a field holding the id of an object of type to (or ids, for a
// list).
func ref(path, to string) field { return field{path: path, kind: fieldRef, to: to} }

// alwaysNull is a field Stripe can expand that the sandbox always leaves
// null (such as default_source): expand[] may name it, as on Stripe, but
// nothing below it.
func alwaysNull(path string) field { return field{path: path, kind: fieldRef} }

// nested is a field always holding an object (or objects) of type to.
func nested(path, to string) field { return field{path: path, kind: fieldNested, to: to} }

// included is a field of type to given only when expanded, made by fn.
func included(path, to string, fn func(s *Sandbox, id string) any) field {
	return field{path: path, kind: fieldIncluded, to: to, include: fn}
}

// listType is the list object of a list endpoint or an includable list:
// expand[] reaches its objects through data.
func listType(of string) *objectType {
	return &objectType{name: "list", fields: []field{nested("data", of)}}
}

// typeNamed is the object type of that name (or "list:" and a name); nil
// for an unknown one, a mistake in a declaration that checkObjectTypes
// reports.
func typeNamed(name string) *objectType {
	if of, ok := strings.CutPrefix(name, "list:"); ok {
		if objectTypes[of] == nil {
			return nil
		}
		return listType(of)
	}
	return objectTypes[name]
}

// checkObjectTypes reports a field that expands to an object type nobody
// declared; Open refuses to start with one.
func checkObjectTypes() error {
	for _, t := range objectTypes {
		for _, f := range t.fields {
			if f.to != "" && typeNamed(f.to) == nil {
				return fmt.Errorf("field %s of %s expands to %q, which is not declared", f.path, t.name, f.to)
			}
			if f.kind == fieldIncluded && f.include == nil {
				return fmt.Errorf("includable field %s of %s has no include function", f.path, t.name)
			}
		}
	}
	return nil
}

// resolve follows path (split at its dots) through the fields of t. It
// returns the fields to expand in turn, or ok false with how many leading
// segments were valid.
func resolve(t *objectType, path []string) (steps []*field, valid int, ok bool) {
	for done := 0; done < len(path); {
		if t == nil { // past a field that is always null
			return nil, done, false
		}
		rest := path[done:]
		f, n := t.match(rest)
		if f == nil {
			if n == len(rest) { // an object on the way to a field: itself
				return steps, len(path), true
			}
			return nil, done + n, false
		}
		steps = append(steps, f)
		done += n
		t = nil
		if f.to != "" {
			t = typeNamed(f.to)
		}
	}
	return steps, len(path), true
}

// match finds the field whose path starts path. Without one, n is how many
// leading segments are the way to some field ("invoice_settings" of
// "invoice_settings.default_payment_method").
func (t *objectType) match(path []string) (f *field, n int) {
	for i := range t.fields {
		segs := strings.Split(t.fields[i].path, ".")
		if len(segs) <= len(path) && equalSegs(segs, path[:len(segs)]) {
			return &t.fields[i], len(segs)
		}
		k := 0
		for k < len(segs)-1 && k < len(path) && segs[k] == path[k] {
			k++
		}
		n = max(n, k)
	}
	return nil, n
}

func equalSegs(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// checkExpand refuses, as Stripe does, the first expand[] path that is too
// deep or names no field t lets expand[] name.
func checkExpand(t *objectType, paths []string) *apiError {
	for i, p := range paths {
		param := fmt.Sprintf("expand[%d]", i)
		segs := strings.Split(p, ".")
		if len(segs) > maxExpandDepth {
			return invalid(param, "", "You cannot expand more than %d levels of a property. Property: %s", maxExpandDepth, p)
		}
		if _, valid, ok := resolve(t, segs); !ok {
			e := invalid(param, "", "This property cannot be expanded (%s).", strings.Join(segs[:valid+1], "."))
			if t.name == "list" && segs[0] != "data" {
				e.Message += fmt.Sprintf(" You may want to try expanding 'data.%s' instead.", p)
			}
			return e
		}
	}
	return nil
}

// expand expands every path of paths in v, an object of type t as its
// handler rendered it; called with mu held, after checkExpand.
func (s *Sandbox) expand(v any, t *objectType, paths []string) {
	for _, p := range paths {
		if steps, _, ok := resolve(t, strings.Split(p, ".")); ok {
			s.expandSteps(v, steps)
		}
	}
}

// expandSteps expands the first field of steps in v (in each object, for
// a list of them), then the rest inside what it holds. A field already
// expanded by an earlier path of the same request is gone through as it
// is: "latest_invoice.customer" and "latest_invoice.discounts" share one
// invoice.
func (s *Sandbox) expandSteps(v any, steps []*field) {
	if len(steps) == 0 {
		return
	}
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			s.expandSteps(x, steps)
		}
	case map[string]any:
		f := steps[0]
		segs := strings.Split(f.path, ".")
		parent := v
		for _, k := range segs[:len(segs)-1] {
			inner, ok := parent[k].(map[string]any)
			if !ok { // null here
				return
			}
			parent = inner
		}
		key := segs[len(segs)-1]
		_, present := parent[key]
		switch {
		case f.kind == fieldIncluded && !present:
			id, _ := v["id"].(string)
			parent[key] = f.include(s, id)
		case !present: // a field this object does not have (a payment's charge)
			return
		case f.kind == fieldRef:
			parent[key] = s.expandRef(parent[key], f.to)
		}
		s.expandSteps(parent[key], steps[1:])
	}
}

// expandRef replaces an id (or each id of a list) by its object of type to;
// an id of nothing the sandbox has, and null, stay as they are.
func (s *Sandbox) expandRef(v any, to string) any {
	t := typeNamed(to)
	if t == nil || t.byID == nil {
		return v
	}
	switch v := v.(type) {
	case string:
		if obj, ok := t.byID(s, v); ok {
			return obj
		}
	case []any:
		for i, x := range v {
			v[i] = s.expandRef(x, to)
		}
	}
	return v
}
