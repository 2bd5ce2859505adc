package bot

import (
	"context"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// textKey names one of the fixed texts members read.
type textKey int

// The member-facing texts of answers, their buttons and mentions. They are
// kept here, in one catalogue per language (english, german); tr picks
// the one of a Discord locale.
const (
	txtMentionHelp textKey = iota
	txtUnreadable
	txtBudgetNote
	txtRestarting
	txtNotDelivered
	txtAsked
	txtWriting
	txtSources
	txtSourcesOf
	txtUndated
	txtNotVerbatim
	txtArticle
	txtArticles
	txtModeLLM
	txtModeExtractive
	txtSeconds
	txtMinutes
	txtButtonSources
	txtButtonFollowUp
	txtButtonDelete
	txtModalTitle
	txtModalLabel
	txtModalPlaceholder
	txtVoteThanks
	txtVoteSame
	txtVoteChanged
	txtDeleted
	txtDeleteRefused
	txtAnswerGone
	txtAnswerDeleted
	txtNoQuestion
	txtNoSources
	txtButtonsUnavailable
	txtCooldownOne
	txtCooldownMany
	txtBusyOne
	txtBusyMany
	txtHere
	txtInDMs
	txtAskAQuestion
	txtBadSince
	txtDiscordRefused
	txtFormRefused
	txtDeleteFailed
	txtPanic
	txtStoryModalTitle
)

// budgetNote tells the reader why an answer is extractive (in English; see tr).
const budgetNote = "This server has used today's budget for the language model, so this answer quotes the articles directly."

// english is the English catalogue.
func english(k textKey) string {
	switch k {
	case txtMentionHelp:
		return "Ask me about the news: mention me with a question, for example “@Herald why has Germany not sent Taurus missiles?”, or use /ask. Reply to my answer to ask a follow-up."
	case txtUnreadable:
		return "I can only read messages that mention me. Mention me with your question (or keep the @ on your reply)."
	case txtBudgetNote:
		return budgetNote
	case txtRestarting:
		return "Herald is restarting, so this question was not answered. Please ask again in a minute."
	case txtNotDelivered:
		return "I found an answer but Discord did not accept it. Please try again."
	case txtAsked:
		return "> **%s** asked: %s"
	case txtWriting:
		return "Writing…"
	case txtSources:
		return "Sources"
	case txtSourcesOf:
		return "Sources of the answer to “%s”"
	case txtUndated:
		return "undated"
	case txtNotVerbatim:
		return "Not found word for word in the article, so not shown as a quote: %s"
	case txtArticle:
		return "%d article"
	case txtArticles:
		return "%d articles"
	case txtModeLLM:
		return "written by the language model"
	case txtModeExtractive:
		return "quoted from the articles"
	case txtSeconds:
		return "%s s"
	case txtMinutes:
		return "%d min %d s"
	case txtButtonSources:
		return "Sources"
	case txtButtonFollowUp:
		return "Follow up"
	case txtButtonDelete:
		return "Delete"
	case txtModalTitle:
		return "Follow-up question"
	case txtModalLabel:
		return "Your question"
	case txtModalPlaceholder:
		return "For example: and what did the minister say?"
	case txtVoteThanks:
		return "Thanks! Your %s is recorded; it helps the operator see what Herald gets right and wrong."
	case txtVoteSame:
		return "You already gave this answer a %s."
	case txtVoteChanged:
		return "Changed your vote to %s."
	case txtDeleted:
		return "I deleted the answer."
	case txtDeleteRefused:
		return "Only the person who asked, or a member with the Manage Messages permission, can delete this answer."
	case txtAnswerGone:
		return "I no longer have this answer. Ask again with /ask."
	case txtAnswerDeleted:
		return "This answer was deleted."
	case txtNoQuestion:
		return "Please write a question."
	case txtNoSources:
		return "This answer cites no article."
	case txtButtonsUnavailable:
		return "This button does not work here any more. Ask again with /ask."
	case txtCooldownOne:
		return "Please wait %d more second before asking again."
	case txtCooldownMany:
		return "Please wait %d more seconds before asking again."
	case txtBusyOne:
		return "I'm already answering %d question %s. Please try again in a moment."
	case txtBusyMany:
		return "I'm already answering %d questions %s. Please try again in a moment."
	case txtHere:
		return "in this server"
	case txtInDMs:
		return "in direct messages"
	case txtAskAQuestion:
		return "Please ask a question."
	case txtBadSince:
		return "“since” must be a date like 2024-03-01 or a period like 7d or 48h, not %q."
	case txtDiscordRefused:
		return "Discord did not accept the message."
	case txtFormRefused:
		return "Discord did not accept the form."
	case txtStoryModalTitle:
		return "Ask about this story"
	case txtDeleteFailed:
		return "Discord did not let me delete the answer."
	case txtPanic:
		return "Something went wrong on my side. Please try again."
	}
	return ""
}

// german is the German catalogue; it has a text for every key english
// has, with the same formatting verbs.
func german(k textKey) string {
	switch k {
	case txtMentionHelp:
		return "Frag mich zu den Nachrichten: Erwähne mich mit einer Frage, zum Beispiel „@Herald warum liefert Deutschland keine Taurus-Marschflugkörper?“, oder nutze /frage. Antworte auf meine Antwort, um nachzufragen."
	case txtUnreadable:
		return "Ich kann nur Nachrichten lesen, in denen ich erwähnt werde. Erwähne mich mit deiner Frage (oder lass das @ in deiner Antwort stehen)."
	case txtBudgetNote:
		return "Dieser Server hat das heutige Budget für das Sprachmodell aufgebraucht, deshalb zitiert diese Antwort die Artikel direkt."
	case txtRestarting:
		return "Herald startet gerade neu, deshalb wurde diese Frage nicht beantwortet. Bitte frag in einer Minute noch einmal."
	case txtNotDelivered:
		return "Ich habe eine Antwort gefunden, aber Discord hat sie nicht angenommen. Bitte versuch es noch einmal."
	case txtAsked:
		return "> **%s** fragte: %s"
	case txtWriting:
		return "Wird geschrieben …"
	case txtSources:
		return "Quellen"
	case txtSourcesOf:
		return "Quellen der Antwort auf „%s“"
	case txtUndated:
		return "undatiert"
	case txtNotVerbatim:
		return "Nicht wörtlich im Artikel gefunden, daher nicht als Zitat gezeigt: %s"
	case txtArticle:
		return "%d Artikel"
	case txtArticles:
		return "%d Artikel"
	case txtModeLLM:
		return "vom Sprachmodell geschrieben"
	case txtModeExtractive:
		return "aus den Artikeln zitiert"
	case txtSeconds:
		return "%s s"
	case txtMinutes:
		return "%d min %d s"
	case txtButtonSources:
		return "Quellen"
	case txtButtonFollowUp:
		return "Nachfragen"
	case txtButtonDelete:
		return "Löschen"
	case txtModalTitle:
		return "Nachfrage"
	case txtModalLabel:
		return "Deine Frage"
	case txtModalPlaceholder:
		return "Zum Beispiel: Und was hat der Minister gesagt?"
	case txtVoteThanks:
		return "Danke! Dein %s ist gespeichert; so sieht der Betreiber, was Herald richtig und was falsch macht."
	case txtVoteSame:
		return "Du hast dieser Antwort schon ein %s gegeben."
	case txtVoteChanged:
		return "Deine Stimme ist jetzt ein %s."
	case txtDeleted:
		return "Ich habe die Antwort gelöscht."
	case txtDeleteRefused:
		return "Nur wer gefragt hat oder ein Mitglied mit der Berechtigung „Nachrichten verwalten“ kann diese Antwort löschen."
	case txtAnswerGone:
		return "Diese Antwort habe ich nicht mehr. Frag noch einmal mit /frage."
	case txtAnswerDeleted:
		return "Diese Antwort wurde gelöscht."
	case txtNoQuestion:
		return "Bitte schreib eine Frage."
	case txtNoSources:
		return "Diese Antwort nennt keinen Artikel."
	case txtButtonsUnavailable:
		return "Dieser Knopf funktioniert hier nicht mehr. Frag noch einmal mit /frage."
	case txtCooldownOne:
		return "Bitte warte noch %d Sekunde, bevor du wieder fragst."
	case txtCooldownMany:
		return "Bitte warte noch %d Sekunden, bevor du wieder fragst."
	case txtBusyOne:
		return "Ich beantworte schon %d Frage %s. Bitte versuch es gleich noch einmal."
	case txtBusyMany:
		return "Ich beantworte schon %d Fragen %s. Bitte versuch es gleich noch einmal."
	case txtHere:
		return "auf diesem Server"
	case txtInDMs:
		return "in Direktnachrichten"
	case txtAskAQuestion:
		return "Bitte stell eine Frage."
	case txtBadSince:
		return "„seit“ muss ein Datum wie 2024-03-01 oder ein Zeitraum wie 7d oder 48h sein, nicht %q."
	case txtDiscordRefused:
		return "Discord hat die Nachricht nicht angenommen."
	case txtFormRefused:
		return "Discord hat das Formular nicht angenommen."
	case txtStoryModalTitle:
		return "Frage zu dieser Meldung"
	case txtDeleteFailed:
		return "Discord hat mich die Antwort nicht löschen lassen."
	case txtPanic:
		return "Bei mir ist etwas schiefgegangen. Bitte versuch es noch einmal."
	}
	return ""
}

// isGerman reports whether a Discord locale is German ("de"; Discord
// has no regional German locales, but a "de-AT" would count too).
func isGerman(locale discordgo.Locale) bool {
	l := string(locale)
	return l == string(discordgo.German) || strings.HasPrefix(l, "de-")
}

// tr returns text k in the language of locale, formatted with args:
// German for a German locale, English for every other one and for "".
func tr(locale discordgo.Locale, k textKey, args ...any) string {
	s := english(k)
	if isGerman(locale) {
		s = german(k)
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// trCount returns the singular text one or the plural many for n, with n
// formatted in, then args.
func trCount(locale discordgo.Locale, one, many textKey, n int, args ...any) string {
	k := many
	if n == 1 {
		k = one
	}
	return tr(locale, k, append([]any{n}, args...)...)
}

// hourglass is the reaction to a mention in cooldown.
const hourglass = "⏳"

// onMessage answers a message that mentions the bot, a reply to one of its
// answers, a direct message, or (with the Message Content intent) any
// message in a thread it opened. Other messages, and those of bots, are
// ignored.
func (b *Bot) onMessage(_ *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	if m != nil && b.handled != nil {
		defer b.handled("message", m.ID)
	}
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
	locale := b.guildLocale(m.GuildID)
	out := &messageOutput{b: b, channelID: m.ChannelID, ref: m.Reference(), notify: true, locale: locale}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic in the message handler", "panic", p, "stack", string(debug.Stack()))
			b.metrics.errors.WithLabelValues(knowledge.EINTERNAL).Inc()
			if err := out.plain(ctx, tr(locale, txtPanic)); err != nil {
				log.Warn("cannot tell the user about a failure", "err", err)
			}
		}
	}()
	// Help counts against the cooldown too, so bare mentions cannot make
	// the bot spam a channel.
	release, err := b.limits.admit(ctx, locale, m.GuildID, m.Author.ID, b.now())
	if err != nil {
		if question != "" {
			b.metrics.question(modeNone, outcomeRefused)
		}
		b.logError(err, "message", m.ID, "guild", m.GuildID, "user", m.Author.ID)
		// A refusal in public would be noise in the channel: the asker sees
		// the hourglass on their message instead.
		if err := b.send.react(ctx, m.ChannelID, m.ID, hourglass); err != nil {
			log.Warn("cannot react to a message in cooldown", "err", err)
		}
		return
	}
	defer release()
	if question == "" {
		help := tr(locale, txtMentionHelp)
		if strings.TrimSpace(m.Content) == "" && !dm {
			help = tr(locale, txtUnreadable)
		}
		if err := out.plain(ctx, help); err != nil {
			log.Warn("cannot send help", "err", err)
		}
		return
	}

	j := job{kind: "mention", guildID: m.GuildID, userID: m.Author.ID, channelID: m.ChannelID, question: question,
		filter: knowledge.Filter{GuildID: m.GuildID}, locale: locale}
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

// guildLocale is the preferred locale of a server, as the state of its
// shard knows it, or "" (for direct messages, before the server is known,
// or when another process runs its shard).
func (b *Bot) guildLocale(guildID string) discordgo.Locale {
	st := b.stateOf(guildID)
	if st == nil || guildID == "" {
		return ""
	}
	g, err := st.Guild(guildID)
	if err != nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	return discordgo.Locale(g.PreferredLocale)
}

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

// thread reports whether a shard's state knows channelID as a thread,
// and who owns it.
func (b *Bot) thread(channelID string) (owner string, ok bool) {
	st := b.channelState(channelID)
	if st == nil {
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
