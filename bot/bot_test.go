package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

// finalFooter is the footer of the sample's extractive answer.
var finalFooter = regexp.MustCompile(`^1 article · quoted from the articles · \d+(\.\d)? s$`)

func TestCommandsAreRegisteredWithOneBulkOverwrite(t *testing.T) {
	t.Parallel()
	admin := bot.Command{Name: "feed", Description: "Manage the server's feeds.", Permission: discordgo.PermissionManageGuild,
		Handle: func(context.Context, *bot.Request) error { return nil }}
	h := start(t, bot.Config{}, answerWith("x"), func(b *bot.Bot, _ *discordtest.Fake) { b.Commands = []bot.Command{admin} })

	puts := h.fd.CallsMatching(discordtest.Match("PUT", "/applications/"))
	if len(puts) != 1 || puts[0].Path != "/applications/"+h.fd.AppID()+"/guilds/"+h.fd.GuildID()+"/commands" || puts[0].Status != 200 {
		t.Fatalf("registration calls = %v", puts)
	}
	if n := len(h.fd.CallsMatching(discordtest.Match("POST", "/applications/"))); n != 0 {
		t.Errorf("%d single command registrations", n)
	}
	reg := h.fd.Commands(h.fd.GuildID())
	names := map[string]*discordgo.ApplicationCommand{}
	for _, c := range reg {
		names[c.Name] = c
		if !commandName.MatchString(c.Name) {
			t.Errorf("bad command name %q", c.Name)
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
			t.Errorf("/%s: description of %d characters", c.Name, n)
		}
		for _, o := range c.Options {
			if !commandName.MatchString(o.Name) || utf8.RuneCountInString(o.Description) > 100 || o.Description == "" {
				t.Errorf("/%s option %q: bad name or description %q", c.Name, o.Name, o.Description)
			}
		}
	}
	for _, want := range []string{"ask", "search", "sources", "feed"} {
		if names[want] == nil {
			t.Errorf("/%s not registered; got %v", want, reg)
		}
	}
	ask := names["ask"]
	if ask == nil || len(ask.Options) != 3 || ask.Options[0].Name != "question" || !ask.Options[0].Required ||
		ask.Options[1].Name != "since" || ask.Options[2].Name != "source" || !ask.Options[2].Autocomplete {
		t.Errorf("/ask = %+v", ask)
	}
	if ask != nil && (ask.DefaultMemberPermissions != nil || ask.Contexts != nil) {
		t.Errorf("/ask requires permissions %v or contexts %v in a server", ask.DefaultMemberPermissions, ask.Contexts)
	}
	if f := names["feed"]; f == nil || f.DefaultMemberPermissions == nil || *f.DefaultMemberPermissions != discordgo.PermissionManageGuild {
		t.Errorf("/feed default permissions = %+v", f)
	}
	if len(h.fd.Commands("")) != 0 {
		t.Error("commands registered globally too")
	}
}

func TestCommandsAreRegisteredGloballyWithoutAGuild(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), func(b *bot.Bot, _ *discordtest.Fake) { b.Config.GuildID = "" })
	puts := h.fd.CallsMatching(discordtest.Match("PUT", "/applications/"))
	if len(puts) != 1 || puts[0].Path != "/applications/"+h.fd.AppID()+"/commands" {
		t.Fatalf("registration calls = %v", puts)
	}
	global := h.fd.Commands("")
	if len(global) != 4 { // ask, search, sources, help
		t.Fatalf("global commands = %v", global)
	}
	for _, c := range global {
		if c.Contexts == nil || len(*c.Contexts) != 2 || (*c.Contexts)[1] != discordgo.InteractionContextBotDM {
			t.Errorf("/%s contexts = %v", c.Name, c.Contexts)
		}
	}
	ids := h.fd.Identifies()
	want := discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages
	if len(ids) != 1 || ids[0].Intents != want {
		t.Errorf("intents = %+v, want %d (no privileged intent)", ids, want)
	}
}

func TestInvalidCommandTableFailsAtStart(t *testing.T) {
	t.Parallel()
	s, _ := discordgo.New("Bot test-token")
	b := &bot.Bot{Session: s, Asker: answerWith("x"), Logger: discardLogger(),
		Commands: []bot.Command{{Name: "Bad Name", Description: "x", Handle: func(context.Context, *bot.Request) error { return nil }}}}
	err := b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Bad Name") {
		t.Errorf("Run = %v", err)
	}
}

func TestAskIsDeferredThenEditedWithTheCitedAnswer(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, nil, func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		putSample(t, db)
		b.Asker = &knowledge.Answerer{DB: db}
	})
	id := h.ask("Why hasn't Scholz approved Taurus deliveries?", nil)
	res := h.waitResult(t, id, answered)

	// The first call for the interaction is the deferral, before anything else.
	calls := h.fd.Calls()
	var first *discordtest.Call
	for i, c := range calls {
		if strings.HasPrefix(c.Path, "/interactions/"+id+"/") || strings.HasPrefix(c.Path, "/webhooks/") {
			first = &calls[i]
			break
		}
	}
	var cb struct {
		Type discordgo.InteractionResponseType `json:"type"`
	}
	if first == nil || json.Unmarshal(first.Body, &cb) != nil || cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response = %v", first)
	}
	if !res.Deferred || res.Ephemeral || res.Edits < 1 {
		t.Errorf("deferred %v ephemeral %v edits %d", res.Deferred, res.Ephemeral, res.Edits)
	}
	o := res.Original
	if o.Content != "> **Alice** asked: Why hasn't Scholz approved Taurus deliveries?" {
		t.Errorf("question line = %q", o.Content)
	}
	want := "Chancellor Olaf Scholz, however, has refrained from approving the deliveries, expressing concerns about potential entanglement in the conflict."
	text := answerText(o)
	if !strings.Contains(text, want) || !strings.Contains(text, "[1]") {
		t.Errorf("answer = %q", text)
	}
	es := answerEmbeds(o)
	if len(es) != 1 || es[0].Color != 0x22C55E || !finalFooter.MatchString(footer(o)) {
		t.Errorf("final state: %d answer embeds, footer %q", len(es), footer(o))
	}
	src := sourcesOf(o)
	if src == nil {
		t.Fatalf("no sources: %+v", o.Embeds)
	}
	// One entry per article; an extractive answer's quotes are its text, so
	// the sources do not repeat them.
	if src.Description != "**[1]** Germany Blames Ukraine War Talks Leak on ‘Individual Error’ · Defense News · <t:1709596800:R>" {
		t.Errorf("sources = %q", src.Description)
	}
	if strings.Count(o.Content+text+src.Description, "Chancellor Olaf Scholz") != 1 {
		t.Error("a quote is shown twice")
	}
	var ids []string
	for _, b := range buttons(o) {
		ids = append(ids, b.CustomID)
	}
	if len(ids) != 5 || !strings.HasPrefix(ids[0], "answer:up:") || !strings.HasPrefix(ids[4], "answer:delete:") {
		t.Errorf("buttons = %v", ids)
	}
	if len(res.Followups) != 0 {
		t.Errorf("followups = %v", res.Followups)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
	// The answer message starts a conversation that replies can continue.
	h.fd.WaitUntil(t, func() bool {
		conv, err := h.db.ConversationOf(context.Background(), o.ID)
		return err == nil && conv == o.ID
	}, wait)
}

func TestAskStreamsDraftsThenTheFinalAnswer(t *testing.T) {
	t.Parallel()
	// The model writes in three bursts of ten words; before each next burst
	// it waits until the test has seen the draft of the last one, so the
	// test needs no sleeps.
	next := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		var text strings.Builder
		for burst := 0; burst < 3; burst++ {
			for i := 0; i < 10; i++ {
				d := fmt.Sprintf("word%d ", burst*10+i)
				text.WriteString(d)
				q.OnDelta(d)
			}
			select {
			case <-next:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return &knowledge.Answer{Text: strings.TrimSpace(text.String()) + " [1].", Mode: knowledge.ModeLLM,
			Citations: []knowledge.Citation{{N: 1, Title: "T", URL: "https://example.com/t", Quote: "q", Verified: true}}}, nil
	}}
	h := start(t, bot.Config{StreamInterval: 20 * time.Millisecond}, asker)
	id := h.ask("stream please", nil)
	isDraftOf := func(word string) func(discordtest.Call) bool {
		return func(c discordtest.Call) bool {
			return c.Method == "PATCH" && strings.HasPrefix(c.Path, "/webhooks/") && strings.Contains(string(c.Body), "Writing…") &&
				strings.Contains(string(c.Body), word+`"`)
		}
	}
	for burst := 0; burst < 3; burst++ {
		h.fd.WaitFor(t, isDraftOf(fmt.Sprintf("word%d", burst*10+9)), wait)
		next <- struct{}{}
	}
	res := h.waitResult(t, id, answered)
	if text := answerText(res.Original); text != "word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 "+
		"word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29 [[1]](https://example.com/t)." {
		t.Errorf("final = %q", text)
	}
	if f := footer(res.Original); !strings.HasPrefix(f, "1 article · written by the language model · ") {
		t.Errorf("footer = %q", f)
	}

	edits := h.fd.CallsMatching(discordtest.Match("PATCH", "/webhooks/"))
	var last string
	for i, c := range edits {
		var body struct {
			Content    *string                   `json:"content"`
			Embeds     []*discordgo.MessageEmbed `json:"embeds"`
			Components []json.RawMessage         `json:"components"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil || len(body.Embeds) == 0 {
			t.Fatalf("edit %d: %s (%v)", i, c.Body, err)
		}
		// The question line is sent once, with the first edit.
		if (body.Content != nil) != (i == 0) {
			t.Errorf("edit %d content %v", i, body.Content)
		}
		e := body.Embeds[0]
		if i == len(edits)-1 {
			if e.Title != "" || e.Color != 0x22C55E || len(body.Components) != 1 {
				t.Errorf("the last edit is not the final answer: %s", c.Body)
			}
			continue
		}
		// A draft is amber, titled, and shows more than the one before
		// (pending drafts coalesce), without a trailing ellipsis.
		if e.Title != "Writing…" || e.Color != 0xF59E0B || len(body.Components) != 0 || strings.HasSuffix(e.Description, "…") ||
			!strings.HasPrefix(e.Description, last) || e.Description == last {
			t.Errorf("draft %d = %+v after %q", i, e, last)
		}
		last = e.Description
	}
	// One draft per burst, two when a turn came in the middle of one.
	if drafts := len(edits) - 1; drafts < 3 || drafts > 6 {
		t.Errorf("%d drafts for 3 bursts", drafts)
	}
}

func TestMentionIsAnsweredAsAReply(t *testing.T) {
	t.Parallel()
	asker := answerWith("Scholz has not approved the deliveries [1].")
	h := start(t, bot.Config{}, asker)
	qid := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "why no Taurus?"))
	c := h.fd.WaitFor(t, func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+h.fd.ChannelID()+"/messages"
	}, wait)
	var sent struct {
		Content  *string                     `json:"content"`
		Ref      *discordgo.MessageReference `json:"message_reference"`
		Embeds   []*discordgo.MessageEmbed   `json:"embeds"`
		Mentions struct {
			Parse       []string `json:"parse"`
			RepliedUser bool     `json:"replied_user"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(c.Body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Ref == nil || sent.Ref.MessageID != qid {
		t.Errorf("not a reply to the question: %s", c.Body)
	}
	// The reply notifies the asker, and only the asker; a reply shows its
	// question already, so it carries no question line.
	if !sent.Mentions.RepliedUser || sent.Mentions.Parse == nil || len(sent.Mentions.Parse) != 0 || sent.Content != nil {
		t.Errorf("reply body = %s", c.Body)
	}
	var answer *discordgo.Message
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, h.fd.ChannelID()) {
			if len(buttons(m)) == 5 {
				answer = m
				return true
			}
		}
		return false
	}, wait)
	if answer.Type != discordgo.MessageTypeReply || answerText(answer) != "Scholz has not approved the deliveries [[1]](https://www.defensenews.com/global/europe/2024/03/05/leak/)." ||
		sourcesOf(answer) == nil || len(answer.Mentions) != 1 || answer.Mentions[0].ID != h.fd.UserID() {
		t.Errorf("answer = %+v", answer)
	}
	qs := asker.questions()
	if len(qs) != 1 || qs[0].Text != "why no Taurus?" || qs[0].Filter.GuildID != h.fd.GuildID() || len(qs[0].History) != 0 {
		t.Errorf("questions = %+v", qs)
	}
	h.fd.WaitFor(t, discordtest.Match("POST", "/channels/"+h.fd.ChannelID()+"/typing"), wait)
	assertNoPings(t, h.fd, h.fd.ChannelID())

	// A direct message needs no mention and searches the operator's articles only.
	dm := h.fd.AddChannel(&discordgo.Channel{Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{h.fd.User()}})
	h.fd.SendMessage(h.fd.UserMessage(dm, nil, "and in private?"))
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, dm)) == 1 }, wait)
	if q := asker.questions()[1]; q.Text != "and in private?" || q.Filter.GuildID != "" {
		t.Errorf("DM question = %+v", q)
	}

	// Messages that do not mention the bot, and bots, are ignored.
	chat := h.fd.SendMessage(h.fd.UserMessage(h.fd.ChannelID(), nil, "just chatting"))
	other := &discordgo.User{ID: "1212912186163331999", Username: "otherbot", Bot: true}
	fromBot := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), other, "why no Taurus?"))
	h.waitHandled(t, chat, fromBot)
	if n := len(asker.questions()); n != 2 {
		t.Errorf("asked %d times", n)
	}
}

func TestPostSplitsLongMessages(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"))
	text := strings.TrimSpace(strings.Repeat("Story of the day about @everyone and <@"+discordtest.DefaultUserID+">. ", 60))
	var embeds []*discordgo.MessageEmbed
	for i := 0; i < 12; i++ {
		embeds = append(embeds, &discordgo.MessageEmbed{Title: fmt.Sprintf("Story %d", i), Description: strings.Repeat("d", 900)})
	}
	msgs, err := h.b.Post(context.Background(), h.fd.ChannelID(), bot.Message{Content: text, Embeds: embeds})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	n := 0
	for _, m := range msgs {
		if utf8.RuneCountInString(m.Content) > 2000 {
			t.Errorf("message of %d characters", utf8.RuneCountInString(m.Content))
		}
		if m.Content != "" {
			got.WriteString(m.Content + " ")
		}
		n += len(m.Embeds)
	}
	// About 4,000 characters of text in parts, then 12 embeds of 900
	// characters: 6 with the last part, 6 in a message of their own.
	if strings.TrimSpace(got.String()) != text || n != 12 || len(msgs) != 3 || len(msgs[1].Embeds) != 6 || msgs[2].Content != "" {
		t.Errorf("%d messages, %d embeds", len(msgs), n)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestReplyToAnswerContinuesTheConversation(t *testing.T) {
	t.Parallel()
	asker := answerWith("Scholz fears escalation [1].")
	h := start(t, bot.Config{}, asker)
	qid := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "why no Taurus?"))
	var answer *discordgo.Message
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, h.fd.ChannelID()) {
			if sourcesOf(m) != nil {
				answer = m
				return true
			}
		}
		return false
	}, wait)
	// In reply mode the conversation is keyed by the question.
	waitTurns(t, h, qid, 1)
	// A reply keeps Discord's default ping, so it reaches the bot with its text.
	h.fd.SendMessage(discordtest.ReplyTo(h.fd.UserMessage(h.fd.ChannelID(), nil, "and what did Pistorius say?"), answer, true))
	h.fd.WaitUntil(t, func() bool { return len(asker.questions()) == 2 }, wait)
	q := asker.questions()[1]
	if q.Text != "and what did Pistorius say?" || len(q.History) != 1 || q.History[0].Question != "why no Taurus?" || q.History[0].Answer != "Scholz fears escalation [1]." {
		t.Errorf("follow-up = %+v", q)
	}
}

func TestFollowUpInThreadUsesHistory(t *testing.T) {
	t.Parallel()
	asker := &fakeAsker{}
	var n atomic.Int32
	asker.reply = func(_ context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		return &knowledge.Answer{Text: fmt.Sprintf("Answer %d [1].", n.Add(1)), Mode: knowledge.ModeExtractive,
			Citations: []knowledge.Citation{{N: 1, Title: "T", Quote: "q", Verified: true}}}, nil
	}
	h := start(t, bot.Config{ReplyMode: bot.ReplyModeThread, MessageContent: true}, asker)
	qid := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "why no Taurus <@"+h.fd.UserID()+">?"))
	thread := h.fd.WaitFor(t, discordtest.Match("POST", "/channels/"+h.fd.ChannelID()+"/messages/"+qid+"/threads"), wait)
	var ts struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(thread.Body, &ts)
	if ts.Name != "why no Taurus ?" {
		t.Errorf("thread name = %q", ts.Name)
	}
	// Discord gives a thread started from a message the message's ID.
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, qid)) == 1 }, wait)
	if msgs := botMessages(h.fd, h.fd.ChannelID()); len(msgs) != 0 {
		t.Errorf("answered in the channel too: %v", msgs)
	}
	h.fd.WaitUntil(t, func() bool {
		ch, err := h.s.State.Channel(qid)
		return err == nil && ch.IsThread()
	}, wait)

	// With Message Content, any message in the bot's thread is a follow-up.
	waitTurns(t, h, qid, 1)
	h.fd.SendMessage(h.fd.UserMessage(qid, nil, "and Pistorius?"))
	waitTurns(t, h, qid, 2)
	// A mention in the thread continues it too.
	h.fd.SendMessage(h.fd.Mention(qid, nil, "and the Kremlin?"))
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, qid)) == 3 }, wait)

	qs := asker.questions()
	if len(qs) != 3 {
		t.Fatalf("questions = %+v", qs)
	}
	if len(qs[1].History) != 1 || qs[1].History[0].Question != "why no Taurus <@"+h.fd.UserID()+">?" || qs[1].History[0].Answer != "Answer 1 [1]." {
		t.Errorf("second question history = %+v", qs[1].History)
	}
	if len(qs[2].History) != 2 || qs[2].History[1].Question != "and Pistorius?" {
		t.Errorf("third question history = %+v", qs[2].History)
	}
	for _, m := range botMessages(h.fd, qid) {
		if m.MessageReference != nil {
			t.Errorf("answer in the bot's own thread quotes the question: %+v", m.MessageReference)
		}
	}
	assertNoPings(t, h.fd, h.fd.ChannelID(), qid)
}

// waitTurns waits until a conversation has n stored turns.
func waitTurns(t *testing.T, h *harness, convID string, n int) {
	t.Helper()
	h.fd.WaitUntil(t, func() bool {
		turns, err := h.db.Turns(context.Background(), convID, 0)
		return err == nil && len(turns) == n
	}, wait)
}

// botMessages returns the bot's messages in a channel.
func botMessages(fd *discordtest.Fake, channelID string) []*discordgo.Message {
	var out []*discordgo.Message
	for _, m := range fd.Messages(channelID) {
		if m.Author != nil && m.Author.ID == fd.BotUserID() {
			out = append(out, m)
		}
	}
	return out
}

func TestLongAnswerIsSplitWithinDiscordsLimits(t *testing.T) {
	t.Parallel()
	var text strings.Builder
	for p := 0; p < 9; p++ {
		for s := 0; s < 10; s++ {
			fmt.Fprintf(&text, "Paragraph %d sentence %d says something about the leak of the recording [1]. ", p, s)
		}
		text.WriteString("\n\n")
	}
	long := strings.TrimSpace(text.String())
	for utf8.RuneCountInString(long) < 9000 {
		long += " More words about the Taurus missiles follow here [1]."
	}
	long = long[:9000]
	long = strings.TrimSpace(long[:strings.LastIndex(long, ".")+1])
	h := start(t, bot.Config{}, answerWith(long))
	id := h.ask("tell me everything", nil)
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool {
		return answered(r) && len(r.Followups) > 0 && len(buttons(r.Followups[len(r.Followups)-1])) == 5
	})
	msgs := append([]*discordgo.Message{res.Original}, res.Followups...)
	var parts []string
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.Content); n > 2000 {
			t.Errorf("message %d has %d characters of content", i, n)
		}
		total := 0
		for _, e := range m.Embeds {
			total += utf8.RuneCountInString(e.Title + e.Description)
			if e.Footer != nil {
				total += utf8.RuneCountInString(e.Footer.Text)
			}
		}
		if total > 6000 {
			t.Errorf("message %d has %d characters of embeds", i, total)
		}
		for _, e := range answerEmbeds(m) {
			p := unlinked(e.Description)
			if n := utf8.RuneCountInString(e.Description); n > 4096 || !strings.HasSuffix(p, ".") {
				t.Errorf("part of %d characters ends %q", n, p[max(0, len(p)-30):])
			}
			parts = append(parts, p)
		}
		if (len(buttons(m)) > 0) != (i == len(msgs)-1) || (sourcesOf(m) != nil) != (i == len(msgs)-1) {
			t.Errorf("message %d: %d buttons, sources %v", i, len(buttons(m)), sourcesOf(m) != nil)
		}
	}
	if !strings.HasPrefix(res.Original.Content, "> **Alice** asked: tell me everything") {
		t.Errorf("first message = %q", res.Original.Content)
	}
	if strings.Join(strings.Fields(strings.Join(parts, " ")), " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("the parts do not add up to the answer")
	}
}

func TestNothingPingsAnyone(t *testing.T) {
	t.Parallel()
	article := &knowledge.Article{
		Title: "Leak @everyone", Source: "Defense News", URL: "https://example.com/2024/03/05/leak",
		PublishedAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
		Text: "The Taurus recording leaked on Friday. @everyone in the Bundeswehr was told about the Taurus leak, said <@" +
			discordtest.DefaultUserID + "> and <@&" + discordtest.DefaultGuildID + ">.",
	}
	h := start(t, bot.Config{}, nil, func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		if _, err := db.PutArticle(context.Background(), article); err != nil {
			t.Fatal(err)
		}
		b.Asker = &knowledge.Answerer{DB: db}
	})
	id := h.ask("@everyone <@"+h.fd.UserID()+"> who was told about the Taurus leak?", nil)
	res := h.waitResult(t, id, answered)
	if !strings.Contains(answerText(res.Original), "@everyone") {
		t.Fatalf("the test needs an answer quoting @everyone: %q", answerText(res.Original))
	}
	// A mention whose answer (from a fake model) is full of mentions.
	evil := answerWith("@everyone @here <@" + h.fd.UserID() + "> <@&" + h.fd.GuildID() + "> look [1].")
	h.b.Asker = evil
	h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "@everyone hello?"))
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, h.fd.ChannelID()) {
			if strings.Contains(answerText(m), "@here") {
				return true
			}
		}
		return false
	}, wait)
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestAdminCommandIsRefusedToNonAdmins(t *testing.T) {
	t.Parallel()
	var ran atomic.Int32
	admin := bot.Command{
		Name: "digest-admin", Description: "Change the digest schedule (test).", Permission: discordgo.PermissionManageGuild,
		Handle: func(ctx context.Context, r *bot.Request) error {
			ran.Add(1)
			return r.Reply(ctx, bot.Message{Content: "done", Ephemeral: true})
		},
	}
	h := start(t, bot.Config{}, answerWith("x"), func(b *bot.Bot, _ *discordtest.Fake) { b.Commands = []bot.Command{admin} })
	send := func(perms int64) string {
		id, _ := h.fd.SendInteraction(h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), nil, perms, "digest-admin"))
		return id
	}
	id := send(discordgo.PermissionSendMessages | discordgo.PermissionManageMessages)
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
	if !res.Ephemeral || res.Original.Content != "You need the Manage Server permission to use /digest-admin." {
		t.Errorf("refusal = %q (ephemeral %v)", res.Original.Content, res.Ephemeral)
	}
	if ran.Load() != 0 {
		t.Error("the handler ran for a non-admin")
	}
	for _, perms := range []int64{discordgo.PermissionManageGuild, discordgo.PermissionAdministrator} {
		id := send(perms)
		res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
		if res.Original.Content != "done" {
			t.Errorf("perms %d: %q", perms, res.Original.Content)
		}
	}
	if ran.Load() != 2 {
		t.Errorf("handler ran %d times", ran.Load())
	}
	// Not in direct messages.
	dm, _ := h.fd.SendInteraction(h.fd.SlashCommand("", "1202402938060939999", nil, 0, "digest-admin"))
	res = h.waitResult(t, dm, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
	if !strings.Contains(res.Original.Content, "only be used in a server") {
		t.Errorf("DM = %q", res.Original.Content)
	}
}

func TestPanicIsRecoveredAndTheBotKeepsServing(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	asker := &fakeAsker{reply: func(_ context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return &knowledge.Answer{Text: "Fine now [1].", Mode: knowledge.ModeExtractive, Citations: []knowledge.Citation{{N: 1, Title: "T"}}}, nil
	}}
	h := start(t, bot.Config{}, asker)
	id := h.ask("first", nil)
	if _, m := h.waitPrivate(t, id); m.Content != "Something went wrong on my side. Please try again." {
		t.Errorf("after panic: %q", m.Content)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "panic in a command handler") || !strings.Contains(logs, "interaction="+id) || !strings.Contains(logs, "boom") {
		t.Errorf("panic not logged with the interaction id:\n%s", logs)
	}
	id2 := h.ask("second", nil)
	res := h.waitResult(t, id2, answered)
	if answerText(res.Original) != "Fine now [1]." {
		t.Errorf("after recovery: %q", answerText(res.Original))
	}

	// A panic in the mention path is recovered too.
	calls.Store(0)
	h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "third"))
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, h.fd.ChannelID()) {
			if m.Content == "Something went wrong on my side. Please try again." {
				return true
			}
		}
		return false
	}, wait)
}

func TestDuplicateInteractionIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	asker := answerWith("Once [1].")
	h := start(t, bot.Config{}, asker)
	in := h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), nil, 0, "ask", discordtest.StringOpt("question", "twice?"))
	id, _ := h.fd.SendInteraction(in)
	h.waitResult(t, id, answered)
	// Discord may deliver an event again around a resume.
	h.fd.DropConnection()
	h.fd.WaitConnected(t, wait)
	h.fd.SendInteraction(in)
	h.fd.WaitUntil(t, func() bool { return strings.Contains(h.logs.String(), "duplicate interaction ignored") }, wait)
	if n := len(asker.questions()); n != 1 {
		t.Errorf("asked %d times", n)
	}
	if n := len(h.fd.CallsMatching(discordtest.Match("POST", "/interactions/"+id+"/"))); n != 1 {
		t.Errorf("%d callbacks", n)
	}

	// The same for a message.
	m := h.fd.Mention(h.fd.ChannelID(), nil, "once?")
	h.fd.SendMessage(m)
	h.fd.WaitUntil(t, func() bool { return len(asker.questions()) == 2 }, wait)
	h.fd.Dispatch("MESSAGE_CREATE", m)
	h.fd.WaitUntil(t, func() bool { return strings.Contains(h.logs.String(), "duplicate message ignored") }, wait)
	if n := len(asker.questions()); n != 2 {
		t.Errorf("asked %d times", n)
	}
}

func TestStaleInteractionIsNotAnswered(t *testing.T) {
	t.Parallel()
	asker := answerWith("late")
	h := start(t, bot.Config{}, asker, func(b *bot.Bot, _ *discordtest.Fake) {
		bot.SetInteractionDeadline(b, 0) // Discord's 3 s
		b.Now = func() time.Time { return time.Now().Add(10 * time.Second) }
	})
	h.ask("too late?", nil)
	h.fd.WaitUntil(t, func() bool { return strings.Contains(h.logs.String(), "older than Discord's 3 s deadline") }, wait)
	if len(asker.questions()) != 0 || len(h.fd.CallsMatching(discordtest.Match("POST", "/interactions/"))) != 0 {
		t.Error("a stale interaction was answered")
	}
}

func TestCooldownAndConcurrencyLimits(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		if q.Text == "slow" {
			<-release
		}
		return &knowledge.Answer{Text: "ok " + q.Text, Mode: knowledge.ModeExtractive}, nil
	}}
	h := start(t, bot.Config{Cooldown: time.Minute, GuildConcurrency: 1}, asker)
	first := h.ask("slow", nil)
	h.fd.WaitUntil(t, func() bool { return len(asker.questions()) == 1 }, wait)

	// The same user again: cooldown.
	again := h.ask("again", nil)
	res := h.waitResult(t, again, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
	if !res.Ephemeral || res.Deferred || !strings.HasPrefix(res.Original.Content, "Please wait ") || !strings.HasSuffix(res.Original.Content, " before asking again.") {
		t.Errorf("cooldown reply = %q (ephemeral %v, deferred %v)", res.Original.Content, res.Ephemeral, res.Deferred)
	}
	// Another user while the server's one slot is busy: concurrency.
	bob := &discordgo.User{ID: "1212912186163331555", Username: "bob"}
	busy := h.ask("busy", bob)
	res = h.waitResult(t, busy, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
	if !res.Ephemeral || res.Original.Content != "I'm already answering 1 question in this server. Please try again in a moment." {
		t.Errorf("concurrency reply = %q", res.Original.Content)
	}
	close(release)
	h.waitResult(t, first, answered)
	if n := len(asker.questions()); n != 1 {
		t.Errorf("asked %d times", n)
	}
	// Once the first answer's handler has returned, its slot is free and
	// bob gets in.
	h.waitHandled(t, first)
	res = h.waitResult(t, h.ask("now", bob), func(r *discordtest.InteractionResult) bool { return answered(r) || private(r) != nil })
	if res.Ephemeral || answerText(res.Original) != "ok now" {
		t.Errorf("after the limit: %q (ephemeral %v)", res.Original.Content, res.Ephemeral)
	}

	// A mention in cooldown gets an hourglass on the question, not a
	// message in the channel.
	before := len(botMessages(h.fd, h.fd.ChannelID()))
	mid := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), bob, "and again?"))
	h.waitHandled(t, mid)
	if got := h.fd.Reactions(mid); len(got) != 1 || got[0] != "⏳" {
		t.Errorf("reactions = %v", got)
	}
	if n := len(botMessages(h.fd, h.fd.ChannelID())); n != before {
		t.Errorf("%d messages posted for a mention in cooldown", n-before)
	}
	if n := len(asker.questions()); n != 2 {
		t.Errorf("asked %d times", n)
	}
}

func TestDailyTokenBudgetFallsBackToExtractive(t *testing.T) {
	t.Parallel()
	asker := &fakeAsker{reply: func(_ context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		if q.Mode == knowledge.ModeExtractive {
			return &knowledge.Answer{Text: "Quoted [1].", Mode: knowledge.ModeExtractive, Citations: []knowledge.Citation{{N: 1, Title: "T"}}}, nil
		}
		return &knowledge.Answer{Text: "Written [1].", Mode: knowledge.ModeLLM, Tokens: 150, Citations: []knowledge.Citation{{N: 1, Title: "T"}}}, nil
	}}
	h := start(t, bot.Config{GuildDailyTokens: 100}, asker)
	res := h.waitResult(t, h.ask("one", nil), answered)
	if answerText(res.Original) != "Written [1]." {
		t.Errorf("first = %q", answerText(res.Original))
	}
	// The note goes to the footer, not into the answer.
	res = h.waitResult(t, h.ask("two", nil), answered)
	if answerText(res.Original) != "Quoted [1]." || !strings.HasSuffix(footer(res.Original), "\n"+bot.BudgetNote) {
		t.Errorf("second = %q, footer %q", answerText(res.Original), footer(res.Original))
	}
	// Direct messages have their own budget.
	dm, _ := h.fd.SendInteraction(h.fd.SlashCommand("", "1202402938060939998", nil, 0, "ask", discordtest.StringOpt("question", "three")))
	res = h.waitResult(t, dm, answered)
	if answerText(res.Original) != "Written [1]." {
		t.Errorf("DM = %q", answerText(res.Original))
	}
	qs := asker.questions()
	if qs[2].Filter.GuildID != "" || qs[0].Filter.GuildID != h.fd.GuildID() {
		t.Errorf("scopes: guild %q, DM %q", qs[0].Filter.GuildID, qs[2].Filter.GuildID)
	}
}

func TestAbstentionAndErrorsArePlainAndEphemeral(t *testing.T) {
	t.Parallel()
	drafted := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		switch q.Text {
		case "abstain":
			q.OnDelta("The articles")
			// The abstention comes after a draft was shown.
			select {
			case <-drafted:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return &knowledge.Answer{Text: "The stored articles do not say.", Abstained: true, Mode: knowledge.ModeLLM}, nil
		case "broken":
			return nil, fmt.Errorf("model: %w", knowledge.WrapError(knowledge.EUNAVAILABLE, "The language model is not answering right now.", errors.New("dial tcp: refused")))
		default:
			return nil, errors.New("disk on fire at /var/lib/herald")
		}
	}}
	h := start(t, bot.Config{StreamInterval: 30 * time.Millisecond}, asker)
	for _, c := range []struct{ q, want string }{
		{"abstain", "The stored articles do not say."},
		{"broken", "The language model is not answering right now."},
		{"internal", "Something went wrong on my side. Please try again later."},
	} {
		q, want := c.q, c.want
		id := h.ask(q, nil)
		if q == "abstain" {
			h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil && isDraft(r.Original) })
			close(drafted)
		}
		res, m := h.waitPrivate(t, id)
		if m.Content != want || res.Original != nil {
			t.Errorf("%s: %q (public %+v)", q, m.Content, res.Original)
		}
	}
	if msgs := botMessages(h.fd, h.fd.ChannelID()); len(msgs) != 0 {
		t.Errorf("public messages left behind: %v", msgs)
	}
	if logs := h.logs.String(); strings.Count(logs, "disk on fire") != 1 || !strings.Contains(logs, "code=internal") {
		t.Errorf("cause not logged exactly once:\n%s", logs)
	}
	// A bad option is refused before deferring.
	id := h.ask("x", nil, discordtest.StringOpt("since", "last tuesday"))
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil })
	if res.Deferred || !res.Ephemeral || !strings.Contains(res.Original.Content, "7d") {
		t.Errorf("bad since: %+v %q", res, res.Original.Content)
	}
}

func TestSearchAndSources(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		putSample(t, db)
		// Another server's own article is invisible here.
		if _, err := db.PutArticle(context.Background(), &knowledge.Article{Title: "Secret Taurus memo", Source: "Elsewhere",
			Text: "The Taurus memo of another server.", GuildID: "999"}); err != nil {
			t.Fatal(err)
		}
	})
	id, _ := h.fd.SendInteraction(h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), nil, 0, "search", discordtest.StringOpt("query", "Taurus leak")))
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil && !r.Loading })
	if !res.Ephemeral || len(res.Original.Embeds) != 1 {
		t.Fatalf("search = %+v", res.Original)
	}
	d := res.Original.Embeds[0].Description
	if !strings.Contains(d, "Germany Blames Ukraine War Talks Leak") || !strings.Contains(d, "Defense News, 2024\\-03\\-05") || strings.Contains(d, "Secret") {
		t.Errorf("search results = %q", d)
	}

	id, _ = h.fd.SendInteraction(h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), nil, 0, "sources"))
	res = h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil && !r.Loading })
	if len(res.Original.Embeds) != 1 {
		t.Fatalf("sources = %+v", res.Original)
	}
	fields := map[string]string{}
	for _, f := range res.Original.Embeds[0].Fields {
		fields[f.Name] = f.Value
	}
	if fields["Articles"] != "1" || fields["Newest"] != "2024-03-05" || len(fields) != 3 || !strings.Contains(fields["Outlets (1, most articles first)"], "Defense News") {
		t.Errorf("sources fields = %v", fields)
	}

	// Autocomplete of /ask's source option.
	ac, _ := h.fd.SendInteraction(h.fd.Autocomplete(h.fd.GuildID(), h.fd.ChannelID(), nil, 0, "ask",
		discordtest.StringOpt("question", "x"), discordtest.FocusedOpt("source", "def")))
	res = h.waitResult(t, ac, func(r *discordtest.InteractionResult) bool { return r.Choices != nil })
	if len(res.Choices) != 1 || res.Choices[0].Name != "Defense News" {
		t.Errorf("choices = %+v", res.Choices)
	}
	assertNoPings(t, h.fd)
}

func TestShutdownLetsAnAnswerInFlightFinish(t *testing.T) {
	t.Parallel()
	started, finish := make(chan struct{}), make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		close(started)
		select {
		case <-finish:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &knowledge.Answer{Text: "Finished [1].", Mode: knowledge.ModeLLM, Citations: []knowledge.Citation{{N: 1, Title: "T"}}}, nil
	}}
	h := start(t, bot.Config{ShutdownGrace: 20 * time.Second}, asker)
	id := h.ask("in flight", nil)
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop(t) }()
	// The model finishes once the bot is stopping.
	h.fd.WaitUntil(t, func() bool { return strings.Contains(h.logs.String(), "stopping: finishing the answers in flight") }, wait)
	close(finish)
	if err := <-stopped; err != nil {
		t.Fatalf("Run = %v", err)
	}
	res := h.fd.InteractionResponse(id)
	if res.Original == nil || answerText(res.Original) != "Finished [1]." {
		t.Errorf("in-flight answer = %+v", res.Original)
	}
	if h.fd.Connected() {
		t.Error("the gateway is still connected")
	}
}

func TestShutdownCancelsAnswersAfterTheGrace(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	h := start(t, bot.Config{ShutdownGrace: 200 * time.Millisecond}, asker)
	id := h.ask("forever", nil)
	<-started
	begin := time.Now()
	if err := h.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if d := time.Since(begin); d > 4*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	res := h.fd.InteractionResponse(id)
	if m := private(res); m == nil || !strings.Contains(m.Content, "restarting") || res.Original != nil {
		t.Errorf("cancelled answer: private %+v, public %+v", m, res.Original)
	}
	if !strings.Contains(h.logs.String(), "cancelling the answers still in flight") {
		t.Error("no log of the cancellation")
	}
}

func TestMessageContentIntentRefusalIsExplained(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	fd.RejectIntents(discordgo.IntentMessageContent)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	logs := &logBuffer{}
	b := &bot.Bot{Session: s, Asker: answerWith("x"), Config: bot.Config{MessageContent: true},
		Logger: newLogger(logs)}
	err := b.Run(context.Background())
	if knowledge.ErrorCode(err) != knowledge.EINVALID || !strings.Contains(knowledge.ErrorMessage(err), "Message Content Intent") {
		t.Fatalf("Run = %v", err)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the refusal is logged besides being returned:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "test-token") || strings.Contains(err.Error(), "test-token") {
		t.Error("the token leaked")
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	t.Parallel()
	asker := answerWith("Counted [1].")
	var h *harness
	var srv *httptest.Server
	h = start(t, bot.Config{}, asker, func(b *bot.Bot, _ *discordtest.Fake) {
		srv = httptest.NewServer(b.Handler())
		t.Cleanup(srv.Close)
		if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
			t.Errorf("healthz before connecting = %d", code)
		}
	})
	h.fd.WaitUntil(t, func() bool { code, _ := get(t, srv.URL+"/healthz"); return code == 200 }, wait)
	h.waitResult(t, h.ask("count me", nil), answered)
	var body string
	h.fd.WaitUntil(t, func() bool {
		_, body = get(t, srv.URL+"/metrics")
		return strings.Contains(body, "herald_questions_total")
	}, wait)
	for _, want := range []string{
		`herald_questions_total{mode="llm",outcome="answered"} 1`,
		`herald_answer_duration_seconds_count{mode="llm"} 1`,
		`herald_llm_tokens_total 10`,
		`herald_gateway_connected{shard="0"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz after stopping = %d", code)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestInviteURL(t *testing.T) {
	t.Parallel()
	want := "https://discord.com/oauth2/authorize?client_id=1196242344345731073&scope=bot+applications.commands&permissions=309237730368"
	if got := bot.InviteURL(discordtest.DefaultBotUserID); got != want {
		t.Errorf("InviteURL = %s", got)
	}
}
