package discordtest

import (
	"encoding/json"
	"time"

	"github.com/bwmarrin/discordgo"
)

type interactionState struct {
	id, token, appID   string
	guildID, channelID string
	typ                discordgo.InteractionType
	commandName        string
	commandType        int
	user               *discordgo.User
	messageID          string // the message a component was used on
	created            time.Time

	callbackType discordgo.InteractionResponseType
	callbacks    int
	originalID   string
	loading      bool
	edits        int
	followups    []string
	choices      []*discordgo.ApplicationCommandOptionChoice
	modal        *discordgo.InteractionResponseData
}

// InteractionResult is what the bot did with an interaction, as a test reads it.
type InteractionResult struct {
	// ID is the interaction ID.
	ID string
	// Acknowledged reports whether the initial callback was accepted.
	Acknowledged bool
	// Type is the callback type (4 message, 5 deferred, 6 deferred update,
	// 7 update, 8 autocomplete result, 9 modal), or 0 before the callback.
	Type discordgo.InteractionResponseType
	// Deferred reports whether the callback was deferred (type 5 or 6).
	Deferred bool
	// Loading reports whether a deferred response still shows "is thinking...".
	Loading bool
	// Ephemeral reports whether the original response is ephemeral.
	Ephemeral bool
	// Original is the original response message with every edit applied
	// (content, embeds, components, flags), or nil if there is none or it was deleted.
	Original *discordgo.Message
	// Edits counts the PATCH requests to the original response.
	Edits int
	// Followups are the follow-up messages, current state, in order; a
	// follow-up that replaced a deferred response's loading message is the
	// Original and is not listed here.
	Followups []*discordgo.Message
	// Choices are the autocomplete results (callback type 8).
	Choices []*discordgo.ApplicationCommandOptionChoice
	// Modal is the modal the bot opened (callback type 9).
	Modal *discordgo.InteractionResponseData
}

// InteractionResponse returns what the bot answered to an interaction sent
// through the fake, or nil if the interaction is unknown.
func (f *Fake) InteractionResponse(interactionID string) *InteractionResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.interactions[interactionID]
	if st == nil {
		return nil
	}
	res := &InteractionResult{
		ID:           st.id,
		Acknowledged: st.callbacks > 0,
		Type:         st.callbackType,
		Deferred: st.callbackType == discordgo.InteractionResponseDeferredChannelMessageWithSource ||
			st.callbackType == discordgo.InteractionResponseDeferredMessageUpdate,
		Loading: st.loading,
		Edits:   st.edits,
		Choices: clone(st.choices),
	}
	if st.modal != nil {
		res.Modal = clone(st.modal)
	}
	if sm := f.msgs[st.originalID]; sm != nil && !sm.deleted {
		res.Original = sm.message()
		res.Ephemeral = sm.ephemeral
	}
	for _, id := range st.followups {
		if sm := f.msgs[id]; sm != nil && !sm.deleted {
			res.Followups = append(res.Followups, sm.message())
		}
	}
	return res
}

// SendInteraction dispatches INTERACTION_CREATE and returns the interaction's
// ID and token. Empty ID, Token, AppID and Version fields of i are filled in
// (on i itself). Sending the same interaction again, for instance after a
// resume, re-delivers it; the fake keeps its first state, so a second
// callback gets 400 "Interaction has already been acknowledged." (40060).
func (f *Fake) SendInteraction(i *discordgo.InteractionCreate) (id, token string) {
	f.t.Helper()
	if i.Interaction == nil {
		f.t.Errorf("discordtest: SendInteraction: nil Interaction")
		return "", ""
	}
	if i.ID == "" {
		i.ID = f.newID()
	}
	if i.Token == "" {
		i.Token = randomToken("aW50ZXJhY3Rpb246", 32)
	}
	if i.AppID == "" {
		i.AppID = f.appID
	}
	if i.Version == 0 {
		i.Version = 1
	}
	f.Dispatch("INTERACTION_CREATE", i)
	return i.ID, i.Token
}

// observe records what a dispatched event means for the fake's state.
func (f *Fake) observe(event string, raw json.RawMessage) {
	switch event {
	case "INTERACTION_CREATE":
		f.registerInteraction(raw)
	case "MESSAGE_CREATE":
		f.storeIncomingMessage(raw)
	}
}

func (f *Fake) registerInteraction(raw json.RawMessage) {
	var in struct {
		ID            string                    `json:"id"`
		Token         string                    `json:"token"`
		ApplicationID string                    `json:"application_id"`
		Type          discordgo.InteractionType `json:"type"`
		GuildID       string                    `json:"guild_id"`
		ChannelID     string                    `json:"channel_id"`
		Data          struct {
			Name string `json:"name"`
			Type int    `json:"type"`
		} `json:"data"`
		Member *struct {
			User *discordgo.User `json:"user"`
		} `json:"member"`
		User    *discordgo.User `json:"user"`
		Message *struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	if json.Unmarshal(raw, &in) != nil || in.ID == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.interactions[in.ID] != nil {
		return
	}
	st := &interactionState{
		id: in.ID, token: in.Token, appID: in.ApplicationID, guildID: in.GuildID, channelID: in.ChannelID,
		typ: in.Type, commandName: in.Data.Name, commandType: in.Data.Type, user: in.User, created: time.Now(),
	}
	if in.Member != nil && in.Member.User != nil {
		st.user = in.Member.User
	}
	if in.Message != nil {
		st.messageID = in.Message.ID
	}
	if st.user != nil && f.users[st.user.ID] == nil {
		f.users[st.user.ID] = clone(st.user)
	}
	f.ensureChannelLocked(in.ChannelID, in.GuildID, st.user)
	f.interactions[in.ID] = st
	f.tokens[in.Token] = in.ID
	f.broadcastLocked()
}

// ensureChannelLocked registers a channel an event came from, if unknown:
// Discord only delivers events from channels that exist.
func (f *Fake) ensureChannelLocked(channelID, guildID string, user *discordgo.User) {
	if channelID == "" || f.channels[channelID] != nil {
		return
	}
	if guildID != "" {
		f.channels[channelID] = &discordgo.Channel{ID: channelID, GuildID: guildID, Name: "channel-" + channelID, Type: discordgo.ChannelTypeGuildText}
		return
	}
	ch := &discordgo.Channel{ID: channelID, Type: discordgo.ChannelTypeDM}
	if user != nil {
		ch.Recipients = []*discordgo.User{clone(user)}
	}
	f.channels[channelID] = ch
}

func (f *Fake) storeIncomingMessage(raw json.RawMessage) {
	obj := map[string]json.RawMessage{}
	if json.Unmarshal(raw, &obj) != nil {
		return
	}
	var m struct {
		ID        string          `json:"id"`
		ChannelID string          `json:"channel_id"`
		GuildID   string          `json:"guild_id"`
		Author    *discordgo.User `json:"author"`
	}
	_ = json.Unmarshal(raw, &m)
	if m.ID == "" || m.ChannelID == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.msgs[m.ID] != nil {
		return
	}
	sm := &storedMsg{id: m.ID, channelID: m.ChannelID, guildID: m.GuildID, raw: obj}
	if m.Author != nil {
		sm.authorID = m.Author.ID
		if f.users[m.Author.ID] == nil {
			f.users[m.Author.ID] = clone(m.Author)
		}
	}
	// REST returns messages without these gateway-only fields.
	delete(obj, "guild_id")
	delete(obj, "member")
	f.ensureChannelLocked(m.ChannelID, m.GuildID, m.Author)
	f.storeLocked(sm)
	f.broadcastLocked()
}

// interactionMessageLocked creates a message answering an interaction.
func (f *Fake) interactionMessageLocked(st *interactionState, original bool, flags discordgo.MessageFlags) *storedMsg {
	ch := f.channels[st.channelID]
	if ch == nil {
		ch = &discordgo.Channel{ID: st.channelID, GuildID: st.guildID}
	}
	typ := discordgo.MessageTypeDefault
	if original && st.typ == discordgo.InteractionApplicationCommand {
		typ = discordgo.MessageTypeChatInputCommand
		if st.commandType == 2 || st.commandType == 3 {
			typ = discordgo.MessageTypeContextMenuCommand
		}
	}
	sm := f.newMessageLocked(ch, typ)
	sm.interactionID = st.id
	sm.ephemeral = flags&discordgo.MessageFlagsEphemeral != 0
	sm.set("flags", flags)
	sm.set("webhook_id", f.appID)
	sm.set("application_id", f.appID)
	if original {
		var user any
		if st.user != nil {
			user = userObject(st.user)
		}
		sm.set("interaction", map[string]any{"id": st.id, "type": st.typ, "name": st.commandName, "user": user})
		sm.set("interaction_metadata", map[string]any{"id": st.id, "type": st.typ, "user": user,
			"authorizing_integration_owners": map[string]string{"0": st.guildID}})
	}
	return sm
}

func (f *Fake) interactionCallback(c *Call, p []string) response {
	st := f.interactions[p[0]]
	if st == nil || st.token != p[1] {
		return apiError(404, 10062, "Unknown interaction")
	}
	if st.callbacks > 0 {
		return apiError(400, 40060, "Interaction has already been acknowledged.")
	}
	if f.interactionDeadline > 0 && f.nowLocked().Sub(st.created) > f.interactionDeadline {
		return apiError(404, 10062, "Unknown interaction")
	}
	var body struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil {
		return invalidJSON()
	}
	obj := map[string]json.RawMessage{}
	if !isNull(body.Data) {
		if err := json.Unmarshal(body.Data, &obj); err != nil {
			return invalidJSON()
		}
	}
	in, r := parseMsgInput(obj)
	if r != nil {
		return *r
	}
	if !callbackAllowed(st.typ, body.Type) {
		fe := &formErrors{}
		fe.add([]string{"type"}, "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is not valid for this interaction type")
		return fe.response()
	}
	var after []func()
	switch body.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		fe := &formErrors{}
		checkMessage(fe, []string{"data"}, in.Content, in.Embeds)
		if !fe.empty() {
			return fe.response()
		}
		if emptyMessage(in.Content, len(in.Embeds), obj, len(c.Files)) {
			return emptyMessageError()
		}
		sm := f.interactionMessageLocked(st, true, in.Flags&(discordgo.MessageFlagsEphemeral|discordgo.MessageFlagsSuppressEmbeds|
			discordgo.MessageFlagsSuppressNotifications|discordgo.MessageFlagsIsComponentsV2))
		f.applyFields(sm, obj, in, c.Files)
		sm.set("tts", in.TTS)
		f.applyMentionsLocked(sm, in.AllowedMentions, nil)
		f.storeLocked(sm)
		st.originalID = sm.id
		after = append(after, f.echoLocked("MESSAGE_CREATE", sm))
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		sm := f.interactionMessageLocked(st, true, discordgo.MessageFlagsLoading|in.Flags&discordgo.MessageFlagsEphemeral)
		f.storeLocked(sm)
		st.originalID = sm.id
		st.loading = true
		after = append(after, f.echoLocked("MESSAGE_CREATE", sm))
	case discordgo.InteractionResponseDeferredMessageUpdate:
		st.originalID = st.messageID
	case discordgo.InteractionResponseUpdateMessage:
		st.originalID = st.messageID
		if sm := f.msgs[st.messageID]; sm != nil && !sm.deleted {
			if r := f.editLocked(sm, &Call{Body: body.Data, Files: c.Files}, []string{"data"}, false); r != nil {
				return *r
			}
			after = append(after, f.echoLocked("MESSAGE_UPDATE", sm))
		}
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		var data struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		}
		_ = json.Unmarshal(body.Data, &data)
		fe := &formErrors{}
		checkChoices(fe, []string{"data", "choices"}, data.Choices, maxAutocompleteChoices)
		if !fe.empty() {
			return fe.response()
		}
		st.choices = data.Choices
		if st.choices == nil {
			st.choices = []*discordgo.ApplicationCommandOptionChoice{}
		}
	case discordgo.InteractionResponseModal:
		var data discordgo.InteractionResponseData
		_ = json.Unmarshal(body.Data, &data)
		fe := &formErrors{}
		if data.CustomID == "" {
			fe.add([]string{"data", "custom_id"}, "BASE_TYPE_REQUIRED", "This field is required")
		}
		badLen(fe, []string{"data", "title"}, data.Title, 1, 45)
		if n := len(data.Components); n < 1 || n > 5 {
			fe.add([]string{"data", "components"}, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		if !fe.empty() {
			return fe.response()
		}
		if r := f.keepModalLocked(st.id, body.Data); r != nil {
			return *r
		}
		st.modal = &discordgo.InteractionResponseData{CustomID: data.CustomID, Title: data.Title}
	}
	st.callbacks++
	st.callbackType = body.Type
	var resp response
	if c.Query.Get("with_response") == "true" {
		cb := map[string]any{"id": st.id, "type": st.typ}
		res := map[string]any{"type": body.Type}
		if sm := f.msgs[st.originalID]; sm != nil && (body.Type == 4 || body.Type == 5) {
			cb["response_message_id"] = sm.id
			cb["response_message_loading"] = st.loading
			cb["response_message_ephemeral"] = sm.ephemeral
			res["message"] = sm.raw
		}
		resp = jsonResponse(200, map[string]any{"interaction": cb, "resource": res})
	} else {
		resp = noContent()
	}
	resp.after = after
	return resp
}

// callbackAllowed reports whether Discord accepts a callback type for an interaction type.
func callbackAllowed(it discordgo.InteractionType, rt discordgo.InteractionResponseType) bool {
	switch it {
	case discordgo.InteractionApplicationCommandAutocomplete:
		return rt == discordgo.InteractionApplicationCommandAutocompleteResult
	case discordgo.InteractionApplicationCommand:
		return rt == 4 || rt == 5 || rt == 9
	case discordgo.InteractionMessageComponent:
		return rt >= 4 && rt <= 7 || rt == 9
	case discordgo.InteractionModalSubmit:
		return rt >= 4 && rt <= 7
	}
	return false
}

// webhookInteractionLocked resolves /webhooks/{app}/{token} to an interaction.
func (f *Fake) webhookInteractionLocked(appID, token string) (*interactionState, *response) {
	if appID != f.appID {
		r := apiError(404, 10015, "Unknown Webhook")
		return nil, &r
	}
	st := f.interactions[f.tokens[token]]
	if st == nil {
		r := apiError(401, 50027, "Invalid Webhook Token")
		return nil, &r
	}
	if st.callbacks == 0 {
		r := apiError(404, 10015, "Unknown Webhook")
		return nil, &r
	}
	if f.tokenExpiredLocked(st) {
		r := apiError(401, 50027, "Invalid Webhook Token")
		return nil, &r
	}
	return st, nil
}

func (f *Fake) webhookExecute(c *Call, p []string) response {
	st, r := f.webhookInteractionLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	var sm *storedMsg
	var after []func()
	if orig := f.msgs[st.originalID]; st.loading && orig != nil && !orig.deleted {
		// The first follow-up to a deferred response replaces its loading message.
		if r := f.editLocked(orig, c, nil, true); r != nil {
			return *r
		}
		st.loading = false
		st.edits++
		sm = orig
		after = append(after, f.echoLocked("MESSAGE_UPDATE", sm))
	} else {
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
		if !fe.empty() {
			return fe.response()
		}
		if emptyMessage(in.Content, len(in.Embeds), obj, len(c.Files)) {
			return emptyMessageError()
		}
		sm = f.interactionMessageLocked(st, false, in.Flags&(discordgo.MessageFlagsEphemeral|discordgo.MessageFlagsSuppressEmbeds|
			discordgo.MessageFlagsSuppressNotifications|discordgo.MessageFlagsIsComponentsV2))
		f.applyFields(sm, obj, in, c.Files)
		sm.set("tts", in.TTS)
		f.applyMentionsLocked(sm, in.AllowedMentions, nil)
		f.storeLocked(sm)
		st.followups = append(st.followups, sm.id)
		after = append(after, f.echoLocked("MESSAGE_CREATE", sm))
	}
	var resp response
	if c.Query.Get("wait") == "true" {
		resp = jsonResponse(200, sm.raw)
	} else {
		resp = noContent()
	}
	resp.after = after
	return resp
}

func (f *Fake) webhookMessage(c *Call, p []string) response {
	st, r := f.webhookInteractionLocked(p[0], p[1])
	if r != nil {
		return *r
	}
	id := p[2]
	isOriginal := id == "@original" || id == st.originalID
	if id == "@original" {
		id = st.originalID
	}
	sm := f.msgs[id]
	known := isOriginal
	for _, fid := range st.followups {
		known = known || fid == id
	}
	if sm == nil || sm.deleted || !known {
		return unknownMessage()
	}
	switch c.Method {
	case "GET":
		return jsonResponse(200, sm.raw)
	case "DELETE":
		sm.deleted = true
		if isOriginal {
			st.loading = false
		}
		return f.deletedResponseLocked(sm)
	}
	clearLoading := isOriginal && st.loading
	if r := f.editLocked(sm, c, nil, clearLoading); r != nil {
		return *r
	}
	if isOriginal {
		st.loading = false
		st.edits++
	}
	resp := jsonResponse(200, sm.raw)
	resp.after = append(resp.after, f.echoLocked("MESSAGE_UPDATE", sm))
	return resp
}
