//go:build !bindings

package main

// generatingBindings is false in every real build; see bindings.go.
const generatingBindings = false

func generateBindings() int { return 0 }
