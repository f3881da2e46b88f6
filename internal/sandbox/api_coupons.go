package sandbox

import (
	"strings"
	"time"
)

// Coupons, and the promotion codes customers type for them.
var (
	coupons        *resource[coupon]
	promotionCodes *resource[promotionCode]
)

func init() {
	coupons = declare(&resource[coupon]{
		bucket: "coupons", // ids are the coupon's own or random, not prefixed
		object: "coupon",
		render: (*Sandbox).renderCoupon,
	})
	promotionCodes = declare(&resource[promotionCode]{
		bucket: "promotion_codes",
		prefix: "promo_",
		object: "promotion_code",
		render: (*Sandbox).renderPromotionCode,
		expand: []field{ref("customer", "customer")},
	})
}

type coupon struct {
	base
	Name             string            `json:"name,omitempty"`
	PercentOff       float64           `json:"percent_off,omitempty"`
	AmountOff        int64             `json:"amount_off,omitempty"`
	Currency         string            `json:"currency,omitempty"`
	Duration         string            `json:"duration"`
	DurationInMonths int64             `json:"duration_in_months,omitempty"`
	MaxRedemptions   int64             `json:"max_redemptions,omitempty"`
	TimesRedeemed    int64             `json:"times_redeemed"`
	RedeemBy         int64             `json:"redeem_by,omitempty"`
	Metadata         map[string]string `json:"metadata"`
}

type promotionCode struct {
	base
	Code           string            `json:"code"`
	Coupon         string            `json:"coupon"`
	Active         bool              `json:"active"`
	MaxRedemptions int64             `json:"max_redemptions,omitempty"`
	TimesRedeemed  int64             `json:"times_redeemed"`
	ExpiresAt      int64             `json:"expires_at,omitempty"`
	Customer       string            `json:"customer,omitempty"`
	Metadata       map[string]string `json:"metadata"`
}

// couponValid is Stripe's coupon.valid: not past redeem_by nor fully redeemed.
func (s *Sandbox) couponValid(cp *coupon, at time.Time) bool {
	return (cp.RedeemBy == 0 || at.Unix() < cp.RedeemBy) && (cp.MaxRedemptions == 0 || cp.TimesRedeemed < cp.MaxRedemptions)
}

func (s *Sandbox) renderCoupon(cp *coupon) map[string]any {
	var pct, amt, months, maxR, redeemBy, cur any
	if cp.PercentOff > 0 {
		pct = cp.PercentOff
	}
	if cp.AmountOff > 0 {
		amt, cur = cp.AmountOff, cp.Currency
	}
	if cp.Duration == "repeating" {
		months = cp.DurationInMonths
	}
	if cp.MaxRedemptions > 0 {
		maxR = cp.MaxRedemptions
	}
	if cp.RedeemBy > 0 {
		redeemBy = cp.RedeemBy
	}
	valid := s.couponValid(cp, s.cfg.Now())
	return map[string]any{"id": cp.ID, "object": "coupon", "amount_off": amt, "created": cp.Created, "currency": cur,
		"duration": cp.Duration, "duration_in_months": months, "livemode": false, "max_redemptions": maxR,
		"metadata": cp.Metadata, "name": nullable(cp.Name), "percent_off": pct, "redeem_by": redeemBy,
		"times_redeemed": cp.TimesRedeemed, "valid": valid}
}

func (s *Sandbox) createCoupon(c *call) (any, error) {
	p := c.p
	cp := &coupon{base: coupons.newBase(s.st, s.cfg.Now())}
	cp.ID = strings.ToUpper(newID(""))[:8]
	if id := p.str("id"); id != "" {
		if coupons.get(s.st, id) != nil {
			p.fail(invalid("id", "resource_already_exists", "Coupon already exists."))
		}
		cp.ID = id
	}
	cp.Name = p.str("name")
	hasPct, hasAmt := p.has("percent_off"), p.has("amount_off")
	switch {
	case hasPct && hasAmt:
		p.fail(invalid("amount_off", "parameters_exclusive", "You may only specify one of these parameters: amount_off, percent_off."))
	case hasPct:
		cp.PercentOff = p.decimal("percent_off")
		if cp.PercentOff <= 0 || cp.PercentOff > 100 {
			p.fail(invalid("percent_off", "", "Invalid percent_off: must be greater than 0 and at most 100."))
		}
	case hasAmt:
		cp.AmountOff = p.integer(0, 1, 99999999, "amount_off")
		cp.Currency = p.currency(true, "currency")
	default:
		p.fail(invalid("percent_off", "parameter_missing", "You must pass either amount_off or percent_off."))
	}
	if !hasAmt && p.has("currency") {
		cp.Currency = p.currency(false, "currency")
	}
	cp.Duration = p.oneOf("once", []string{"once", "repeating", "forever"}, "duration")
	if cp.Duration == "repeating" {
		if !p.has("duration_in_months") {
			p.fail(errMissing("duration_in_months"))
		}
		cp.DurationInMonths = p.integer(0, 1, 120, "duration_in_months")
	} else if p.has("duration_in_months") {
		p.fail(invalid("duration_in_months", "", "duration_in_months is only for duration=repeating."))
	}
	cp.MaxRedemptions = p.integer(0, 1, 1<<31, "max_redemptions")
	cp.RedeemBy = p.integer(0, 1, 1<<40, "redeem_by")
	cp.Metadata = p.metadata(nil)
	if err := p.finish(); err != nil {
		return nil, err
	}
	coupons.put(s.st, cp)
	s.emit(s.cfg.Now(), "coupon.created", s.renderCoupon(cp))
	return s.renderCoupon(cp), nil
}

func (s *Sandbox) listCoupons(c *call) (any, error) {
	a := c.listArgs()
	if err := c.p.finish(); err != nil {
		return nil, err
	}
	return page(c, a, coupons.sorted(s.st, nil), func(cp *coupon) any { return s.renderCoupon(cp) })
}

func (s *Sandbox) renderPromotionCode(pc *promotionCode) map[string]any {
	var cp any = pc.Coupon
	if cpn := coupons.get(s.st, pc.Coupon); cpn != nil {
		cp = s.renderCoupon(cpn)
	}
	return map[string]any{"id": pc.ID, "object": "promotion_code", "active": pc.Active, "code": pc.Code,
		// basil carries the coupon at the top level; dahlia moved it under
		// promotion. Sending both keeps either client happy.
		"coupon": cp, "promotion": map[string]any{"type": "coupon", "coupon": pc.Coupon},
		"created": pc.Created, "customer": nullable(pc.Customer), "expires_at": nullInt(pc.ExpiresAt), "livemode": false,
		"max_redemptions": nullInt(pc.MaxRedemptions), "metadata": pc.Metadata,
		"restrictions": map[string]any{"currency_options": map[string]any{}, "first_time_transaction": false,
			"minimum_amount": nil, "minimum_amount_currency": nil},
		"times_redeemed": pc.TimesRedeemed}
}

func (s *Sandbox) createPromotionCode(c *call) (any, error) {
	p := c.p
	pc := &promotionCode{base: promotionCodes.newBase(s.st, s.cfg.Now())}
	if p.has("promotion") {
		p.oneOf("coupon", []string{"coupon"}, "promotion", "type")
		pc.Coupon = p.required("promotion", "coupon")
		if p.has("coupon") {
			p.fail(invalid("coupon", "parameters_exclusive", "You may only specify one of these parameters: coupon, promotion."))
		}
	} else {
		pc.Coupon = p.required("coupon")
	}
	if pc.Coupon != "" && coupons.get(s.st, pc.Coupon) == nil {
		p.fail(errNotFound("coupon", pc.Coupon, "coupon"))
	}
	pc.Code = p.str("code")
	if pc.Code == "" {
		pc.Code = strings.ToUpper(newID(""))[:8]
	}
	pc.Active = p.boolean(true, "active")
	pc.MaxRedemptions = p.integer(0, 1, 1<<31, "max_redemptions")
	pc.ExpiresAt = p.integer(0, 1, 1<<40, "expires_at")
	pc.Customer = p.str("customer")
	if pc.Customer != "" && customers.get(s.st, pc.Customer) == nil {
		p.fail(errNotFound("customer", pc.Customer, "customer"))
	}
	pc.Metadata = p.metadata(nil)
	if err := p.finish(); err != nil {
		return nil, err
	}
	for _, other := range promotionCodes.rows(s.st) {
		if other.Active && strings.EqualFold(other.Code, pc.Code) {
			return nil, invalid("code", "resource_already_exists", "An active promotion code with `code: %s` already exists.", pc.Code)
		}
	}
	promotionCodes.put(s.st, pc)
	s.emit(s.cfg.Now(), "promotion_code.created", s.renderPromotionCode(pc))
	return s.renderPromotionCode(pc), nil
}

func (s *Sandbox) updatePromotionCode(c *call) (any, error) {
	pc, err := promotionCodes.fromPath(s.st, c)
	if err != nil {
		return nil, err
	}
	p := c.p
	active := p.boolean(pc.Active, "active")
	md := p.metadata(pc.Metadata)
	if err := p.finish(); err != nil {
		return nil, err
	}
	pc.Active, pc.Metadata = active, md
	promotionCodes.put(s.st, pc)
	s.emit(s.cfg.Now(), "promotion_code.updated", s.renderPromotionCode(pc))
	return s.renderPromotionCode(pc), nil
}

func (s *Sandbox) listPromotionCodes(c *call) (any, error) {
	p := c.p
	code := p.str("code")
	activeSet := p.has("active")
	active := p.boolean(false, "active")
	cpn := p.str("coupon")
	cust := p.str("customer")
	a := c.listArgs()
	if err := p.finish(); err != nil {
		return nil, err
	}
	rows := promotionCodes.sorted(s.st, func(pc *promotionCode) bool {
		return (code == "" || strings.EqualFold(pc.Code, code)) && (!activeSet || pc.Active == active) &&
			(cpn == "" || pc.Coupon == cpn) && (cust == "" || pc.Customer == cust)
	})

	return page(c, a, rows, func(pc *promotionCode) any { return s.renderPromotionCode(pc) })
}
