package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

// TestConcurrentWritesPageAndSurvive creates customers from many clients at
// once, as a busy app does (their changes share commits), and checks that
// lists filtered through an index page over exactly them, newest first,
// forwards and backwards, and that all of it, and the last of a run of
// updates to one customer, survives a restart.
func TestConcurrentWritesPageAndSurvive(t *testing.T) {
	e := MustStart(t)
	ctx := context.Background()
	var mu sync.Mutex
	byEmail := map[string][]string{}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := fmt.Sprintf("%c@example.com", 'p'+g%2)
			for range 10 {
				cu, err := e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String(email)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				byEmail[email] = append(byEmail[email], cu.ID)
				mu.Unlock()
			}
		}()
	}
	// Meanwhile one client updates one customer 30 times in a row.
	one := must(e.sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("one@example.com")}))(t)
	for i := range 30 {
		must(e.sc.V1Customers.Update(ctx, one.ID, &stripe.CustomerUpdateParams{Name: stripe.String(fmt.Sprint("name ", i))}))(t)
	}
	wg.Wait()

	check := func(t *testing.T) {
		for email, ids := range byEmail {
			forward := pageAll(e, "/v1/customers", "email="+email)
			if got, want := sorted(forward), sorted(ids); !slices.Equal(got, want) {
				t.Fatalf("%s: listed %d customers, want the %d made", email, len(got), len(want))
			}
			// Newest first: created never goes up along the list.
			var last int64 = 1 << 62
			for _, id := range forward {
				cu := must(e.sc.V1Customers.Retrieve(ctx, id, nil))(t)
				if cu.Created > last {
					t.Fatalf("%s: %s created %d after one created %d", email, id, cu.Created, last)
				}
				last = cu.Created
			}
			// Backwards from the oldest, the same list.
			backward := pageBack(e, "/v1/customers", "email="+email, forward[len(forward)-1])
			if want := forward[:len(forward)-1]; !slices.Equal(backward, want) {
				t.Fatalf("%s: ending_before pages = %v, want %v", email, backward, want)
			}
			// A cursor the filter excludes is not in the list.
			other := byEmail["p@example.com"][0]
			if email == "p@example.com" {
				other = byEmail["q@example.com"][0]
			}
			req := must(http.NewRequest(http.MethodGet, e.srv.URL()+"/v1/customers?email="+email+"&starting_after="+other, nil))(t)
			req.Header.Set("Authorization", "Bearer "+testKey)
			res := must(http.DefaultClient.Do(req))(t)
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: starting_after a customer of another email: status %d, want 404", email, res.StatusCode)
			}
		}
		if cu := must(e.sc.V1Customers.Retrieve(ctx, one.ID, nil))(t); cu.Name != "name 29" {
			t.Errorf("after 30 updates the name is %q, want the last, name 29", cu.Name)
		}
	}
	t.Run("Live", check)
	e.restart()
	t.Run("AfterRestart", check)
}

// pageAll pages a list forwards, 7 a page, and returns its ids.
func pageAll(e *env, path, query string) []string {
	var all []string
	q := query + "&limit=7"
	for {
		ids, more := e.listPage(path, q)
		all = append(all, ids...)
		if !more {
			return all
		}
		q = query + "&limit=7&starting_after=" + ids[len(ids)-1]
	}
}

// pageBack pages a list backwards from before, 7 a page, and returns its
// ids newest first.
func pageBack(e *env, path, query, before string) []string {
	var all []string
	for {
		ids, more := e.listPage(path, query+"&limit=7&ending_before="+before)
		all = append(ids, all...)
		if !more {
			return all
		}
		before = ids[0]
	}
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
