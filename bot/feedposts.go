package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// Feed posting limits.
const (
	// feedPostsPerChannel bounds what one pass posts in a channel, so a
	// feed that brings fifty articles at once trickles in.
	feedPostsPerChannel = 5
	// feedPostsPerPass bounds what one pass posts in all.
	feedPostsPerPass = 50
	// feedPostAttempts bounds the tries of one article after Discord
	// refused it.
	feedPostAttempts = 3
)

// runPosts posts the new articles of channel-bound feeds and tells admins
// about disabled feeds, once at start and then every PostInterval, until
// ctx is done.
func (n *News) runPosts(ctx context.Context, b *Bot) {
	every := n.PostInterval
	if every <= 0 {
		every = 30 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n.postPass(ctx, b)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// FeedPassResult counts what one posting pass did.
type FeedPassResult struct {
	Posted, Failed, Alerts int
}

// postPass runs one pass of posting; a panic in it is logged and the next
// pass runs as usual.
func (n *News) postPass(ctx context.Context, b *Bot) (res FeedPassResult) {
	defer func() {
		if p := recover(); p != nil {
			b.Logger.Error("panic while posting feeds", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if ctx.Err() != nil {
		return res
	}
	n.postArticles(ctx, b, &res)
	n.postAlerts(ctx, b, &res)
	return res
}

func (n *News) owner() string {
	if n.Owner != "" {
		return n.Owner
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// postArticles posts each pending article once: claimed first, so that a
// second process or a restart never posts it again, then posted, then the
// outcome recorded. When Discord refuses a channel, the rest of that
// channel waits for the next pass.
func (n *News) postArticles(ctx context.Context, b *Bot, res *FeedPassResult) {
	pending, err := n.Posts.PendingFeedPosts(ctx, feedPostsPerChannel, feedPostsPerPass, feedPostAttempts)
	if err != nil {
		if ctx.Err() == nil {
			b.Logger.Error("cannot read the feeds' new articles", "err", err)
		}
		return
	}
	owner := n.owner()
	skip := map[string]bool{}
	for _, p := range pending {
		if ctx.Err() != nil {
			return
		}
		if skip[p.ChannelID] {
			continue
		}
		log := b.Logger.With("guild", p.GuildID, "channel", p.ChannelID, "feed_id", p.FeedID, "article_id", p.Article.ID)
		if missing, known := b.missingToPost(p.ChannelID); !known || missing != "" {
			// Not in this process's view of Discord yet, or not allowed
			// (asked again of Discord now and then, since the state may
			// lag): left pending, tried again next pass.
			if known && b.seen.add("feedperm:"+p.ChannelID, b.now()) {
				missing, known = b.freshMissingToPost(ctx, p.ChannelID)
				if known && missing != "" {
					log.Warn("cannot post a feed's articles in its channel; Herald needs "+missing+" there", "missing", missing)
				}
			}
			if !known || missing != "" {
				skip[p.ChannelID] = true
				continue
			}
		}
		claim, ok, err := n.Posts.ClaimFeedPost(ctx, p, owner, feedPostAttempts)
		if err != nil {
			log.Error("cannot claim a feed post", "err", err)
			return
		}
		if !ok {
			continue
		}
		m := feedPostMessage(textsFor(b.guildLocale(p.GuildID)), p)
		m.Nonce = claim.PostKey // a process taking the post over does not post it twice
		msg, err := b.send.post(ctx, p.ChannelID, m, nil, false)
		state, messageID, reason := knowledge.FeedPostPosted, "", ""
		if err == nil {
			messageID = msg.ID
			res.Posted++
		} else {
			res.Failed++
			skip[p.ChannelID] = true
			reason = err.Error()
			var re *discordgo.RESTError
			if errors.As(err, &re) && re.Response != nil {
				// Discord answered with a refusal: nothing was posted.
				state = knowledge.FeedPostRetry
				log.Warn("Discord refused a feed post; it is tried again later", "err", err)
			} else {
				// It may or may not have arrived: never post it twice.
				state = knowledge.FeedPostFailed
				log.Error("posting a feed's article failed; it is not tried again", "err", err)
			}
		}
		if err := n.Posts.FinishFeedPost(context.WithoutCancel(ctx), claim.ID, state, messageID, reason); err != nil {
			log.Error("cannot record a feed post", "state", state, "err", err)
		}
	}
}

// postAlerts tells each server's admins, once, that one of its feeds was
// disabled, in the channel the store picks.
func (n *News) postAlerts(ctx context.Context, b *Bot, res *FeedPassResult) {
	alerts, err := n.Posts.PendingFeedAlerts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.Logger.Error("cannot read the disabled feeds", "err", err)
		}
		return
	}
	for _, a := range alerts {
		if ctx.Err() != nil {
			return
		}
		log := b.Logger.With("guild", a.Feed.GuildID, "feed_id", a.Feed.ID, "channel", a.ChannelID)
		if !b.inGuild(a.Feed.GuildID) {
			continue // this process does not see that server (yet)
		}
		ok, err := n.Posts.ClaimFeedAlert(ctx, a)
		if err != nil {
			log.Error("cannot claim a feed alert", "err", err)
			return
		}
		if !ok {
			continue
		}
		finish := func(state, reason string) {
			if err := n.Posts.FinishFeedAlert(context.WithoutCancel(ctx), a, state, reason); err != nil {
				log.Error("cannot record a feed alert", "state", state, "err", err)
			}
		}
		if missing, _ := b.missingToPost(a.ChannelID); a.ChannelID == "" || missing != "" {
			log.Warn("a feed was disabled and there is no channel to tell the server's admins in; they can set one with /feed alerts",
				"reason", a.Feed.DisabledReason, "missing", missing)
			finish(knowledge.FeedAlertNowhere, "no channel Herald may post in")
			continue
		}
		if _, err := b.send.post(ctx, a.ChannelID, b.feedAlertMessage(textsFor(b.guildLocale(a.Feed.GuildID)), a), nil, false); err != nil {
			log.Warn("cannot tell the server's admins that a feed was disabled", "err", err)
			finish(knowledge.FeedAlertFailed, err.Error())
			continue
		}
		res.Alerts++
		log.Info("told the server's admins that a feed was disabled", "reason", a.Feed.DisabledReason)
		finish(knowledge.FeedAlertPosted, "")
	}
}

// feedPostMessage shows one new article of a feed: the outlet, the
// headline linked to the article, its lead sentence and its publication
// time.
func feedPostMessage(t *serverTexts, p knowledge.FeedPost) Message {
	a := p.Article
	title := strings.Join(strings.Fields(a.Title), " ")
	if title == "" {
		title = a.URL
	}
	e := &discordgo.MessageEmbed{
		Title: cutContent(escapeMarkdown(title), maxEmbedTitle),
		URL:   linkURL(a.URL),
		Color: embedColor,
	}
	if o := strings.TrimSpace(p.Outlet); o != "" {
		e.Author = &discordgo.MessageEmbedAuthor{Name: cutContent(o, maxAuthorName)}
	}
	var parts []string
	if lead := strings.TrimSpace(p.Lead); lead != "" {
		parts = append(parts, escapeMarkdown(cutContent(lead, 400)))
	}
	if !a.PublishedAt.IsZero() {
		parts = append(parts, fmt.Sprintf(t.feedPublished, discordTime(a.PublishedAt, "f")))
	}
	e.Description = strings.Join(parts, "\n\n")
	return Message{Embeds: []*discordgo.MessageEmbed{e}}
}

// feedAlertMessage tells a server's admins that a feed was disabled, why,
// and how to resume or remove it.
func (b *Bot) feedAlertMessage(t *serverTexts, a knowledge.FeedAlert) Message {
	f := a.Feed
	text := fmt.Sprintf(t.feedAlert, feedLabel(&f), f.ID, escapeMarkdown(cutContent(f.DisabledReason, 500)),
		b.commandMention("feed resume"), f.ID, b.commandMention("feed remove"))
	return Message{Content: text}
}
