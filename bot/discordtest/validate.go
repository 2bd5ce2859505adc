package discordtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's documented limits, which the fake enforces.
const (
	maxContentLength          = 2000
	maxEmbeds                 = 10
	maxEmbedTitle             = 256
	maxEmbedDescription       = 4096
	maxEmbedFields            = 25
	maxEmbedFieldName         = 256
	maxEmbedFieldValue        = 1024
	maxEmbedFooter            = 2048
	maxEmbedAuthorName        = 256
	maxEmbedTotal             = 6000
	maxCommandOptions         = 25
	maxCommandChoices         = 25
	maxCommandNameLength      = 32
	maxCommandDescription     = 100
	maxAutocompleteChoices    = 25
	maxThreadNameLength       = 100
	maxChatInputCommands      = 100
	maxContextMenuCommands    = 5
	maxCommandTotalCharacters = 4000
)

// commandNameRe is Discord's pattern for CHAT_INPUT command and option
// names; \p{Devanagari} and \p{Thai} stand for its \p{sc=Deva} and \p{sc=Thai}.
var commandNameRe = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// validCommandName reports whether name fits the pattern and is lowercase.
func validCommandName(name string) bool {
	return commandNameRe.MatchString(name) && strings.ToLower(name) == name
}

// formErrors collects errors in Discord's nested "Invalid Form Body" shape:
// {"content": {"_errors": [{"code": ..., "message": ...}]}}.
type formErrors struct {
	tree map[string]any
}

func (fe *formErrors) add(path []string, code, message string) {
	if fe.tree == nil {
		fe.tree = map[string]any{}
	}
	node := fe.tree
	for _, p := range path {
		child, _ := node[p].(map[string]any)
		if child == nil {
			child = map[string]any{}
			node[p] = child
		}
		node = child
	}
	errs, _ := node["_errors"].([]map[string]string)
	node["_errors"] = append(errs, map[string]string{"code": code, "message": message})
}

func (fe *formErrors) empty() bool { return len(fe.tree) == 0 }

func (fe *formErrors) response() response {
	return jsonResponse(400, map[string]any{"message": "Invalid Form Body", "code": 50035, "errors": fe.tree})
}

// at returns path with more appended, never sharing path's backing array.
func at(path []string, more ...string) []string {
	out := make([]string, 0, len(path)+len(more))
	return append(append(out, path...), more...)
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func maxLen(fe *formErrors, path []string, s string, limit int) {
	if runes(s) > limit {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
}

func badLen(fe *formErrors, path []string, s string, lo, hi int) {
	if n := runes(s); n < lo || n > hi {
		fe.add(path, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", lo, hi))
	}
}

// checkMessage validates content and embeds against Discord's limits.
func checkMessage(fe *formErrors, prefix []string, content string, embeds []*discordgo.MessageEmbed) {
	maxLen(fe, at(prefix, "content"), content, maxContentLength)
	if len(embeds) > maxEmbeds {
		fe.add(at(prefix, "embeds"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxEmbeds))
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			continue
		}
		p := at(prefix, "embeds", strconv.Itoa(i))
		maxLen(fe, at(p, "title"), e.Title, maxEmbedTitle)
		maxLen(fe, at(p, "description"), e.Description, maxEmbedDescription)
		total += runes(e.Title) + runes(e.Description)
		if len(e.Fields) > maxEmbedFields {
			fe.add(at(p, "fields"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxEmbedFields))
		}
		for j, fl := range e.Fields {
			if fl == nil {
				continue
			}
			fp := at(p, "fields", strconv.Itoa(j))
			if fl.Name == "" {
				fe.add(at(fp, "name"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			if fl.Value == "" {
				fe.add(at(fp, "value"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			maxLen(fe, at(fp, "name"), fl.Name, maxEmbedFieldName)
			maxLen(fe, at(fp, "value"), fl.Value, maxEmbedFieldValue)
			total += runes(fl.Name) + runes(fl.Value)
		}
		if e.Footer != nil {
			if e.Footer.Text == "" {
				fe.add(at(p, "footer", "text"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			maxLen(fe, at(p, "footer", "text"), e.Footer.Text, maxEmbedFooter)
			total += runes(e.Footer.Text)
		}
		if e.Author != nil {
			if e.Author.Name == "" {
				fe.add(at(p, "author", "name"), "BASE_TYPE_REQUIRED", "This field is required")
			}
			maxLen(fe, at(p, "author", "name"), e.Author.Name, maxEmbedAuthorName)
			total += runes(e.Author.Name)
		}
	}
	if total > maxEmbedTotal {
		fe.add(at(prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", maxEmbedTotal))
	}
}

// checkCommands validates a bulk overwrite the way Discord does.
func checkCommands(fe *formErrors, cmds []*discordgo.ApplicationCommand) {
	counts := map[discordgo.ApplicationCommandType]int{}
	seen := map[string]bool{}
	for i, c := range cmds {
		p := []string{strconv.Itoa(i)}
		if c == nil {
			fe.add(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
			continue
		}
		typ := c.Type
		if typ == 0 {
			typ = discordgo.ChatApplicationCommand
		}
		counts[typ]++
		key := strconv.Itoa(int(typ)) + "/" + c.Name
		if seen[key] {
			fe.add(at(p, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		switch typ {
		case discordgo.ChatApplicationCommand:
			if !validCommandName(c.Name) {
				fe.add(at(p, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
			}
			badLen(fe, at(p, "description"), c.Description, 1, maxCommandDescription)
			checkOptions(fe, at(p, "options"), c.Options, 0)
		case discordgo.UserApplicationCommand, discordgo.MessageApplicationCommand:
			badLen(fe, at(p, "name"), c.Name, 1, maxCommandNameLength)
			if c.Description != "" {
				fe.add(at(p, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have a description")
			}
			if len(c.Options) > 0 {
				fe.add(at(p, "options"), "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS", "Context menu commands cannot have options")
			}
		case 4: // PRIMARY_ENTRY_POINT
		default:
			fe.add(at(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
		}
		if c.NameLocalizations != nil {
			for loc, n := range *c.NameLocalizations {
				if typ == discordgo.ChatApplicationCommand && !validCommandName(n) {
					fe.add(at(p, "name_localizations", string(loc)), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
				}
			}
		}
		if c.DescriptionLocalizations != nil {
			for loc, d := range *c.DescriptionLocalizations {
				badLen(fe, at(p, "description_localizations", string(loc)), d, 1, maxCommandDescription)
			}
		}
		if commandSize(c) > maxCommandTotalCharacters {
			fe.add(p, "APPLICATION_COMMAND_TOO_LARGE", fmt.Sprintf("Command exceeds maximum size (%d)", maxCommandTotalCharacters))
		}
	}
	if counts[discordgo.ChatApplicationCommand] > maxChatInputCommands ||
		counts[discordgo.UserApplicationCommand] > maxContextMenuCommands ||
		counts[discordgo.MessageApplicationCommand] > maxContextMenuCommands {
		fe.add(nil, "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached")
	}
}

// checkOptions validates options at a nesting level: 0 directly under the
// command, 1 under a sub-command group, 2 under a sub-command.
func checkOptions(fe *formErrors, path []string, opts []*discordgo.ApplicationCommandOption, level int) {
	if len(opts) > maxCommandOptions {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxCommandOptions))
	}
	subs, others := 0, 0
	for _, o := range opts {
		if o != nil && (o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
			subs++
		} else {
			others++
		}
	}
	if subs > 0 && others > 0 {
		fe.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types")
	}
	names := map[string]bool{}
	optional := false
	for j, o := range opts {
		p := at(path, strconv.Itoa(j))
		if o == nil {
			fe.add(p, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
			continue
		}
		if o.Type < discordgo.ApplicationCommandOptionSubCommand || o.Type > discordgo.ApplicationCommandOptionAttachment {
			fe.add(at(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		if !validCommandName(o.Name) {
			fe.add(at(p, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		}
		if names[o.Name] {
			fe.add(at(p, "name"), "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME", "Command option names must be unique")
		}
		names[o.Name] = true
		badLen(fe, at(p, "description"), o.Description, 1, maxCommandDescription)
		for loc, n := range o.NameLocalizations {
			if !validCommandName(n) {
				fe.add(at(p, "name_localizations", string(loc)), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
			}
		}
		for loc, d := range o.DescriptionLocalizations {
			badLen(fe, at(p, "description_localizations", string(loc)), d, 1, maxCommandDescription)
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommandGroup:
			if level != 0 {
				fe.add(at(p, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-command groups can only be nested in a command")
			}
			for k, sub := range o.Options {
				if sub != nil && sub.Type != discordgo.ApplicationCommandOptionSubCommand {
					fe.add(at(p, "options", strconv.Itoa(k), "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-command groups can only contain sub-commands")
				}
			}
			checkOptions(fe, at(p, "options"), o.Options, 1)
		case discordgo.ApplicationCommandOptionSubCommand:
			if level == 2 {
				fe.add(at(p, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-commands cannot be nested in a sub-command")
			}
			checkOptions(fe, at(p, "options"), o.Options, 2)
		default:
			if len(o.Options) > 0 {
				fe.add(at(p, "options"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Only sub-commands and groups can have options")
			}
			if o.Required && optional {
				fe.add(at(p, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
			}
			if !o.Required {
				optional = true
			}
		}
		if len(o.Choices) > 0 {
			switch o.Type {
			case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionNumber:
			default:
				fe.add(at(p, "choices"), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Choices are only allowed for string, integer and number options")
			}
			if o.Autocomplete {
				fe.add(at(p, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES", "Autocomplete cannot be enabled on options with choices")
			}
		}
		checkChoices(fe, at(p, "choices"), o.Choices, maxCommandChoices)
		if o.MaxLength < 0 || o.MaxLength > 6000 || (o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > 6000)) {
			fe.add(at(p, "max_length"), "NUMBER_TYPE_MAX", "Length must be between 0 and 6000.")
		}
	}
}

// checkChoices validates option choices or autocomplete results.
func checkChoices(fe *formErrors, path []string, choices []*discordgo.ApplicationCommandOptionChoice, limit int) {
	if len(choices) > limit {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
	for k, ch := range choices {
		cp := at(path, strconv.Itoa(k))
		if ch == nil {
			fe.add(cp, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
			continue
		}
		badLen(fe, at(cp, "name"), ch.Name, 1, 100)
		switch v := ch.Value.(type) {
		case string:
			badLen(fe, at(cp, "value"), v, 1, 100)
		case nil:
			fe.add(at(cp, "value"), "BASE_TYPE_REQUIRED", "This field is required")
		}
	}
}

// commandSize is the number of characters Discord counts against the 4000 limit.
func commandSize(c *discordgo.ApplicationCommand) int {
	n := runes(c.Name) + runes(c.Description)
	var walk func([]*discordgo.ApplicationCommandOption)
	walk = func(opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			if o == nil {
				continue
			}
			n += runes(o.Name) + runes(o.Description)
			for _, ch := range o.Choices {
				if ch == nil {
					continue
				}
				n += runes(ch.Name)
				if s, ok := ch.Value.(string); ok {
					n += runes(s)
				}
			}
			walk(o.Options)
		}
	}
	walk(c.Options)
	return n
}
