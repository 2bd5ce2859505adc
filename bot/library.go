package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// searchResults is how many articles /search shows.
const searchResults = 10

// handleSearch lists the articles matching a query, privately: it is a
// lookup for the one who asks, not an answer for the channel.
func (b *Bot) handleSearch(ctx context.Context, r *Request) error {
	t := textsFor(r.Interaction.Locale)
	if b.Library == nil {
		return knowledge.Errorf(knowledge.EUNAVAILABLE, "%s", t.searchUnavailable)
	}
	query := r.String("query")
	if query == "" {
		return knowledge.Errorf(knowledge.EINVALID, "%s", t.searchNoQuery)
	}
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	f, err := b.filter(r.Interaction.Locale, r.GuildID, "", r.String("source"))
	if err != nil {
		return err
	}
	f.Limit = searchResults
	hits, err := b.Library.Search(ctx, query, f)
	if err != nil {
		return err
	}
	return r.Reply(ctx, searchMessage(t, query, hits))
}

// searchMessage renders search hits, one line per article: the linked
// headline, the outlet and date, and the start of the best passage.
func searchMessage(t *serverTexts, query string, hits []knowledge.Hit) Message {
	shown := cutContent(strings.Join(strings.Fields(query), " "), 80)
	var lines []string
	seen := map[int64]bool{}
	for _, h := range hits {
		a := h.Article
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		title := strings.Join(strings.Fields(a.Title), " ")
		if title == "" {
			title = t.untitled
		}
		line := strconv.Itoa(len(lines)+1) + ". **" + markdownLink(cutContent(title, 200), a.URL) + "**"
		if meta := articleMeta(t, a); meta != "" {
			line += " — " + escapeMarkdown(meta)
		}
		if snip := strings.Join(strings.Fields(h.Passage.Text), " "); snip != "" {
			line += "\n" + escapeMarkdown(cutContent(snip, 160))
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return Message{Content: fmt.Sprintf(t.searchNone, escapeMarkdown(shown)), Ephemeral: true}
	}
	var desc strings.Builder
	for _, l := range lines {
		if runeLen(desc.String())+runeLen(l)+2 > maxEmbedDescription {
			break
		}
		if desc.Len() > 0 {
			desc.WriteString("\n\n")
		}
		desc.WriteString(l)
	}
	return Message{
		Embeds: []*discordgo.MessageEmbed{{
			Title:       cutContent(fmt.Sprintf(t.searchTitle, escapeMarkdown(shown)), maxEmbedTitle),
			Description: desc.String(),
			Color:       embedColor,
		}},
		Ephemeral: true,
	}
}

// articleMeta is "Outlet, 2024-03-05" ("undated" without a date), without
// an outlet when there is none.
func articleMeta(t *serverTexts, a knowledge.Article) string {
	var meta []string
	if s := strings.TrimSpace(a.Source); s != "" {
		meta = append(meta, s)
	}
	if !a.PublishedAt.IsZero() {
		meta = append(meta, a.PublishedAt.UTC().Format("2006-01-02"))
	} else {
		meta = append(meta, t.undated)
	}
	return strings.Join(meta, ", ")
}

// handleSources says what the knowledge base holds for this server, privately.
func (b *Bot) handleSources(ctx context.Context, r *Request) error {
	if b.Library == nil {
		return knowledge.Errorf(knowledge.EUNAVAILABLE, "%s", textsFor(r.Interaction.Locale).libraryUnavailable)
	}
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	c, err := b.Library.Counts(ctx, r.GuildID)
	if err != nil {
		return err
	}
	return r.Reply(ctx, b.sourcesMessage(textsFor(r.Interaction.Locale), c))
}

// sourcesMessage renders what the knowledge base holds: how many
// articles, the newest, the feeds followed (when any) and the outlets.
func (b *Bot) sourcesMessage(t *serverTexts, c knowledge.Counts) Message {
	if c.Articles == 0 {
		return Message{Content: fmt.Sprintf(t.sourcesEmpty, b.commandMention("feed add")), Ephemeral: true}
	}
	e := &discordgo.MessageEmbed{Title: t.sourcesTitle, Color: embedColor}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: t.sourcesArticles, Value: strconv.Itoa(c.Articles), Inline: true})
	if !c.Newest.IsZero() {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: t.sourcesNewest, Value: c.Newest.UTC().Format("2006-01-02"), Inline: true})
	}
	if c.Feeds > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: t.sourcesFeeds, Value: strconv.Itoa(c.Feeds), Inline: true})
	}
	if len(c.Sources) > 0 {
		var names []string
		for _, s := range c.Sources {
			names = append(names, escapeMarkdown(s))
		}
		list := cutContent(strings.Join(names, ", "), maxFieldValue)
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: fmt.Sprintf(t.sourcesOutlets, len(c.Sources)), Value: list})
	}
	return Message{Embeds: []*discordgo.MessageEmbed{e}, Ephemeral: true}
}
