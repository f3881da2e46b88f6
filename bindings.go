//go:build bindings

package main

import (
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
)

// generatingBindings is true in the throwaway binary that `wails generate
// module` builds with the bindings tag and runs: Wails only needs the methods
// of App, so that binary must not open a data folder, bind a port or start a
// sandbox (on a fresh CI machine, or beside a newer data folder, those fail).
const generatingBindings = true

func generateBindings() int {
	if err := wails.Run(&options.App{Bind: []any{&App{}}}); err != nil {
		return 1
	}
	return 0
}
