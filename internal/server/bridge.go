package server

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"sort"
)

// Bridge calls the exported methods of the structs bound to Wails by the same
// names the generated bindings use ("main.App.Login"), so that serve mode runs
// exactly the Go code the window runs and no method is written twice.
type Bridge struct {
	methods map[string]reflect.Value
}

var errorType = reflect.TypeFor[error]()

// NewBridge binds every exported method of each pointer in bound. It refuses a
// method whose results Wails could not turn into a promise either.
func NewBridge(bound ...any) (*Bridge, error) {
	b := &Bridge{methods: map[string]reflect.Value{}}
	for _, v := range bound {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
			return nil, fmt.Errorf("bridge: bind %T: want a pointer to a struct", v)
		}
		t := rv.Elem().Type()
		prefix := path.Base(t.PkgPath()) + "." + t.Name() + "."
		for i := 0; i < rv.NumMethod(); i++ {
			m := rv.Method(i)
			if err := checkResults(m.Type()); err != nil {
				return nil, fmt.Errorf("bridge: %s%s: %w", prefix, rv.Type().Method(i).Name, err)
			}
			b.methods[prefix+rv.Type().Method(i).Name] = m
		}
	}
	return b, nil
}

func checkResults(t reflect.Type) error {
	switch {
	case t.NumOut() > 2:
		return fmt.Errorf("returns %d values; at most (T, error)", t.NumOut())
	case t.NumOut() == 2 && t.Out(1) != errorType:
		return fmt.Errorf("second result is %s, want error", t.Out(1))
	}
	return nil
}

// Names lists the bound methods in order, for the JavaScript shim.
func (b *Bridge) Names() []string {
	names := make([]string, 0, len(b.methods))
	for n := range b.methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CallError is a fault of the call itself (unknown method, bad arguments),
// as opposed to an error the method returned.
type CallError struct{ Msg string }

func (e *CallError) Error() string { return e.Msg }

// Call decodes args into the method's parameters, calls it and returns its
// result and its error. A panic in the method becomes an error, never a crash.
func (b *Bridge) Call(name string, args []json.RawMessage) (result any, err error) {
	m, ok := b.methods[name]
	if !ok {
		return nil, &CallError{fmt.Sprintf("no bound method %q", name)}
	}
	t := m.Type()
	if len(args) != t.NumIn() {
		return nil, &CallError{fmt.Sprintf("%s takes %d arguments, got %d", name, t.NumIn(), len(args))}
	}
	in := make([]reflect.Value, len(args))
	for i, raw := range args {
		p := reflect.New(t.In(i))
		if err := json.Unmarshal(raw, p.Interface()); err != nil {
			return nil, &CallError{fmt.Sprintf("%s argument %d: %v", name, i+1, err)}
		}
		in[i] = p.Elem()
	}
	defer func() {
		// App's methods recover their own panics; this is the last guard, and
		// its text is generic because it reaches the user.
		if p := recover(); p != nil {
			result, err = nil, &Panic{Method: name, Value: p}
		}
	}()
	out := m.Call(in)
	if n := len(out); n > 0 && t.Out(n-1) == errorType {
		if e := out[n-1].Interface(); e != nil {
			return nil, e.(error)
		}
		out = out[:n-1]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0].Interface(), nil
}

// Panic is a panic that escaped a bound method.
type Panic struct {
	Method string
	Value  any
}

func (p *Panic) Error() string {
	return "Something went wrong inside Tollgate; the log has the details."
}
