package bot_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

// Members of the test server besides alice, the default user.
var (
	bob   = &discordgo.User{ID: "1212912186163331555", Username: "bob"}
	carol = &discordgo.User{ID: "1212912186163331666", Username: "carol", GlobalName: "Carol"}
)

// click sends a click on the button of msg whose custom ID is for action,
// by user with perms, and waits until the bot has answered it (with a
// message, or by opening a form).
func (h *harness) click(t *testing.T, msg *discordgo.Message, user *discordgo.User, perms int64, action string) (string, *discordtest.InteractionResult) {
	t.Helper()
	custom := buttonID(msg, action)
	if custom == "" {
		t.Fatalf("message %s has no %s button: %+v", msg.ID, action, msg.Components)
	}
	id, _ := h.fd.SendInteraction(h.fd.ButtonClick(msg, user, perms, custom))
	return id, h.waitResult(t, id, func(r *discordtest.InteractionResult) bool {
		return r.Modal != nil || (r.Original != nil && !r.Loading)
	})
}

// privateText is the content of the private reply to a click.
func privateText(t *testing.T, res *discordtest.InteractionResult) string {
	t.Helper()
	if !res.Ephemeral || res.Original == nil {
		t.Fatalf("not a private reply: %+v", res)
	}
	return res.Original.Content
}

// votesOn returns the votes on an answer, by user.
func votesOn(t *testing.T, db *knowledge.DB, answerID int64) map[string]int {
	t.Helper()
	fb, err := db.Feedback(context.Background(), knowledge.FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, f := range fb {
		if f.Answer.ID == answerID {
			out[f.UserID] = f.Vote
		}
	}
	return out
}

func answerIDOf(t *testing.T, msg *discordgo.Message) int64 {
	t.Helper()
	custom := buttonID(msg, "up")
	id, err := strconv.ParseInt(strings.TrimPrefix(custom, "answer:up:"), 10, 64)
	if err != nil {
		t.Fatalf("custom id %q: %v", custom, err)
	}
	return id
}

// waitPlaced waits until a posted answer records its messages and returns it.
func (h *harness) waitPlaced(t *testing.T, id int64) *knowledge.PostedAnswer {
	t.Helper()
	var rec *knowledge.PostedAnswer
	h.fd.WaitUntil(t, func() bool {
		var err error
		rec, err = h.db.PostedAnswer(context.Background(), id)
		return err == nil && len(rec.MessageIDs) > 0
	}, wait)
	return rec
}

func TestAnswerButtonsWorkAlsoAfterARestart(t *testing.T) {
	t.Parallel()
	asker := &fakeAsker{}
	h := start(t, bot.Config{}, asker, func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		putSample(t, db)
		real := &knowledge.Answerer{DB: db}
		asker.reply = real.Ask
	})
	for _, restart := range []bool{false, true} {
		name := map[bool]string{false: "running", true: "after a restart"}[restart]
		res := h.waitResult(t, h.ask("Why hasn't Scholz approved Taurus deliveries?", nil), answered)
		msg := res.Original
		id := answerIDOf(t, msg)
		// Every final answer is stored when it is posted, with its evidence.
		rec := h.waitPlaced(t, id)
		if rec.Question != "Why hasn't Scholz approved Taurus deliveries?" || rec.Mode != knowledge.ModeExtractive ||
			rec.AskerID != h.fd.UserID() || rec.GuildID != h.fd.GuildID() || rec.ChannelID != h.fd.ChannelID() ||
			len(rec.MessageIDs) != 1 || rec.MessageIDs[0] != msg.ID || len(rec.Sources) != 1 || rec.Sources[0].ArticleID == 0 ||
			len(rec.Sources[0].PassageIDs) == 0 || rec.Text == "" || rec.ConversationID != msg.ID {
			t.Fatalf("%s: stored answer = %+v", name, rec)
		}
		if restart {
			h.restart(t)
		}

		// Votes: once per member, changeable.
		_, r := h.click(t, msg, nil, 0, "up")
		if got := privateText(t, r); !strings.HasPrefix(got, "Thanks! Your 👍 is recorded") {
			t.Errorf("%s: first vote: %q", name, got)
		}
		_, r = h.click(t, msg, nil, 0, "up")
		if got := privateText(t, r); got != "You already gave this answer a 👍." {
			t.Errorf("%s: same vote again: %q", name, got)
		}
		_, r = h.click(t, msg, nil, 0, "down")
		if got := privateText(t, r); got != "Changed your vote to 👎." {
			t.Errorf("%s: changed vote: %q", name, got)
		}
		_, r = h.click(t, msg, bob, 0, "up")
		if got := privateText(t, r); !strings.HasPrefix(got, "Thanks! Your 👍 is recorded") {
			t.Errorf("%s: bob's vote: %q", name, got)
		}
		if v := votesOn(t, h.db, id); len(v) != 2 || v[h.fd.UserID()] != knowledge.VoteDown || v[bob.ID] != knowledge.VoteUp {
			t.Errorf("%s: votes = %v", name, v)
		}

		// Sources: the full quotes, privately.
		_, r = h.click(t, msg, bob, 0, "sources")
		if !r.Ephemeral || len(r.Original.Embeds) != 1 || r.Original.Embeds[0].Title != "[1] Germany Blames Ukraine War Talks Leak on ‘Individual Error’" ||
			!strings.HasPrefix(r.Original.Embeds[0].Description, "> “Chancellor Olaf Scholz, however, has refrained from approving the deliveries") ||
			r.Original.Embeds[0].Footer == nil || r.Original.Embeds[0].Footer.Text != "Defense News · 2024-03-05" {
			t.Errorf("%s: sources = %+v", name, r.Original)
		}

		// Follow up: a form whose question continues the conversation.
		_, r = h.click(t, msg, carol, 0, "follow-up")
		if r.Modal == nil || !strings.HasPrefix(r.Modal.CustomID, "answer:ask:") || r.Modal.Title != "Follow-up question" {
			t.Fatalf("%s: follow-up form = %+v", name, r.Modal)
		}
		inputs := h.fd.ModalInputs(r.ID)
		if len(inputs) != 1 || inputs[0].CustomID != "question" || !inputs[0].Required || inputs[0].Style != discordgo.TextInputParagraph {
			t.Fatalf("%s: form inputs = %+v", name, inputs)
		}
		asked := len(asker.questions())
		sid, _ := h.fd.SendInteraction(h.fd.ModalSubmit(msg.ChannelID, msg, carol, 0, r.Modal.CustomID, map[string]string{"question": "and what did Pistorius say?"}))
		fr := h.waitResult(t, sid, answered)
		if fr.Ephemeral || fr.Original.Content != "> **Carol** asked: and what did Pistorius say?" || len(buttons(fr.Original)) != 5 {
			t.Errorf("%s: follow-up answer = %+v", name, fr.Original)
		}
		qs := asker.questions()
		if len(qs) != asked+1 || len(qs[asked].History) == 0 || qs[asked].History[len(qs[asked].History)-1].Question != "Why hasn't Scholz approved Taurus deliveries?" {
			t.Errorf("%s: follow-up question = %+v", name, qs[len(qs)-1])
		}

		// Delete: refused to another member, done for the asker (or a
		// member with Manage Messages).
		_, r = h.click(t, msg, bob, discordgo.PermissionSendMessages, "delete")
		if got := privateText(t, r); got != "Only the person who asked, or a member with the Manage Messages permission, can delete this answer." {
			t.Errorf("%s: refusal = %q", name, got)
		}
		if h.fd.Message(msg.ID) == nil {
			t.Fatalf("%s: another member deleted the answer", name)
		}
		user, perms := (*discordgo.User)(nil), int64(0)
		if restart {
			user, perms = carol, discordgo.PermissionManageMessages
		}
		_, r = h.click(t, msg, user, perms, "delete")
		if got := privateText(t, r); got != "I deleted the answer." || h.fd.Message(msg.ID) != nil {
			t.Errorf("%s: delete = %q, message still there: %v", name, got, h.fd.Message(msg.ID) != nil)
		}
		if rec, err := h.db.PostedAnswer(context.Background(), id); err != nil || !rec.Deleted {
			t.Errorf("%s: deleted answer = %+v, %v", name, rec, err)
		}
		// Its votes stay for the operator.
		if v := votesOn(t, h.db, id); len(v) != 2 {
			t.Errorf("%s: votes after delete = %v", name, v)
		}
		if !restart {
			srv := httptest.NewServer(h.b.Handler())
			_, body := get(t, srv.URL+"/metrics")
			srv.Close()
			for _, want := range []string{
				`herald_feedback_votes_total{kind="new",vote="up"} 2`,
				`herald_feedback_votes_total{kind="changed",vote="down"} 1`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		}
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestAnswerListsOneSourcePerArticle(t *testing.T) {
	t.Parallel()
	pub := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	asker := &fakeAsker{reply: func(_ context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		return &knowledge.Answer{Text: "Scholz fears escalation [1]; the leak was an error [2]; Russia used it [3].", Mode: knowledge.ModeLLM,
			Citations: []knowledge.Citation{
				{N: 1, ArticleID: 7, Title: "Leak", Source: "Defense News", URL: "https://example.com/leak", PublishedAt: pub,
					Quote: "Scholz has refrained from approving the deliveries.", Verified: true},
				{N: 2, ArticleID: 7, Title: "Leak", Source: "Defense News", URL: "https://example.com/leak", PublishedAt: pub,
					Quote: "It was an individual error.", Verified: true},
				{N: 3, ArticleID: 9, Title: "Kremlin", Source: "Wire", URL: "https://example.com/kremlin",
					Quotes: []string{"The Kremlin seized on the recording.", "Berlin accused Russia."}, Verified: true},
			}}, nil
	}}
	h := start(t, bot.Config{}, asker)
	res := h.waitResult(t, h.ask("why?", nil), answered)
	text := answerText(res.Original)
	// Markers link to their article.
	if text != "Scholz fears escalation [[1]](https://example.com/leak); the leak was an error [[2]](https://example.com/leak); Russia used it [[3]](https://example.com/kremlin)." {
		t.Errorf("text = %q", text)
	}
	src := sourcesOf(res.Original)
	want := "**[1] [2]** [Leak](https://example.com/leak) · Defense News · <t:1709596800:R>\n" +
		"> “Scholz has refrained from approving the deliveries.”\n> “It was an individual error.”\n" +
		"**[3]** [Kremlin](https://example.com/kremlin) · Wire · undated\n" +
		"> “The Kremlin seized on the recording.”\n> “Berlin accused Russia.”"
	if src == nil || src.Description != want {
		t.Errorf("sources = %+v", src)
	}
	if f := footer(res.Original); !strings.HasPrefix(f, "2 articles · written by the language model · ") {
		t.Errorf("footer = %q", f)
	}
}

func TestMentionDraftThenAbstentionIsPlain(t *testing.T) {
	t.Parallel()
	drafted := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		q.OnDelta("The articles say")
		select {
		case <-drafted:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &knowledge.Answer{Text: "I can't find that in the articles I have.", Abstained: true, Mode: knowledge.ModeLLM}, nil
	}}
	h := start(t, bot.Config{}, asker)
	h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "who won the cup?"))
	var draft *discordgo.Message
	h.fd.WaitUntil(t, func() bool {
		msgs := botMessages(h.fd, h.fd.ChannelID())
		if len(msgs) == 1 && isDraft(msgs[0]) {
			draft = msgs[0]
		}
		return draft != nil
	}, wait)
	if e := draft.Embeds[0]; e.Color != 0xF59E0B || e.Description != "The articles say" || len(draft.Components) != 0 {
		t.Errorf("draft = %+v", e)
	}
	close(drafted)
	var final *discordgo.Message
	h.fd.WaitUntil(t, func() bool {
		final = h.fd.Message(draft.ID)
		return final != nil && !isDraft(final)
	}, wait)
	// An abstention is neither a draft nor an answer: a plain sentence, no
	// embeds, no buttons.
	if final.Content != "I can't find that in the articles I have." || len(final.Embeds) != 0 || len(final.Components) != 0 {
		t.Errorf("abstention = %+v", final)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestFinalAnswerOutlivingItsTokenGoesToTheChannel(t *testing.T) {
	t.Parallel()
	var late atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(late.Load())) }
	drafted := make(chan struct{})
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		q.OnDelta("Slowly")
		select {
		case <-drafted:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The model took 16 minutes: the interaction's token is dead.
		late.Store(int64(16 * time.Minute))
		return &knowledge.Answer{Text: "At last [1].", Mode: knowledge.ModeLLM,
			Citations: []knowledge.Citation{{N: 1, Title: "T", Quote: "q", Verified: true}}}, nil
	}}
	h := start(t, bot.Config{}, asker, func(b *bot.Bot, fd *discordtest.Fake) {
		b.Now = now
		fd.SetClock(now)
	})
	id := h.ask("slow one", nil)
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return r.Original != nil && isDraft(r.Original) })
	draftID := res.Original.ID
	close(drafted)
	var answer *discordgo.Message
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, h.fd.ChannelID()) {
			if len(buttons(m)) == 5 {
				answer = m
			}
		}
		return answer != nil
	}, wait)
	if answer.Content != "> **Alice** asked: slow one" || answerText(answer) != "At last [1]." || answer.Type != discordgo.MessageTypeDefault {
		t.Errorf("answer = %+v", answer)
	}
	// The draft left in the dead interaction is removed; no call went to
	// its token after it died.
	h.fd.WaitUntil(t, func() bool { return h.fd.Message(draftID) == nil }, wait)
	for _, c := range h.fd.CallsMatching(discordtest.Match("", "/webhooks/")) {
		if c.Status == 401 {
			t.Errorf("used the dead token: %s", c)
		}
	}
	// The stored answer points at the channel message, so its buttons work.
	if rec := h.waitPlaced(t, answerIDOf(t, answer)); len(rec.MessageIDs) != 1 || rec.MessageIDs[0] != answer.ID {
		t.Errorf("stored answer = %+v", rec)
	}
}

func TestRequestBodiesCarryOnlyWhatMatters(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{ReplyMode: bot.ReplyModeThread}, answerWith("Fine [1]."), func(b *bot.Bot, _ *discordtest.Fake) {
		putSample(t, b.Library.(*knowledge.DB))
	})
	// An autocomplete result is its choices, nothing else.
	ac, _ := h.fd.SendInteraction(h.fd.Autocomplete(h.fd.GuildID(), h.fd.ChannelID(), nil, 0, "ask",
		discordtest.StringOpt("question", "x"), discordtest.FocusedOpt("source", "def")))
	h.waitResult(t, ac, func(r *discordtest.InteractionResult) bool { return r.Choices != nil })
	cb := h.fd.CallsMatching(discordtest.Match("POST", "/interactions/"+ac+"/"))
	if len(cb) != 1 || string(cb[0].Body) != `{"type":8,"data":{"choices":[{"name":"Defense News","value":"Defense News"}]}}` {
		t.Errorf("autocomplete body = %s", cb[0].Body)
	}
	// A deferral carries its type (and flags when private) only.
	id := h.ask("why?", nil)
	h.waitResult(t, id, answered)
	cb = h.fd.CallsMatching(discordtest.Match("POST", "/interactions/"+id+"/"))
	if len(cb) != 1 || string(cb[0].Body) != `{"type":5}` {
		t.Errorf("deferral body = %s", cb[0].Body)
	}
	// A public thread started on a message carries its name and archive
	// duration, not invitable (private threads only) nor a type.
	qid := h.fd.SendMessage(h.fd.Mention(h.fd.ChannelID(), nil, "why no Taurus?"))
	th := h.fd.WaitFor(t, discordtest.Match("POST", "/channels/"+h.fd.ChannelID()+"/messages/"+qid+"/threads"), wait)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(th.Body, &body); err != nil || len(body) != 2 || body["name"] == nil || string(body["auto_archive_duration"]) != "1440" {
		t.Errorf("thread body = %s", th.Body)
	}
}
