package text

import (
	"slices"
	"strings"
	"testing"
)

func TestAppendIndexTokensKeepsWhatQueriesSearch(t *testing.T) {
	in := "The U.S. and the WHO said Scholz's Taurus décision was “final” in 2024."
	toks, _ := AppendIndexTokens(nil, in)
	for _, want := range []string{"scholz", "taurus", "decision", "final", "2024", "who"} {
		if !slices.Contains(toks, want) {
			t.Errorf("index terms %q lack %q", toks, want)
		}
	}
	for _, stop := range []string{"the", "and", "was", "in"} {
		if slices.Contains(toks, stop) {
			t.Errorf("index terms %q keep the stop word %q", toks, stop)
		}
	}
	// Every query term of a question about the text is an index term.
	for _, term := range QueryTerms("Why was the WHO's Taurus décision final in 2024?") {
		if !slices.Contains(toks, term) {
			t.Errorf("query term %q is not indexed (index terms %q)", term, toks)
		}
	}
}

func TestAppendIndexTokensCountsEveryToken(t *testing.T) {
	for _, s := range []string{"", "The U.S. and the WHO said Scholz's décision.", "a b c 1 2 3", "日本語 text", "Ä̈ ̈ x"} {
		toks, n := AppendIndexTokens(nil, s)
		if want := len(Tokens(s)); n != want {
			t.Errorf("AppendIndexTokens(%q) counted %d tokens, Tokens has %d", s, n, want)
		}
		for _, tok := range toks {
			if tok == "" || strings.ContainsAny(tok, " .'") {
				t.Errorf("AppendIndexTokens(%q) gave the term %q", s, tok)
			}
		}
	}
}
