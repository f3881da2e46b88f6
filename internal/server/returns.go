package server

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/tollgate/tollgate/internal/logkey"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// Returns is what the pages Stripe sends the browser back to need from billing.
type Returns interface {
	// CheckoutSucceeded syncs the session's customer at once, so the user is
	// not left waiting for the webhook.
	CheckoutSucceeded(ctx context.Context, sessionID string) error
	// PortalReturned syncs the logged-in user, whose plan may have changed in the portal.
	PortalReturned(ctx context.Context) error
}

// PublicRoutes are the routes Stripe and the browser coming back from Stripe
// reach without the run's token: the webhook proves itself with its signature,
// and the return pages only make Tollgate re-read Stripe.
func PublicRoutes(webhook http.Handler, returns Returns, appURL string, log *slog.Logger) *http.ServeMux {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle(tollgate.WebhookPath, webhook)
	p := &returnPages{returns: returns, appURL: appURL, log: log}
	mux.HandleFunc("GET "+tollgate.CheckoutSuccessPath, p.success)
	mux.HandleFunc("GET "+tollgate.CheckoutCancelPath, p.cancel)
	mux.HandleFunc("GET "+tollgate.PortalReturnPath, p.portal)
	return mux
}

// TunnelRoutes is all the tunnel serves: POST /payments/event. Anything else
// from the internet is 404, as if nothing were there: the app, its bridge and
// the return pages are for this machine only.
func TunnelRoutes(webhook http.Handler) http.Handler {
	// An exact match, not a ServeMux: a mux would answer //payments/event
	// with a redirect and GET with a 405, telling a prober what is there.
	return Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != tollgate.WebhookPath {
			http.NotFound(w, r)
			return
		}
		webhook.ServeHTTP(w, r)
	}))
}

// returnPages either send the browser back into the app (serve mode, where the
// app is in this browser) or say "go back to the window" (desktop mode).
type returnPages struct {
	returns Returns
	appURL  string // "" in desktop mode
	log     *slog.Logger
}

func (p *returnPages) success(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("session_id")
	if id == "" {
		p.render(w, http.StatusBadRequest, "No checkout session", "This address needs a session_id from Stripe Checkout.", "")
		return
	}
	if err := p.returns.CheckoutSucceeded(r.Context(), id); err != nil {
		// Anyone can open this address with any id: say what Stripe says of it, never "paid" unchecked.
		switch tollgate.ErrorCode(err) {
		case tollgate.ENOTFOUND:
			p.render(w, http.StatusNotFound, "No such checkout", "This is not a Checkout Session Tollgate started: "+tollgate.ErrorMessage(err)+" Nothing was bought here.", "plans")
		case tollgate.EINVALID:
			p.render(w, http.StatusBadRequest, "Checkout not finished", tollgate.ErrorMessage(err), "plans")
		default:
			if tollgate.ErrorCode(err) == tollgate.EINTERNAL {
				p.log.Error("checkout success sync failed", logkey.Session, id, logkey.Err, err)
			}
			p.render(w, http.StatusOK, "Back from Checkout", "Tollgate could not confirm it with Stripe just now ("+tollgate.ErrorMessage(err)+"). If you paid, the webhook will update your plan shortly.", "plans")
		}
		return
	}
	p.render(w, http.StatusOK, "You're subscribed", "Stripe confirmed your subscription. Your entitlements are on the Access screen.", "plans")
}

// cancel is Checkout's cancel_url. The title spells it as Stripe does ("canceled"),
// the word the rest of the UI uses for Stripe's status.
func (p *returnPages) cancel(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "Checkout canceled", "Nothing was charged. You can choose a plan again at any time.", "plans")
}

func (p *returnPages) portal(w http.ResponseWriter, r *http.Request) {
	if err := p.returns.PortalReturned(r.Context()); err != nil && tollgate.ErrorCode(err) != tollgate.EUNAUTHORIZED {
		p.log.Warn("portal return sync failed", logkey.Err, err)
	}
	p.render(w, http.StatusOK, "Back from the Billing Portal", "Any change you made there is now in Tollgate.", "plans")
}

var returnPage = template.Must(template.New("return").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tollgate: {{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f7fb;color:#1d2433;display:grid;place-items:center;min-height:90vh}
main{background:#fff;border:1px solid #dfe3ec;border-radius:12px;padding:2rem 2.5rem;max-width:32rem}a{color:#4b3fd8}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Link}}<p><a href="{{.Link}}">Back to Tollgate</a></p>{{else}}<p>You can close this tab and return to the Tollgate window.</p>{{end}}
</main></body></html>`))

func (p *returnPages) render(w http.ResponseWriter, status int, title, text, screen string) {
	link := ""
	if p.appURL != "" {
		link = p.appURL + "#/" + screen
		if status == http.StatusOK {
			// In serve mode the app is one click away in this very tab: go there.
			w.Header().Set("Refresh", "2; url="+link)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// No script at all; the page's own <style> is its only inline content.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = returnPage.Execute(w, struct{ Title, Text, Link string }{title, text, link})
}
