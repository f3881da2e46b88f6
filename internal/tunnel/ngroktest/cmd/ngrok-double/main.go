// Command ngrok-double runs the ngroktest double as a process, for the browser
// end-to-end tests; it is never part of the app.
//
//	ngrok-double --authtoken TOKEN [--ca-out FILE] [--control 127.0.0.1:0] [-v]
//
// Once ready it prints one JSON line, {"addr":..., "ca":..., "control":...},
// and serves until SIGTERM or SIGINT. The control server answers
// GET /tunnels with [{"id","url","proxied"}] and POST /drop with 204 after
// ngroktest.Server.DropSessions.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/tollgate/tollgate/internal/tunnel/ngroktest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ngrok-double:", err)
		os.Exit(1)
	}
}

func run() error {
	token := flag.String("authtoken", "", "the only authtoken accepted (required)")
	caOut := flag.String("ca-out", "", "write the CA certificate (PEM) here; default: a temporary file removed at exit")
	control := flag.String("control", "127.0.0.1:0", "address of the control HTTP server, on 127.0.0.1")
	verbose := flag.Bool("v", false, "log protocol events to stderr")
	flag.Parse()
	if *token == "" {
		return errors.New("--authtoken is required")
	}
	if host, _, err := net.SplitHostPort(*control); err != nil || host != "127.0.0.1" {
		return fmt.Errorf("--control %q: want 127.0.0.1:PORT", *control)
	}

	opts := ngroktest.Options{Authtoken: *token}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := ngroktest.Start(opts)
	if err != nil {
		return err
	}
	defer s.Close()

	caPath := *caOut
	if caPath == "" {
		f, err := os.CreateTemp("", "ngrok-double-ca-*.pem")
		if err != nil {
			return err
		}
		f.Close()
		caPath = f.Name()
		defer os.Remove(caPath)
	}
	if caPath, err = filepath.Abs(caPath); err != nil {
		return err
	}
	if err := os.WriteFile(caPath, s.CAPEM(), 0o644); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *control)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tunnels", func(w http.ResponseWriter, r *http.Request) {
		type tunnel struct {
			ID      string `json:"id"`
			URL     string `json:"url"`
			Proxied int    `json:"proxied"`
		}
		out := []tunnel{}
		for _, t := range s.Tunnels() {
			out = append(out, tunnel{t.ID, t.URL, t.Proxied})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST /drop", func(w http.ResponseWriter, r *http.Request) {
		s.DropSessions()
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	ready, _ := json.Marshal(map[string]string{
		"addr":    s.Addr(),
		"ca":      caPath,
		"control": "http://" + ln.Addr().String(),
	})
	fmt.Println(string(ready))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	srv.Close()
	return nil
}
