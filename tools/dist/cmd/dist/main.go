// Command dist builds Tollgate's release files into one folder: `make dist`
// runs it with the version from git describe.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/tollgate/tollgate/tools/dist"
)

func main() {
	c := dist.Config{Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	flag.StringVar(&c.Repo, "repo", "../..", "the Tollgate checkout")
	flag.StringVar(&c.Out, "out", "../../build/dist", "the folder to build into (an earlier build's tollgate_* files in it are removed first)")
	flag.StringVar(&c.Version, "version", "", "the version, from git describe")
	flag.StringVar(&c.Commit, "commit", "", "the commit hash")
	flag.StringVar(&c.Date, "date", "", "the build time, RFC 3339 UTC")
	flag.StringVar(&c.SignCert, "sign-cert", "", "PEM certificate that signs the Windows binary (with -sign-key)")
	flag.StringVar(&c.SignKey, "sign-key", "", "PEM private key of -sign-cert")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	files, err := dist.Run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}
