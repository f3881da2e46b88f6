package webhook

import "fmt"

// PendingPage lets tests build a backlog longer than one read of the worker.
const PendingPage = pendingPage

// Verify exposes the handler's verify-and-decode step to its benchmark.
func (h *Handler) Verify(header string, body []byte) error {
	if _, why := h.verify(header, body); why != nil {
		return fmt.Errorf("%d %s", why.status, why.reply)
	}
	return nil
}
