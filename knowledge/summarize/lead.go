package summarize

import (
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// Best picks the report a story leads with and its lead sentence (see
// Lead): the first report that has a lead, unless a later one is a much
// fuller account (twice the words: a brief, then the full report). It
// returns the report's index and its lead, or 0 and "" when no report
// has one.
func Best(reports []Source) (int, string) {
	best, lead, words := 0, "", 0
	for i, src := range reports {
		l := Lead(src.Text, src.Title)
		if l == "" {
			continue
		}
		w := text.CountWords(src.Text)
		if lead == "" || w >= 2*words {
			best, lead, words = i, l, w
		}
	}
	return best, lead
}

// leadMinWords is the fewest words a lead has: news leads tell who did
// what in twenty or thirty; fewer than ten is a kicker ("Deadly water,
// raging tornadoes and falling houses.") or a fragment.
const leadMinWords = 10

// Lead returns the first sentence of an article that says something: at
// least leadMinWords words of running text (not a caption or a credit line), not
// the headline repeated, not a dateline, not too long; a dateline that
// opens it is left out (the rest is still the stored text, byte for
// byte). body is the article's text as readers see it, its boilerplate
// left out, so that boilerplate is never a lead. It returns "" when no
// sentence qualifies.
func Lead(body, title string) string {
	var toks []string
	ft := text.Fold(title)
	for _, sp := range text.Sentences(body) {
		s := strings.TrimSpace(body[sp.Start:sp.End])
		if text.IsDateline(s) {
			continue
		}
		s = text.StripDateline(s)
		toks = text.AppendTokens(toks[:0], s)
		if len(toks) < leadMinWords || len(toks) > 70 || text.Fold(s) == ft || !text.IsProse(s) {
			continue
		}
		return s
	}
	return ""
}
