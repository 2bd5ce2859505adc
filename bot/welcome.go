package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// GuildStore remembers the Discord servers Herald has seen;
// *knowledge.DB satisfies it.
type GuildStore interface {
	// MarkGuildSeen records the server and reports whether it is new; of
	// several processes, exactly one is told so.
	MarkGuildSeen(ctx context.Context, guildID string) (bool, error)
	// RecordWelcome records the channel Herald introduced itself in.
	RecordWelcome(ctx context.Context, guildID, channelID string) error
}

// welcomeWindow is how recently Herald must have joined a server it has not
// seen before to introduce itself there: a server it has been in for
// longer (before it remembered servers, or with a new database) is only
// recorded.
const welcomeWindow = 24 * time.Hour

// onGuildCreate welcomes a server Herald has just joined. GUILD_CREATE
// also arrives for every server on each connect, so a server is welcomed
// only the first time the store sees it, and only if Herald joined it
// recently.
func (b *Bot) onGuildCreate(_ *discordgo.Session, gc *discordgo.GuildCreate) {
	if b.Guilds == nil || gc.Guild == nil || gc.Unavailable {
		return
	}
	if !b.begin() {
		return
	}
	defer b.end()
	guildID, joined := gc.ID, gc.JoinedAt
	log := b.Logger.With("guild", guildID)
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic while welcoming a server", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(b.workCtx, time.Minute)
	defer cancel()
	first, err := b.Guilds.MarkGuildSeen(ctx, guildID)
	if err != nil {
		log.Warn("cannot record the server", "err", err)
		return
	}
	if !first {
		log.Debug("server already known; no welcome")
		return
	}
	if age := b.now().Sub(joined); joined.IsZero() || age > welcomeWindow {
		log.Info("a server Herald joined a while ago is now remembered; no welcome", "joined", joined)
		return
	}
	channelID := b.welcomeChannel(guildID)
	if channelID == "" {
		log.Info("Herald joined a server but may write in none of its channels; no welcome")
		return
	}
	if _, err := b.send.post(ctx, channelID, b.welcomeMessage(textsFor(b.guildLocale(guildID))), nil, false); err != nil {
		log.Warn("cannot post the welcome", "channel", channelID, "err", err)
		return
	}
	if err := b.Guilds.RecordWelcome(ctx, guildID, channelID); err != nil {
		log.Warn("cannot record the welcome", "err", err)
	}
	log.Info("Herald joined a server and introduced itself", "channel", channelID)
}

// welcomeChannel picks where to introduce Herald: the server's system
// channel, else its first text channel (in the order Discord shows them),
// among those Herald may post its embeds in; "" when there is none.
func (b *Bot) welcomeChannel(guildID string) string {
	st := b.stateOf(guildID)
	if st == nil {
		return ""
	}
	g, err := st.Guild(guildID)
	if err != nil {
		return ""
	}
	type candidate struct {
		id  string
		pos int
	}
	st.RLock()
	system := g.SystemChannelID
	var text []candidate
	for _, ch := range g.Channels {
		if ch.Type == discordgo.ChannelTypeGuildText {
			text = append(text, candidate{ch.ID, ch.Position})
		}
	}
	st.RUnlock()
	sort.Slice(text, func(i, j int) bool {
		if text[i].pos != text[j].pos {
			return text[i].pos < text[j].pos
		}
		return snowflakeLess(text[i].id, text[j].id)
	})
	for _, id := range append([]string{system}, ids(text, func(c candidate) string { return c.id })...) {
		if id == "" {
			continue
		}
		if missing, known := b.missingToPost(id); known && missing == "" {
			return id
		}
	}
	return ""
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

// snowflakeLess orders Discord IDs by age.
func snowflakeLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// inGuild reports whether the state of the server's shard holds it, that
// is whether Herald is in it and this process runs its shard and has been
// told about it.
func (b *Bot) inGuild(guildID string) bool {
	st := b.stateOf(guildID)
	if st == nil || guildID == "" {
		return false
	}
	_, err := st.Guild(guildID)
	return err == nil
}

// welcomeMessage introduces Herald: what to ask and how, and for admins
// how to follow feeds and schedule the digest.
func (b *Bot) welcomeMessage(t *serverTexts) Message {
	desc := t.welcomeIntro + "\n\n**" + t.welcomeAskHeading + "**\n" +
		fmt.Sprintf(t.welcomeAsk, b.commandMention("ask"), "<@"+b.botUserID()+">")
	more := []string{}
	if b.table["digest"] != nil {
		more = append(more, fmt.Sprintf(t.welcomeDigestShow, b.commandMention("digest show")))
	}
	if b.table["summary"] != nil {
		more = append(more, fmt.Sprintf(t.welcomeSummary, b.commandMention("summary")))
	}
	more = append(more, fmt.Sprintf(t.welcomeHelp, b.commandMention("help")))
	desc += "\n" + strings.Join(more, "\n")
	var admin []string
	if b.table["feed"] != nil {
		admin = append(admin, fmt.Sprintf(t.welcomeFeeds, b.commandMention("feed add")))
	}
	if b.table["digest-schedule"] != nil {
		admin = append(admin, fmt.Sprintf(t.welcomeDigest, b.commandMention("digest-schedule set")))
	}
	if len(admin) > 0 {
		desc += "\n\n**" + t.welcomeAdminHeading + "**\n" + strings.Join(admin, "\n")
	}
	return Message{Embeds: []*discordgo.MessageEmbed{{Title: t.welcomeTitle, Description: desc, Color: embedColor}}}
}
