package server

import (
	"context"
	"net"
	"net/http"
	"time"
)

// ServeWithLimits is Serve with the limits a test sets, short enough to watch.
func ServeWithLimits(ctx context.Context, ln net.Listener, h http.Handler, readHeader, read, write, idle time.Duration, conns int) error {
	return serve(ctx, ln, h, limits{readHeader: readHeader, read: read, write: write, idle: idle, conns: conns})
}
