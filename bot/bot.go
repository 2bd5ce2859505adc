// Package bot is Herald's Discord adapter: it registers the slash commands,
// answers /ask and mentions of the bot with cited answers streamed into the
// channel, continues conversations in replies and threads, and renders
// everything within Discord's limits.
//
// Every message leaves through one helper (see Message) that sends it with
// empty allowed mentions (a reply may notify its asker), so no text from a
// user, an article or a model can ping anyone. Handlers recover from panics, duplicate gateway events are
// answered once, and Run stops cleanly: it stops taking new work, lets the
// answers in flight finish within a grace period, then cancels them and
// closes the gateway.
//
// The package depends on knowledge's domain types only; the answerer, the
// library and the conversation store are interfaces, satisfied in
// production by *knowledge.Answerer and *knowledge.DB and in tests by
// function-field fakes.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-bot/herald/knowledge"
)

// Asker answers questions; *knowledge.Answerer satisfies it.
type Asker interface {
	Ask(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error)
}

// AskerFunc adapts a function to the Asker interface.
type AskerFunc func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error)

// Ask calls f.
func (f AskerFunc) Ask(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
	return f(ctx, q)
}

// Library is what /search and /sources read; *knowledge.DB satisfies it.
type Library interface {
	Search(ctx context.Context, query string, f knowledge.Filter) ([]knowledge.Hit, error)
	Counts(ctx context.Context, guildID string) (knowledge.Counts, error)
}

// Conversations stores the history of conversations with the bot;
// *knowledge.DB satisfies it. A conversation is keyed by the thread the bot
// opened for it, or by the message that started it; the messages carrying
// its answers are linked to it, so a reply to any of them continues it.
type Conversations interface {
	AppendTurn(ctx context.Context, convID string, t knowledge.Turn, messageIDs ...string) error
	Turns(ctx context.Context, convID string, max int) ([]knowledge.Turn, error)
	ConversationOf(ctx context.Context, messageID string) (string, error)
	PruneConversations(ctx context.Context, olderThan time.Time) (int64, error)
}

// Reply modes: where the answer to a mention goes.
const (
	// ReplyModeReply answers a mention with a reply to the question.
	ReplyModeReply = "reply"
	// ReplyModeThread opens a thread on the question and answers there;
	// every message in the thread continues the conversation.
	ReplyModeThread = "thread"
)

// Config is the bot's configuration. Zero values mean the defaults given
// with each field.
type Config struct {
	// GuildID registers the slash commands in this one server (they
	// update at once); empty registers them globally.
	GuildID string
	// ReplyMode is ReplyModeReply (default) or ReplyModeThread.
	ReplyMode string
	// MessageContent asks Discord for the privileged Message Content
	// intent, so that follow-ups in the bot's threads need no mention. It
	// must be enabled in the developer portal too.
	MessageContent bool
	// Cooldown is how long a user waits between two questions (default
	// 5s; negative disables it).
	Cooldown time.Duration
	// GuildConcurrency is how many questions of one server are answered at
	// once (default 3; negative disables the limit). Direct messages share
	// one limit.
	GuildConcurrency int
	// GuildDailyTokens is each server's daily budget of model tokens
	// (counted per UTC day); once spent, answers are extractive. Zero means
	// no budget.
	GuildDailyTokens int
	// ShutdownGrace is how long Run waits for answers in flight when it
	// stops before cancelling them (default 10s).
	ShutdownGrace time.Duration
	// HTTPAddr, when set, serves /healthz and /metrics on this address.
	HTTPAddr string
	// HistoryTurns is how many earlier turns a follow-up carries (default 6).
	HistoryTurns int
	// ConversationTTL is how long conversation history is kept (default 7 days).
	ConversationTTL time.Duration
	// StreamInterval is the least time between two edits of a streamed
	// answer (default 1s).
	StreamInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.ReplyMode == "" {
		c.ReplyMode = ReplyModeReply
	}
	if c.Cooldown == 0 {
		c.Cooldown = 5 * time.Second
	}
	if c.GuildConcurrency == 0 {
		c.GuildConcurrency = 3
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 10 * time.Second
	}
	if c.HistoryTurns <= 0 {
		c.HistoryTurns = 6
	}
	if c.ConversationTTL <= 0 {
		c.ConversationTTL = 7 * 24 * time.Hour
	}
	if c.StreamInterval <= 0 {
		c.StreamInterval = time.Second
	}
	return c
}

// Intents returns the gateway intents the bot identifies with: servers,
// their messages and direct messages, none of them privileged (messages
// that mention the bot carry their text without Message Content), plus
// Message Content when MessageContent is set.
func (c Config) Intents() discordgo.Intent {
	in := discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages
	if c.MessageContent {
		in |= discordgo.IntentMessageContent
	}
	return in
}

// Permissions is what Herald needs in the channels it answers in: View
// Channels, Send Messages, Embed Links (sources), Read Message History
// (replies), Add Reactions (⏳ on a mention in cooldown), Create Public
// Threads and Send Messages in Threads (thread mode).
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions | discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionSendMessagesInThreads

// InviteURL returns the link that adds the bot with the application ID
// appID to a server, with the bot and applications.commands scopes and
// Permissions.
func InviteURL(appID string) string {
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(appID) +
		"&scope=bot+applications.commands&permissions=" + strconv.FormatInt(Permissions, 10)
}

// Timing rules of the bot.
const (
	// interactionDeadline is Discord's limit for the first response.
	interactionDeadline = discordgo.InteractionDeadline
	// maxMessageAge is the oldest message still answered, e.g. when Discord
	// replays missed events after a resume.
	maxMessageAge = 10 * time.Minute
	// seenTTL is how long an event ID is remembered, to drop duplicates.
	seenTTL = 15 * time.Minute
	// sendTimeout bounds one REST call to Discord.
	sendTimeout = 15 * time.Second
	// cancelWait bounds the wait for handlers after their answers were cancelled.
	cancelWait = 5 * time.Second
)

// Bot is Herald on Discord. Set its fields, then call Run.
type Bot struct {
	// Session is the discordgo session to run on, created with the token.
	// Its ShardID and ShardCount make it one shard of the bot (see ShardOf).
	Session *discordgo.Session
	// Shards, when set, are the sessions of the shards this process runs,
	// in place of Session: each created with the token and its ShardID and
	// ShardCount set, each with its own gateway connection; they share the
	// handlers, and REST calls go through the first one.
	Shards []*discordgo.Session
	// MaxConcurrency is how many shards may connect in the same 5 seconds
	// (Discord's session_start_limit.max_concurrency; default 1).
	MaxConcurrency int
	// Asker answers questions.
	Asker Asker
	// Library serves /search and /sources.
	Library Library
	// Conversations keeps follow-up history; nil disables follow-ups.
	Conversations Conversations
	// Answers stores posted answers and votes; nil posts answers without
	// buttons.
	Answers AnswerStore
	// Logger receives structured logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Config holds the settings.
	Config Config
	// Commands are slash commands added to the built-in ones (ask, search,
	// sources), registered and routed the same way.
	Commands []Command
	// Registry receives the bot's Prometheus metrics; a new one is made
	// when nil.
	Registry *prometheus.Registry
	// Guilds remembers the servers Herald has seen, so that it introduces
	// itself once in each new one; nil sends no welcome.
	Guilds GuildStore
	// Limits keeps the counts behind the cooldown, the per-server
	// concurrency and the daily token budgets: StoreLimits(db) to hold
	// them across every process on one database; in this process's
	// memory when nil.
	Limits Limits
	// Owner names this process where it holds shared places (default
	// host:pid).
	Owner string
	// Workers run in the background while the bot serves (for example
	// posting feeds' new articles, see News.Attach): each is started once
	// the commands are registered, its context is cancelled when Run
	// stops, and Run waits for it before it closes the gateway.
	Workers []func(ctx context.Context)

	initOnce   sync.Once
	cfg        Config
	table      map[string]*Command
	order      []*Command
	tableErr   error
	send       *sender
	metrics    *metrics
	seen       *ttlSet
	limits     *limiter
	sources    *sourceCache
	drafts     *drafts
	shards     []*shard
	botID      atomic.Value // string
	commandIDs atomic.Value // map[string]string, command name -> registered ID
	cmdMu      sync.Mutex   // serialises writers of commandIDs
	workCtx    context.Context
	cancelWork context.CancelFunc
	// deadline is the age after which an interaction is not answered;
	// zero means Discord's 3 s. Tests on a loaded machine relax it.
	deadline time.Duration
	// handled, set by tests, is called when a handler returns.
	handled func(kind, id string)
	// identifyWait is the pause between groups of shards connecting;
	// zero means Discord's 5 s. Tests shorten it.
	identifyWait time.Duration

	mu      sync.Mutex
	closing bool
	work    sync.WaitGroup
}

func (b *Bot) init() {
	b.initOnce.Do(func() {
		b.cfg = b.Config.withDefaults()
		if b.Logger == nil {
			b.Logger = slog.Default()
		}
		if b.Now == nil {
			b.Now = time.Now
		}
		if b.Registry == nil {
			b.Registry = prometheus.NewRegistry()
		}
		b.shards = b.makeShards()
		b.metrics = newMetrics(b.Registry)
		b.Registry.MustRegister(newShardCollector(b))
		b.send = &sender{s: b.rest()}
		b.seen = newTTLSet(seenTTL, 200000)
		store := b.Limits
		if store == nil {
			store = NewMemoryLimits(b.now)
		}
		if b.Owner == "" {
			host, _ := os.Hostname()
			b.Owner = fmt.Sprintf("%s:%d", host, os.Getpid())
		}
		b.limits = newLimiter(store, b.cfg.Cooldown, b.cfg.GuildConcurrency, b.cfg.GuildDailyTokens, b.Owner, b.Logger)
		b.sources = &sourceCache{ttl: 10 * time.Minute}
		b.drafts = newDrafts(b.cfg.StreamInterval, b.rest(), b.Logger.Debug)
		b.workCtx, b.cancelWork = context.WithCancel(context.Background())
		cmds := append(b.builtinCommands(), b.serverCommands()...)
		b.table, b.order, b.tableErr = buildTable(append(cmds, b.Commands...))
	})
}

func (b *Bot) now() time.Time { return b.Now() }

// Run connects to Discord, registers the slash commands and serves until
// ctx is done; then it stops taking new work, waits up to
// Config.ShutdownGrace for the answers in flight, cancels those left,
// and closes the gateway. It returns an error when it cannot start.
func (b *Bot) Run(ctx context.Context) error {
	b.init()
	if b.Asker == nil {
		return knowledge.Errorf(knowledge.EINTERNAL, "The bot is missing its Discord session or its answerer.")
	}
	if err := b.checkShards(); err != nil {
		return err
	}
	if b.tableErr != nil {
		return b.tableErr
	}
	if b.cfg.ReplyMode != ReplyModeReply && b.cfg.ReplyMode != ReplyModeThread {
		return knowledge.Errorf(knowledge.EINVALID, "The reply mode must be %q or %q, not %q.", ReplyModeReply, ReplyModeThread, b.cfg.ReplyMode)
	}
	for _, sh := range b.shards {
		defer b.shardHandlers(sh)()
	}

	if b.cfg.HTTPAddr != "" {
		ln, err := net.Listen("tcp", b.cfg.HTTPAddr)
		if err != nil {
			return knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("Cannot serve /healthz and /metrics on %s.", b.cfg.HTTPAddr), fmt.Errorf("%w: %w", ErrHTTPAddr, err))
		}
		srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				b.Logger.Error("metrics server stopped", "err", err)
			}
		}()
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		b.Logger.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}

	if err := b.openShards(ctx); err != nil {
		if ctx.Err() != nil {
			// Stopped while connecting: a clean stop, not a failure.
			b.shutdown()
			return nil
		}
		return err
	}
	// Commands are registered once for all shards, by shard 0's process;
	// the others only read their IDs.
	register := b.registerCommands
	if !b.runsShardZero() {
		register = func(ctx context.Context) error { b.learnCommands(ctx); return nil }
	}
	if err := register(ctx); err != nil {
		if ctx.Err() != nil {
			// Stopped while starting: a clean stop, not a failure.
			b.shutdown()
			b.closeShards()
			return nil
		}
		b.closeShards()
		return err
	}
	janitorDone := make(chan struct{})
	stopJanitor := make(chan struct{})
	go func() {
		defer close(janitorDone)
		b.janitor(stopJanitor)
	}()
	stopWorkers := b.startWorkers()
	scope := "global"
	if b.cfg.GuildID != "" {
		scope = "guild " + b.cfg.GuildID
	}
	b.Logger.Info("Herald is connected to Discord", "user", b.botUserID(), "commands", len(b.order), "scope", scope,
		"reply_mode", b.cfg.ReplyMode, "message_content", b.cfg.MessageContent, "servers", b.guildCount(), "shards", b.shardNote())
	if b.guildCount() == 0 && b.shardCount() == 1 {
		b.Logger.Warn("Herald is in no server yet; invite it with " + InviteURL(b.appID()))
	}

	<-ctx.Done()
	stopWorkers()
	b.shutdown()
	close(stopJanitor)
	<-janitorDone
	b.closeShards()
	b.Logger.Info("Herald has left Discord")
	return nil
}

// tokenHelp says where a bot's token comes from. The command line adds
// the setting that holds it (errors.Is(err, ErrToken)).
const tokenHelp = "Check the token, or get a new one in the developer portal (your application -> Bot -> Reset Token)."

// openError explains why the gateway refused the session: for each close
// code an operator can act on, an error saying what to do, which serve
// prints as its one line (so the cause is not logged twice).
func (b *Bot) openError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		var msg string
		var hint error // the sentinel the command line turns into a setting's name
		switch ce.Code {
		case 4004:
			msg, hint = "Discord rejected the bot token (gateway close code 4004). "+tokenHelp, ErrToken
		case 4010:
			msg, hint = fmt.Sprintf("Discord refused the shard (gateway close code 4010): the shard ID must be a number from 0 to %d, one less than the number of shards.", b.shardCount()-1), ErrShardID
		case 4011:
			if b.shardCount() <= 1 {
				msg = "Discord requires this bot to connect in shards (gateway close code 4011): it is in 2,500 servers or more. " +
					"Run Discord's recommended number of shards in this process, or one process per shard."
			} else {
				msg = fmt.Sprintf("Discord requires more shards than %d (gateway close code 4011): a shard may hold at most 2,500 servers. "+
					"Run Discord's recommended number of shards, or more shards in every process.", b.shardCount())
			}
			hint = ErrShardsRequired
		case 4013:
			msg = fmt.Sprintf("Discord refused Herald's gateway intents %d as invalid (gateway close code 4013): this is a bug in Herald; please report it with this line.", b.cfg.Intents())
		case 4014:
			if b.cfg.MessageContent {
				msg, hint = "Discord refused the Message Content intent (gateway close code 4014). Enable it in the developer portal (Bot -> Privileged Gateway Intents -> Message Content Intent), or run without it.", ErrMessageContent
			} else {
				msg = "Discord refused a privileged gateway intent (gateway close code 4014). Enable it in the developer portal (Bot -> Privileged Gateway Intents)."
			}
		}
		if msg != "" {
			if hint != nil {
				return knowledge.WrapError(knowledge.EINVALID, msg, fmt.Errorf("%w: %w", hint, err))
			}
			return knowledge.WrapError(knowledge.EINVALID, msg, err)
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return knowledge.WrapError(knowledge.EINVALID, "Discord rejected the bot token. "+tokenHelp, fmt.Errorf("%w: %w", ErrToken, err))
	}
	return knowledge.WrapError(knowledge.EUNAVAILABLE, "Cannot connect to Discord.", err)
}

func (b *Bot) onReady(sh *shard, r *discordgo.Ready) {
	if r.User != nil {
		b.botID.Store(r.User.ID)
	}
	sh.setState(shardConnected)
	b.setPresence(sh.s)
}

// setPresence shows "Listening to /ask" under the bot's name. Discord keeps
// it across resumes; READY, after every new identify, sets it again.
func (b *Bot) setPresence(s *discordgo.Session) {
	err := s.UpdateStatusComplex(discordgo.UpdateStatusData{
		Status:     string(discordgo.StatusOnline),
		Activities: []*discordgo.Activity{{Name: presenceName, Type: discordgo.ActivityTypeListening}},
	})
	if err != nil {
		b.Logger.Debug("cannot set the presence", "err", err)
	}
}

// startWorkers starts Bot.Workers and returns the function that stops them
// and waits until they have returned.
func (b *Bot) startWorkers() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range b.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					b.Logger.Error("panic in a background worker; it stopped", "panic", p, "stack", string(debug.Stack()))
				}
			}()
			w(ctx)
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// botUserID returns the bot's user ID, once READY has been received.
func (b *Bot) botUserID() string {
	if id, _ := b.botID.Load().(string); id != "" {
		return id
	}
	for _, sh := range b.shards {
		st := sh.s.State
		if st == nil {
			continue
		}
		st.RLock()
		var id string
		if st.User != nil {
			id = st.User.ID
		}
		st.RUnlock()
		if id != "" {
			b.botID.Store(id)
			return id
		}
	}
	return ""
}

// guildCount returns how many servers the READYs of this process's shards
// announced.
func (b *Bot) guildCount() int {
	n := 0
	for _, sh := range b.shards {
		n += sh.servers()
	}
	return n
}

// appID returns the application ID from READY (the bot's user ID for
// every application created since 2016).
func (b *Bot) appID() string {
	for _, sh := range b.shards {
		st := sh.s.State
		if st == nil {
			continue
		}
		st.RLock()
		app := st.Application
		var id string
		if app != nil {
			id = app.ID
		}
		st.RUnlock()
		if id != "" {
			return id
		}
	}
	return b.botUserID()
}

// begin registers a unit of work; it returns false once the bot is stopping.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.work.Add(1)
	return true
}

func (b *Bot) end() { b.work.Done() }

// shutdown stops new work and waits for the work in flight, cancelling it
// after the grace period.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.work.Wait()
		close(done)
	}()
	b.Logger.Info("stopping: finishing the answers in flight", "grace", b.cfg.ShutdownGrace)
	grace := time.NewTimer(b.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		b.Logger.Warn("cancelling the answers still in flight after the grace period", "grace", b.cfg.ShutdownGrace)
		b.cancelWork()
		select {
		case <-done:
		case <-time.After(cancelWait):
			b.Logger.Error("some handlers did not stop after cancellation")
		}
	}
	b.cancelWork()
}

// closeShards closes the gateway connections of this process's shards.
func (b *Bot) closeShards() {
	for _, sh := range b.shards {
		b.closeShard(sh)
	}
}

// closeShard closes a shard's gateway once discordgo's heartbeat goroutine
// has started: closing earlier makes its first heartbeat fail and start a
// reconnect loop after the close.
func (b *Bot) closeShard(sh *shard) {
	s := sh.s
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		s.RLock()
		ready := s.DataReady
		s.RUnlock()
		if ready {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		b.Logger.Warn("closing the Discord gateway", "err", err, "shard", sh.id)
	}
	sh.setState(shardDisconnected)
}

// janitor forgets old event IDs and cooldowns every minute and prunes
// expired conversations every hour, until stop is closed.
func (b *Bot) janitor(stop <-chan struct{}) {
	prune := func() {
		if b.Conversations == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := b.Conversations.PruneConversations(ctx, b.now().Add(-b.cfg.ConversationTTL))
		if err != nil {
			b.Logger.Warn("pruning conversations", "err", err)
		} else if n > 0 {
			b.Logger.Debug("pruned expired conversation turns", "turns", n)
		}
	}
	prune()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	lastPrune := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			now := b.now()
			b.seen.sweep(now)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			b.limits.sweep(ctx, now)
			cancel()
			if time.Since(lastPrune) >= time.Hour {
				prune()
				lastPrune = time.Now()
			}
		}
	}
}

// snowflakeAge returns how long ago a Discord ID was created, by the bot's clock.
func (b *Bot) snowflakeAge(id string) time.Duration {
	t, err := discordgo.SnowflakeTimestamp(id)
	if err != nil {
		return 0
	}
	return b.now().Sub(t)
}
