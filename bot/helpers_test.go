package bot_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/internal/syncbuf"
	"github.com/herald-bot/herald/knowledge"
)

const wait = 5 * time.Second

// logBuffer collects the bot's logs for assertions and failure reports.
type logBuffer = syncbuf.Buffer

// harness is a bot running against a fake Discord, with a real database.
type harness struct {
	fd   *discordtest.Fake
	s    *discordgo.Session
	b    *bot.Bot
	db   *knowledge.DB
	logs *logBuffer

	run     *botRun
	handled *handledSet
}

// botRun is one run of the bot: until stop cancels it.
type botRun struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// runBot runs b until the run is stopped.
func runBot(b *bot.Bot) *botRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &botRun{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- b.Run(ctx) }()
	return r
}

// handledSet records the events whose handlers returned (see bot.OnHandled).
type handledSet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *handledSet) add(_, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[id] = true
}

func (s *handledSet) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// waitHandled waits until the bot's handlers of the events ids returned.
func (h *harness) waitHandled(t *testing.T, ids ...string) {
	t.Helper()
	h.fd.WaitUntil(t, func() bool {
		for _, id := range ids {
			if !h.handled.has(id) {
				return false
			}
		}
		return true
	}, wait)
}

// mustOpenDB opens a fresh database in a temporary folder.
func mustOpenDB(t *testing.T) *knowledge.DB {
	t.Helper()
	db, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// putSample stores the sample article (Defense News on the Taurus leak).
func putSample(t *testing.T, db *knowledge.DB) *knowledge.Article {
	t.Helper()
	raw, err := os.ReadFile("testdata/defense-news-taurus-leak.md")
	if err != nil {
		t.Fatal(err)
	}
	a, err := knowledge.ParseTextArticle(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// start runs a bot on a fake Discord until the test ends. setup may change
// the bot (and the fake) before it connects.
func start(t *testing.T, cfg bot.Config, asker bot.Asker, setup ...func(*bot.Bot, *discordtest.Fake)) *harness {
	t.Helper()
	return startOn(t, discordtest.New(t), mustOpenDB(t), cfg, asker, setup...)
}

// startOn runs a bot like start, on a given fake Discord and database: a
// second bot on the ones of a stopped harness is that bot restarted.
func startOn(t *testing.T, fd *discordtest.Fake, db *knowledge.DB, cfg bot.Config, asker bot.Asker, setup ...func(*bot.Bot, *discordtest.Fake)) *harness {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	fd.Attach(s)
	logs := &logBuffer{}
	if cfg.Cooldown == 0 {
		cfg.Cooldown = -1
	}
	if cfg.StreamInterval == 0 {
		cfg.StreamInterval = 50 * time.Millisecond
	}
	if cfg.GuildID == "" {
		cfg.GuildID = fd.GuildID()
	}
	b := &bot.Bot{
		Session: s, Asker: asker, Library: db, Conversations: db, Answers: db, Config: cfg,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	// A loaded machine (the race detector, parallel tests) can delay an
	// event by seconds; the 3 s rule has its own test.
	fd.SetInteractionDeadline(time.Minute)
	bot.SetInteractionDeadline(b, time.Minute)
	handled := &handledSet{ids: map[string]bool{}}
	bot.OnHandled(b, handled.add)
	for _, f := range setup {
		f(b, fd)
	}
	h := &harness{fd: fd, s: s, b: b, db: db, logs: logs, run: runBot(b), handled: handled}
	t.Cleanup(func() {
		h.stop(t)
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
	})
	fd.WaitSessionReady(t, s, wait)
	fd.WaitUntil(t, func() bool { return strings.Contains(logs.String(), "Herald is connected to Discord") }, wait)
	return h
}

// stop cancels Run and returns its result; it may be called more than once.
func (h *harness) stop(t *testing.T) error {
	t.Helper()
	r := h.run
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return r.err
}

// restart stops the bot and starts a new one, with a new Discord session,
// on the same database and fake Discord: nothing survives in memory.
func (h *harness) restart(t *testing.T) {
	t.Helper()
	if err := h.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	connected := strings.Count(h.logs.String(), "Herald is connected to Discord")
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	h.fd.Attach(s)
	old := h.b
	b := &bot.Bot{Session: s, Asker: old.Asker, Library: h.db, Conversations: h.db, Answers: h.db, Config: old.Config, Logger: old.Logger}
	bot.SetInteractionDeadline(b, time.Minute)
	bot.OnHandled(b, h.handled.add)
	h.s, h.b, h.run = s, b, runBot(b)
	h.fd.WaitSessionReady(t, s, wait)
	h.fd.WaitUntil(t, func() bool { return strings.Count(h.logs.String(), "Herald is connected to Discord") > connected }, wait)
}

// ask sends /ask from user (nil: alice) with perms and returns the interaction ID.
func (h *harness) ask(question string, user *discordgo.User, opts ...*discordgo.ApplicationCommandInteractionDataOption) string {
	opts = append([]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOpt("question", question)}, opts...)
	id, _ := h.fd.SendInteraction(h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), user, 0, "ask", opts...))
	return id
}

// waitResult waits until the interaction's result satisfies cond and returns it.
func (h *harness) waitResult(t *testing.T, id string, cond func(*discordtest.InteractionResult) bool) *discordtest.InteractionResult {
	t.Helper()
	var res *discordtest.InteractionResult
	h.fd.WaitUntil(t, func() bool {
		res = h.fd.InteractionResponse(id)
		return res != nil && cond(res)
	}, wait)
	return res
}

// answered reports whether the original response has its final form: not
// loading and not a draft.
func answered(res *discordtest.InteractionResult) bool {
	return res.Original != nil && !res.Loading && !isDraft(res.Original)
}

// fakeAsker answers with a function and records the questions it got.
type fakeAsker struct {
	mu    sync.Mutex
	qs    []knowledge.Question
	reply func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error)
}

func (f *fakeAsker) Ask(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
	f.mu.Lock()
	f.qs = append(f.qs, q)
	f.mu.Unlock()
	return f.reply(ctx, q)
}

func (f *fakeAsker) questions() []knowledge.Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]knowledge.Question(nil), f.qs...)
}

// answerWith returns a fake asker that always gives text with one source.
func answerWith(text string) *fakeAsker {
	return &fakeAsker{reply: func(_ context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		return &knowledge.Answer{Question: q.Text, Text: text, Mode: knowledge.ModeLLM, Tokens: 10, Citations: []knowledge.Citation{{
			N: 1, Title: "Germany Blames Ukraine War Talks Leak on ‘Individual Error’", Source: "Defense News",
			URL: "https://www.defensenews.com/global/europe/2024/03/05/leak/", PublishedAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
			Quote: "Chancellor Olaf Scholz, however, has refrained from approving the deliveries.", Verified: true,
		}}}, nil
	}}
}

// messageCalls are the REST calls that create or edit a message.
func messageCalls(fd *discordtest.Fake) []discordtest.Call {
	var out []discordtest.Call
	for _, c := range fd.Calls() {
		switch {
		case c.Method == "POST" && strings.HasPrefix(c.Path, "/interactions/"),
			(c.Method == "POST" || c.Method == "PATCH") && strings.HasPrefix(c.Path, "/webhooks/"),
			c.Method == "POST" && strings.HasPrefix(c.Path, "/channels/") && strings.HasSuffix(c.Path, "/messages"),
			c.Method == "PATCH" && strings.HasPrefix(c.Path, "/channels/") && strings.Contains(c.Path, "/messages/"):
			out = append(out, c)
		}
	}
	return out
}

// assertNoPings checks that every message call that carried content
// carried empty allowed mentions (a reply may notify the replied-to asker,
// nobody else), and that no message the bot left pings anyone but the
// author of the message it replies to.
func assertNoPings(t *testing.T, fd *discordtest.Fake, channels ...string) {
	t.Helper()
	type allowed struct {
		Parse       *[]string `json:"parse"`
		Users       []string  `json:"users"`
		Roles       []string  `json:"roles"`
		RepliedUser bool      `json:"replied_user"`
	}
	type msgBody struct {
		Content         *string          `json:"content"`
		AllowedMentions *allowed         `json:"allowed_mentions"`
		Reference       *json.RawMessage `json:"message_reference"`
	}
	calls := messageCalls(fd)
	if len(calls) == 0 {
		t.Fatal("no message calls recorded")
	}
	for _, c := range calls {
		var body struct {
			msgBody
			Data *msgBody `json:"data"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Errorf("%s: body %s: %v", c, c.Body, err)
			continue
		}
		b := body.msgBody
		if strings.HasPrefix(c.Path, "/interactions/") {
			if body.Data == nil {
				continue // a deferral: nothing shown
			}
			b = *body.Data
		}
		am := b.AllowedMentions
		if b.Content == nil {
			if am != nil && am.Parse != nil && len(*am.Parse) != 0 {
				t.Errorf("%s allows mentions: %s", c, c.Body)
			}
			continue
		}
		if am == nil || am.Parse == nil || len(*am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 {
			t.Errorf("%s sent allowed_mentions %+v: %s", c, am, c.Body)
			continue
		}
		reply := strings.HasPrefix(c.Path, "/channels/") && (c.Method == "PATCH" || b.Reference != nil)
		if am.RepliedUser && !reply {
			t.Errorf("%s notifies a replied user without replying: %s", c, c.Body)
		}
	}
	for _, ch := range channels {
		for _, m := range fd.Messages(ch) {
			if m.Author == nil || m.Author.ID != fd.BotUserID() {
				continue
			}
			asker := ""
			if m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil {
				asker = m.ReferencedMessage.Author.ID
			}
			for _, u := range m.Mentions {
				if u.ID != asker {
					t.Errorf("message %s pinged user %s", m.ID, u.ID)
				}
			}
			if len(m.MentionRoles) != 0 || m.MentionEveryone {
				t.Errorf("message %s pinged: roles %v everyone %v", m.ID, m.MentionRoles, m.MentionEveryone)
			}
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newLogger(l *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// private returns the ephemeral message an interaction ended with: the
// original response, or the follow-up that replaced a deleted public one.
func private(res *discordtest.InteractionResult) *discordgo.Message {
	if res.Original != nil && res.Ephemeral && !res.Loading {
		return res.Original
	}
	for i := len(res.Followups) - 1; i >= 0; i-- {
		if res.Followups[i].Flags&discordgo.MessageFlagsEphemeral != 0 {
			return res.Followups[i]
		}
	}
	return nil
}

// waitPrivate waits for the ephemeral message an interaction ends with.
func (h *harness) waitPrivate(t *testing.T, id string) (*discordtest.InteractionResult, *discordgo.Message) {
	t.Helper()
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool { return private(r) != nil })
	return res, private(res)
}

// isDraft reports whether a message shows an answer still being written.
func isDraft(m *discordgo.Message) bool {
	for _, e := range m.Embeds {
		if e.Title == "Writing…" {
			return true
		}
	}
	return false
}

// answerEmbeds returns the embeds of a message that show answer text: the
// untitled ones (a draft's is titled "Writing…", the sources "Sources").
func answerEmbeds(m *discordgo.Message) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for _, e := range m.Embeds {
		if e.Title == "" {
			out = append(out, e)
		}
	}
	return out
}

// answerText is the answer text a message shows, its parts joined.
func answerText(m *discordgo.Message) string {
	var parts []string
	for _, e := range answerEmbeds(m) {
		parts = append(parts, e.Description)
	}
	return strings.Join(parts, "\n\n")
}

// unlinked removes the links of masked [n] markers: "[[1]](url)" -> "[1]".
func unlinked(s string) string { return maskedMarker.ReplaceAllString(s, "$1") }

var maskedMarker = regexp.MustCompile(`\[(\[\d+\])\]\([^)]*\)`)

// footer is the footer of a message's last answer embed, or "".
func footer(m *discordgo.Message) string {
	es := answerEmbeds(m)
	if len(es) == 0 || es[len(es)-1].Footer == nil {
		return ""
	}
	return es[len(es)-1].Footer.Text
}

// sourcesOf returns a message's "Sources" embed, or nil.
func sourcesOf(m *discordgo.Message) *discordgo.MessageEmbed {
	for _, e := range m.Embeds {
		if e.Title == "Sources" {
			return e
		}
	}
	return nil
}

// buttons returns the buttons of a message by custom ID prefix
// ("answer:up", …), in order, as Discord returns them.
func buttons(m *discordgo.Message) []*discordgo.Button {
	var out []*discordgo.Button
	for _, c := range m.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, rc := range row.Components {
			if b, ok := rc.(*discordgo.Button); ok {
				out = append(out, b)
			}
		}
	}
	return out
}

// buttonID returns the custom ID of a message's button whose custom ID
// starts with "answer:"+action+":", or "".
func buttonID(m *discordgo.Message, action string) string {
	for _, b := range buttons(m) {
		if strings.HasPrefix(b.CustomID, "answer:"+action+":") {
			return b.CustomID
		}
	}
	return ""
}
