//go:build desktop

package main

import (
	"context"
	_ "embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sync/atomic"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/tollgate/tollgate/internal/config"
)

// hasWindow: this binary was built with the desktop tags (cgo and WebKitGTK
// on Linux; WebView2, without cgo, on Windows), so it can open the window.
const hasWindow = true

//go:embed build/appicon.png
var icon []byte

// window is the Wails window. Its context exists only once the window does,
// and Wails exits the process if asked to emit an event before then.
type window struct {
	ctx atomic.Pointer[context.Context]
}

func (w *window) emit(name string) {
	if ctx := w.ctx.Load(); ctx != nil {
		runtime.EventsEmit(*ctx, name)
	}
}

// run shows the window until the learner closes it.
func (w *window) run(app *App, dist fs.FS) error {
	err := wails.Run(&options.App{
		Title: "Tollgate", Width: 1100, Height: 760, MinWidth: 720,
		AssetServer: &assetserver.Options{Assets: dist},
		OnStartup: func(ctx context.Context) {
			app.startup(ctx)
			app.saveDialog = func(name string) (string, error) {
				return runtime.SaveFileDialog(ctx, runtime.SaveDialogOptions{Title: "Save the lab report", DefaultFilename: name,
					Filters: []runtime.FileFilter{{DisplayName: "Web page (*.html)", Pattern: "*.html"}}})
			}
			w.ctx.Store(&ctx)
		},
		Bind: []any{app},
		// GPU off, as Wails defaults when no Linux options are given: some drivers show a blank page otherwise.
		Linux: &linux.Options{Icon: icon, ProgramName: "tollgate", WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
	})
	if err != nil {
		return fmt.Errorf("desktop window: %w", err)
	}
	return nil
}

// runWindow runs the window face.
func runWindow(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	return runApp(ctx, cfg, log, face{})
}
