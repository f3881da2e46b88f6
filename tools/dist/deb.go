package dist

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
	"golang.org/x/image/draw"
)

// Depends are the Debian packages the desktop binary links against: GTK 3
// and WebKitGTK 4.0 (what `pkg-config webkit2gtk-4.0` resolves to; the
// 4.1 build would need libwebkit2gtk-4.1-0 instead).
var Depends = []string{"libgtk-3-0", "libwebkit2gtk-4.0-37"}

// desktopFile is the menu entry, committed beside Wails' platform assets.
const desktopFile = "build/linux/tollgate.desktop"

// DebIconSizes are the hicolor sizes installed, made from the 512 px app icon.
var DebIconSizes = []int{512, 256, 128, 64, 48}

// Deb packs the Linux desktop binary with its menu entry and icons into out.
func (c Config) Deb(binary, out string) error {
	icons, err := os.MkdirTemp("", "tollgate-icons")
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	defer os.RemoveAll(icons)
	contents := files.Contents{
		{Source: binary, Destination: "/usr/bin/tollgate", FileInfo: &files.ContentFileInfo{Mode: 0o755}},
		{Source: filepath.Join(c.Repo, desktopFile), Destination: "/usr/share/applications/tollgate.desktop", FileInfo: &files.ContentFileInfo{Mode: 0o644}},
	}
	for _, size := range DebIconSizes {
		path := filepath.Join(icons, strconv.Itoa(size)+".png")
		if err := c.resizedIcon(size, path); err != nil {
			return err
		}
		contents = append(contents, &files.Content{Source: path, FileInfo: &files.ContentFileInfo{Mode: 0o644},
			Destination: fmt.Sprintf("/usr/share/icons/hicolor/%dx%d/apps/tollgate.png", size, size)})
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: "tollgate", Arch: "amd64", Platform: "linux",
		Version: DebVersion(c.Version), VersionSchema: "none",
		Section: "education", Priority: "optional",
		Maintainer:  "Tollgate <tollgate@localhost>",
		Description: "Desktop lab for Stripe subscriptions\nTollgate runs the whole recurring-revenue flow of a Stripe subscription app:\naccounts, Checkout with a free trial and promotion codes, webhooks,\nentitlements, a premium page and the Billing Portal, against its own\noffline Stripe emulator or a Stripe test account.",
		Homepage:    "",
		License:     "",
		Overridables: nfpm.Overridables{
			Depends: Depends,
			// xdg-open opens Checkout and the portal in the browser from the window.
			Recommends: []string{"xdg-utils"},
			Contents:   contents,
		},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return fmt.Errorf("dist: deb: %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		return fmt.Errorf("dist: deb: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	return nil
}

// resizedIcon writes the app icon at size × size px into path.
func (c Config) resizedIcon(size int, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("dist: %w", err)
	}
	if err := c.writeIcon(out, size); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeIcon encodes the app icon at size × size px as PNG.
func (c Config) writeIcon(w io.Writer, size int) error {
	f, err := os.Open(filepath.Join(c.Repo, appIcon))
	if err != nil {
		return fmt.Errorf("dist: app icon: %w", err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("dist: app icon: %w", err)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	if err := png.Encode(w, dst); err != nil {
		return fmt.Errorf("dist: icon %d px: %w", size, err)
	}
	return nil
}

var (
	tagged = regexp.MustCompile(`^v?(\d+(?:\.\d+)+)(?:-(\d+)-g([0-9a-f]+))?$`)
	hash   = regexp.MustCompile(`^[0-9a-f]{4,}$`)
	notDeb = regexp.MustCompile(`[^0-9A-Za-z.+~]+`)
)

// DebVersion turns git describe into a Debian version that sorts as the
// commits do. Debian's must start with a digit and may not hold a hyphen
// without a revision, which a raw describe breaks:
//
//	v1.2.0               1.2.0
//	v1.2.0-3-g5361b79    1.2.0+3.g5361b79   (three commits after the tag: after 1.2.0)
//	5361b79              0~git5361b79       (no tag yet: before any release)
//	… -dirty             … +dirty or .dirty (uncommitted changes)
func DebVersion(v string) string {
	base, dirty := strings.CutSuffix(v, "-dirty")
	var out string
	if m := tagged.FindStringSubmatch(base); m != nil {
		out = m[1]
		if m[2] != "" {
			out += "+" + m[2] + ".g" + m[3]
		}
		if dirty && m[2] == "" {
			return out + "+dirty"
		}
	} else if hash.MatchString(base) {
		out = "0~git" + base
	} else {
		out = "0~" + notDeb.ReplaceAllString(base, ".")
	}
	if dirty {
		out += ".dirty"
	}
	return out
}
