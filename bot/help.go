package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// serverCommands are the built-in commands of the server side of the bot
// (help, welcome), registered with the others.
func (b *Bot) serverCommands() []Command {
	return []Command{{
		Name:        "help",
		Description: "What Herald can do, and how to ask it.",
		Handle:      b.handleHelp,
	}}
}

// handleHelp lists, privately, the commands the member can use; members
// with Manage Server also see the admin commands.
func (b *Bot) handleHelp(ctx context.Context, r *Request) error {
	return r.Reply(ctx, b.helpMessage(textsFor(r.Interaction.Locale), r.GuildID != "", isAdmin(r.Interaction)))
}

// helpMessage is the /help text, generated from the command table so that
// it always lists what is registered: each command (or sub-command) as a
// clickable mention with its description.
func (b *Bot) helpMessage(t *serverTexts, inServer, admin bool) Message {
	var members, admins []string
	for _, c := range b.order {
		lines := commandLines(b, c, t.locale)
		if c.Permission != 0 {
			admins = append(admins, lines...)
		} else {
			members = append(members, lines...)
		}
	}
	var desc strings.Builder
	desc.WriteString(t.helpIntro + "\n" + fmt.Sprintf(t.helpFollowUp, "<@"+b.botUserID()+">"))
	desc.WriteString("\n\n**" + t.helpMembers + "**\n" + strings.Join(members, "\n"))
	switch {
	case len(admins) == 0 || !inServer:
	case admin:
		desc.WriteString("\n\n**" + t.helpAdmins + "**\n" + strings.Join(admins, "\n"))
	default:
		desc.WriteString("\n\n" + t.helpAdminsExist)
	}
	return Message{Ephemeral: true, Embeds: []*discordgo.MessageEmbed{{
		Title: t.helpTitle, Description: cutContent(desc.String(), maxEmbedDescription), Color: embedColor,
	}}}
}

// commandLines describes a command in the language of locale, one line
// per sub-command.
func commandLines(b *Bot, c *Command, locale discordgo.Locale) []string {
	var subs []string
	for _, o := range c.Options {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			path := c.Name + " " + o.Name
			subs = append(subs, b.commandMention(path)+" — "+describe(locale, path, o.Description))
		}
	}
	if len(subs) > 0 {
		return subs
	}
	return []string{b.commandMention(c.Name) + " — " + describe(locale, c.Name, c.Description)}
}
