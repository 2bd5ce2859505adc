package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// checkEmbedLimits fails the test when embeds break any of Discord's limits.
func checkEmbedLimits(t *testing.T, embeds []*discordgo.MessageEmbed) {
	t.Helper()
	if len(embeds) > maxEmbeds {
		t.Errorf("%d embeds in one message", len(embeds))
	}
	total := 0
	for i, e := range embeds {
		if n := runeLen(e.Title); n > maxEmbedTitle {
			t.Errorf("embed %d: title of %d", i, n)
		}
		if n := runeLen(e.Description); n > maxEmbedDescription {
			t.Errorf("embed %d: description of %d", i, n)
		}
		if len(e.Fields) > maxEmbedFields {
			t.Errorf("embed %d: %d fields", i, len(e.Fields))
		}
		for _, f := range e.Fields {
			if runeLen(f.Name) > maxFieldName || runeLen(f.Value) > maxFieldValue || f.Name == "" || f.Value == "" {
				t.Errorf("embed %d: field %q=%q breaks the limits", i, cutContent(f.Name, 20), cutContent(f.Value, 20))
			}
		}
		if e.Footer != nil && runeLen(e.Footer.Text) > maxFooter {
			t.Errorf("embed %d: footer of %d", i, runeLen(e.Footer.Text))
		}
		total += embedSize(e)
	}
	if total > maxEmbedTotal {
		t.Errorf("embeds total %d characters", total)
	}
}

func TestSplitTextPrefersParagraphsThenSentences(t *testing.T) {
	t.Parallel()
	para := strings.TrimSpace(strings.Repeat("The minister spoke at length about the leak. ", 20)) // ~900 characters
	long := para + "\n\n" + para + "\n\n" + para + "\n\n" + para + "\n\n" + para
	parts := splitText(long, maxContent)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if runeLen(p) > maxContent {
			t.Errorf("part %d has %d characters", i, runeLen(p))
		}
		if !strings.HasSuffix(p, "leak.") {
			t.Errorf("part %d does not end at a paragraph: …%q", i, p[len(p)-20:])
		}
	}
	if strings.Join(parts, "\n\n") != long {
		t.Error("the parts do not add up to the text")
	}

	// One paragraph of sentences: cut at a sentence end.
	sentences := strings.TrimSpace(strings.Repeat("Pistorius said the recording was an individual error [1]. ", 60))
	parts = splitText(sentences, maxContent)
	for i, p := range parts {
		if runeLen(p) > maxContent || !strings.HasSuffix(p, "[1].") {
			t.Errorf("part %d (%d characters) ends with %q", i, runeLen(p), p[max(0, len(p)-12):])
		}
	}
	if strings.Join(parts, " ") != sentences {
		t.Error("the sentence parts do not add up to the text")
	}

	// No boundary at all: cut inside the word, but never over the limit.
	word := strings.Repeat("é", 4500)
	parts = splitText(word, maxContent)
	if len(parts) != 3 || runeLen(parts[0]) != maxContent || strings.Join(parts, "") != word {
		t.Errorf("unbroken text split into %d parts", len(parts))
	}
	if got := splitText("  short  ", maxContent); len(got) != 1 || got[0] != "short" {
		t.Errorf("short text = %q", got)
	}
	if got := splitText("   ", maxContent); len(got) != 0 {
		t.Errorf("blank text = %q", got)
	}
}

func TestRenderAnswerKeepsEveryEmbedLimit(t *testing.T) {
	t.Parallel()
	ans := &knowledge.Answer{Text: strings.Repeat("Long answer sentence [1]. ", 300), Mode: knowledge.ModeLLM, Note: "The model was slow."}
	for n := 1; n <= 30; n++ {
		ans.Citations = append(ans.Citations, knowledge.Citation{
			N: n, Title: strings.Repeat("Headline *bold* [x](http://evil) ", 20), Source: strings.Repeat("Outlet ", 400),
			URL: fmt.Sprintf("https://example.com/news/%d", n), PublishedAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
			Quote: strings.Repeat("quoted words ", 600), Verified: n%2 == 0,
		})
	}
	msgs := renderAnswer("", ans, "An extra note.")
	embeds := 0
	for i, m := range msgs {
		if runeLen(m.Content) > maxContent {
			t.Errorf("message %d has %d characters", i, runeLen(m.Content))
		}
		checkEmbedLimits(t, m.Embeds)
		embeds += len(m.Embeds)
	}
	if embeds != 30 {
		t.Errorf("%d embeds for 30 sources", embeds)
	}
	last := -1
	for i, m := range msgs {
		if m.Content != "" {
			last = i
		}
	}
	if !strings.Contains(msgs[last].Content, "*The model was slow.*") || !strings.Contains(msgs[last].Content, "*An extra note.*") {
		t.Errorf("notes missing from the last text part: %q", msgs[last].Content[max(0, len(msgs[last].Content)-80):])
	}
	e := msgs[last].Embeds[0]
	if !strings.HasPrefix(e.Title, `[1] Headline \*bold\* \[x\]\(http://evil\)`) || e.URL != "https://example.com/news/1" {
		t.Errorf("first source embed: title %q url %q", e.Title, e.URL)
	}
	if strings.HasPrefix(e.Description, ">") || !strings.HasPrefix(e.Description, "Not found word for word") {
		t.Errorf("an unverified quote is shown as a quote: %q", cutContent(e.Description, 60))
	}
	if d := msgs[last].Embeds[1].Description; !strings.HasPrefix(d, "> “quoted words") {
		t.Errorf("a verified quote is not a quote: %q", cutContent(d, 60))
	}
}

func TestRenderAbstentionHasNoSources(t *testing.T) {
	t.Parallel()
	msgs := renderAnswer("", &knowledge.Answer{Text: "The articles do not say.", Abstained: true,
		Citations: []knowledge.Citation{{N: 1, Title: "x"}}})
	if len(msgs) != 1 || msgs[0].Content != "The articles do not say." || len(msgs[0].Embeds) != 0 {
		t.Errorf("abstention = %+v", msgs)
	}
}

func TestFitEmbedsShrinksOversizedEmbeds(t *testing.T) {
	t.Parallel()
	var fields []*discordgo.MessageEmbedField
	for i := 0; i < 40; i++ {
		fields = append(fields, &discordgo.MessageEmbedField{Name: strings.Repeat("n", 300), Value: strings.Repeat("v", 2000)})
	}
	huge := &discordgo.MessageEmbed{
		Title: strings.Repeat("t", 500), Description: strings.Repeat("d", 5000), Fields: fields,
		Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 3000)}, URL: "javascript:alert(1)",
	}
	var many []*discordgo.MessageEmbed
	for i := 0; i < 15; i++ {
		many = append(many, huge)
	}
	got := fitEmbeds(many)
	if len(got) == 0 {
		t.Fatal("nothing fitted")
	}
	checkEmbedLimits(t, got)
	if got[0].URL != "" {
		t.Errorf("kept a bad URL %q", got[0].URL)
	}
	if len(huge.Fields) != 40 || runeLen(huge.Title) != 500 {
		t.Error("fitEmbeds changed its input")
	}
	for _, g := range packEmbeds(many) {
		checkEmbedLimits(t, g)
	}
}

func TestEscapeMarkdownAndLinks(t *testing.T) {
	t.Parallel()
	if got := escapeMarkdown("**x** <@123> [a](b) # h"); got != `\*\*x\*\* \<@123\> \[a\]\(b\) \# h` {
		t.Errorf("escapeMarkdown = %q", got)
	}
	if got := defuseLinks("see [here](https://evil.example) [1]"); got != `see [here]\(https://evil.example) [1]` {
		t.Errorf("defuseLinks = %q", got)
	}
	if got := markdownLink("A (b)", "https://x.test/a(b) c"); got != `[A \(b\)](https://x.test/a%28b%29%20c)` {
		t.Errorf("markdownLink = %q", got)
	}
	if got := markdownLink("A", "ftp://x.test/"); got != "A" {
		t.Errorf("markdownLink with a bad URL = %q", got)
	}
	if got := threadName("<@1196242344345731073> what about <@&55> and <#77> Taurus?"); got != "what about and Taurus?" {
		t.Errorf("threadName = %q", got)
	}
	if got := stripMention("<@42> hello <@!42>  world", "42"); got != "hello world" {
		t.Errorf("stripMention = %q", got)
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"7d":         now.AddDate(0, 0, -7),
		"2w":         now.AddDate(0, 0, -14),
		"48h":        now.Add(-48 * time.Hour),
		"2024-03-01": time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince("", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseSince("", "last tuesday", now); knowledge.ErrorCode(err) != knowledge.EINVALID {
		t.Errorf("bad since: %v", err)
	}
}

func TestTTLSet(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newTTLSet(time.Minute, 4)
	if !s.add("a", now) || s.add("a", now.Add(30*time.Second)) {
		t.Error("duplicate within the TTL accepted")
	}
	if !s.add("a", now.Add(2*time.Minute)) {
		t.Error("expired key refused")
	}
	for i := 0; i < 10; i++ {
		s.add(fmt.Sprint(i), now.Add(time.Duration(i)*time.Second))
	}
	if len(s.m) > 4 {
		t.Errorf("set grew to %d", len(s.m))
	}
}

func TestRenderFinalKeepsEveryLimit(t *testing.T) {
	t.Parallel()
	ans := &knowledge.Answer{Text: strings.Repeat("Long answer sentence [1] and [2]. ", 400), Mode: knowledge.ModeLLM, Note: "The model was slow."}
	for n := 1; n <= 30; n++ {
		ans.Citations = append(ans.Citations, knowledge.Citation{
			N: n, ArticleID: int64(n%12 + 1), Title: strings.Repeat("Headline *bold* [x](http://evil) ", 20), Source: strings.Repeat("Outlet ", 400),
			URL: fmt.Sprintf("https://example.com/news/%d", n%12+1), PublishedAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
			Quote: fmt.Sprintf("quote %d ", n) + strings.Repeat("quoted words ", 600), Verified: n%2 == 0,
		})
	}
	msgs := renderFinal(answerView{qline: questionLine("", "<@1> Alice", "why **this**?"), ans: ans, notes: []string{"An extra note."}, took: 75 * time.Second})
	if len(msgs) < 2 {
		t.Fatalf("%d messages for %d characters", len(msgs), runeLen(ans.Text))
	}
	if msgs[0].Content != `> **\<@1\> Alice** asked: why \*\*this\*\*?` {
		t.Errorf("question line = %q", msgs[0].Content)
	}
	var footers, sources []*discordgo.MessageEmbed
	for i, m := range msgs {
		if runeLen(m.Content) > maxContent || (i > 0 && m.Content != "") {
			t.Errorf("message %d content %q", i, cutContent(m.Content, 40))
		}
		checkEmbedLimits(t, fitEmbeds(m.Embeds))
		if len(fitEmbeds(m.Embeds)) != len(m.Embeds) {
			t.Errorf("message %d: an embed does not fit", i)
		}
		for _, e := range m.Embeds {
			if e.Footer != nil {
				footers = append(footers, e)
			}
			if e.Title == "Sources" {
				sources = append(sources, e)
			}
		}
	}
	if len(footers) != 1 || footers[0].Footer.Text != "12 articles · written by the language model · 1 min 15 s\nThe model was slow.\nAn extra note." {
		t.Errorf("footers = %+v", footers)
	}
	if len(sources) != 1 || msgs[len(msgs)-1].Embeds[len(msgs[len(msgs)-1].Embeds)-1] != sources[0] {
		t.Fatalf("sources = %+v", sources)
	}
	// One entry per article, each once.
	if n := strings.Count(sources[0].Description, "**[") - strings.Count(sources[0].Description, `\*\*[`); n != 12 {
		t.Errorf("%d entries for 12 articles", n)
	}
	if !strings.Contains(msgs[0].Embeds[0].Description, "[[1]](https://example.com/news/2)") {
		t.Errorf("markers are not linked: %q", cutContent(msgs[0].Embeds[0].Description, 80))
	}
}

func TestLinkMarkersAndDurations(t *testing.T) {
	t.Parallel()
	links := map[int]string{1: "https://example.com/a", 2: "https://example.com/b"}
	for in, want := range map[string]string{
		"A [1], B [2] and C [3].":    "A [[1]](https://example.com/a), B [[2]](https://example.com/b) and C [3].",
		`escaped \[1\] stays`:        `escaped \[1\] stays`,
		"model link [1]\\(http://x)": "model link [[1]](https://example.com/a)\\(http://x)",
	} {
		if got := linkMarkers(in, links); got != want {
			t.Errorf("linkMarkers(%q) = %q, want %q", in, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		30 * time.Millisecond: "0.1 s", 1440 * time.Millisecond: "1.5 s", 12 * time.Second: "12 s", 125 * time.Second: "2 min 5 s",
	} {
		if got := formatTook("", d); got != want {
			t.Errorf("formatTook(%v) = %q, want %q", d, got, want)
		}
	}
	if got := safeLinkURL("https://example.com/a (b)<c>"); got != "https://example.com/a%20%28b%29%3Cc%3E" {
		t.Errorf("safeLinkURL = %q", got)
	}
	if got := renderDraft("", "", strings.Repeat("word ", 2000)); runeLen(got.Embeds[0].Description) > maxEmbedDescription ||
		strings.HasSuffix(got.Embeds[0].Description, "…") || got.Embeds[0].Title != "Writing…" {
		t.Errorf("long draft = %d characters ending %q", runeLen(got.Embeds[0].Description), got.Embeds[0].Description[len(got.Embeds[0].Description)-10:])
	}
}

func TestEditBodiesSendOnlyWhatChanges(t *testing.T) {
	t.Parallel()
	draft := Message{Content: "> **A** asked: q", Embeds: []*discordgo.MessageEmbed{{Title: "Writing…", Description: "x"}}}
	enc := func(b *messageBody) string {
		if b == nil {
			return "nil"
		}
		j, _ := json.Marshal(b)
		return string(j)
	}
	if got := enc(editBody(&Message{}, draft, noMentions())); !strings.Contains(got, `"content":"\u003e **A** asked: q"`) || !strings.Contains(got, `"allowed_mentions":{"parse":[]`) {
		t.Errorf("first edit = %s", got)
	}
	more := draft
	more.Embeds = []*discordgo.MessageEmbed{{Title: "Writing…", Description: "x y"}}
	if got := enc(editBody(&draft, more, noMentions())); strings.Contains(got, "content") || strings.Contains(got, "allowed_mentions") || strings.Contains(got, "components") {
		t.Errorf("draft edit = %s", got)
	}
	if got := enc(editBody(&more, more, noMentions())); got != "nil" {
		t.Errorf("no change = %s", got)
	}
	plain := Message{Content: "I can't find that."}
	if got := enc(editBody(&more, plain, askerMentions())); !strings.Contains(got, `"embeds":[]`) || !strings.Contains(got, `"replied_user":true`) {
		t.Errorf("draft to plain = %s", got)
	}
}

// A digest story shows each report's outlet and time: the publication
// time, or, for an undated feed item, when its feed first brought it; the
// same report's other outlets' addresses follow.
func TestStoryEmbedShowsReportTimesAndOtherAddresses(t *testing.T) {
	published := time.Date(2024, 6, 10, 8, 0, 0, 0, time.UTC)
	seen := time.Date(2024, 6, 10, 19, 0, 0, 0, time.UTC)
	st := knowledge.DigestStory{
		Headline: "Rail operator cuts timetable", Summary: "The operator cuts its timetable by a fifth. [1]", Outlets: 3,
		Citations: []knowledge.Citation{{N: 1, ArticleID: 1, Title: "Rail operator cuts timetable", Source: "Wire", URL: "https://wire.example/rail", PublishedAt: published}},
		Articles: []knowledge.DigestArticle{
			{ID: 1, Title: "Rail operator cuts timetable", Source: "Wire", URL: "https://wire.example/rail", PublishedAt: published,
				OtherURLs: []knowledge.ArticleURL{{URL: "https://daily.example/rail", Source: "Daily"}}},
			{ID: 2, Title: "Strike: fewer trains", Source: "Gazette", URL: "https://gazette.example/trains", SeenAt: seen},
		},
	}
	e := storyEmbed(textsFor(""), 1, st)
	for _, want := range []string{
		fmt.Sprintf("Wire, <t:%d:R>", published.Unix()),
		fmt.Sprintf("[Gazette](https://gazette.example/trains) seen <t:%d:R>", seen.Unix()),
		"[Daily](https://daily.example/rail)",
	} {
		if !strings.Contains(e.Description, want) {
			t.Errorf("story lacks %q:\n%s", want, e.Description)
		}
	}
	checkEmbedLimits(t, []*discordgo.MessageEmbed{e})
}
