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
}

type gwConn struct {
	f       *Fake
	ws      *websocket.Conn
	version int
	wmu     sync.Mutex
	// session is guarded by f.mu; nil until IDENTIFY or RESUME succeeds.
	session       *gwSession
	heartbeats    int // guarded by f.mu
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
	interval := f.heartbeatInterval
	f.broadcastLocked()
	f.mu.Unlock()
	defer func() {
		_ = ws.Close()
		f.mu.Lock()
		delete(f.conns, c)
		if f.current == c {
			f.current = nil
		}
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
	if c.f.current == c {
		c.f.current = nil
	}
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
	f.mu.Lock()
	f.identifies = append(f.identifies, id)
	reject := f.rejectIntents
	refuse := f.refuseIdentify
	authed := c.session != nil
	f.broadcastLocked()
	f.mu.Unlock()
	switch {
	case authed:
		c.closeWith(CloseAlreadyAuthenticated, "Already authenticated.", false)
		return
	case refuse != nil:
		c.closeWith(refuse.code, refuse.reason, true)
		return
	case id.Token == "":
		c.closeWith(CloseAuthenticationFailed, "Authentication failed.", false)
		return
	case id.Intents&reject != 0:
		c.closeWith(CloseDisallowedIntents, "Disallowed intent(s).", false)
		return
	}

	c.wmu.Lock()
	defer c.wmu.Unlock()
	sess := &gwSession{id: randomToken("", 16), resumable: true, intents: id.Intents}
	f.mu.Lock()
	f.session = sess
	c.session = sess
	ready := f.readyLocked(sess, c.version, id.Shard)
	var creates []any
	for _, gid := range f.guildOrder {
		creates = append(creates, f.guildCreateLocked(gid))
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
		f.current = c
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
	sess := f.session
	r.Accepted = sess != nil && sess.id == r.SessionID && sess.resumable && r.Seq <= sess.seq
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
		f.current = c
	}
	f.broadcastLocked()
	f.mu.Unlock()
}

// readyLocked builds the READY payload; f.mu must be held.
func (f *Fake) readyLocked(sess *gwSession, version int, shard *[2]int) map[string]any {
	guilds := make([]map[string]any, 0, len(f.guildOrder))
	for _, id := range f.guildOrder {
		guilds = append(guilds, map[string]any{"id": id, "unavailable": true})
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
// connected session and returns that sequence number. It waits up to five
// seconds for a session to be connected (for instance while discordgo
// resumes after DropConnection) and reports a test error if none is.
// INTERACTION_CREATE payloads register the interaction (so the bot can answer
// it) and MESSAGE_CREATE payloads store the message, whichever way they are sent.
func (f *Fake) Dispatch(eventName string, data any) int64 {
	f.t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		f.t.Errorf("discordtest: Dispatch(%s): %v", eventName, err)
		return 0
	}
	f.observe(eventName, raw)
	seq, err := f.dispatchRaw(eventName, raw, 5*time.Second)
	if err != nil {
		f.t.Errorf("discordtest: Dispatch(%s): %v", eventName, err)
	}
	return seq
}

func (f *Fake) dispatchRaw(event string, raw json.RawMessage, wait time.Duration) (int64, error) {
	deadline := time.Now().Add(wait)
	for {
		var c *gwConn
		f.waitLocked(time.Until(deadline), func() bool {
			c = f.current
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
		if f.current == c {
			f.current = nil
		}
		f.mu.Unlock()
	}
}

// dispatchIfConnected sends an event only if a session is connected and has
// one of the intents in need (0 for none needed); it never waits.
func (f *Fake) dispatchIfConnected(event string, data any, need discordgo.Intent) {
	f.mu.Lock()
	c := f.current
	ok := c != nil && (need == 0 || c.session.intents&need != 0)
	f.mu.Unlock()
	if ok {
		_, _ = c.dispatch(event, data)
	}
}

// sessionIntents returns the intents of the current session and whether one is connected.
func (f *Fake) sessionIntents() (discordgo.Intent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current == nil {
		if f.session != nil {
			return f.session.intents, false
		}
		return 0, false
	}
	return f.current.session.intents, true
}

// CloseGateway closes the current gateway connection with the given close
// code and reason. Codes Discord treats as fatal (4004, 4010-4014) and
// 4007/4009 also invalidate the session, so a later RESUME gets an invalid
// session (op 9) and discordgo identifies again.
func (f *Fake) CloseGateway(code int, reason string) {
	f.mu.Lock()
	c := f.current
	if c == nil {
		for cc := range f.conns {
			c = cc
		}
	}
	f.mu.Unlock()
	if c == nil {
		f.t.Errorf("discordtest: CloseGateway: no gateway connection")
		return
	}
	invalidate := code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014)
	c.closeWith(code, reason, invalidate)
}

// DropConnection abruptly closes the current gateway connection's TCP
// socket, without a close frame, as a network failure would. The session
// stays resumable: discordgo (with ShouldReconnectOnError, the default)
// closes its side, waits about a second, reconnects and sends RESUME, and
// the fake answers RESUMED. Events are not replayed; a test may Dispatch
// the same event again after the resume to simulate a duplicate.
func (f *Fake) DropConnection() {
	f.mu.Lock()
	c := f.current
	f.current = nil
	f.broadcastLocked()
	f.mu.Unlock()
	if c == nil {
		f.t.Errorf("discordtest: DropConnection: no gateway session is connected")
		return
	}
	c.serverClosing.Store(true)
	_ = c.ws.Close()
}

// RequestReconnect sends op 7 (Reconnect) on the current connection, as
// Discord does before moving a session; discordgo closes with code 1012,
// reconnects and resumes.
func (f *Fake) RequestReconnect() {
	f.mu.Lock()
	c := f.current
	f.current = nil
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

// Connected reports whether a gateway session is connected and ready (after READY or RESUMED).
func (f *Fake) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current != nil
}

// SessionID returns the ID of the latest gateway session, or "" before the first IDENTIFY.
func (f *Fake) SessionID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.session == nil {
		return ""
	}
	return f.session.id
}

// WaitConnected waits until a gateway session is connected and ready (after
// READY or RESUMED) and has sent its first heartbeat on that connection, for
// instance after DropConnection; it fails the test on timeout.
func (f *Fake) WaitConnected(t testing.TB, timeout time.Duration) {
	t.Helper()
	if !f.waitLocked(timeout, func() bool { return f.current != nil && f.current.heartbeats > 0 }) {
		t.Fatalf("discordtest: no gateway session connected within %v", timeout)
	}
}
