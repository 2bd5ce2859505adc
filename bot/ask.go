package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// budgetNote tells the reader why an answer is extractive.
const budgetNote = "This server has used today's budget for the language model, so this answer quotes the articles directly."

// restartMessage is shown for a question cancelled by a shutdown.
const restartMessage = "Herald is restarting, so this question was not answered. Please ask again in a minute."

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
		return knowledge.Errorf(knowledge.EINVALID, "Please ask a question.")
	}
	f, err := b.filter(r.GuildID, r.String("since"), r.String("source"))
	if err != nil {
		return err
	}
	release, err := b.limits.admit(r.GuildID, r.UserID, b.now())
	if err != nil {
		b.metrics.question(modeNone, outcomeRefused)
		return err
	}
	defer release()
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	// /ask inside a thread Herald opened continues that conversation.
	j := job{kind: "slash", guildID: r.GuildID, userID: r.UserID, channelID: r.Interaction.ChannelID, question: question, filter: f}
	if b.isBotThread(r.Interaction.ChannelID) {
		j.convID = r.Interaction.ChannelID
		j.history = b.history(ctx, j.convID)
	}
	if err := b.answer(ctx, j, &interactionOutput{r: r}); err != nil {
		// The error replaces the public placeholder or preview, privately.
		r.reopen()
		return err
	}
	return nil
}

// filter builds the retrieval filter of a question: the server's scope
// (the operator's articles plus the server's own; in DMs the operator's
// only) and the since and source options.
func (b *Bot) filter(guildID, since, sources string) (knowledge.Filter, error) {
	f := knowledge.Filter{GuildID: guildID}
	if since != "" {
		t, err := parseSince(since, b.now())
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

// parseSince reads a date (2024-03-01) or a period back from now (7d, 2w, 48h).
func parseSince(s string, now time.Time) (time.Time, error) {
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
	return time.Time{}, knowledge.Errorf(knowledge.EINVALID, "“since” must be a date like 2024-03-01 or a period like 7d or 48h, not %q.", s)
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

// job is one question to answer, from a slash command or a message.
type job struct {
	kind      string // "slash" or "mention", for logs
	guildID   string
	userID    string
	channelID string
	question  string
	filter    knowledge.Filter
	history   []knowledge.Turn
	// convID is the conversation the question belongs to; "" starts one
	// keyed by the first message of the answer.
	convID string
}

// output is where an answer goes: an interaction's response or channel messages.
type output interface {
	// preview shows the answer as it is being written.
	preview(ctx context.Context, text string) error
	// final shows the finished answer and returns the IDs of its messages.
	final(ctx context.Context, msgs []Message) ([]string, error)
	// plain shows a plain sentence instead of an answer (an abstention,
	// an error), privately where Discord allows.
	plain(ctx context.Context, text string) error
}

// answer asks the question, streams the answer into out, then posts the
// final answer and records the turn. It returns an error the caller shows
// to the user; abstentions are shown here.
func (b *Bot) answer(ctx context.Context, j job, out output) error {
	start := time.Now()
	q := knowledge.Question{Text: j.question, Filter: j.filter, History: j.history}
	var notes []string
	if b.limits.overBudget(j.guildID, b.now()) {
		q.Mode = knowledge.AskExtractive
		notes = append(notes, budgetNote)
	}
	log := b.Logger.With("kind", j.kind, "guild", j.guildID, "channel", j.channelID, "user", j.userID)
	st := newStreamer(b.cfg.StreamInterval, func(text string) {
		if err := out.preview(ctx, previewText(text)); err != nil {
			log.Debug("cannot show the answer so far", "err", err)
		}
	})
	q.OnDelta = st.delta
	ans, err := b.Asker.Ask(ctx, q)
	st.stop()
	if err == nil && ans == nil {
		err = knowledge.Errorf(knowledge.EINTERNAL, "The answerer returned nothing.")
	}
	if err != nil {
		if ctx.Err() != nil {
			b.metrics.question(modeNone, outcomeCancelled)
			log.Info("question cancelled by shutdown")
			return knowledge.WrapError(knowledge.EUNAVAILABLE, restartMessage, err)
		}
		b.metrics.question(modeNone, outcomeError)
		return err
	}
	b.limits.spend(j.guildID, ans.Tokens, b.now())
	if ans.Tokens > 0 {
		b.metrics.tokens.Add(float64(ans.Tokens))
	}
	if ans.Mode != knowledge.ModeExtractive {
		notes = nil
	}
	if ans.Abstained {
		b.metrics.question(ans.Mode, outcomeAbstained)
		b.metrics.latency.WithLabelValues(ans.Mode).Observe(time.Since(start).Seconds())
		log.Info("abstained", "mode", ans.Mode, "duration", time.Since(start).Round(time.Millisecond))
		if err := out.plain(ctx, ans.Text); err != nil {
			return err
		}
		return nil
	}
	ids, err := out.final(ctx, renderAnswer(ans, notes...))
	if err != nil {
		b.metrics.question(ans.Mode, outcomeError)
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "I found an answer but Discord did not accept it. Please try again.", err)
	}
	b.metrics.question(ans.Mode, outcomeAnswered)
	b.metrics.latency.WithLabelValues(ans.Mode).Observe(time.Since(start).Seconds())
	log.Info("answered", "mode", ans.Mode, "citations", len(ans.Citations), "tokens", ans.Tokens,
		"follow_up", len(j.history) > 0, "messages", len(ids), "duration", time.Since(start).Round(time.Millisecond))
	b.remember(ctx, j, ans, ids)
	return nil
}

// remember stores the turn, so that replies to its messages continue the conversation.
func (b *Bot) remember(ctx context.Context, j job, ans *knowledge.Answer, ids []string) {
	if b.Conversations == nil || len(ids) == 0 {
		return
	}
	conv := j.convID
	if conv == "" {
		conv = ids[0]
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

// streamer collects the answer as it is written and hands it to flush at
// most once per interval, from its own goroutine, so that a slow edit
// never holds up the answerer.
type streamer struct {
	mu       sync.Mutex
	text     strings.Builder
	dirty    bool
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}
}

// maxPreviewBytes bounds what the streamer keeps; a preview shows at most
// 2,000 characters anyway.
const maxPreviewBytes = 4 * maxContent

func newStreamer(interval time.Duration, flush func(string)) *streamer {
	s := &streamer{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-s.stopCh:
				return
			case <-tick.C:
				s.mu.Lock()
				text, dirty := s.text.String(), s.dirty
				s.dirty = false
				s.mu.Unlock()
				if dirty {
					flush(text)
				}
			}
		}
	}()
	return s
}

// delta receives new answer text; it never blocks on Discord.
func (s *streamer) delta(d string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.text.Len() < maxPreviewBytes {
		s.text.WriteString(d)
	}
	s.dirty = true
}

// stop ends streaming and waits for an edit in progress, so the final
// answer is never overwritten by a late preview.
func (s *streamer) stop() {
	s.stopOnce.Do(func() { close(s.stopCh) })
	<-s.done
}

// interactionOutput puts an answer in a slash command's response.
type interactionOutput struct {
	r *Request
}

func (o *interactionOutput) preview(ctx context.Context, text string) error {
	_, err := o.r.editOriginal(ctx, Message{Content: text})
	return err
}

func (o *interactionOutput) final(ctx context.Context, msgs []Message) ([]string, error) {
	first, err := o.r.editOriginal(ctx, msgs[0])
	if err != nil {
		return nil, err
	}
	ids := []string{first.ID}
	for _, m := range msgs[1:] {
		msg, err := o.r.Followup(ctx, m)
		if err != nil {
			return ids, err
		}
		ids = append(ids, msg.ID)
	}
	return ids, nil
}

func (o *interactionOutput) plain(ctx context.Context, text string) error {
	o.r.reopen()
	return o.r.Reply(ctx, Message{Content: text, Ephemeral: true})
}

// messageOutput puts an answer in channel messages: a reply to the
// question, or messages in the conversation's thread.
type messageOutput struct {
	b         *Bot
	channelID string
	ref       *discordgo.MessageReference // reply to this, when set
	first     *discordgo.Message          // the answer's first message, once posted
}

func (o *messageOutput) show(ctx context.Context, m Message) error {
	var err error
	if o.first == nil {
		var msg *discordgo.Message
		if msg, err = o.b.send.post(ctx, o.channelID, m, o.ref); err == nil {
			o.first = msg
		}
	} else {
		_, err = o.b.send.edit(ctx, o.channelID, o.first.ID, m)
	}
	if err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "Discord did not accept the message.", err)
	}
	return nil
}

func (o *messageOutput) preview(ctx context.Context, text string) error {
	return o.show(ctx, Message{Content: text})
}

func (o *messageOutput) final(ctx context.Context, msgs []Message) ([]string, error) {
	if err := o.show(ctx, msgs[0]); err != nil {
		return nil, err
	}
	ids := []string{o.first.ID}
	for _, m := range msgs[1:] {
		msg, err := o.b.send.post(ctx, o.channelID, m, nil)
		if err != nil {
			return ids, knowledge.WrapError(knowledge.EUNAVAILABLE, "Discord did not accept the message.", err)
		}
		ids = append(ids, msg.ID)
	}
	return ids, nil
}

func (o *messageOutput) plain(ctx context.Context, text string) error {
	return o.show(ctx, Message{Content: text})
}
