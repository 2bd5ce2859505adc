package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

// A second server, on shard 1 of 2 (the fake's default server is on
// shard 0).
const (
	shard1Guild   = "1202402938065125377"
	shard1Channel = "1202402938065125378"
)

// shardedFake is a fake Discord with the default server on shard 0 and a
// second one on shard 1 of 2.
func shardedFake(t *testing.T) *discordtest.Fake {
	t.Helper()
	fd := discordtest.New(t)
	fd.AddGuild(&discordgo.Guild{ID: shard1Guild, Name: "Second", OwnerID: fd.UserID(),
		Channels: []*discordgo.Channel{{ID: shard1Channel, Name: "news", Type: discordgo.ChannelTypeGuildText}},
		Members:  []*discordgo.Member{{User: fd.User()}}})
	fd.SetMaxConcurrency(2)
	fd.SetInteractionDeadline(time.Minute)
	return fd
}

// shardSession is a session attached to fd as shard id of count.
func shardSession(t *testing.T, fd *discordtest.Fake, id, count int) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	fd.Attach(s)
	s.ShardID, s.ShardCount = id, count
	return s
}

// shardedBot is a bot on the given shards' sessions, with an asker that
// names name in its answers.
func shardedBot(db *knowledge.DB, logs *logBuffer, name string, sessions ...*discordgo.Session) *bot.Bot {
	b := &bot.Bot{Shards: sessions, Asker: answerWith("Answered by " + name + " [1]."), Library: db, Conversations: db, Answers: db, Guilds: db,
		Config: bot.Config{Cooldown: -1, StreamInterval: 50 * time.Millisecond}, MaxConcurrency: 2,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	bot.SetInteractionDeadline(b, time.Minute)
	return b
}

// askIn sends /ask in a server's channel and waits for its final answer's text.
func askIn(t *testing.T, fd *discordtest.Fake, guild, channel, question string) string {
	t.Helper()
	id, _ := fd.SendInteraction(fd.SlashCommand(guild, channel, nil, 0, "ask", discordtest.StringOpt("question", question)))
	var text string
	fd.WaitUntil(t, func() bool {
		res := fd.InteractionResponse(id)
		if res == nil || !answered(res) || len(res.Original.Embeds) == 0 {
			return false
		}
		text = res.Original.Embeds[0].Description
		return true
	}, wait)
	return text
}

func healthOf(t *testing.T, url string) (int, bot.Health) {
	t.Helper()
	code, body := get(t, url+"/healthz")
	var h bot.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz body %q: %v", body, err)
	}
	return code, h
}

func commandPuts(fd *discordtest.Fake) int {
	return len(fd.CallsMatching(func(c discordtest.Call) bool {
		return c.Method == "PUT" && strings.HasPrefix(c.Path, "/applications/") && strings.HasSuffix(c.Path, "/commands")
	}))
}

// TestAllShardsInOneProcess runs both shards of a bot in one Bot: each
// answers its own server, the commands are registered once, /healthz and
// /metrics report each shard, and a shard that drops is reported until
// it is back, while the other keeps serving.
func TestAllShardsInOneProcess(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	db := mustOpenDB(t)
	logs := &logBuffer{}
	b := shardedBot(db, logs, "herald", shardSession(t, fd, 1, 2), shardSession(t, fd, 0, 2))
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	if code, h := healthOf(t, srv.URL); code != http.StatusServiceUnavailable || len(h.Shards) != 2 || h.Shards[0].State != "connecting" {
		t.Errorf("/healthz before connecting = %d %+v", code, h)
	}
	run := runBot(b)
	t.Cleanup(func() {
		run.cancel()
		<-run.done
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
	})
	fd.WaitShards(t, 2, wait)
	fd.WaitUntil(t, func() bool { return strings.Contains(logs.String(), "Herald is connected to Discord") }, wait)
	if !strings.Contains(logs.String(), `shards="all 2 shards"`) || !strings.Contains(logs.String(), "servers=2") {
		t.Errorf("start-up log:\n%s", logs.String())
	}

	for _, tc := range []struct{ guild, channel string }{{fd.GuildID(), fd.ChannelID()}, {shard1Guild, shard1Channel}} {
		if got := askIn(t, fd, tc.guild, tc.channel, "who answers?"); !strings.Contains(got, "Answered by herald") {
			t.Errorf("answer in server %s = %q", tc.guild, got)
		}
	}
	if n := commandPuts(fd); n != 1 {
		t.Errorf("the commands were registered %d times", n)
	}
	var shards [][2]int
	for _, id := range fd.Identifies() {
		if id.Shard != nil {
			shards = append(shards, *id.Shard)
		}
	}
	if len(shards) != 2 || shards[0] != [2]int{0, 2} || shards[1] != [2]int{1, 2} {
		t.Errorf("identified as %v, want shard 0 then shard 1 of 2", shards)
	}

	var h bot.Health
	fd.WaitUntil(t, func() bool {
		var code int
		code, h = healthOf(t, srv.URL)
		return code == http.StatusOK
	}, wait)
	if h.Status != "ok" || len(h.Shards) != 2 || h.Shards[0].Shard != 0 || h.Shards[1].Shard != 1 ||
		h.Shards[0].Servers != 1 || h.Shards[1].Servers != 1 || h.Shards[1].Shards != 2 {
		t.Errorf("/healthz = %+v", h)
	}
	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{`herald_gateway_connected{shard="0"} 1`, `herald_gateway_connected{shard="1"} 1`,
		`herald_gateway_servers{shard="1"} 1`, `herald_gateway_latency_seconds{shard="0"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Shard 1 drops and stays away a while: /healthz says so until it is
	// back; shard 0 serves on.
	fd.HoldShard(1)
	fd.DropShard(1)
	fd.WaitUntil(t, func() bool {
		code, h := healthOf(t, srv.URL)
		return code == http.StatusServiceUnavailable && h.Shards[1].State == "disconnected" && h.Shards[0].State == "connected"
	}, wait)
	if got := askIn(t, fd, fd.GuildID(), fd.ChannelID(), "still there?"); !strings.Contains(got, "Answered by herald") {
		t.Errorf("answer while shard 1 is down = %q", got)
	}
	fd.ReleaseShard(1)
	fd.WaitShards(t, 2, 10*time.Second)
	fd.WaitUntil(t, func() bool { code, _ := healthOf(t, srv.URL); return code == http.StatusOK }, wait)
	if got := askIn(t, fd, shard1Guild, shard1Channel, "back?"); !strings.Contains(got, "Answered by herald") {
		t.Errorf("answer after shard 1 resumed = %q", got)
	}
}

// TestOneShardPerProcess runs shard 0 and shard 1 as two Bots on one
// database, as two processes would: each answers its own server only,
// only shard 0 registers the commands, a server joining shard 1 is
// welcomed once, by shard 1, and when shard 1's bot stops shard 0 serves on.
func TestOneShardPerProcess(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	db := mustOpenDB(t)
	logs0, logs1 := &logBuffer{}, &logBuffer{}
	b0 := shardedBot(db, logs0, "shard 0", shardSession(t, fd, 0, 2))
	b1 := shardedBot(db, logs1, "shard 1", shardSession(t, fd, 1, 2))
	runs := runInOrder(t, fd, []*bot.Bot{b0, b1}, []*logBuffer{logs0, logs1})
	run1 := runs[1]
	if !strings.Contains(logs1.String(), `shards="shard 1 of 2"`) {
		t.Errorf("shard 1's start-up log:\n%s", logs1.String())
	}

	if got := askIn(t, fd, fd.GuildID(), fd.ChannelID(), "who answers here?"); !strings.Contains(got, "Answered by shard 0") {
		t.Errorf("answer in shard 0's server = %q", got)
	}
	if got := askIn(t, fd, shard1Guild, shard1Channel, "and here?"); !strings.Contains(got, "Answered by shard 1") {
		t.Errorf("answer in shard 1's server = %q", got)
	}
	if n := commandPuts(fd); n != 1 {
		t.Errorf("the commands were registered %d times", n)
	}
	if gets := fd.CallsMatching(discordtest.Match("GET", "/applications/")); len(gets) == 0 {
		t.Error("shard 1 did not read the registered commands")
	}

	// A new server on shard 1: welcomed once, by shard 1, with the
	// commands as mentions (their IDs read from Discord).
	const guild, general = "1302402938065125377", "1302402938065125378"
	if discordtest.ShardOf(guild, 2) != 1 || bot.ShardOf(guild, 2) != 1 {
		t.Fatalf("server %s is not on shard 1", guild)
	}
	fd.JoinGuild(&discordgo.Guild{ID: guild, Name: "Harbour Town", OwnerID: fd.UserID(),
		Channels: []*discordgo.Channel{{ID: general, Name: "general", Type: discordgo.ChannelTypeGuildText}}})
	fd.WaitUntil(t, func() bool { return strings.Contains(logs1.String(), "introduced itself") }, wait)
	if w := botMessages(fd, general)[0]; len(w.Embeds) != 1 || !strings.Contains(w.Embeds[0].Description, "</ask:") {
		t.Errorf("welcome = %+v", w)
	}
	if n := len(botMessages(fd, general)); n != 1 || strings.Contains(logs0.String(), "introduced itself") {
		t.Error("the welcome did not come from shard 1 alone")
	}

	// Shard 1's process stops: shard 0 keeps answering.
	run1.cancel()
	if err := <-run1.done; err != nil {
		t.Errorf("shard 1's Run = %v", err)
	}
	run1.done <- nil // for the cleanup
	fd.WaitShardGone(t, 1, wait)
	if got := askIn(t, fd, fd.GuildID(), fd.ChannelID(), "alone now?"); !strings.Contains(got, "Answered by shard 0") {
		t.Errorf("answer after shard 1 stopped = %q", got)
	}
}

// TestShardingRequiredSaysWhatToSet: an unsharded bot in too many servers
// is refused with 4011, and the error says what to run and carries
// ErrShardsRequired, for the command line to name the settings.
func TestShardingRequiredSaysWhatToSet(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	fd.SetShardLimit(1)
	logs := &logBuffer{}
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	b := shardedBot(mustOpenDB(t), logs, "x", s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := b.Run(ctx)
	if knowledge.ErrorCode(err) != knowledge.EINVALID || !strings.Contains(knowledge.ErrorMessage(err), "gateway close code 4011") ||
		!strings.Contains(knowledge.ErrorMessage(err), "recommended number of shards") || !errors.Is(err, bot.ErrShardsRequired) {
		t.Fatalf("Run = %v", err)
	}
}

func TestShardOfAgreesWithTheFake(t *testing.T) {
	t.Parallel()
	for _, g := range []string{"", "x", discordtest.DefaultGuildID, shard1Guild, "41771983423143936", "1302402938060931073"} {
		for n := 1; n <= 5; n++ {
			if a, b := bot.ShardOf(g, n), discordtest.ShardOf(g, n); a != b {
				t.Errorf("ShardOf(%q, %d): bot %d, fake %d", g, n, a, b)
			}
		}
	}
}

// TestPostWithANonceIsPostedOnce: a long message posted twice with the
// same nonce (a process that took over another's work posts it again)
// is in the channel once, every part of it.
func TestPostWithANonceIsPostedOnce(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"))
	m := bot.Message{Content: "Today's digest", Nonce: "digest-42"}
	for i := 0; i < 12; i++ {
		m.Embeds = append(m.Embeds, &discordgo.MessageEmbed{Title: "Story", Description: strings.Repeat("A sentence of the story. ", 20)})
	}
	first, err := h.b.Post(context.Background(), h.fd.ChannelID(), m)
	if err != nil || len(first) < 2 {
		t.Fatalf("Post = %d messages, %v", len(first), err)
	}
	again, err := h.b.Post(context.Background(), h.fd.ChannelID(), m)
	if err != nil || len(again) != len(first) {
		t.Fatalf("Post again = %d messages, %v", len(again), err)
	}
	for i := range first {
		if first[i].ID != again[i].ID {
			t.Errorf("part %d posted twice: %s and %s", i, first[i].ID, again[i].ID)
		}
	}
	if n := len(botMessages(h.fd, h.fd.ChannelID())); n != len(first) {
		t.Errorf("%d messages in the channel, want %d", n, len(first))
	}
	var nonces []string
	for _, c := range h.fd.CallsMatching(discordtest.Match("POST", "/channels/")) {
		var body struct {
			Nonce   string `json:"nonce"`
			Enforce bool   `json:"enforce_nonce"`
		}
		_ = c.JSON(&body)
		if !body.Enforce {
			t.Errorf("a part without enforce_nonce: %s", c.Body)
		}
		nonces = append(nonces, body.Nonce)
	}
	if len(nonces) != 2*len(first) || nonces[0] != "digest-42.0" || nonces[1] != "digest-42.1" {
		t.Errorf("nonces %v", nonces)
	}
}

// TestLimitsHoldAcrossProcesses runs shard 0 and shard 1 as two Bots, each
// with its own handle on one database that keeps their limits, as two
// processes do: a user answered by one shard is in cooldown on the other.
func TestLimitsHoldAcrossProcesses(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	db := mustOpenDB(t)
	other, err := knowledge.Open(context.Background(), db.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	logs0, logs1 := &logBuffer{}, &logBuffer{}
	b0 := shardedBot(db, logs0, "shard 0", shardSession(t, fd, 0, 2))
	b1 := shardedBot(other, logs1, "shard 1", shardSession(t, fd, 1, 2))
	b0.Limits, b1.Limits = bot.StoreLimits(db), bot.StoreLimits(other)
	for _, b := range []*bot.Bot{b0, b1} {
		b.Config.Cooldown = time.Minute
	}
	runInOrder(t, fd, []*bot.Bot{b0, b1}, []*logBuffer{logs0, logs1})
	if got := askIn(t, fd, fd.GuildID(), fd.ChannelID(), "first"); !strings.Contains(got, "Answered by shard 0") {
		t.Fatalf("answer = %q", got)
	}
	id, _ := fd.SendInteraction(fd.SlashCommand(shard1Guild, shard1Channel, nil, 0, "ask", discordtest.StringOpt("question", "second")))
	var res *discordtest.InteractionResult
	fd.WaitUntil(t, func() bool { res = fd.InteractionResponse(id); return res != nil && res.Original != nil }, wait)
	if !res.Ephemeral || !strings.HasPrefix(res.Original.Content, "Please wait ") {
		t.Errorf("the other shard's reply = %q (ephemeral %v)", res.Original.Content, res.Ephemeral)
	}
}

// TestFeedPostsComeFromTheShardOfTheirServer runs shard 0 and shard 1 as
// two Bots on one database: a feed of a server on shard 1 is posted to
// its channel by shard 1 only, once.
func TestFeedPostsComeFromTheShardOfTheirServer(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	db := mustOpenDB(t)
	ctx := context.Background()
	logs0, logs1 := &logBuffer{}, &logBuffer{}
	var news0, news1 *bot.News
	b0 := shardedBot(db, logs0, "shard 0", shardSession(t, fd, 0, 2))
	b1 := shardedBot(db, logs1, "shard 1", shardSession(t, fd, 1, 2))
	withServer(&news0, nil)(b0, fd)
	withServer(&news1, nil)(b1, fd)
	runInOrder(t, fd, []*bot.Bot{b0, b1}, []*logBuffer{logs0, logs1})

	f, err := db.AddFeed(ctx, knowledge.FeedSpec{URL: "https://gazette.example/rss", GuildID: shard1Guild, Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetFeedChannel(ctx, shard1Guild, "#1", shard1Channel, ""); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	pollFeed(t, db, f.ID, now.Add(-3*time.Hour), gazette(1, now.Add(-5*time.Hour))) // the backlog
	pollFeed(t, db, f.ID, now.Add(-time.Hour), gazette(2, now.Add(-2*time.Hour)), gazette(3, now.Add(-90*time.Minute)))
	if res := bot.PostFeedsNow(ctx, news0, b0); res.Posted != 0 || res.Failed != 0 {
		t.Errorf("shard 0 posted another shard's feed: %+v", res)
	}
	// A pass leaves a channel its process does not see yet (its state
	// lags a gateway reconnect under load) for the next pass: passes
	// until both are out, none of them failing. The bot's own first pass,
	// late under load, may post some of them: what counts is what the
	// channel holds.
	fd.WaitUntil(t, func() bool {
		res := bot.PostFeedsNow(ctx, news1, b1)
		if res.Failed != 0 {
			t.Errorf("shard 1's pass failed: %+v", res)
		}
		return len(botMessages(fd, shard1Channel)) >= 2 || res.Failed != 0
	}, wait)
	if res := bot.PostFeedsNow(ctx, news0, b0); res.Posted != 0 {
		t.Errorf("shard 0 posted %+v afterwards", res)
	}
	if n := len(botMessages(fd, shard1Channel)); n != 2 {
		t.Errorf("%d posts in the feed's channel, want 2", n)
	}
}

// TestShardsConnectInGroupsOfMaxConcurrency: three shards with a
// max_concurrency of 2 connect as shards 0 and 1, then (after the pause)
// shard 2, and all of them serve.
func TestShardsConnectInGroupsOfMaxConcurrency(t *testing.T) {
	t.Parallel()
	fd := shardedFake(t)
	db := mustOpenDB(t)
	logs := &logBuffer{}
	b := shardedBot(db, logs, "herald", shardSession(t, fd, 2, 3), shardSession(t, fd, 0, 3), shardSession(t, fd, 1, 3))
	bot.SetIdentifyWait(b, 200*time.Millisecond)
	start := time.Now()
	run := runBot(b)
	t.Cleanup(func() { run.cancel(); <-run.done })
	fd.WaitShards(t, 3, wait)
	fd.WaitUntil(t, func() bool { return strings.Contains(logs.String(), "Herald is connected to Discord") }, wait)
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("three shards connected in %v, without the pause after the first two", took)
	}
	var order []int
	for _, id := range fd.Identifies() {
		order = append(order, id.Shard[0])
	}
	if len(order) != 3 || order[0] != 0 || order[1] != 1 || order[2] != 2 {
		t.Errorf("identify order %v", order)
	}
	for _, s := range []struct{ guild, channel string }{{fd.GuildID(), fd.ChannelID()}, {shard1Guild, shard1Channel}} {
		if got := askIn(t, fd, s.guild, s.channel, "who?"); !strings.Contains(got, "Answered by herald") {
			t.Errorf("answer in %s = %q", s.guild, got)
		}
	}
}

// runInOrder runs bots as processes started one after another would run:
// each once the one before it has connected. When the test ends it stops
// them all and waits for them, and shows their logs if the test failed.
func runInOrder(t *testing.T, fd *discordtest.Fake, bots []*bot.Bot, logs []*logBuffer) []*botRun {
	t.Helper()
	var runs []*botRun
	t.Cleanup(func() {
		for _, r := range runs {
			r.cancel()
			<-r.done
		}
		if t.Failed() {
			for i, l := range logs {
				t.Logf("logs of bot %d:\n%s", i, l.String())
			}
		}
	})
	for i, b := range bots {
		runs = append(runs, runBot(b))
		fd.WaitUntil(t, func() bool { return strings.Contains(logs[i].String(), "Herald is connected to Discord") }, wait)
	}
	return runs
}
