package sandbox

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/tollgate/tollgate/internal/logkey"
)

// layout wraps every hosted page: self-contained HTML with inline CSS, so
// it works offline and in any browser a learner has.
const layout = `{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Tollgate Sandbox</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f8fa;color:#1a1f36;margin:0}
main{max-width:34rem;margin:2rem auto;background:#fff;border:1px solid #e3e8ee;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
.banner{font-size:.8rem;color:#697386;margin-bottom:1rem}.muted{color:#697386}
.price{font-size:1.6rem;font-weight:600}.error{background:#fdecea;color:#a41c1c;padding:.6rem .8rem;border-radius:6px}
.notice{background:#e6f4ea;color:#1e6b34;padding:.6rem .8rem;border-radius:6px}
label{display:block;margin:.7rem 0 .2rem;font-size:.9rem}
input[type=text],input[type=email],select,textarea{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #c1c9d2;border-radius:6px;font-size:1rem;font-family:inherit;background:#fff}
input[type=text],input[type=email],select{height:2.5rem}
.row{display:flex;gap:.8rem}.row>div{flex:1;min-width:0}
.inline{display:flex;gap:.5rem;align-items:stretch}.inline input{flex:1;min-width:0}.inline button{margin-top:0}
table.summary{margin:1rem 0}
button{margin-top:1rem;background:#635bff;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
button.secondary{background:#fff;color:#635bff;border:1px solid #635bff}button.danger{background:#df1b41}
fieldset{border:0;padding:0;margin:.6rem 0}legend{padding:0;margin-bottom:.3rem;color:#697386}
label.choice{display:flex;gap:.6rem;align-items:center;margin:.45rem 0;font-size:1rem}label.choice input{margin:0;width:1.1rem;height:1.1rem}
a.skip{margin-left:1rem}
form.switch{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .8rem;margin-top:.8rem}form.switch button{margin-top:0}
.nowrap{white-space:nowrap}.discounted{color:#1e6b34;font-weight:600}
/* As in Stripe's portal, the comment box comes with "Other reason"; a browser without :has() always shows it. */
form.reason:not(:has(input[value=other]:checked)) .comment{display:none}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{text-align:left;padding:.35rem;border-bottom:1px solid #e3e8ee}
td.num,th.num{text-align:right;white-space:nowrap}
.card{border:1px solid #e3e8ee;border-radius:6px;padding:.8rem;margin:.6rem 0}
.hint{font-size:.8rem;color:#697386}
</style></head><body><main>
<div class="banner">Tollgate Sandbox — test mode, no real money moves</div>
{{end}}
{{define "bottom"}}</main></body></html>{{end}}`

var pageTemplates = template.Must(template.New("pages").Parse(layout + checkoutTemplate + portalTemplate + invoiceTemplate + messageTemplate))

const messageTemplate = `{{define "message"}}{{template "top" .}}<h1>{{.Title}}</h1><p>{{.Message}}</p>
{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>{{end}}{{template "bottom" .}}{{end}}`

type messageView struct {
	Title, Message, Link, LinkText string
}

// renderPage executes a template into a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (s *Sandbox) renderPage(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render page", logkey.Page, name, logkey.Err, err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Sandbox) messagePage(w http.ResponseWriter, status int, title, msg string) {
	s.renderPage(w, status, "message", messageView{Title: title, Message: msg})
}

// readPageForm parses a hosted page's POST body, bounded in size.
func readPageForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	return r.ParseForm() == nil
}

func (s *Sandbox) homePage(w http.ResponseWriter, _ *http.Request) {
	key := "any sk_test_ key"
	if s.cfg.Key != "" {
		key = "the key it was started with"
	}
	s.renderPage(w, http.StatusOK, "message", messageView{Title: "Tollgate Sandbox",
		Message: "An offline Stripe for learning: point a Stripe SDK at this address with " + key + ". Checkout and Billing Portal pages appear here when your app creates sessions."})
}

func formatDate(unix int64) string {
	if unix == 0 {
		return ""
	}
	return time.Unix(unix, 0).UTC().Format("2 Jan 2006")
}
