package dist

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // build/appicon.png
	"os"
	"path/filepath"
	"regexp"
	"text/template"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

// The Windows resources live where Wails keeps them (build/windows/), in
// Wails' own template format, so `wails build` on Windows reads the same files.
const (
	windowsDir   = "build/windows"
	iconFile     = "icon.ico"
	infoFile     = "info.json"
	manifestFile = "wails.exe.manifest"
	appIcon      = "build/appicon.png"
)

// IconSizes are the images in icon.ico: the sizes Explorer and the taskbar ask for.
var IconSizes = []int{256, 64, 48, 32, 16}

// MakeIcon writes build/windows/icon.ico from build/appicon.png when it is
// missing (as Wails does), and returns its path.
func (c Config) MakeIcon() (string, error) {
	path := filepath.Join(c.Repo, windowsDir, iconFile)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f, err := os.Open(filepath.Join(c.Repo, appIcon))
	if err != nil {
		return "", fmt.Errorf("dist: app icon: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return "", fmt.Errorf("dist: app icon %s: %w", appIcon, err)
	}
	ico, err := winres.NewIconFromResizedImage(img, IconSizes)
	if err != nil {
		return "", fmt.Errorf("dist: icon: %w", err)
	}
	var buf bytes.Buffer
	if err := ico.SaveICO(&buf); err != nil {
		return "", fmt.Errorf("dist: icon: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	return path, nil
}

// WriteSyso writes the Windows resources (icon, version, manifest) as a COFF
// object into the main package, where the Go linker takes *.syso files from,
// and returns its path for the caller to remove after the build. Its name ends
// in _windows_<arch>.syso, so even one left behind by a killed build is linked
// only into Windows binaries of that architecture, never into Linux or macOS ones.
func (c Config) WriteSyso(goarch string) (string, error) {
	arch, ok := map[string]winres.Arch{"amd64": winres.ArchAMD64, "arm64": winres.ArchARM64, "386": winres.ArchI386}[goarch]
	if !ok {
		return "", fmt.Errorf("dist: no Windows resources for %s", goarch)
	}
	rs, err := c.Resources()
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Repo, "tollgate-res_windows_"+goarch+".syso")
	var buf bytes.Buffer
	if err := rs.WriteObject(&buf, arch); err != nil {
		return "", fmt.Errorf("dist: windows resources: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	return path, nil
}

// Resources reads build/windows/ with this build's version filled in.
func (c Config) Resources() (*winres.ResourceSet, error) {
	iconPath, err := c.MakeIcon()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(iconPath)
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	defer f.Close()
	ico, err := winres.LoadICO(f)
	if err != nil {
		return nil, fmt.Errorf("dist: %s: %w", iconPath, err)
	}
	rs := &winres.ResourceSet{}
	if err := rs.SetIcon(winres.ID(1), ico); err != nil {
		return nil, fmt.Errorf("dist: icon: %w", err)
	}
	manifest, err := c.template(manifestFile)
	if err != nil {
		return nil, err
	}
	m, err := winres.AppManifestFromXML(manifest)
	if err != nil {
		return nil, fmt.Errorf("dist: %s: %w", manifestFile, err)
	}
	rs.SetManifest(m)
	info, err := c.template(infoFile)
	if err != nil {
		return nil, err
	}
	var vi version.Info
	if err := vi.UnmarshalJSON(info); err != nil {
		return nil, fmt.Errorf("dist: %s: %w", infoFile, err)
	}
	// The fixed part and the manifest need numbers (a.b.c); the strings
	// Explorer shows carry the whole git describe, the same as `tollgate version`.
	for _, key := range []string{version.ProductVersion, version.FileVersion} {
		if err := vi.Set(version.LangNeutral, key, c.Version); err != nil {
			return nil, fmt.Errorf("dist: version resource: %w", err)
		}
	}
	rs.SetVersionInfo(vi)
	return rs, nil
}

// template fills one of Wails' build/windows templates with this build's values.
func (c Config) template(name string) ([]byte, error) {
	path := filepath.Join(c.Repo, windowsDir, name)
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("dist: %s: %w", path, err)
	}
	type info struct{ ProductName, ProductVersion, CompanyName, Copyright, Comments string }
	data := struct {
		Name string
		Info info
	}{Name: "tollgate", Info: info{ProductName: "Tollgate", ProductVersion: NumericVersion(c.Version), CompanyName: "Tollgate",
		Copyright: "The Tollgate authors", Comments: "A desktop lab for Stripe subscriptions"}}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("dist: %s: %w", path, err)
	}
	return buf.Bytes(), nil
}

var semverPrefix = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)`)

// NumericVersion is the a.b.c a Windows manifest and VS_FIXEDFILEINFO need:
// the tag's numbers, or 0.0.0 for a commit with no tag before it (a manifest
// with letters in its version stops Windows from starting the program).
func NumericVersion(v string) string {
	if m := semverPrefix.FindStringSubmatch(v); m != nil {
		return m[1] + "." + m[2] + "." + m[3]
	}
	return "0.0.0"
}
