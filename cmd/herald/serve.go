package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

// sessionHooks lets tests point a serve's Discord session at a fake
// Discord: a hook stored under a token is called with the session created
// for that token, before it connects. Production code stores nothing here.
var sessionHooks sync.Map // token -> func(*discordgo.Session)

func runServe(ctx context.Context, e *env) error {
	fs := newFlags(e, "serve", "", `Runs Herald as a Discord bot until interrupted (SIGINT or SIGTERM): it answers
/ask and mentions with cited answers, /search and /sources, polls the feeds
and posts the scheduled digests. When Discord cannot be reached or refuses
the token, it exits at once with status 1 and says why.

Environment:
  DISCORD_TOKEN                   the bot's token (required)
  HERALD_DISCORD_GUILD            register the slash commands in this server only
                                  (instant updates); globally when unset
  HERALD_DISCORD_REPLY_MODE       reply (default) or thread: where mentions are answered
  HERALD_DISCORD_MESSAGE_CONTENT  true to ask for the privileged Message Content intent
  HERALD_HTTP_ADDR                serve /healthz and /metrics, e.g. 127.0.0.1:9090
  HERALD_COOLDOWN                 time a user waits between questions (default 5s, 0 = none)
  HERALD_GUILD_CONCURRENCY        questions answered at once per server (default 3, 0 = no limit)
  HERALD_GUILD_DAILY_TOKENS       model tokens per server per day, then extractive (0 = no limit)
  HERALD_SHUTDOWN_GRACE           time to finish answers when stopping (default 10s, 0 = none)
  HERALD_SHARD_COUNT              the bot's number of shards, or auto: Discord's recommended
                                  number, all run in this process (default 1)
  HERALD_SHARD_ID                 this process's shard, 0 to HERALD_SHARD_COUNT-1 (one process
                                  per shard, all on one database)`)
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	token := e.cfg.Discord.Token
	if token == "" {
		return knowledge.Errorf(knowledge.EINVALID, "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications (your application -> Bot -> Reset Token) and put its token in DISCORD_TOKEN.")
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	an, err := newAnswerer(e, db, knowledge.AskAuto, true)
	if err != nil {
		return err
	}
	sessions, maxConcurrency, err := discordSessions(ctx, e)
	if err != nil {
		return explainDiscordError(err)
	}
	mode := knowledge.ModeExtractive
	if an.Completer != nil {
		mode = knowledge.ModeLLM
	}
	// The limits are kept in the database, so that they hold across every
	// process of the bot (and across restarts).
	b := &bot.Bot{Shards: sessions, MaxConcurrency: maxConcurrency, Asker: an, Library: db, Conversations: db, Guilds: db, Answers: db,
		Limits: bot.StoreLimits(db), Logger: db.Logger, Config: e.cfg.Discord.Bot}

	// What serve starts in the background stops with the bot, whether it
	// stopped on a signal or failed to start: serve waits for all of it.
	bg, stopBackground := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopBackground()
	db.PrepareSearch()
	if db.Embedder != nil {
		// Load the vector index in the background so that start-up stays
		// instant and the first question does not wait for it.
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.LoadVectors(bg, db.Embedder.Model()); err != nil && bg.Err() == nil {
				db.Logger.Warn("cannot load the vector index; it will load on first use", "err", err)
			}
		}()
	}
	db.Logger.Info("starting Herald on Discord", "db", db.Path, "answers", mode, "shards", shardsNote(sessions))
	// Feeds, summaries and digests: their commands, the feed poller and the
	// digest scheduler.
	if err := startNews(bg, e, db, b, &wg); err != nil {
		return err
	}
	if err := b.Run(ctx); err != nil {
		return explainDiscordError(err)
	}
	return nil
}

// newDiscordSession creates a session with the token, pointed at
// HERALD_DISCORD_API_URL when a test sets it.
func newDiscordSession(e *env) (*discordgo.Session, error) {
	token := e.cfg.Discord.Token
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINTERNAL, "Cannot create the Discord session.", err)
	}
	if e.cfg.Discord.APIURL != "" {
		base, err := url.Parse(e.cfg.Discord.APIURL)
		if err != nil {
			return nil, knowledge.WrapError(knowledge.EINVALID, "HERALD_DISCORD_API_URL is not a URL.", err)
		}
		s.Client = &http.Client{Timeout: 20 * time.Second, Transport: apiRedirect{base: base, next: http.DefaultTransport}}
	}
	if hook, ok := sessionHooks.Load(token); ok {
		hook.(func(*discordgo.Session))(s)
	}
	return s, nil
}

// discordSessions creates the sessions of the shards this process runs:
// one, unsharded or shard HERALD_SHARD_ID of HERALD_SHARD_COUNT; or, with
// HERALD_SHARD_COUNT=auto, as many as Discord recommends, with how many of
// them may connect at once.
func discordSessions(ctx context.Context, e *env) ([]*discordgo.Session, int, error) {
	sc := e.cfg.Discord.Shard
	first, err := newDiscordSession(e)
	if err != nil {
		return nil, 0, err
	}
	if !sc.Auto {
		first.ShardID, first.ShardCount = sc.ID, max(sc.Count, 1)
		return []*discordgo.Session{first}, 1, nil
	}
	count, maxConcurrency, err := bot.RecommendedShards(ctx, first)
	if err != nil {
		return nil, 0, err
	}
	sessions := []*discordgo.Session{first}
	for i := 1; i < count; i++ {
		s, err := newDiscordSession(e)
		if err != nil {
			return nil, 0, err
		}
		sessions = append(sessions, s)
	}
	for i, s := range sessions {
		s.ShardID, s.ShardCount = i, count
	}
	return sessions, maxConcurrency, nil
}

// shardsNote names the shards of this process for the start-up log.
func shardsNote(sessions []*discordgo.Session) string {
	if len(sessions) == 0 || sessions[0].ShardCount <= 1 {
		return "unsharded"
	}
	if len(sessions) > 1 {
		return fmt.Sprintf("all %d", len(sessions))
	}
	return fmt.Sprintf("%d of %d", sessions[0].ShardID, sessions[0].ShardCount)
}

// apiRedirect sends every request to base's scheme and host, keeping its
// path and query (HERALD_DISCORD_API_URL, for tests).
type apiRedirect struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip sends a copy of req to the redirected host.
func (t apiRedirect) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
	return t.next.RoundTrip(r)
}

// explainDiscordError adds the cause to "Cannot connect to Discord.", in
// words an operator can act on: DNS, a refused connection, the proxy, a
// timeout, TLS, or what Discord answered.
func explainDiscordError(err error) error {
	if knowledge.ErrorCode(err) != knowledge.EUNAVAILABLE || !strings.HasPrefix(knowledge.ErrorMessage(err), "Cannot connect to Discord") {
		return err
	}
	return knowledge.WrapError(knowledge.EUNAVAILABLE, "Cannot connect to Discord: "+discordCause(err)+".", err)
}

// discordCause names why a connection to Discord failed.
func discordCause(err error) string {
	host := "Discord"
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		return "the proxy (HTTPS_PROXY) refused the connection: " + innermost(op.Err)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return fmt.Sprintf("the name %s cannot be resolved (DNS: no such host); check the network and DNS settings", dns.Name)
		}
		return fmt.Sprintf("the DNS lookup of %s failed (%s); check the network and DNS settings", dns.Name, dns.Err)
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return host + " refused the connection"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "the network is unreachable; check the internet connection"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset"
	}
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return host + " did not answer in time"
	}
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	if errors.As(err, &unknownCA) || errors.As(err, &badHost) {
		return "the TLS certificate was not accepted (" + innermost(err) + "); a proxy or firewall may be intercepting the connection"
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return "Discord answered " + re.Response.Status
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("the gateway closed the connection (code %d: %s)", ce.Code, ce.Text)
	}
	return innermost(err)
}

// innermost is the text of the deepest error in err's chain.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return strings.TrimSuffix(err.Error(), ".")
		}
		err = next
	}
}
