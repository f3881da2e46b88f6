package loadgen

import "testing"

func TestKBytes(t *testing.T) {
	status := "Name:\ttollgate\nVmRSS:\t   75940 kB\nRssAnon:\t   17696 kB\n"
	if got, err := kBytes(status, "RssAnon:"); err != nil || got != 17696<<10 {
		t.Errorf("kBytes(RssAnon:) = %d, %v; want %d", got, err, 17696<<10)
	}
	if _, err := kBytes(status, "Pss:"); err == nil {
		t.Error("kBytes of a missing field gave no error")
	}
	if _, err := kBytes("VmRSS:\t lots kB\n", "VmRSS:"); err == nil {
		t.Error("kBytes of a garbled number gave no error")
	}
}
