package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// response is what a REST handler answers; after runs once it is written.
type response struct {
	status int
	body   []byte
	header http.Header
	after  []func()
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: marshal response: " + err.Error())
	}
	return response{status: status, body: b}
}

// apiError is Discord's error body: {"message": ..., "code": ...}.
func apiError(status, code int, message string) response {
	return jsonResponse(status, map[string]any{"message": message, "code": code})
}

func noContent() response { return response{status: http.StatusNoContent} }

func notFound() response { return apiError(404, 0, "404: Not Found") }

func invalidJSON() response { return apiError(400, 50109, "The request body contains invalid JSON.") }

func unknownChannel() response { return apiError(404, 10003, "Unknown Channel") }

func unknownMessage() response { return apiError(404, 10008, "Unknown Message") }

func missingAccess() response { return apiError(403, 50001, "Missing Access") }

// serveHTTP answers the gateway upgrade and every REST request.
func (f *Fake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		f.serveGateway(w, r)
		return
	}
	received := time.Now()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	path, version := splitAPIPath(r.URL.Path)
	host := r.Header.Get(origHostHeader)
	if host == "" {
		host = r.Host
	}
	hdr := r.Header.Clone()
	hdr.Del(origHostHeader)
	call := Call{Method: r.Method, Path: path, APIVersion: version, Query: r.URL.Query(), Header: hdr, Host: host, Body: body, Received: received}
	var multipartErr error
	call.Body, call.Files, multipartErr = parseMultipart(r.Header.Get("Content-Type"), body)
	if !f.hold(r, call) {
		return // its client went away while it was held
	}

	f.mu.Lock()
	var resp response
	limitHeader, limited := f.rateLimitLocked(r.Method, path)
	if fl, ok := f.takeFailureLocked(r.Method, path); ok {
		resp = fl
	} else if limited != nil {
		resp = *limited
	} else if !strings.HasPrefix(r.URL.Path, "/api/") {
		resp = notFound()
	} else if multipartErr != nil {
		resp = apiError(400, 50109, "The request body contains invalid JSON.")
	} else {
		resp = f.routeLocked(&call)
	}
	call.Status = resp.status
	call.Response = resp.body
	f.calls = append(f.calls, call)
	f.broadcastLocked()
	f.mu.Unlock()

	for k, vs := range resp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if resp.header == nil {
		for k, vs := range limitHeader {
			w.Header()[k] = vs
		}
	}
	if resp.body != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
	for _, fn := range resp.after {
		if fn != nil {
			fn()
		}
	}
}

// splitAPIPath turns "/api/v9/channels/1" into ("/channels/1", "9").
func splitAPIPath(p string) (path, version string) {
	rest, ok := strings.CutPrefix(p, "/api")
	if !ok {
		return p, ""
	}
	if strings.HasPrefix(rest, "/v") {
		seg := rest[2:]
		end := strings.IndexByte(seg, '/')
		if end < 0 {
			end = len(seg)
		}
		if _, err := strconv.Atoi(seg[:end]); err == nil && end > 0 {
			return "/" + strings.TrimPrefix(seg[end:], "/"), seg[:end]
		}
	}
	return rest, ""
}

// parseMultipart returns payload_json and the files of a multipart body, or the body itself.
func parseMultipart(contentType string, body []byte) ([]byte, []File, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return body, nil, nil
	}
	var payload []byte
	var files []File
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return body, nil, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return body, nil, err
		}
		if part.FormName() == "payload_json" {
			payload = data
			continue
		}
		files = append(files, File{Field: part.FormName(), Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
	}
	return payload, files, nil
}

func (f *Fake) takeFailureLocked(method, path string) (response, bool) {
	for i, fl := range f.failures {
		if (fl.method == "" || strings.EqualFold(fl.method, method)) && strings.HasPrefix(path, fl.prefix) {
			f.failures = append(f.failures[:i:i], f.failures[i+1:]...)
			return failureResponse(fl), true
		}
	}
	return response{}, false
}

func failureResponse(fl failure) response {
	body := fl.body
	h := http.Header{}
	if fl.status == http.StatusTooManyRequests {
		if body == "" {
			body = `{"message": "You are being rate limited.", "retry_after": 0.01, "global": false}`
		}
		var rl struct {
			RetryAfter float64 `json:"retry_after"`
			Global     bool    `json:"global"`
		}
		_ = json.Unmarshal([]byte(body), &rl)
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(rl.RetryAfter))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(rl.RetryAfter, 'f', -1, 64))
		h.Set("X-RateLimit-Bucket", "discordtest")
		if rl.Global {
			h.Set("X-RateLimit-Global", "true")
			h.Set("X-RateLimit-Scope", "global")
		} else {
			h.Set("X-RateLimit-Scope", "user")
		}
	} else if body == "" {
		b, _ := json.Marshal(map[string]any{"message": fmt.Sprintf("%d: %s", fl.status, http.StatusText(fl.status)), "code": 0})
		body = string(b)
	}
	return response{status: fl.status, body: []byte(body), header: h}
}

type route struct {
	method  string
	pattern string
	handle  func(c *Call, p []string) response
}

// matchPath matches segments against a pattern like "channels/*/messages";
// "*" matches one segment, whose values are returned in order.
func matchPath(segs []string, pattern string) ([]string, bool) {
	ps := strings.Split(pattern, "/")
	if len(ps) != len(segs) {
		return nil, false
	}
	var params []string
	for i, p := range ps {
		switch {
		case p == "*":
			if segs[i] == "" {
				return nil, false
			}
			params = append(params, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return params, true
}

func (f *Fake) routes() []route {
	return []route{
		{"GET", "gateway", func(*Call, []string) response { return jsonResponse(200, map[string]any{"url": f.wsURL}) }},
		{"GET", "gateway/bot", func(*Call, []string) response { return jsonResponse(200, f.gatewayBotLocked()) }},
		{"GET", "users/@me", func(*Call, []string) response { return jsonResponse(200, f.botUserObject()) }},
		{"GET", "users/@me/guilds", f.getMyGuilds},
		{"POST", "users/@me/channels", f.createDM},
		{"GET", "users/*", f.getUser},
		{"GET", "applications/@me", func(*Call, []string) response { return jsonResponse(200, f.applicationObjectLocked()) }},
		{"GET", "oauth2/applications/@me", func(*Call, []string) response { return jsonResponse(200, f.applicationObjectLocked()) }},
		{"GET", "applications/*/commands", func(c *Call, p []string) response { return f.listCommands(p[0], "") }},
		{"PUT", "applications/*/commands", func(c *Call, p []string) response { return f.bulkOverwrite(c, p[0], "") }},
		{"POST", "applications/*/commands", func(c *Call, p []string) response { return f.createCommand(c, p[0], "") }},
		{"GET", "applications/*/commands/*", func(c *Call, p []string) response { return f.getCommand(p[0], "", p[1], false) }},
		{"DELETE", "applications/*/commands/*", func(c *Call, p []string) response { return f.getCommand(p[0], "", p[1], true) }},
		{"GET", "applications/*/guilds/*/commands", func(c *Call, p []string) response { return f.listCommands(p[0], p[1]) }},
		{"PUT", "applications/*/guilds/*/commands", func(c *Call, p []string) response { return f.bulkOverwrite(c, p[0], p[1]) }},
		{"POST", "applications/*/guilds/*/commands", func(c *Call, p []string) response { return f.createCommand(c, p[0], p[1]) }},
		{"GET", "applications/*/guilds/*/commands/*", func(c *Call, p []string) response { return f.getCommand(p[0], p[1], p[2], false) }},
		{"DELETE", "applications/*/guilds/*/commands/*", func(c *Call, p []string) response { return f.getCommand(p[0], p[1], p[2], true) }},
		{"POST", "interactions/*/*/callback", f.interactionCallback},
		{"POST", "webhooks/*/*", f.webhookExecute},
		{"GET", "webhooks/*/*/messages/*", f.webhookMessage},
		{"PATCH", "webhooks/*/*/messages/*", f.webhookMessage},
		{"DELETE", "webhooks/*/*/messages/*", f.webhookMessage},
		{"GET", "channels/*", f.getChannel},
		{"GET", "channels/*/messages", f.listMessages},
		{"POST", "channels/*/messages", f.createMessage},
		{"GET", "channels/*/messages/*", f.getMessage},
		{"PATCH", "channels/*/messages/*", f.editMessage},
		{"DELETE", "channels/*/messages/*", f.deleteMessage},
		{"POST", "channels/*/messages/*/threads", f.startThreadFromMessage},
		{"POST", "channels/*/threads", f.startThread},
		{"POST", "channels/*/typing", func(c *Call, p []string) response {
			if f.channels[p[0]] == nil {
				return unknownChannel()
			}
			return noContent()
		}},
		{"PUT", "channels/*/messages/*/reactions/*/@me", f.react},
		{"DELETE", "channels/*/messages/*/reactions/*/@me", f.react},
		{"GET", "guilds/*", f.getGuild},
		{"GET", "guilds/*/channels", f.getGuildChannels},
		{"GET", "guilds/*/roles", func(c *Call, p []string) response {
			gs := f.guilds[p[0]]
			if gs == nil {
				return apiError(404, 10004, "Unknown Guild")
			}
			return jsonResponse(200, gs.guild.Roles)
		}},
		{"GET", "guilds/*/members/*", f.getMember},
	}
}

// routeLocked dispatches a REST call to its handler; f.mu is held.
func (f *Fake) routeLocked(c *Call) response {
	segs := strings.Split(strings.Trim(c.Path, "/"), "/")
	for _, r := range f.routes() {
		if r.method != c.Method {
			continue
		}
		if p, ok := matchPath(segs, r.pattern); ok {
			return r.handle(c, p)
		}
	}
	return notFound()
}

func decodeObject(c *Call) (map[string]json.RawMessage, *response) {
	obj := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(c.Body)) == 0 {
		return obj, nil
	}
	if err := json.Unmarshal(c.Body, &obj); err != nil {
		r := invalidJSON()
		return nil, &r
	}
	return obj, nil
}

func isNull(v json.RawMessage) bool {
	return len(v) == 0 || string(bytes.TrimSpace(v)) == "null"
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: marshal: " + err.Error())
	}
	return b
}

// ---- users, applications, guilds ----

func (f *Fake) botUserObject() map[string]any {
	return map[string]any{
		"id": f.bot.ID, "username": f.bot.Username, "discriminator": "0", "global_name": nil, "avatar": nil,
		"bot": true, "verified": true, "mfa_enabled": false, "email": nil, "flags": 0, "public_flags": 0,
		"locale": "en-US", "premium_type": 0, "banner": nil, "accent_color": nil,
	}
}

func userObject(u *discordgo.User) map[string]any {
	o := map[string]any{
		"id": u.ID, "username": u.Username, "discriminator": "0", "global_name": nil, "avatar": nil,
		"public_flags": u.PublicFlags,
	}
	if u.Discriminator != "" {
		o["discriminator"] = u.Discriminator
	}
	if u.GlobalName != "" {
		o["global_name"] = u.GlobalName
	}
	if u.Avatar != "" {
		o["avatar"] = u.Avatar
	}
	if u.Bot {
		o["bot"] = true
	}
	return o
}

func (f *Fake) applicationObjectLocked() map[string]any {
	var flags int
	if f.rejectIntents&discordgo.IntentGuildPresences == 0 {
		flags |= 1 << 13
	}
	if f.rejectIntents&discordgo.IntentGuildMembers == 0 {
		flags |= 1 << 15
	}
	if f.rejectIntents&discordgo.IntentMessageContent == 0 {
		flags |= 1 << 19
	}
	return map[string]any{
		"id": f.appID, "name": f.bot.Username, "icon": nil, "description": "", "summary": "",
		"bot_public": true, "bot_require_code_grant": false, "verify_key": strings.Repeat("0", 64),
		"flags": flags, "bot": f.botUserObject(), "owner": userObject(f.users[DefaultUserID]), "team": nil,
	}
}

func (f *Fake) getUser(c *Call, p []string) response {
	u := f.users[p[0]]
	if u == nil {
		return apiError(404, 10013, "Unknown User")
	}
	return jsonResponse(200, userObject(u))
}

func (f *Fake) getMyGuilds(c *Call, p []string) response {
	out := []map[string]any{}
	for _, id := range f.guildOrder {
		g := f.guilds[id].guild
		out = append(out, map[string]any{"id": g.ID, "name": g.Name, "icon": nil, "owner": false, "permissions": "0", "features": []string{}})
	}
	return jsonResponse(200, out)
}

func (f *Fake) createDM(c *Call, p []string) response {
	var in struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(c.Body, &in); err != nil {
		return invalidJSON()
	}
	u := f.users[in.RecipientID]
	if u == nil {
		fe := &formErrors{}
		fe.add([]string{"recipient_id"}, "NUMBER_TYPE_COERCE", "Value \""+in.RecipientID+"\" is not snowflake.")
		return fe.response()
	}
	for _, ch := range f.channels {
		if ch.Type == discordgo.ChannelTypeDM && len(ch.Recipients) == 1 && ch.Recipients[0].ID == u.ID {
			return jsonResponse(200, ch)
		}
	}
	ch := &discordgo.Channel{ID: f.newID(), Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{clone(u)}}
	f.channels[ch.ID] = ch
	return jsonResponse(200, ch)
}

func (f *Fake) getGuild(c *Call, p []string) response {
	gs := f.guilds[p[0]]
	if gs == nil {
		return apiError(404, 10004, "Unknown Guild")
	}
	g := clone(gs.guild)
	if c.Query.Get("with_counts") == "true" {
		g.ApproximateMemberCount = len(gs.members)
		g.ApproximatePresenceCount = 1
	}
	return jsonResponse(200, g)
}

func (f *Fake) sortedChannelsLocked(guildID string) []*discordgo.Channel {
	var out []*discordgo.Channel
	for _, ch := range f.channels {
		if ch.GuildID == guildID {
			out = append(out, clone(ch))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Position != out[j].Position {
			return out[i].Position < out[j].Position
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (f *Fake) getGuildChannels(c *Call, p []string) response {
	if f.guilds[p[0]] == nil {
		return apiError(404, 10004, "Unknown Guild")
	}
	out := []*discordgo.Channel{}
	for _, ch := range f.sortedChannelsLocked(p[0]) {
		if !ch.IsThread() {
			out = append(out, ch)
		}
	}
	return jsonResponse(200, out)
}

func (f *Fake) getMember(c *Call, p []string) response {
	gs := f.guilds[p[0]]
	if gs == nil {
		return apiError(404, 10004, "Unknown Guild")
	}
	for _, m := range gs.members {
		if m.User != nil && m.User.ID == p[1] {
			return jsonResponse(200, m)
		}
	}
	if f.users[p[1]] == nil {
		return apiError(404, 10013, "Unknown User")
	}
	return apiError(404, 10007, "Unknown Member")
}

func (f *Fake) getChannel(c *Call, p []string) response {
	ch := f.channels[p[0]]
	if ch == nil {
		return unknownChannel()
	}
	return jsonResponse(200, ch)
}

// ---- application commands ----

func (f *Fake) commandScopeOK(appID, guildID string) bool {
	return appID == f.appID && (guildID == "" || f.guilds[guildID] != nil)
}

func (f *Fake) listCommands(appID, guildID string) response {
	if !f.commandScopeOK(appID, guildID) {
		return missingAccess()
	}
	out := f.commands[guildID]
	if out == nil {
		out = []*discordgo.ApplicationCommand{}
	}
	return jsonResponse(200, out)
}

func (f *Fake) getCommand(appID, guildID, cmdID string, del bool) response {
	if !f.commandScopeOK(appID, guildID) {
		return missingAccess()
	}
	for i, cmd := range f.commands[guildID] {
		if cmd.ID == cmdID {
			if del {
				cmds := f.commands[guildID]
				f.commands[guildID] = append(cmds[:i:i], cmds[i+1:]...)
				return noContent()
			}
			return jsonResponse(200, cmd)
		}
	}
	return apiError(404, 10063, "Unknown application command")
}

// finishCommand gives a validated command the fields Discord adds, keeping
// the ID of an existing command with the same type and name.
func (f *Fake) finishCommand(cmd *discordgo.ApplicationCommand, guildID string) {
	if cmd.Type == 0 {
		cmd.Type = discordgo.ChatApplicationCommand
	}
	cmd.ID = ""
	for _, old := range f.commands[guildID] {
		if old.Type == cmd.Type && old.Name == cmd.Name {
			cmd.ID = old.ID
		}
	}
	if cmd.ID == "" {
		cmd.ID = f.newID()
	}
	cmd.ApplicationID = f.appID
	cmd.GuildID = guildID
	cmd.Version = f.newID()
	if cmd.NSFW == nil {
		no := false
		cmd.NSFW = &no
	}
}

func (f *Fake) bulkOverwrite(c *Call, appID, guildID string) response {
	if !f.commandScopeOK(appID, guildID) {
		return missingAccess()
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(c.Body, &raws); err != nil {
		var probe any
		if json.Unmarshal(c.Body, &probe) != nil {
			return invalidJSON()
		}
		fe := &formErrors{}
		fe.add(nil, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
		return fe.response()
	}
	fe := &formErrors{}
	cmds := make([]*discordgo.ApplicationCommand, len(raws))
	for i, raw := range raws {
		var cmd discordgo.ApplicationCommand
		if err := json.Unmarshal(raw, &cmd); err != nil || isNull(raw) {
			fe.add([]string{strconv.Itoa(i)}, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
			continue
		}
		cmds[i] = &cmd
	}
	checkCommands(fe, cmds)
	if !fe.empty() {
		return fe.response()
	}
	for _, cmd := range cmds {
		f.finishCommand(cmd, guildID)
	}
	f.commands[guildID] = clone(cmds)
	return jsonResponse(200, cmds)
}

func (f *Fake) createCommand(c *Call, appID, guildID string) response {
	if !f.commandScopeOK(appID, guildID) {
		return missingAccess()
	}
	var cmd discordgo.ApplicationCommand
	if err := json.Unmarshal(c.Body, &cmd); err != nil {
		return invalidJSON()
	}
	fe := &formErrors{}
	checkCommands(fe, []*discordgo.ApplicationCommand{&cmd})
	if !fe.empty() {
		// A single command's errors are not keyed by an index.
		if sub, ok := fe.tree["0"].(map[string]any); ok {
			fe.tree = sub
		}
		return fe.response()
	}
	f.finishCommand(&cmd, guildID)
	cmds := f.commands[guildID]
	for i, old := range cmds {
		if old.ID == cmd.ID {
			cmds[i] = clone(&cmd)
			return jsonResponse(200, &cmd)
		}
	}
	f.commands[guildID] = append(cmds, clone(&cmd))
	return jsonResponse(201, &cmd)
}

// ---- messages ----

// storedMsg is a message as Discord would return it, kept as raw JSON
// fields so that edits merge the way Discord merges them.
type storedMsg struct {
	id            string
	channelID     string
	guildID       string
	authorID      string
	ephemeral     bool
	deleted       bool
	threadID      string
	interactionID string
	raw           map[string]json.RawMessage
}

func (sm *storedMsg) set(key string, v any) { sm.raw[key] = mustJSON(v) }

func (sm *storedMsg) copyRaw() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(sm.raw)+2)
	for k, v := range sm.raw {
		out[k] = v
	}
	return out
}

func (sm *storedMsg) message() *discordgo.Message {
	var m discordgo.Message
	if err := json.Unmarshal(mustJSON(sm.raw), &m); err != nil {
		panic("discordtest: decode stored message: " + err.Error())
	}
	return &m
}

func (sm *storedMsg) flags() discordgo.MessageFlags {
	var fl discordgo.MessageFlags
	_ = json.Unmarshal(sm.raw["flags"], &fl)
	return fl
}

func (sm *storedMsg) content() string {
	var s string
	_ = json.Unmarshal(sm.raw["content"], &s)
	return s
}

func (sm *storedMsg) embeds() []*discordgo.MessageEmbed {
	var e []*discordgo.MessageEmbed
	_ = json.Unmarshal(sm.raw["embeds"], &e)
	return e
}

// msgInput is the typed view of a message create or edit body.
type msgInput struct {
	Content          string                      `json:"content"`
	Embeds           []*discordgo.MessageEmbed   `json:"embeds"`
	Flags            discordgo.MessageFlags      `json:"flags"`
	AllowedMentions  *allowedMentions            `json:"allowed_mentions"`
	MessageReference *discordgo.MessageReference `json:"message_reference"`
	StickerIDs       []string                    `json:"sticker_ids"`
	Components       []json.RawMessage           `json:"components"`
	Attachments      []json.RawMessage           `json:"attachments"`
	Poll             json.RawMessage             `json:"poll"`
	TTS              bool                        `json:"tts"`
}

type allowedMentions struct {
	Parse       []string `json:"parse"`
	Roles       []string `json:"roles"`
	Users       []string `json:"users"`
	RepliedUser bool     `json:"replied_user"`
}

func parseMsgInput(obj map[string]json.RawMessage) (*msgInput, *response) {
	var in msgInput
	if err := json.Unmarshal(mustJSON(obj), &in); err != nil {
		fe := &formErrors{}
		field := "_"
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			field = te.Field
		}
		fe.add(strings.Split(field, "."), "BASE_TYPE_BAD_TYPE", "Invalid value type.")
		r := fe.response()
		return nil, &r
	}
	if r := componentsResponse(in.Components); r != nil {
		return nil, r
	}
	return &in, nil
}

// emptyMessage reports whether a message would have nothing to show.
func emptyMessage(content string, embeds int, sm map[string]json.RawMessage, files int) bool {
	if strings.TrimSpace(content) != "" || embeds > 0 || files > 0 {
		return false
	}
	for _, k := range []string{"components", "attachments", "sticker_ids", "sticker_items", "poll"} {
		v, ok := sm[k]
		if !ok || isNull(v) {
			continue
		}
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) == nil && len(arr) == 0 {
			continue
		}
		return false
	}
	return true
}

func emptyMessageError() response { return apiError(400, 50006, "Cannot send an empty message") }

// newMessageLocked builds a message authored by the bot in ch.
func (f *Fake) newMessageLocked(ch *discordgo.Channel, typ discordgo.MessageType) *storedMsg {
	sm := &storedMsg{id: f.newID(), channelID: ch.ID, guildID: ch.GuildID, authorID: f.bot.ID, raw: map[string]json.RawMessage{}}
	sm.set("id", sm.id)
	sm.set("channel_id", ch.ID)
	sm.set("author", userObject(&f.bot))
	sm.set("content", "")
	sm.set("embeds", []any{})
	sm.set("components", []any{})
	sm.set("attachments", []any{})
	sm.set("mentions", []any{})
	sm.set("mention_roles", []any{})
	sm.set("mention_everyone", false)
	sm.set("pinned", false)
	sm.set("tts", false)
	sm.set("type", typ)
	sm.set("flags", 0)
	sm.set("timestamp", time.Now().UTC())
	sm.set("edited_timestamp", nil)
	return sm
}

// applyFields copies the message fields of a create or edit body onto sm.
func (f *Fake) applyFields(sm *storedMsg, obj map[string]json.RawMessage, in *msgInput, files []File) {
	if v, ok := obj["content"]; ok {
		if isNull(v) {
			sm.set("content", "")
		} else {
			sm.set("content", in.Content)
		}
	}
	if _, ok := obj["embeds"]; ok {
		embeds := []*discordgo.MessageEmbed{}
		for _, e := range in.Embeds {
			if e == nil {
				continue
			}
			if e.Type == "" {
				e.Type = discordgo.EmbedTypeRich
			}
			embeds = append(embeds, e)
		}
		sm.set("embeds", embeds)
	}
	for _, k := range []string{"components", "attachments"} {
		if v, ok := obj[k]; ok {
			if isNull(v) {
				sm.set(k, []any{})
			} else {
				sm.raw[k] = append(json.RawMessage(nil), v...)
			}
		}
	}
	if v, ok := obj["poll"]; ok && !isNull(v) {
		sm.raw["poll"] = append(json.RawMessage(nil), v...)
	}
	if len(files) > 0 {
		var atts []map[string]any
		_ = json.Unmarshal(sm.raw["attachments"], &atts)
		for _, fl := range files {
			id := f.newID()
			url := "https://cdn.discordapp.com/attachments/" + sm.channelID + "/" + id + "/" + fl.Name
			atts = append(atts, map[string]any{"id": id, "filename": fl.Name, "size": len(fl.Data),
				"url": url, "proxy_url": strings.Replace(url, "cdn.discordapp.com", "media.discordapp.net", 1), "content_type": fl.ContentType})
		}
		sm.set("attachments", atts)
	}
}

var (
	userMentionRe = regexp.MustCompile(`<@!?(\d+)>`)
	roleMentionRe = regexp.MustCompile(`<@&(\d+)>`)
)

// applyMentionsLocked fills mentions, mention_roles and mention_everyone
// with whom the message pings, honouring allowed_mentions as Discord does.
func (f *Fake) applyMentionsLocked(sm *storedMsg, am *allowedMentions, repliedTo *discordgo.User) {
	content := sm.content()
	parseUsers, parseRoles, parseEveryone, replied := true, true, true, true
	okUsers, okRoles := map[string]bool{}, map[string]bool{}
	if am != nil {
		parseUsers, parseRoles, parseEveryone = false, false, false
		for _, p := range am.Parse {
			switch p {
			case "users":
				parseUsers = true
			case "roles":
				parseRoles = true
			case "everyone":
				parseEveryone = true
			}
		}
		for _, u := range am.Users {
			okUsers[u] = true
		}
		for _, r := range am.Roles {
			okRoles[r] = true
		}
		replied = am.RepliedUser
	}
	mentions := []map[string]any{}
	seen := map[string]bool{}
	for _, m := range userMentionRe.FindAllStringSubmatch(content, -1) {
		u := f.users[m[1]]
		if u != nil && !seen[u.ID] && (parseUsers || okUsers[u.ID]) {
			seen[u.ID] = true
			mentions = append(mentions, userObject(u))
		}
	}
	if repliedTo != nil && replied && !seen[repliedTo.ID] {
		mentions = append(mentions, userObject(repliedTo))
	}
	roles := []string{}
	for _, m := range roleMentionRe.FindAllStringSubmatch(content, -1) {
		if parseRoles || okRoles[m[1]] {
			roles = append(roles, m[1])
		}
	}
	everyone := parseEveryone && (strings.Contains(content, "@everyone") || strings.Contains(content, "@here"))
	sm.set("mentions", mentions)
	sm.set("mention_roles", roles)
	sm.set("mention_everyone", everyone)
}

func (f *Fake) storeLocked(sm *storedMsg) {
	f.msgs[sm.id] = sm
	f.chanMsgs[sm.channelID] = append(f.chanMsgs[sm.channelID], sm.id)
	if ch := f.channels[sm.channelID]; ch != nil && !sm.ephemeral {
		ch.LastMessageID = sm.id
		if ch.IsThread() {
			ch.MessageCount++
		}
	}
}

// echoLocked returns a func that echoes a message event to the gateway, or nil.
func (f *Fake) echoLocked(event string, sm *storedMsg) func() {
	if !f.echo || sm.ephemeral {
		return nil
	}
	payload := sm.copyRaw()
	need := discordgo.IntentDirectMessages
	if sm.guildID != "" {
		need = discordgo.IntentGuildMessages
		payload["guild_id"] = mustJSON(sm.guildID)
		if gs := f.guilds[sm.guildID]; gs != nil {
			for _, m := range gs.members {
				if m.User != nil && m.User.ID == sm.authorID {
					pm := clone(m)
					pm.User = nil
					payload["member"] = mustJSON(pm)
				}
			}
		}
	}
	guildID := sm.guildID
	return func() { f.dispatchIfConnected(event, payload, guildID, need) }
}

// lookupReference resolves a message_reference for a reply.
func (f *Fake) lookupReference(fe *formErrors, prefix []string, channelID string, ref *discordgo.MessageReference) *storedMsg {
	if ref == nil || ref.MessageID == "" {
		return nil
	}
	sm := f.msgs[ref.MessageID]
	refChannel := ref.ChannelID
	if refChannel == "" {
		refChannel = channelID
	}
	if sm == nil || sm.deleted || sm.ephemeral || sm.channelID != refChannel {
		if ref.FailIfNotExists == nil || *ref.FailIfNotExists {
			fe.add(at(prefix, "message_reference"), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
		return nil
	}
	return sm
}

func (f *Fake) applyReference(sm *storedMsg, ref *storedMsg) *discordgo.User {
	if ref == nil {
		return nil
	}
	sm.set("type", discordgo.MessageTypeReply)
	mr := map[string]any{"type": 0, "message_id": ref.id, "channel_id": ref.channelID}
	if ref.guildID != "" {
		mr["guild_id"] = ref.guildID
	}
	sm.set("message_reference", mr)
	refRaw := ref.copyRaw()
	delete(refRaw, "referenced_message")
	sm.set("referenced_message", refRaw)
	return f.users[ref.authorID]
}

func (f *Fake) createMessage(c *Call, p []string) response {
	ch := f.channels[p[0]]
	if ch == nil {
		return unknownChannel()
	}
	obj, r := decodeObject(c)
	if r != nil {
		return *r
	}
	in, r := parseMsgInput(obj)
	if r != nil {
		return *r
	}
	fe := &formErrors{}
	checkMessage(fe, nil, in.Content, in.Embeds)
	if len(in.StickerIDs) > 3 {
		fe.add([]string{"sticker_ids"}, "BASE_TYPE_MAX_LENGTH", "Must be 3 or fewer in length.")
	}
	ref := f.lookupReference(fe, nil, ch.ID, in.MessageReference)
	nonce := messageNonce(fe, obj)
	if !fe.empty() {
		return fe.response()
	}
	if emptyMessage(in.Content, len(in.Embeds), obj, len(c.Files)) {
		return emptyMessageError()
	}
	enforce := nonce != "" && string(obj["enforce_nonce"]) == "true"
	if enforce {
		// Discord creates a message once per author and nonce within a
		// few minutes, and answers a repeat with the first one.
		if n, ok := f.nonces[nonce]; ok && f.nowLocked().Sub(n.at) < nonceWindow {
			if first := f.msgs[n.messageID]; first != nil {
				return jsonResponse(200, first.raw)
			}
		}
	}
	sm := f.newMessageLocked(ch, discordgo.MessageTypeDefault)
	f.applyFields(sm, obj, in, c.Files)
	sm.set("tts", in.TTS)
	sm.set("flags", in.Flags&(discordgo.MessageFlagsSuppressEmbeds|discordgo.MessageFlagsSuppressNotifications|discordgo.MessageFlagsIsComponentsV2))
	if v, ok := obj["nonce"]; ok && !isNull(v) {
		sm.raw["nonce"] = append(json.RawMessage(nil), v...)
	}
	repliedTo := f.applyReference(sm, ref)
	f.applyMentionsLocked(sm, in.AllowedMentions, repliedTo)
	f.storeLocked(sm)
	if enforce {
		f.nonces[nonce] = nonceUse{messageID: sm.id, at: f.nowLocked()}
	}
	resp := jsonResponse(200, sm.raw)
	resp.after = append(resp.after, f.echoLocked("MESSAGE_CREATE", sm))
	return resp
}

// nonceWindow is how long Discord remembers a message's nonce for
// enforce_nonce ("the past few minutes").
const nonceWindow = 5 * time.Minute

// nonceUse is the message created with a nonce, and when.
type nonceUse struct {
	messageID string
	at        time.Time
}

// messageNonce returns a message's nonce as text ("" for none), checking
// that it is an integer or a string of at most 25 characters.
func messageNonce(fe *formErrors, obj map[string]json.RawMessage) string {
	v, ok := obj["nonce"]
	if !ok || isNull(v) {
		return ""
	}
	var str string
	if err := json.Unmarshal(v, &str); err == nil {
		if len(str) > 25 {
			fe.add([]string{"nonce"}, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		return str
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		fe.add([]string{"nonce"}, "BASE_TYPE_BAD_TYPE", "Invalid value type.")
		return ""
	}
	return n.String()
}

// channelMessageLocked finds a visible message of a channel.
func (f *Fake) channelMessageLocked(channelID, messageID string) (*storedMsg, *response) {
	if f.channels[channelID] == nil {
		r := unknownChannel()
		return nil, &r
	}
	sm := f.msgs[messageID]
	if sm == nil || sm.deleted || sm.ephemeral || sm.channelID != channelID {
		r := unknownMessage()
		return nil, &r
	}
	return sm, nil
}

func (f *Fake) getMessage(c *Call, p []string) response {
	sm, r := f.channelMessageLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	return jsonResponse(200, sm.raw)
}

func (f *Fake) listMessages(c *Call, p []string) response {
	if f.channels[p[0]] == nil {
		return unknownChannel()
	}
	limit := 50
	if l := c.Query.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			fe := &formErrors{}
			fe.add([]string{"limit"}, "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
			return fe.response()
		}
		limit = n
	}
	before, after := c.Query.Get("before"), c.Query.Get("after")
	out := []json.RawMessage{}
	ids := f.chanMsgs[p[0]]
	if after != "" {
		// Oldest first after the anchor, returned newest first like Discord.
		var picked []json.RawMessage
		for _, id := range ids {
			sm := f.msgs[id]
			if sm.deleted || sm.ephemeral || !snowflakeLess(after, id) {
				continue
			}
			picked = append(picked, mustJSON(sm.raw))
			if len(picked) == limit {
				break
			}
		}
		for i := len(picked) - 1; i >= 0; i-- {
			out = append(out, picked[i])
		}
		return jsonResponse(200, out)
	}
	for i := len(ids) - 1; i >= 0 && len(out) < limit; i-- {
		sm := f.msgs[ids[i]]
		if sm.deleted || sm.ephemeral || (before != "" && !snowflakeLess(sm.id, before)) {
			continue
		}
		out = append(out, mustJSON(sm.raw))
	}
	return jsonResponse(200, out)
}

func snowflakeLess(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x < y
}

// editLocked merges an edit body into sm and validates the result.
func (f *Fake) editLocked(sm *storedMsg, c *Call, prefix []string, clearLoading bool) *response {
	obj, r := decodeObject(c)
	if r != nil {
		return r
	}
	in, r := parseMsgInput(obj)
	if r != nil {
		return r
	}
	content, embeds := sm.content(), sm.embeds()
	if _, ok := obj["content"]; ok {
		content = in.Content
	}
	if _, ok := obj["embeds"]; ok {
		embeds = in.Embeds
	}
	fe := &formErrors{}
	checkMessage(fe, prefix, content, embeds)
	if !fe.empty() {
		resp := fe.response()
		return &resp
	}
	merged := sm.copyRaw()
	for k, v := range obj {
		merged[k] = v
	}
	nEmbeds := 0
	for _, e := range embeds {
		if e != nil {
			nEmbeds++
		}
	}
	if emptyMessage(content, nEmbeds, merged, len(c.Files)) {
		resp := emptyMessageError()
		return &resp
	}
	loading := sm.flags()&discordgo.MessageFlagsLoading != 0
	f.applyFields(sm, obj, in, c.Files)
	if _, ok := obj["flags"]; ok {
		keep := sm.flags() & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsHasThread | discordgo.MessageFlagsLoading)
		sm.set("flags", keep|in.Flags&(discordgo.MessageFlagsSuppressEmbeds|discordgo.MessageFlagsIsComponentsV2))
	}
	if clearLoading && loading {
		// The first edit of a deferred response is its reply, not an edit.
		sm.set("flags", sm.flags()&^discordgo.MessageFlagsLoading)
	} else {
		sm.set("edited_timestamp", time.Now().UTC())
	}
	if _, ok := obj["content"]; ok || in.AllowedMentions != nil {
		var repliedTo *discordgo.User
		if sm.raw["referenced_message"] != nil {
			var ref struct {
				Author *discordgo.User `json:"author"`
			}
			_ = json.Unmarshal(sm.raw["referenced_message"], &ref)
			repliedTo = ref.Author
		}
		f.applyMentionsLocked(sm, in.AllowedMentions, repliedTo)
	}
	return nil
}

func (f *Fake) editMessage(c *Call, p []string) response {
	sm, r := f.channelMessageLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	if sm.authorID != f.bot.ID {
		return apiError(403, 50005, "Cannot edit a message authored by another user")
	}
	if r := f.editLocked(sm, c, nil, false); r != nil {
		return *r
	}
	resp := jsonResponse(200, sm.raw)
	resp.after = append(resp.after, f.echoLocked("MESSAGE_UPDATE", sm))
	return resp
}

func (f *Fake) deleteMessage(c *Call, p []string) response {
	sm, r := f.channelMessageLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	sm.deleted = true
	return f.deletedResponseLocked(sm)
}

func (f *Fake) deletedResponseLocked(sm *storedMsg) response {
	resp := noContent()
	if f.echo && !sm.ephemeral {
		payload := map[string]any{"id": sm.id, "channel_id": sm.channelID}
		need := discordgo.IntentDirectMessages
		if sm.guildID != "" {
			payload["guild_id"] = sm.guildID
			need = discordgo.IntentGuildMessages
		}
		guildID := sm.guildID
		resp.after = append(resp.after, func() { f.dispatchIfConnected("MESSAGE_DELETE", payload, guildID, need) })
	}
	return resp
}

func (f *Fake) react(c *Call, p []string) response {
	if _, r := f.channelMessageLocked(p[0], p[1]); r != nil {
		return *r
	}
	f.reactLocked(p[1], p[2], c.Method == "PUT")
	return noContent()
}

// ---- threads ----

type threadInput struct {
	Name                string                `json:"name"`
	AutoArchiveDuration int                   `json:"auto_archive_duration"`
	RateLimitPerUser    int                   `json:"rate_limit_per_user"`
	Type                discordgo.ChannelType `json:"type"`
	Invitable           *bool                 `json:"invitable"`
}

func (f *Fake) parseThreadInput(c *Call) (*threadInput, *response) {
	var in threadInput
	if len(bytes.TrimSpace(c.Body)) > 0 {
		if err := json.Unmarshal(c.Body, &in); err != nil {
			r := invalidJSON()
			return nil, &r
		}
	}
	fe := &formErrors{}
	if in.Name == "" {
		fe.add([]string{"name"}, "BASE_TYPE_REQUIRED", "This field is required")
	} else {
		badLen(fe, []string{"name"}, in.Name, 1, maxThreadNameLength)
	}
	switch in.AutoArchiveDuration {
	case 0, 60, 1440, 4320, 10080:
	default:
		fe.add([]string{"auto_archive_duration"}, "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
	}
	if !fe.empty() {
		r := fe.response()
		return nil, &r
	}
	if in.AutoArchiveDuration == 0 {
		in.AutoArchiveDuration = 4320
	}
	return &in, nil
}

func (f *Fake) newThreadLocked(id string, parent *discordgo.Channel, typ discordgo.ChannelType, in *threadInput) *discordgo.Channel {
	now := time.Now().UTC()
	invitable := typ == discordgo.ChannelTypeGuildPrivateThread
	if in.Invitable != nil {
		invitable = *in.Invitable
	}
	th := &discordgo.Channel{
		ID: id, GuildID: parent.GuildID, ParentID: parent.ID, Name: in.Name, Type: typ, OwnerID: f.bot.ID,
		RateLimitPerUser: in.RateLimitPerUser, MemberCount: 1,
		ThreadMetadata: &discordgo.ThreadMetadata{AutoArchiveDuration: in.AutoArchiveDuration, ArchiveTimestamp: now, Invitable: invitable},
		Member:         &discordgo.ThreadMember{ID: id, UserID: f.bot.ID, JoinTimestamp: now},
	}
	f.channels[id] = th
	return th
}

func (f *Fake) threadCreated(th *discordgo.Channel) func() {
	payload := map[string]json.RawMessage{}
	_ = json.Unmarshal(mustJSON(th), &payload)
	payload["newly_created"] = mustJSON(true)
	guildID := th.GuildID
	return func() { f.dispatchIfConnected("THREAD_CREATE", payload, guildID, discordgo.IntentGuilds) }
}

func (f *Fake) startThreadFromMessage(c *Call, p []string) response {
	ch := f.channels[p[0]]
	if ch == nil {
		return unknownChannel()
	}
	if ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews {
		return apiError(400, 50024, "Cannot execute action on this channel type")
	}
	sm, r := f.channelMessageLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	if sm.threadID != "" {
		return apiError(400, 160004, "A thread has already been created for this message")
	}
	in, r := f.parseThreadInput(c)
	if r != nil {
		return *r
	}
	typ := discordgo.ChannelTypeGuildPublicThread
	if ch.Type == discordgo.ChannelTypeGuildNews {
		typ = discordgo.ChannelTypeGuildNewsThread
	}
	// Discord gives a thread started from a message the message's ID.
	th := f.newThreadLocked(sm.id, ch, typ, in)
	sm.threadID = th.ID
	sm.set("thread", th)
	sm.set("flags", sm.flags()|discordgo.MessageFlagsHasThread)
	resp := jsonResponse(201, th)
	resp.after = append(resp.after, f.threadCreated(th))
	return resp
}

func (f *Fake) startThread(c *Call, p []string) response {
	ch := f.channels[p[0]]
	if ch == nil {
		return unknownChannel()
	}
	if ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews {
		return apiError(400, 50024, "Cannot execute action on this channel type")
	}
	in, r := f.parseThreadInput(c)
	if r != nil {
		return *r
	}
	typ := in.Type
	switch typ {
	case 0:
		typ = discordgo.ChannelTypeGuildPrivateThread
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
	default:
		fe := &formErrors{}
		fe.add([]string{"type"}, "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
		return fe.response()
	}
	th := f.newThreadLocked(f.newID(), ch, typ, in)
	resp := jsonResponse(201, th)
	resp.after = append(resp.after, f.threadCreated(th))
	return resp
}

// ---- lookups for tests ----

// Messages returns the messages of a channel as a bot would fetch them, in
// the order they were created, with edits applied; deleted and ephemeral
// messages are left out. It includes messages sent with SendMessage.
func (f *Fake) Messages(channelID string) []*discordgo.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*discordgo.Message
	for _, id := range f.chanMsgs[channelID] {
		sm := f.msgs[id]
		if !sm.deleted && !sm.ephemeral {
			out = append(out, sm.message())
		}
	}
	return out
}

// Message returns the current state of any stored message (ephemeral ones
// included), or nil if the fake has no message with that ID or it was deleted.
func (f *Fake) Message(id string) *discordgo.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	sm := f.msgs[id]
	if sm == nil || sm.deleted {
		return nil
	}
	return sm.message()
}

// Channel returns a copy of a channel the fake knows (including threads the
// bot started), or nil.
func (f *Fake) Channel(id string) *discordgo.Channel {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := f.channels[id]
	if ch == nil {
		return nil
	}
	return clone(ch)
}

// Commands returns the application commands registered for a guild, or the
// global ones when guildID is "", as the last bulk overwrite left them.
func (f *Fake) Commands(guildID string) []*discordgo.ApplicationCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return clone(f.commands[guildID])
}
