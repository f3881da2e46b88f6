package auth

import (
	"sync"

	"github.com/tollgate/tollgate/internal/tollgate"
)

// Session is who is logged in to this Tollgate process. The desktop app has
// one person at its keyboard; serve mode shares the process with one browser
// holding the run's token, so one session per process is the honest model.
type Session struct {
	mu   sync.RWMutex
	user *tollgate.User
}

// Set records u as logged in; nil logs out.
func (s *Session) Set(u *tollgate.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// User returns the logged-in user or an Unauthorized error.
func (s *Session) User() (*tollgate.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.user == nil {
		return nil, tollgate.Errorf(tollgate.EUNAUTHORIZED, "Please log in first.")
	}
	return s.user, nil
}
