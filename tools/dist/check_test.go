//go:build distcheck

// The release checks (make dist-check): they read what make dist built into
// DIST_DIR, for the version DIST_VERSION, and install the .deb on this machine.
package dist_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tollgate/tollgate/tools/dist"
)

// release is the Config make dist ran with: its folder and version.
func release(t *testing.T) dist.Config {
	t.Helper()
	dir, version := os.Getenv("DIST_DIR"), os.Getenv("DIST_VERSION")
	if dir == "" || version == "" {
		t.Fatal("DIST_DIR and DIST_VERSION must name make dist's folder and version: run make dist-check")
	}
	return dist.Config{Repo: repo, Out: dir, Version: version}
}

func TestDistSums(t *testing.T) {
	c := release(t)
	names, sums := readSums(t, c)
	want := []string{c.Name("linux_amd64"), c.Name("windows_amd64.exe"), c.Name("darwin_arm64"), c.Name("darwin_amd64"), c.Name("amd64.deb")}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("SHA256SUMS lists %v, want %v", names, want)
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(c.Out, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha(b); got != sums[name] {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s", name, got, sums[name])
		}
	}
}

func readSums(t *testing.T, c dist.Config) ([]string, map[string]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(c.Out, dist.SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, sums, err := dist.ReadSums(f)
	if err != nil {
		t.Fatal(err)
	}
	return names, sums
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestDistClassKit: the zip holds START-HERE.html, SHA256SUMS and exactly the
// files SHA256SUMS lists, each as it is on disk; the page names each of them.
func TestDistClassKit(t *testing.T) {
	c := release(t)
	names, sums := readSums(t, c)
	zr, err := zip.OpenReader(filepath.Join(c.Out, c.Name("class.zip")))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string][]byte{}
	for _, zf := range zr.File {
		name, ok := strings.CutPrefix(zf.Name, "tollgate_"+c.Version+"/")
		if !ok {
			t.Errorf("entry %q is outside the kit's folder", zf.Name)
		}
		got[name] = readZip(t, zf)
	}
	for _, name := range names {
		if b, ok := got[name]; !ok {
			t.Errorf("the kit lacks %s", name)
		} else if sha(b) != sums[name] {
			t.Errorf("%s in the kit does not match SHA256SUMS", name)
		}
		delete(got, name)
	}
	sumsFile, err := os.ReadFile(filepath.Join(c.Out, dist.SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[dist.SumsFile], sumsFile) {
		t.Error("the kit's SHA256SUMS differs from build/dist's")
	}
	page := string(got[dist.StartHere])
	for _, name := range append(names, dist.SumsFile, "tollgate "+c.Version) {
		if !strings.Contains(page, name) {
			t.Errorf("START-HERE.html does not mention %s", name)
		}
	}
	delete(got, dist.SumsFile)
	delete(got, dist.StartHere)
	for name := range got {
		t.Errorf("the kit holds %s, which SHA256SUMS does not list", name)
	}
}

// TestDistWindows reads the .exe as Windows would: an AMD64 PE for the GUI
// subsystem (no console window behind it), with the icon Explorer shows, the
// version resource its Properties → Details show, and the manifest.
func TestDistWindows(t *testing.T) {
	c := release(t)
	exe := filepath.Join(c.Out, c.Name("windows_amd64.exe"))
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("machine %#x, want AMD64", f.Machine)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		t.Fatalf("optional header %T, want PE32+", f.OptionalHeader)
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("subsystem %d, want the GUI subsystem (%d)", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	res := resources(t, f, oh)
	if got, want := len(res[rtIcon]), len(dist.IconSizes); got != want {
		t.Errorf("%d icon images, want %d", got, want)
	}
	if len(res[rtGroupIcon]) != 1 {
		t.Fatalf("%d icon groups, want 1", len(res[rtGroupIcon]))
	}
	if group := res[rtGroupIcon][0]; len(group) < 6 || int(binary.LittleEndian.Uint16(group[4:])) != len(dist.IconSizes) {
		t.Errorf("the icon group lists %x, want %d images", group, len(dist.IconSizes))
	}
	if len(res[rtVersion]) != 1 {
		t.Fatalf("%d version resources, want 1", len(res[rtVersion]))
	}
	vi := res[rtVersion][0]
	for _, want := range []string{"ProductVersion", "FileVersion", c.Version, "Tollgate"} {
		if !bytes.Contains(vi, utf16le(want)) {
			t.Errorf("the version resource lacks %q", want)
		}
	}
	if !bytes.Contains(vi, binary.LittleEndian.AppendUint32(nil, 0xFEEF04BD)) {
		t.Error("the version resource has no VS_FIXEDFILEINFO")
	}
	if len(res[rtManifest]) != 1 || !bytes.Contains(res[rtManifest][0], []byte("Microsoft.Windows.Common-Controls")) {
		t.Error("no application manifest (Wails' common controls and DPI settings)")
	}
}

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

// resources walks the PE's resource tree (type → name → language → data)
// and returns each type's data, read through the section that holds it.
func resources(t *testing.T, f *pe.File, oh *pe.OptionalHeader64) map[uint32][][]byte {
	t.Helper()
	dir := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
	var sec *pe.Section
	for _, s := range f.Sections {
		if dir.VirtualAddress >= s.VirtualAddress && dir.VirtualAddress < s.VirtualAddress+s.VirtualSize {
			sec = s
		}
	}
	if dir.Size == 0 || sec == nil {
		t.Fatal("no resource directory")
	}
	data, err := sec.Data()
	if err != nil {
		t.Fatal(err)
	}
	base := dir.VirtualAddress - sec.VirtualAddress
	u16 := func(off uint32) uint32 { return uint32(binary.LittleEndian.Uint16(data[off:])) }
	u32 := func(off uint32) uint32 { return binary.LittleEndian.Uint32(data[off:]) }
	// entries lists a directory's (id, offset, isDir) entries; offsets are from the tree's root.
	type entry struct {
		id, off uint32
		dir     bool
	}
	entries := func(off uint32) []entry {
		n := u16(base+off+12) + u16(base+off+14)
		var es []entry
		for i := uint32(0); i < n; i++ {
			e := base + off + 16 + 8*i
			es = append(es, entry{id: u32(e), off: u32(e+4) &^ (1 << 31), dir: u32(e+4)&(1<<31) != 0})
		}
		return es
	}
	out := map[uint32][][]byte{}
	for _, typ := range entries(0) {
		for _, name := range entries(typ.off) {
			for _, lang := range entries(name.off) {
				if lang.dir {
					t.Fatalf("a fourth level in the resource tree under type %d", typ.id)
				}
				rva, size := u32(base+lang.off), u32(base+lang.off+4)
				start := rva - sec.VirtualAddress
				out[typ.id] = append(out[typ.id], data[start:start+size])
			}
		}
	}
	return out
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, r)
	}
	return b
}

// TestDistWindowsSigned signs a copy of the .exe as make dist SIGN_CERT=…
// SIGN_KEY=… does, with a certificate made here, and has osslsigncode check
// the signature against that certificate, and not against another one.
func TestDistWindowsSigned(t *testing.T) {
	c := release(t)
	dir := t.TempDir()
	cert, key := selfSigned(t, dir, "Tollgate test instructor")
	other, _ := selfSigned(t, dir, "Someone else")
	exe := filepath.Join(dir, "tollgate.exe")
	copyFile(t, filepath.Join(c.Out, c.Name("windows_amd64.exe")), exe)
	verify := func(ca string) ([]byte, error) {
		return exec.Command("osslsigncode", "verify", "-CAfile", ca, "-in", exe).CombinedOutput()
	}
	if out, err := verify(cert); err == nil {
		t.Fatalf("osslsigncode verified the unsigned binary:\n%s", out)
	}
	if err := dist.Sign(t.Context(), exe, cert, key); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(cert); err != nil {
		t.Fatalf("osslsigncode verify: %v\n%s", err, out)
	}
	if out, err := verify(other); err == nil {
		t.Fatalf("the signature verified against a certificate that did not make it:\n%s", out)
	}
	// The signature leaves the program as it was: still a GUI PE with its resources.
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	oh := f.OptionalHeader.(*pe.OptionalHeader64)
	if oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].Size == 0 {
		t.Error("no certificate table in the signed binary")
	}
	if len(resources(t, f, oh)[rtVersion]) != 1 {
		t.Error("signing lost the version resource")
	}
	if err := dist.Sign(t.Context(), exe, filepath.Join(dir, "missing.pem"), key); err == nil {
		t.Error("Sign took a certificate file that does not exist")
	}
}

// selfSigned writes a code-signing certificate that is its own CA, and its key.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name, Organization: []string{"Tollgate tests"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	slug := strings.ReplaceAll(name, " ", "-")
	certFile, keyFile = filepath.Join(dir, slug+".pem"), filepath.Join(dir, slug+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestDistDarwin(t *testing.T) {
	c := release(t)
	for suffix, cpu := range map[string]macho.Cpu{"darwin_arm64": macho.CpuArm64, "darwin_amd64": macho.CpuAmd64} {
		f, err := macho.Open(filepath.Join(c.Out, c.Name(suffix)))
		if err != nil {
			t.Errorf("%s: %v", suffix, err)
			continue
		}
		if f.Cpu != cpu || f.Type != macho.TypeExec {
			t.Errorf("%s: Mach-O %v %v, want an executable for %v", suffix, f.Cpu, f.Type, cpu)
		}
		f.Close()
	}
}

// TestDistDeb installs the .deb as a learner would (apt resolving its
// dependencies), runs it from PATH, validates its menu entry, and removes it.
func TestDistDeb(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing a .deb needs root (CI and make dist-check run as root)")
	}
	c := release(t)
	deb, err := filepath.Abs(filepath.Join(c.Out, c.Name("amd64.deb")))
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// Another process's apt (a parallel install) holds the lock for a while: wait for it.
	run("apt-get", "install", "-y", "-q", "--allow-downgrades", "-o", "DPkg::Lock::Timeout=300", deb)
	removed := false
	defer func() {
		if !removed {
			exec.Command("dpkg", "-r", "tollgate").Run()
		}
	}()
	if got, want := run("dpkg-query", "-W", "-f", "${Status} ${Version}", "tollgate"), "install ok installed "+dist.DebVersion(c.Version); got != want {
		t.Errorf("dpkg-query: %q, want %q", got, want)
	}
	path, err := exec.LookPath("tollgate")
	if err != nil || path != "/usr/bin/tollgate" {
		t.Fatalf("tollgate on PATH: %q, %v; want /usr/bin/tollgate", path, err)
	}
	version := run("tollgate", "version")
	if first, _, _ := strings.Cut(version, "\n"); first != "tollgate "+c.Version {
		t.Errorf("tollgate version says %q, want %q", first, "tollgate "+c.Version)
	}
	if !strings.Contains(version, "window:     yes") {
		t.Errorf("the packaged binary has no window:\n%s", version)
	}
	run("desktop-file-validate", "/usr/share/applications/tollgate.desktop")
	for _, f := range []string{"/usr/share/icons/hicolor/256x256/apps/tollgate.png", "/usr/share/icons/hicolor/48x48/apps/tollgate.png"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("icon: %v", err)
		}
	}
	installed := strings.Fields(run("dpkg", "-L", "tollgate"))
	run("dpkg", "-r", "tollgate")
	removed = true
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", "tollgate").CombinedOutput(); strings.Contains(string(out), "installed") && !strings.Contains(string(out), "not-installed") {
		t.Errorf("after dpkg -r: %s", out)
	}
	for _, f := range installed {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			t.Errorf("%s is still there after dpkg -r", f)
		}
	}
}

// TestDistServeOnly builds Linux without cgo, as the macOS binaries are built
// (no desktop tags), and runs it: serve answers; with no command it says in
// one line that it has no window, runs serve and opens the browser on it.
func TestDistServeOnly(t *testing.T) {
	c := release(t)
	c.Commit, c.Date = "0123456789abcdef0123456789abcdef01234567", "2026-12-02T05:00:00Z"
	bin := filepath.Join(t.TempDir(), "tollgate")
	if err := c.Build(t.Context(), dist.Target{GOOS: "linux", GOARCH: "amd64", Suffix: "linux_amd64"}, bin); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tollgate " + c.Version + "\n", c.Commit, c.Date, "window:     no"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("version lacks %q:\n%s", want, out)
		}
	}
	t.Run("Serve", func(t *testing.T) {
		link, _ := start(t, bin, nil, "serve")
		get(t, link)
	})
	t.Run("NoCommand", func(t *testing.T) {
		dir := t.TempDir()
		opened := filepath.Join(dir, "opened")
		opener := filepath.Join(dir, "opener")
		if err := os.WriteFile(opener, []byte("#!/bin/sh\nprintf '%s' \"$1\" > "+opened+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		link, stderr := start(t, bin, []string{"BROWSER=" + opener})
		if first, _, _ := strings.Cut(stderr(), "\n"); !strings.Contains(first, "this build has no window") || !strings.Contains(first, "running `tollgate serve` and opening your browser") {
			t.Errorf("first line of stderr: %q", first)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, _ := os.ReadFile(opened)
			if string(b) == link {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the browser was asked to open %q, want %q", b, link)
			}
			time.Sleep(50 * time.Millisecond)
		}
		get(t, link)
	})
}

// start runs bin with args on a fresh data folder and a free port, and returns
// the link it prints once serving, and its stderr so far. SIGINT stops it at
// the test's end, and it must exit 0.
func start(t *testing.T, bin string, env []string, args ...string) (link string, stderr func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	// A data folder Tollgate makes itself (0700), so no warning about a shared one comes first.
	data := filepath.Join(t.TempDir(), "data")
	cmd := exec.CommandContext(ctx, bin, append(args, "--data", data, "--addr", "127.0.0.1:0")...)
	cmd.Env = append(append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir()), env...)
	var errBuf lockedBuffer
	cmd.Stderr = &errBuf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("tollgate exited with %v\n%s", err, errBuf.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("tollgate did not stop on SIGINT")
		}
		cancel()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), "Tollgate is running at "); ok {
				lines <- l
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case link = <-lines:
	case <-time.After(60 * time.Second):
		t.Fatalf("no link within 60 s; stderr:\n%s", errBuf.String())
	}
	return link, errBuf.String
}

func get(t *testing.T, link string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<script")) {
		t.Errorf("GET %s: %d %s, body %.200q", link, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// lockedBuffer is stderr, written by the process's copier and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
