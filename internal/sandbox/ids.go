package sandbox

import (
	"crypto/rand"
	"math/big"
)

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns a Stripe-looking id: the prefix (with its underscore) and 24
// random base62 characters. Real ids carry no meaning, so neither do ours.
func newID(prefix string) string {
	b := make([]byte, 24)
	max := big.NewInt(int64(len(idAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			// crypto/rand does not fail on supported platforms.
			panic(err)
		}
		b[i] = idAlphabet[n.Int64()]
	}
	return prefix + string(b)
}

// newSecret returns a webhook signing secret in Stripe's whsec_ form.
func newSecret() string { return newID("whsec_") + newID("")[:8] }
