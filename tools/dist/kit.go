package dist

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SumsFile is the checksums file, in the format `sha256sum -c` reads.
const SumsFile = "SHA256SUMS"

// StartHere is the learners' one page in the class kit.
const StartHere = "START-HERE.html"

// WriteSums writes SHA256SUMS in dir over the named files in it.
func WriteSums(dir string, names []string) error {
	var b strings.Builder
	for _, name := range names {
		sum, err := fileSum(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	if err := os.WriteFile(filepath.Join(dir, SumsFile), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	return nil
}

// ReadSums parses a SHA256SUMS file into name → hex digest, in order.
func ReadSums(r io.Reader) (names []string, sums map[string]string, err error) {
	sums = map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != sha256.Size*2 || name == "" {
			return nil, nil, fmt.Errorf("dist: %s: malformed line %q", SumsFile, sc.Text())
		}
		names = append(names, name)
		sums[name] = sum
	}
	return names, sums, sc.Err()
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("dist: %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

//go:embed start-here.html.tmpl
var startHereTemplate string

var startHere = template.Must(template.New(StartHere).Parse(startHereTemplate))

// ClassKit writes the zip an instructor hands out: a folder tollgate_<version>
// with every file, SHA256SUMS (from c.Out) and START-HERE.html.
func (c Config) ClassKit(files []string, out string) error {
	page, err := c.StartHere()
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	zw := zip.NewWriter(f)
	folder := "tollgate_" + c.Version + "/"
	// Every entry dated when it was built, so unzipped files say so, not 1980.
	built, err := time.Parse(time.RFC3339, c.Date)
	if err != nil {
		built = time.Now()
	}
	add := func(name string, mode os.FileMode, r io.Reader) error {
		h := &zip.FileHeader{Name: folder + name, Method: zip.Deflate, Modified: built}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		return err
	}
	if err := add(StartHere, 0o644, bytes.NewReader(page)); err != nil {
		f.Close()
		return fmt.Errorf("dist: class kit: %w", err)
	}
	for _, name := range append(files, SumsFile) {
		mode := os.FileMode(0o644)
		if !strings.HasSuffix(name, ".deb") && name != SumsFile {
			mode = 0o755 // binaries stay runnable once unzipped (on macOS and Linux)
		}
		src, err := os.Open(filepath.Join(c.Out, name))
		if err != nil {
			f.Close()
			return fmt.Errorf("dist: class kit: %w", err)
		}
		err = add(name, mode, src)
		src.Close()
		if err != nil {
			f.Close()
			return fmt.Errorf("dist: class kit: %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("dist: class kit: %w", err)
	}
	return f.Close()
}

// StartHere renders START-HERE.html: self-contained (its icon inline, no
// script, no link out), so it opens from the unzipped folder with no network.
func (c Config) StartHere() ([]byte, error) {
	var icon bytes.Buffer
	if err := c.writeIcon(&icon, 64); err != nil {
		return nil, err
	}
	data := struct {
		Version, Linux, Deb, Windows, MacARM, MacIntel, Sums string
		Signed                                               bool
		Icon                                                 template.URL
	}{
		Version: c.Version, Linux: c.Name("linux_amd64"), Deb: c.Name("amd64.deb"), Windows: c.Name("windows_amd64.exe"),
		MacARM: c.Name("darwin_arm64"), MacIntel: c.Name("darwin_amd64"), Sums: SumsFile, Signed: c.SignCert != "",
		Icon: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(icon.Bytes())),
	}
	var b bytes.Buffer
	if err := startHere.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("dist: %s: %w", StartHere, err)
	}
	return b.Bytes(), nil
}
