package sandbox

import (
	"strings"
	"testing"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	const n = 20000
	for range n {
		id := newID("cus_")
		rest, ok := strings.CutPrefix(id, "cus_")
		if !ok || len(rest) != idLen || strings.Trim(rest, idAlphabet) != "" {
			t.Fatalf("newID = %q, want cus_ and %d base62 characters", id, idLen)
		}
		if seen[id] {
			t.Fatalf("newID repeated %q", id)
		}
		seen[id] = true
		for _, c := range rest {
			counts[c]++
		}
	}
	// Each of the 62 characters is expected n*24/62 ≈ 7,742 times; a biased
	// mapping (bytes modulo 62) would make the first eight about 25% likelier.
	want := float64(n*idLen) / float64(len(idAlphabet))
	for _, c := range idAlphabet {
		if got := float64(counts[c]); got < want*0.9 || got > want*1.1 {
			t.Errorf("character %q drawn %.0f times, want about %.0f", c, got, want)
		}
	}
}
