package dist

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// Sign signs the Windows binary exe in place with osslsigncode (Authenticode,
// SHA-256), with the PEM certificate (chain) cert and its private key key.
// No timestamp is added: that needs a timestamp server on the internet; a
// signature without one stops verifying when the certificate expires.
func Sign(ctx context.Context, exe, cert, key string) error {
	if _, err := exec.LookPath("osslsigncode"); err != nil {
		return fmt.Errorf("dist: signing needs osslsigncode (apt-get install osslsigncode): %w", err)
	}
	signed := exe + ".signed"
	cmd := exec.CommandContext(ctx, "osslsigncode", "sign", "-certs", cert, "-key", key, "-h", "sha256",
		"-n", "Tollgate", "-in", exe, "-out", signed)
	if msg, err := cmd.CombinedOutput(); err != nil {
		os.Remove(signed)
		return fmt.Errorf("dist: sign %s: %w\n%s", exe, err, msg)
	}
	if err := os.Rename(signed, exe); err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	return os.Chmod(exe, 0o755)
}
