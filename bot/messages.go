package bot

import (
	"context"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// Help texts for messages Herald cannot use as questions.
const (
	mentionHelp = "Ask me about the news: mention me with a question, for example “@Herald why has Germany not sent Taurus missiles?”, or use /ask. Reply to my answer to ask a follow-up."
	unreadable  = "I can only read messages that mention me. Mention me with your question (or keep the @ on your reply)."
)

// onMessage answers a message that mentions the bot, a reply to one of its
// answers, a direct message, or (with the Message Content intent) any
// message in a thread it opened. Other messages, and those of bots, are
// ignored.
func (b *Bot) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if m == nil || m.Author == nil || m.Author.Bot || m.WebhookID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	botID := b.botUserID()
	if botID == "" || m.Author.ID == botID {
		return
	}
	dm := m.GuildID == ""
	mentioned := false
	for _, u := range m.Mentions {
		mentioned = mentioned || (u != nil && u.ID == botID)
	}
	replyToBot := m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == botID
	question := stripMention(m.Content, botID)
	if !dm && !mentioned && !replyToBot && (question == "" || !b.isBotThread(m.ChannelID)) {
		return
	}
	log := b.Logger.With("message", m.ID, "guild", m.GuildID, "channel", m.ChannelID, "user", m.Author.ID)
	if !b.seen.add("m:"+m.ID, b.now()) {
		log.Info("duplicate message ignored")
		return
	}
	if age := b.snowflakeAge(m.ID); age > maxMessageAge {
		log.Info("message too old to answer", "age", age.Round(1e9))
		return
	}
	if !b.begin() {
		return
	}
	defer b.end()
	ctx := b.workCtx
	out := &messageOutput{b: b, channelID: m.ChannelID, ref: m.Reference()}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic in the message handler", "panic", p, "stack", string(debug.Stack()))
			b.metrics.errors.WithLabelValues(knowledge.EINTERNAL).Inc()
			if err := out.plain(ctx, knowledge.ErrorMessage(errPanic)); err != nil {
				log.Warn("cannot tell the user about a failure", "err", err)
			}
		}
	}()
	if question == "" {
		// Help counts against the cooldown too, so bare mentions cannot make
		// the bot spam a channel.
		release, err := b.limits.admit(m.GuildID, m.Author.ID, b.now())
		if err != nil {
			return
		}
		defer release()
		help := mentionHelp
		if strings.TrimSpace(m.Content) == "" && !dm {
			help = unreadable
		}
		if err := out.plain(ctx, help); err != nil {
			log.Warn("cannot send help", "err", err)
		}
		return
	}
	release, err := b.limits.admit(m.GuildID, m.Author.ID, b.now())
	if err != nil {
		b.metrics.question(modeNone, outcomeRefused)
		b.logError(err, "message", m.ID, "guild", m.GuildID, "user", m.Author.ID)
		if err := out.plain(ctx, knowledge.ErrorMessage(err)); err != nil {
			log.Warn("cannot tell the user about a limit", "err", err)
		}
		return
	}
	defer release()

	j := job{kind: "mention", guildID: m.GuildID, userID: m.Author.ID, channelID: m.ChannelID, question: question,
		filter: knowledge.Filter{GuildID: m.GuildID}}
	j.convID, j.history = b.conversationFor(ctx, m)
	switch {
	case b.isBotThread(m.ChannelID):
		// In its own thread the bot just answers; no need to quote the question.
		out.ref = nil
	case j.convID == "" && !dm && b.cfg.ReplyMode == ReplyModeThread && !b.isThread(m.ChannelID):
		th, err := b.send.startThread(ctx, m.ChannelID, m.ID, threadName(question))
		if err != nil {
			log.Warn("cannot open a thread; replying instead (does Herald have Create Public Threads here?)", "err", err)
			break
		}
		out.channelID, out.ref = th.ID, nil
		j.convID = th.ID
	}
	if j.convID == "" {
		j.convID = m.ID
	}
	if err := b.send.typing(ctx, out.channelID); err != nil {
		log.Debug("cannot show typing", "err", err)
	}
	if err := b.answer(ctx, j, out); err != nil {
		b.logError(err, "message", m.ID, "guild", m.GuildID, "user", m.Author.ID)
		if err := out.plain(ctx, knowledge.ErrorMessage(err)); err != nil {
			log.Warn("cannot tell the user about an error", "err", err)
		}
	}
}

// errPanic stands for a recovered panic when telling the user.
var errPanic = knowledge.Errorf(knowledge.EINTERNAL, "Something went wrong on my side. Please try again.")

// conversationFor finds the conversation a message continues: the one of
// the bot message it replies to, or the bot's thread it is in.
func (b *Bot) conversationFor(ctx context.Context, m *discordgo.Message) (string, []knowledge.Turn) {
	if b.Conversations == nil {
		return "", nil
	}
	if ref := m.MessageReference; ref != nil && ref.MessageID != "" {
		conv, err := b.Conversations.ConversationOf(ctx, ref.MessageID)
		if err != nil {
			b.Logger.Warn("cannot look up the conversation; answering without it", "message", m.ID, "err", err)
		}
		if conv != "" {
			return conv, b.history(ctx, conv)
		}
	}
	if b.isBotThread(m.ChannelID) {
		return m.ChannelID, b.history(ctx, m.ChannelID)
	}
	return "", nil
}

// isThread reports whether a channel is known to be a thread.
func (b *Bot) isThread(channelID string) bool {
	_, ok := b.thread(channelID)
	return ok
}

// thread reports whether the session's state knows channelID as a thread,
// and who owns it.
func (b *Bot) thread(channelID string) (owner string, ok bool) {
	st := b.Session.State
	if st == nil || channelID == "" {
		return "", false
	}
	ch, err := st.Channel(channelID)
	if err != nil {
		return "", false
	}
	st.RLock()
	defer st.RUnlock()
	return ch.OwnerID, ch.IsThread()
}

// stripMention removes the bot's mentions from a message and tidies the rest.
func stripMention(content, botID string) string {
	content = strings.ReplaceAll(content, "<@"+botID+">", " ")
	content = strings.ReplaceAll(content, "<@!"+botID+">", " ")
	return strings.Join(strings.Fields(content), " ")
}

var mentionSyntax = regexp.MustCompile(`<(?:@[!&]?|#)\d+>`)

// threadName names a thread after its question, without mention syntax.
func threadName(question string) string {
	name := strings.Join(strings.Fields(mentionSyntax.ReplaceAllString(question, " ")), " ")
	name = cutContent(name, 100)
	if name == "" {
		return "Question"
	}
	return name
}
