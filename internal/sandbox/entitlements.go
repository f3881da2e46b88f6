package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// activeFeatures lists the feature ids a customer is entitled to: those
// attached to the products of its trialing, active or past_due subscriptions,
// in the order the features were created.
func (s *Sandbox) activeFeatures(customerID string) []string {
	products := map[string]bool{}
	for _, sub := range subsByCustomer.of(s.st, customerID) {
		if !sub.entitled() {
			continue
		}
		for _, it := range sub.Items {
			if pr := prices.get(s.st, it.Price); pr != nil {
				products[pr.Product] = true
			}
		}
	}
	seen := map[string]bool{}
	var feats []*feature
	for _, pf := range productFeatures.rows(s.st) {
		f := features.get(s.st, pf.Feature)
		if products[pf.Product] && f != nil && !seen[f.ID] {
			seen[f.ID] = true
			feats = append(feats, f)
		}
	}
	slices.SortFunc(feats, func(a, b *feature) int { return int(a.Seq - b.Seq) })
	ids := make([]string, len(feats))
	for i, f := range feats {
		ids[i] = f.ID
	}
	return ids
}

// entitlementID is stable per customer and feature, so the same grant keeps
// its id across events and listings.
func entitlementID(customerID, featureID string) string {
	sum := sha256.Sum256([]byte(customerID + "/" + featureID))
	return "ent_" + hex.EncodeToString(sum[:])[:24]
}

func init() {
	// Not stored: worked out from the customer's subscriptions.
	addObjectType(&objectType{name: "entitlements.active_entitlement", fields: []field{ref("feature", "entitlements.feature")}})
}

func (s *Sandbox) renderActiveEntitlement(customerID, featureID string) map[string]any {
	key := ""
	if f := features.get(s.st, featureID); f != nil {
		key = f.LookupKey
	}
	return map[string]any{"id": entitlementID(customerID, featureID), "object": "entitlements.active_entitlement",
		"feature": featureID, "livemode": false, "lookup_key": key}
}

// refreshEntitlements sends entitlements.active_entitlement_summary.updated
// when the customer's set of features changed.
func (s *Sandbox) refreshEntitlements(customerID string, at time.Time) {
	cu := customers.get(s.st, customerID)
	if cu == nil {
		return
	}
	ids := s.activeFeatures(customerID)
	if slices.Equal(ids, cu.Entitlements) {
		return
	}
	cu.Entitlements = ids
	customers.put(s.st, cu)
	data := make([]any, len(ids))
	for i, id := range ids {
		data[i] = s.renderActiveEntitlement(cu.ID, id)
	}
	s.emit(at, "entitlements.active_entitlement_summary.updated", map[string]any{
		"object": "entitlements.active_entitlement_summary", "customer": cu.ID, "livemode": false,
		"entitlements": listObject("/v1/customer/"+cu.ID+"/entitlements", data, false),
	})
}

// refreshAllEntitlements re-checks every customer, after the catalog changed.
func (s *Sandbox) refreshAllEntitlements() {
	for _, cu := range customers.sorted(s.st, nil) {
		s.refreshEntitlements(cu.ID, s.now(cu.TestClock))
	}
}

// activeEntitlement adapts a feature id to the paging helper.
type activeEntitlement struct {
	base
	feature string
}

func (s *Sandbox) listActiveEntitlements(c *call) (any, error) {
	p := c.p
	cust := p.required("customer")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	if customers.get(s.st, cust) == nil {
		return nil, errNotFound("customer", cust, "customer")
	}
	ids := s.activeFeatures(cust)
	rows := make([]*activeEntitlement, len(ids))
	for i, id := range ids {
		rows[i] = &activeEntitlement{base: base{ID: entitlementID(cust, id)}, feature: id}
	}
	return page(c, a, rows, func(e *activeEntitlement) any { return s.renderActiveEntitlement(cust, e.feature) })
}
