package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

// sessionHooks lets tests point a serve's Discord session at a fake
// Discord: a hook stored under a token is called with the session created
// for that token, before it connects. Production code stores nothing here.
var sessionHooks sync.Map // token -> func(*discordgo.Session)

func runServe(ctx context.Context, e *env) error {
	fs := newFlags(e, "serve", "", `Runs Herald as a Discord bot until interrupted (SIGINT or SIGTERM): it answers
/ask and mentions with cited answers, /search and /sources.

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
  HERALD_SHUTDOWN_GRACE           time to finish answers when stopping (default 10s)`)
	dbFlag := dbPathFlag(fs)
	_, err := parseArgs(fs, e.args, noArgs)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(e.getenv("DISCORD_TOKEN"))
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bot "))
	if token == "" {
		return knowledge.Errorf(knowledge.EINVALID, "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications (your application -> Bot -> Reset Token) and put its token in DISCORD_TOKEN.")
	}
	cfg, err := serveConfig(e.getenv)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	db.PrepareSearch()
	if db.Embedder != nil {
		// Load the vector index in the background so that start-up stays
		// instant and the first question does not wait for it.
		go func() {
			if _, err := db.LoadVectors(ctx, db.Embedder.Model()); err != nil && ctx.Err() == nil {
				db.Logger.Warn("cannot load the vector index; it will load on first use", "err", err)
			}
		}()
	}
	an, err := newAnswerer(e, db)
	if err != nil {
		return err
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return knowledge.WrapError(knowledge.EINTERNAL, "Cannot create the Discord session.", err)
	}
	if hook, ok := sessionHooks.Load(token); ok {
		hook.(func(*discordgo.Session))(s)
	}
	mode := knowledge.ModeExtractive
	if an.Completer != nil {
		mode = knowledge.ModeLLM
	}
	db.Logger.Info("starting Herald on Discord", "db", db.Path, "answers", mode)
	b := &bot.Bot{Session: s, Asker: an, Library: db, Conversations: db, Answers: db, Logger: db.Logger, Config: cfg}
	// Feeds, summaries and digests: their commands, the feed poller and the
	// digest scheduler, all stopping with ctx.
	wait, err := startNews(ctx, e, db, b)
	if err != nil {
		return err
	}
	defer wait()
	return b.Run(ctx)
}

var snowflakeRe = regexp.MustCompile(`^[0-9]{17,20}$`)

// serveConfig reads the bot's settings from the environment.
func serveConfig(getenv func(string) string) (bot.Config, error) {
	cfg := bot.Config{
		GuildID:        strings.TrimSpace(getenv("HERALD_DISCORD_GUILD")),
		ReplyMode:      strings.ToLower(strings.TrimSpace(getenv("HERALD_DISCORD_REPLY_MODE"))),
		MessageContent: envBool(getenv, "HERALD_DISCORD_MESSAGE_CONTENT"),
		HTTPAddr:       strings.TrimSpace(getenv("HERALD_HTTP_ADDR")),
	}
	if cfg.GuildID != "" && !snowflakeRe.MatchString(cfg.GuildID) {
		return cfg, knowledge.Errorf(knowledge.EINVALID, "HERALD_DISCORD_GUILD=%q is not a server ID (a long number: in Discord, enable Developer Mode, then right-click the server -> Copy Server ID).", cfg.GuildID)
	}
	switch cfg.ReplyMode {
	case "", bot.ReplyModeReply, bot.ReplyModeThread:
	default:
		return cfg, knowledge.Errorf(knowledge.EINVALID, "HERALD_DISCORD_REPLY_MODE=%q must be %q or %q.", cfg.ReplyMode, bot.ReplyModeReply, bot.ReplyModeThread)
	}
	var err error
	if cfg.Cooldown, err = envDuration(getenv, "HERALD_COOLDOWN"); err != nil {
		return cfg, err
	}
	if cfg.ShutdownGrace, err = envDuration(getenv, "HERALD_SHUTDOWN_GRACE"); err != nil {
		return cfg, err
	}
	if cfg.ShutdownGrace < 0 {
		cfg.ShutdownGrace = time.Millisecond // "0": cancel at once
	}
	if cfg.GuildConcurrency, err = envCount(getenv, "HERALD_GUILD_CONCURRENCY"); err != nil {
		return cfg, err
	}
	tokens, err := envCount(getenv, "HERALD_GUILD_DAILY_TOKENS")
	if err != nil {
		return cfg, err
	}
	cfg.GuildDailyTokens = max(tokens, 0)
	return cfg, nil
}

// envDuration reads a duration such as 5s or 2m: unset gives 0 (the
// default), "0" gives -1 (disabled).
func envDuration(getenv func(string) string, name string) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	if v == "0" {
		return -1, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, knowledge.Errorf(knowledge.EINVALID, "%s=%q is not a duration such as 5s or 2m.", name, v)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}

// envCount reads a whole number: unset gives 0 (the default), "0" gives
// -1 (no limit).
func envCount(getenv func(string) string, name string) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, knowledge.Errorf(knowledge.EINVALID, "%s=%q is not a whole number (0 or more).", name, v)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}
