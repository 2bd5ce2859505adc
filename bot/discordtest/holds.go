package discordtest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Hold keeps one REST request waiting before the fake acts on it, so that
// a test can do something while the bot is in the middle of a call (say,
// kill the process that sent it). See HoldNext.
type Hold struct {
	method, prefix string
	arrived        chan struct{}
	release        chan struct{}
	releaseOnce    sync.Once

	mu      sync.Mutex
	call    Call
	dropped bool
}

// HoldNext makes the next request with the given method ("" for any)
// whose Path starts with pathPrefix wait, unanswered and without effect,
// until Release. If its client goes away meanwhile (a killed process),
// the request is dropped: it changes nothing and is recorded with status
// 499. Holds queue up and are used in order; shutting the fake down
// releases them.
func (f *Fake) HoldNext(method, pathPrefix string) *Hold {
	h := &Hold{method: method, prefix: pathPrefix, arrived: make(chan struct{}), release: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holds = append(f.holds, h)
	return h
}

// Arrived is closed once the held request has arrived.
func (h *Hold) Arrived() <-chan struct{} { return h.arrived }

// Call returns the held request, once it has arrived.
func (h *Hold) Call() Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.call
}

// Release lets the held request through; it may be called more than once.
func (h *Hold) Release() { h.releaseOnce.Do(func() { close(h.release) }) }

// Dropped reports whether the held request's client went away before it
// was released.
func (h *Hold) Dropped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// WaitArrived waits for the held request and fails the test on timeout.
func (h *Hold) WaitArrived(t interface {
	Helper()
	Fatalf(string, ...any)
}, timeout time.Duration) Call {
	t.Helper()
	select {
	case <-h.arrived:
		return h.Call()
	case <-time.After(timeout):
		t.Fatalf("discordtest: no %s %s request arrived within %v", h.method, h.prefix, timeout)
		return Call{}
	}
}

// takeHoldLocked removes and returns the first hold matching a request,
// or nil; f.mu must be held.
func (f *Fake) takeHoldLocked(method, path string) *Hold {
	for i, h := range f.holds {
		if (h.method == "" || strings.EqualFold(h.method, method)) && strings.HasPrefix(path, h.prefix) {
			f.holds = append(f.holds[:i:i], f.holds[i+1:]...)
			return h
		}
	}
	return nil
}

// hold makes a request wait on the first matching hold; it reports false
// when the request was dropped because its client went away.
func (f *Fake) hold(r *http.Request, call Call) bool {
	f.mu.Lock()
	h := f.takeHoldLocked(call.Method, call.Path)
	if h != nil {
		f.holding = append(f.holding, h)
	}
	f.mu.Unlock()
	if h == nil {
		return true
	}
	h.mu.Lock()
	h.call = call
	h.mu.Unlock()
	close(h.arrived)
	select {
	case <-h.release:
		return true
	case <-r.Context().Done():
		h.mu.Lock()
		h.dropped = true
		h.mu.Unlock()
		call.Status = 499
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.broadcastLocked()
		f.mu.Unlock()
		return false
	}
}

// releaseHoldsLocked releases every hold, waiting or not; f.mu must be held.
func (f *Fake) releaseHoldsLocked() {
	for _, h := range append(f.holds, f.holding...) {
		h.Release()
	}
	f.holds, f.holding = nil, nil
}
