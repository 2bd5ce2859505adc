package discordtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is one of Discord's rate-limit buckets: at most Limit requests
// per Window, the window starting with the first request after the last
// one ended.
type RateLimit struct {
	Limit  int
	Window time.Duration
}

// limitRule applies a RateLimit to a route.
type limitRule struct {
	method, route string
	RateLimit
}

// bucketState counts the requests of one bucket's current window.
type bucketState struct {
	remaining int
	resetAt   time.Time
}

// SetRateLimit limits the requests with method ("" for any) to route, a
// pattern like those of Discord's documentation with * for each parameter
// ("channels/*/messages/*"), to rl per channel, guild or webhook: the
// bucket is the route with its major parameter (the channel or guild ID;
// for webhooks and interactions the ID and token). Responses then carry
// Discord's headers (X-RateLimit-Limit, -Remaining, -Reset, -Reset-After,
// -Bucket), and a request beyond the limit gets 429 with retry_after and
// does nothing, as on Discord. A zero Limit removes the rule; setting a
// rule again starts its buckets afresh. Routes without a rule are not
// limited.
func (f *Fake) SetRateLimit(method, route string, rl RateLimit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	route = strings.Trim(route, "/")
	for i, r := range f.limits {
		if r.method == method && r.route == route {
			f.limits = append(f.limits[:i:i], f.limits[i+1:]...)
			break
		}
	}
	if rl.Limit > 0 && rl.Window > 0 {
		f.limits = append(f.limits, limitRule{method: method, route: route, RateLimit: rl})
	}
	// The rule's buckets start afresh.
	prefix := strings.ToUpper(method) + " " + route + " "
	for k := range f.buckets {
		if strings.HasPrefix(k, prefix) {
			delete(f.buckets, k)
		}
	}
}

// rateLimitLocked applies the rate limits to a request: it returns the
// headers to add to the response, and a 429 response when the request is
// beyond its bucket's limit.
func (f *Fake) rateLimitLocked(method, path string) (http.Header, *response) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range f.limits {
		if r.method != "" && !strings.EqualFold(r.method, method) {
			continue
		}
		params, ok := matchPath(segs, r.route)
		if !ok {
			continue
		}
		major := 1
		if strings.HasPrefix(r.route, "webhooks/") || strings.HasPrefix(r.route, "interactions/") {
			major = 2
		}
		key := strings.ToUpper(r.method) + " " + r.route + " " + strings.Join(params[:min(major, len(params))], "/")
		if f.buckets == nil {
			f.buckets = map[string]*bucketState{}
		}
		b := f.buckets[key]
		now := time.Now()
		if b == nil || !now.Before(b.resetAt) {
			b = &bucketState{remaining: r.Limit, resetAt: now.Add(r.Window)}
			f.buckets[key] = b
		}
		sum := sha256.Sum256([]byte(r.method + " " + r.route))
		h := http.Header{}
		h.Set("X-RateLimit-Limit", strconv.Itoa(r.Limit))
		h.Set("X-RateLimit-Bucket", hex.EncodeToString(sum[:8]))
		after := b.resetAt.Sub(now).Seconds()
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after, 'f', 3, 64))
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(b.resetAt.UnixMilli())/1000, 'f', 3, 64))
		if b.remaining == 0 {
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Scope", "user")
			h.Set("Retry-After", strconv.Itoa(int(math.Ceil(after))))
			f.limited++
			resp := response{status: http.StatusTooManyRequests, header: h,
				body: []byte(fmt.Sprintf(`{"message": "You are being rate limited.", "retry_after": %.3f, "global": false}`, after))}
			return h, &resp
		}
		b.remaining--
		h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
		return h, nil
	}
	return nil, nil
}

// RateLimited returns how many requests the fake answered with 429
// because of a rule set with SetRateLimit (not FailNext).
func (f *Fake) RateLimited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limited
}

// SetClock sets the clock by which interactions age: their first
// response is refused after the interaction deadline (see
// SetInteractionDeadline), and their token expires 15 minutes after they
// were sent, as on Discord, so that later webhook requests (edits,
// follow-ups) get 401 Invalid Webhook Token (50027). The default is
// time.Now; a test moves it forward instead of sleeping.
func (f *Fake) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = now
}

// tokenLifetime is how long an interaction token can be used.
const tokenLifetime = 15 * time.Minute

// tokenExpiredLocked reports whether an interaction's token has expired.
func (f *Fake) tokenExpiredLocked(st *interactionState) bool {
	return f.nowLocked().Sub(st.created) > tokenLifetime
}

// nowLocked is the time by the clock of SetClock.
func (f *Fake) nowLocked() time.Time {
	if f.clock != nil {
		return f.clock()
	}
	return time.Now()
}
