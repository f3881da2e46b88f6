package lessons

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/calls"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Report is a learner's lab, as they hand it to the instructor: the lessons
// done and when, the webhook events Tollgate received for them and the Stripe
// calls it made.
type Report struct {
	Learner   string
	Email     string
	Generated time.Time
	Version   string
	Stripe    string // which Stripe the lab talked to: "Sandbox", "Stripe test mode"
	Course    Course
	Events    []ReportEvent // newest first
	Calls     []calls.Call  // newest first
	// Secrets are values the app holds (its keys, signing secrets, tokens):
	// any that turns up anywhere in the report is blanked, as is anything
	// shaped like a Stripe secret.
	Secrets []string
}

// ReportEvent is one webhook event and what Tollgate did with it.
type ReportEvent struct {
	Event tollgate.Event
	Did   string
}

// secretShape matches what a Stripe secret looks like: secret and restricted
// keys, and webhook signing secrets.
var secretShape = regexp.MustCompile(`\b(?:sk|rk)_(?:test|live)_[0-9A-Za-z_]+|\bwhsec_[0-9A-Za-z+/=_]+`)

// Removed stands where the report blanked a secret.
const Removed = "[secret removed]"

// WriteReport writes r as one self-contained HTML page: its CSS inline, no
// script, no image and no address outside the file, so it opens anywhere
// offline and tells nobody it was opened.
func WriteReport(w io.Writer, r Report) error {
	var buf bytes.Buffer
	if err := reportPage.Execute(&buf, r); err != nil {
		return fmt.Errorf("lessons: report: %w", err)
	}
	out := secretShape.ReplaceAllString(buf.String(), Removed)
	for _, s := range r.Secrets {
		// Blank a secret as written and as HTML-escaped; a short value would
		// blank innocent text, and no real secret is that short.
		if len(s) < 8 {
			continue
		}
		out = strings.ReplaceAll(out, s, Removed)
		out = strings.ReplaceAll(out, template.HTMLEscapeString(s), Removed)
	}
	_, err := io.WriteString(w, out)
	return err
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006, 15:04:05 UTC")
	},
	"params": func(ps []calls.Param) string {
		parts := make([]string, 0, len(ps))
		for _, p := range ps {
			parts = append(parts, p.Key+"="+p.Value)
		}
		return strings.Join(parts, "&")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tollgate lab report: {{.Learner}}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:0 auto;padding:1.5rem;max-width:64rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d8dce6;padding-bottom:.25rem}
.meta{color:#5a6478;margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
table.fixed{table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e6e9f0;overflow-wrap:anywhere}
td.t{font-size:.8rem;color:#5a6478}
code{overflow-wrap:anywhere;word-break:break-all}
@media (max-width:720px){
table.fixed,table.fixed tbody,table.fixed tr,table.fixed td{display:block;width:auto}
table.fixed thead,table.fixed col{display:none}
table.fixed tr{border-top:1px solid #d8dce6;padding:.4rem 0}
table.fixed td{border:none;padding:.1rem .3rem}
table.fixed td[data-label]::before{content:attr(data-label) ": ";color:#5a6478}
}
.done,.todo{white-space:nowrap}
th{background:#f4f6fa;font-weight:600}
.done{color:#146c2e;font-weight:600}.todo{color:#8a93a6}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,monospace;background:#f4f6fa;padding:0 .2em;border-radius:3px}
.muted{color:#5a6478}
.summary{font-size:1.1rem;margin:1rem 0}
</style>
</head>
<body>
<h1>Tollgate lab report</h1>
<p class="meta">{{.Learner}}{{if .Email}} &lt;{{.Email}}&gt;{{end}}</p>
<p class="meta">Made {{when .Generated}} by Tollgate {{.Version}}, talking to {{.Stripe}}.</p>
<p class="summary"><strong>{{.Course.Done}} of {{len .Course.Lessons}}</strong> lessons done.</p>

<h2>Lessons</h2>
<table class="fixed">
<colgroup><col style="width:26%"><col style="width:5.5rem"><col style="width:9rem"><col style="width:9rem"><col></colgroup>
<thead><tr><th>Lesson</th><th>Done</th><th>When</th><th>On Stripe's clock</th><th>Seen in</th></tr></thead>
<tbody>
{{range .Course.Lessons}}<tr data-lesson="{{.ID}}">
<td><strong>{{.Title}}</strong></td>
{{if .Done}}<td class="done">Done</td><td class="t" data-label="When">{{when .At}}</td><td class="t"{{if not .StripeAt.IsZero}} data-label="On Stripe's clock"{{end}}>{{when .StripeAt}}</td><td data-label="Seen in">{{.Via}}</td>
{{else}}<td class="todo" colspan="4">Not yet</td>{{end}}
</tr>
{{end}}</tbody>
</table>

<h2>Webhook events ({{len .Events}})</h2>
{{if .Events}}<table class="fixed">
<colgroup><col style="width:9rem"><col style="width:9rem"><col style="width:30%"><col style="width:7rem"><col></colgroup>
<thead><tr><th>Stripe's time</th><th>Received</th><th>Event</th><th>Outcome</th><th>What Tollgate did</th></tr></thead>
<tbody>
{{range .Events}}<tr>
<td class="t" data-label="Stripe's time">{{when .Event.Created}}</td><td class="t" data-label="Received">{{when .Event.Received}}</td>
<td><code>{{.Event.Type}}</code><br><span class="muted">{{.Event.ID}}</span></td>
<td>{{.Event.Outcome}}{{if .Event.Error}}: {{.Event.Error}}{{end}}</td><td>{{.Did}}</td>
</tr>
{{end}}</tbody>
</table>{{else}}<p class="muted">No webhook events yet.</p>{{end}}

<h2>Stripe calls ({{len .Calls}})</h2>
{{if .Calls}}<table class="fixed">
<colgroup><col style="width:9rem"><col style="width:22%"><col><col style="width:5rem"><col style="width:11rem"></colgroup>
<thead><tr><th>When</th><th>Action</th><th>Request</th><th>Status</th><th>Request id</th></tr></thead>
<tbody>
{{range .Calls}}<tr>
<td class="t" data-label="When">{{when .Started}}</td><td>{{.Action.Label}}</td>
<td><code>{{.Method}} {{.Path}}</code>{{with params .Params}}<br><span class="muted">{{.}}</span>{{end}}</td>
<td>{{if .Status}}{{.Status}}{{else}}{{.Error}}{{end}}{{if gt .Attempt 1}} (try {{.Attempt}}){{end}}</td><td><code>{{.RequestID}}</code></td>
</tr>
{{end}}</tbody>
</table>{{else}}<p class="muted">No Stripe calls in this run yet.</p>{{end}}
<p class="muted">Stripe calls are kept in memory: this report has the ones made since Tollgate last started. Keys, signing secrets and tokens are never written here.</p>
</body>
</html>
`))
