package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/tollgate/tollgate/internal/auth"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/store"
	"github.com/tollgate/tollgate/internal/tollgate"
)

// App is bound to Wails: each exported method is a promise in the frontend
// (frontend/wailsjs/go/main/App.js) and, in serve mode, an HTTP call. Methods stay
// thin: they find the session, call a service and translate its error.
type App struct {
	ctx     context.Context
	log     *slog.Logger
	db      *store.DB
	auth    *auth.Service
	session auth.Session
	about   About
}

// About describes this Tollgate for the Settings screen.
type About struct {
	Version       string `json:"version"`
	DataDir       string `json:"dataDir"`
	Database      string `json:"database"`
	SchemaVersion uint64 `json:"schemaVersion"`
	Face          string `json:"face"`
}

// NewApp opens the store in cfg.DataDir and builds the services.
func NewApp(cfg config.Config, log *slog.Logger) (*App, error) {
	db, err := store.Open(filepath.Join(cfg.DataDir, store.FileName))
	if err != nil {
		return nil, err
	}
	v, err := db.Version()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	return &App{
		ctx:   context.Background(),
		log:   log,
		db:    db,
		auth:  auth.New(db, auth.Options{}),
		about: About{Version: version, DataDir: cfg.DataDir, Database: db.Path, SchemaVersion: v, Face: string(cfg.Command)},
	}, nil
}

func (a *App) startup(ctx context.Context) { a.ctx = ctx }

// close releases the store once the face has stopped. It is unexported so
// that Wails does not offer it to the frontend.
func (a *App) close() error { return a.db.Close() }

// Register creates an account and logs it in.
func (a *App) Register(email, name, password string) (*tollgate.User, error) {
	u, err := a.auth.Register(a.ctx, email, name, password)
	if err != nil {
		return nil, a.fail("register", err)
	}
	a.session.Set(u)
	a.log.Info("registered", "user", u.ID)
	return u, nil
}

// Login checks the credentials and starts the session.
func (a *App) Login(email, password string) (*tollgate.User, error) {
	u, err := a.auth.Login(a.ctx, email, password)
	if err != nil {
		return nil, a.fail("login", err)
	}
	a.session.Set(u)
	a.log.Info("logged in", "user", u.ID)
	return u, nil
}

// Logout ends the session.
func (a *App) Logout() error {
	a.session.Set(nil)
	return nil
}

// CurrentUser returns the logged-in user, or null when nobody is.
func (a *App) CurrentUser() (*tollgate.User, error) {
	u, err := a.session.User()
	if err != nil {
		return nil, nil
	}
	return u, nil
}

// About returns where Tollgate keeps its data and which version runs.
func (a *App) About() (About, error) { return a.about, nil }

// fail is the one place that decides what the user sees of an error: the
// message of a tollgate.Error, or a generic line for anything else, which is logged.
func (a *App) fail(op string, err error) error {
	if tollgate.ErrorCode(err) == tollgate.EINTERNAL {
		a.log.Error(op+" failed", "err", err)
	}
	return errors.New(tollgate.ErrorMessage(err))
}
