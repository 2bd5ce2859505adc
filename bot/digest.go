package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// digestCommand is /digest show, for everyone. Scheduling is
// /digest-schedule, apart, because Discord sets a command's default
// permissions for all of its sub-commands at once.
func (n *News) digestCommand() Command {
	return Command{
		Name:        "digest",
		Description: "The news in a few stories, each with its sources.",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show the digest of the last day's news now.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "since", Description: "Cover a longer or shorter period: 48h, 7d or a date like 2024-03-01", MaxLength: 40},
					{Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only stories from these outlets, comma-separated", MaxLength: 200, Autocomplete: true},
				}},
		},
		Handle: n.handleDigest,
		Autocomplete: func(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
			return r.b.completeSource(ctx, r, focused)
		},
	}
}

// scheduleCommand is /digest-schedule set, off and list (Manage Server).
func (n *News) scheduleCommand() Command {
	return Command{
		Name:        "digest-schedule",
		Description: "Post the news digest in a channel every day, or stop it.",
		Permission:  discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "set", Description: "Post the digest in a channel every day at a local time.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "The channel to post it in", Required: true, ChannelTypes: textChannels()},
					{Type: discordgo.ApplicationCommandOptionString, Name: "time", Description: "Local time on a 24-hour clock, e.g. 08:00", Required: true, MaxLength: 5},
					{Type: discordgo.ApplicationCommandOptionString, Name: "timezone", Description: "Time zone, e.g. Europe/Berlin or America/New_York", Required: true, Autocomplete: true, MaxLength: 64},
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "off", Description: "Stop posting the daily digest.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Only this channel's digest (default: all of them)", ChannelTypes: textChannels()},
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The daily digests of this server."},
		},
		Handle:       n.handleSchedule,
		Autocomplete: n.completeTimezone,
	}
}

func (n *News) handleDigest(ctx context.Context, r *Request) error {
	if r.Subcommand == "show" {
		return n.showDigest(ctx, r)
	}
	return knowledge.Errorf(knowledge.EINVALID, "%s", textsFor(r.Interaction.Locale).digestUseSubcommand)
}

func (n *News) handleSchedule(ctx context.Context, r *Request) error {
	t := textsFor(r.Interaction.Locale)
	if err := requireServer(r); err != nil {
		return err
	}
	b := r.b
	switch r.Subcommand {
	case "set":
		ch := r.Channel("channel")
		if err := checkPostable(ctx, r, ch); err != nil {
			return err
		}
		s, err := n.Schedules.SetDigestSchedule(ctx, knowledge.DigestSchedule{GuildID: r.GuildID, ChannelID: ch,
			Time: r.String("time"), TimeZone: r.String("timezone"), CreatedBy: r.UserID})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf(t.scheduleSet, s.Time, escapeMarkdown(s.TimeZone), s.ChannelID)
		if next, err := s.NextOccurrence(b.now()); err == nil {
			msg += fmt.Sprintf(t.scheduleNext, next.Unix())
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: msg + fmt.Sprintf(t.scheduleStop, b.commandMention("digest-schedule off"))})
	case "off":
		ch := r.Channel("channel")
		k, err := n.Schedules.DisableDigestSchedules(ctx, r.GuildID, ch)
		if err != nil {
			return err
		}
		if ch != "" {
			return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf(t.scheduleOffOne, ch)})
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf(t.scheduleOffAll, k, plural(k, t.scheduleChannel, t.scheduleChans))})
	case "list":
		scheds, err := n.Schedules.DigestSchedules(ctx, r.GuildID)
		if err != nil {
			return err
		}
		return r.Reply(ctx, scheduleListMessage(t, b, scheds))
	}
	return knowledge.Errorf(knowledge.EINVALID, "%s", t.scheduleUseSubcommand)
}

// scheduleListMessage shows a server's digest schedules, privately: the
// enabled ones with their next posting, then those turned off.
func scheduleListMessage(t *serverTexts, b *Bot, scheds []knowledge.DigestSchedule) Message {
	var on, off []string
	for _, s := range scheds {
		if !s.Enabled {
			off = append(off, fmt.Sprintf(t.scheduleOffLine, s.ChannelID, s.Time, escapeMarkdown(s.TimeZone)))
			continue
		}
		next, err := s.NextOccurrence(b.now())
		if err != nil {
			continue
		}
		on = append(on, fmt.Sprintf(t.scheduleLine, s.ChannelID, s.Time, escapeMarkdown(s.TimeZone), next.Unix()))
	}
	if len(on) == 0 && len(off) == 0 {
		return Message{Ephemeral: true, Content: fmt.Sprintf(t.scheduleListEmpty, b.commandMention("digest-schedule set"))}
	}
	return Message{Ephemeral: true, Embeds: []*discordgo.MessageEmbed{{
		Title: fmt.Sprintf(t.scheduleListTitle, len(on)), Description: cutContent(strings.Join(append(on, off...), "\n"), maxEmbedDescription), Color: embedColor,
	}}}
}

// showDigest shows the digest in the channel, within the same limits and
// model budget as /ask.
func (n *News) showDigest(ctx context.Context, r *Request) error {
	b := r.b
	t := textsFor(r.Interaction.Locale)
	now := b.now()
	req := knowledge.DigestRequest{GuildID: r.GuildID, Since: now.Add(-24 * time.Hour), Until: now}
	if s := r.String("since"); s != "" {
		since, err := parseSince(r.Interaction.Locale, s, now)
		if err != nil {
			return err
		}
		req.Since = since
	}
	for _, s := range strings.Split(r.String("source"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			req.Sources = append(req.Sources, s)
		}
	}
	release, err := b.limits.admit(ctx, r.Interaction.Locale, r.GuildID, r.UserID, now)
	if err != nil {
		return err
	}
	defer release()
	budget := false
	if b.limits.overBudget(ctx, r.GuildID, now) {
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
	b.limits.spend(ctx, r.GuildID, d.Tokens, b.now())
	if len(d.Stories) == 0 {
		r.reopen()
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf(t.digestNoNews, req.Since.Unix())})
	}
	if budget && d.Note == "" {
		d.Note = t.digestBudget
	}
	if _, err := (&interactionOutput{r: r}).final(ctx, layout(b.digestMessage(t, d))); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, t.digestFailed, err)
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
	for _, z := range commonZones() {
		if typed == "" || strings.Contains(strings.ToLower(z), typed) {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: z, Value: z})
			if len(out) == 25 {
				break
			}
		}
	}
	return out, nil
}

// commonZones returns the time zones offered while typing; any IANA name
// is accepted.
func commonZones() []string {
	return []string{
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
}

// PostDigest posts a digest to a channel with Post; it is the
// knowledge.DigestScheduler's Post hook. When Discord refused the first
// message, nothing was posted and the error wraps
// knowledge.ErrDigestNotSent so the scheduler may try again; any later
// failure may have left part of the digest posted.
func (b *Bot) PostDigest(ctx context.Context, channelID string, d *knowledge.Digest) error {
	b.init()
	m := b.digestMessage(textsFor(b.digestLocale(ctx, channelID, d.GuildID)), d)
	// Another process that takes this digest over posts it with the same
	// key: Discord then shows what reached it once.
	m.Nonce = d.PostKey
	sent, err := b.Post(ctx, channelID, m)
	if err == nil {
		return nil
	}
	var re *discordgo.RESTError
	if len(sent) == 0 && errors.As(err, &re) && re.Response != nil {
		return fmt.Errorf("%w: %w", knowledge.ErrDigestNotSent, err)
	}
	return err
}

// digestLocale is the language of the server a digest goes to: from the
// state of the server's shard, or, when another process runs that shard
// (any process may post a digest it claimed), from Discord.
func (b *Bot) digestLocale(ctx context.Context, channelID, guildID string) discordgo.Locale {
	if guildID == "" {
		if st := b.channelState(channelID); st != nil {
			if ch, err := st.Channel(channelID); err == nil {
				st.RLock()
				guildID = ch.GuildID
				st.RUnlock()
			}
		}
	}
	if guildID == "" || b.shardFor(guildID) != nil {
		return b.guildLocale(guildID)
	}
	o, cancel := b.send.opts(ctx)
	defer cancel()
	g, err := b.rest().Guild(guildID, o...)
	if err != nil {
		b.Logger.Debug("cannot read the server's language; the digest is in English", "guild", guildID, "err", err)
		return ""
	}
	return discordgo.Locale(g.PreferredLocale)
}

// digestMessage renders a digest: a heading, then one embed per story,
// spread over several messages by layout when Discord's limits require.
func (b *Bot) digestMessage(t *serverTexts, d *knowledge.Digest) Message {
	head := fmt.Sprintf(t.digestHead, len(d.Stories), plural(len(d.Stories), t.digestStory, t.digestStories), d.Since.Unix())
	if d.Note != "" {
		head += "\n*" + escapeMarkdown(d.Note) + "*"
	}
	m := Message{Content: head}
	for i, st := range d.Stories {
		m.Embeds = append(m.Embeds, storyEmbed(t, i+1, st))
	}
	m.Components = storyPicker(t, d.Stories)
	return m
}

// discordTime is a Discord timestamp that each reader sees in their own
// time zone and language; style "f" is the date and time, "R" relative.
func discordTime(at time.Time, style string) string {
	return fmt.Sprintf("<t:%d:%s>", at.Unix(), style)
}

// storyEmbed shows one story of a digest: its headline linked to the first
// report, its summary with [n] markers, then each report with its outlet
// and publication time (the cited ones numbered, the others after
// "Also:"). The digest's story picker (see storyPicker) asks about it.
func storyEmbed(t *serverTexts, n int, st knowledge.DigestStory) *discordgo.MessageEmbed {
	headline := strings.Join(strings.Fields(st.Headline), " ")
	e := &discordgo.MessageEmbed{
		Title: cutContent(fmt.Sprintf("%d. %s", n, escapeMarkdown(headline)), maxEmbedTitle),
		Color: embedColor,
	}
	if len(st.Articles) > 0 {
		e.URL = linkURL(st.Articles[0].URL)
	}
	// An undated feed item shows when it was first seen instead.
	reports := map[int64]knowledge.DigestArticle{}
	for _, a := range st.Articles {
		reports[a.ID] = a
	}
	when := func(id int64, published time.Time) string {
		if !published.IsZero() {
			return discordTime(published, "R")
		}
		if a, ok := reports[id]; ok && !a.SeenAt.IsZero() {
			return fmt.Sprintf(t.firstSeen, discordTime(a.SeenAt, "R"))
		}
		return t.undated
	}
	var b strings.Builder
	b.WriteString(defuseLinks(cutContent(strings.TrimSpace(st.Summary), 1500)))
	cited := map[int64]bool{}
	for _, c := range st.Citations {
		cited[c.ArticleID] = true
		fmt.Fprintf(&b, "\n[%d] %s", c.N, markdownLink(cutContent(strings.Join(strings.Fields(c.Title), " "), 120), c.URL))
		if meta := joinNonEmpty(", ", escapeMarkdown(cutContent(strings.TrimSpace(c.Source), 60)), when(c.ArticleID, c.PublishedAt)); meta != "" {
			b.WriteString(" — " + meta)
		}
	}
	var also []string
	for _, a := range st.Articles {
		if !cited[a.ID] {
			label := strings.TrimSpace(a.Source)
			if label == "" {
				label = a.Title
			}
			also = append(also, joinNonEmpty(" ", markdownLink(cutContent(label, 60), a.URL), when(a.ID, a.PublishedAt)))
		}
		// The same report under other outlets' addresses.
		for _, u := range a.OtherURLs {
			if label := strings.TrimSpace(u.Source); label != "" && u.URL != "" {
				also = append(also, markdownLink(cutContent(label, 60), u.URL))
			}
		}
	}
	if len(also) > 0 {
		b.WriteString("\n" + fmt.Sprintf(t.digestAlso, strings.Join(also, " · ")))
	}
	e.Description = strings.TrimPrefix(b.String(), "\n")
	if st.Outlets > 1 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: fmt.Sprintf(t.digestOutlets, st.Outlets)}
	}
	return e
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
