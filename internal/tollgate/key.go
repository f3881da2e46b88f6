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
	case strings.HasPrefix(key, "whsec_"):
		return Errorf(EINVALID, "That is a webhook signing secret (whsec_…), not a key: it goes in the webhook signing secret field. The secret key starts with sk_test_.")
	}
	return Errorf(EINVALID, "The Stripe secret key must start with sk_test_ (or rk_test_ for a restricted key).")
}

// CheckWebhookSecret refuses what is not an endpoint's signing secret, and
// says so in its own words when it is a key pasted into the wrong field.
func CheckWebhookSecret(secret string) error {
	switch {
	case strings.HasPrefix(secret, "whsec_"):
		return nil
	case strings.HasPrefix(secret, "sk_"), strings.HasPrefix(secret, "rk_"), strings.HasPrefix(secret, "pk_"):
		return Errorf(EINVALID, "That is a Stripe API key, not a webhook signing secret: it goes in the secret key field. The signing secret starts with whsec_ (stripe listen prints it, and Stripe shows it on the endpoint's page).")
	}
	return Errorf(EINVALID, "The webhook signing secret must start with whsec_ (stripe listen prints it, and Stripe shows it on the endpoint's page).")
}

// CheckNgrokAuthtoken refuses what cannot be an ngrok authtoken: a Stripe
// secret pasted into the wrong field, or text with spaces in it.
func CheckNgrokAuthtoken(token string) error {
	switch {
	case strings.HasPrefix(token, "sk_"), strings.HasPrefix(token, "rk_"), strings.HasPrefix(token, "pk_"), strings.HasPrefix(token, "whsec_"):
		return Errorf(EINVALID, "That is a Stripe secret, not an ngrok authtoken. The authtoken is on your ngrok dashboard, under Your Authtoken.")
	case strings.ContainsAny(token, " \t\r\n"):
		return Errorf(EINVALID, "An ngrok authtoken has no spaces in it; copy it again from your ngrok dashboard.")
	}
	return nil
}
