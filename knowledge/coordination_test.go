package knowledge

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Two processes polling one database claim each due feed exactly once.
func TestDueFeedsClaimedOnceAcrossProcesses(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
		handles := []*DB{mustOpen(t, dsn), mustOpen(t, dsn)}
		for _, db := range handles {
			db.Now = func() time.Time { return now }
		}
		const feeds = 24
		for i := 0; i < feeds; i++ {
			if _, err := handles[0].AddFeed(ctx, FeedSpec{URL: fmt.Sprintf("https://feeds.example/%d.xml", i), Keep: true}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		claimed := map[int64]int{}
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func(db *DB) {
				defer wg.Done()
				for {
					got, err := db.ClaimDueFeeds(ctx, now, 2*time.Minute, 1)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					claimed[got[0].ID]++
					mu.Unlock()
				}
			}(handles[w%2])
		}
		wg.Wait()
		if len(claimed) != feeds {
			t.Errorf("%d of %d feeds claimed", len(claimed), feeds)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("feed %d claimed %d times", id, n)
			}
		}
		// A dead poller's leases end within 2 minutes: the feeds are due again.
		later := now.Add(2 * time.Minute)
		again, err := handles[1].ClaimDueFeeds(ctx, later, 2*time.Minute, 0)
		if err != nil || len(again) != feeds {
			t.Errorf("after the leases: %d feeds claimed again, %v", len(again), err)
		}
	})
}

// A feed post claimed by a process that died is taken over once its lease
// ends, with the same PostKey.
func TestFeedPostClaimTakenOverAfterItsLease(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		f, err := db.AddFeed(ctx, FeedSpec{URL: "https://gazette.example/feed.xml", GuildID: "G", Keep: true})
		if err != nil {
			t.Fatal(err)
		}
		pollWith(t, db, f, now) // the backlog
		if _, err := db.SetFeedChannel(ctx, "G", "1", "news", "admin"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		pollWith(t, db, f, now, feedArticle(1, now))
		pending, err := db.PendingFeedPosts(ctx, 0, 0, 0)
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending = %v, %v", pending, err)
		}
		first, ok, err := db.ClaimFeedPost(ctx, pending[0], "dies", 3)
		if err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		if got := pendingTitles(t, db); len(got) != 0 {
			t.Errorf("pending while claimed: %v", got)
		}
		if _, ok, _ := db.ClaimFeedPost(ctx, pending[0], "other", 3); ok {
			t.Error("a live claim was taken over")
		}
		now = now.Add(DefaultFeedPostLease)
		if got := pendingTitles(t, db); len(got) != 1 {
			t.Errorf("pending after the lease: %v", got)
		}
		second, ok, err := db.ClaimFeedPost(ctx, pending[0], "other", 3)
		if err != nil || !ok || second.ID != first.ID || second.PostKey != first.PostKey {
			t.Fatalf("take over: %+v, %v, %v (first %+v)", second, ok, err, first)
		}
		if err := db.FinishFeedPost(ctx, second.ID, FeedPostPosted, "m1", ""); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if got := pendingTitles(t, db); len(got) != 0 {
			t.Errorf("pending after posting: %v", got)
		}
		if states, _ := db.FeedPostStates(ctx, "news"); states[FeedPostPosted] != 1 || len(states) != 1 {
			t.Errorf("states = %v", states)
		}
	})
}
