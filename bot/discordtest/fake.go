// Package discordtest is an in-process fake of Discord's REST API and gateway
// websocket, so that tests drive the real discordgo Session without network.
//
// A test creates a Fake with New, points a session at it with Attach, opens
// the session, pushes gateway events (interactions, messages) and then
// inspects the REST calls the bot made and the messages it left behind:
//
//	fd := discordtest.New(t)
//	s, _ := discordgo.New("Bot test-token")
//	fd.Attach(s)
//	if err := s.Open(); err != nil { t.Fatal(err) }
//	id, _ := fd.SendInteraction(fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask",
//		discordtest.StringOpt("question", "what happened?")))
//	fd.WaitFor(t, discordtest.Match("PATCH", "/webhooks/"), 2*time.Second)
//	got := fd.InteractionResponse(id).Original.Content
//
// Attach never touches discordgo's package-level endpoint variables: it gives
// the session an http.Client whose transport sends every request (whatever
// its host) to the fake, and a websocket.Dialer that dials only the fake.
// The fake answers GET /gateway with its own ws:// URL.
//
// Everything is safe for concurrent use and under the race detector.
package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Default identifiers of the world a new Fake starts with. They are fixed,
// valid snowflakes so that golden files and logs are stable across runs.
const (
	// DefaultBotUserID is the user ID of the bot ("Herald"); like every bot
	// created since 2016 its application ID is the same number.
	DefaultBotUserID = "1196242344345731073"
	// DefaultGuildID is the ID of the guild the bot is in.
	DefaultGuildID = "1202402938060931073"
	// DefaultChannelID is the ID of the text channel "general" in the default guild.
	DefaultChannelID = "1202402938060931074"
	// DefaultUserID is the ID of "alice", a human member of the default guild
	// and the owner of the guild.
	DefaultUserID = "1212912186163331073"
)

// discordEpoch is the first millisecond of 2015, the epoch of Discord snowflakes.
const discordEpoch = 1420070400000

// origHostHeader carries the host a request was originally addressed to
// from the rewriting transport to the fake's handler.
const origHostHeader = "X-Discordtest-Original-Host"

// Call is one REST request the fake received, recorded before it was answered.
type Call struct {
	// Method is the HTTP method, e.g. "POST".
	Method string
	// Path is the API path without the "/api/v9" prefix, e.g. "/channels/1/messages".
	Path string
	// APIVersion is the version from the URL ("9" for discordgo v0.29), or "" if none.
	APIVersion string
	// Query holds the URL query parameters.
	Query url.Values
	// Header holds the request headers (Authorization, User-Agent, X-Audit-Log-Reason...).
	Header http.Header
	// Host is the host the client addressed, e.g. "discord.com".
	Host string
	// Body is the JSON body; for multipart requests it is the payload_json part.
	Body []byte
	// Files holds the file parts of a multipart request.
	Files []File
	// Status is the HTTP status the fake answered with.
	Status int
	// Response is the body the fake answered with.
	Response []byte
	// Received is when the fake received the request (before reading its
	// body), for tests that measure how quickly the bot responds.
	Received time.Time
}

// File is one uploaded file of a multipart request.
type File struct {
	// Field is the form field name, e.g. "files[0]".
	Field string
	// Name is the file name.
	Name string
	// ContentType is the part's content type.
	ContentType string
	// Data is the file content.
	Data []byte
}

// JSON decodes the call's body into v.
func (c Call) JSON(v any) error {
	return json.Unmarshal(c.Body, v)
}

// String returns a one-line description of the call, for failure messages.
func (c Call) String() string {
	s := c.Method + " " + c.Path
	if len(c.Query) > 0 {
		s += "?" + c.Query.Encode()
	}
	return fmt.Sprintf("%s -> %d", s, c.Status)
}

// Match returns a matcher for WaitFor that accepts calls with the given
// method ("" for any) whose Path starts with pathPrefix.
func Match(method, pathPrefix string) func(Call) bool {
	return func(c Call) bool {
		return (method == "" || strings.EqualFold(method, c.Method)) && strings.HasPrefix(c.Path, pathPrefix)
	}
}

// Fake is an in-process Discord: an httptest server that answers the REST
// API and the gateway websocket, with the state a bot can observe.
type Fake struct {
	t         testing.TB
	srv       *httptest.Server
	addr      string
	wsURL     string
	transport *http.Transport
	connWG    sync.WaitGroup

	idMu   sync.Mutex
	lastID uint64

	mu                  sync.Mutex
	notify              chan struct{}
	closed              bool
	bot                 discordgo.User
	appID               string
	users               map[string]*discordgo.User
	guildOrder          []string
	guilds              map[string]*guildState
	channels            map[string]*discordgo.Channel
	calls               []Call
	failures            []failure
	msgs                map[string]*storedMsg
	chanMsgs            map[string][]string
	interactions        map[string]*interactionState
	tokens              map[string]string
	commands            map[string][]*discordgo.ApplicationCommand
	identifies          []discordgo.Identify
	resumes             []Resume
	frames              []Frame
	heartbeats          int
	rejectIntents       discordgo.Intent
	refuseIdentify      *closeCode // see RefuseIdentify (servers.go)
	heartbeatInterval   time.Duration
	interactionDeadline time.Duration
	echo                bool
	// Gateway sessions by ID, the latest one, and the open connections
	// (each ready one receives the events of the servers of its shard).
	sessions map[string]*gwSession
	latest   *gwSession
	conns    map[*gwConn]struct{}
	connects int
	// Sharding (see shards.go).
	shardLimit        int
	recommendedShards int
	maxConcurrency    int
	heldShards        map[int]bool
	holds, holding    []*Hold // see HoldNext (holds.go)
	nonces            map[string]nonceUse

	// Rate limits, token expiry, modals and reactions (ratelimit.go,
	// components.go).
	limits    []limitRule
	buckets   map[string]*bucketState
	limited   int
	clock     func() time.Time
	modals    map[string]json.RawMessage
	reactions map[string][]string
}

type guildState struct {
	guild   *discordgo.Guild
	members []*discordgo.Member
}

type failure struct {
	method, prefix string
	status         int
	body           string
}

// New starts a fake Discord for the test; t.Cleanup shuts it down. The fake
// starts with one guild (GuildID) holding one text channel (ChannelID), the
// bot user (BotUserID, "Herald") and a human member (UserID, "alice").
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{
		t:                   t,
		notify:              make(chan struct{}),
		appID:               DefaultBotUserID,
		users:               map[string]*discordgo.User{},
		guilds:              map[string]*guildState{},
		channels:            map[string]*discordgo.Channel{},
		msgs:                map[string]*storedMsg{},
		chanMsgs:            map[string][]string{},
		interactions:        map[string]*interactionState{},
		tokens:              map[string]string{},
		commands:            map[string][]*discordgo.ApplicationCommand{},
		heartbeatInterval:   41250 * time.Millisecond,
		interactionDeadline: discordgo.InteractionDeadline,
		echo:                true,
		sessions:            map[string]*gwSession{},
		conns:               map[*gwConn]struct{}{},
		maxConcurrency:      1,
		heldShards:          map[int]bool{},
		nonces:              map[string]nonceUse{},
	}
	f.bot = discordgo.User{ID: DefaultBotUserID, Username: "Herald", Discriminator: "0", Bot: true, PublicFlags: 0}
	alice := &discordgo.User{ID: DefaultUserID, Username: "alice", GlobalName: "Alice", Discriminator: "0"}
	f.users[f.bot.ID] = clone(&f.bot)
	f.users[alice.ID] = alice
	joined := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	f.addGuildLocked(&discordgo.Guild{
		ID:      DefaultGuildID,
		Name:    "Herald Test",
		OwnerID: DefaultUserID,
		Channels: []*discordgo.Channel{{
			ID: DefaultChannelID, GuildID: DefaultGuildID, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0,
		}},
		Members: []*discordgo.Member{{User: clone(alice), JoinedAt: joined, Roles: []string{}}},
	})

	f.srv = httptest.NewServer(http.HandlerFunc(f.serveHTTP))
	f.addr = f.srv.Listener.Addr().String()
	f.wsURL = "ws://" + f.addr
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	f.transport = &http.Transport{
		Proxy: nil,
		// Whatever host the client asks for, it only ever reaches the fake.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, f.addr)
		},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(f.shutdown)
	return f
}

// shutdown closes gateway connections, then the server.
func (f *Fake) shutdown() {
	f.mu.Lock()
	f.closed = true
	conns := make([]*gwConn, 0, len(f.conns))
	for c := range f.conns {
		conns = append(conns, c)
		c.ready = false
	}
	f.releaseHoldsLocked()
	f.broadcastLocked()
	f.mu.Unlock()
	for _, c := range conns {
		c.closeWith(websocket.CloseGoingAway, "fake shutting down", false)
	}
	done := make(chan struct{})
	go func() { f.connWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	f.srv.Close()
	f.transport.CloseIdleConnections()
}

// HTTPClient returns a client whose transport rewrites every request,
// whatever its scheme and host (https://discord.com/api/v9/...), onto the
// fake, keeping path and query. Requests never reach the network.
func (f *Fake) HTTPClient() *http.Client {
	return &http.Client{Transport: &rewriteTransport{base: f.transport, host: f.addr}, Timeout: 10 * time.Second}
}

// Dialer returns a websocket dialer that connects to the fake's gateway
// whatever address it is given.
func (f *Fake) Dialer() *websocket.Dialer {
	nd := &net.Dialer{Timeout: 5 * time.Second}
	return &websocket.Dialer{
		Proxy:            nil,
		HandshakeTimeout: 5 * time.Second,
		NetDialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return nd.DialContext(ctx, network, f.addr)
		},
	}
}

// Attach points the session at the fake; call it before s.Open. It sets
// s.Client to HTTPClient() and s.Dialer to Dialer(), so neither REST nor the
// gateway can reach the real Discord, and discordgo's endpoint variables stay
// untouched. discordgo learns the gateway URL from GET /gateway, which the
// fake answers with its own ws:// URL (discordgo appends "/?v=9&encoding=json").
//
// Attach leaves s.ShouldReconnectOnError as discordgo sets it (true), because
// DropConnection and RequestReconnect rely on discordgo reconnecting and
// resuming. It registers a t.Cleanup that closes the session before the fake
// shuts down (s.Close is idempotent, so tests may close it themselves; do so
// only after WaitSessionReady or WaitConnected, see SetHeartbeatInterval).
func (f *Fake) Attach(s *discordgo.Session) {
	s.Client = f.HTTPClient()
	s.Dialer = f.Dialer()
	f.t.Cleanup(func() {
		// A heartbeat goroutine that has not sent its first heartbeat yet
		// would block behind Close's one-second sleep, fail to write, and
		// start discordgo's endless reconnect loop; let it heartbeat first.
		f.waitLocked(2*time.Second, f.heartbeatsSeenLocked)
		_ = s.Close()
	})
}

type rewriteTransport struct {
	base http.RoundTripper
	host string
}

// RoundTrip sends a copy of req to the fake, remembering the original host.
func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set(origHostHeader, req.URL.Host)
	r.URL.Scheme = "http"
	r.URL.Host = rt.host
	r.Host = rt.host
	return rt.base.RoundTrip(r)
}

// GatewayURL returns the websocket URL the fake hands out in GET /gateway.
func (f *Fake) GatewayURL() string { return f.wsURL }

// BotUserID returns the bot's user ID.
func (f *Fake) BotUserID() string { return f.bot.ID }

// AppID returns the application ID (equal to the bot user ID).
func (f *Fake) AppID() string { return f.appID }

// GuildID returns the ID of the default guild.
func (f *Fake) GuildID() string { return DefaultGuildID }

// ChannelID returns the ID of the default text channel, "general".
func (f *Fake) ChannelID() string { return DefaultChannelID }

// UserID returns the ID of the default human user, "alice".
func (f *Fake) UserID() string { return DefaultUserID }

// BotUser returns a copy of the bot user.
func (f *Fake) BotUser() *discordgo.User { return clone(&f.bot) }

// User returns a copy of the default human user, "alice".
func (f *Fake) User() *discordgo.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	return clone(f.users[DefaultUserID])
}

// AddGuild adds (or replaces) a guild the bot is in; it is announced with
// GUILD_CREATE on every new gateway session. Its channels and members are
// registered too; the bot is added as a member and an @everyone role is
// created when missing. Call it before s.Open for the guild to be in READY.
func (f *Fake) AddGuild(g *discordgo.Guild) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.addGuildLocked(clone(g))
}

func (f *Fake) addGuildLocked(g *discordgo.Guild) {
	if g.ID == "" {
		g.ID = f.newID()
	}
	gs := &guildState{guild: g}
	if _, ok := f.guilds[g.ID]; !ok {
		f.guildOrder = append(f.guildOrder, g.ID)
	}
	f.guilds[g.ID] = gs
	hasEveryone := false
	for _, r := range g.Roles {
		if r.ID == g.ID {
			hasEveryone = true
		}
	}
	if !hasEveryone {
		g.Roles = append([]*discordgo.Role{{
			ID: g.ID, Name: "@everyone",
			Permissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory |
				discordgo.PermissionUseApplicationCommands | discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads |
				discordgo.PermissionEmbedLinks | discordgo.PermissionAddReactions,
		}}, g.Roles...)
	}
	for _, ch := range g.Channels {
		ch.GuildID = g.ID
		f.channels[ch.ID] = clone(ch)
	}
	g.Channels = nil
	hasBot := false
	for _, m := range g.Members {
		if m.User == nil {
			continue
		}
		m.GuildID = g.ID
		if m.Roles == nil {
			m.Roles = []string{}
		}
		if m.User.ID == f.bot.ID {
			hasBot = true
		}
		if _, ok := f.users[m.User.ID]; !ok {
			f.users[m.User.ID] = clone(m.User)
		}
		gs.members = append(gs.members, m)
	}
	g.Members = nil
	if !hasBot {
		gs.members = append(gs.members, &discordgo.Member{
			GuildID: g.ID, User: clone(&f.bot), Roles: []string{},
			JoinedAt: time.Date(2024, 3, 2, 9, 30, 0, 0, time.UTC),
		})
	}
	if g.JoinedAt.IsZero() {
		g.JoinedAt = time.Date(2024, 3, 2, 9, 30, 0, 0, time.UTC)
	}
	if g.PreferredLocale == "" {
		g.PreferredLocale = "en-US"
	}
}

// AddChannel registers a channel (a guild channel when ch.GuildID is set,
// otherwise a DM) and returns its ID, generating one if ch.ID is empty.
func (f *Fake) AddChannel(ch *discordgo.Channel) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := clone(ch)
	if c.ID == "" {
		c.ID = f.newID()
	}
	f.channels[c.ID] = c
	return c.ID
}

// AddMember adds a user to a guild with the given role IDs and returns a copy of the member.
func (f *Fake) AddMember(guildID string, u *discordgo.User, roles ...string) *discordgo.Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	gs := f.guilds[guildID]
	if gs == nil {
		f.t.Errorf("discordtest: AddMember: unknown guild %s", guildID)
		return nil
	}
	if roles == nil {
		roles = []string{}
	}
	m := &discordgo.Member{GuildID: guildID, User: clone(u), Roles: roles, JoinedAt: time.Now().UTC().Truncate(time.Second)}
	f.users[u.ID] = clone(u)
	gs.members = append(gs.members, m)
	return clone(m)
}

// SetHeartbeatInterval sets the heartbeat_interval sent in HELLO. The
// default is Discord's 41.25s: discordgo heartbeats once at connect and then
// per interval, and a tick that lands inside Session.Close's one-second
// sleep makes it reconnect after the close (a discordgo race), so short
// intervals make tests flaky.
func (f *Fake) SetHeartbeatInterval(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heartbeatInterval = d
}

// SetInteractionDeadline sets how long after an interaction is sent its
// initial callback is accepted (default discordgo.InteractionDeadline, 3s, as
// on Discord); later callbacks get 404 Unknown interaction (10062). Zero disables the check.
func (f *Fake) SetInteractionDeadline(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.interactionDeadline = d
}

// SetEchoOwnMessages controls whether messages the bot creates or edits are
// echoed back as MESSAGE_CREATE/MESSAGE_UPDATE gateway events, as Discord
// does when the session has the GUILD_MESSAGES (or DIRECT_MESSAGES) intent.
// It is on by default: a bot must ignore its own messages.
func (f *Fake) SetEchoOwnMessages(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.echo = on
}

// RejectIntents makes IDENTIFY fail with close code 4014 ("Disallowed
// intent(s).") when it asks for any intent in mask, as Discord does for
// privileged intents not enabled in the developer portal.
func (f *Fake) RejectIntents(mask discordgo.Intent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejectIntents = mask
}

// FailNext makes the next request with the given method ("" for any) whose
// Path starts with pathPrefix fail with status and body, without touching
// the fake's state. An empty body gets a Discord-style default; for 429 the
// default is {"message": "You are being rate limited.", "retry_after": 0.01,
// "global": false}, and Retry-After and X-RateLimit-* headers are derived
// from the body's retry_after. Failures queue up and are used in order.
func (f *Fake) FailNext(method, pathPrefix string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, failure{method: method, prefix: pathPrefix, status: status, body: body})
}

// Calls returns a copy of every REST call recorded so far, in order.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Call, len(f.calls))
	copy(out, f.calls)
	return out
}

// CallsMatching returns the recorded calls accepted by match, in order.
func (f *Fake) CallsMatching(match func(Call) bool) []Call {
	var out []Call
	for _, c := range f.Calls() {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until a recorded call (including ones recorded before
// WaitFor was called) is accepted by match and returns the first such call.
// On timeout it fails the test with t.Fatalf, listing the calls seen, so it
// must be called from the test's goroutine.
func (f *Fake) WaitFor(t testing.TB, match func(Call) bool, timeout time.Duration) Call {
	t.Helper()
	return f.WaitForN(t, 1, match, timeout)[0]
}

// WaitForN waits until n recorded calls are accepted by match and returns
// the first n of them. It fails the test like WaitFor on timeout.
func (f *Fake) WaitForN(t testing.TB, n int, match func(Call) bool, timeout time.Duration) []Call {
	t.Helper()
	var got []Call
	ok := f.waitLocked(timeout, func() bool {
		got = got[:0]
		for _, c := range f.calls {
			if match(c) {
				got = append(got, c)
				if len(got) == n {
					return true
				}
			}
		}
		return false
	})
	if !ok {
		var seen []string
		for _, c := range f.Calls() {
			seen = append(seen, c.String())
		}
		t.Fatalf("discordtest: timed out after %v waiting for %d matching call(s), got %d; calls:\n\t%s",
			timeout, n, len(got), strings.Join(seen, "\n\t"))
	}
	return append([]Call(nil), got...)
}

// WaitUntil waits until cond returns true, re-checking it whenever the fake
// records something and at least every 5ms; it fails the test with t.Fatalf
// on timeout. cond may call the fake's methods or inspect the session.
func (f *Fake) WaitUntil(t testing.TB, cond func() bool, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		f.mu.Lock()
		ch := f.notify
		f.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("discordtest: condition not met within %v", timeout)
			return
		}
	}
}

// WaitSessionReady waits until s.State holds every guild the fake announces
// to the session's shard, available (that is, discordgo has processed
// READY and each GUILD_CREATE), and the shard's session has sent its first
// heartbeat. Open returns after READY, but GUILD_CREATE arrives afterwards.
func (f *Fake) WaitSessionReady(t testing.TB, s *discordgo.Session, timeout time.Duration) {
	t.Helper()
	shard, shards := shardOfSession(s)
	f.mu.Lock()
	var ids []string
	for _, id := range f.guildOrder {
		if ShardOf(id, shards) == shard {
			ids = append(ids, id)
		}
	}
	f.mu.Unlock()
	f.WaitUntil(t, func() bool {
		f.mu.Lock()
		beat := f.shardReadyLocked(shard)
		f.mu.Unlock()
		if !beat || s.State == nil {
			return false
		}
		// State.Guild returns a pointer that GUILD_CREATE overwrites in
		// place, so its fields may only be read under the state's lock.
		s.State.RLock()
		defer s.State.RUnlock()
		for _, id := range ids {
			found := false
			for _, g := range s.State.Guilds {
				if g.ID == id && !g.Unavailable && g.Name != "" {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	}, timeout)
}

// heartbeatsSeenLocked reports whether every authenticated, open gateway
// connection has sent a heartbeat; f.mu must be held.
func (f *Fake) heartbeatsSeenLocked() bool {
	for c := range f.conns {
		if c.session != nil && !c.serverClosing.Load() && c.heartbeats == 0 {
			return false
		}
	}
	return true
}

// waitLocked waits until cond (run with f.mu held) is true or the timeout passes.
func (f *Fake) waitLocked(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.notify
		f.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// broadcastLocked wakes every waiter; f.mu must be held.
func (f *Fake) broadcastLocked() {
	close(f.notify)
	f.notify = make(chan struct{})
}

// newID returns a fresh snowflake for the current time; IDs strictly increase.
func (f *Fake) newID() string {
	f.idMu.Lock()
	defer f.idMu.Unlock()
	id := uint64(time.Now().UnixMilli()-discordEpoch)<<22 | 1<<17
	if id <= f.lastID {
		id = f.lastID + 1
	}
	f.lastID = id
	return strconv.FormatUint(id, 10)
}

// randomToken returns a random string of n bytes, hex encoded, after prefix.
func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// clone deep-copies v through JSON.
func clone[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: clone: " + err.Error())
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic("discordtest: clone: " + err.Error())
	}
	return out
}
