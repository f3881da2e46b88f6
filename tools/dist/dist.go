// Package dist makes the files an instructor hands a class: a binary for each
// learner's system, the .deb, SHA256SUMS and the class kit, all from Linux.
//
// It is its own Go module so that the packaging libraries (nfpm and what it
// pulls in) never enter the app's module graph or its binary: the app keeps the
// versions of golang.org/x/crypto and friends that it was tested with.
package dist

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// Config says what to build, from which checkout, into which folder.
type Config struct {
	Repo    string // the Tollgate checkout (its main package)
	Out     string // where the files go, e.g. build/dist
	Version string // git describe
	Commit  string // the full commit hash
	Date    string // the build time, RFC 3339 UTC

	// SignCert and SignKey are the PEM certificate and private key that sign
	// the Windows binary; both empty, nothing is signed.
	SignCert, SignKey string

	Log *slog.Logger
}

// Name is the file name of one artifact: tollgate_<version>_<rest>.
func (c Config) Name(rest string) string { return "tollgate_" + c.Version + "_" + rest }

// Run builds everything into c.Out, replacing the files an earlier run left there,
// and returns the files it made, in the order START-HERE.html lists them.
func Run(ctx context.Context, c Config) ([]string, error) {
	if c.Version == "" {
		return nil, errors.New("dist: no version (make dist passes git describe)")
	}
	if (c.SignCert == "") != (c.SignKey == "") {
		return nil, errors.New("dist: SIGN_CERT and SIGN_KEY go together: give both to sign the Windows binary, or neither")
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	// An earlier version's files would end up in nobody's SHA256SUMS: remove
	// them, and only them (-out may name a folder that holds other things).
	old, err := filepath.Glob(filepath.Join(c.Out, "tollgate_*"))
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	for _, f := range append(old, filepath.Join(c.Out, SumsFile)) {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("dist: clear %s: %w", c.Out, err)
		}
	}
	var files []string
	for _, t := range Targets {
		name := c.Name(t.Suffix)
		c.Log.Info("building", "file", name)
		if err := c.Build(ctx, t, filepath.Join(c.Out, name)); err != nil {
			return nil, err
		}
		if t.GOOS == "windows" && c.SignCert != "" {
			c.Log.Info("signing", "file", name, "cert", c.SignCert)
			if err := Sign(ctx, filepath.Join(c.Out, name), c.SignCert, c.SignKey); err != nil {
				return nil, err
			}
		}
		files = append(files, name)
	}
	deb := c.Name("amd64.deb")
	c.Log.Info("packaging", "file", deb)
	if err := c.Deb(filepath.Join(c.Out, c.Name(Targets[0].Suffix)), filepath.Join(c.Out, deb)); err != nil {
		return nil, err
	}
	files = append(files, deb)
	if err := WriteSums(c.Out, files); err != nil {
		return nil, err
	}
	kit := c.Name("class.zip")
	c.Log.Info("writing the class kit", "file", kit)
	if err := c.ClassKit(files, filepath.Join(c.Out, kit)); err != nil {
		return nil, err
	}
	return append(files, SumsFile, kit), nil
}
