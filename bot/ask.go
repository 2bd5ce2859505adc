package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// builtinCommands is Herald's command table. Adding a command is adding
// one entry here.
func (b *Bot) builtinCommands() []Command {
	return []Command{
		{
			Name:        "ask",
			Description: "Ask a question about the news; the answer cites the articles it comes from.",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question, e.g. Why has Germany not sent Taurus missiles?", Required: true, MaxLength: knowledge.MaxQuestionRunes},
				{Type: discordgo.ApplicationCommandOptionString, Name: "since", Description: "Only articles since a date (2024-03-01) or within a period (7d, 48h)", MaxLength: 40},
				{Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only articles from these outlets, comma-separated", MaxLength: 200, Autocomplete: true},
			},
			Handle:       b.handleAsk,
			Autocomplete: b.completeSource,
		},
		{
			Name:        "search",
			Description: "Find the stored articles that match some words.",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "Words to look for, e.g. Taurus leak", Required: true, MaxLength: 200},
				{Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only articles from these outlets, comma-separated", MaxLength: 200, Autocomplete: true},
			},
			Handle:       b.handleSearch,
			Autocomplete: b.completeSource,
		},
		{
			Name:        "sources",
			Description: "What Herald knows: how many articles, from which outlets, how recent.",
			Handle:      b.handleSources,
		},
	}
}

// handleAsk answers /ask. It checks the options and the limits first (a
// refusal is an ephemeral response), then defers publicly: the answer is
// for the channel. An abstention or an error found after deferring
// replaces the public "thinking" message with an ephemeral one, since a
// deferred response's visibility is fixed when it is deferred.
func (b *Bot) handleAsk(ctx context.Context, r *Request) error {
	question := r.String("question")
	if question == "" {
		return knowledge.Errorf(knowledge.EINVALID, "%s", tr(r.Interaction.Locale, txtAskAQuestion))
	}
	f, err := b.filter(r.Interaction.Locale, r.GuildID, r.String("since"), r.String("source"))
	if err != nil {
		return err
	}
	release, err := b.limits.admit(ctx, r.Interaction.Locale, r.GuildID, r.UserID, b.now())
	if err != nil {
		b.metrics.question(modeNone, outcomeRefused)
		return err
	}
	defer release()
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	// /ask inside a thread Herald opened continues that conversation.
	j := job{kind: "slash", guildID: r.GuildID, userID: r.UserID, channelID: r.Interaction.ChannelID, question: question, filter: f,
		locale: r.Interaction.Locale, asker: displayName(r.Interaction)}
	if b.isBotThread(r.Interaction.ChannelID) {
		j.convID = r.Interaction.ChannelID
		j.history = b.history(ctx, j.convID)
	}
	if err := b.answer(ctx, j, b.interactionOutput(r, j)); err != nil {
		// The error replaces the public placeholder or preview, privately.
		r.reopen()
		return err
	}
	return nil
}

// filter builds the retrieval filter of a question: the server's scope
// (the operator's articles plus the server's own; in DMs the operator's
// only) and the since and source options. A refusal is in the language of
// locale.
func (b *Bot) filter(locale discordgo.Locale, guildID, since, sources string) (knowledge.Filter, error) {
	f := knowledge.Filter{GuildID: guildID}
	if since != "" {
		t, err := parseSince(locale, since, b.now())
		if err != nil {
			return f, err
		}
		f.Since = t
	}
	for _, s := range strings.Split(sources, ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Sources = append(f.Sources, s)
		}
	}
	return f, nil
}

// parseSince reads a date (2024-03-01) or a period back from now (7d, 2w,
// 48h); a refusal is in the language of locale.
func parseSince(locale discordgo.Locale, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	var n int
	var unit string
	if _, err := fmt.Sscanf(s, "%d%s", &n, &unit); err == nil && n >= 0 {
		switch unit {
		case "d", "day", "days":
			return now.AddDate(0, 0, -n), nil
		case "w", "week", "weeks":
			return now.AddDate(0, 0, -7*n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			d = -d
		}
		return now.Add(-d), nil
	}
	if t, err := knowledge.ParseDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, knowledge.Errorf(knowledge.EINVALID, "%s", tr(locale, txtBadSince, s))
}

// completeSource suggests outlet names for /ask's source option.
func (b *Bot) completeSource(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if b.Library == nil || focused.Name != "source" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	names, err := b.sources.get(ctx, b.Library, r.GuildID, b.now())
	if err != nil {
		return nil, err
	}
	// Complete the last of comma-separated outlets, keeping the others.
	typed := focused.StringValue()
	prefix := ""
	if i := strings.LastIndex(typed, ","); i >= 0 {
		prefix, typed = strings.TrimSpace(typed[:i])+", ", typed[i+1:]
	}
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, n := range matchPrefix(names, typed, 25) {
		v := prefix + n
		if runeLen(v) > 100 {
			continue
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
	}
	return out, nil
}

// job is one question to answer, from a slash command, a follow-up form or
// a message.
type job struct {
	kind      string // "slash", "follow-up" or "mention", for logs
	guildID   string
	userID    string
	channelID string
	question  string
	filter    knowledge.Filter
	history   []knowledge.Turn
	// convID is the conversation the question belongs to; "" starts one
	// keyed by the first message of the answer.
	convID string
	// locale is the language the asker reads.
	locale discordgo.Locale
	// asker is the name shown with the question above the answer; "" shows
	// no question (a reply quotes it already).
	asker string
}

// displayName is the name of an interaction's user as the server shows it:
// their nickname, else their display name, else their username.
func displayName(i *discordgo.Interaction) string {
	var u *discordgo.User
	if i.Member != nil {
		if i.Member.Nick != "" {
			return i.Member.Nick
		}
		u = i.Member.User
	}
	if u == nil {
		u = i.User
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// output is where an answer goes: an interaction's response or channel messages.
type output interface {
	draftTarget
	// channel is the channel the answer is shown in.
	channel() string
	// final shows the finished answer and returns the IDs of its messages.
	final(ctx context.Context, msgs []Message) ([]string, error)
	// plain shows a plain sentence instead of an answer (an abstention,
	// an error), privately where Discord allows.
	plain(ctx context.Context, text string) error
}

// maxPreviewBytes bounds the text a draft keeps; a draft shows at most
// 4,096 characters anyway.
const maxPreviewBytes = 4 * maxEmbedDescription

// answer asks the question, shows the answer as it is written (drafts
// paced per channel, see drafts), then posts the final answer with its
// sources and buttons, stores it and records the turn. It returns an error
// the caller shows to the user; abstentions are shown here.
func (b *Bot) answer(ctx context.Context, j job, out output) error {
	start, began := b.now(), time.Now()
	q := knowledge.Question{Text: j.question, Filter: j.filter, History: j.history}
	if q.Filter.Language == "" {
		// A question too short to tell its language is taken in the
		// asker's (the interaction's locale, or the server's).
		q.Filter.Language = text.LanguageCode(string(j.locale))
	}
	var notes []string
	if b.limits.overBudget(ctx, j.guildID, b.now()) {
		q.Mode = knowledge.AskExtractive
		notes = append(notes, tr(j.locale, txtBudgetNote))
	}
	log := b.Logger.With("kind", j.kind, "guild", j.guildID, "channel", j.channelID, "user", j.userID)
	st := b.drafts.open(ctx, out.channel(), out)
	defer func() { st.finish()() }()
	var text strings.Builder
	q.OnDelta = func(d string) {
		if text.Len() < maxPreviewBytes {
			text.WriteString(d)
		}
		st.delta(text.String())
	}
	ans, err := b.Asker.Ask(ctx, q)
	release := st.finish()
	if err == nil && ans == nil {
		err = knowledge.Errorf(knowledge.EINTERNAL, "The answerer returned nothing.")
	}
	if err != nil {
		if ctx.Err() != nil {
			b.metrics.question(modeNone, outcomeCancelled)
			log.Info("question cancelled by shutdown")
			return knowledge.WrapError(knowledge.EUNAVAILABLE, tr(j.locale, txtRestarting), err)
		}
		b.metrics.question(modeNone, outcomeError)
		return err
	}
	b.limits.spend(ctx, j.guildID, ans.Tokens, b.now())
	if ans.Tokens > 0 {
		b.metrics.tokens.Add(float64(ans.Tokens))
	}
	if ans.Mode != knowledge.ModeExtractive {
		notes = nil
	}
	if ans.Abstained {
		b.metrics.question(ans.Mode, outcomeAbstained)
		b.metrics.latency.WithLabelValues(ans.Mode).Observe(time.Since(began).Seconds())
		log.Info("abstained", "mode", ans.Mode, "duration", time.Since(began).Round(time.Millisecond))
		err := out.plain(ctx, ans.Text)
		release()
		return err
	}
	msgs := renderFinal(answerView{locale: j.locale, qline: questionLine(j.locale, j.asker, j.question), ans: ans, notes: notes,
		took: b.now().Sub(start)})
	rec := b.storeAnswer(ctx, j, ans, out.channel(), log)
	if rec != nil {
		msgs[len(msgs)-1].Components = answerButtons(j.locale, rec.ID)
	}
	ids, err := out.final(ctx, msgs)
	release()
	if err != nil {
		b.metrics.question(ans.Mode, outcomeError)
		if rec != nil {
			b.forgetAnswer(ctx, rec.ID, log)
		}
		return knowledge.WrapError(knowledge.EUNAVAILABLE, tr(j.locale, txtNotDelivered), err)
	}
	// The latency first: a scrape that sees the answer counted sees its
	// duration too.
	b.metrics.latency.WithLabelValues(ans.Mode).Observe(time.Since(began).Seconds())
	b.metrics.question(ans.Mode, outcomeAnswered)
	log.Info("answered", "mode", ans.Mode, "citations", len(ans.Citations), "tokens", ans.Tokens,
		"follow_up", len(j.history) > 0, "messages", len(ids), "duration", time.Since(began).Round(time.Millisecond))
	conv := j.convID
	if conv == "" && len(ids) > 0 {
		conv = ids[0]
	}
	b.remember(ctx, conv, j, ans, ids)
	if rec != nil {
		b.placeAnswer(ctx, rec.ID, out.channel(), conv, ids, log)
	}
	return nil
}

// storeAnswer stores a final answer about to be posted, so that its
// buttons can find it; nil (an answer without buttons) when there is no
// store or it fails.
func (b *Bot) storeAnswer(ctx context.Context, j job, ans *knowledge.Answer, channelID string, log *slog.Logger) *knowledge.PostedAnswer {
	if b.Answers == nil {
		return nil
	}
	rec := &knowledge.PostedAnswer{GuildID: j.guildID, ChannelID: channelID, AskerID: j.userID, ConversationID: j.convID,
		Question: j.question, Text: ans.Text, Mode: ans.Mode, Sources: knowledge.GroupSources(ans)}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.Answers.SavePostedAnswer(ctx, rec); err != nil {
		log.Warn("cannot store the answer; posting it without buttons", "err", err)
		return nil
	}
	return rec
}

// placeAnswer records where a stored answer was posted.
func (b *Bot) placeAnswer(ctx context.Context, id int64, channelID, conv string, ids []string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.Answers.SetPostedAnswerMessages(ctx, id, channelID, conv, ids); err != nil {
		log.Warn("cannot record where the answer was posted; its Delete button will not find it", "answer", id, "err", err)
	}
}

// forgetAnswer marks a stored answer that could not be posted as deleted.
func (b *Bot) forgetAnswer(ctx context.Context, id int64, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.Answers.MarkPostedAnswerDeleted(ctx, id); err != nil {
		log.Warn("cannot mark an answer that was not posted", "answer", id, "err", err)
	}
}

// remember stores the turn in conversation conv, so that replies to its
// messages continue the conversation.
func (b *Bot) remember(ctx context.Context, conv string, j job, ans *knowledge.Answer, ids []string) {
	if b.Conversations == nil || len(ids) == 0 || conv == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := b.Conversations.AppendTurn(ctx, conv, knowledge.Turn{Question: j.question, Answer: ans.Text}, ids...); err != nil {
		b.Logger.Warn("cannot store the conversation turn", "conversation", conv, "err", err)
	}
}

// history returns the latest turns of a conversation, or none.
func (b *Bot) history(ctx context.Context, convID string) []knowledge.Turn {
	if b.Conversations == nil || convID == "" {
		return nil
	}
	turns, err := b.Conversations.Turns(ctx, convID, b.cfg.HistoryTurns)
	if err != nil {
		b.Logger.Warn("cannot read the conversation; answering without it", "conversation", convID, "err", err)
		return nil
	}
	return turns
}

// isBotThread reports whether a channel is a thread the bot opened.
func (b *Bot) isBotThread(channelID string) bool {
	owner, ok := b.thread(channelID)
	return ok && owner != "" && owner == b.botUserID()
}

// Interaction tokens: an interaction can be answered and edited for 15
// minutes; a final answer that comes later is posted in the channel.
const (
	tokenLifetime = 15 * time.Minute
	// tokenMargin keeps the last edits clear of the token's end.
	tokenMargin = 30 * time.Second
)

// interactionOutput puts an answer in an interaction's response: drafts
// and the final answer edit the deferred response.
type interactionOutput struct {
	r      *Request
	locale discordgo.Locale
	qline  string
	// shown is what the original response shows (nothing at first: the
	// deferred "thinking" message); originalID is its message, once known.
	shown      Message
	originalID string
}

func (b *Bot) interactionOutput(r *Request, j job) *interactionOutput {
	return &interactionOutput{r: r, locale: j.locale, qline: questionLine(j.locale, j.asker, j.question)}
}

func (o *interactionOutput) channel() string { return o.r.Interaction.ChannelID }

func (o *interactionOutput) budgetKey() string { return "w:" + o.r.Interaction.Token }

// expiring reports whether the interaction's token is (nearly) dead, by
// the bot's clock.
func (o *interactionOutput) expiring() bool {
	created, err := discordgo.SnowflakeTimestamp(o.r.Interaction.ID)
	if err != nil {
		return false
	}
	return !o.r.b.now().Before(created.Add(tokenLifetime - tokenMargin))
}

func (o *interactionOutput) edit(ctx context.Context, m Message) error {
	msg, err := o.r.editOriginal(ctx, &o.shown, m)
	if err != nil {
		return err
	}
	o.shown = m
	if msg != nil {
		o.originalID = msg.ID
	}
	return nil
}

func (o *interactionOutput) preview(ctx context.Context, text string) error {
	if o.expiring() {
		return nil
	}
	return o.edit(ctx, renderDraft(o.locale, o.qline, text))
}

func (o *interactionOutput) final(ctx context.Context, msgs []Message) ([]string, error) {
	if o.expiring() {
		return o.finalInChannel(ctx, msgs)
	}
	if err := o.edit(ctx, msgs[0]); err != nil {
		return nil, err
	}
	ids := []string{o.originalID}
	for _, m := range msgs[1:] {
		msg, err := o.r.Followup(ctx, m)
		if err != nil {
			return ids, err
		}
		ids = append(ids, msg.ID)
	}
	return ids, nil
}

// finalInChannel posts the answer of an interaction whose token has died
// as channel messages, and removes the draft left in its response.
func (o *interactionOutput) finalInChannel(ctx context.Context, msgs []Message) ([]string, error) {
	ch := o.channel()
	var ids []string
	for _, m := range msgs {
		msg, err := o.r.b.send.post(ctx, ch, m, nil, false)
		if err != nil {
			return ids, knowledge.WrapError(knowledge.EUNAVAILABLE, tr(o.r.Interaction.Locale, txtDiscordRefused), err)
		}
		ids = append(ids, msg.ID)
	}
	if o.originalID != "" {
		if err := o.r.b.send.deleteMessage(ctx, ch, o.originalID); err != nil {
			o.r.b.Logger.Debug("cannot delete the draft of an interaction that outlived its token", "message", o.originalID, "err", err)
		}
	}
	o.r.b.Logger.Info("the interaction's token expired before the answer was ready; posted it in the channel",
		"interaction", o.r.Interaction.ID, "channel", ch)
	return ids, nil
}

func (o *interactionOutput) plain(ctx context.Context, text string) error {
	if o.expiring() {
		// Too late to answer privately: say it where the question was asked.
		m := Message{Content: strings.TrimSpace(o.qline + "\n" + text)}
		_, err := o.finalInChannel(ctx, []Message{m})
		return err
	}
	o.r.reopen()
	return o.r.Reply(ctx, Message{Content: text, Ephemeral: true})
}

// messageOutput puts an answer in channel messages: a reply to the
// question, or messages in the conversation's thread.
type messageOutput struct {
	b         *Bot
	channelID string
	ref       *discordgo.MessageReference // reply to this, when set
	notify    bool                        // a reply notifies its asker
	locale    discordgo.Locale
	first     *discordgo.Message // the answer's first message, once posted
	replied   bool               // first was posted as a notifying reply
	shown     Message            // what first shows
}

func (o *messageOutput) channel() string { return o.channelID }

func (o *messageOutput) budgetKey() string {
	if o.first == nil {
		return ""
	}
	return "c:" + o.channelID
}

func (o *messageOutput) show(ctx context.Context, m Message) error {
	var err error
	if o.first == nil {
		var msg *discordgo.Message
		if msg, err = o.b.send.post(ctx, o.channelID, m, o.ref, o.notify); err == nil {
			o.first, o.replied = msg, o.ref != nil && o.notify
		}
	} else {
		_, err = o.b.send.edit(ctx, o.channelID, o.first.ID, &o.shown, m, o.replied)
	}
	if err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, tr(o.locale, txtDiscordRefused), err)
	}
	o.shown = m
	return nil
}

func (o *messageOutput) preview(ctx context.Context, text string) error {
	return o.show(ctx, renderDraft(o.locale, "", text))
}

func (o *messageOutput) final(ctx context.Context, msgs []Message) ([]string, error) {
	if err := o.show(ctx, msgs[0]); err != nil {
		return nil, err
	}
	ids := []string{o.first.ID}
	for _, m := range msgs[1:] {
		msg, err := o.b.send.post(ctx, o.channelID, m, nil, false)
		if err != nil {
			return ids, knowledge.WrapError(knowledge.EUNAVAILABLE, tr(o.locale, txtDiscordRefused), err)
		}
		ids = append(ids, msg.ID)
	}
	return ids, nil
}

func (o *messageOutput) plain(ctx context.Context, text string) error {
	return o.show(ctx, Message{Content: text})
}
