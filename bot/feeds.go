package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// textChannels returns the channel types Herald posts feeds and digests in.
func textChannels() []discordgo.ChannelType {
	return []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
}

func (n *News) feedCommand() Command {
	feedOpt := func(desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: desc,
			Required: true, Autocomplete: true, MaxLength: 2048}
	}
	add := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Follow a feed: its articles join this server's news.",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The feed's address, e.g. https://example.com/rss.xml", Required: true, MaxLength: 2048},
			{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Outlet name for its articles (default: the feed's title)", MaxLength: 100},
		}}
	opts := []*discordgo.ApplicationCommandOption{add}
	if n.Posts != nil {
		add.Options = append(add.Options, &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel",
			Description: "Post its new articles in this channel", ChannelTypes: textChannels()})
		opts = append(opts,
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "channel", Description: "Post a feed's new articles in a channel, or stop posting them.",
				Options: []*discordgo.ApplicationCommandOption{feedOpt("The feed"),
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "The channel (leave out to stop posting)", ChannelTypes: textChannels()}}},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "alerts", Description: "Where to tell admins when a feed stops working.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "The channel (leave out for the feed's or the digest's channel)", ChannelTypes: textChannels()}}},
		)
	}
	opts = append(opts,
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The feeds this server follows, with their health."},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "pause", Description: "Stop polling a feed for now.",
			Options: []*discordgo.ApplicationCommandOption{feedOpt("The feed to pause")}},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "resume", Description: "Poll a paused or stopped feed again.",
			Options: []*discordgo.ApplicationCommandOption{feedOpt("The feed to resume")}},
		&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop following a feed (its articles stay).",
			Options: []*discordgo.ApplicationCommandOption{feedOpt("The feed to stop following")}},
	)
	return Command{
		Name:         "feed",
		Description:  "Follow news feeds (RSS, Atom, JSON Feed) for this server.",
		Permission:   discordgo.PermissionManageGuild,
		Options:      opts,
		Handle:       n.handleFeed,
		Autocomplete: n.completeFeed,
	}
}

func (n *News) handleFeed(ctx context.Context, r *Request) error {
	t := textsFor(r.Interaction.Locale)
	if r.GuildID == "" {
		return knowledge.Errorf(knowledge.EFORBIDDEN, "%s", t.feedServerOnly)
	}
	b := r.b
	reply := func(format string, args ...any) error {
		return r.Reply(ctx, Message{Ephemeral: true, Content: fmt.Sprintf(format, args...)})
	}
	var f *knowledge.Feed
	var err error
	switch r.Subcommand {
	case "add":
		ch := r.Channel("channel")
		if ch != "" {
			if err := checkPostable(ctx, r, ch); err != nil {
				return err
			}
		}
		// Adding may fetch the feed to check it: answer Discord first.
		if err := r.Defer(ctx, true); err != nil {
			return err
		}
		f, err = n.Feeds.AddFeed(ctx, knowledge.FeedSpec{URL: r.String("url"), GuildID: r.GuildID, Name: r.String("name"), CreatedBy: r.UserID})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf(t.feedFollowing, angleURL(f.URL), f.ID)
		if ch != "" && n.Posts != nil {
			if _, err := n.Posts.SetFeedChannel(ctx, r.GuildID, idRef(f.ID), ch, r.UserID); err != nil {
				return err
			}
			msg += fmt.Sprintf(t.feedWillPost, ch)
		} else {
			msg += t.feedWillArrive
		}
		return r.Reply(ctx, Message{Ephemeral: true, Content: msg + fmt.Sprintf(t.feedListHint, b.commandMention("feed list"))})
	case "channel":
		ch := r.Channel("channel")
		if ch != "" {
			if err := checkPostable(ctx, r, ch); err != nil {
				return err
			}
		}
		if f, err = n.Posts.SetFeedChannel(ctx, r.GuildID, r.String("feed"), ch, r.UserID); err != nil {
			return err
		}
		if ch == "" {
			return reply(t.feedChannelCleared, feedLabel(f))
		}
		return reply(t.feedChannelSet, feedLabel(f), ch)
	case "alerts":
		ch := r.Channel("channel")
		if ch != "" {
			if err := checkPostable(ctx, r, ch); err != nil {
				return err
			}
		}
		if err := n.Posts.SetAlertsChannel(ctx, r.GuildID, ch); err != nil {
			return err
		}
		if ch == "" {
			return reply("%s", t.feedAlertsCleared)
		}
		return reply(t.feedAlertsSet, ch)
	case "remove":
		if f, err = n.Feeds.RemoveFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return reply(t.feedRemoved, feedLabel(f), f.Items, plural(f.Items, t.feedArticle, t.feedArticles))
	case "pause":
		if f, err = n.Feeds.PauseFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return reply(t.feedPaused, feedLabel(f), b.commandMention("feed resume"))
	case "resume":
		if f, err = n.Feeds.ResumeFeed(ctx, r.GuildID, r.String("feed")); err != nil {
			return err
		}
		return reply(t.feedResumed, feedLabel(f))
	case "list":
		feeds, err := n.Feeds.Feeds(ctx, r.GuildID)
		if err != nil {
			return err
		}
		var chans map[int64]knowledge.FeedChannel
		if n.Posts != nil {
			if chans, err = n.Posts.FeedChannels(ctx, r.GuildID); err != nil {
				return err
			}
		}
		return r.Reply(ctx, feedListMessage(t, b, feeds, chans))
	}
	return knowledge.Errorf(knowledge.EINVALID, "%s", t.feedUseSubcommand)
}

// feedLabel is "**Outlet** (<url>)", the outlet escaped, the address as
// written.
func feedLabel(f *knowledge.Feed) string {
	return "**" + escapeMarkdown(cutContent(f.Outlet(), 100)) + "** (" + angleURL(f.URL) + ")"
}

// feedHealth is a feed's state with its reason: ok, paused, failing N
// times in a row (the last error), or disabled (why).
func feedHealth(t *serverTexts, b *Bot, f knowledge.Feed) string {
	switch {
	case f.DisabledReason != "":
		return fmt.Sprintf(t.feedDisabled, escapeMarkdown(cutContent(f.DisabledReason, 300))) + " " + fmt.Sprintf(t.feedResumeHint, b.commandMention("feed resume"))
	case f.Paused:
		return t.feedPausedState
	case f.Failures > 0:
		return fmt.Sprintf(t.feedFailing, f.Failures, plural(f.Failures, t.feedTime, t.feedTimes), escapeMarkdown(cutContent(f.LastError, 300)))
	}
	return t.feedOK
}

// feedListMessage shows a server's feeds, privately: per feed its number
// and outlet, its health, how many articles it brought, where it posts,
// when it was polled and when it is polled next, and its address.
func feedListMessage(t *serverTexts, b *Bot, feeds []knowledge.Feed, chans map[int64]knowledge.FeedChannel) Message {
	if len(feeds) == 0 {
		return Message{Ephemeral: true, Content: fmt.Sprintf(t.feedListEmpty, b.commandMention("feed add"))}
	}
	var lines []string
	for _, f := range feeds {
		line := fmt.Sprintf("**%d. %s** · %s\n", f.ID, escapeMarkdown(cutContent(f.Outlet(), 100)), feedHealth(t, b, f))
		meta := []string{fmt.Sprintf("%d %s", f.Items, plural(f.Items, t.feedArticle, t.feedArticles))}
		if fc, ok := chans[f.ID]; ok {
			meta = append(meta, fmt.Sprintf(t.feedPostsTo, fc.ChannelID))
		}
		if f.LastPolledAt.IsZero() {
			meta = append(meta, t.feedNotPolled)
		} else {
			meta = append(meta, fmt.Sprintf(t.feedPolled, f.LastPolledAt.Unix()))
		}
		if f.Status() == knowledge.FeedActive && !f.NextPollAt.IsZero() {
			meta = append(meta, fmt.Sprintf(t.feedNextPoll, f.NextPollAt.Unix()))
		}
		line += strings.Join(meta, " · ") + "\n" + angleURL(cutContent(f.URL, 300))
		if f.Warning != "" {
			line += "\n" + fmt.Sprintf(t.feedNote, escapeMarkdown(cutContent(f.Warning, 300)))
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
		desc.WriteString("\n\n" + fmt.Sprintf(t.feedMore, len(lines)-shown))
	}
	return Message{Ephemeral: true, Embeds: []*discordgo.MessageEmbed{{
		Title: fmt.Sprintf(t.feedListTitle, len(feeds)), Description: desc.String(), Color: embedColor,
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
