package main

import "embed"

// source holds the Go files whose functions the Lessons screen shows under
// "See the code", read from the binary itself so the code shown is always
// the code that ran. TestLessonSource keeps this list and the lessons' in step.
//
//go:embed internal/auth/auth.go internal/billing/access.go internal/billing/checkout.go internal/billing/sync.go internal/webhook/webhook.go
var source embed.FS
