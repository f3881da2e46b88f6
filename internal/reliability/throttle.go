package reliability

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// throttle sends 50 login guesses for one account at once through serve's
// bridge, the right password as the 37th: the throttle reserves each
// attempt before checking the password, so the guesses past the fifth are
// refused unchecked and the right one, among them, must not log in.
func throttle(ctx context.Context, r *Runner, res *Result) error {
	data, err := r.dir("throttle")
	if err != nil {
		return err
	}
	p, err := r.startServe(ctx, data, startOpts{})
	if err != nil {
		return err
	}
	defer r.saveLog("throttle", p)
	defer p.stop()
	c := client(30 * time.Second)
	const email, password = "ada@example.com", "correct horse battery"
	if _, out, err := bridge(ctx, c, p, "Register", email, "Ada", password); err != nil || out["error"] != nil {
		return fmt.Errorf("register: %v %v", out, err)
	}
	if _, _, err := bridge(ctx, c, p, "Logout"); err != nil {
		return err
	}
	const guesses, right = 50, 37
	var (
		mu                                         sync.Mutex
		succeeded, incorrect, throttled, other, na int
		wg                                         sync.WaitGroup
	)
	for i := 1; i <= guesses; i++ {
		pw := fmt.Sprintf("wrong guess %d", i)
		if i == right {
			pw = password
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, out, err := bridge(ctx, c, p, "Login", email, pw)
			mu.Lock()
			defer mu.Unlock()
			msg, _ := out["error"].(string)
			switch {
			case err != nil || status == 0:
				na++
			case out["result"] != nil:
				succeeded++
			case strings.Contains(msg, "incorrect"):
				incorrect++
			case strings.Contains(msg, "Too many failed logins"):
				throttled++
			default:
				other++
			}
		}()
		// A burst, in order: each guess leaves as the one before is on its way.
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
	res.add("tried", guesses)
	res.want("succeeded", succeeded, 0)
	res.add("incorrect", incorrect)
	if incorrect > 5 {
		res.failf("incorrect=%d: more than 5 guesses were checked", incorrect)
	}
	res.add("throttled", throttled)
	res.want("other", other, 0)
	res.want("lost", na, 0)
	if err := p.stop(); err != nil {
		res.failf("stop: %v", err)
	}
	res.want("panics", p.panics(), 0)
	return nil
}
