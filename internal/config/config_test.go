package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

func TestParse(t *testing.T) {
	home := t.TempDir()
	userDir := func() (string, error) { return home, nil }
	file := filepath.Join(home, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		args    []string
		want    config.Config
		wantErr string
	}{
		{"Desktop", nil, config.Config{Command: config.Desktop, DataDir: filepath.Join(home, "tollgate")}, ""},
		{"DesktopData", []string{"--data", home + "/x"}, config.Config{Command: config.Desktop, DataDir: home + "/x"}, ""},
		{"Serve", []string{"serve"}, config.Config{Command: config.Serve, DataDir: filepath.Join(home, "tollgate"), Addr: "127.0.0.1:8484"}, ""},
		{"ServeAddr", []string{"serve", "--addr", "127.0.0.1:0", "--data", home}, config.Config{Command: config.Serve, DataDir: home, Addr: "127.0.0.1:0"}, ""},
		{"Version", []string{"version"}, config.Config{Command: config.Version}, ""},
		{"HelpFlag", []string{"serve", "-h"}, config.Config{Command: config.Help}, ""},
		{"ErrUnknownCommand", []string{"srve"}, config.Config{}, `unknown command "srve"`},
		{"ErrUnknownFlag", []string{"serve", "--port", "1"}, config.Config{}, "flag provided but not defined: -port"},
		{"ErrAddrNoPort", []string{"serve", "--addr", "localhost"}, config.Config{}, "not HOST:PORT"},
		{"ErrAddrNoHost", []string{"serve", "--addr", ":8484"}, config.Config{}, "has no host"},
		{"ErrAddrBadPort", []string{"serve", "--addr", "127.0.0.1:http-ish"}, config.Config{}, "bad port"},
		{"ErrDataIsFile", []string{"--data", file}, config.Config{}, "is a file"},
		{"ErrExtraArg", []string{"serve", "now"}, config.Config{}, `unexpected argument "now"`},
		{"ErrVersionArg", []string{"version", "--data", "x"}, config.Config{}, "takes no arguments"},
		{"ErrAddrOnDesktop", []string{"--addr", "127.0.0.1:1"}, config.Config{}, "not defined: -addr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := config.Parse(tc.args, userDir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, config.ErrUsage) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	t.Run("ErrNoConfigDir", func(t *testing.T) {
		_, err := config.Parse(nil, func() (string, error) { return "", errors.New("$HOME is not defined") })
		if err == nil || !strings.Contains(err.Error(), "--data") {
			t.Fatalf("err = %v, want it to suggest --data", err)
		}
	})
}
