package tollgate

import "strings"

// CheckStripeKey refuses what is not a Stripe test-mode secret key. Live keys
// are refused outright: Tollgate is a learning tool, and a learning tool must
// never be one typo away from charging a real card.
func CheckStripeKey(key string) error {
	switch {
	case strings.HasPrefix(key, "sk_live_"), strings.HasPrefix(key, "rk_live_"):
		return Errorf(EINVALID, "That is a live Stripe key. Tollgate is a learning tool and only takes test keys (sk_test_…), so that no real card is ever charged.")
	case strings.HasPrefix(key, "sk_test_"), strings.HasPrefix(key, "rk_test_"):
		return nil
	case strings.HasPrefix(key, "pk_"):
		return Errorf(EINVALID, "That is a publishable key (pk_…); Tollgate needs the secret test key (sk_test_…).")
	}
	return Errorf(EINVALID, "The Stripe secret key must start with sk_test_ (or rk_test_ for a restricted key).")
}
