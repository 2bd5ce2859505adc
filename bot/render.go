package bot

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// Discord's limits on what one message may hold, counted in characters.
const (
	maxContent          = 2000
	maxEmbeds           = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxAuthorName       = 256
	maxEmbedTotal       = 6000
	maxURL              = 2048
)

// Rendering choices.
const (
	// maxQuoteRunes bounds the quote shown for one source.
	maxQuoteRunes = 700
	// embedColor is the accent of Herald's embeds.
	embedColor = 0x3B82F6
)

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// cutContent shortens s to at most max characters at a word boundary,
// ending with "…"; text that fits is returned unchanged.
func cutContent(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	return text.Snippet(s, max)
}

// renderAnswer turns an answer into the messages that show it: the text
// with its [n] markers and notes, split under 2,000 characters, then its
// sources as embeds, packed within the embed limits. An abstention shows
// no sources. There is always at least one message.
func renderAnswer(ans *knowledge.Answer, notes ...string) []Message {
	body := defuseLinks(strings.TrimSpace(ans.Text))
	var lines []string
	for _, n := range append([]string{ans.Note}, notes...) {
		if n = strings.TrimSpace(n); n != "" {
			lines = append(lines, "*"+escapeMarkdown(n)+"*")
		}
	}
	if len(lines) > 0 {
		if body != "" {
			body += "\n\n"
		}
		body += strings.Join(lines, "\n")
	}
	var embeds []*discordgo.MessageEmbed
	if !ans.Abstained {
		for _, c := range ans.Citations {
			embeds = append(embeds, citationEmbed(c))
		}
	}
	return layout(Message{Content: body, Embeds: embeds})
}

// layout spreads a message too large for Discord over several: the text
// split under 2,000 characters at paragraph or sentence boundaries, then
// the embeds with the last part, packed within the embed limits, in more
// messages if need be. There is always at least one message.
func layout(m Message) []Message {
	parts := splitText(m.Content, maxContent)
	if len(parts) == 0 {
		parts = []string{""}
	}
	msgs := make([]Message, len(parts))
	for i, p := range parts {
		msgs[i] = Message{Content: p, Ephemeral: m.Ephemeral}
	}
	groups := packEmbeds(m.Embeds)
	if len(groups) > 0 {
		msgs[len(msgs)-1].Embeds = groups[0]
		for _, g := range groups[1:] {
			msgs = append(msgs, Message{Embeds: g, Ephemeral: m.Ephemeral})
		}
	}
	return msgs
}

// previewText is the text of an answer still being written.
func previewText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "…"
	}
	return defuseLinks(cutContent(s, maxContent-2)) + " …"
}

// citationEmbed shows one source: "[n] Headline" linked to the article,
// the verified quote as a block quote (an unverified one as plain text,
// labelled), and the outlet and date in the footer.
func citationEmbed(c knowledge.Citation) *discordgo.MessageEmbed {
	title := strings.Join(strings.Fields(c.Title), " ")
	if title == "" {
		title = "Source"
	}
	e := &discordgo.MessageEmbed{
		Title: cutContent(fmt.Sprintf("[%d] %s", c.N, escapeMarkdown(title)), maxEmbedTitle),
		URL:   linkURL(c.URL),
		Color: embedColor,
	}
	if quote := strings.Join(strings.Fields(c.Quote), " "); quote != "" {
		quote = cutContent(escapeMarkdown(quote), maxQuoteRunes)
		if c.Verified {
			e.Description = "> “" + quote + "”"
		} else {
			e.Description = "Not found word for word in the article, so not shown as a quote: " + quote
		}
	}
	var meta []string
	if s := strings.Join(strings.Fields(c.Source), " "); s != "" {
		meta = append(meta, cutContent(s, 100))
	}
	if !c.PublishedAt.IsZero() {
		meta = append(meta, c.PublishedAt.UTC().Format("2006-01-02"))
	}
	if len(meta) > 0 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: strings.Join(meta, " · ")}
	}
	return e
}

// linkURL returns u when it is an absolute http(s) URL Discord accepts in
// an embed, "" otherwise.
func linkURL(u string) string {
	if u == "" || len(u) > maxURL {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// markdownLink returns "[label](url)" with the label escaped and the URL
// made safe inside the parentheses, or just the label when url is unusable.
func markdownLink(label, u string) string {
	label = escapeMarkdown(label)
	if u = linkURL(u); u == "" {
		return label
	}
	u = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u)
	return "[" + label + "](" + u + ")"
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "~", `\~`, "`", "\\`", `|`, `\|`, `>`, `\>`, `<`, `\<`,
	`[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`, `#`, `\#`, `-`, `\-`,
)

// escapeMarkdown makes untrusted text (headlines, quotes, queries) show as
// written: no formatting, no masked links, no mention or emoji syntax.
// Discord shows an escaped punctuation character without its backslash.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// defuseLinks keeps the formatting of answer text but breaks masked links
// ("[label](url)"), which could disguise where a link goes.
func defuseLinks(s string) string { return strings.ReplaceAll(s, "](", `]\(`) }

// splitText splits s into parts of at most limit characters, cutting at a
// paragraph break, else a line break, else a sentence end, else a space,
// and only as a last resort inside a word.
func splitText(s string, limit int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for runeLen(s) > limit {
		cut := cutPoint(s, limit)
		if part := strings.TrimSpace(s[:cut]); part != "" {
			out = append(out, part)
		}
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// cutPoint returns the byte offset at which to cut s so that s[:cut] has at
// most limit characters, preferring the latest good boundary in the second
// half of that window.
func cutPoint(s string, limit int) int {
	end := len(s)
	n := 0
	for i := range s {
		if n == limit {
			end = i
			break
		}
		n++
	}
	window := s[:end]
	min := len(window) / 2
	if i := strings.LastIndex(window, "\n\n"); i >= min {
		return i
	}
	if i := strings.LastIndex(window, "\n"); i >= min {
		return i
	}
	// The last span may be a sentence the window cuts short; the ends of
	// the others are real sentence ends.
	if spans := text.Sentences(window); len(spans) > 1 && spans[len(spans)-2].End >= min {
		return spans[len(spans)-2].End
	}
	if i := strings.LastIndexAny(window, " \t"); i > 0 {
		return i
	}
	return end
}

// embedSize is what Discord counts against the 6,000-character total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description)
	for _, f := range e.Fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	if e.Footer != nil {
		n += runeLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	return n
}

// fitEmbed returns a copy of e within every per-embed limit and within
// budget characters in total, or nil when nothing useful fits.
func fitEmbed(e *discordgo.MessageEmbed, budget int) *discordgo.MessageEmbed {
	if e == nil || budget < 1 {
		return nil
	}
	c := *e
	c.Title = cutContent(c.Title, maxEmbedTitle)
	c.Description = cutContent(c.Description, maxEmbedDescription)
	c.URL = linkURL(c.URL)
	var fields []*discordgo.MessageEmbedField
	for _, f := range e.Fields {
		if f == nil || len(fields) == maxEmbedFields {
			continue
		}
		nf := *f
		nf.Name = cutContent(strings.TrimSpace(nf.Name), maxFieldName)
		nf.Value = cutContent(strings.TrimSpace(nf.Value), maxFieldValue)
		if nf.Name == "" {
			nf.Name = "\u200b"
		}
		if nf.Value == "" {
			nf.Value = "\u200b"
		}
		fields = append(fields, &nf)
	}
	c.Fields = fields
	if e.Footer != nil {
		ft := *e.Footer
		ft.Text = cutContent(ft.Text, maxFooter)
		c.Footer = &ft
		if ft.Text == "" {
			c.Footer = nil
		}
	}
	if e.Author != nil {
		au := *e.Author
		au.Name = cutContent(au.Name, maxAuthorName)
		c.Author = &au
		if au.Name == "" {
			c.Author = nil
		}
	}
	// Over budget: shorten the description, then the last fields, then the
	// footer and the title.
	shrink := func(p *string) {
		over := embedSize(&c) - budget
		if over <= 0 {
			return
		}
		*p = cutContent(*p, runeLen(*p)-over)
	}
	shrink(&c.Description)
	for len(c.Fields) > 0 && embedSize(&c) > budget {
		last := c.Fields[len(c.Fields)-1]
		if runeLen(last.Value) > 40 {
			shrink(&last.Value)
			if embedSize(&c) <= budget {
				break
			}
		}
		c.Fields = c.Fields[:len(c.Fields)-1]
	}
	if c.Footer != nil {
		shrink(&c.Footer.Text)
		if c.Footer.Text == "" {
			c.Footer = nil
		}
	}
	if c.Author != nil {
		shrink(&c.Author.Name)
		if c.Author.Name == "" {
			c.Author = nil
		}
	}
	shrink(&c.Title)
	if embedSize(&c) > budget || (c.Title == "" && c.Description == "" && len(c.Fields) == 0 && c.Footer == nil && c.Author == nil) {
		return nil
	}
	return &c
}

// fitEmbeds returns copies of the first embeds that fit one message: at
// most 10, each within its limits, all within 6,000 characters.
func fitEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	out := []*discordgo.MessageEmbed{}
	used := 0
	for _, e := range embeds {
		if len(out) == maxEmbeds {
			break
		}
		f := fitEmbed(e, maxEmbedTotal-used)
		if f == nil {
			continue
		}
		used += embedSize(f)
		out = append(out, f)
	}
	return out
}

// packEmbeds groups embeds into as few messages as the limits allow, in
// order: at most 10 per message and 6,000 characters in total.
func packEmbeds(embeds []*discordgo.MessageEmbed) [][]*discordgo.MessageEmbed {
	var groups [][]*discordgo.MessageEmbed
	var cur []*discordgo.MessageEmbed
	used := 0
	for _, e := range embeds {
		f := fitEmbed(e, maxEmbedTotal)
		if f == nil {
			continue
		}
		size := embedSize(f)
		if len(cur) == maxEmbeds || used+size > maxEmbedTotal {
			groups = append(groups, cur)
			cur, used = nil, 0
		}
		cur = append(cur, f)
		used += size
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}
