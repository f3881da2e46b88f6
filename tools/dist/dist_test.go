package dist_test

import (
	"archive/zip"
	"bytes"
	"debug/pe"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/tools/dist"
)

// repo is the Tollgate checkout this module sits in.
const repo = "../.."

func TestDebVersion(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"v1.2.0", "1.2.0"},
		{"1.2.0", "1.2.0"},
		{"v1.2.0-dirty", "1.2.0+dirty"},
		{"v1.2.0-3-g5361b79", "1.2.0+3.g5361b79"},
		{"v1.2.0-3-g5361b79-dirty", "1.2.0+3.g5361b79.dirty"},
		{"5361b79", "0~git5361b79"},
		{"5361b79-dirty", "0~git5361b79.dirty"},
		{"1234567", "0~git1234567"}, // a hash of digits only is no release
		{"dev", "0~dev"},
	} {
		if got := dist.DebVersion(tc.in); got != tc.want {
			t.Errorf("DebVersion(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// dpkg itself must take each, and order them as the commits are ordered.
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("no dpkg to compare versions with")
	}
	order := [][2]string{{"5361b79", "v0.9.0"}, {"5361b79", "5361b79-dirty"}, {"v0.9.0", "v1.2.0"}, {"v1.2.0", "v1.2.0-dirty"},
		{"v1.2.0", "v1.2.0-3-g5361b79"}, {"v1.2.0-3-g5361b79", "v1.2.0-3-g5361b79-dirty"}, {"v1.2.0-3-g5361b79", "v1.2.0-10-gabcdef0"}, {"v1.2.0-10-gabcdef0", "v1.3.0"}}
	for _, pair := range order {
		a, b := dist.DebVersion(pair[0]), dist.DebVersion(pair[1])
		if out, err := exec.Command("dpkg", "--compare-versions", a, "lt", b).CombinedOutput(); err != nil {
			t.Errorf("dpkg does not take %s < %s (%s → %s): %v %s", a, b, pair[0], pair[1], err, out)
		}
	}
}

func TestNumericVersion(t *testing.T) {
	for in, want := range map[string]string{"v1.2.3": "1.2.3", "v1.2.3-4-gabc1234-dirty": "1.2.3", "5361b79": "0.0.0", "dev": "0.0.0"} {
		if got := dist.NumericVersion(in); got != want {
			t.Errorf("NumericVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// config is a Config for a build into a fresh folder, with made-up files in it.
func config(t *testing.T, names ...string) dist.Config {
	t.Helper()
	c := dist.Config{Repo: repo, Out: t.TempDir(), Version: "v1.2.0-3-g5361b79", Date: "2026-12-02T05:00:00Z", Log: slog.New(slog.DiscardHandler)}
	for i, name := range names {
		if err := os.WriteFile(filepath.Join(c.Out, name), bytes.Repeat([]byte{byte('a' + i)}, 1000+i), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestSums(t *testing.T) {
	names := []string{"tollgate_v1_linux_amd64", "tollgate_v1_windows_amd64.exe"}
	c := config(t, names...)
	if err := dist.WriteSums(c.Out, names); err != nil {
		t.Fatal(err)
	}
	// sha256sum, the tool a learner runs, accepts it…
	check := func() ([]byte, error) {
		cmd := exec.Command("sha256sum", "-c", dist.SumsFile)
		cmd.Dir = c.Out
		return cmd.CombinedOutput()
	}
	if out, err := check(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	// …and refuses it once a file changed.
	if err := os.WriteFile(filepath.Join(c.Out, names[1]), []byte("tampered"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := check(); err == nil || !strings.Contains(string(out), names[1]+": FAILED") {
		t.Fatalf("sha256sum -c accepted a changed file: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(c.Out, dist.SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, sums, err := dist.ReadSums(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(names, ",") || len(sums[names[0]]) != 64 {
		t.Fatalf("ReadSums = %v %v, want %v", got, sums, names)
	}
	if _, _, err := dist.ReadSums(strings.NewReader("abc  file\n")); err == nil {
		t.Error("ReadSums took a malformed line")
	}
}

func TestClassKit(t *testing.T) {
	c := config(t)
	files := []string{c.Name("linux_amd64"), c.Name("windows_amd64.exe"), c.Name("darwin_arm64"), c.Name("darwin_amd64"), c.Name("amd64.deb")}
	c = config(t, files...)
	if err := dist.WriteSums(c.Out, files); err != nil {
		t.Fatal(err)
	}
	kit := filepath.Join(t.TempDir(), "kit.zip")
	if err := c.ClassKit(files, kit); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(kit)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := map[string]bool{dist.StartHere: true, dist.SumsFile: true}
	for _, f := range files {
		want[f] = true
	}
	for _, zf := range zr.File {
		name, ok := strings.CutPrefix(zf.Name, "tollgate_"+c.Version+"/")
		if !ok || !want[name] {
			t.Errorf("unexpected entry %q", zf.Name)
			continue
		}
		delete(want, name)
		if name == dist.StartHere {
			continue
		}
		body := readZip(t, zf)
		disk, err := os.ReadFile(filepath.Join(c.Out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, disk) {
			t.Errorf("%s in the zip differs from the file", name)
		}
		if got, want := zf.Modified.UTC().Format(time.RFC3339), c.Date; got != want {
			t.Errorf("%s dated %s, want the build's date %s", name, got, want)
		}
		runnable := zf.Mode()&0o111 != 0
		if wantRun := !strings.HasSuffix(name, ".deb") && name != dist.SumsFile; runnable != wantRun {
			t.Errorf("%s: mode %v, runnable should be %v", name, zf.Mode(), wantRun)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing from the zip: %v", want)
	}
}

func readZip(t *testing.T, zf *zip.File) []byte {
	t.Helper()
	r, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStartHere: the page names every file and the version, and loads
// nothing from anywhere (it is opened from an unzipped folder, offline).
func TestStartHere(t *testing.T) {
	c := config(t)
	page, err := c.StartHere()
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, want := range []string{c.Name("linux_amd64"), c.Name("windows_amd64.exe"), c.Name("darwin_arm64"), c.Name("darwin_amd64"),
		c.Name("amd64.deb"), dist.SumsFile, "tollgate " + c.Version, "4242 4242 4242 4242", "4000 0000 0000 0002",
		"%AppData%\\tollgate", "~/.config/tollgate", "Reset the sandbox", "tollgate serve", "WebView2", "Run anyway"} {
		if !strings.Contains(html, want) {
			t.Errorf("START-HERE.html lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)<(script|link|iframe|object)\b|(?:src|href)\s*=\s*"(?:[^d"]|d[^a])`).FindString(html); m != "" {
		t.Errorf("START-HERE.html is not self-contained: %q", m)
	}
	if !strings.Contains(html, `src="data:image/png;base64,`) {
		t.Error("the icon is not inline")
	}
	c.SignCert, c.SignKey = "cert.pem", "key.pem"
	if page, err := c.StartHere(); err != nil || strings.Contains(string(page), "Run anyway") {
		t.Errorf("a signed kit still explains the unsigned warning (err %v)", err)
	}
}

// TestDeb packs a stand-in binary and reads the package back with dpkg-deb:
// the fields apt resolves and the files the menu needs.
func TestDeb(t *testing.T) {
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("no dpkg-deb")
	}
	c := config(t, "tollgate")
	deb := filepath.Join(c.Out, "t.deb")
	if err := c.Deb(filepath.Join(c.Out, "tollgate"), deb); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Depends").CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -f: %v\n%s", err, out)
	}
	for _, want := range []string{"Package: tollgate\n", "Version: 1.2.0+3.g5361b79\n", "Architecture: amd64\n", "Depends: libgtk-3-0, libwebkit2gtk-4.0-37\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("control lacks %q:\n%s", want, out)
		}
	}
	out, err = exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v\n%s", err, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^-rwxr-xr-x root/root .* \./usr/bin/tollgate$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root .* \./usr/share/applications/tollgate\.desktop$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root .* \./usr/share/icons/hicolor/256x256/apps/tollgate\.png$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root .* \./usr/share/icons/hicolor/48x48/apps/tollgate\.png$`),
	} {
		if !want.Match(out) {
			t.Errorf("package lacks %v:\n%s", want, out)
		}
	}
}

// TestWriteSyso: the resources become a COFF object for the Windows linker,
// named so that no other platform's build picks it up.
func TestWriteSyso(t *testing.T) {
	c := config(t)
	c.Repo = t.TempDir() // a copy: the real checkout is no place for a test's leftovers
	for _, f := range []string{"build/appicon.png", "build/windows/info.json", "build/windows/wails.exe.manifest"} {
		copyFile(t, filepath.Join(repo, f), filepath.Join(c.Repo, f))
	}
	path, err := c.WriteSyso("amd64")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filepath.Base(path), "tollgate-res_windows_amd64.syso"; got != want {
		t.Errorf("syso named %s, want %s", got, want)
	}
	obj, err := pe.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if obj.Machine != pe.IMAGE_FILE_MACHINE_AMD64 || obj.Section(".rsrc") == nil {
		t.Errorf("syso: machine %#x, sections %v: want an AMD64 object with .rsrc", obj.Machine, obj.Sections)
	}
	// The icon was made from the app icon, as Wails makes it when missing.
	if _, err := os.Stat(filepath.Join(c.Repo, "build/windows/icon.ico")); err != nil {
		t.Errorf("icon.ico not made: %v", err)
	}
	if _, err := c.WriteSyso("mips"); err == nil {
		t.Error("WriteSyso took an architecture Windows has no resources for")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunRefusesHalfASigningPair(t *testing.T) {
	c := config(t)
	c.SignCert = "cert.pem"
	if _, err := dist.Run(t.Context(), c); err == nil || !strings.Contains(err.Error(), "SIGN_CERT and SIGN_KEY go together") {
		t.Fatalf("err = %v", err)
	}
}
