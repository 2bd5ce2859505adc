package discordtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on message components and modals.
const (
	maxActionRows      = 5
	maxRowComponents   = 5
	maxCustomID        = 100
	maxButtonLabel     = 80
	maxModalTitle      = 45
	maxTextInputLabel  = 45
	maxTextInputLength = 4000
	maxSelectOptions   = 25
	maxOptionText      = 100
	maxPlaceholder     = 150
)

// ButtonClick builds a MESSAGE_COMPONENT interaction (type 3) as Discord
// sends it when user (nil: the default user), whose permissions in the
// channel are perms, clicks the button customID on message m (a message of
// the bot, as Messages or InteractionResponse return it). Send it with
// SendInteraction; a response of type 4 or 5 creates a new message, 6 or 7
// updates m.
func (f *Fake) ButtonClick(m *discordgo.Message, user *discordgo.User, perms int64, customID string) *discordgo.InteractionCreate {
	i := f.componentInteraction(discordgo.InteractionMessageComponent, m.ChannelID, user, perms)
	i.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}
	i.Message = clone(m)
	return &discordgo.InteractionCreate{Interaction: i}
}

// SelectOption builds a MESSAGE_COMPONENT interaction (type 3) as Discord
// sends it when user (nil: the default user), whose permissions in the
// channel are perms, picks values in the string select menu customID on
// message m. Send it with SendInteraction.
func (f *Fake) SelectOption(m *discordgo.Message, user *discordgo.User, perms int64, customID string, values ...string) *discordgo.InteractionCreate {
	i := f.componentInteraction(discordgo.InteractionMessageComponent, m.ChannelID, user, perms)
	i.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.SelectMenuComponent, Values: values}
	i.Message = clone(m)
	return &discordgo.InteractionCreate{Interaction: i}
}

// ModalSubmit builds a MODAL_SUBMIT interaction (type 5) as Discord sends
// it when user (nil: the default user) submits the modal customID opened
// from message m (nil for a modal opened by a command) in channelID, with
// values keyed by the text inputs' custom IDs.
func (f *Fake) ModalSubmit(channelID string, m *discordgo.Message, user *discordgo.User, perms int64, customID string, values map[string]string) *discordgo.InteractionCreate {
	i := f.componentInteraction(discordgo.InteractionModalSubmit, channelID, user, perms)
	var rows []discordgo.MessageComponent
	for id, v := range values {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: id, Value: v, Style: discordgo.TextInputShort},
		}})
	}
	i.Data = modalSubmitData{CustomID: customID, Components: rows}
	if m != nil {
		i.Message = clone(m)
	}
	return &discordgo.InteractionCreate{Interaction: i}
}

// modalSubmitData is a modal submission with its components, which
// discordgo's ModalSubmitInteractionData leaves out when it is encoded.
type modalSubmitData struct {
	CustomID   string                       `json:"custom_id"`
	Components []discordgo.MessageComponent `json:"components"`
}

// Type implements discordgo.InteractionData.
func (modalSubmitData) Type() discordgo.InteractionType { return discordgo.InteractionModalSubmit }

// componentInteraction builds the fields a component or modal interaction
// shares with a command: the user, their member and permissions, the guild
// of the channel.
func (f *Fake) componentInteraction(typ discordgo.InteractionType, channelID string, user *discordgo.User, perms int64) *discordgo.Interaction {
	if user == nil {
		user = f.User()
	}
	f.mu.Lock()
	guildID := ""
	if ch := f.channels[channelID]; ch != nil {
		guildID = ch.GuildID
	}
	member := f.memberLocked(guildID, user.ID)
	f.mu.Unlock()
	locale := discordgo.EnglishUS
	i := &discordgo.Interaction{
		ID: f.newID(), AppID: f.appID, Type: typ, ChannelID: channelID,
		Token: randomToken("aW50ZXJhY3Rpb246", 32), Version: 1, Locale: locale,
		AppPermissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
			discordgo.PermissionReadMessageHistory,
		Entitlements: []*discordgo.Entitlement{},
	}
	if guildID != "" {
		i.GuildID = guildID
		i.GuildLocale = &locale
		i.Context = discordgo.InteractionContextGuild
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
	}
	return i
}

// rawComponent is a component as a request carries it.
type rawComponent struct {
	Type       discordgo.ComponentType `json:"type"`
	CustomID   *string                 `json:"custom_id"`
	Label      *string                 `json:"label"`
	Style      int                     `json:"style"`
	Emoji      json.RawMessage         `json:"emoji"`
	URL        string                  `json:"url"`
	Components []json.RawMessage       `json:"components"`
	MaxLength  int                     `json:"max_length"`
	// A string select menu's.
	Placeholder *string        `json:"placeholder"`
	Options     []rawSelectOpt `json:"options"`
}

// rawSelectOpt is an option of a string select menu as a request carries it.
type rawSelectOpt struct {
	Label       *string `json:"label"`
	Value       *string `json:"value"`
	Description *string `json:"description"`
}

// checkComponents validates a message's (or a modal's) rows of components
// as Discord does: at most 5 rows of at most 5 buttons (or one text input
// in a modal), custom IDs of 1 to 100 characters unique in the message,
// labels of at most 80, a label or an emoji on every button, a URL on link
// buttons only.
func checkComponents(fe *formErrors, prefix []string, rows []json.RawMessage) {
	if len(rows) > maxActionRows {
		fe.add(prefix, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxActionRows))
	}
	ids := map[string]bool{}
	for i, raw := range rows {
		p := at(prefix, strconv.Itoa(i))
		var row rawComponent
		if err := json.Unmarshal(raw, &row); err != nil {
			fe.add(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
			continue
		}
		if row.Type != discordgo.ActionsRowComponent {
			fe.add(at(p, "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
			continue
		}
		if n := len(row.Components); n < 1 || n > maxRowComponents {
			fe.add(at(p, "components"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", maxRowComponents))
		}
		for j, rc := range row.Components {
			cp := at(p, "components", strconv.Itoa(j))
			var c rawComponent
			if err := json.Unmarshal(rc, &c); err != nil {
				fe.add(cp, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
				continue
			}
			if c.CustomID != nil {
				badLen(fe, at(cp, "custom_id"), *c.CustomID, 1, maxCustomID)
				if ids[*c.CustomID] {
					fe.add(at(cp, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
				}
				ids[*c.CustomID] = true
			}
			switch c.Type {
			case discordgo.ButtonComponent:
				checkButton(fe, cp, c)
			case discordgo.TextInputComponent:
				if len(row.Components) != 1 {
					fe.add(at(p, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
				}
				if c.CustomID == nil {
					fe.add(at(cp, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
				}
				if c.Label == nil {
					fe.add(at(cp, "label"), "BASE_TYPE_REQUIRED", "This field is required")
				} else {
					badLen(fe, at(cp, "label"), *c.Label, 1, maxTextInputLabel)
				}
				if c.Style != int(discordgo.TextInputShort) && c.Style != int(discordgo.TextInputParagraph) {
					fe.add(at(cp, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
				}
				if c.MaxLength < 0 || c.MaxLength > maxTextInputLength {
					fe.add(at(cp, "max_length"), "NUMBER_TYPE_MAX", fmt.Sprintf("int value should be less than or equal to %d.", maxTextInputLength))
				}
			case discordgo.SelectMenuComponent:
				checkSelect(fe, cp, c, len(row.Components))
			case discordgo.UserSelectMenuComponent, discordgo.RoleSelectMenuComponent,
				discordgo.MentionableSelectMenuComponent, discordgo.ChannelSelectMenuComponent:
			default:
				fe.add(at(cp, "type"), "BASE_TYPE_CHOICES", "Value must be one of {2, 3, 4, 5, 6, 7, 8}.")
			}
		}
	}
}

// checkSelect validates a string select menu as Discord does: alone in
// its row, a custom ID, 1 to 25 options with labels and values of 1 to 100
// characters (values unique), descriptions of 1 to 100 when present, a
// placeholder of at most 150.
func checkSelect(fe *formErrors, p []string, c rawComponent, inRow int) {
	if inRow != 1 {
		fe.add(p, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
	}
	if c.CustomID == nil {
		fe.add(at(p, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
	}
	if c.Placeholder != nil {
		badLen(fe, at(p, "placeholder"), *c.Placeholder, 0, maxPlaceholder)
	}
	if n := len(c.Options); n < 1 || n > maxSelectOptions {
		fe.add(at(p, "options"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", maxSelectOptions))
	}
	values := map[string]bool{}
	for k, o := range c.Options {
		op := at(p, "options", strconv.Itoa(k))
		for _, f := range []struct {
			name string
			v    *string
		}{{"label", o.Label}, {"value", o.Value}} {
			if f.v == nil {
				fe.add(at(op, f.name), "BASE_TYPE_REQUIRED", "This field is required")
			} else {
				badLen(fe, at(op, f.name), *f.v, 1, maxOptionText)
			}
		}
		if o.Description != nil {
			badLen(fe, at(op, "description"), *o.Description, 1, maxOptionText)
		}
		if o.Value != nil {
			if values[*o.Value] {
				fe.add(at(op, "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Select component option values must be unique")
			}
			values[*o.Value] = true
		}
	}
}

func checkButton(fe *formErrors, p []string, c rawComponent) {
	if c.Style < int(discordgo.PrimaryButton) || c.Style > int(discordgo.LinkButton) {
		fe.add(at(p, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
	}
	if c.Label != nil {
		badLen(fe, at(p, "label"), *c.Label, 1, maxButtonLabel)
	}
	if c.Label == nil && len(c.Emoji) == 0 {
		fe.add(p, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button must have a label or an emoji")
	}
	if c.Style == int(discordgo.LinkButton) {
		if c.URL == "" || c.CustomID != nil {
			fe.add(at(p, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A link button needs a url and no custom id")
		}
	} else if c.CustomID == nil || c.URL != "" {
		fe.add(at(p, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A button needs a custom id and no url")
	}
}

// componentsResponse validates the components of a create or edit body,
// returning Discord's error when they break a rule.
func componentsResponse(rows []json.RawMessage) *response {
	fe := &formErrors{}
	checkComponents(fe, []string{"components"}, rows)
	if fe.empty() {
		return nil
	}
	r := fe.response()
	return &r
}

// keepModalLocked remembers the modal an interaction opened.
func (f *Fake) keepModalLocked(interactionID string, data json.RawMessage) *response {
	var m struct {
		Components []json.RawMessage `json:"components"`
	}
	_ = json.Unmarshal(data, &m)
	fe := &formErrors{}
	checkComponents(fe, []string{"data", "components"}, m.Components)
	for i, raw := range m.Components {
		var row rawComponent
		_ = json.Unmarshal(raw, &row)
		for _, rc := range row.Components {
			var c rawComponent
			if json.Unmarshal(rc, &c) == nil && c.Type != discordgo.TextInputComponent {
				fe.add([]string{"data", "components", strconv.Itoa(i)}, "MODAL_COMPONENT_INVALID", "Modals can only contain text inputs")
			}
		}
	}
	if !fe.empty() {
		r := fe.response()
		return &r
	}
	if f.modals == nil {
		f.modals = map[string]json.RawMessage{}
	}
	f.modals[interactionID] = append(json.RawMessage(nil), data...)
	return nil
}

// ModalInputs returns the text inputs of the modal the bot opened in
// answer to an interaction, in order, or nil if it opened none.
func (f *Fake) ModalInputs(interactionID string) []discordgo.TextInput {
	f.mu.Lock()
	raw := f.modals[interactionID]
	f.mu.Unlock()
	if raw == nil {
		return nil
	}
	var m struct {
		Components []struct {
			Components []discordgo.TextInput `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	var out []discordgo.TextInput
	for _, row := range m.Components {
		out = append(out, row.Components...)
	}
	return out
}

// reactLocked records the bot's reaction on a message (or its removal).
func (f *Fake) reactLocked(messageID, emoji string, add bool) {
	if f.reactions == nil {
		f.reactions = map[string][]string{}
	}
	list := f.reactions[messageID]
	for i, e := range list {
		if e == emoji {
			if !add {
				f.reactions[messageID] = append(list[:i:i], list[i+1:]...)
			}
			return
		}
	}
	if add {
		f.reactions[messageID] = append(list, emoji)
	}
}

// Reactions returns the emoji the bot reacted with on a message, in order.
func (f *Fake) Reactions(messageID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reactions[messageID]...)
}
