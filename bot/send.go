package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// Message is what Herald sends to Discord: text, embeds and components. It
// has no allowed-mentions field on purpose: every message, edit, follow-up
// and interaction response goes through one sender that sends it with empty
// allowed mentions (a reply to a question may notify its asker, nobody
// else), so nothing Herald posts can ping anyone. Content and embeds are cut
// to Discord's limits before sending.
type Message struct {
	// Content is the text, at most 2,000 characters.
	Content string
	// Embeds are at most 10 embeds within Discord's embed limits.
	Embeds []*discordgo.MessageEmbed
	// Components are the message's rows of buttons.
	Components []discordgo.MessageComponent
	// Ephemeral shows the message to the user of the interaction only;
	// it has no effect on channel messages.
	Ephemeral bool
	// Nonce, for a channel message, makes Discord create it once: sent
	// again with the same nonce within a few minutes (by this process or
	// another that took over its work), it is not posted twice
	// (enforce_nonce). Post gives each message of a long one its own.
	Nonce string
}

// noMentions returns the allowed mentions of everything Herald sends: none,
// not even the author of a replied-to message.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// askerMentions returns the allowed mentions of a reply to a question: the
// asker (the replied-to author) is notified, nothing else is pingable.
func askerMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, RepliedUser: true}
}

// sender is the one way out to Discord for messages. It builds the request
// bodies itself, so that they carry only the fields that mean something
// (discordgo's structs send empty content, embeds and tts), and sends them
// through the session's rate limiter.
type sender struct {
	s *discordgo.Session
}

// opts bounds a REST call in time. Sends are not cancelled with the work
// context, so that an answer finished during shutdown is still delivered
// and a cancelled one can still say so.
func (sn *sender) opts(ctx context.Context) ([]discordgo.RequestOption, context.CancelFunc) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	return []discordgo.RequestOption{discordgo.WithContext(c)}, cancel
}

// call sends one request in the rate-limit bucket given and decodes the
// response into out when out is not nil.
func (sn *sender) call(ctx context.Context, method, url string, body any, bucket string, out any) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	resp, err := sn.s.RequestWithBucketID(method, url, body, bucket, o...)
	if err != nil {
		return err
	}
	if out != nil && len(resp) > 0 {
		if err := json.Unmarshal(resp, out); err != nil {
			return fmt.Errorf("%s %s: decode the response: %w", method, bucket, err)
		}
	}
	return nil
}

// prepared returns m's content and embeds cut to Discord's limits; an empty
// message gets a placeholder, which Discord requires.
func prepared(m Message) (string, []*discordgo.MessageEmbed) {
	content := cutContent(m.Content, maxContent)
	embeds := fitEmbeds(m.Embeds)
	if content == "" && len(embeds) == 0 && len(m.Components) == 0 {
		content = "…"
	}
	return content, embeds
}

func flags(m Message) discordgo.MessageFlags {
	if m.Ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// messageBody is a message create or edit as Discord reads it; nil fields
// are left out of the request.
type messageBody struct {
	Content         *string                           `json:"content,omitempty"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds,omitempty"`
	Components      *[]discordgo.MessageComponent     `json:"components,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	Reference       *discordgo.MessageReference       `json:"message_reference,omitempty"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

// createBody is the body that creates m: what it has, nothing empty.
func createBody(m Message, mentions *discordgo.MessageAllowedMentions) *messageBody {
	content, embeds := prepared(m)
	b := &messageBody{AllowedMentions: mentions, Flags: flags(m)}
	if content != "" {
		b.Content = &content
	}
	if len(embeds) > 0 {
		b.Embeds = &embeds
	}
	if len(m.Components) > 0 {
		c := m.Components
		b.Components = &c
	}
	return b
}

// editBody is the body that turns a message showing prev into one showing
// next: only the fields that change (an emptied field is sent empty, which
// clears it), allowed mentions with the content they apply to. It is nil
// when nothing changes. A nil prev stands for a message whose state is
// unknown: content and embeds are both sent.
func editBody(prev *Message, next Message, mentions *discordgo.MessageAllowedMentions) *messageBody {
	content, embeds := prepared(next)
	b := &messageBody{}
	if prev == nil {
		b.Content, b.Embeds, b.AllowedMentions = &content, &embeds, mentions
		if len(next.Components) > 0 {
			c := next.Components
			b.Components = &c
		}
		return b
	}
	changed := false
	if content != cutContent(prev.Content, maxContent) {
		b.Content, b.AllowedMentions, changed = &content, mentions, true
	}
	if !sameJSON(embeds, fitEmbeds(prev.Embeds)) {
		b.Embeds, changed = &embeds, true
	}
	if !sameJSON(next.Components, prev.Components) {
		c := next.Components
		if c == nil {
			c = []discordgo.MessageComponent{}
		}
		b.Components, changed = &c, true
	}
	if !changed {
		return nil
	}
	return b
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	norm := func(s []byte) string {
		if t := string(s); t != "null" {
			return t
		}
		return "[]"
	}
	return norm(ja) == norm(jb)
}

// interactionResponse is an interaction callback as Discord reads it.
type interactionResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data any                               `json:"data,omitempty"`
}

func (sn *sender) callback(ctx context.Context, i *discordgo.Interaction, r interactionResponse) error {
	url := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	return sn.call(ctx, http.MethodPost, url, r, url, nil)
}

// respond sends an interaction's initial response of type typ: a message
// (4), a deferral (5, ephemeral or not) or a deferred update (6).
func (sn *sender) respond(ctx context.Context, i *discordgo.Interaction, typ discordgo.InteractionResponseType, m Message) error {
	r := interactionResponse{Type: typ}
	switch typ {
	case discordgo.InteractionResponseChannelMessageWithSource:
		r.Data = createBody(m, noMentions())
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		if m.Ephemeral {
			r.Data = map[string]any{"flags": discordgo.MessageFlagsEphemeral}
		}
	}
	return sn.callback(ctx, i, r)
}

// modal opens a modal (a form) in answer to an interaction.
func (sn *sender) modal(ctx context.Context, i *discordgo.Interaction, customID, title string, rows []discordgo.MessageComponent) error {
	return sn.callback(ctx, i, interactionResponse{Type: discordgo.InteractionResponseModal, Data: map[string]any{
		"custom_id": customID, "title": cutContent(title, 45), "components": rows,
	}})
}

// autocomplete sends the choices for an autocomplete interaction, and
// nothing else: an autocomplete result has no content, embeds or mentions.
func (sn *sender) autocomplete(ctx context.Context, i *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) error {
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	return sn.callback(ctx, i, interactionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: map[string]any{"choices": choices}})
}

// webhookMessage is the URL of an interaction's message ("@original" or a
// follow-up's ID) and its rate-limit bucket, the interaction's token.
func webhookMessage(i *discordgo.Interaction, messageID string) (url, bucket string) {
	return discordgo.EndpointWebhookMessage(i.AppID, i.Token, messageID), discordgo.EndpointWebhookToken(i.AppID, i.Token)
}

// editOriginal replaces the content and embeds of an interaction's original response.
func (sn *sender) editOriginal(ctx context.Context, i *discordgo.Interaction, m Message) (*discordgo.Message, error) {
	return sn.editOriginalFrom(ctx, i, nil, m)
}

// editOriginalFrom changes an interaction's original response from prev
// (nil: unknown) to m, sending only what changes; it returns nil and no
// error when nothing does.
func (sn *sender) editOriginalFrom(ctx context.Context, i *discordgo.Interaction, prev *Message, m Message) (*discordgo.Message, error) {
	body := editBody(prev, m, noMentions())
	if body == nil {
		return nil, nil
	}
	url, bucket := webhookMessage(i, "@original")
	var msg discordgo.Message
	if err := sn.call(ctx, http.MethodPatch, url, body, bucket, &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

// deleteOriginal deletes an interaction's original response.
func (sn *sender) deleteOriginal(ctx context.Context, i *discordgo.Interaction) error {
	url, bucket := webhookMessage(i, "@original")
	return sn.call(ctx, http.MethodDelete, url, nil, bucket, nil)
}

// followup sends a follow-up message to an interaction.
func (sn *sender) followup(ctx context.Context, i *discordgo.Interaction, m Message) (*discordgo.Message, error) {
	bucket := discordgo.EndpointWebhookToken(i.AppID, i.Token)
	var msg discordgo.Message
	if err := sn.call(ctx, http.MethodPost, bucket+"?wait=true", createBody(m, noMentions()), bucket, &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

// post sends a message to a channel, as a reply to ref when ref is set; a
// reply notifies the author of ref when notify is set.
func (sn *sender) post(ctx context.Context, channelID string, m Message, ref *discordgo.MessageReference, notify bool) (*discordgo.Message, error) {
	mentions := noMentions()
	if ref != nil && notify {
		mentions = askerMentions()
	}
	body := createBody(m, mentions)
	body.Flags = 0
	if m.Nonce != "" {
		body.Nonce, body.EnforceNonce = m.Nonce, true
	}
	if ref != nil {
		no := false
		r := discordgo.MessageReference{MessageID: ref.MessageID, ChannelID: ref.ChannelID, GuildID: ref.GuildID, FailIfNotExists: &no} // the question may be gone; answer anyway
		body.Reference = &r
	}
	url := discordgo.EndpointChannelMessages(channelID)
	var msg discordgo.Message
	if err := sn.call(ctx, http.MethodPost, url, body, url, &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

// edit changes one of the bot's channel messages from prev (nil: unknown)
// to m, sending only what changes; a reply keeps notifying its asker when
// notify is set (an edit without it would take the reply's mention away).
// It returns nil and no error when nothing changes.
func (sn *sender) edit(ctx context.Context, channelID, messageID string, prev *Message, m Message, notify bool) (*discordgo.Message, error) {
	mentions := noMentions()
	if notify {
		mentions = askerMentions()
	}
	body := editBody(prev, m, mentions)
	if body == nil {
		return nil, nil
	}
	var msg discordgo.Message
	if err := sn.call(ctx, http.MethodPatch, discordgo.EndpointChannelMessage(channelID, messageID), body,
		discordgo.EndpointChannelMessage(channelID, ""), &msg); err != nil {
		return nil, err
	}
	return &msg, nil
}

// deleteMessage deletes a channel message.
func (sn *sender) deleteMessage(ctx context.Context, channelID, messageID string) error {
	return sn.call(ctx, http.MethodDelete, discordgo.EndpointChannelMessage(channelID, messageID), nil,
		discordgo.EndpointChannelMessage(channelID, ""), nil)
}

// react adds the bot's reaction (a Unicode emoji) to a message.
func (sn *sender) react(ctx context.Context, channelID, messageID, emoji string) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	return sn.s.MessageReactionAdd(channelID, messageID, emoji, o...)
}

// typing shows "Herald is typing…" in a channel for a few seconds.
func (sn *sender) typing(ctx context.Context, channelID string) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	return sn.s.ChannelTyping(channelID, o...)
}

// startThread opens a public thread on a message. A thread started from a
// message is public by its nature: the request carries its name and
// archive duration only (no type, no invitable, which apply to threads
// started without a message).
func (sn *sender) startThread(ctx context.Context, channelID, messageID, name string) (*discordgo.Channel, error) {
	url := discordgo.EndpointChannelMessageThread(channelID, messageID)
	var ch discordgo.Channel
	if err := sn.call(ctx, http.MethodPost, url, map[string]any{"name": name, "auto_archive_duration": 1440}, url, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// Post sends a message to a channel (for example a scheduled digest)
// through the same sender as every answer: with empty allowed mentions,
// text longer than one message split at paragraph or sentence boundaries,
// embeds packed within Discord's limits. It returns the messages sent.
func (b *Bot) Post(ctx context.Context, channelID string, m Message) ([]*discordgo.Message, error) {
	b.init()
	var out []*discordgo.Message
	for i, part := range layout(m) {
		part.Nonce = partNonce(m.Nonce, i)
		msg, err := b.send.post(ctx, channelID, part, nil, false)
		if err != nil {
			return out, knowledge.WrapError(knowledge.EUNAVAILABLE, tr("", txtDiscordRefused), err)
		}
		out = append(out, msg)
	}
	return out, nil
}

// maxNonce is the longest nonce Discord takes.
const maxNonce = 25

// partNonce is the nonce of the i-th message of a message posted with
// nonce key ("" for none): the key and the index, within Discord's 25
// characters (a long key is hashed).
func partNonce(key string, i int) string {
	if key == "" {
		return ""
	}
	suffix := "." + strconv.Itoa(i)
	if len(key)+len(suffix) > maxNonce {
		sum := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(sum[:])[:maxNonce-len(suffix)]
	}
	return key + suffix
}

// editBudget is what Discord's rate-limit headers last said of the buckets
// answers are edited in: a channel's message edits ("c:" and the channel
// ID) and an interaction's webhook ("w:" and its token). Drafts consult it
// so that they leave room for final edits.
type editBudget struct {
	mu sync.Mutex
	m  map[string]budgetState
}

type budgetState struct {
	limit     int
	remaining int
	resetAt   time.Time
}

// maxBudgets bounds the buckets remembered; the oldest are forgotten.
const maxBudgets = 5000

// observe records the rate-limit headers of a response in bucket key.
func (eb *editBudget) observe(key string, status int, h http.Header, now time.Time) {
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	after, err3 := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if status == http.StatusTooManyRequests {
		remaining, err2 = 0, nil
		if err3 != nil {
			after, err3 = strconv.ParseFloat(h.Get("Retry-After"), 64)
		}
	}
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		return
	}
	eb.mu.Lock()
	defer eb.mu.Unlock()
	if eb.m == nil {
		eb.m = map[string]budgetState{}
	}
	if len(eb.m) >= maxBudgets {
		for k, st := range eb.m {
			if !now.Before(st.resetAt) {
				delete(eb.m, k)
			}
		}
		if len(eb.m) >= maxBudgets {
			clear(eb.m)
		}
	}
	eb.m[key] = budgetState{limit: limit, remaining: remaining, resetAt: now.Add(time.Duration(after * float64(time.Second)))}
}

// assumedEdits is what drafts assume of a bucket before Discord's headers
// describe it: a channel's usual five edits per window.
const assumedEdits = 5

// allows reports whether a draft may be edited in bucket key now, while
// active answers (the draft's included) still need their final edit
// there: the draft must leave one request of the bucket's window for each
// of them, so a final edit never waits for the window to reset because of
// drafts. Otherwise it returns when the bucket resets (zero when unknown).
// Before the headers say otherwise a bucket is taken to allow
// assumedEdits.
func (eb *editBudget) allows(key string, active int, now time.Time) (bool, time.Time) {
	if key == "" {
		return true, time.Time{}
	}
	eb.mu.Lock()
	st, ok := eb.m[key]
	eb.mu.Unlock()
	remaining := assumedEdits
	if ok {
		remaining = st.remaining
		if !now.Before(st.resetAt) {
			remaining = st.limit
		}
	}
	if remaining > active {
		return true, time.Time{}
	}
	return false, st.resetAt
}

// budgetKey names the bucket a request edits an answer in, or "".
func budgetKey(method, path string) string {
	if method != http.MethodPatch {
		return ""
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	// api, v9, then the route.
	if len(segs) > 2 && segs[0] == "api" && strings.HasPrefix(segs[1], "v") {
		segs = segs[2:]
	}
	switch {
	case len(segs) == 4 && segs[0] == "channels" && segs[2] == "messages":
		return "c:" + segs[1]
	case len(segs) == 5 && segs[0] == "webhooks" && segs[3] == "messages":
		return "w:" + segs[2]
	}
	return ""
}

// budgetTransport reads the rate-limit headers of the responses to edits
// into an editBudget, and otherwise leaves requests to its base.
type budgetTransport struct {
	base   http.RoundTripper
	budget *editBudget
}

// RoundTrip sends req with the base transport and observes the response.
func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil {
		if key := budgetKey(req.Method, req.URL.Path); key != "" {
			t.budget.observe(key, resp.StatusCode, resp.Header, time.Now())
		}
	}
	return resp, err
}

// watchBudget makes the session's HTTP client report edits' rate-limit
// headers to eb. It must run before the session is used.
func watchBudget(s *discordgo.Session, eb *editBudget) {
	if s == nil {
		return
	}
	c := &http.Client{Timeout: 20 * time.Second}
	if s.Client != nil {
		cp := *s.Client
		c = &cp
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if _, done := base.(*budgetTransport); done {
		return
	}
	c.Transport = &budgetTransport{base: base, budget: eb}
	s.Client = c
}
