package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
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
	// embedColor is the accent of Herald's other embeds.
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

// Colours of the states of an answer: a draft looks like a draft, the
// final answer like a final one; abstentions and errors are plain text.
const (
	colorDraft = 0xF59E0B // amber: still being written
	colorFinal = 0x22C55E // green: finished, with its sources
)

// Sizes of what an answer shows.
const (
	// maxAnswerPart is how much answer text one embed holds before its
	// markers are linked (a link adds about a hundred characters).
	maxAnswerPart = 3000
	// maxInlineQuote bounds a quote in the compact list of sources.
	maxInlineQuote = 300
	// maxInlineQuotes is how many quotes per article that list shows.
	maxInlineQuotes = 2
	// maxQuestionShown bounds the question shown above an answer.
	maxQuestionShown = 300
)

// questionLine is the quoted line that shows an answer's question and who
// asked, by name (a name never pings), or "" without an asker.
func questionLine(locale discordgo.Locale, asker, question string) string {
	question = strings.Join(strings.Fields(question), " ")
	if asker == "" || question == "" {
		return ""
	}
	return tr(locale, txtAsked, escapeMarkdown(cutContent(asker, 80)), escapeMarkdown(cutContent(question, maxQuestionShown)))
}

// renderDraft is an answer being written: its question, then an amber
// "Writing…" embed with the text so far.
func renderDraft(locale discordgo.Locale, qline, text string) Message {
	text = defuseLinks(strings.TrimSpace(text))
	if runeLen(text) > maxEmbedDescription {
		// The start of a long draft, cut at a word and without an ellipsis:
		// the title says it is unfinished.
		text = cutAtWord(text, maxEmbedDescription)
	}
	return Message{Content: qline, Embeds: []*discordgo.MessageEmbed{{
		Title: tr(locale, txtWriting), Description: text, Color: colorDraft,
	}}}
}

// cutAtWord returns the first at most max characters of s, ending at a
// space when there is one in the second half.
func cutAtWord(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	end := len(s)
	n := 0
	for i := range s {
		if n == max {
			end = i
			break
		}
		n++
	}
	cut := s[:end]
	if i := strings.LastIndexAny(cut, " \n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut)
}

// answerView is what the final form of an answer shows.
type answerView struct {
	locale discordgo.Locale
	qline  string // the question line, or ""
	ans    *knowledge.Answer
	notes  []string
	took   time.Duration
}

// renderFinal turns an answer into the messages that show it: the question
// line, the text in green embeds (its [n] markers linked to their
// articles), a footer with the number of articles, the mode, the time taken
// and any notes, then the sources in one compact embed, one entry per
// article; split over several messages only when Discord's limits require.
// There is always at least one message; the caller adds the buttons to the
// last one.
func renderFinal(v answerView) []Message {
	sources := knowledge.GroupSources(v.ans)
	links := markerLinks(sources)
	var embeds []*discordgo.MessageEmbed
	for _, part := range linkedParts(defuseLinks(strings.TrimSpace(v.ans.Text)), links, maxAnswerPart) {
		embeds = append(embeds, &discordgo.MessageEmbed{Description: part, Color: colorFinal})
	}
	if len(embeds) == 0 {
		embeds = append(embeds, &discordgo.MessageEmbed{Color: colorFinal})
	}
	embeds[len(embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: answerFooter(v, len(sources))}
	if e := sourcesEmbed(v.locale, sources, v.ans.Mode != knowledge.ModeExtractive); e != nil {
		embeds = append(embeds, e)
	}
	return layout(Message{Content: v.qline, Embeds: embeds})
}

// linkedParts splits text into parts of at most limit characters whose
// markers, once linked, fit one embed; a part too full of markers is split
// again, and one that still does not fit keeps its markers plain.
func linkedParts(text string, links map[int]string, limit int) []string {
	var out []string
	for _, part := range splitText(text, limit) {
		linked := linkMarkers(part, links)
		switch {
		case runeLen(linked) <= maxEmbedDescription:
			out = append(out, linked)
		case limit > 500:
			out = append(out, linkedParts(part, links, limit/2)...)
		default:
			out = append(out, part)
		}
	}
	return out
}

// answerFooter is "2 articles · written by the language model · 3.4 s",
// then the notes, one a line.
func answerFooter(v answerView, articles int) string {
	parts := []string{trCount(v.locale, txtArticle, txtArticles, articles)}
	switch v.ans.Mode {
	case knowledge.ModeLLM:
		parts = append(parts, tr(v.locale, txtModeLLM))
	case knowledge.ModeExtractive:
		parts = append(parts, tr(v.locale, txtModeExtractive))
	}
	if v.took > 0 {
		parts = append(parts, formatTook(v.locale, v.took))
	}
	lines := []string{strings.Join(parts, " · ")}
	for _, n := range append([]string{v.ans.Note}, v.notes...) {
		if n = strings.Join(strings.Fields(n), " "); n != "" {
			lines = append(lines, n)
		}
	}
	return strings.Join(lines, "\n")
}

// formatTook shows a duration for people: "0.4 s", "12 s", "2 min 5 s".
func formatTook(locale discordgo.Locale, d time.Duration) string {
	switch {
	case d < 10*time.Second:
		// Tenths, rounded up: "0.1 s" for anything quicker.
		tenths := (d + 100*time.Millisecond - 1) / (100 * time.Millisecond)
		secs := strconv.FormatFloat(float64(tenths)/10, 'f', 1, 64)
		if isGerman(locale) {
			secs = strings.Replace(secs, ".", ",", 1) // "0,4 s"
		}
		return tr(locale, txtSeconds, secs)
	case d < time.Minute:
		return tr(locale, txtSeconds, strconv.Itoa(int(d.Round(time.Second).Seconds())))
	}
	d = d.Round(time.Second)
	return tr(locale, txtMinutes, int(d/time.Minute), int(d%time.Minute/time.Second))
}

// markerLinks maps each marker to its article's address.
func markerLinks(sources []knowledge.AnswerSource) map[int]string {
	links := map[int]string{}
	for _, s := range sources {
		if u := safeLinkURL(s.URL); u != "" {
			for _, n := range s.Markers {
				links[n] = u
			}
		}
	}
	return links
}

var markerRe = regexp.MustCompile(`\\?\[(\d{1,3})\]`)

// linkMarkers turns the markers [n] of text into masked links to their
// articles ("[[1]](https://…)"), which Discord renders in embeds; a marker
// without an address, and an escaped one, stay as they are.
func linkMarkers(text string, links map[int]string) string {
	if len(links) == 0 {
		return text
	}
	return markerRe.ReplaceAllStringFunc(text, func(m string) string {
		if strings.HasPrefix(m, `\`) {
			return m
		}
		n, err := strconv.Atoi(m[1 : len(m)-1])
		if err != nil || links[n] == "" {
			return m
		}
		return "[" + m + "](" + links[n] + ")"
	})
}

// markerLabel is "[1]" or "[1] [3]": the markers that stand for a source.
func markerLabel(markers []int) string {
	if len(markers) == 0 {
		return "•"
	}
	parts := make([]string, len(markers))
	for i, n := range markers {
		parts[i] = "[" + strconv.Itoa(n) + "]"
	}
	return strings.Join(parts, " ")
}

// relativeDate is a Discord timestamp that each reader sees as "3 days
// ago" in their own language, or "undated".
func relativeDate(locale discordgo.Locale, t time.Time) string {
	if t.IsZero() {
		return tr(locale, txtUndated)
	}
	return fmt.Sprintf("<t:%d:R>", t.Unix())
}

// sourceHeading is "**[1]** [Headline](url) · Outlet · 3 days ago".
func sourceHeading(locale discordgo.Locale, s knowledge.AnswerSource) string {
	title := strings.Join(strings.Fields(s.Title), " ")
	if title == "" {
		title = tr(locale, txtSources)
	}
	line := "**" + markerLabel(s.Markers) + "** " + markdownLink(cutContent(title, 150), s.URL)
	if o := strings.Join(strings.Fields(s.Source), " "); o != "" {
		line += " · " + escapeMarkdown(cutContent(o, 60))
	}
	return line + " · " + relativeDate(locale, s.PublishedAt)
}

// quoteLine shows a verified quote as a block quote.
func quoteLine(q string, max int) string {
	return "> “" + escapeMarkdown(cutContent(q, max)) + "”"
}

// sourcesEmbed lists an answer's sources compactly, one entry per article
// with its verified quotes (withQuotes: an extractive answer's text is its
// quotes already, so they are not shown twice). It is nil without sources.
func sourcesEmbed(locale discordgo.Locale, sources []knowledge.AnswerSource, withQuotes bool) *discordgo.MessageEmbed {
	if len(sources) == 0 {
		return nil
	}
	render := func(quoteRunes, quotes int) string {
		var b strings.Builder
		for i, s := range sources {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(sourceHeading(locale, s))
			shown := 0
			for _, q := range s.Quotes {
				if !withQuotes || shown == quotes || quoteRunes == 0 {
					break
				}
				if !q.Verified {
					continue
				}
				b.WriteString("\n" + quoteLine(q.Text, quoteRunes))
				shown++
			}
		}
		return b.String()
	}
	desc := render(maxInlineQuote, maxInlineQuotes)
	for _, try := range [][2]int{{maxInlineQuote, 1}, {150, 1}, {0, 0}} {
		if runeLen(desc) <= maxEmbedDescription-200 {
			break
		}
		desc = render(try[0], try[1])
	}
	return &discordgo.MessageEmbed{Title: tr(locale, txtSources), Description: cutContent(desc, maxEmbedDescription-200), Color: colorFinal}
}

// renderSourceDetails shows the full quotes of an answer's sources, one
// embed per article (what the Sources button shows, privately).
func renderSourceDetails(locale discordgo.Locale, question string, sources []knowledge.AnswerSource) Message {
	if len(sources) == 0 {
		return Message{Content: tr(locale, txtNoSources), Ephemeral: true}
	}
	m := Message{Ephemeral: true}
	if q := strings.Join(strings.Fields(question), " "); q != "" {
		m.Content = "**" + tr(locale, txtSourcesOf, escapeMarkdown(cutContent(q, maxQuestionShown))) + "**"
	}
	for _, s := range sources {
		m.Embeds = append(m.Embeds, articleEmbed(locale, s, maxEmbedDescription))
	}
	return m
}

// articleEmbed shows one source: "[1] Headline" linked to the article, its
// quotes (a verified one as a block quote, an unverified one as plain
// text, labelled), and the outlet and date in the footer.
func articleEmbed(locale discordgo.Locale, s knowledge.AnswerSource, quoteRunes int) *discordgo.MessageEmbed {
	title := strings.Join(strings.Fields(s.Title), " ")
	if title == "" {
		title = tr(locale, txtSources)
	}
	e := &discordgo.MessageEmbed{
		Title: cutContent(markerLabel(s.Markers)+" "+escapeMarkdown(title), maxEmbedTitle),
		URL:   linkURL(s.URL),
		Color: colorFinal,
	}
	var quotes []string
	for _, q := range s.Quotes {
		if q.Verified {
			quotes = append(quotes, quoteLine(q.Text, quoteRunes))
		} else {
			quotes = append(quotes, tr(locale, txtNotVerbatim, escapeMarkdown(cutContent(q.Text, quoteRunes))))
		}
	}
	e.Description = cutContent(strings.Join(quotes, "\n\n"), maxEmbedDescription)
	var meta []string
	if o := strings.Join(strings.Fields(s.Source), " "); o != "" {
		meta = append(meta, cutContent(o, 100))
	}
	if !s.PublishedAt.IsZero() {
		meta = append(meta, s.PublishedAt.UTC().Format("2006-01-02"))
	} else {
		meta = append(meta, tr(locale, txtUndated))
	}
	e.Footer = &discordgo.MessageEmbedFooter{Text: strings.Join(meta, " · ")}
	return e
}

// renderAnswer turns a summary-like answer into messages: its text with
// its [n] markers (linked to their articles) and notes, split under 2,000
// characters, then its sources, one embed per article, packed within the
// embed limits, labelled in the language of locale. An abstention shows no
// sources. There is always at least one message.
func renderAnswer(locale discordgo.Locale, ans *knowledge.Answer, notes ...string) []Message {
	sources := knowledge.GroupSources(ans)
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
	body = linkMarkers(body, markerLinks(sources))
	var embeds []*discordgo.MessageEmbed
	if !ans.Abstained {
		for _, s := range sources {
			embeds = append(embeds, articleEmbed(locale, s, maxQuoteRunes))
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
	msgs[len(msgs)-1].Components = m.Components
	return msgs
}

// safeLinkURL is u made safe inside a markdown link's parentheses, or ""
// when u is not an http(s) address.
func safeLinkURL(u string) string {
	if u = linkURL(u); u == "" {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u)
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
	if u = safeLinkURL(u); u == "" {
		return label
	}
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
