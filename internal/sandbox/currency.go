package sandbox

import (
	"slices"
	"strings"
)

// currencies are the lower-case ISO 4217 codes Stripe accepts in prices,
// coupons and lists (its "supported currencies" page). A sandbox that took
// "usdollars" would teach that any string works, and let markup into pages.
var currencies = strings.Fields(`usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl
bsd bwp byn bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq
gyd hkd hnl htg huf idr ils inr isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk
mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd
scr sek sgd shp sle sos srd std szl thb tjs top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer
zar zmw`)

// currency returns a currency field in lower case ("USD" is taken as usd, as
// Stripe takes it), "" when absent, and fails on a code Stripe does not support.
func (p *params) currency(required bool, path ...string) string {
	var v string
	if required {
		v = p.required(path...)
	} else {
		v = p.str(path...)
	}
	if v == "" {
		return ""
	}
	v = strings.ToLower(v)
	if !slices.Contains(currencies, v) {
		p.fail(invalid(paramName(path), "", "Invalid currency: %s. Stripe currently supports these currencies: %s.",
			v, strings.Join(currencies, ", ")))
		return ""
	}
	return v
}
