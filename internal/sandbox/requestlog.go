package sandbox

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxLogged is how many API requests the request log keeps.
const maxLogged = 200

// loggedRequest is one API request as the request log shows it. The key is
// never kept: it travels in a header.
type loggedRequest struct {
	ID, Method, Path, Params string
	Status                   int
	Response                 string
	At                       time.Time
}

// requestLog keeps the latest API requests, so an error's request_log_url
// (Stripe's points to its dashboard's log of the request) points at a page a
// learner can open: what was sent and what came back.
type requestLog struct {
	mu   sync.Mutex
	list []loggedRequest // oldest first
}

func (l *requestLog) add(r loggedRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, r)
	if len(l.list) > maxLogged {
		l.list = l.list[len(l.list)-maxLogged:]
	}
}

func (l *requestLog) find(id string) (loggedRequest, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.list {
		if r.ID == id {
			return r, true
		}
	}
	return loggedRequest{}, false
}

// logURL is the request_log_url of request id, on this sandbox.
func logURL(host, id string, at time.Time) string {
	return "http://" + host + "/logs/" + id + "?t=" + strconv.FormatInt(at.Unix(), 10)
}

// withLogURL adds request_log_url to an error body, as Stripe's errors carry it.
func withLogURL(body []byte, url string) []byte {
	var wrapped struct {
		Error map[string]any `json:"error"`
	}
	if json.Unmarshal(body, &wrapped) != nil || wrapped.Error == nil {
		return body
	}
	wrapped.Error["request_log_url"] = url
	return mustJSON(wrapped)
}

var logPage = template.Must(template.Must(template.New("log").Parse(layout)).Parse(`{{define "request"}}{{template "top" .}}
<h1>Request {{.ID}}</h1>
<p class="muted">{{.At.UTC.Format "2 Jan 2006, 15:04:05 UTC"}}</p>
<table><tr><th>Request</th><td><code>{{.Method}} {{.Path}}</code></td></tr>
<tr><th>Parameters</th><td><code>{{if .Params}}{{.Params}}{{else}}(none){{end}}</code></td></tr>
<tr><th>Status</th><td>{{.Status}}</td></tr></table>
<h2>Response</h2><pre style="white-space:pre-wrap;overflow-wrap:anywhere">{{.Response}}</pre>
{{template "bottom" .}}{{end}}`))

// requestPage serves GET /logs/{id}: the request log's page of one request.
func (s *Sandbox) requestPage(w http.ResponseWriter, r *http.Request) {
	req, ok := s.reqlog.find(r.PathValue("id"))
	if !ok {
		s.renderPage(w, http.StatusNotFound, "message", messageView{Title: "No such request", Message: "The sandbox keeps its latest 200 API requests; this one is not among them."})
		return
	}
	var buf bytes.Buffer
	if err := logPage.ExecuteTemplate(&buf, "request", struct {
		loggedRequest
		Title string
	}{req, "Request " + req.ID}); err != nil {
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
