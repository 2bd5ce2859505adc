package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-bot/herald/knowledge"
)

// Shards. A bot in many servers connects several gateway sessions, its
// shards: shard i of n receives the events of the servers whose
// (guild_id >> 22) % n is i, and shard 0 the direct messages. A process
// runs one shard (HERALD_SHARD_ID of HERALD_SHARD_COUNT, one process per
// shard on one database) or all of them (Bot.Shards). REST calls do not
// depend on the shard: they go through the first session of the process.
// What depends on a server (its channels and permissions, its language,
// whether Herald was just added to it) is read from the state of the
// session that receives its events; a process that does not run that
// shard leaves the server's per-server work (welcome, feed posts, feed
// alerts) to the process that does.

// Shard connection states, as /healthz reports them.
const (
	shardConnecting   = "connecting"
	shardConnected    = "connected"
	shardDisconnected = "disconnected"
)

// identifyInterval is Discord's window for starting sessions: at most
// max_concurrency shards may IDENTIFY in each 5 seconds.
const identifyInterval = 5 * time.Second

// shard is one gateway session this process runs.
type shard struct {
	s     *discordgo.Session
	id    int // shard ID
	count int // number of shards of the bot (1 when unsharded)
	state atomic.Value
	// latency is the last heartbeat round trip seen, in milliseconds.
	latency atomic.Int64
}

// heartbeatLatency returns the round trip of the shard's last heartbeat.
// It never waits for the session's lock (discordgo holds it for a second
// while it closes a connection): when busy, the last value seen is given.
func (sh *shard) heartbeatLatency() int64 {
	if sh.s.TryRLock() {
		ack, sent := sh.s.LastHeartbeatAck, sh.s.LastHeartbeatSent
		sh.s.RUnlock()
		if !ack.IsZero() && !sent.IsZero() && !ack.Before(sent) {
			sh.latency.Store(ack.Sub(sent).Milliseconds())
		}
	}
	return sh.latency.Load()
}

func (sh *shard) setState(st string) { sh.state.Store(st) }

func (sh *shard) stateName() string {
	if st, _ := sh.state.Load().(string); st != "" {
		return st
	}
	return shardConnecting
}

// servers counts the servers in the shard's state.
func (sh *shard) servers() int {
	st := sh.s.State
	if st == nil {
		return 0
	}
	st.RLock()
	defer st.RUnlock()
	return len(st.Guilds)
}

// owns reports whether the shard receives the events of a server (direct
// messages for "").
func (sh *shard) owns(guildID string) bool { return ShardOf(guildID, sh.count) == sh.id }

// ShardOf returns the shard that receives the events of a server among
// shards: (guild_id >> 22) % shards, as Discord computes it. Direct
// messages (guildID "") belong to shard 0, as do IDs that are not
// snowflakes.
func ShardOf(guildID string, shards int) int {
	if shards <= 1 || guildID == "" {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}

// sessionShard returns the shard a session identifies as.
func sessionShard(s *discordgo.Session) (id, count int) {
	if s.ShardCount > 1 {
		return s.ShardID, s.ShardCount
	}
	return 0, 1
}

// makeShards lists the sessions this process runs: Shards when set, else
// Session.
func (b *Bot) makeShards() []*shard {
	sessions := b.Shards
	if len(sessions) == 0 && b.Session != nil {
		sessions = []*discordgo.Session{b.Session}
	}
	out := make([]*shard, 0, len(sessions))
	for _, s := range sessions {
		if s == nil {
			continue
		}
		id, count := sessionShard(s)
		out = append(out, &shard{s: s, id: id, count: count})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// checkShards refuses sessions that cannot be one bot's shards.
func (b *Bot) checkShards() error {
	if len(b.shards) == 0 {
		return knowledge.Errorf(knowledge.EINTERNAL, "The bot is missing its Discord session or its answerer.")
	}
	count := b.shards[0].count
	seen := map[int]bool{}
	for _, sh := range b.shards {
		switch {
		case sh.count != count:
			return knowledge.Errorf(knowledge.EINTERNAL, "The bot's shards disagree on the number of shards (%d and %d).", count, sh.count)
		case sh.s.ShardCount > 1 && (sh.id < 0 || sh.id >= sh.count):
			return knowledge.Errorf(knowledge.EINVALID, "Shard %d does not exist among %d shards: shard IDs go from 0 to %d.", sh.id, sh.count, sh.count-1)
		case seen[sh.id]:
			return knowledge.Errorf(knowledge.EINTERNAL, "Shard %d is given twice.", sh.id)
		}
		seen[sh.id] = true
	}
	return nil
}

// rest is the session REST calls go through: the first one, so that the
// process has one rate limiter for all its shards.
func (b *Bot) rest() *discordgo.Session {
	if len(b.shards) > 0 {
		return b.shards[0].s
	}
	return b.Session
}

// shardCount is the number of shards of the bot (1 when unsharded).
func (b *Bot) shardCount() int {
	if len(b.shards) == 0 {
		return 1
	}
	return b.shards[0].count
}

// runsShardZero reports whether this process runs shard 0, which
// registers the commands and receives direct messages.
func (b *Bot) runsShardZero() bool {
	return len(b.shards) > 0 && b.shards[0].id == 0
}

// shardFor returns the shard of this process that receives a server's
// events ("" for direct messages), or nil when another process runs it.
func (b *Bot) shardFor(guildID string) *shard {
	for _, sh := range b.shards {
		if sh.owns(guildID) {
			return sh
		}
	}
	return nil
}

// stateOf returns the state that holds a server ("" for direct messages),
// or nil when no shard of this process receives its events.
func (b *Bot) stateOf(guildID string) *discordgo.State {
	if sh := b.shardFor(guildID); sh != nil {
		return sh.s.State
	}
	return nil
}

// channelState returns the state that knows a channel, or nil.
func (b *Bot) channelState(channelID string) *discordgo.State {
	if channelID == "" {
		return nil
	}
	for _, sh := range b.shards {
		if st := sh.s.State; st != nil {
			if _, err := st.Channel(channelID); err == nil {
				return st
			}
		}
	}
	return nil
}

// RecommendedShards asks Discord (GET /gateway/bot) how many shards the
// bot should run and how many of them may connect in the same 5 seconds
// (session_start_limit.max_concurrency), for HERALD_SHARD_COUNT=auto.
func RecommendedShards(ctx context.Context, s *discordgo.Session) (shards, maxConcurrency int, err error) {
	gb, err := s.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
			return 0, 0, knowledge.WrapError(knowledge.EINVALID, "Discord rejected the bot token. "+tokenHelp, fmt.Errorf("%w: %w", ErrToken, err))
		}
		return 0, 0, knowledge.WrapError(knowledge.EUNAVAILABLE, "Cannot connect to Discord.", fmt.Errorf("ask for the recommended shards: %w", err))
	}
	return max(gb.Shards, 1), max(gb.SessionStartLimit.MaxConcurrency, 1), nil
}

// openShards connects the shards, at most maxConcurrency of them (Discord's
// session_start_limit.max_concurrency, default 1) every 5 seconds, each
// waiting for its READY. When one cannot connect, those already connected
// are closed and its error is returned. A cancelled ctx stops the wait
// between groups (the error is then ctx's).
func (b *Bot) openShards(ctx context.Context) error {
	group := max(b.MaxConcurrency, 1)
	wait := b.identifyWait
	if wait <= 0 {
		wait = identifyInterval
	}
	var opened []*shard
	fail := func(err error) error {
		for _, sh := range opened {
			b.closeShard(sh)
		}
		return err
	}
	for i, sh := range b.shards {
		if i > 0 && i%group == 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fail(ctx.Err())
			case <-t.C:
			}
		}
		if len(b.shards) > 1 {
			b.Logger.Info("connecting a shard", "shard", sh.id, "shards", sh.count)
		}
		if err := sh.s.Open(); err != nil {
			return fail(b.openError(err))
		}
		opened = append(opened, sh)
	}
	return nil
}

// shardHandlers adds the handlers of one shard's session and returns the
// function that removes them.
func (b *Bot) shardHandlers(sh *shard) (remove func()) {
	s := sh.s
	s.Identify.Intents = b.cfg.Intents()
	removers := []func(){
		s.AddHandler(b.onInteraction),
		s.AddHandler(b.onMessage),
		s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) { b.onReady(sh, r) }),
		s.AddHandler(b.onGuildCreate),
		s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { sh.setState(shardConnected) }),
		s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { sh.setState(shardConnected) }),
		s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { sh.setState(shardDisconnected) }),
	}
	return func() {
		for _, r := range removers {
			r()
		}
	}
}

// learnCommands reads the IDs of the registered commands, for a process
// that does not register them (it does not run shard 0), so that its
// messages can mention them. Shard 0 may register them later: the IDs of
// the commands members use are learnt from their interactions too.
func (b *Bot) learnCommands(ctx context.Context) {
	appID := b.appID()
	if appID == "" {
		return
	}
	cmds, err := b.rest().ApplicationCommands(appID, b.cfg.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		b.Logger.Warn("cannot read the registered slash commands; their mentions stay plain until members use them", "err", err)
		return
	}
	b.storeCommandIDs(cmds)
}

// learnCommandID remembers the ID of a command used in an interaction,
// when it is not known yet.
func (b *Bot) learnCommandID(name, id string) {
	if name == "" || id == "" {
		return
	}
	if old, _ := b.commandIDs.Load().(map[string]string); old[name] == id {
		return
	}
	b.cmdMu.Lock()
	defer b.cmdMu.Unlock()
	old, _ := b.commandIDs.Load().(map[string]string)
	ids := make(map[string]string, len(old)+1)
	for k, v := range old {
		ids[k] = v
	}
	ids[name] = id
	b.commandIDs.Store(ids)
}

// ShardHealth is one shard's line in /healthz.
type ShardHealth struct {
	// Shard is the shard's ID and Shards the number of shards of the bot.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// State is connecting, connected or disconnected.
	State string `json:"state"`
	// Servers is how many servers the shard receives the events of.
	Servers int `json:"servers"`
	// LatencyMS is the last heartbeat's round trip, in milliseconds.
	LatencyMS int64 `json:"latency_ms"`
}

// Health is the body of /healthz: "ok" when every shard of this process is
// connected, else "unavailable", and each shard's state.
type Health struct {
	Status string        `json:"status"`
	Shards []ShardHealth `json:"shards"`
}

// health reports the state of this process's shards.
func (b *Bot) health() Health {
	h := Health{Status: "ok", Shards: []ShardHealth{}}
	for _, sh := range b.shards {
		st := sh.stateName()
		if st != shardConnected {
			h.Status = "unavailable"
		}
		h.Shards = append(h.Shards, ShardHealth{Shard: sh.id, Shards: sh.count, State: st, Servers: sh.servers(), LatencyMS: sh.heartbeatLatency()})
	}
	if len(h.Shards) == 0 {
		h.Status = "unavailable"
	}
	return h
}

// serveHealth answers /healthz: 200 when every shard of this process is
// connected, 503 otherwise, with Health as JSON.
func (b *Bot) serveHealth(w http.ResponseWriter, _ *http.Request) {
	h := b.health()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(h)
}

// shardCollector exports each shard's state at scrape time: whether it is
// connected, its servers and its heartbeat latency, labelled by shard.
type shardCollector struct {
	b                          *Bot
	connected, servers, beatMS *prometheus.Desc
}

func newShardCollector(b *Bot) *shardCollector {
	return &shardCollector{
		b: b,
		connected: prometheus.NewDesc("herald_gateway_connected",
			"1 while the shard's Discord gateway session is connected, 0 otherwise.", []string{"shard"}, nil),
		servers: prometheus.NewDesc("herald_gateway_servers",
			"Servers whose events the shard receives.", []string{"shard"}, nil),
		beatMS: prometheus.NewDesc("herald_gateway_latency_seconds",
			"The round trip of the shard's last gateway heartbeat.", []string{"shard"}, nil),
	}
}

// Describe sends the descriptions of the shard metrics.
func (c *shardCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.connected
	ch <- c.servers
	ch <- c.beatMS
}

// Collect sends each shard's metrics.
func (c *shardCollector) Collect(ch chan<- prometheus.Metric) {
	for _, sh := range c.b.health().Shards {
		label := strconv.Itoa(sh.Shard)
		connected := 0.0
		if sh.State == shardConnected {
			connected = 1
		}
		ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, connected, label)
		ch <- prometheus.MustNewConstMetric(c.servers, prometheus.GaugeValue, float64(sh.Servers), label)
		ch <- prometheus.MustNewConstMetric(c.beatMS, prometheus.GaugeValue, float64(sh.LatencyMS)/1000, label)
	}
}

// shardNote names the shards of this process for the start-up log.
func (b *Bot) shardNote() string {
	if b.shardCount() <= 1 {
		return "unsharded"
	}
	ids := make([]string, 0, len(b.shards))
	for _, sh := range b.shards {
		ids = append(ids, strconv.Itoa(sh.id))
	}
	if len(ids) == b.shardCount() {
		return fmt.Sprintf("all %d shards", b.shardCount())
	}
	return fmt.Sprintf("shard %s of %d", strings.Join(ids, ", "), b.shardCount())
}
