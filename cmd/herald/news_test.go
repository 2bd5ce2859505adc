package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

func TestStartNewsPollsAndStops(t *testing.T) {
	envv := testEnv(t)
	envv["HERALD_ALLOW_PRIVATE_URLS"] = "true"
	srv := newsFeed(t)
	var logs bytes.Buffer
	e := testCommandEnv(t, envv, &logs, &logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := openDB(ctx, e, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AddFeed(ctx, knowledge.FeedSpec{URL: srv.URL + "/rss", GuildID: "G"}); err != nil {
		t.Fatal(err)
	}
	b := &bot.Bot{}
	var wg sync.WaitGroup
	if err := startNews(ctx, e, db, b, &wg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range b.Commands {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "feed,summary,article,digest,digest-schedule" || len(b.Workers) != 1 {
		t.Errorf("commands = %v, %d workers", names, len(b.Workers))
	}
	// The poller takes the due feed at once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		arts, err := db.Articles(ctx, knowledge.Filter{GuildID: "G"})
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the poller stored %d articles", len(arts))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the poller and the scheduler did not stop")
	}
}
