package sandbox

import (
	"strconv"
)

// The catalog: products, their prices, entitlement features and which
// products grant them.
var (
	products        *resource[product]
	prices          *resource[price]
	features        *resource[feature]
	productFeatures *resource[productFeature]
)

func init() {
	products = declare(&resource[product]{
		bucket: "products",
		prefix: "prod_",
		object: "product",
		render: (*Sandbox).renderProduct,
		expand: []field{ref("default_price", "price"), alwaysNull("tax_code")},
	})
	prices = declare(&resource[price]{
		bucket: "prices",
		prefix: "price_",
		object: "price",
		render: (*Sandbox).renderPrice,
		expand: []field{ref("product", "product")},
	})
	features = declare(&resource[feature]{
		bucket: "features",
		prefix: "feat_",
		object: "entitlements.feature",
		noSuch: "feature",
		render: func(_ *Sandbox, f *feature) map[string]any { return renderFeature(f) },
	})
	productFeatures = declare(&resource[productFeature]{
		bucket: "product_features",
		prefix: "prodft_",
		object: "product_feature",
		render: (*Sandbox).renderProductFeature,
		expand: []field{nested("entitlement_feature", "entitlements.feature")},
	})
}

type product struct {
	base
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	Active       bool              `json:"active"`
	DefaultPrice string            `json:"default_price,omitempty"`
	Metadata     map[string]string `json:"metadata"`
	Updated      int64             `json:"updated"`
}

type price struct {
	base
	Product       string            `json:"product"`
	Currency      string            `json:"currency"`
	UnitAmount    int64             `json:"unit_amount"`
	Interval      string            `json:"interval,omitempty"` // "" for a one-time price
	IntervalCount int64             `json:"interval_count,omitempty"`
	LookupKey     string            `json:"lookup_key,omitempty"`
	Nickname      string            `json:"nickname,omitempty"`
	Active        bool              `json:"active"`
	Metadata      map[string]string `json:"metadata"`
}

type feature struct {
	base
	Name      string            `json:"name"`
	LookupKey string            `json:"lookup_key"`
	Active    bool              `json:"active"`
	Metadata  map[string]string `json:"metadata"`
}

type productFeature struct {
	base
	Product string `json:"product"`
	Feature string `json:"feature"`
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Sandbox) renderProduct(p *product) map[string]any {
	return map[string]any{
		"id": p.ID, "object": "product", "active": p.Active, "created": p.Created, "updated": p.Updated,
		"default_price": nullable(p.DefaultPrice), "description": nullable(p.Description), "images": []string{}, "livemode": false,
		"marketing_features": []any{}, "metadata": p.Metadata, "name": p.Name, "package_dimensions": nil,
		"shippable": nil, "statement_descriptor": nil, "tax_code": nil, "type": "service", "unit_label": nil, "url": nil,
	}
}

func (s *Sandbox) renderPrice(p *price) map[string]any {
	var recurring any
	typ := "one_time"
	if p.Interval != "" {
		typ = "recurring"
		recurring = map[string]any{"interval": p.Interval, "interval_count": p.IntervalCount, "meter": nil, "trial_period_days": nil, "usage_type": "licensed"}
	}
	return map[string]any{
		"id": p.ID, "object": "price", "active": p.Active, "billing_scheme": "per_unit", "created": p.Created,
		"currency": p.Currency, "custom_unit_amount": nil, "livemode": false, "lookup_key": nullable(p.LookupKey),
		"metadata": p.Metadata, "nickname": nullable(p.Nickname), "product": p.Product, "recurring": recurring,
		"tax_behavior": "unspecified", "tiers_mode": nil, "transform_quantity": nil, "type": typ,
		"unit_amount": p.UnitAmount, "unit_amount_decimal": strconv.FormatInt(p.UnitAmount, 10),
	}
}

func renderFeature(f *feature) map[string]any {
	return map[string]any{"id": f.ID, "object": "entitlements.feature", "active": f.Active, "livemode": false,
		"lookup_key": f.LookupKey, "metadata": f.Metadata, "name": f.Name}
}

func (s *Sandbox) renderProductFeature(pf *productFeature) map[string]any {
	var f any = pf.Feature
	if ft := features.get(s.st, pf.Feature); ft != nil {
		f = renderFeature(ft)
	}
	return map[string]any{"id": pf.ID, "object": "product_feature", "entitlement_feature": f, "livemode": false}
}

func (s *Sandbox) createProduct(c *call) (any, error) {
	p := c.p
	now := s.cfg.Now()
	pr := &product{base: products.newBase(s.st, now), Updated: now.Unix()}
	if id := p.str("id"); id != "" {
		if products.get(s.st, id) != nil {
			return nil, invalid("id", "resource_already_exists", "Product already exists.")
		}
		pr.ID = id
	}
	pr.Name = p.required("name")
	pr.Description = p.str("description")
	pr.Active = p.boolean(true, "active")
	pr.Metadata = p.metadata(nil)
	var dp *price
	if p.has("default_price_data") {
		dp = &price{base: prices.newBase(s.st, now), Product: pr.ID, Active: true, Metadata: map[string]string{}}
		dp.Currency = p.currency(true, "default_price_data", "currency")
		dp.UnitAmount = p.integer(0, 0, 99999999, "default_price_data", "unit_amount")
		if p.has("default_price_data", "recurring") {
			dp.Interval = p.oneOf("", intervals, "default_price_data", "recurring", "interval")
			dp.IntervalCount = p.integer(1, 1, 365, "default_price_data", "recurring", "interval_count")
			if dp.Interval == "" {
				p.fail(errMissing("default_price_data[recurring][interval]"))
			}
		}
		pr.DefaultPrice = dp.ID
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	products.put(s.st, pr)
	s.emit(s.cfg.Now(), "product.created", s.renderProduct(pr))
	if dp != nil {
		prices.put(s.st, dp)
		s.emit(s.cfg.Now(), "price.created", s.renderPrice(dp))
	}
	return s.renderProduct(pr), nil
}

var intervals = []string{"day", "week", "month", "year"}

func (s *Sandbox) updateProduct(c *call) (any, error) {
	pr, err := products.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	name := pr.Name
	if p.has("name") {
		name = p.required("name")
	}
	desc := pr.Description
	if p.has("description") {
		desc = p.str("description")
	}
	active := p.boolean(pr.Active, "active")
	def := pr.DefaultPrice
	if p.has("default_price") {
		def = p.str("default_price")
		if def != "" && (prices.get(s.st, def) == nil || prices.get(s.st, def).Product != pr.ID) {
			p.fail(errNotFound("price", def, "default_price"))
		}
	}
	md := p.metadata(pr.Metadata)
	if err := p.finish(); err != nil {
		return nil, err
	}
	pr.Name, pr.Description, pr.Active, pr.DefaultPrice, pr.Metadata = name, desc, active, def, md
	pr.Updated = s.cfg.Now().Unix()
	products.put(s.st, pr)
	s.emit(s.cfg.Now(), "product.updated", s.renderProduct(pr))
	return s.renderProduct(pr), nil
}

func (s *Sandbox) listProducts(c *call) (any, error) {
	p := c.p
	activeSet := p.has("active")
	active := p.boolean(false, "active")
	ids := p.strings("ids")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	rows := products.sorted(s.st, func(pr *product) bool {
		return (!activeSet || pr.Active == active) && (len(ids) == 0 || contains(ids, pr.ID))
	})

	return page(c, a, rows, func(pr *product) any { return s.renderProduct(pr) })
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Sandbox) createPrice(c *call) (any, error) {
	p := c.p
	now := s.cfg.Now()
	pr := &price{base: prices.newBase(s.st, now)}
	var newProduct *product
	if p.has("product_data") {
		newProduct = &product{base: products.newBase(s.st, now), Name: p.required("product_data", "name"), Active: true, Updated: now.Unix(), Metadata: map[string]string{}}
		pr.Product = newProduct.ID
	} else {
		pr.Product = p.required("product")
		if pr.Product != "" && products.get(s.st, pr.Product) == nil {
			p.fail(errNotFound("product", pr.Product, "product"))
		}
	}
	pr.Currency = p.currency(true, "currency")
	if !p.has("unit_amount") {
		p.fail(errMissing("unit_amount"))
	}
	pr.UnitAmount = p.integer(0, 0, 99999999, "unit_amount")
	if p.has("recurring") {
		pr.Interval = p.oneOf("", intervals, "recurring", "interval")
		if pr.Interval == "" {
			p.fail(errMissing("recurring[interval]"))
		}
		pr.IntervalCount = p.integer(1, 1, 365, "recurring", "interval_count")
		p.oneOf("licensed", []string{"licensed"}, "recurring", "usage_type")
	}
	pr.LookupKey = p.str("lookup_key")
	transfer := p.boolean(false, "transfer_lookup_key")
	pr.Nickname = p.str("nickname")
	pr.Active = p.boolean(true, "active")
	pr.Metadata = p.metadata(nil)
	p.oneOf("unspecified", []string{"unspecified", "inclusive", "exclusive"}, "tax_behavior")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if err := s.claimLookupKey(pr, transfer); err != nil {
		return nil, err
	}
	if newProduct != nil {
		products.put(s.st, newProduct)
		s.emit(s.cfg.Now(), "product.created", s.renderProduct(newProduct))
	}
	prices.put(s.st, pr)
	s.emit(s.cfg.Now(), "price.created", s.renderPrice(pr))
	return s.renderPrice(pr), nil
}

// claimLookupKey enforces Stripe's rule that a lookup key names one price,
// moving it from another price only when transfer_lookup_key is set.
func (s *Sandbox) claimLookupKey(pr *price, transfer bool) error {
	if pr.LookupKey == "" {
		return nil
	}
	for _, other := range prices.rows(s.st) {
		if other.ID == pr.ID || other.LookupKey != pr.LookupKey {
			continue
		}
		if !transfer {
			return invalid("lookup_key", "", "A price (`%s`) already uses that lookup key. Pass transfer_lookup_key=true to move it to this price.", other.ID)
		}
		other.LookupKey = ""
		prices.put(s.st, other)
	}
	return nil
}

func (s *Sandbox) updatePrice(c *call) (any, error) {
	pr, err := prices.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	active := p.boolean(pr.Active, "active")
	nick := pr.Nickname
	if p.has("nickname") {
		nick = p.str("nickname")
	}
	key := pr.LookupKey
	if p.has("lookup_key") {
		key = p.str("lookup_key")
	}
	transfer := p.boolean(false, "transfer_lookup_key")
	md := p.metadata(pr.Metadata)
	if err := p.finish(); err != nil {
		return nil, err
	}
	old := pr.LookupKey
	pr.LookupKey = key
	if err := s.claimLookupKey(pr, transfer); err != nil {
		pr.LookupKey = old
		return nil, err
	}
	pr.Active, pr.Nickname, pr.Metadata = active, nick, md
	prices.put(s.st, pr)
	s.emit(s.cfg.Now(), "price.updated", s.renderPrice(pr))
	return s.renderPrice(pr), nil
}

func (s *Sandbox) listPrices(c *call) (any, error) {
	p := c.p
	activeSet := p.has("active")
	active := p.boolean(false, "active")
	prod := p.str("product")
	keys := p.strings("lookup_keys")
	typ := p.oneOf("", []string{"one_time", "recurring"}, "type")
	cur := p.currency(false, "currency")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	rows := prices.sorted(s.st, func(pr *price) bool {
		recurring := pr.Interval != ""
		return (!activeSet || pr.Active == active) && (prod == "" || pr.Product == prod) &&
			(len(keys) == 0 || contains(keys, pr.LookupKey)) && (cur == "" || pr.Currency == cur) &&
			(typ == "" || (typ == "recurring") == recurring)
	})

	return page(c, a, rows, func(pr *price) any { return s.renderPrice(pr) })
}

func (s *Sandbox) createFeature(c *call) (any, error) {
	p := c.p
	f := &feature{base: features.newBase(s.st, s.cfg.Now()), Active: true}
	f.Name = p.required("name")
	f.LookupKey = p.required("lookup_key")
	f.Metadata = p.metadata(nil)
	if err := p.finish(); err != nil {
		return nil, err
	}
	for _, other := range features.rows(s.st) {
		if other.LookupKey == f.LookupKey {
			return nil, invalid("lookup_key", "resource_already_exists", "A feature with lookup_key '%s' already exists.", f.LookupKey)
		}
	}
	features.put(s.st, f)
	return renderFeature(f), nil
}

func (s *Sandbox) listFeatures(c *call) (any, error) {
	p := c.p
	key := p.str("lookup_key")
	archived := p.boolean(false, "archived")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	rows := features.sorted(s.st, func(f *feature) bool {
		return (key == "" || f.LookupKey == key) && f.Active != archived
	})

	return page(c, a, rows, func(f *feature) any { return renderFeature(f) })
}

func (s *Sandbox) attachFeature(c *call) (any, error) {
	pr, err := products.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	fid := p.required("entitlement_feature")
	if err := p.finish(); err != nil {
		return nil, err
	}
	if features.get(s.st, fid) == nil {
		return nil, errNotFound("feature", fid, "entitlement_feature")
	}
	for _, pf := range productFeatures.rows(s.st) {
		if pf.Product == pr.ID && pf.Feature == fid {
			return nil, invalid("entitlement_feature", "resource_already_exists", "The feature '%s' is already attached to product '%s'.", fid, pr.ID)
		}
	}
	pf := &productFeature{base: productFeatures.newBase(s.st, s.cfg.Now()), Product: pr.ID, Feature: fid}
	productFeatures.put(s.st, pf)
	// Customers already subscribed to the product gain the feature now.
	s.refreshAllEntitlements()
	return s.renderProductFeature(pf), nil
}

func (s *Sandbox) listProductFeatures(c *call) (any, error) {
	prod, err := products.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	prodID := prod.ID
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	rows := productFeatures.sorted(s.st, func(pf *productFeature) bool { return pf.Product == prodID })
	return page(c, a, rows, func(pf *productFeature) any { return s.renderProductFeature(pf) })
}
