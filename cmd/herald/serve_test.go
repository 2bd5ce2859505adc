package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/internal/syncbuf"
)

// syncBuffer is a buffer safe for a writer and a reader at once.
type syncBuffer = syncbuf.Buffer

func TestServeNeedsAToken(t *testing.T) {
	t.Parallel()
	_, errOut, err := runHerald(t, testEnv(t), "serve")
	if err == nil || !strings.Contains(errOut, "DISCORD_TOKEN is not set") {
		t.Errorf("serve without a token: %v\n%s", err, errOut)
	}
}

func TestServeConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"HERALD_DISCORD_GUILD": "1202402938060931073", "HERALD_DISCORD_REPLY_MODE": "Thread",
		"HERALD_DISCORD_MESSAGE_CONTENT": "true", "HERALD_HTTP_ADDR": "127.0.0.1:9090",
		"HERALD_COOLDOWN": "0", "HERALD_GUILD_CONCURRENCY": "5", "HERALD_GUILD_DAILY_TOKENS": "20000",
		"HERALD_SHUTDOWN_GRACE": "30s",
	}
	cfg, err := serveConfig(func(k string) string { return env[k] })
	want := bot.Config{GuildID: "1202402938060931073", ReplyMode: bot.ReplyModeThread, MessageContent: true,
		HTTPAddr: "127.0.0.1:9090", Cooldown: -1, GuildConcurrency: 5, GuildDailyTokens: 20000, ShutdownGrace: 30 * time.Second}
	if err != nil || cfg != want {
		t.Errorf("serveConfig = %+v, %v; want %+v", cfg, err, want)
	}
	for k, v := range map[string]string{
		"HERALD_DISCORD_GUILD":      "my-server",
		"HERALD_DISCORD_REPLY_MODE": "dm",
		"HERALD_COOLDOWN":           "five",
		"HERALD_GUILD_CONCURRENCY":  "-1",
		"HERALD_GUILD_DAILY_TOKENS": "lots",
	} {
		_, err := serveConfig(func(name string) string {
			if name == k {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

func TestServeAnswersOnDiscordAndStopsCleanly(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	if out, errOut, err := runHerald(t, env, "ingest", "sample/defense-news-taurus-leak.md"); err != nil {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, errOut)
	}
	fd := discordtest.New(t)
	fd.SetInteractionDeadline(time.Minute) // a loaded test machine can be slow
	var tok [8]byte
	_, _ = rand.Read(tok[:])
	token := "serve-test-" + hex.EncodeToString(tok[:])
	sessionHooks.Store(token, func(s *discordgo.Session) { fd.Attach(s) })
	t.Cleanup(func() { sessionHooks.Delete(token) })
	env["DISCORD_TOKEN"] = token
	env["HERALD_DISCORD_GUILD"] = fd.GuildID()
	env["HERALD_HTTP_ADDR"] = "127.0.0.1:0"
	env["HERALD_LOG_LEVEL"] = "debug"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
	}()
	fd.WaitUntil(t, func() bool { return strings.Contains(stderr.String(), "Herald is connected to Discord") }, 10*time.Second)
	if cmds := fd.Commands(fd.GuildID()); len(cmds) < 3 {
		t.Errorf("registered commands = %v", cmds)
	}

	// /healthz on the address the log names.
	addr := regexp.MustCompile(`serving /healthz and /metrics" addr=(\S+)`).FindStringSubmatch(stderr.String())
	if addr == nil {
		t.Fatalf("no metrics address in the log:\n%s", stderr.String())
	}
	fd.WaitUntil(t, func() bool {
		resp, err := http.Get("http://" + addr[1] + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode == 200
	}, 5*time.Second)

	// The bot answers /ask from the ingested sample. Under heavy load an
	// interaction can reach the bot after Discord's 3 s and be skipped; ask again then.
	var answer string
	for attempt := 0; attempt < 3 && answer == ""; attempt++ {
		id, _ := fd.SendInteraction(fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask",
			discordtest.StringOpt("question", "Why hasn't Scholz approved Taurus deliveries?")))
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			res := fd.InteractionResponse(id)
			if res != nil && res.Original != nil && !res.Loading && len(res.Original.Components) > 0 {
				// The answer is in the first embed, below the question.
				answer = res.Original.Embeds[0].Description
				break
			}
			if strings.Contains(stderr.String(), "interaction="+id+" age=") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !strings.Contains(answer, "Chancellor Olaf Scholz, however, has refrained from approving the deliveries") || !strings.Contains(answer, "[1]") {
		t.Errorf("answer = %q", answer)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if fd.Connected() {
		t.Error("the gateway is still connected")
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("the token is in the log")
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr.String())
	}
}
