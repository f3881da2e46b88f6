package server

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Broadcaster pushes named events to every open browser in serve mode, where
// Wails' runtime.EventsEmit has no window to reach. The shim turns them back
// into runtime.EventsOn callbacks, so the frontend code is the same in both faces.
type Broadcaster struct {
	mu   sync.Mutex
	subs map[chan string]struct{}
}

// NewBroadcaster returns a Broadcaster with no subscribers.
func NewBroadcaster() *Broadcaster { return &Broadcaster{subs: map[chan string]struct{}{}} }

// Emit sends name to every subscriber; a subscriber too slow to take it
// misses it rather than stalling the sender (the UI re-reads state anyway).
func (b *Broadcaster) Emit(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.subs {
		select {
		case c <- name:
		default:
		}
	}
}

func (b *Broadcaster) subscribe() chan string {
	c := make(chan string, 16)
	b.mu.Lock()
	b.subs[c] = struct{}{}
	b.mu.Unlock()
	return c
}

func (b *Broadcaster) unsubscribe(c chan string) {
	b.mu.Lock()
	delete(b.subs, c)
	b.mu.Unlock()
}

// ServeHTTP streams events as Server-Sent Events until the browser goes away.
func (b *Broadcaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := b.subscribe()
	defer b.unsubscribe(c)
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	// A comment now and then keeps proxies and the browser from timing the stream out.
	keepalive := time.NewTicker(25 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case name := <-c:
			fmt.Fprintf(w, "event: tollgate\ndata: %s\n\n", name)
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
		}
		flusher.Flush()
	}
}
