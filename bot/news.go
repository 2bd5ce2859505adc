package bot

import (
	"context"
	"strconv"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// FeedStore manages the feeds a server follows; *knowledge.DB satisfies it.
type FeedStore interface {
	AddFeed(ctx context.Context, spec knowledge.FeedSpec) (*knowledge.Feed, error)
	RemoveFeed(ctx context.Context, guildID, ref string) (*knowledge.Feed, error)
	PauseFeed(ctx context.Context, guildID, ref string) (*knowledge.Feed, error)
	ResumeFeed(ctx context.Context, guildID, ref string) (*knowledge.Feed, error)
	Feeds(ctx context.Context, guildID string) ([]knowledge.Feed, error)
}

// FeedPosts keeps which feeds post to which channel, which articles were
// posted, which disabled feeds were announced, and each server's alerts
// channel; *knowledge.DB satisfies it.
type FeedPosts interface {
	SetFeedChannel(ctx context.Context, guildID, ref, channelID, createdBy string) (*knowledge.Feed, error)
	FeedChannels(ctx context.Context, guildID string) (map[int64]knowledge.FeedChannel, error)
	PendingFeedPosts(ctx context.Context, perChannel, limit, maxAttempts int) ([]knowledge.FeedPost, error)
	ClaimFeedPost(ctx context.Context, p knowledge.FeedPost, owner string, maxAttempts int) (*knowledge.FeedPost, bool, error)
	FinishFeedPost(ctx context.Context, id int64, state, messageID, reason string) error
	PendingFeedAlerts(ctx context.Context) ([]knowledge.FeedAlert, error)
	ClaimFeedAlert(ctx context.Context, a knowledge.FeedAlert) (bool, error)
	FinishFeedAlert(ctx context.Context, a knowledge.FeedAlert, state, reason string) error
	SetAlertsChannel(ctx context.Context, guildID, channelID string) error
}

// Summarizer writes summaries with citations; *knowledge.Summarizer
// satisfies it.
type Summarizer interface {
	Summarize(ctx context.Context, req knowledge.SummaryRequest) (*knowledge.Answer, error)
}

// ArticleFinder suggests stored articles by headline for autocompletion;
// *knowledge.DB satisfies it.
type ArticleFinder interface {
	SuggestArticles(ctx context.Context, guildID, prefix string, limit int) ([]knowledge.ArticleSuggestion, error)
}

// ArticleAdder fetches one web page through the guarded client and stores
// its article in a server's scope; *knowledge.Ingester satisfies it.
type ArticleAdder interface {
	IngestURL(ctx context.Context, guildID, rawURL string) (*knowledge.Article, error)
}

// DigestMaker makes digests; *knowledge.Digester satisfies it.
type DigestMaker interface {
	Build(ctx context.Context, req knowledge.DigestRequest) (*knowledge.Digest, error)
}

// DigestSchedules keeps the daily digest schedules; *knowledge.DB
// satisfies it.
type DigestSchedules interface {
	SetDigestSchedule(ctx context.Context, s knowledge.DigestSchedule) (*knowledge.DigestSchedule, error)
	DisableDigestSchedules(ctx context.Context, guildID, channelID string) (int, error)
	DigestSchedules(ctx context.Context, guildID string) ([]knowledge.DigestSchedule, error)
}

// News provides the news commands and the posting of feeds: /feed and
// /article (Manage Server), /summary, /digest show (everyone) and
// /digest-schedule (Manage Server). Attach adds them to a bot. A command
// whose dependency is nil is left out.
type News struct {
	Feeds FeedStore
	// Posts, when set, lets /feed post a feed's new articles to a channel
	// and tell admins when a feed is disabled.
	Posts      FeedPosts
	Summarizer Summarizer
	// Articles suggests articles while /summary is typed; nil offers none.
	Articles ArticleFinder
	// Adder, when set, gives admins /article add: fetch a page, store it
	// and summarise it.
	Adder     ArticleAdder
	Digests   DigestMaker
	Schedules DigestSchedules
	// PostInterval is how often new articles of channel-bound feeds and
	// disabled feeds are looked for (default 30s).
	PostInterval time.Duration
	// Owner names this process in the records of posts (default host:pid).
	Owner string
}

// Attach adds the news commands to b and, when Posts is set, the worker
// that posts feeds' new articles and feed alerts while b runs. Call it
// before b.Run.
func (n *News) Attach(b *Bot) {
	b.Commands = append(b.Commands, n.Commands()...)
	if n.Posts != nil && n.Feeds != nil {
		b.Workers = append(b.Workers, func(ctx context.Context) { n.runPosts(ctx, b) })
	}
}

// Commands returns the news commands whose dependencies are set.
func (n *News) Commands() []Command {
	var cmds []Command
	if n.Feeds != nil {
		cmds = append(cmds, n.feedCommand())
	}
	if n.Summarizer != nil {
		cmds = append(cmds, n.summaryCommand())
		if n.Adder != nil {
			cmds = append(cmds, n.articleCommand())
		}
	}
	if n.Digests != nil {
		cmds = append(cmds, n.digestCommand())
	}
	if n.Schedules != nil {
		cmds = append(cmds, n.scheduleCommand())
	}
	return cmds
}

// idRef is the value an autocompletion gives for a feed or an article:
// "#" and its id.
func idRef(id int64) string { return "#" + strconv.FormatInt(id, 10) }

// requireServer refuses a command used outside a server.
func requireServer(r *Request) error {
	if r.GuildID == "" || r.Interaction.Member == nil {
		return knowledge.Errorf(knowledge.EFORBIDDEN, textsFor(r.Interaction.Locale).serverOnly, "/"+commandName(r.Interaction.Locale, r.Command.Name))
	}
	return nil
}

// checkPostable refuses a channel Herald may not post its embeds in,
// saying what it lacks. In the channel of the interaction Discord says
// what Herald may do; elsewhere the session's state does, and a refusal is
// checked again with Discord first. A channel neither knows is let
// through: Discord's answer to the post will tell.
func checkPostable(ctx context.Context, r *Request, channelID string) error {
	var missing string
	known := false
	if i := r.Interaction; channelID == i.ChannelID && i.AppPermissions != 0 {
		missing, known = permissionList(postPermissions&^i.AppPermissions), true
	} else if missing, known = r.b.missingToPost(channelID); known && missing != "" {
		missing, known = r.b.freshMissingToPost(ctx, channelID)
	}
	if !known || missing == "" {
		return nil
	}
	t := textsFor(r.Interaction.Locale)
	return knowledge.Errorf(knowledge.EFORBIDDEN, t.cannotPost, channelID, t.permissions(missing))
}
