package bot

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// Message is what Herald sends to Discord: text and embeds. It has no
// allowed-mentions field on purpose: every message, edit, follow-up and
// interaction response goes through one sender that sends it with empty
// allowed mentions, so nothing Herald posts can ping anyone. Content and
// embeds are cut to Discord's limits before sending.
type Message struct {
	// Content is the text, at most 2,000 characters.
	Content string
	// Embeds are at most 10 embeds within Discord's embed limits.
	Embeds []*discordgo.MessageEmbed
	// Ephemeral shows the message to the user of the interaction only;
	// it has no effect on channel messages.
	Ephemeral bool
}

// noMentions returns the allowed mentions of everything Herald sends: none,
// not even the author of a replied-to message.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// sender is the one way out to Discord for messages.
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

// prepared returns m's content and embeds cut to Discord's limits; an empty
// message gets a placeholder, which Discord requires.
func prepared(m Message) (string, []*discordgo.MessageEmbed) {
	content := cutContent(m.Content, maxContent)
	embeds := fitEmbeds(m.Embeds)
	if content == "" && len(embeds) == 0 {
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

// respond sends an interaction's initial response of type typ.
func (sn *sender) respond(ctx context.Context, i *discordgo.Interaction, typ discordgo.InteractionResponseType, m Message) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	data := &discordgo.InteractionResponseData{Flags: flags(m), AllowedMentions: noMentions()}
	if typ == discordgo.InteractionResponseChannelMessageWithSource {
		data.Content, data.Embeds = prepared(m)
	}
	return sn.s.InteractionRespond(i, &discordgo.InteractionResponse{Type: typ, Data: data}, o...)
}

// autocomplete sends the choices for an autocomplete interaction.
func (sn *sender) autocomplete(ctx context.Context, i *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	return sn.s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices, AllowedMentions: noMentions()},
	}, o...)
}

// editOriginal replaces the content and embeds of an interaction's original response.
func (sn *sender) editOriginal(ctx context.Context, i *discordgo.Interaction, m Message) (*discordgo.Message, error) {
	o, cancel := sn.opts(ctx)
	defer cancel()
	content, embeds := prepared(m)
	return sn.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}, o...)
}

// deleteOriginal deletes an interaction's original response.
func (sn *sender) deleteOriginal(ctx context.Context, i *discordgo.Interaction) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	return sn.s.InteractionResponseDelete(i, o...)
}

// followup sends a follow-up message to an interaction.
func (sn *sender) followup(ctx context.Context, i *discordgo.Interaction, m Message) (*discordgo.Message, error) {
	o, cancel := sn.opts(ctx)
	defer cancel()
	content, embeds := prepared(m)
	return sn.s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
		Content: content, Embeds: embeds, Flags: flags(m), AllowedMentions: noMentions(),
	}, o...)
}

// post sends a message to a channel, as a reply to ref when ref is set.
func (sn *sender) post(ctx context.Context, channelID string, m Message, ref *discordgo.MessageReference) (*discordgo.Message, error) {
	o, cancel := sn.opts(ctx)
	defer cancel()
	content, embeds := prepared(m)
	send := &discordgo.MessageSend{Content: content, Embeds: embeds, AllowedMentions: noMentions()}
	if ref != nil {
		no := false
		r := *ref
		r.FailIfNotExists = &no // the question may be gone; answer anyway
		send.Reference = &r
	}
	return sn.s.ChannelMessageSendComplex(channelID, send, o...)
}

// edit replaces the content and embeds of one of the bot's channel messages.
func (sn *sender) edit(ctx context.Context, channelID, messageID string, m Message) (*discordgo.Message, error) {
	o, cancel := sn.opts(ctx)
	defer cancel()
	content, embeds := prepared(m)
	return sn.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: messageID, Channel: channelID, Content: &content, Embeds: &embeds, AllowedMentions: noMentions(),
	}, o...)
}

// typing shows "Herald is typing…" in a channel for a few seconds.
func (sn *sender) typing(ctx context.Context, channelID string) error {
	o, cancel := sn.opts(ctx)
	defer cancel()
	return sn.s.ChannelTyping(channelID, o...)
}

// startThread opens a public thread on a message.
func (sn *sender) startThread(ctx context.Context, channelID, messageID, name string) (*discordgo.Channel, error) {
	o, cancel := sn.opts(ctx)
	defer cancel()
	return sn.s.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{
		Name: name, AutoArchiveDuration: 1440, Type: discordgo.ChannelTypeGuildPublicThread,
	}, o...)
}

// Post sends a message to a channel (for example a scheduled digest)
// through the same sender as every answer: with empty allowed mentions,
// text longer than one message split at paragraph or sentence boundaries,
// embeds packed within Discord's limits. It returns the messages sent.
func (b *Bot) Post(ctx context.Context, channelID string, m Message) ([]*discordgo.Message, error) {
	b.init()
	var out []*discordgo.Message
	for _, part := range layout(m) {
		msg, err := b.send.post(ctx, channelID, part, nil)
		if err != nil {
			return out, knowledge.WrapError(knowledge.EUNAVAILABLE, "Discord did not accept the message.", err)
		}
		out = append(out, msg)
	}
	return out, nil
}
