package discordtest

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// SlashCommand builds an APPLICATION_COMMAND interaction (type 2) as Discord
// sends it: a new ID and token, the app ID, version 1, locale en-US, and in a
// guild a member whose permissions (perms, the resolved permissions in the
// channel) travel as a string; with guildID "" it is a DM with User set.
// A nil user means the default user. The command ID is the registered
// command's when one with that name exists. Send it with SendInteraction.
func (f *Fake) SlashCommand(guildID, channelID string, user *discordgo.User, perms int64, name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.InteractionCreate {
	return f.commandInteraction(discordgo.InteractionApplicationCommand, guildID, channelID, user, perms, name, options)
}

// Autocomplete builds an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type
// 4) like SlashCommand; mark the option being typed with Focused (see FocusedOpt).
func (f *Fake) Autocomplete(guildID, channelID string, user *discordgo.User, perms int64, name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.InteractionCreate {
	return f.commandInteraction(discordgo.InteractionApplicationCommandAutocomplete, guildID, channelID, user, perms, name, options)
}

func (f *Fake) commandInteraction(typ discordgo.InteractionType, guildID, channelID string, user *discordgo.User, perms int64, name string, options []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.InteractionCreate {
	if user == nil {
		user = f.User()
	}
	f.mu.Lock()
	cmdID := ""
	for _, scope := range []string{guildID, ""} {
		for _, c := range f.commands[scope] {
			if c.Name == name && cmdID == "" && (c.Type == discordgo.ChatApplicationCommand || c.Type == 0) {
				cmdID = c.ID
			}
		}
	}
	member := f.memberLocked(guildID, user.ID)
	f.mu.Unlock()
	if cmdID == "" {
		cmdID = f.newID()
	}
	locale := discordgo.EnglishUS
	i := &discordgo.Interaction{
		ID:        f.newID(),
		AppID:     f.appID,
		Type:      typ,
		ChannelID: channelID,
		Token:     randomToken("aW50ZXJhY3Rpb246", 32),
		Version:   1,
		Locale:    locale,
		Data: discordgo.ApplicationCommandInteractionData{
			ID: cmdID, Name: name, CommandType: discordgo.ChatApplicationCommand, Options: options,
		},
		AppPermissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
			discordgo.PermissionReadMessageHistory | discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads,
		Entitlements: []*discordgo.Entitlement{},
	}
	if guildID != "" {
		i.GuildID = guildID
		i.GuildLocale = &locale
		i.Context = discordgo.InteractionContextGuild
		i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{discordgo.ApplicationIntegrationGuildInstall: guildID}
		if member == nil {
			member = &discordgo.Member{JoinedAt: time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second), Roles: []string{}}
		}
		member.GuildID = ""
		member.User = clone(user)
		member.Permissions = perms
		i.Member = member
	} else {
		i.User = clone(user)
		i.Context = discordgo.InteractionContextBotDM
		i.AuthorizingIntegrationOwners = map[discordgo.ApplicationIntegrationType]string{discordgo.ApplicationIntegrationUserInstall: user.ID}
	}
	return &discordgo.InteractionCreate{Interaction: i}
}

func (f *Fake) memberLocked(guildID, userID string) *discordgo.Member {
	if gs := f.guilds[guildID]; gs != nil {
		for _, m := range gs.members {
			if m.User != nil && m.User.ID == userID {
				return clone(m)
			}
		}
	}
	return nil
}

// StringOpt returns a string option for SlashCommand.
func StringOpt(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// IntOpt returns an integer option for SlashCommand.
func IntOpt(name string, value int64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: value}
}

// BoolOpt returns a boolean option for SlashCommand.
func BoolOpt(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

// ChannelOpt returns a channel option (the value is the channel ID) for SlashCommand.
func ChannelOpt(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionChannel, Value: channelID}
}

// SubCommandOpt returns a sub-command option holding options, for SlashCommand.
func SubCommandOpt(name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: options}
}

// SubCommandGroupOpt returns a sub-command group option holding sub-commands, for SlashCommand.
func SubCommandGroupOpt(name string, subs ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: subs}
}

// FocusedOpt returns the string option the user is typing, for Autocomplete.
func FocusedOpt(name, partial string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: partial, Focused: true}
}

// UserMessage builds a message from author (nil for the default user) in a
// channel, as MESSAGE_CREATE carries it: a new ID, the time, guild_id and a
// partial member for guild channels, and mentions for the <@id> of known users.
func (f *Fake) UserMessage(channelID string, author *discordgo.User, content string) *discordgo.Message {
	if author == nil {
		author = f.User()
	}
	f.mu.Lock()
	guildID := ""
	if ch := f.channels[channelID]; ch != nil {
		guildID = ch.GuildID
	}
	member := f.memberLocked(guildID, author.ID)
	mentions := []*discordgo.User{}
	seen := map[string]bool{}
	for _, m := range userMentionRe.FindAllStringSubmatch(content, -1) {
		if u := f.users[m[1]]; u != nil && !seen[u.ID] {
			seen[u.ID] = true
			mentions = append(mentions, clone(u))
		}
	}
	roles := []string{}
	for _, m := range roleMentionRe.FindAllStringSubmatch(content, -1) {
		roles = append(roles, m[1])
	}
	f.mu.Unlock()
	m := &discordgo.Message{
		ID: f.newID(), ChannelID: channelID, GuildID: guildID, Content: content,
		Timestamp: time.Now().UTC(), Author: clone(author), Type: discordgo.MessageTypeDefault,
		Mentions: mentions, MentionRoles: roles, Embeds: []*discordgo.MessageEmbed{},
		Attachments: []*discordgo.MessageAttachment{}, MentionEveryone: strings.Contains(content, "@everyone"),
	}
	if guildID != "" {
		if member == nil {
			member = &discordgo.Member{JoinedAt: time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second), Roles: []string{}}
		}
		member.User = nil
		member.GuildID = ""
		m.Member = member
	}
	return m
}

// Mention builds a message that mentions the bot: content "<@BOTID> question",
// with the bot in its mentions, so it reaches the bot with its content even
// without the MESSAGE_CONTENT intent.
func (f *Fake) Mention(channelID string, author *discordgo.User, question string) *discordgo.Message {
	return f.UserMessage(channelID, author, "<@"+f.bot.ID+"> "+question)
}

// ReplyTo turns m into a reply to ref (type 19, message_reference and
// referenced_message set) and returns it. When ping is true, as in Discord's
// default, the replied-to author joins m's mentions, so a reply to the bot
// mentions it.
func ReplyTo(m, ref *discordgo.Message, ping bool) *discordgo.Message {
	m.Type = discordgo.MessageTypeReply
	m.MessageReference = &discordgo.MessageReference{MessageID: ref.ID, ChannelID: ref.ChannelID, GuildID: ref.GuildID}
	r := clone(ref)
	r.ReferencedMessage = nil
	m.ReferencedMessage = r
	if ping && ref.Author != nil {
		for _, u := range m.Mentions {
			if u.ID == ref.Author.ID {
				return m
			}
		}
		m.Mentions = append(m.Mentions, clone(ref.Author))
	}
	return m
}

// SendMessage dispatches MESSAGE_CREATE for m as Discord would deliver it
// to the connected session, stores it (so the bot can fetch it, reply to it
// or start a thread on it) and returns its ID, filling ID and Timestamp if
// empty. Like Discord it honours the session's intents: without
// GUILD_MESSAGES (or DIRECT_MESSAGES for a DM) the event is not delivered
// (the test log says so), and without MESSAGE_CONTENT a guild message that
// does not mention the bot arrives with empty content, embeds and attachments.
func (f *Fake) SendMessage(m *discordgo.Message) string {
	f.t.Helper()
	if m.ID == "" {
		m.ID = f.newID()
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = time.Now().UTC()
	}
	raw, err := json.Marshal(m)
	if err != nil {
		f.t.Errorf("discordtest: SendMessage: %v", err)
		return m.ID
	}
	f.observe("MESSAGE_CREATE", raw)
	if !f.waitLocked(5*time.Second, func() bool { return f.targetLocked(m.GuildID) != nil || f.closed }) {
		f.t.Errorf("discordtest: SendMessage: no gateway session is connected")
		return m.ID
	}
	intents, _ := f.sessionIntents(m.GuildID)
	need := discordgo.IntentGuildMessages
	if m.GuildID == "" {
		need = discordgo.IntentDirectMessages
	}
	if intents&need == 0 {
		f.t.Logf("discordtest: MESSAGE_CREATE %s not delivered: the session did not identify with intent %d", m.ID, need)
		return m.ID
	}
	mentioned := false
	for _, u := range m.Mentions {
		mentioned = mentioned || (u != nil && u.ID == f.bot.ID)
	}
	fromBot := m.Author != nil && m.Author.ID == f.bot.ID
	if intents&discordgo.IntentMessageContent == 0 && m.GuildID != "" && !mentioned && !fromBot {
		cp := *m
		cp.Content = ""
		cp.Embeds = []*discordgo.MessageEmbed{}
		cp.Attachments = []*discordgo.MessageAttachment{}
		cp.Components = nil
		cp.Poll = nil
		if raw, err = json.Marshal(&cp); err != nil {
			f.t.Errorf("discordtest: SendMessage: %v", err)
			return m.ID
		}
	}
	if _, err := f.dispatchRaw("MESSAGE_CREATE", raw, m.GuildID, 5*time.Second); err != nil {
		f.t.Errorf("discordtest: SendMessage: %v", err)
	}
	return m.ID
}
