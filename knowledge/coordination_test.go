package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// A serving process learns what another one writes to the same database
// within its sync interval, and what it has not learned yet never admits
// an article its filter excludes: candidates are read back through SQL.
func TestCachesLearnOtherProcessesWrites(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		serving, other := mustOpen(t, dsn), mustOpen(t, dsn)
		serving.SyncEvery = -1 // every search checks
		mk := func(n int, guild, words string) *Article {
			return &Article{URL: fmt.Sprintf("https://wire.example/%d", n), GuildID: guild, Source: "Wire",
				PublishedAt: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
				Title:       fmt.Sprintf("Report %d", n),
				Text:        fmt.Sprintf("Report %d. The council discussed %s at length on Monday. Nobody else commented on item %d.", n, words, n)}
		}
		var arts []*Article
		for i := 0; i < 6; i++ {
			arts = append(arts, mk(i, []string{"", "g1"}[i%2], "harbour dredging"))
		}
		arts = append(arts, mk(99, "", "otter sanctuary")) // the highest id
		if _, err := serving.PutArticles(ctx, arts); err != nil {
			t.Fatal(err)
		}
		ids := func(hits []Hit) []int64 {
			var out []int64
			for _, h := range hits {
				if len(out) == 0 || out[len(out)-1] != h.Article.ID {
					out = append(out, h.Article.ID)
				}
			}
			return out
		}
		search := func(q string, f Filter) []int64 {
			t.Helper()
			hits, err := serving.Search(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			return ids(hits)
		}
		<-serving.PrepareSearch() // the passage map and article metadata in memory
		if got := search("otter sanctuary", Filter{GuildID: "g1"}); len(got) != 1 || got[0] != arts[6].ID {
			t.Fatalf("before: otter = %v", got)
		}

		// The other process: removes the otter article (on SQLite its id
		// can be given again) and stores another server's otter article,
		// a new article of g1, and an update of a global one.
		if err := other.RemoveArticle(ctx, arts[6].ID); err != nil {
			t.Fatal(err)
		}
		secret := mk(100, "g2", "otter sanctuary secret")
		fresh := mk(101, "g1", "zebrafinch migration")
		upd := mk(0, "", "quokka census")
		if _, err := other.PutArticles(ctx, []*Article{secret, fresh, upd}); err != nil {
			t.Fatal(err)
		}

		if got := search("otter sanctuary", Filter{GuildID: "g1"}); len(got) != 0 {
			t.Errorf("g1 sees another server's (or a removed) article: %v (secret is %d)", got, secret.ID)
		}
		if got := search("otter sanctuary", Filter{GuildID: "g2"}); len(got) != 1 || got[0] != secret.ID {
			t.Errorf("g2's new article not found: %v", got)
		}
		if got := search("zebrafinch", Filter{GuildID: "g1"}); len(got) != 1 || got[0] != fresh.ID {
			t.Errorf("new article not learned: %v", got)
		}
		if got := search("quokka census", Filter{GuildID: "g1"}); len(got) != 1 || got[0] != upd.ID {
			t.Errorf("updated article not learned: %v", got)
		}
		if got := search("harbour dredging", Filter{GuildID: "g1"}); len(got) != 5 {
			t.Errorf("harbour: %v, want the 5 articles left of g1 and the operator", got)
		}
		serving.passages.mu.RLock()
		runs := len(serving.passages.runs)
		serving.passages.mu.RUnlock()
		if runs < 9 {
			t.Errorf("the passage map holds %d runs; it did not learn the other process's articles", runs)
		}
	})
}

// A serving process's statistics of every language's index (document
// frequencies cached per language and term) follow another process's
// writes: after it adds, updates and removes English and German articles,
// the serving process ranks every question exactly as a process that
// starts afresh, scores included; and when it can no longer tell what
// changed (the notes were forgotten), it reads its caches anew, the
// passage map included.
func TestCachesLearnOtherProcessesWritesInEveryLanguage(t *testing.T) {
	forEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		serving, other := mustOpen(t, dsn), mustOpen(t, dsn)
		serving.SyncEvery = -1 // every search checks
		rng := rand.New(rand.NewPCG(3, 4))
		var arts []*Article
		for i := 0; i < 60; i++ {
			arts = append(arts, synthArticle(rng, i, 0))
		}
		if _, err := serving.PutArticles(ctx, arts); err != nil {
			t.Fatal(err)
		}
		<-serving.PrepareSearch()
		questions := []string{
			"Why did the council reject the ferry terminal?", "strike announced this week",
			"Warum verschob der Stadtrat den Haushalt?", "Streiks der Gewerkschaft", "Lieferung von Taurus-Marschflugkörpern",
		}
		filters := []Filter{{GuildID: "*"}, {GuildID: "*", Since: time.Date(2022, 6, 10, 0, 0, 0, 0, time.UTC)}}
		compare := func(stage string) {
			t.Helper()
			fresh := mustOpen(t, dsn)
			defer fresh.Close()
			for _, q := range questions {
				for _, f := range filters {
					got, err := serving.Search(ctx, q, f)
					if err != nil {
						t.Fatal(err)
					}
					want, err := fresh.Search(ctx, q, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(want) == 0 {
						t.Fatalf("%s: %q finds nothing", stage, q)
					}
					if g, w := rankingKeys(got), rankingKeys(want); fmt.Sprint(g) != fmt.Sprint(w) {
						t.Errorf("%s: %q, filter %+v:\nserving %v\n  fresh %v", stage, q, f, g, w)
					}
				}
			}
		}
		compare("before") // caches the statistics of both languages' terms
		var more []*Article
		for i := 60; i < 90; i++ {
			more = append(more, synthArticle(rng, i, 0))
		}
		for _, i := range []int{0, 3, 4} { // German and English updates
			more = append(more, synthArticle(rng, i, 1))
		}
		if _, err := other.PutArticles(ctx, more); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*Article{arts[6], arts[7], arts[9]} {
			if err := other.RemoveArticle(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		compare("after another process wrote")

		serving.forgetCaches()
		<-serving.PrepareSearch()
		if !serving.passages.ready() {
			t.Fatal("the passage map is not built again after the caches were forgotten")
		}
		if _, err := other.PutArticles(ctx, []*Article{synthArticle(rng, 12, 2), synthArticle(rng, 95, 0)}); err != nil {
			t.Fatal(err)
		}
		compare("after the caches were read anew")
	})
}
