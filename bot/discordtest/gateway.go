package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway close codes the fake uses, as documented by Discord.
const (
	// CloseUnknownError is close code 4000, after which a client may resume.
	CloseUnknownError = 4000
	// CloseUnknownOpcode is sent for an opcode the gateway does not accept.
	CloseUnknownOpcode = 4001
	// CloseDecodeError is sent for a payload that is not valid JSON.
	CloseDecodeError = 4002
	// CloseNotAuthenticated is sent for a payload before IDENTIFY.
	CloseNotAuthenticated = 4003
	// CloseAuthenticationFailed is sent for an IDENTIFY with an empty token.
	CloseAuthenticationFailed = 4004
	// CloseAlreadyAuthenticated is sent for a second IDENTIFY or RESUME.
	CloseAlreadyAuthenticated = 4005
	// CloseDisallowedIntents is sent for an IDENTIFY asking for rejected intents.
	CloseDisallowedIntents = 4014
)

// Resume is one RESUME (op 6) the gateway received.
type Resume struct {
	// Token is the token the client resumed with.
	Token string `json:"token"`
	// SessionID is the session the client asked to resume.
	SessionID string `json:"session_id"`
	// Seq is the last sequence number the client saw.
	Seq int64 `json:"seq"`
	// Accepted reports whether the fake answered RESUMED (true) or an
	// invalid session, op 9 (false).
	Accepted bool `json:"-"`
}

// Frame is one payload the gateway received from the client.
type Frame struct {
	// Op is the gateway opcode (1 heartbeat, 2 identify, 3 presence update, 6 resume, 8 request members...).
	Op int
	// Data is the payload's "d" field.
	Data json.RawMessage
}

type gwSession struct {
	id        string
	seq       int64
	resumable bool
	intents   discordgo.Intent
	// shard and shards are the session's [shard_id, num_shards]; an
	// unsharded session is shard 0 of 1.
	shard, shards int
}

// owns reports whether the session's shard receives a server's events.
func (s *gwSession) owns(guildID string) bool {
	return ShardOf(guildID, s.shards) == s.shard
}

type gwConn struct {
	f       *Fake
	ws      *websocket.Conn
	version int
	wmu     sync.Mutex
	// session is guarded by f.mu; nil until IDENTIFY or RESUME succeeds.
	session    *gwSession
	heartbeats int // guarded by f.mu
	// ready is set once READY or RESUMED was sent, until the connection
	// closes; seq orders connections by when they were opened. Both are
	// guarded by f.mu.
	ready         bool
	seq           int
	serverClosing atomic.Bool
}

type gwPayload struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int64  `json:"s"`
	T  *string `json:"t"`
}

var errNotReady = errors.New("discordtest: gateway connection is not ready")

// serveGateway upgrades the request to a websocket and runs the gateway protocol on it.
func (f *Fake) serveGateway(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		http.Error(w, "fake closed", http.StatusServiceUnavailable)
		return
	}
	f.connWG.Add(1)
	f.mu.Unlock()
	defer f.connWG.Done()

	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	version, _ := strconv.Atoi(r.URL.Query().Get("v"))
	if version == 0 {
		version = 10
	}
	c := &gwConn{f: f, ws: ws, version: version}
	f.mu.Lock()
	f.conns[c] = struct{}{}
	f.connects++
	c.seq = f.connects
	interval := f.heartbeatInterval
	f.broadcastLocked()
	f.mu.Unlock()
	defer func() {
		_ = ws.Close()
		f.mu.Lock()
		delete(f.conns, c)
		c.ready = false
		f.broadcastLocked()
		f.mu.Unlock()
	}()

	if err := c.write(gwPayload{Op: 10, D: map[string]any{"heartbeat_interval": interval.Milliseconds(), "_trace": []string{`["discordtest-gateway"]`}}}); err != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			// A client closing with 1000 or 1001 ends its session for good.
			if errors.As(err, &ce) && !c.serverClosing.Load() && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
				f.mu.Lock()
				if c.session != nil {
					c.session.resumable = false
				}
				f.mu.Unlock()
			}
			return
		}
		if c.serverClosing.Load() {
			continue
		}
		c.handle(msg)
	}
}

func (c *gwConn) write(p gwPayload) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(p)
}

func (c *gwConn) writeLocked(p gwPayload) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(p)
}

// dispatchLocked sends a DISPATCH with the session's next sequence number; c.wmu must be held.
func (c *gwConn) dispatchLocked(event string, data any) (int64, error) {
	if c.serverClosing.Load() {
		return 0, errNotReady
	}
	c.f.mu.Lock()
	sess := c.session
	if sess == nil {
		c.f.mu.Unlock()
		return 0, errNotReady
	}
	sess.seq++
	seq := sess.seq
	c.f.mu.Unlock()
	return seq, c.writeLocked(gwPayload{Op: 0, D: data, S: &seq, T: &event})
}

func (c *gwConn) dispatch(event string, data any) (int64, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.dispatchLocked(event, data)
}

// closeWith sends a close frame and closes the connection once the client
// has answered (or after two seconds). Closing the TCP connection at once
// could reset it before the client reads the close code.
func (c *gwConn) closeWith(code int, reason string, invalidate bool) {
	if c.serverClosing.Swap(true) {
		return
	}
	c.f.mu.Lock()
	c.ready = false
	if invalidate && c.session != nil {
		c.session.resumable = false
	}
	c.f.broadcastLocked()
	c.f.mu.Unlock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	time.AfterFunc(2*time.Second, func() { _ = c.ws.Close() })
}

func (c *gwConn) authed() bool {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	return c.session != nil
}

func (c *gwConn) handle(msg []byte) {
	var p struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if err := json.Unmarshal(msg, &p); err != nil || p.Op == nil {
		c.closeWith(CloseDecodeError, "Error while decoding payload.", false)
		return
	}
	f := c.f
	f.mu.Lock()
	f.frames = append(f.frames, Frame{Op: *p.Op, Data: append(json.RawMessage(nil), p.D...)})
	if *p.Op == 1 {
		f.heartbeats++
		c.heartbeats++
	}
	f.broadcastLocked()
	f.mu.Unlock()

	switch *p.Op {
	case 1:
		_ = c.write(gwPayload{Op: 11})
	case 2:
		c.identify(p.D)
	case 6:
		c.resume(p.D)
	case 3, 4, 8:
		if !c.authed() {
			c.closeWith(CloseNotAuthenticated, "Not authenticated.", false)
		}
	default:
		c.closeWith(CloseUnknownOpcode, "Unknown opcode.", false)
	}
}

func (c *gwConn) identify(d json.RawMessage) {
	f := c.f
	// discordgo's Identify does not survive a JSON round trip (its Activity
	// cannot decode what it encodes), so the presence is read apart; Frames
	// keeps it raw.
	var in struct {
		Token          string                       `json:"token"`
		Properties     discordgo.IdentifyProperties `json:"properties"`
		Compress       bool                         `json:"compress"`
		LargeThreshold int                          `json:"large_threshold"`
		Shard          *[2]int                      `json:"shard"`
		Intents        discordgo.Intent             `json:"intents"`
	}
	if err := json.Unmarshal(d, &in); err != nil {
		c.closeWith(CloseDecodeError, "Error while decoding payload.", false)
		return
	}
	id := discordgo.Identify{Token: in.Token, Properties: in.Properties, Compress: in.Compress,
		LargeThreshold: in.LargeThreshold, Shard: in.Shard, Intents: in.Intents}
	shard, shards := 0, 1
	if id.Shard != nil {
		shard, shards = id.Shard[0], id.Shard[1]
	}
	f.mu.Lock()
	f.identifies = append(f.identifies, id)
	reject := f.rejectIntents
	refuse := f.refuseIdentify
	authed := c.session != nil
	tooMany := f.shardLimit > 0 && f.shardGuildsLocked(shard, shards) > f.shardLimit
	held := f.heldShards[shard]
	f.broadcastLocked()
	f.mu.Unlock()
	switch {
	case authed:
		c.closeWith(CloseAlreadyAuthenticated, "Already authenticated.", false)
		return
	case held:
		c.closeWith(CloseUnknownError, "Unknown error.", false)
		return
	case refuse != nil:
		c.closeWith(refuse.code, refuse.reason, true)
		return
	case id.Token == "":
		c.closeWith(CloseAuthenticationFailed, "Authentication failed.", false)
		return
	case shards < 1 || shard < 0 || shard >= shards:
		c.closeWith(CloseInvalidShard, "Invalid shard.", true)
		return
	case tooMany:
		c.closeWith(CloseShardingRequired, "Sharding required.", true)
		return
	case id.Intents&reject != 0:
		c.closeWith(CloseDisallowedIntents, "Disallowed intent(s).", false)
		return
	}

	c.wmu.Lock()
	defer c.wmu.Unlock()
	sess := &gwSession{id: randomToken("", 16), resumable: true, intents: id.Intents, shard: shard, shards: shards}
	f.mu.Lock()
	// A new session of a shard replaces its earlier ones.
	for _, old := range f.sessions {
		if old.shard == shard {
			old.resumable = false
		}
	}
	f.sessions[sess.id] = sess
	f.latest = sess
	c.session = sess
	ready := f.readyLocked(sess, c.version, id.Shard)
	var creates []any
	for _, gid := range f.guildOrder {
		if sess.owns(gid) {
			creates = append(creates, f.guildCreateLocked(gid))
		}
	}
	f.mu.Unlock()

	if _, err := c.dispatchLocked("READY", ready); err != nil {
		return
	}
	for _, g := range creates {
		if _, err := c.dispatchLocked("GUILD_CREATE", g); err != nil {
			return
		}
	}
	f.mu.Lock()
	if !c.serverClosing.Load() {
		c.ready = true
	}
	f.broadcastLocked()
	f.mu.Unlock()
}

func (c *gwConn) resume(d json.RawMessage) {
	f := c.f
	var r Resume
	if err := json.Unmarshal(d, &r); err != nil {
		c.closeWith(CloseDecodeError, "Error while decoding payload.", false)
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	f.mu.Lock()
	if c.session != nil {
		f.mu.Unlock()
		// closeWith needs f.mu but not c.wmu: WriteControl may run concurrently.
		c.closeWith(CloseAlreadyAuthenticated, "Already authenticated.", false)
		return
	}
	sess := f.sessions[r.SessionID]
	if sess != nil && f.heldShards[sess.shard] {
		f.mu.Unlock()
		c.closeWith(CloseUnknownError, "Unknown error.", false)
		return
	}
	r.Accepted = sess != nil && sess.resumable && r.Seq <= sess.seq
	f.resumes = append(f.resumes, r)
	if r.Accepted {
		c.session = sess
	}
	f.broadcastLocked()
	f.mu.Unlock()
	if !r.Accepted {
		// Invalid session, not resumable: the client must IDENTIFY again.
		_ = c.writeLocked(gwPayload{Op: 9, D: false})
		return
	}
	if _, err := c.dispatchLocked("RESUMED", map[string]any{"_trace": []string{`["discordtest-gateway"]`}}); err != nil {
		return
	}
	f.mu.Lock()
	if !c.serverClosing.Load() {
		c.ready = true
	}
	f.broadcastLocked()
	f.mu.Unlock()
}

// readyLocked builds the READY payload; f.mu must be held.
func (f *Fake) readyLocked(sess *gwSession, version int, shard *[2]int) map[string]any {
	guilds := make([]map[string]any, 0, len(f.guildOrder))
	for _, id := range f.guildOrder {
		if sess.owns(id) {
			guilds = append(guilds, map[string]any{"id": id, "unavailable": true})
		}
	}
	// Application flags say which privileged intents the portal allows.
	var appFlags int
	if f.rejectIntents&discordgo.IntentGuildPresences == 0 {
		appFlags |= 1 << 13
	}
	if f.rejectIntents&discordgo.IntentGuildMembers == 0 {
		appFlags |= 1 << 15
	}
	if f.rejectIntents&discordgo.IntentMessageContent == 0 {
		appFlags |= 1 << 19
	}
	user := map[string]any{
		"id": f.bot.ID, "username": f.bot.Username, "discriminator": "0", "global_name": nil, "avatar": nil,
		"bot": true, "verified": true, "mfa_enabled": false, "email": nil, "flags": 0,
	}
	ready := map[string]any{
		"v":                   version,
		"user":                user,
		"guilds":              guilds,
		"session_id":          sess.id,
		"session_type":        "normal",
		"resume_gateway_url":  f.wsURL,
		"private_channels":    []any{},
		"relationships":       []any{},
		"presences":           []any{},
		"guild_join_requests": []any{},
		"user_settings":       map[string]any{},
		"application":         map[string]any{"id": f.appID, "flags": appFlags},
		"_trace":              []string{`["discordtest-gateway"]`},
	}
	if shard != nil {
		ready["shard"] = shard
	}
	return ready
}

// guildCreateLocked builds the GUILD_CREATE payload for a guild; f.mu must be held.
func (f *Fake) guildCreateLocked(id string) *discordgo.Guild {
	gs := f.guilds[id]
	g := clone(gs.guild)
	g.Unavailable = false
	g.Channels = []*discordgo.Channel{}
	g.Threads = []*discordgo.Channel{}
	for _, ch := range f.sortedChannelsLocked(id) {
		if ch.IsThread() {
			g.Threads = append(g.Threads, ch)
		} else {
			g.Channels = append(g.Channels, ch)
		}
	}
	g.Members = clone(gs.members)
	g.MemberCount = len(gs.members)
	g.ApproximateMemberCount = 0
	for _, s := range []*[]*discordgo.Emoji{&g.Emojis} {
		if *s == nil {
			*s = []*discordgo.Emoji{}
		}
	}
	if g.Stickers == nil {
		g.Stickers = []*discordgo.Sticker{}
	}
	if g.VoiceStates == nil {
		g.VoiceStates = []*discordgo.VoiceState{}
	}
	if g.Presences == nil {
		g.Presences = []*discordgo.Presence{}
	}
	if g.Features == nil {
		g.Features = []discordgo.GuildFeature{}
	}
	if g.StageInstances == nil {
		g.StageInstances = []*discordgo.StageInstance{}
	}
	return g
}

// Dispatch sends a DISPATCH (op 0) event with the next sequence number to the
// session that receives it and returns that sequence number: the session of
// the shard owning the event's server (its guild_id, or the id of a
// GUILD_CREATE, GUILD_UPDATE or GUILD_DELETE; shard 0 for direct messages
// and events of no server, see ShardOf). It waits up to five seconds for
// that session to be connected (for instance while discordgo resumes after
// DropConnection) and reports a test error if none is. INTERACTION_CREATE
// payloads register the interaction (so the bot can answer it) and
// MESSAGE_CREATE payloads store the message, whichever way they are sent.
func (f *Fake) Dispatch(eventName string, data any) int64 {
	f.t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		f.t.Errorf("discordtest: Dispatch(%s): %v", eventName, err)
		return 0
	}
	f.observe(eventName, raw)
	seq, err := f.dispatchRaw(eventName, raw, eventGuild(eventName, raw), 5*time.Second)
	if err != nil {
		f.t.Errorf("discordtest: Dispatch(%s): %v", eventName, err)
	}
	return seq
}

// eventGuild returns the server an event belongs to, "" for none.
func eventGuild(event string, raw json.RawMessage) string {
	var p struct {
		ID      string `json:"id"`
		GuildID string `json:"guild_id"`
	}
	_ = json.Unmarshal(raw, &p)
	switch event {
	case "GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE":
		return p.ID
	}
	return p.GuildID
}

// targetLocked returns the ready connection that receives the events of
// guildID ("" for direct messages), the newest if several are, or nil;
// f.mu must be held.
func (f *Fake) targetLocked(guildID string) *gwConn {
	var best *gwConn
	for c := range f.conns {
		if c.ready && c.session != nil && c.session.owns(guildID) && (best == nil || c.seq > best.seq) {
			best = c
		}
	}
	return best
}

// shardConnLocked returns the newest connection of a shard, ready ones
// first, or nil; f.mu must be held.
func (f *Fake) shardConnLocked(shard int) *gwConn {
	var best *gwConn
	better := func(c *gwConn) bool {
		if best == nil {
			return true
		}
		if c.ready != best.ready {
			return c.ready
		}
		return c.seq > best.seq
	}
	for c := range f.conns {
		if c.session != nil && c.session.shard == shard && better(c) {
			best = c
		}
	}
	if best == nil && shard == 0 {
		// Not identified yet: the newest connection.
		for c := range f.conns {
			if best == nil || c.seq > best.seq {
				best = c
			}
		}
	}
	return best
}

func (f *Fake) dispatchRaw(event string, raw json.RawMessage, guildID string, wait time.Duration) (int64, error) {
	deadline := time.Now().Add(wait)
	for {
		var c *gwConn
		f.waitLocked(time.Until(deadline), func() bool {
			c = f.targetLocked(guildID)
			return c != nil || f.closed
		})
		if c == nil {
			return 0, errors.New("no gateway session is connected")
		}
		seq, err := c.dispatch(event, raw)
		if err == nil {
			return seq, nil
		}
		if time.Now().After(deadline) {
			return 0, err
		}
		// The connection broke under us: wait for the client to come back.
		f.mu.Lock()
		c.ready = false
		f.mu.Unlock()
	}
}

// dispatchIfConnected sends an event of guildID ("" for none) only if the
// session receiving it is connected and has one of the intents in need (0
// for none needed); it never waits.
func (f *Fake) dispatchIfConnected(event string, data any, guildID string, need discordgo.Intent) {
	f.mu.Lock()
	c := f.targetLocked(guildID)
	ok := c != nil && (need == 0 || c.session.intents&need != 0)
	f.mu.Unlock()
	if ok {
		_, _ = c.dispatch(event, data)
	}
}

// sessionIntents returns the intents of the session receiving guildID's
// events and whether it is connected; when none is, those of the latest
// session.
func (f *Fake) sessionIntents(guildID string) (discordgo.Intent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.targetLocked(guildID)
	if c == nil {
		if f.latest != nil {
			return f.latest.intents, false
		}
		return 0, false
	}
	return c.session.intents, true
}

// CloseGateway closes the gateway connection of shard 0 (the only one of
// an unsharded bot) with the given close code and reason; see CloseShard.
func (f *Fake) CloseGateway(code int, reason string) {
	f.t.Helper()
	f.CloseShard(0, code, reason)
}

// CloseShard closes a shard's gateway connection with the given close
// code and reason. Codes Discord treats as fatal (4004, 4010-4014) and
// 4007/4009 also invalidate the session, so a later RESUME gets an invalid
// session (op 9) and discordgo identifies again.
func (f *Fake) CloseShard(shard, code int, reason string) {
	f.t.Helper()
	f.mu.Lock()
	c := f.shardConnLocked(shard)
	f.mu.Unlock()
	if c == nil {
		f.t.Errorf("discordtest: CloseShard(%d): no gateway connection", shard)
		return
	}
	invalidate := code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014)
	c.closeWith(code, reason, invalidate)
}

// DropConnection abruptly closes the gateway connection of shard 0 (the
// only one of an unsharded bot); see DropShard.
func (f *Fake) DropConnection() {
	f.t.Helper()
	f.DropShard(0)
}

// DropShard abruptly closes a shard's gateway connection's TCP socket,
// without a close frame, as a network failure would. The session stays
// resumable: discordgo (with ShouldReconnectOnError, the default) closes
// its side, waits about a second, reconnects and sends RESUME, and the
// fake answers RESUMED. Events are not replayed; a test may Dispatch the
// same event again after the resume to simulate a duplicate.
func (f *Fake) DropShard(shard int) {
	f.t.Helper()
	f.mu.Lock()
	c := f.shardConnLocked(shard)
	if c != nil && !c.ready {
		c = nil
	}
	if c != nil {
		c.ready = false
	}
	f.broadcastLocked()
	f.mu.Unlock()
	if c == nil {
		f.t.Errorf("discordtest: DropShard(%d): no gateway session is connected", shard)
		return
	}
	c.serverClosing.Store(true)
	_ = c.ws.Close()
}

// RequestReconnect sends op 7 (Reconnect) on the connection of shard 0, as
// Discord does before moving a session; discordgo closes with code 1012,
// reconnects and resumes.
func (f *Fake) RequestReconnect() {
	f.mu.Lock()
	c := f.shardConnLocked(0)
	if c != nil && !c.ready {
		c = nil
	}
	if c != nil {
		c.ready = false
	}
	f.broadcastLocked()
	f.mu.Unlock()
	if c == nil {
		f.t.Errorf("discordtest: RequestReconnect: no gateway session is connected")
		return
	}
	_ = c.write(gwPayload{Op: 7})
}

// Identifies returns every IDENTIFY payload received, in order (token, intents,
// properties, shard); Presence is left empty, see Frames for the raw payload.
func (f *Fake) Identifies() []discordgo.Identify {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]discordgo.Identify(nil), f.identifies...)
}

// Resumes returns every RESUME received, in order.
func (f *Fake) Resumes() []Resume {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Resume(nil), f.resumes...)
}

// Frames returns every gateway payload received from clients, in order.
func (f *Fake) Frames() []Frame {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Frame(nil), f.frames...)
}

// Heartbeats returns the number of heartbeats (op 1) received; each was ACKed with op 11.
func (f *Fake) Heartbeats() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.heartbeats
}

// Connected reports whether a gateway session is connected and ready (after
// READY or RESUMED); of a sharded bot, any of its shards.
func (f *Fake) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		if c.ready {
			return true
		}
	}
	return false
}

// SessionID returns the ID of the latest gateway session, or "" before the first IDENTIFY.
func (f *Fake) SessionID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.latest == nil {
		return ""
	}
	return f.latest.id
}

// WaitConnected waits until a gateway session is connected and ready (after
// READY or RESUMED) and has sent its first heartbeat on that connection, for
// instance after DropConnection; it fails the test on timeout. Of a sharded
// bot it waits for shard 0 (see WaitShards for all of them).
func (f *Fake) WaitConnected(t testing.TB, timeout time.Duration) {
	t.Helper()
	if !f.waitLocked(timeout, func() bool { return f.shardReadyLocked(0) }) {
		t.Fatalf("discordtest: no gateway session connected within %v", timeout)
	}
}

// shardReadyLocked reports whether a shard has a ready connection that has
// heartbeated; f.mu must be held.
func (f *Fake) shardReadyLocked(shard int) bool {
	for c := range f.conns {
		if c.ready && c.session != nil && c.session.shard == shard && c.heartbeats > 0 {
			return true
		}
	}
	return false
}
