package sandbox

import "crypto/rand"

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idLen is how many random characters follow an id's prefix.
const idLen = 24

// newID returns a Stripe-looking id: the prefix (with its underscore) and 24
// random base62 characters. Real ids carry no meaning, so neither do ours.
// Ids in hosted pages' URLs stand for the page, so they come from crypto/rand.
func newID(prefix string) string {
	// A random byte picks a character only below the largest multiple of the
	// alphabet's size that fits a byte (248), so every character is equally
	// likely; the rest (3%) are drawn again. One read of 32 bytes almost always suffices.
	const limit = 256 - 256%len(idAlphabet)
	out := make([]byte, len(prefix), len(prefix)+idLen)
	copy(out, prefix)
	var buf [32]byte
	for len(out) < cap(out) {
		rand.Read(buf[:]) // never fails: crypto/rand crashes the program instead
		for _, c := range buf {
			if int(c) < limit && len(out) < cap(out) {
				out = append(out, idAlphabet[int(c)%len(idAlphabet)])
			}
		}
	}
	return string(out)
}

// newSecret returns a webhook signing secret in Stripe's whsec_ form.
func newSecret() string { return newID("whsec_") + newID("")[:8] }
