package bot_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
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

	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
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
		Session: s, Asker: asker, Library: db, Conversations: db, Config: cfg,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	// A loaded machine (the race detector, parallel tests) can delay an
	// event by seconds; the 3 s rule has its own test.
	fd.SetInteractionDeadline(time.Minute)
	bot.SetInteractionDeadline(b, time.Minute)
	for _, f := range setup {
		f(b, fd)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{fd: fd, s: s, b: b, db: db, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- b.Run(ctx) }()
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
	h.stopOnce.Do(func() {
		h.cancel()
		select {
		case h.stopErr = <-h.done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
	return h.stopErr
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
// loading and not a streamed preview.
func answered(res *discordtest.InteractionResult) bool {
	return res.Original != nil && !res.Loading && !strings.HasSuffix(res.Original.Content, " …")
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

// assertNoPings checks that every message call carried empty allowed
// mentions and that no message the bot left pings anyone.
func assertNoPings(t *testing.T, fd *discordtest.Fake, channels ...string) {
	t.Helper()
	type allowed struct {
		Parse       *[]string `json:"parse"`
		Users       []string  `json:"users"`
		Roles       []string  `json:"roles"`
		RepliedUser bool      `json:"replied_user"`
	}
	calls := messageCalls(fd)
	if len(calls) == 0 {
		t.Fatal("no message calls recorded")
	}
	for _, c := range calls {
		var body struct {
			AllowedMentions *allowed `json:"allowed_mentions"`
			Data            *struct {
				AllowedMentions *allowed `json:"allowed_mentions"`
			} `json:"data"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			t.Errorf("%s: body %s: %v", c, c.Body, err)
			continue
		}
		am := body.AllowedMentions
		if strings.HasPrefix(c.Path, "/interactions/") && body.Data != nil {
			am = body.Data.AllowedMentions
		}
		if am == nil || am.Parse == nil || len(*am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 || am.RepliedUser {
			t.Errorf("%s sent allowed_mentions %+v: %s", c, am, c.Body)
		}
	}
	for _, ch := range channels {
		for _, m := range fd.Messages(ch) {
			if m.Author == nil || m.Author.ID != fd.BotUserID() {
				continue
			}
			if len(m.Mentions) != 0 || len(m.MentionRoles) != 0 || m.MentionEveryone {
				t.Errorf("message %s pinged: users %v roles %v everyone %v", m.ID, m.Mentions, m.MentionRoles, m.MentionEveryone)
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
