package sandbox

import (
	"bytes"
	"fmt"
	"strings"
)

// A one-page PDF of text and rules, written by hand: the sandbox needs only
// a readable invoice, and PDF's standard Helvetica fonts need no embedding.
// The document is PDF 1.4: a catalog, one page, two fonts, an uncompressed
// content stream (so a test can read its text), an info dictionary, and a
// cross-reference table of byte offsets.

// pdfText is one line of text; X is its left edge, or its right edge when
// Right is set, in points from the page's bottom left corner.
type pdfText struct {
	X, Y, Size float64
	Bold       bool
	Grey       bool
	Right      bool
	Text       string
}

// pdfRule is a horizontal line from X1 to X2 at Y.
type pdfRule struct {
	X1, X2, Y float64
}

// A4 in points.
const pdfWidth, pdfHeight = 595.0, 842.0

// writePDF lays texts and rules on one A4 page.
func writePDF(title string, texts []pdfText, rules []pdfRule) []byte {
	var content bytes.Buffer
	content.WriteString("0.85 0.87 0.9 RG 0.75 w\n")
	for _, r := range rules {
		fmt.Fprintf(&content, "%.2f %.2f m %.2f %.2f l S\n", r.X1, r.Y, r.X2, r.Y)
	}
	for _, t := range texts {
		font, x := "F1", t.X
		if t.Bold {
			font = "F2"
		}
		s := winAnsi(t.Text)
		if t.Right {
			x -= textWidth(s, t.Bold) * t.Size / 1000
		}
		grey := "0.1 0.12 0.21"
		if t.Grey {
			grey = "0.41 0.45 0.53"
		}
		fmt.Fprintf(&content, "BT %s rg /%s %.1f Tf %.2f %.2f Td (%s) Tj ET\n", grey, font, t.Size, x, t.Y, pdfEscape(s))
	}

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>", pdfWidth, pdfHeight),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.Bytes()),
		fmt.Sprintf("<< /Title (%s) /Producer (Tollgate Sandbox) >>", pdfEscape(winAnsi(title))),
	}
	var out bytes.Buffer
	// The second line's bytes above 127 tell tools the file is binary.
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := out.Len()
	// Each entry is exactly 20 bytes, its end of line two: a space and \n.
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, len(objects), xref)
	return out.Bytes()
}

// winAnsi turns text into the bytes of PDF's WinAnsiEncoding, which the
// standard fonts use: Latin-1 as it is (£, é), the few typographic marks
// Windows-1252 adds, a minus sign as a hyphen, and "?" for the rest.
func winAnsi(s string) string {
	extra := map[rune]byte{'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94,
		'•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99, '−': '-', '→': '>'}
	var b strings.Builder
	for _, r := range s {
		switch c, ok := extra[r]; {
		case ok:
			b.WriteByte(c)
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			b.WriteByte(byte(r))
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pdfEscape escapes a WinAnsi string for a PDF literal string.
func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

// Helvetica's and Helvetica-Bold's advance widths (thousandths of the font
// size) for ASCII 32 to 126, from Adobe's font metrics, to right-align text.
var (
	helvetica = [95]int{
		278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
		333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
	}
	helveticaBold = [95]int{
		278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
		975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
		333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
		611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
	}
)

// textWidth is a WinAnsi string's width in thousandths of the font size.
func textWidth(s string, bold bool) float64 {
	widths := &helvetica
	if bold {
		widths = &helveticaBold
	}
	w := 0
	for i := range len(s) {
		switch c := s[i]; {
		case c >= 32 && c <= 126:
			w += widths[c-32]
		case c == 0x97: // em dash
			w += 1000
		case c == 0x95: // bullet
			w += 350
		case c == 0xd7: // ×
			w += 584
		default: // £, €, en dash and the other Latin-1 letters used
			w += 556
		}
	}
	return float64(w)
}
