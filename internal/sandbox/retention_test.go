package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/tollgate/tollgate/internal/sandbox"
)

// TestEventRetention checks the event log's retention rule: every event of
// the last Age, the last PerCustomer of each customer, and any event still
// owed to an endpoint are kept; the rest is deleted, and lists, paging and
// retrieves stay right after pruning and after a restart.
func TestEventRetention(t *testing.T) {
	e := MustStart(t, func(c *sandbox.Config) {
		c.Retention = sandbox.Retention{Age: 7 * 24 * time.Hour, PerCustomer: 2, Every: time.Hour}
		c.WebhookBackoff = []time.Duration{time.Hour} // a failed delivery stays pending
	})
	ctx := context.Background()
	sc := e.sc

	// A customer with five events: its last two are kept whatever their age.
	a := must(sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("a@example.com")}))(t)
	for i := range 4 {
		must(sc.V1Customers.Update(ctx, a.ID, &stripe.CustomerUpdateParams{Name: stripe.String(string(rune('A' + i)))}))(t)
	}
	// Events about no customer count as one customer's: of these three the
	// last two are kept, the second by that, the third by its endpoint too.
	for _, name := range []string{"Oldest", "Old"} {
		must(sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String(name)}))(t)
	}
	// One owed to an endpoint that fails: kept while its delivery is pending.
	rcv := newReceiver(t, func(int) int { return http.StatusInternalServerError })
	must(sc.V1WebhookEndpoints.Create(ctx, &stripe.WebhookEndpointCreateParams{
		URL: stripe.String(rcv.srv.URL), EnabledEvents: stripe.StringSlice([]string{"product.created"}),
	}))(t)
	must(sc.V1Products.Create(ctx, &stripe.ProductCreateParams{Name: stripe.String("Owed")}))(t)
	before := eventIDs(t, sc, nil)
	if len(before) != 8 {
		t.Fatalf("%d events before pruning, want 8", len(before))
	}
	// before is newest first: the owed product, the two old ones, a's four
	// updates, a's creation.
	owed, keptProduct, oldProduct, aKept, aGone := before[0], before[1], before[2], before[3:5], before[5:]

	e.now.Add(8 * 24 * time.Hour)
	c := must(sc.V1Customers.Create(ctx, &stripe.CustomerCreateParams{Email: stripe.String("c@example.com")}))(t)
	recent := eventIDs(t, sc, nil)[0]

	check := func(t *testing.T) {
		t.Helper()
		sc := e.sc // a new client after a restart
		want := append([]string{recent, owed, keptProduct}, aKept...)
		if got := eventIDs(t, sc, nil); !slices.Equal(got, want) {
			t.Errorf("events, 1 a page = %v, want %v", got, want)
		}
		if got := eventIDs(t, sc, &stripe.EventListParams{Type: stripe.String("customer.updated")}); !slices.Equal(got, aKept) {
			t.Errorf("customer.updated events = %v, want %v", got, aKept)
		}
		// Paging backwards from the oldest kept: the two nearest newer.
		if ids, more := e.eventPage("ending_before=" + aKept[1] + "&limit=2"); !slices.Equal(ids, []string{keptProduct, aKept[0]}) || !more {
			t.Errorf("ending_before %s: %v has_more %v, want %v true", aKept[1], ids, more, []string{keptProduct, aKept[0]})
		}
		if ids, more := e.eventPage("starting_after=" + keptProduct + "&limit=5"); !slices.Equal(ids, aKept) || more {
			t.Errorf("starting_after %s: %v has_more %v, want %v false", keptProduct, ids, more, aKept)
		}
		for _, id := range want {
			if ev, err := sc.V1Events.Retrieve(ctx, id, nil); err != nil || ev.ID != id {
				t.Errorf("retrieve kept %s: %v", id, err)
			}
		}
		for _, id := range append([]string{oldProduct}, aGone...) {
			_, err := sc.V1Events.Retrieve(ctx, id, nil)
			var se *stripe.Error
			if !errors.As(err, &se) || se.HTTPStatusCode != http.StatusNotFound {
				t.Errorf("retrieve pruned %s: %v, want 404", id, err)
			}
		}
		// The customers themselves are untouched.
		for _, id := range []string{a.ID, c.ID} {
			if _, err := sc.V1Customers.Retrieve(ctx, id, nil); err != nil {
				t.Errorf("customer %s: %v", id, err)
			}
		}
	}

	n := must(e.srv.PruneEvents())(t)
	if n != 4 {
		t.Errorf("pruned %d events, want 4 (the oldest product's and a's three oldest)", n)
	}
	t.Run("AfterPruning", check)
	e.restart()
	t.Run("AfterRestart", check)
	if n := must(e.srv.PruneEvents())(t); n != 0 {
		t.Errorf("pruned %d more after restart, want 0", n)
	}
	t.Run("AfterPruningAgain", check)
}

// eventIDs lists the account's event ids newest first, one event a page,
// so that every step pages with starting_after.
func eventIDs(t *testing.T, sc *stripe.Client, p *stripe.EventListParams) []string {
	t.Helper()
	if p == nil {
		p = &stripe.EventListParams{}
	}
	p.Limit = stripe.Int64(1)
	var ids []string
	for ev, err := range sc.V1Events.List(context.Background(), p) {
		if err != nil {
			t.Fatalf("list events: %v", err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

// eventPage is one page of GET /v1/events?query: its ids and has_more.
func (e *env) eventPage(query string) ([]string, bool) {
	e.t.Helper()
	return e.listPage("/v1/events", query)
}

// listPage is one page of a list, GET path?query: its ids and has_more.
func (e *env) listPage(path, query string) ([]string, bool) {
	e.t.Helper()
	req := must(http.NewRequest(http.MethodGet, e.srv.URL()+path+"?"+query, nil))(e.t)
	req.Header.Set("Authorization", "Bearer "+testKey)
	res := must(http.DefaultClient.Do(req))(e.t)
	defer res.Body.Close()
	var page struct {
		Data    []struct{ ID string } `json:"data"`
		HasMore bool                  `json:"has_more"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("list %s?%s: status %d, %v", path, query, res.StatusCode, err)
	}
	var ids []string
	for _, d := range page.Data {
		ids = append(ids, d.ID)
	}
	return ids, page.HasMore
}
