package bot

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// ttlSet remembers keys for a while: the IDs of events already handled, so
// that an event Discord delivers twice (around a resume) is handled once.
// It lives in memory: after a restart Discord no longer resends old events,
// and interactions older than 3 s are not answered anyway.
type ttlSet struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	m   map[string]time.Time
}

func newTTLSet(ttl time.Duration, max int) *ttlSet {
	return &ttlSet{ttl: ttl, max: max, m: map[string]time.Time{}}
}

// add records key and reports whether it was new (or expired).
func (t *ttlSet) add(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if exp, ok := t.m[key]; ok && now.Before(exp) {
		return false
	}
	if len(t.m) >= t.max {
		t.sweepLocked(now)
		if len(t.m) >= t.max {
			// Still full of live keys: forget the oldest half rather than grow.
			t.evictLocked(len(t.m) / 2)
		}
	}
	t.m[key] = now.Add(t.ttl)
	return true
}

func (t *ttlSet) sweep(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(now)
}

func (t *ttlSet) sweepLocked(now time.Time) {
	for k, exp := range t.m {
		if !now.Before(exp) {
			delete(t.m, k)
		}
	}
}

// evictLocked forgets the n keys that expire first.
func (t *ttlSet) evictLocked(n int) {
	type entry struct {
		key string
		exp time.Time
	}
	all := make([]entry, 0, len(t.m))
	for k, exp := range t.m {
		all = append(all, entry{k, exp})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].exp.Before(all[j].exp) })
	for _, e := range all[:min(n, len(all))] {
		delete(t.m, e.key)
	}
}

// Limits keeps the counts behind the bot's limits: each user's cooldown,
// each server's questions being answered, each server's model tokens per
// UTC day. NewMemoryLimits keeps them in this process (a restart forgets
// them); StoreLimits keeps them in a store such as *knowledge.DB, so that
// they hold across every process serving the bot and across restarts.
type Limits interface {
	// TakeCooldown starts a cooldown of userID in scope ("" for one across
	// servers) ending at until, unless one is running: ok reports whether
	// it was taken, and when not, ends is when the running one ends.
	TakeCooldown(ctx context.Context, scope, userID string, until time.Time) (ok bool, ends time.Time, err error)
	// AcquireSlot takes one of limit places of scope (a server) for ttl,
	// unless all are held: ok reports whether it did, held how many were
	// held before, and release gives the place back.
	AcquireSlot(ctx context.Context, scope, holder string, limit int, ttl time.Duration) (release func(context.Context) error, held int, ok bool, err error)
	// SpendTokens adds tokens to what scope spent on the UTC day of at and
	// returns the day's total; TokensSpent returns that total.
	SpendTokens(ctx context.Context, scope string, tokens int, at time.Time) (int, error)
	TokensSpent(ctx context.Context, scope string, at time.Time) (int, error)
	// SweepLimits forgets cooldowns that ended, slots that expired and
	// the token counts of days before yesterday.
	SweepLimits(ctx context.Context, now time.Time) error
}

// LimitStore is a store of the limits whose slots are values of type S;
// *knowledge.DB is one (with knowledge.Slot).
type LimitStore[S any] interface {
	TakeCooldown(ctx context.Context, scope, userID string, until time.Time) (ok bool, ends time.Time, err error)
	AcquireSlot(ctx context.Context, scope, holder string, limit int, ttl time.Duration) (slot S, held int, ok bool, err error)
	RenewSlot(ctx context.Context, slot S, until time.Time) (ok bool, err error)
	ReleaseSlot(ctx context.Context, slot S) error
	SpendTokens(ctx context.Context, scope string, tokens int, at time.Time) (int, error)
	TokensSpent(ctx context.Context, scope string, at time.Time) (int, error)
	SweepLimits(ctx context.Context, now time.Time) error
}

// StoreLimits keeps the bot's limits in st, for example the database that
// every process of the bot shares: StoreLimits(db). A place a question
// takes is held under a short lease (slotLease) that this process renews
// while the question is answered, so that the places of a process that
// died are free again within the lease, not after the whole time a
// question may take.
func StoreLimits[S any](st LimitStore[S]) Limits { return storeLimits[S]{st: st, lease: slotLease} }

type storeLimits[S any] struct {
	st    LimitStore[S]
	lease time.Duration
	now   func() time.Time // for tests; time.Now when nil
}

func (l storeLimits[S]) TakeCooldown(ctx context.Context, scope, userID string, until time.Time) (bool, time.Time, error) {
	return l.st.TakeCooldown(ctx, scope, userID, until)
}

// AcquireSlot takes the place for the lease and renews it every third of
// the lease, up to ttl, until release; release stops the renewal, waits
// for it and gives the place back.
func (l storeLimits[S]) AcquireSlot(ctx context.Context, scope, holder string, limit int, ttl time.Duration) (func(context.Context) error, int, bool, error) {
	now := time.Now
	if l.now != nil {
		now = l.now
	}
	lease := min(l.lease, ttl)
	if lease <= 0 {
		lease = ttl
	}
	slot, held, ok, err := l.st.AcquireSlot(ctx, scope, holder, limit, lease)
	if err != nil || !ok {
		return nil, held, ok, err
	}
	deadline := now().Add(ttl)
	// The renewal outlives the acquiring call's short deadline: it is
	// this slot's, stopped by release.
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
			}
			at := now()
			until := at.Add(lease)
			if until.After(deadline) {
				until = deadline
			}
			if !until.After(at) {
				return // the question has had all its time
			}
			// A failed renewal is tried again at the next tick; a slot that
			// expired meanwhile is gone and is not renewed.
			if held, err := l.st.RenewSlot(rctx, slot, until); err == nil && !held {
				return
			}
		}
	}()
	release := func(ctx context.Context) error {
		stop()
		<-done
		return l.st.ReleaseSlot(ctx, slot)
	}
	return release, held, true, nil
}

func (l storeLimits[S]) SpendTokens(ctx context.Context, scope string, tokens int, at time.Time) (int, error) {
	return l.st.SpendTokens(ctx, scope, tokens, at)
}

func (l storeLimits[S]) TokensSpent(ctx context.Context, scope string, at time.Time) (int, error) {
	return l.st.TokensSpent(ctx, scope, at)
}

func (l storeLimits[S]) SweepLimits(ctx context.Context, now time.Time) error {
	return l.st.SweepLimits(ctx, now)
}

// memoryLimits keeps the limits in this process, by the clock now.
type memoryLimits struct {
	now       func() time.Time
	mu        sync.Mutex
	cooldowns map[[2]string]time.Time // scope, user -> end
	slots     map[string]map[int64]time.Time
	nextSlot  int64
	tokens    map[[2]string]int // scope, UTC day -> tokens
}

// NewMemoryLimits keeps the limits in memory, for one process; now is the
// clock (nil: time.Now).
func NewMemoryLimits(now func() time.Time) Limits {
	if now == nil {
		now = time.Now
	}
	return &memoryLimits{now: now, cooldowns: map[[2]string]time.Time{}, slots: map[string]map[int64]time.Time{}, tokens: map[[2]string]int{}}
}

func (m *memoryLimits) TakeCooldown(_ context.Context, scope, userID string, until time.Time) (bool, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{scope, userID}
	if ends, ok := m.cooldowns[key]; ok && ends.After(m.now()) {
		return false, ends, nil
	}
	m.cooldowns[key] = until
	return true, until, nil
}

func (m *memoryLimits) AcquireSlot(_ context.Context, scope, _ string, limit int, ttl time.Duration) (func(context.Context) error, int, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	held := m.slots[scope]
	for id, exp := range held {
		if !exp.After(now) {
			delete(held, id)
		}
	}
	n := len(held)
	if limit > 0 && n >= limit {
		return nil, n, false, nil
	}
	if held == nil {
		held = map[int64]time.Time{}
		m.slots[scope] = held
	}
	m.nextSlot++
	id := m.nextSlot
	held[id] = now.Add(ttl)
	return func(context.Context) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if h := m.slots[scope]; h != nil {
			delete(h, id)
			if len(h) == 0 {
				delete(m.slots, scope)
			}
		}
		return nil
	}, n, true, nil
}

func (m *memoryLimits) SpendTokens(_ context.Context, scope string, tokens int, at time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{scope, utcDay(at)}
	m.tokens[key] += max(tokens, 0)
	return m.tokens[key], nil
}

func (m *memoryLimits) TokensSpent(_ context.Context, scope string, at time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokens[[2]string{scope, utcDay(at)}], nil
}

func (m *memoryLimits) SweepLimits(_ context.Context, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, ends := range m.cooldowns {
		if !ends.After(now) {
			delete(m.cooldowns, k)
		}
	}
	for scope, held := range m.slots {
		for id, exp := range held {
			if !exp.After(now) {
				delete(held, id)
			}
		}
		if len(held) == 0 {
			delete(m.slots, scope)
		}
	}
	yesterday := utcDay(now.AddDate(0, 0, -1))
	for k := range m.tokens {
		if k[1] < yesterday {
			delete(m.tokens, k)
		}
	}
	return nil
}

// Timing of the limits.
const (
	// slotTTL bounds how long a question holds its server's place: an
	// answer never runs longer than an interaction token lives.
	slotTTL = 15 * time.Minute
	// slotLease is how long a place kept in a store (StoreLimits) holds
	// without renewal: a process that dies while answering frees its
	// places within it.
	slotLease = 2 * time.Minute
	// limitsTimeout bounds one check of the limits, which must leave
	// time to acknowledge an interaction within Discord's 3 s; a store
	// that does not answer in time lets the question in.
	limitsTimeout = time.Second
)

// limiter enforces the per-user cooldown, the per-server concurrency and
// the per-server daily token budget, keeping its counts in Limits. When
// the counts cannot be read or written, it logs why and lets the
// question in: a broken store must not silence the bot.
type limiter struct {
	store      Limits
	cooldown   time.Duration
	perGuild   int
	dailyLimit int
	holder     string
	logger     *slog.Logger
}

func newLimiter(store Limits, cooldown time.Duration, perGuild, dailyTokens int, holder string, logger *slog.Logger) *limiter {
	return &limiter{store: store, cooldown: cooldown, perGuild: perGuild, dailyLimit: dailyTokens, holder: holder, logger: logger}
}

// guildKey names the server a limit applies to; direct messages share one.
func guildKey(guildID string) string {
	if guildID == "" {
		return "dm"
	}
	return guildID
}

// admit lets a user's question in, or explains why not (in the language
// of locale): a user in their cooldown is told so first; then the
// server's place is taken, then the cooldown started (so a question
// refused because the server is busy starts none). The caller must call
// release once the question is answered.
func (l *limiter) admit(ctx context.Context, locale discordgo.Locale, guildID, userID string, now time.Time) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, limitsTimeout)
	defer cancel()
	if l.cooldown > 0 {
		// A cooldown that ends now is no cooldown: this only reads
		// whether one is running.
		if err := l.checkCooldown(ctx, locale, userID, now, now); err != nil {
			return nil, err
		}
	}
	g := guildKey(guildID)
	giveBack := func(context.Context) error { return nil }
	if l.perGuild > 0 {
		rel, held, ok, err := l.store.AcquireSlot(ctx, g, l.holder, l.perGuild, slotTTL)
		switch {
		case err != nil:
			l.logger.Warn("cannot count the server's questions; answering anyway", "guild", guildID, "err", err)
		case !ok:
			where := tr(locale, txtHere)
			if guildID == "" {
				where = tr(locale, txtInDMs)
			}
			return nil, knowledge.Errorf(knowledge.ERATELIMIT, "%s", trCount(locale, txtBusyOne, txtBusyMany, held, where))
		default:
			giveBack = rel
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.Background(), limitsTimeout)
			defer cancel()
			if err := giveBack(rctx); err != nil {
				l.logger.Warn("cannot give the server's question place back; it frees itself later", "guild", guildID, "err", err)
			}
		})
	}
	if l.cooldown > 0 {
		// Another question of the user may have been let in meanwhile.
		if err := l.checkCooldown(ctx, locale, userID, now, now.Add(l.cooldown)); err != nil {
			release()
			return nil, err
		}
	}
	return release, nil
}

// checkCooldown starts the user's cooldown until then, or refuses when
// one is running.
func (l *limiter) checkCooldown(ctx context.Context, locale discordgo.Locale, userID string, now, until time.Time) error {
	ok, ends, err := l.store.TakeCooldown(ctx, "", userID, until)
	switch {
	case err != nil:
		l.logger.Warn("cannot check the user's cooldown; answering anyway", "user", userID, "err", err)
	case !ok:
		secs := max(int((ends.Sub(now)+time.Second-1)/time.Second), 1)
		return knowledge.Errorf(knowledge.ERATELIMIT, "%s", trCount(locale, txtCooldownOne, txtCooldownMany, secs))
	}
	return nil
}

func utcDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// overBudget reports whether a server has spent today's model tokens.
func (l *limiter) overBudget(ctx context.Context, guildID string, now time.Time) bool {
	if l.dailyLimit <= 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, limitsTimeout)
	defer cancel()
	spent, err := l.store.TokensSpent(ctx, guildKey(guildID), now)
	if err != nil {
		l.logger.Warn("cannot read the server's tokens of the day", "guild", guildID, "err", err)
		return false
	}
	return spent >= l.dailyLimit
}

// spend adds tokens to a server's usage of the day.
func (l *limiter) spend(ctx context.Context, guildID string, tokens int, now time.Time) {
	if tokens <= 0 || l.dailyLimit <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limitsTimeout)
	defer cancel()
	if _, err := l.store.SpendTokens(ctx, guildKey(guildID), tokens, now); err != nil {
		l.logger.Warn("cannot count the server's tokens", "guild", guildID, "tokens", tokens, "err", err)
	}
}

// sweep forgets cooldowns that are over, expired places and usage of
// past days.
func (l *limiter) sweep(ctx context.Context, now time.Time) {
	if err := l.store.SweepLimits(ctx, now); err != nil {
		l.logger.Warn("cannot forget old limits", "err", err)
	}
}

// sourceCache keeps each server's outlet names for /ask's source
// autocomplete, which must answer within 3 s even on a large database.
type sourceCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedSources
}

type cachedSources struct {
	at      time.Time
	sources []string
}

// get returns the outlets of a scope, loading them at most once per ttl.
func (c *sourceCache) get(ctx context.Context, lib Library, guildID string, now time.Time) ([]string, error) {
	c.mu.Lock()
	if e, ok := c.m[guildID]; ok && now.Sub(e.at) < c.ttl {
		c.mu.Unlock()
		return e.sources, nil
	}
	c.mu.Unlock()
	counts, err := lib.Counts(ctx, guildID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 1000 {
		c.m = map[string]cachedSources{}
	}
	c.m[guildID] = cachedSources{at: now, sources: counts.Sources}
	return counts.Sources, nil
}

// matchPrefix returns up to max names that start with (then contain) the
// typed text, case-insensitively.
func matchPrefix(names []string, typed string, max int) []string {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var first, then []string
	for _, n := range names {
		ln := strings.ToLower(n)
		switch {
		case strings.HasPrefix(ln, typed):
			first = append(first, n)
		case strings.Contains(ln, typed):
			then = append(then, n)
		}
	}
	out := append(first, then...)
	if len(out) > max {
		out = out[:max]
	}
	return out
}
