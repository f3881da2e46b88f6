package sandbox

import (
	"time"
)

// A resource is one kind of object the sandbox keeps, declared once, in the
// file of its type, with declare. That declaration is all the rest of the
// sandbox needs: the state makes it a table and the store a bucket, API
// handlers find one by the id in their URL, and expand[] validation and
// expansion follow its fields.
//
// Declarations are made in each file's init function, not in a variable's
// initializer: renders read other resources (a subscription's customer,
// an invoice's subscription), which Go's initialization order would take
// for a cycle.
type resource[T any] struct {
	// bucket is the bbolt bucket its rows are kept in, as JSON by id.
	bucket string
	// prefix starts the ids newBase gives, underscore included ("cus_").
	prefix string
	// object is Stripe's name for it ("customer", "checkout.session");
	// empty for the sandbox's own records, which the API never returns.
	object string
	// noSuch names it in the 404 for an unknown id ("No such webhook
	// endpoint: 'we_…'"), where Stripe's words are not object.
	noSuch string
	// idParam is that 404's param for the id in a URL, where Stripe's is
	// not "id" (a PaymentIntent's is "intent").
	idParam string
	// render draws one as the API returns it, every expandable field an id
	// (and an includable one left out): expand.go expands what a request
	// asks for.
	render func(s *Sandbox, v *T) map[string]any
	// expand lists its fields expand[] may name, and what each holds.
	expand []field

	pos int // of its table in state.tables, given by declare
	// keys are its indexes' key functions, in the order index made them.
	keys []func(*T) string
}

// An index files a resource's rows by one key (a subscription's customer),
// each key's rows in creation order, kept up to date by put and del.
type index[T any] struct {
	r *resource[T]
	i int
}

// index declares an index of r by key. Call it in the same init as declare,
// before any state is made.
func (r *resource[T]) index(key func(*T) string) index[T] {
	r.keys = append(r.keys, key)
	return index[T]{r: r, i: len(r.keys) - 1}
}

// of is the rows filed under key, oldest first; change one only through put.
func (x index[T]) of(st *state, key string) seqList[T] { return x.r.table(st).idx[x.i][key] }

// newest returns the rows filed under key that keep accepts (all for nil),
// newest first.
func (x index[T]) newest(st *state, key string, keep func(*T) bool) []*T {
	return newestOf(x.of(st, key), keep)
}

// delAll deletes every row filed under key (a deleted customer's payments).
// It walks a copy (newest), since del changes the list it is filed in.
func (x index[T]) delAll(st *state, key string) {
	for _, v := range x.newest(st, key, nil) {
		x.r.del(st, meta(v).ID)
	}
}

// resources lists every declared resource in the order declared; a new
// state makes a table for each.
var resources []storedResource

// storedResource is what the store needs of a resource of any type.
type storedResource interface {
	newTable() anyTable
}

// declare registers r: its table in every state, its bucket in the store
// and, for an API object, its object type for expansion.
func declare[T any](r *resource[T]) *resource[T] {
	if _, ok := any(new(T)).(row); !ok {
		panic("sandbox: a resource's type must embed base: " + r.bucket)
	}
	r.pos = len(resources)
	resources = append(resources, r)
	if r.object != "" {
		addObjectType(&objectType{name: r.object, fields: r.expand, byID: func(s *Sandbox, id string) (map[string]any, bool) {
			if v := r.get(s.st, id); v != nil {
				return r.render(s, v), true
			}
			return nil, false
		}})
	}
	return r
}

func (r *resource[T]) newTable() anyTable { return newTable(r.bucket, r.keys) }

func (r *resource[T]) table(st *state) *table[T] { return st.tables[r.pos].(*table[T]) }

// get returns the row with that id, or nil.
func (r *resource[T]) get(st *state, id string) *T { return r.table(st).rows[id] }

// put stores v (new or changed), to be written at the next commit.
func (r *resource[T]) put(st *state, v *T) {
	id := meta(v).ID
	r.table(st).set(id, v)
	st.dirty[[2]string{r.bucket, id}] = meta(v).Seq
}

func (r *resource[T]) del(st *state, id string) {
	v := r.get(st, id)
	if v == nil {
		return
	}
	r.table(st).unset(id)
	st.dirty[[2]string{r.bucket, id}] = meta(v).Seq
}

// rows are every row by id, to range over; change one only through put.
func (r *resource[T]) rows(st *state) map[string]*T { return r.table(st).rows }

// all is every row, oldest first; change one only through put.
func (r *resource[T]) all(st *state) seqList[T] { return r.table(st).order }

// sorted returns the rows that keep accepts (all for nil), newest first.
// It walks the whole table: for a table that grows with the account, walk
// an index or page with pageOf instead.
func (r *resource[T]) sorted(st *state, keep func(*T) bool) []*T {
	return newestOf(r.table(st).order, keep)
}

func newestOf[T any](l seqList[T], keep func(*T) bool) []*T {
	var out []*T
	for i := len(l) - 1; i >= 0; i-- {
		if keep == nil || keep(l[i]) {
			out = append(out, l[i])
		}
	}
	return out
}

// newBase stamps a new row with an id of the resource's prefix, the next
// sequence number and its creation time.
func (r *resource[T]) newBase(st *state, created time.Time) base {
	return st.newBase(r.prefix, created)
}

// fromPath is the row named by the {id} of the request's URL, or Stripe's
// 404 for it.
func (r *resource[T]) fromPath(st *state, c *call) (*T, error) {
	id := c.r.PathValue("id")
	if v := r.get(st, id); v != nil {
		return v, nil
	}
	noSuch, param := r.noSuch, r.idParam
	if noSuch == "" {
		noSuch = r.object
	}
	if param == "" {
		param = "id"
	}
	return nil, errNotFound(noSuch, id, param)
}

// retrieve is the API's GET of one object by the id in its URL.
func (r *resource[T]) retrieve(s *Sandbox) apiFunc {
	return func(c *call) (any, error) {
		if err := c.p.finish(); err != nil {
			return nil, err
		}
		v, err := r.fromPath(s.st, c)
		if err != nil {
			return nil, err
		}
		return r.render(s, v), nil
	}
}

// meta is the base every row type embeds (declare checks it does).
func meta[T any](v *T) *base { return any(v).(row).meta() }
