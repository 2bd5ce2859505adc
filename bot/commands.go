package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// Command is one slash command: how Discord shows it and the code that
// serves it. Adding a command to Herald is adding one Command to
// builtinCommands (or to Bot.Commands): it is registered with the others in
// one bulk overwrite and routed by name.
type Command struct {
	// Name is the command's name: 1 to 32 lowercase letters, digits, - or _.
	Name string
	// Description is shown in Discord's command picker: 1 to 100 characters.
	Description string
	// Options are the command's options (or sub-commands), as Discord
	// defines them.
	Options []*discordgo.ApplicationCommandOption
	// Permission, when not zero, is the permission a member needs (for
	// example discordgo.PermissionManageGuild for admin commands). It is
	// registered as the command's default_member_permissions, so Discord
	// hides the command from other members, and checked again against the
	// member's permissions when the command is used, since server admins
	// can override the default. Such commands are not offered in direct
	// messages.
	Permission int64
	// Handle serves the command. An error it returns is shown to the user
	// as the plain sentence of knowledge.ErrorMessage (ephemeral where
	// Discord allows) and logged with its cause.
	Handle func(ctx context.Context, r *Request) error
	// Autocomplete, when set, suggests values for the option being typed
	// (at most 25 are shown); it must be quick, since Discord waits 3 s.
	Autocomplete func(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error)
}

// commandNameRe is Discord's rule for chat command and option names.
var commandNameRe = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// validate checks a command against Discord's rules, so that a bad entry
// fails at start with a clear message rather than as a 400 from Discord.
func (c *Command) validate() error {
	if !commandNameRe.MatchString(c.Name) {
		return fmt.Errorf("command %q: the name must be 1 to 32 lowercase letters, digits, - or _", c.Name)
	}
	if n := runeLen(c.Description); n < 1 || n > 100 {
		return fmt.Errorf("command %q: the description must be 1 to 100 characters, not %d", c.Name, n)
	}
	if c.Handle == nil {
		return fmt.Errorf("command %q: no handler", c.Name)
	}
	var walk func(opts []*discordgo.ApplicationCommandOption) error
	walk = func(opts []*discordgo.ApplicationCommandOption) error {
		if len(opts) > 25 {
			return fmt.Errorf("command %q: more than 25 options", c.Name)
		}
		for _, o := range opts {
			if !commandNameRe.MatchString(o.Name) {
				return fmt.Errorf("command %q: option %q: bad name", c.Name, o.Name)
			}
			if n := runeLen(o.Description); n < 1 || n > 100 {
				return fmt.Errorf("command %q: option %q: the description must be 1 to 100 characters", c.Name, o.Name)
			}
			if err := walk(o.Options); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(c.Options)
}

// definition is the command as registered with Discord, with its German
// names and descriptions (commands_de.go). Global commands say where they
// may be used (servers, and DMs with the bot unless they need a
// permission); commands of one server are only ever used there.
func (c *Command) definition(global bool) *discordgo.ApplicationCommand {
	def := &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        c.Name,
		Description: c.Description,
		Options:     c.Options,
	}
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	if c.Permission != 0 {
		perm := c.Permission
		def.DefaultMemberPermissions = &perm
		contexts = contexts[:1]
	}
	if global {
		def.Contexts = &contexts
		def.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	}
	localise(def)
	if def.Options == nil {
		def.Options = []*discordgo.ApplicationCommandOption{}
	}
	return def
}

// buildTable indexes the commands by name and checks them.
func buildTable(cmds []Command) (map[string]*Command, []*Command, error) {
	table := make(map[string]*Command, len(cmds))
	order := make([]*Command, 0, len(cmds))
	for i := range cmds {
		c := &cmds[i]
		if err := c.validate(); err != nil {
			return nil, nil, knowledge.WrapError(knowledge.EINTERNAL, "A slash command is invalid.", err)
		}
		if table[c.Name] != nil {
			return nil, nil, knowledge.WrapError(knowledge.EINTERNAL, "A slash command is invalid.", fmt.Errorf("command %q is defined twice", c.Name))
		}
		table[c.Name] = c
		order = append(order, c)
	}
	if len(order) > 100 {
		return nil, nil, knowledge.Errorf(knowledge.EINTERNAL, "Discord allows at most 100 slash commands.")
	}
	return table, order, nil
}

// Definitions returns the slash commands as they are registered with Discord.
func (b *Bot) Definitions() []*discordgo.ApplicationCommand {
	b.init()
	defs := make([]*discordgo.ApplicationCommand, 0, len(b.order))
	for _, c := range b.order {
		defs = append(defs, c.definition(b.cfg.GuildID == ""))
	}
	return defs
}

// registerCommands replaces the application's commands, in the configured
// server or globally, with one bulk overwrite.
func (b *Bot) registerCommands(ctx context.Context) error {
	appID := b.appID()
	if appID == "" {
		return knowledge.Errorf(knowledge.EUNAVAILABLE, "Discord did not say which application this bot is.")
	}
	registered, err := b.rest().ApplicationCommandBulkOverwrite(appID, b.cfg.GuildID, b.Definitions(), discordgo.WithContext(ctx))
	if err != nil {
		var re *discordgo.RESTError
		if b.cfg.GuildID != "" && errors.As(err, &re) && re.Response != nil &&
			(re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
			return knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf(
				"Discord refused to register the slash commands in server %s. Check the server's ID, and that the bot was invited with the applications.commands scope.", b.cfg.GuildID), fmt.Errorf("%w: %w", ErrGuild, err))
		}
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "Discord refused the slash commands.", err)
	}
	b.storeCommandIDs(registered)
	return nil
}

// storeCommandIDs keeps the IDs of the registered commands cmds by name:
// they make clickable mentions of them (see commandMention).
func (b *Bot) storeCommandIDs(cmds []*discordgo.ApplicationCommand) {
	ids := make(map[string]string, len(cmds))
	for _, c := range cmds {
		if c != nil && c.ID != "" {
			ids[c.Name] = c.ID
		}
	}
	b.cmdMu.Lock()
	defer b.cmdMu.Unlock()
	b.commandIDs.Store(ids)
}

// commandMention returns a clickable mention of a command ("</feed add:123>"
// for path "feed add"), or the plain "/feed add" before the commands are
// registered.
func (b *Bot) commandMention(path string) string {
	ids, _ := b.commandIDs.Load().(map[string]string)
	name, _, _ := strings.Cut(path, " ")
	if id := ids[name]; id != "" {
		return "</" + path + ":" + id + ">"
	}
	return "`/" + path + "`"
}

// Request is one use of a slash command being served: who used it, where,
// with which options, and the way to answer it. Its methods send through
// the bot's one sender, so every response has empty allowed mentions.
type Request struct {
	// Interaction is the interaction Discord sent.
	Interaction *discordgo.Interaction
	// Command is the command being used.
	Command *Command
	// GuildID is the server it was used in, "" in a direct message; it is
	// the scope to search (knowledge.Filter.GuildID).
	GuildID string
	// UserID is the user who used it.
	UserID string
	// Subcommand is the sub-command used, if the command has sub-commands.
	Subcommand string

	b       *Bot
	options map[string]*discordgo.ApplicationCommandInteractionDataOption

	mu                sync.Mutex
	state             int // stateNone, stateDeferred or stateReplied
	deferredEphemeral bool
}

const (
	stateNone = iota
	stateDeferred
	stateReplied
)

func newRequest(b *Bot, i *discordgo.Interaction, cmd *Command) *Request {
	r := &Request{Interaction: i, Command: cmd, GuildID: i.GuildID, b: b,
		options: map[string]*discordgo.ApplicationCommandInteractionDataOption{}}
	if i.Member != nil && i.Member.User != nil {
		r.UserID = i.Member.User.ID
	} else if i.User != nil {
		r.UserID = i.User.ID
	}
	if i.Type != discordgo.InteractionApplicationCommand && i.Type != discordgo.InteractionApplicationCommandAutocomplete {
		return r
	}
	opts := i.ApplicationCommandData().Options
	for len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup || opts[0].Type == discordgo.ApplicationCommandOptionSubCommand) {
		if r.Subcommand != "" {
			r.Subcommand += " "
		}
		r.Subcommand += opts[0].Name
		opts = opts[0].Options
	}
	for _, o := range opts {
		r.options[o.Name] = o
	}
	return r
}

// String returns a string option's value, "" when it was not given.
func (r *Request) String(name string) string {
	if o := r.options[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionString {
		return strings.TrimSpace(o.StringValue())
	}
	return ""
}

// Int returns an integer option's value and whether it was given.
func (r *Request) Int(name string) (int64, bool) {
	if o := r.options[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionInteger {
		return o.IntValue(), true
	}
	return 0, false
}

// Bool returns a boolean option's value and whether it was given.
func (r *Request) Bool(name string) (bool, bool) {
	if o := r.options[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
		return o.BoolValue(), true
	}
	return false, false
}

// Channel returns a channel option's channel ID, "" when it was not given.
func (r *Request) Channel(name string) string {
	if o := r.options[name]; o != nil && o.Type == discordgo.ApplicationCommandOptionChannel {
		if s, ok := o.Value.(string); ok {
			return s
		}
	}
	return ""
}

// Defer acknowledges the command at once ("Herald is thinking…"); the
// answer then comes with Reply. Whether the answer is ephemeral is fixed
// here, as Discord fixes it at this moment. Calling Defer after a response
// does nothing.
func (r *Request) Defer(ctx context.Context, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != stateNone {
		return nil
	}
	if err := r.b.send.respond(ctx, r.Interaction, discordgo.InteractionResponseDeferredChannelMessageWithSource, Message{Ephemeral: ephemeral}); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, textsFor(r.Interaction.Locale).discordRefused, err)
	}
	r.state, r.deferredEphemeral = stateDeferred, ephemeral
	return nil
}

// Reply answers the command: as its response, or by replacing the
// deferred "thinking" message, or (once answered) as a follow-up. An
// ephemeral reply after a public Defer deletes the public placeholder and
// comes as an ephemeral follow-up, since a deferred response's visibility
// cannot change. A message too large for Discord continues in follow-ups
// (see Bot.Post).
func (r *Request) Reply(ctx context.Context, m Message) error {
	parts := layout(m)
	if err := r.reply(ctx, parts[0]); err != nil {
		return err
	}
	for _, p := range parts[1:] {
		if _, err := r.Followup(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (r *Request) reply(ctx context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	switch r.state {
	case stateNone:
		err = r.b.send.respond(ctx, r.Interaction, discordgo.InteractionResponseChannelMessageWithSource, m)
	case stateDeferred:
		if m.Ephemeral && !r.deferredEphemeral {
			if err = r.b.send.deleteOriginal(ctx, r.Interaction); err == nil {
				_, err = r.b.send.followup(ctx, r.Interaction, m)
				break
			}
			r.b.Logger.Debug("cannot delete the deferred response; editing it instead", "interaction", r.Interaction.ID, "err", err)
		}
		_, err = r.b.send.editOriginal(ctx, r.Interaction, m)
	default:
		_, err = r.b.send.followup(ctx, r.Interaction, m)
	}
	if err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, textsFor(r.Interaction.Locale).discordRefused, err)
	}
	r.state = stateReplied
	return nil
}

// Followup sends one more message after the reply and returns it.
func (r *Request) Followup(ctx context.Context, m Message) (*discordgo.Message, error) {
	msg, err := r.b.send.followup(ctx, r.Interaction, m)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EUNAVAILABLE, textsFor(r.Interaction.Locale).discordRefused, err)
	}
	return msg, nil
}

// editOriginal changes the original response (the deferred one) from
// prev (nil: unknown) to m, sending only what changes, and returns it (nil
// when nothing changed).
func (r *Request) editOriginal(ctx context.Context, prev *Message, m Message) (*discordgo.Message, error) {
	msg, err := r.b.send.editOriginalFrom(ctx, r.Interaction, prev, m)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EUNAVAILABLE, textsFor(r.Interaction.Locale).discordRefused, err)
	}
	r.mu.Lock()
	r.state = stateReplied
	r.mu.Unlock()
	return msg, nil
}

// reopen lets the next Reply replace the original response, even after a
// streamed preview was shown in it.
func (r *Request) reopen() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == stateReplied {
		r.state = stateDeferred
	}
}

// fail shows err to the user as a plain sentence and logs its cause.
func (r *Request) fail(ctx context.Context, err error) {
	r.b.logError(err, "command", r.Command.nameOr(r.Interaction), "interaction", r.Interaction.ID, "guild", r.GuildID, "user", r.UserID)
	if rerr := r.Reply(ctx, Message{Content: bracketURLs(knowledge.ErrorMessage(err)), Ephemeral: true}); rerr != nil {
		r.b.Logger.Warn("cannot tell the user about an error", "interaction", r.Interaction.ID, "err", rerr)
	}
}

func (c *Command) nameOr(i *discordgo.Interaction) string {
	if c != nil {
		return c.Name
	}
	if i.Type == discordgo.InteractionApplicationCommand || i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return i.ApplicationCommandData().Name
	}
	return ""
}

// logError logs an error once, at a level that fits its code, and counts it.
func (b *Bot) logError(err error, attrs ...any) {
	code := knowledge.ErrorCode(err)
	b.metrics.errors.WithLabelValues(code).Inc()
	attrs = append(attrs, "code", code, "err", err)
	switch code {
	case knowledge.EINVALID, knowledge.ENOTFOUND, knowledge.EFORBIDDEN, knowledge.ERATELIMIT, knowledge.ECONFLICT:
		b.Logger.Info("request refused", attrs...)
	case knowledge.EUNAVAILABLE, knowledge.ETIMEOUT:
		b.Logger.Warn("request failed", attrs...)
	default:
		b.Logger.Error("request failed", attrs...)
	}
}

// permissionNames names the permissions commands may require, for the
// refusal message.
var permissionNames = map[int64]string{
	discordgo.PermissionManageGuild:    "Manage Server",
	discordgo.PermissionAdministrator:  "Administrator",
	discordgo.PermissionManageChannels: "Manage Channels",
	discordgo.PermissionManageMessages: "Manage Messages",
	discordgo.PermissionManageWebhooks: "Manage Webhooks",
}

// allowed checks, on the server side, that the member holds the
// command's permission; Discord computes Member.Permissions for the
// channel, Administrator included.
func (r *Request) allowed() error {
	need := r.Command.Permission
	if need == 0 {
		return nil
	}
	name := permissionNames[need]
	if name == "" {
		name = "the required"
	}
	t := textsFor(r.Interaction.Locale)
	if r.Interaction.Member == nil {
		return knowledge.Errorf(knowledge.EFORBIDDEN, t.serverOnly, "/"+commandName(t.locale, r.Command.Name))
	}
	perms := r.Interaction.Member.Permissions
	if perms&discordgo.PermissionAdministrator != 0 || perms&need == need {
		return nil
	}
	return knowledge.Errorf(knowledge.EFORBIDDEN, t.needPermission, t.permissions(name), "/"+commandName(t.locale, r.Command.Name))
}

// onInteraction routes slash commands and autocompletion to the command
// table, once per interaction ID, never after Discord's deadline, and
// recovers from panics.
func (b *Bot) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if i != nil && b.handled != nil {
		defer b.handled("interaction", i.ID)
	}
	if i != nil && (i.Type == discordgo.InteractionMessageComponent || i.Type == discordgo.InteractionModalSubmit) {
		b.onComponent(i) // buttons and forms: components.go
		return
	}
	if i == nil || (i.Type != discordgo.InteractionApplicationCommand && i.Type != discordgo.InteractionApplicationCommandAutocomplete) {
		return
	}
	log := b.Logger.With("interaction", i.ID)
	if !b.seen.add("i:"+i.ID, b.now()) {
		log.Info("duplicate interaction ignored")
		return
	}
	deadline := b.deadline
	if deadline <= 0 {
		deadline = interactionDeadline
	}
	if age := b.snowflakeAge(i.ID); age > deadline {
		log.Warn("interaction is older than Discord's 3 s deadline, not answered (check the system clock if this repeats)", "age", age.Round(1e6))
		return
	}
	data := i.ApplicationCommandData()
	b.learnCommandID(data.Name, data.ID)
	cmd := b.table[data.Name]
	r := newRequest(b, i, cmd)
	if !b.begin() {
		if i.Type == discordgo.InteractionApplicationCommand {
			_ = r.Reply(context.Background(), Message{Content: textsFor(i.Locale).restarting, Ephemeral: true})
		}
		return
	}
	defer b.end()
	ctx := b.workCtx
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic in a command handler", "command", data.Name, "panic", p, "stack", string(debug.Stack()))
			b.metrics.errors.WithLabelValues(knowledge.EINTERNAL).Inc()
			if i.Type == discordgo.InteractionApplicationCommand {
				if err := r.Reply(ctx, Message{Content: tr(i.Locale, txtPanic), Ephemeral: true}); err != nil {
					log.Warn("cannot tell the user about a failure", "err", err)
				}
			}
		}
	}()
	if cmd == nil {
		if i.Type == discordgo.InteractionApplicationCommand {
			r.fail(ctx, knowledge.Errorf(knowledge.ENOTFOUND, textsFor(i.Locale).unknownCommand, data.Name))
		}
		return
	}
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		b.autocomplete(ctx, r)
		return
	}
	if err := r.allowed(); err != nil {
		r.fail(ctx, err)
		return
	}
	if err := b.checkSources(ctx, r); err != nil {
		r.fail(ctx, err)
		return
	}
	if err := cmd.Handle(ctx, r); err != nil {
		r.fail(ctx, err)
	}
}

// autocomplete answers an autocompletion with the command's suggestions,
// or none.
func (b *Bot) autocomplete(ctx context.Context, r *Request) {
	var choices []*discordgo.ApplicationCommandOptionChoice
	if r.Command.Autocomplete != nil && r.allowed() == nil {
		var focused *discordgo.ApplicationCommandInteractionDataOption
		for _, o := range r.options {
			if o.Focused {
				focused = o
			}
		}
		if focused != nil {
			var err error
			if choices, err = r.Command.Autocomplete(ctx, r, focused); err != nil {
				b.Logger.Warn("autocomplete failed", "command", r.Command.Name, "interaction", r.Interaction.ID, "err", err)
				choices = nil
			}
		}
	}
	var ok []*discordgo.ApplicationCommandOptionChoice
	for _, c := range choices {
		if c == nil || len(ok) == 25 {
			continue
		}
		cc := *c
		cc.Name = cutContent(cc.Name, 100)
		if s, isString := cc.Value.(string); isString {
			cc.Value = cutContent(s, 100)
		}
		if cc.Name != "" {
			ok = append(ok, &cc)
		}
	}
	if err := b.send.autocomplete(ctx, r.Interaction, ok); err != nil {
		b.Logger.Warn("cannot send autocomplete choices", "interaction", r.Interaction.ID, "err", err)
	}
}
