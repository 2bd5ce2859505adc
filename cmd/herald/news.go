package main

import (
	"context"
	"sync"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

// startNews adds the news commands (/feed, /article, /summary, /digest,
// /digest-schedule) and the posting of feeds to b, and starts the feed
// poller and the daily digest scheduler, which posts through b.PostDigest; call it before b.Run. Both loops stop when ctx is
// done; the returned wait blocks until they have. serve uses it as:
//
//	wait, err := startNews(ctx, e, db, b)
//	if err != nil {
//		return err
//	}
//	defer wait()
//	return b.Run(ctx)
func startNews(ctx context.Context, e *env, db *knowledge.DB, b *bot.Bot) (wait func(), err error) {
	summarizer, err := newSummarizer(e, db)
	if err != nil {
		return nil, err
	}
	sched, err := newDigestScheduler(e, db, b.PostDigest)
	if err != nil {
		return nil, err
	}
	poller, err := newPoller(e, db, nil)
	if err != nil {
		return nil, err
	}
	news := &bot.News{Feeds: db, Posts: db, Summarizer: summarizer, Articles: db, Adder: newIngester(e, db), Digests: sched.Digester, Schedules: db}
	news.Attach(b)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := poller.Run(ctx); err != nil {
			db.Logger.Error("the feed poller stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := sched.Run(ctx); err != nil {
			db.Logger.Error("the digest scheduler stopped", "err", err)
		}
	}()
	return wg.Wait, nil
}
