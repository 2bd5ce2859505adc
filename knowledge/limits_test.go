package knowledge

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestLimits(t *testing.T) { forEachBackend(t, testLimits) }

func testLimits(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 5, 1, 23, 59, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }

	ok, _, err := db.TakeCooldown(ctx, "", "u1", now.Add(10*time.Second))
	if err != nil || !ok {
		t.Fatalf("first cooldown: %v, %v", ok, err)
	}
	ok, ends, err := db.TakeCooldown(ctx, "", "u1", now.Add(20*time.Second))
	if err != nil || ok || !ends.Equal(now.Add(10*time.Second)) {
		t.Errorf("cooldown running: ok %v, ends %v, %v", ok, ends, err)
	}
	if ok, _, _ := db.TakeCooldown(ctx, "", "u2", now.Add(time.Second)); !ok {
		t.Error("another user's cooldown was refused")
	}
	now = now.Add(10 * time.Second)
	if ok, _, _ := db.TakeCooldown(ctx, "", "u1", now.Add(time.Second)); !ok {
		t.Error("a cooldown that ended still refuses")
	}

	var slots []Slot
	for i := 0; i < 3; i++ {
		s, held, ok, err := db.AcquireSlot(ctx, "g1", "me", 2, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (i < 2) || held != min(i, 2) {
			t.Errorf("slot %d: ok %v, held %d", i, ok, held)
		}
		if ok {
			slots = append(slots, s)
		}
	}
	if _, _, ok, _ := db.AcquireSlot(ctx, "g2", "me", 2, time.Minute); !ok {
		t.Error("another server's slot was refused")
	}
	if err := db.ReleaseSlot(ctx, slots[0]); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := db.AcquireSlot(ctx, "g1", "me", 2, time.Minute); !ok {
		t.Error("a released slot was not given again")
	}
	now = now.Add(2 * time.Minute) // the holders died: their slots expire
	if _, held, ok, _ := db.AcquireSlot(ctx, "g1", "me", 2, time.Minute); !ok || held != 0 {
		t.Errorf("expired slots still held: ok %v, held %d", ok, held)
	}

	// A renewed slot outlives its first expiry; one that expired cannot
	// be renewed (its place may be someone else's).
	kept, _, ok, err := db.AcquireSlot(ctx, "g3", "me", 1, time.Minute)
	if err != nil || !ok {
		t.Fatalf("slot to renew: %v %v", ok, err)
	}
	now = now.Add(40 * time.Second)
	if ok, err := db.RenewSlot(ctx, kept, now.Add(time.Minute)); err != nil || !ok {
		t.Errorf("renew a held slot: %v %v", ok, err)
	}
	now = now.Add(40 * time.Second) // past the first expiry, within the renewed one
	if _, held, ok, _ := db.AcquireSlot(ctx, "g3", "me", 1, time.Minute); ok || held != 1 {
		t.Errorf("a renewed slot was given away: ok %v, held %d", ok, held)
	}
	now = now.Add(time.Minute)
	if ok, err := db.RenewSlot(ctx, kept, now.Add(time.Minute)); err != nil || ok {
		t.Errorf("renew an expired slot: %v %v", ok, err)
	}

	day := time.Date(2024, 5, 1, 23, 30, 0, 0, time.UTC)
	for _, n := range []int{100, 250} {
		if _, err := db.SpendTokens(ctx, "g1", n, day); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := db.TokensSpent(ctx, "g1", day); got != 350 {
		t.Errorf("tokens spent = %d, want 350", got)
	}
	next := day.Add(time.Hour) // the next UTC day
	if got, _ := db.TokensSpent(ctx, "g1", next); got != 0 {
		t.Errorf("tokens spent the next day = %d", got)
	}
	if total, _ := db.SpendTokens(ctx, "g1", 5, next); total != 5 {
		t.Errorf("next day's total = %d", total)
	}
	if err := db.SweepLimits(ctx, next.AddDate(0, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.TokensSpent(ctx, "g1", day); got != 0 {
		t.Errorf("an old day survived the sweep: %d", got)
	}
}

// TestLimitsAcrossProcesses races two handles on one database (two
// processes) for one server's slots and one user's cooldown: the limits
// hold between them.
func TestLimitsAcrossProcesses(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		handles := []*DB{mustOpen(t, dsn), mustOpen(t, dsn)}
		var mu sync.Mutex
		slots, cooldowns := 0, 0
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(db *DB) {
				defer wg.Done()
				_, _, ok, err := db.AcquireSlot(ctx, "g", "p", 3, time.Minute)
				if err != nil {
					t.Error(err)
				}
				took, _, err := db.TakeCooldown(ctx, "", "u", time.Now().Add(time.Hour))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				if ok {
					slots++
				}
				if took {
					cooldowns++
				}
				mu.Unlock()
			}(handles[i%2])
		}
		wg.Wait()
		if slots != 3 || cooldowns != 1 {
			t.Errorf("%d slots of 3 and %d cooldowns of 1 taken", slots, cooldowns)
		}
	})
}
