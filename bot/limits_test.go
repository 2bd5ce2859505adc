package bot

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// TestLimiter runs the limits on both stores: in memory, and in the
// database (as every process of the bot shares it).
func TestLimiter(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"memory", "database"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2024, 3, 10, 23, 59, 0, 0, time.UTC)
			clock := now
			at := func(d time.Duration) time.Time { clock = now.Add(d); return clock }
			var store Limits
			var mem *memoryLimits
			if name == "memory" {
				mem = NewMemoryLimits(func() time.Time { return clock }).(*memoryLimits)
				store = mem
			} else {
				db, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				db.Now = func() time.Time { return clock }
				store = StoreLimits(db)
			}
			testLimiter(t, store, mem, now, at)
		})
	}
}

func testLimiter(t *testing.T, store Limits, mem *memoryLimits, now time.Time, at func(time.Duration) time.Time) {
	ctx := context.Background()
	l := newLimiter(store, 5*time.Second, 2, 100, "test", slog.New(slog.DiscardHandler))
	rel1, err := l.admit(ctx, "", "g", "alice", at(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.admit(ctx, "", "g", "alice", at(time.Second)); err == nil || !strings.Contains(knowledge.ErrorMessage(err), "wait 4 more seconds") {
		t.Errorf("cooldown: %v", err)
	}
	rel2, err := l.admit(ctx, "", "g", "bob", at(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.admit(ctx, "", "g", "carol", at(0)); err == nil || !strings.Contains(knowledge.ErrorMessage(err), "already answering 2 questions in this server") {
		t.Errorf("concurrency: %v", err)
	}
	if rel, err := l.admit(ctx, "", "other", "carol", at(0)); err != nil {
		t.Errorf("another server is limited too, or the busy refusal started carol's cooldown: %v", err)
	} else {
		rel()
	}
	rel1()
	rel1() // twice is harmless
	if rel, err := l.admit(ctx, "", "g", "dave", at(time.Second)); err != nil {
		t.Errorf("after release: %v", err)
	} else {
		rel()
	}
	rel2()

	if l.overBudget(ctx, "g", now) {
		t.Error("over budget before spending")
	}
	l.spend(ctx, "g", 60, now)
	l.spend(ctx, "g", 60, now)
	if !l.overBudget(ctx, "g", now) || l.overBudget(ctx, "other", now) {
		t.Error("budget not enforced per server")
	}
	if l.overBudget(ctx, "g", now.Add(2*time.Minute)) {
		t.Error("the budget did not reset the next UTC day")
	}
	l.sweep(ctx, at(49*time.Hour))
	if mem != nil && (len(mem.cooldowns) != 0 || len(mem.slots) != 0 || len(mem.tokens) != 0) {
		t.Errorf("sweep left %v %v %v", mem.cooldowns, mem.slots, mem.tokens)
	}
}

// TestLimiterLetsQuestionsInWhenTheStoreFails: a store that fails or does
// not answer never silences the bot.
func TestLimiterLetsQuestionsInWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLimiter(failingLimits{}, 5*time.Second, 1, 100, "test", slog.New(slog.DiscardHandler))
	for i := 0; i < 3; i++ {
		rel, err := l.admit(ctx, "", "g", "alice", time.Now())
		if err != nil {
			t.Fatalf("admit with a failing store: %v", err)
		}
		rel()
	}
	if l.overBudget(ctx, "g", time.Now()) {
		t.Error("over budget with a failing store")
	}
}

type failingLimits struct{}

var errStore = errors.New("store down")

func (failingLimits) TakeCooldown(context.Context, string, string, time.Time) (bool, time.Time, error) {
	return false, time.Time{}, errStore
}

func (failingLimits) AcquireSlot(context.Context, string, string, int, time.Duration) (func(context.Context) error, int, bool, error) {
	return nil, 0, false, errStore
}

func (failingLimits) SpendTokens(context.Context, string, int, time.Time) (int, error) {
	return 0, errStore
}
func (failingLimits) TokensSpent(context.Context, string, time.Time) (int, error) { return 0, errStore }
func (failingLimits) SweepLimits(context.Context, time.Time) error                { return errStore }

// leaseStore is a LimitStore of slot numbers that records renewals and
// releases.
type leaseStore struct {
	LimitStore[int]
	mu       sync.Mutex
	renewals []time.Time
	released bool
	late     bool // renewed after the release
}

func (s *leaseStore) AcquireSlot(context.Context, string, string, int, time.Duration) (int, int, bool, error) {
	return 1, 0, true, nil
}

func (s *leaseStore) RenewSlot(_ context.Context, _ int, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.late = s.late || s.released
	s.renewals = append(s.renewals, until)
	return true, nil
}

func (s *leaseStore) ReleaseSlot(context.Context, int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = true
	return nil
}

func (s *leaseStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.renewals)
}

// TestStoreLimitsRenewSlotsWhileHeld: a place kept in a store is taken
// for a short lease and renewed while its question is answered, never
// beyond the question's whole time, and the renewal has stopped when
// release returns.
func TestStoreLimitsRenewSlotsWhileHeld(t *testing.T) {
	t.Parallel()
	st := &leaseStore{}
	start := time.Now()
	l := storeLimits[int]{st: st, lease: 30 * time.Millisecond}
	release, _, ok, err := l.AcquireSlot(context.Background(), "g", "me", 1, time.Hour)
	if err != nil || !ok {
		t.Fatalf("acquire: %v %v", ok, err)
	}
	for deadline := time.Now().Add(5 * time.Second); st.count() < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("%d renewals in 5 s with a lease of 30 ms", st.count())
		}
		runtime.Gosched()
	}
	if err := release(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.late || !st.released {
		t.Errorf("renewed after release: %v, released: %v", st.late, st.released)
	}
	for _, until := range st.renewals {
		if until.Before(start) || until.After(time.Now().Add(30*time.Millisecond)) {
			t.Errorf("renewed until %v, not a lease from now", until)
		}
	}

	// A question's whole time bounds the renewals: with a clock that
	// moves 25 ms a reading, the question's 40 ms end at 65 ms, the
	// renewal at 50 ms would reach 80 ms and is cut to 65, and the next
	// reading (75 ms) ends the renewals.
	st2 := &leaseStore{}
	var mu sync.Mutex
	clock := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	c0 := clock
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(25 * time.Millisecond)
		return clock
	}
	l2 := storeLimits[int]{st: st2, lease: 30 * time.Millisecond, now: tick}
	release2, _, _, _ := l2.AcquireSlot(context.Background(), "g", "me", 1, 40*time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); st2.count() < 1; {
		if time.Now().After(deadline) {
			t.Fatal("no renewal")
		}
		runtime.Gosched()
	}
	release2(context.Background())
	if len(st2.renewals) != 1 || !st2.renewals[0].Equal(c0.Add(65*time.Millisecond)) {
		t.Errorf("renewals %v, want one until %v", st2.renewals, c0.Add(65*time.Millisecond))
	}
}
