package bot

import (
	"context"
	"regexp"
	"strings"

	"github.com/herald-bot/herald/knowledge"
)

// checkSources refuses a command whose source option names an outlet
// Herald has no article from, naming the outlets it has, before the
// command runs: otherwise the filter matches nothing and the member gets
// an abstention that does not say why.
func (b *Bot) checkSources(ctx context.Context, r *Request) error {
	raw := r.String("source")
	if raw == "" || b.Library == nil {
		return nil
	}
	var asked []string
	for _, s := range strings.Split(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			asked = append(asked, s)
		}
	}
	names, err := b.sources.get(ctx, b.Library, r.GuildID, b.now())
	if err != nil {
		return nil // the command itself reports a failing library
	}
	unknown := unknownSources(asked, names)
	if len(unknown) > 0 {
		// The cache may predate an outlet added a minute ago.
		if c, err := b.Library.Counts(ctx, r.GuildID); err == nil {
			names = c.Sources
			unknown = unknownSources(asked, names)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return knowledge.Errorf(knowledge.EINVALID, "%s", textsFor(r.Interaction.Locale).unknownSources(unknown, names))
}

// unknownSources returns the asked outlets that are not among names,
// compared as the filter compares them (case-insensitively).
func unknownSources(asked, names []string) []string {
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[strings.ToLower(strings.TrimSpace(n))] = true
	}
	var out []string
	for _, a := range asked {
		if !known[strings.ToLower(a)] {
			out = append(out, a)
		}
	}
	return out
}

var (
	bareURL  = regexp.MustCompile(`https?://[^\s<>` + "`" + `]+`)
	codeSpan = regexp.MustCompile("`[^`]*`")
)

// bracketURLs puts every bare web address of a sentence inside <…>, the
// way Discord shows a link without a preview, leaving addresses already in
// brackets, in a masked link or in inline code alone. Punctuation that
// ends the sentence stays outside.
func bracketURLs(s string) string {
	code := codeSpan.FindAllStringIndex(s, -1)
	inCode := func(i int) bool {
		for _, c := range code {
			if i >= c[0] && i < c[1] {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	last := 0
	for _, m := range bareURL.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if (start > 0 && (s[start-1] == '<' || s[start-1] == '(')) || inCode(start) {
			continue
		}
		u := s[start:end]
		for len(u) > 0 {
			c := u[len(u)-1]
			if strings.IndexByte(`.,;:!?'"`, c) >= 0 || (c == ')' && strings.Count(u, "(") < strings.Count(u, ")")) {
				u = u[:len(u)-1]
				continue
			}
			if r := []rune(u); len(r) > 0 && strings.ContainsRune("”’»", r[len(r)-1]) {
				u = string(r[:len(r)-1])
				continue
			}
			break
		}
		b.WriteString(s[last:start])
		b.WriteString("<" + u + ">")
		last = start + len(u)
	}
	b.WriteString(s[last:])
	return b.String()
}

// angleURL shows a web address as written, in <…> so that Discord shows no
// preview for it; characters that would end it early are escaped.
func angleURL(u string) string {
	return "<" + strings.NewReplacer(">", "%3E", " ", "%20", "\n", "").Replace(u) + ">"
}
