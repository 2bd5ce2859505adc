package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

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

// News provides the news commands: /feed (Manage Server), /summary and
// /digest (show for everyone; schedule and off for Manage Server). Add
// them with Bot.Commands = append(Bot.Commands, news.Commands()...). A
// command whose dependency is nil is left out.
type News struct {
	Feeds      FeedStore
	Summarizer Summarizer
	// Articles suggests articles while /summary is typed; nil offers none.
	Articles  ArticleFinder
	Digests   DigestMaker
	Schedules DigestSchedules
}

// Commands returns the news commands whose dependencies are set.
func (n *News) Commands() []Command {
	var cmds []Command
	if n.Feeds != nil {
		cmds = append(cmds, n.feedCommand())
	}
	if n.Summarizer != nil {
		cmds = append(cmds, n.summaryCommand())
	}
	if n.Digests != nil {
		cmds = append(cmds, n.digestCommand())
	}
	return cmds
}

// idRef is the value an autocompletion gives for a feed or an article:
// "#" and its id.
func idRef(id int64) string { return "#" + strconv.FormatInt(id, 10) }

func (n *News) feedCommand() Command {
	feedOpt := func(desc string) []*discordgo.ApplicationCommandOption {
		return []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: desc,
			Required: true, Autocomplete: true, MaxLength: 2048}}
	}
	return Command{
		Name:        "feed",
		Description: "Follow news feeds (RSS, Atom, JSON Feed) for this server.",
		Permission:  discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Follow a feed: its articles join this server's news.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The feed's address, e.g. https://example.com/rss.xml", Required: true, MaxLength: 2048},
					{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Outlet name for its articles (default: the feed's title)", MaxLength: 100},
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop following a feed (its articles stay).", Options: feedOpt("The feed to stop following")},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The feeds this server follows, with their state."},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "pause", Description: "Stop polling a feed for now.", Options: feedOpt("The feed to pause")},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "resume", Description: "Poll a paused or stopped feed again.", Options: feedOpt("The feed to resume")},
		},
		Handle:       n.handleFeed,
		Autocomplete: n.completeFeed,
	}
}

func (n *News) handleFeed(ctx context.Context, r *Request) error {
	if r.GuildID == "" {
		return knowledge.Errorf(knowledge.EFORBIDDEN, "Feeds belong to a server: use /feed in one.")
	}
	var f *knowledge.Feed
	var err error
	switch r.Subcommand {
	case "add":
		f, err = n.Feeds.AddFeed(ctx, knowledge.FeedSpec{URL: r.String("url"), GuildID: r.GuildID, Name: r.String("name"), CreatedBy: r.UserID})
		if err != nil {
			return err
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf(
			"Following %s (feed %d). Its recent articles arrive within a few minutes; `/feed list` shows how it is doing.", escapeMarkdown(f.URL), f.ID)})
	case "remove":
		if f, err = n.Feeds.RemoveFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("No longer following %s; the %d articles it brought stay.", feedLabel(f), f.Items)})
	case "pause":
		if f, err = n.Feeds.PauseFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("Paused %s. `/feed resume` polls it again.", feedLabel(f))})
	case "resume":
		if f, err = n.Feeds.ResumeFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("Resumed %s; it is polled again within a few minutes.", feedLabel(f))})
	case "list":
		feeds, err := n.Feeds.Feeds(ctx, r.GuildID)
		if err != nil {
			return err
		}
		return r.Reply(ctx, feedListMessage(feeds))
	}
	return knowledge.Errorf(knowledge.EINVALID, "Use /feed add, remove, list, pause or resume.")
}

// feedLabel is "**Outlet** (url)", escaped.
func feedLabel(f *knowledge.Feed) string {
	return "**" + escapeMarkdown(cutContent(f.Outlet(), 100)) + "** (" + escapeMarkdown(f.URL) + ")"
}

// feedListMessage shows a server's feeds, privately.
func feedListMessage(feeds []knowledge.Feed) Message {
	if len(feeds) == 0 {
		return Message{Ephemeral: true, Content: "This server follows no feed yet. Add one with `/feed add url:`."}
	}
	var lines []string
	for _, f := range feeds {
		line := fmt.Sprintf("**%d. %s** · %s · %d articles", f.ID, escapeMarkdown(cutContent(f.Outlet(), 100)), f.Status(), f.Items)
		if !f.LastPolledAt.IsZero() {
			line += fmt.Sprintf(" · polled <t:%d:R>", f.LastPolledAt.Unix())
		} else {
			line += " · not polled yet"
		}
		line += "\n" + escapeMarkdown(cutContent(f.URL, 200))
		switch {
		case f.DisabledReason != "":
			line += "\nStopped: " + escapeMarkdown(cutContent(f.DisabledReason, 300)) + " `/feed resume` tries again."
		case f.LastError != "":
			line += fmt.Sprintf("\nLast poll failed (%d in a row): %s", f.Failures, escapeMarkdown(cutContent(f.LastError, 300)))
		}
		if f.Warning != "" {
			line += "\nNote: " + escapeMarkdown(cutContent(f.Warning, 300))
		}
		lines = append(lines, line)
	}
	var desc strings.Builder
	shown := 0
	for _, l := range lines {
		if runeLen(desc.String())+runeLen(l)+2 > maxEmbedDescription-60 {
			break
		}
		if desc.Len() > 0 {
			desc.WriteString("\n\n")
		}
		desc.WriteString(l)
		shown++
	}
	if shown < len(lines) {
		fmt.Fprintf(&desc, "\n\n… and %d more.", len(lines)-shown)
	}
	return Message{Ephemeral: true, Embeds: []*discordgo.MessageEmbed{{
		Title: fmt.Sprintf("Feeds of this server (%d)", len(feeds)), Description: desc.String(), Color: embedColor,
	}}}
}

// completeFeed suggests the server's feeds by outlet or address.
func (n *News) completeFeed(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if focused.Name != "feed" || r.GuildID == "" {
		return nil, nil
	}
	feeds, err := n.Feeds.Feeds(ctx, r.GuildID)
	if err != nil {
		return nil, err
	}
	typed := strings.ToLower(strings.TrimSpace(focused.StringValue()))
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, f := range feeds {
		label := f.Outlet() + " — " + f.URL
		if typed != "" && !strings.Contains(strings.ToLower(label), typed) {
			continue
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: cutContent(label, 100), Value: idRef(f.ID)})
		if len(out) == 25 {
			break
		}
	}
	return out, nil
}

func (n *News) summaryCommand() Command {
	return Command{
		Name:        "summary",
		Description: "Summarise an article or a topic, with citations.",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "of", Description: "An article (pick one by headline, or paste its URL) or a topic",
				Required: true, Autocomplete: n.Articles != nil, MaxLength: 500},
		},
		Handle:       n.handleSummary,
		Autocomplete: n.completeArticle,
	}
}

// handleSummary summarises publicly, within the same limits and model
// budget as /ask.
func (n *News) handleSummary(ctx context.Context, r *Request) error {
	target := r.String("of")
	if target == "" {
		return knowledge.Errorf(knowledge.EINVALID, "Say what to summarise: pick an article, paste its URL, or name a topic.")
	}
	b := r.b
	release, err := b.limits.admit(r.GuildID, r.UserID, b.now())
	if err != nil {
		return err
	}
	defer release()
	req := knowledge.SummaryRequest{Target: target, GuildID: r.GuildID}
	var notes []string
	if b.limits.overBudget(r.GuildID, b.now()) {
		req.Mode = knowledge.AskExtractive
		notes = append(notes, budgetNote)
	}
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	ans, err := n.Summarizer.Summarize(ctx, req)
	if err != nil {
		r.reopen()
		return err
	}
	b.limits.spend(r.GuildID, ans.Tokens, b.now())
	if ans.Abstained {
		r.reopen()
		return r.Reply(ctx, Message{Content: ans.Text, Ephemeral: true})
	}
	if ans.Mode != knowledge.ModeExtractive {
		notes = nil
	}
	shown := *ans
	if q := strings.Join(strings.Fields(ans.Question), " "); q != "" {
		shown.Text = "**Summary: " + escapeMarkdown(cutContent(q, 200)) + "**\n\n" + ans.Text
	}
	if _, err := (&interactionOutput{r: r}).final(ctx, renderAnswer(&shown, notes...)); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "I wrote the summary but Discord did not accept it. Please try again.", err)
	}
	return nil
}

// completeArticle suggests articles whose headline holds the words typed.
func (n *News) completeArticle(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if n.Articles == nil || focused.Name != "of" {
		return nil, nil
	}
	typed := strings.TrimSpace(focused.StringValue())
	if strings.HasPrefix(strings.ToLower(typed), "http") || strings.HasPrefix(typed, "#") {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	arts, err := n.Articles.SuggestArticles(ctx, r.GuildID, typed, 25)
	if err != nil {
		return nil, err
	}
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, a := range arts {
		meta := a.Source
		if !a.PublishedAt.IsZero() {
			if meta != "" {
				meta += ", "
			}
			meta += a.PublishedAt.UTC().Format("2006-01-02")
		}
		label := strings.Join(strings.Fields(a.Title), " ")
		if meta != "" {
			// Keep the outlet and date visible however long the headline.
			label = cutContent(label, 100-runeLen(meta)-3) + " — " + meta
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: cutContent(label, 100), Value: idRef(a.ID)})
	}
	return out, nil
}

func (n *News) digestCommand() Command {
	textChannels := []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
	opts := []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show the digest of the last day's news now.",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "since", Description: "Cover a longer or shorter period: 48h, 7d or a date like 2024-03-01", MaxLength: 40},
			}},
	}
	if n.Schedules != nil {
		opts = append(opts,
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "schedule",
				Description: "Post the digest in a channel every day at a local time (Manage Server).",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "The channel to post it in", Required: true, ChannelTypes: textChannels},
					{Type: discordgo.ApplicationCommandOptionString, Name: "time", Description: "Local time on a 24-hour clock, e.g. 08:00", Required: true, MaxLength: 5},
					{Type: discordgo.ApplicationCommandOptionString, Name: "timezone", Description: "Time zone, e.g. Europe/Berlin or America/New_York", Required: true, Autocomplete: true, MaxLength: 64},
				}},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "off",
				Description: "Stop posting the daily digest (Manage Server).",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Only this channel's digest (default: all of them)", ChannelTypes: textChannels},
				}},
		)
	}
	return Command{
		Name:         "digest",
		Description:  "The news in a few stories, each with sources; or post it every day.",
		Options:      opts,
		Handle:       n.handleDigest,
		Autocomplete: n.completeTimezone,
	}
}

// requireManageGuild checks, on the server side, the permission of the
// digest's admin sub-commands (Discord sets permissions per command, and
// /digest show is for everyone).
func requireManageGuild(r *Request, what string) error {
	m := r.Interaction.Member
	if m == nil || r.GuildID == "" {
		return knowledge.Errorf(knowledge.EFORBIDDEN, "%s can only be used in a server.", what)
	}
	if m.Permissions&discordgo.PermissionAdministrator != 0 || m.Permissions&discordgo.PermissionManageGuild != 0 {
		return nil
	}
	return knowledge.Errorf(knowledge.EFORBIDDEN, "You need the Manage Server permission to use %s.", what)
}

func (n *News) handleDigest(ctx context.Context, r *Request) error {
	switch r.Subcommand {
	case "show":
		return n.showDigest(ctx, r)
	case "schedule":
		if err := requireManageGuild(r, "/digest schedule"); err != nil {
			return err
		}
		s, err := n.Schedules.SetDigestSchedule(ctx, knowledge.DigestSchedule{GuildID: r.GuildID, ChannelID: r.Channel("channel"),
			Time: r.String("time"), TimeZone: r.String("timezone"), CreatedBy: r.UserID})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("Every day at %s (%s) the digest will be posted in <#%s>.", s.Time, escapeMarkdown(s.TimeZone), s.ChannelID)
		if next, err := s.NextOccurrence(r.b.now()); err == nil {
			msg += fmt.Sprintf(" Next: <t:%d:F>.", next.Unix())
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: msg + " `/digest off` stops it."})
	case "off":
		if err := requireManageGuild(r, "/digest off"); err != nil {
			return err
		}
		ch := r.Channel("channel")
		k, err := n.Schedules.DisableDigestSchedules(ctx, r.GuildID, ch)
		if err != nil {
			return err
		}
		if ch != "" {
			return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("The daily digest in <#%s> is off.", ch)})
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("The daily digest is off (%d channel%s).", k, plural(k))})
	}
	return knowledge.Errorf(knowledge.EINVALID, "Use /digest show, schedule or off.")
}

func plural(k int) string {
	if k == 1 {
		return ""
	}
	return "s"
}

// showDigest shows the digest in the channel, within the same limits and
// model budget as /ask.
func (n *News) showDigest(ctx context.Context, r *Request) error {
	b := r.b
	now := b.now()
	req := knowledge.DigestRequest{GuildID: r.GuildID, Since: now.Add(-24 * time.Hour), Until: now}
	if s := r.String("since"); s != "" {
		t, err := parseSince(s, now)
		if err != nil {
			return err
		}
		req.Since = t
	}
	release, err := b.limits.admit(r.GuildID, r.UserID, now)
	if err != nil {
		return err
	}
	defer release()
	budget := false
	if b.limits.overBudget(r.GuildID, now) {
		req.Mode = knowledge.AskExtractive
		budget = true
	}
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	d, err := n.Digests.Build(ctx, req)
	if err != nil {
		r.reopen()
		return err
	}
	b.limits.spend(r.GuildID, d.Tokens, b.now())
	if len(d.Stories) == 0 {
		r.reopen()
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf("No news since <t:%d:f>.", req.Since.Unix())})
	}
	if budget && d.Note == "" {
		d.Note = "This server has used today's budget for the language model, so these summaries quote the articles directly."
	}
	if _, err := (&interactionOutput{r: r}).final(ctx, layout(digestMessage(d))); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "I made the digest but Discord did not accept it. Please try again.", err)
	}
	return nil
}

// completeTimezone suggests IANA time zones containing what was typed.
func (n *News) completeTimezone(_ context.Context, _ *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if focused.Name != "timezone" {
		return nil, nil
	}
	typed := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(focused.StringValue()), " ", "_"))
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, z := range commonZones {
		if typed == "" || strings.Contains(strings.ToLower(z), typed) {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: z, Value: z})
			if len(out) == 25 {
				break
			}
		}
	}
	return out, nil
}

// commonZones are the time zones offered while typing; any IANA name is
// accepted.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
	"Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest", "Europe/Athens", "Europe/Bucharest", "Europe/Kyiv",
	"Europe/Istanbul", "Europe/Moscow", "Africa/Cairo", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi",
	"Asia/Dubai", "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
	"Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth",
	"Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland",
	"America/St_Johns", "America/Halifax", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Santiago",
	"America/Bogota", "America/Lima", "America/New_York", "America/Toronto", "America/Chicago", "America/Mexico_City",
	"America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
}

// PostDigest posts a digest to a channel with Post; it is the
// knowledge.DigestScheduler's Post hook. When Discord refused the first
// message, nothing was posted and the error wraps
// knowledge.ErrDigestNotSent so the scheduler may try again; any later
// failure may have left part of the digest posted.
func (b *Bot) PostDigest(ctx context.Context, channelID string, d *knowledge.Digest) error {
	sent, err := b.Post(ctx, channelID, digestMessage(d))
	if err == nil {
		return nil
	}
	var re *discordgo.RESTError
	if len(sent) == 0 && errors.As(err, &re) && re.Response != nil {
		return fmt.Errorf("%w: %w", knowledge.ErrDigestNotSent, err)
	}
	return err
}

// digestMessage renders a digest: a heading, then one embed per story
// (the headline linked to its first report, the summary with its
// markers, the cited sources, the other outlets), spread over several
// messages by layout when Discord's limits require.
func digestMessage(d *knowledge.Digest) Message {
	head := fmt.Sprintf("**News digest** · %d %s since <t:%d:f>", len(d.Stories), pluralWord(len(d.Stories), "story", "stories"), d.Since.Unix())
	if d.Note != "" {
		head += "\n*" + escapeMarkdown(d.Note) + "*"
	}
	m := Message{Content: head}
	for i, st := range d.Stories {
		m.Embeds = append(m.Embeds, storyEmbed(i+1, st))
	}
	return m
}

func pluralWord(k int, one, many string) string {
	if k == 1 {
		return one
	}
	return many
}

// storyEmbed shows one story of a digest.
func storyEmbed(n int, st knowledge.DigestStory) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Title: cutContent(fmt.Sprintf("%d. %s", n, escapeMarkdown(strings.Join(strings.Fields(st.Headline), " "))), maxEmbedTitle),
		Color: embedColor,
	}
	if len(st.Articles) > 0 {
		e.URL = linkURL(st.Articles[0].URL)
	}
	var b strings.Builder
	b.WriteString(defuseLinks(cutContent(strings.TrimSpace(st.Summary), 1500)))
	cited := map[int64]bool{}
	for _, c := range st.Citations {
		cited[c.ArticleID] = true
		b.WriteString(fmt.Sprintf("\n[%d] %s", c.N, markdownLink(cutContent(strings.Join(strings.Fields(c.Title), " "), 120), c.URL)))
		if s := strings.TrimSpace(c.Source); s != "" {
			b.WriteString(" — " + escapeMarkdown(cutContent(s, 60)))
		}
	}
	var also []string
	for _, a := range st.Articles {
		if cited[a.ID] {
			continue
		}
		label := strings.TrimSpace(a.Source)
		if label == "" {
			label = a.Title
		}
		also = append(also, markdownLink(cutContent(label, 60), a.URL))
	}
	if len(also) > 0 {
		b.WriteString("\nAlso: " + strings.Join(also, ", "))
	}
	e.Description = b.String()
	if st.Outlets > 1 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("%d outlets", st.Outlets)}
	}
	return e
}
