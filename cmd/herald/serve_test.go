package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

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
	env["DISCORD_TOKEN"] = serveToken(t, "serve-test-"+hex.EncodeToString(tok[:]), fd.Attach)
	env["HERALD_DISCORD_GUILD"] = fd.GuildID()
	env["HERALD_HTTP_ADDR"] = "127.0.0.1:0"
	env["HERALD_LOG_LEVEL"] = "debug"

	cancel, done, stderr := startServe(t, env)
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

	stopServe(t, cancel, done, stderr)
	if fd.Connected() {
		t.Error("the gateway is still connected")
	}
	if strings.Contains(stderr.String(), env["DISCORD_TOKEN"]) {
		t.Error("the token is in the log")
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr.String())
	}
}

// closedAddr is an address nothing listens on: connections are refused.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestServeFailsFastAndSaysWhy runs serve against a Discord that cannot be
// reached or refuses the token: it must exit with status 1 within
// seconds, with one line naming the cause, and stop what it started.
func TestServeFailsFastAndSaysWhy(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() })
	takenAddr := taken.Addr().String()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, s *discordgo.Session)
		want  string
	}{
		{"refused", func(t *testing.T, s *discordgo.Session) {
			addr := closedAddr(t)
			s.Client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}}
		}, "Cannot connect to Discord: discord.com refused the connection."},
		{"dns", func(t *testing.T, s *discordgo.Session) {
			s.Client = &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "discord.com", IsNotFound: true}}
			}}}
		}, "Cannot connect to Discord: the name discord.com cannot be resolved (DNS: no such host)"},
		{"proxy", func(t *testing.T, s *discordgo.Session) {
			proxy := &url.URL{Scheme: "http", Host: closedAddr(t)}
			s.Client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
		}, "Cannot connect to Discord: the proxy (HTTPS_PROXY) refused the connection"},
		{"401", func(t *testing.T, s *discordgo.Session) {
			fd := discordtest.New(t)
			fd.Attach(s)
			fd.FailNext("GET", "/gateway", http.StatusUnauthorized, `{"message": "401: Unauthorized", "code": 0}`)
		}, "Discord rejected the bot token. Check the token, or get a new one in the developer portal (your application -> Bot -> Reset Token). The token is DISCORD_TOKEN."},
		{"close 4004", func(t *testing.T, s *discordgo.Session) {
			fd := discordtest.New(t)
			fd.Attach(s)
			s.Token, s.Identify.Token = "", "" // the fake closes the gateway with 4004 for an empty token
		}, "Discord rejected the bot token (gateway close code 4004). Check the token, or get a new one in the developer portal (your application -> Bot -> Reset Token). The token is DISCORD_TOKEN."},
		{"metrics address taken", func(t *testing.T, s *discordgo.Session) {
			fd := discordtest.New(t)
			fd.Attach(s)
		}, "Cannot serve /healthz and /metrics on " + takenAddr + ". The address is HERALD_HTTP_ADDR."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t)
			token := serveToken(t, "fail-fast-"+strings.ReplaceAll(tc.name, " ", "-")+"-"+hex.EncodeToString([]byte(t.Name()))[:8],
				func(s *discordgo.Session) { tc.setup(t, s) })
			env["DISCORD_TOKEN"] = token
			env["HERALD_LOG_LEVEL"] = "error"
			if tc.name == "metrics address taken" {
				env["HERALD_HTTP_ADDR"] = takenAddr
			}
			start := time.Now()
			_, done, stderr := startServe(t, env)
			var err error
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("serve is still running after 15s:\n%s", stderr.String())
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("serve took %v to fail", took)
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if strings.HasPrefix(l, "herald:") {
					lines = append(lines, l)
				}
			}
			if exitCode(err) != 1 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("exit %d, want 1 and one line with %q:\n%s", exitCode(err), tc.want, stderr.String())
			}
			if strings.Contains(stderr.String(), token) {
				t.Error("the token is in the output")
			}
		})
	}
}

func TestDiscordCause(t *testing.T) {
	t.Parallel()
	refused := &url.Error{Op: "Get", URL: "https://discord.com/api/v9/gateway", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	timeout := &url.Error{Op: "Get", URL: "https://discord.com/api/v9/gateway", Err: context.DeadlineExceeded}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{refused, "discord.com refused the connection"},
		{timeout, "discord.com did not answer in time"},
		{&url.Error{Op: "Get", URL: "https://discord.com/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}}, "the network is unreachable"},
		{&websocket.CloseError{Code: 4000, Text: "Unknown error"}, "the gateway closed the connection (code 4000: Unknown error)"},
		{errors.New("something odd."), "something odd"},
	} {
		if got := discordCause(tc.err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("discordCause(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestServeAutoShards runs serve with HERALD_SHARD_COUNT=auto against a
// fake Discord that requires two shards: one process connects both, and
// /healthz lists them; unsharded, the same bot is refused with a line
// that says to set HERALD_SHARD_COUNT.
func TestServeAutoShards(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	fd.AddGuild(&discordgo.Guild{ID: "1202402938065125377", Name: "Second", OwnerID: fd.UserID(),
		Channels: []*discordgo.Channel{{ID: "1202402938065125378", Name: "news", Type: discordgo.ChannelTypeGuildText}}})
	fd.SetShardLimit(1)
	fd.SetMaxConcurrency(2)
	token := serveToken(t, "auto-shards-"+hex.EncodeToString([]byte(t.Name()))[:8], fd.Attach)

	env := testEnv(t)
	env["DISCORD_TOKEN"] = token
	env["HERALD_LOG_LEVEL"] = "error"
	_, errOut, err := runHerald(t, env, "serve")
	if exitCode(err) != 1 || !strings.Contains(errOut, "gateway close code 4011") || !strings.Contains(errOut, "HERALD_SHARD_COUNT=auto") {
		t.Errorf("unsharded: exit %d\n%s", exitCode(err), errOut)
	}

	env["HERALD_SHARD_COUNT"] = "auto"
	env["HERALD_HTTP_ADDR"] = "127.0.0.1:0"
	env["HERALD_LOG_LEVEL"] = "info"
	cancel, done, stderr := startServe(t, env)
	fd.WaitUntil(t, func() bool { return strings.Contains(stderr.String(), "Herald is connected to Discord") }, 15*time.Second)
	fd.WaitShards(t, 2, 5*time.Second)
	addr := regexp.MustCompile(`serving /healthz and /metrics" addr=(\S+)`).FindStringSubmatch(stderr.String())
	if addr == nil {
		t.Fatalf("no metrics address in the log:\n%s", stderr.String())
	}
	var body string
	fd.WaitUntil(t, func() bool {
		resp, err := http.Get("http://" + addr[1] + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == 200
	}, 5*time.Second)
	for _, want := range []string{`"shard":0,"shards":2,"state":"connected","servers":1`, `"shard":1,"shards":2,"state":"connected","servers":1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/healthz lacks %s:\n%s", want, body)
		}
	}
	if !strings.Contains(stderr.String(), `shards="all 2"`) {
		t.Errorf("the start-up log does not name the shards:\n%s", stderr.String())
	}
	stopServe(t, cancel, done, stderr)
	if fd.Connected() {
		t.Error("a shard is still connected")
	}
}

// serveToken registers token as a DISCORD_TOKEN whose sessions hook sets
// up (attaches to a fake Discord) until the test ends, and returns it.
func serveToken(t *testing.T, token string, hook func(*discordgo.Session)) string {
	t.Helper()
	sessionHooks.Store(token, hook)
	t.Cleanup(func() { sessionHooks.Delete(token) })
	return token
}

// startServe runs `herald serve` with env in the background until cancel
// (also called when the test ends); done receives its error.
func startServe(t *testing.T, env map[string]string) (cancel context.CancelFunc, done <-chan error, stderr *syncBuffer) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var stdout syncBuffer
	stderr = &syncBuffer{}
	ch := make(chan error, 1)
	go func() {
		ch <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, stderr)
	}()
	return cancel, ch, stderr
}

// stopServe interrupts a running serve (cancel) and checks that it ends
// (done) without an error within 30 seconds.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan error, stderr *syncBuffer) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
