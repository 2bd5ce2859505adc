package main

import (
	"context"
	"sync"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

// startNews adds the news commands (/feed, /article, /summary, /digest,
// /digest-schedule) and the posting of feeds to b, and
// starts the feed poller and the daily digest scheduler, which posts
// through b.PostDigest; call it before b.Run. Both loops run in wg and
// stop when ctx is done.
func startNews(ctx context.Context, e *env, db *knowledge.DB, b *bot.Bot, wg *sync.WaitGroup) error {
	summarizer, err := newSummarizer(e, db, knowledge.AskAuto, true)
	if err != nil {
		return err
	}
	sched, err := newDigestScheduler(e, db, b.PostDigest)
	if err != nil {
		return err
	}
	poller := newPoller(e, db, nil)
	db.FeedCheck = poller.CheckFeed // /feed add refuses a feed it cannot read
	news := &bot.News{Feeds: db, Posts: db, Summarizer: summarizer, Articles: db, Adder: newIngester(e, db), Digests: sched.Digester, Schedules: db}
	news.Attach(b)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := poller.Run(ctx); err != nil && ctx.Err() == nil {
			db.Logger.Error("the feed poller stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := sched.Run(ctx); err != nil && ctx.Err() == nil {
			db.Logger.Error("the digest scheduler stopped", "err", err)
		}
	}()
	return nil
}
