package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

// childEnv, set in the environment of the test binary, makes it run as
// herald (with its arguments) instead of running the tests (see TestMain),
// so that the end-to-end test can start real herald processes without
// building them.
const childEnv = "HERALD_TEST_RUN_AS_HERALD"

// Two servers, one on each of two shards.
const (
	e2eGuild0, e2eChannel0 = discordtest.DefaultGuildID, discordtest.DefaultChannelID // shard 0
	e2eGuild1, e2eChannel1 = "1202402938065125377", "1202402938065125378"             // shard 1
)

// heraldProcess is one `herald serve` running as a child process.
type heraldProcess struct {
	name   string
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// startHerald starts `herald serve` with env (and nothing else of the
// test's environment) as a child process: the test binary itself, or the
// herald binary HERALD_TEST_BINARY names (to measure a real build). The
// test's cleanup kills it if it still runs.
func startHerald(t *testing.T, name string, env map[string]string) *heraldProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if bin := os.Getenv("HERALD_TEST_BINARY"); bin != "" {
		exe = bin
	}
	cmd := exec.Command(exe, "serve")
	cmd.Env = []string{childEnv + "=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &heraldProcess{name: name, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s (pid %d) logs:\n%s", name, cmd.Process.Pid, p.stderr.String())
		}
	})
	return p
}

// pid is the process's ID.
func (p *heraldProcess) pid() int { return p.cmd.Process.Pid }

// waitLog waits until the process has logged want.
func (p *heraldProcess) waitLog(t *testing.T, fd *discordtest.Fake, want string, timeout time.Duration) {
	t.Helper()
	fd.WaitUntil(t, func() bool { return strings.Contains(p.stderr.String(), want) }, timeout)
}

// stop sends sig and waits for the process to exit; it returns its exit status.
func (p *heraldProcess) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not exit after %v", p.name, sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

// rssMiB is the process's resident memory, from /proc (0 where there is none).
func (p *heraldProcess) rssMiB() float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// e2eArticles are the operator's articles the digest and the answers come
// from, published in the last hours.
func e2eArticles(now time.Time) []*knowledge.Article {
	return []*knowledge.Article{
		{URL: "https://harbour.example/ferry-terminal", Title: "Harbour Town approves a new ferry terminal", Source: "Harbour Gazette",
			PublishedAt: now.Add(-time.Hour), Language: "en",
			Text: "The Harbour Town council approved a new ferry terminal on Monday evening. The terminal will cost 12 million euros and open in 2026. " +
				"Councillors said the old pier could no longer take the larger boats that now serve the islands. Work starts in the spring."},
		{URL: "https://valley.example/bridge", Title: "Valley bridge closes for repairs", Source: "Valley Courier",
			PublishedAt: now.Add(-2 * time.Hour), Language: "en",
			Text: "The old stone bridge over the Lenne river closed on Tuesday for six weeks of repairs. Engineers found cracks in two of its arches. " +
				"Drivers are sent over the northern bypass, which adds about ten minutes to the trip into town."},
		{URL: "https://coast.example/storm", Title: "Storm warning for the northern coast", Source: "Coast Radio",
			PublishedAt: now.Add(-3 * time.Hour), Language: "en",
			Text: "The weather service issued a storm warning for the northern coast from Wednesday night. Gusts of up to 110 kilometres an hour are expected. " +
				"The ferry company said crossings to the islands may be cancelled on Thursday morning."},
	}
}

// e2eFeed serves an RSS feed with two items and counts its polls.
func e2eFeed(t *testing.T, now time.Time, polls *atomic.Int32) *httptest.Server {
	t.Helper()
	rss := `<?xml version="1.0"?><rss version="2.0"><channel><title>Island News</title><link>https://islands.example/</link>` +
		item("Island school gets a new roof", "https://islands.example/school-roof", now.Add(-30*time.Minute),
			"The island school on Nordholm got a new roof this week, paid for by the county. Pupils return to their classrooms on Monday after two weeks in the village hall.") +
		item("Lighthouse opens to visitors", "https://islands.example/lighthouse", now.Add(-40*time.Minute),
			"The lighthouse at Nordholm opens to visitors every Saturday from May. The keeper's association runs guided tours of the lamp room and the old fog horn.") +
		`</channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		polls.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(rss))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func item(title, link string, at time.Time, text string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
		title, link, link, at.UTC().Format(time.RFC1123Z), text)
}

// seedShardedDB prepares the database both processes share: the
// articles, a feed of server 0, and a digest of server 1's channel due a
// minute ago.
func seedShardedDB(t *testing.T, dbURL, feedURL string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	db, err := knowledge.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range e2eArticles(now) {
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddFeed(ctx, knowledge.FeedSpec{URL: feedURL, GuildID: e2eGuild0, Keep: true}); err != nil {
		t.Fatal(err)
	}
	due := now.Add(-time.Minute).UTC()
	db.Now = func() time.Time { return now.Add(-10 * time.Minute) } // set before the occurrence, so it counts
	if _, err := db.SetDigestSchedule(ctx, knowledge.DigestSchedule{GuildID: e2eGuild1, ChannelID: e2eChannel1,
		Time: due.Format("15:04"), TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
}

// digestClaim reads the owner, state and lease of the digest's claim, ""
// while there is none.
func digestClaim(t *testing.T, dbURL string) (owner, state string, leaseUntil time.Time) {
	t.Helper()
	driver, dsn, arg := "sqlite", dbURL+"?_pragma=busy_timeout(5000)", "?"
	if strings.HasPrefix(dbURL, "postgres://") {
		driver, dsn, arg = "pgx", dbURL, "$1"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var until int64
	err = db.QueryRow(`SELECT owner, state, lease_until FROM digest_posts WHERE channel_id = `+arg, e2eChannel1).Scan(&owner, &state, &until)
	if err == sql.ErrNoRows {
		return "", "", time.Time{}
	}
	if err != nil {
		t.Fatal(err)
	}
	return owner, state, time.Unix(until, 0)
}

// askAndWait sends /ask in a server and waits for its final answer,
// asking again when a loaded machine made the interaction reach the bot
// after Discord's 3 s; it returns the answer's text.
func askAndWait(t *testing.T, fd *discordtest.Fake, guild, channel, question string) string {
	t.Helper()
	for attempt := 0; attempt < 3; attempt++ {
		id, _ := fd.SendInteraction(fd.SlashCommand(guild, channel, nil, 0, "ask", discordtest.StringOpt("question", question)))
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			res := fd.InteractionResponse(id)
			if res != nil && res.Original != nil && !res.Loading && len(res.Original.Components) > 0 && len(res.Original.Embeds) > 0 {
				return res.Original.Embeds[0].Description
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Fatalf("no answer to %q in server %s", question, guild)
	return ""
}

// channelPosts are the messages the bot posted in a channel, not in answer
// to an interaction.
func channelPosts(fd *discordtest.Fake, channelID string) []*discordgo.Message {
	var out []*discordgo.Message
	for _, m := range fd.Messages(channelID) {
		if m.Author != nil && m.Author.ID == fd.BotUserID() && m.WebhookID == "" {
			out = append(out, m)
		}
	}
	return out
}

// answeredIn counts the answers a process logged in a server.
func answeredIn(p *heraldProcess, guild string) int {
	n := 0
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(l, "msg=answered") && strings.Contains(l, "guild="+guild) {
			n++
		}
	}
	return n
}

// TestTwoProcessesAsShards runs two `herald serve` processes as shards 0
// and 1 of one bot on one database (a PostgreSQL server the test starts,
// and a SQLite file both processes open), against the in-process fake
// Discord sending each server's events to its shard: each answers its own
// server; the feed is polled once; the digest is posted exactly once, also
// when the process holding its claim is killed (SIGKILL) right after
// claiming, while its request to Discord is in flight; the other process
// serves on while the killed one is down, and the restarted one takes the
// digest over.
func TestTwoProcessesAsShards(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two herald processes")
	}
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		srv := testPG.Server(t)
		name, err := srv.CreateDatabase(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		twoProcessesAsShards(t, srv.URL(name))
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		twoProcessesAsShards(t, filepath.Join(t.TempDir(), "herald.db"))
	})
}

// twoProcessesAsShards is TestTwoProcessesAsShards on the database at dbPath.
func twoProcessesAsShards(t *testing.T, dbPath string) {
	now := time.Now()
	var polls atomic.Int32
	feed := e2eFeed(t, now, &polls)
	dir := t.TempDir()
	seedShardedDB(t, dbPath, feed.URL+"/feed.xml", now)

	fd := discordtest.New(t)
	fd.SetInteractionDeadline(time.Minute)
	fd.AddGuild(&discordgo.Guild{ID: e2eGuild1, Name: "Second", OwnerID: fd.UserID(),
		Channels: []*discordgo.Channel{{ID: e2eChannel1, Name: "digest", Type: discordgo.ChannelTypeGuildText}},
		Members:  []*discordgo.Member{{User: fd.User()}}})
	// The digest's first message is held at Discord until the test has
	// killed the process that sent it.
	held := fd.HoldNext("POST", "/channels/"+e2eChannel1+"/messages")

	env := func(shard int) map[string]string {
		return map[string]string{
			"HOME": dir, "HERALD_DB": dbPath, "DISCORD_TOKEN": "e2e-token",
			"HERALD_SHARD_ID": strconv.Itoa(shard), "HERALD_SHARD_COUNT": "2",
			"HERALD_DISCORD_API_URL": fd.URL(), "HERALD_TEST_LEASE": "2s",
			"HERALD_ALLOW_PRIVATE_URLS": "true", "HERALD_COOLDOWN": "0", "HERALD_LOG_LEVEL": "debug",
		}
	}
	procs := [2]*heraldProcess{startHerald(t, "shard 0", env(0)), startHerald(t, "shard 1", env(1))}
	for _, p := range procs {
		p.waitLog(t, fd, "Herald is connected to Discord", 30*time.Second)
	}
	fd.WaitShards(t, 2, 10*time.Second)

	// Each process answers its own server.
	for i, s := range []struct{ guild, channel string }{{e2eGuild0, e2eChannel0}, {e2eGuild1, e2eChannel1}} {
		if got := askAndWait(t, fd, s.guild, s.channel, "How much will the new ferry terminal cost?"); !strings.Contains(got, "12 million euros") {
			t.Errorf("answer in server %s = %q", s.guild, got)
		}
		// The process logs the answer just after its last edit.
		fd.WaitUntil(t, func() bool { return answeredIn(procs[i], s.guild) == 1 }, 10*time.Second)
		if answeredIn(procs[1-i], s.guild) != 0 {
			t.Errorf("server %s was answered by shard %d too", s.guild, 1-i)
		}
	}

	// The digest: one process claimed it and its post is held. Kill that
	// process now.
	held.WaitArrived(t, 30*time.Second)
	owner, state, leaseUntil := digestClaim(t, dbPath)
	killed := -1
	for i, p := range procs {
		if strings.HasSuffix(owner, ":"+strconv.Itoa(p.pid())) {
			killed = i
		}
	}
	if killed < 0 || state != "claimed" {
		t.Fatalf("digest claim owner %q state %q; processes %d and %d", owner, state, procs[0].pid(), procs[1].pid())
	}
	procs[killed].stop(t, syscall.SIGKILL)
	fd.WaitUntil(t, held.Dropped, 10*time.Second)
	held.Release()
	fd.WaitShardGone(t, killed, 10*time.Second)
	if n := len(channelPosts(fd, e2eChannel1)); n != 0 {
		t.Fatalf("%d messages in the digest channel after the kill", n)
	}

	// The other keeps serving its server meanwhile.
	other := 1 - killed
	otherGuild, otherChannel := []string{e2eGuild0, e2eGuild1}[other], []string{e2eChannel0, e2eChannel1}[other]
	if got := askAndWait(t, fd, otherGuild, otherChannel, "How long will the bridge repairs take?"); !strings.Contains(got, "six weeks") {
		t.Errorf("answer while shard %d is down = %q", killed, got)
	}

	// Restarted once the claim's lease has ended (nobody renews it now),
	// the killed shard serves again and takes the digest over: it is
	// posted once.
	time.Sleep(time.Until(leaseUntil.Add(time.Second))) // the lease counts whole seconds
	procs[killed] = startHerald(t, fmt.Sprintf("shard %d again", killed), env(killed))
	procs[killed].waitLog(t, fd, "Herald is connected to Discord", 30*time.Second)
	fd.WaitShards(t, 2, 10*time.Second)
	killedGuild, killedChannel := []string{e2eGuild0, e2eGuild1}[killed], []string{e2eChannel0, e2eChannel1}[killed]
	if got := askAndWait(t, fd, killedGuild, killedChannel, "When does the storm warning start?"); !strings.Contains(got, "Wednesday night") {
		t.Errorf("answer after the restart = %q", got)
	}
	// The feed was polled once, by one of the processes.
	if n := polls.Load(); n != 1 {
		t.Errorf("the feed was polled %d times", n)
	}
	fd.WaitUntil(t, func() bool { _, st, _ := digestClaim(t, dbPath); return st == "posted" }, 30*time.Second)
	msgs := channelPosts(fd, e2eChannel1)
	if len(msgs) == 0 || !strings.Contains(msgs[0].Content, "stories") {
		t.Fatalf("digest messages = %+v", msgs)
	}
	var titles []string
	for _, m := range msgs {
		for _, e := range m.Embeds {
			titles = append(titles, e.Title)
		}
	}
	if len(titles) == 0 {
		t.Error("the digest has no stories")
	}
	for i, ti := range titles {
		for _, tj := range titles[i+1:] {
			if ti == tj {
				t.Errorf("story %q posted twice", ti)
			}
		}
	}
	// The attempt that took the digest over sent it with the nonce of the
	// killed one, so that Discord would have shown it once even had the
	// killed one's message got through.
	nonce := func(c discordtest.Call) string {
		var body struct {
			Nonce   string `json:"nonce"`
			Enforce bool   `json:"enforce_nonce"`
		}
		_ = c.JSON(&body)
		if !body.Enforce {
			return ""
		}
		return body.Nonce
	}
	posts := fd.CallsMatching(func(c discordtest.Call) bool {
		return c.Method == "POST" && c.Path == "/channels/"+e2eChannel1+"/messages" && c.Status == http.StatusOK
	})
	if first := nonce(held.Call()); first == "" || len(posts) == 0 || nonce(posts[0]) != first {
		t.Errorf("the killed attempt's nonce %q, the posted ones %v", first, posts)
	}
	for i, p := range procs {
		t.Logf("shard %d (pid %d): RSS %.1f MiB", i, p.pid(), p.rssMiB())
	}
	for i, p := range procs {
		if code := p.stop(t, syscall.SIGTERM); code != 0 {
			t.Errorf("shard %d exited with %d after SIGTERM", i, code)
		}
	}
}
