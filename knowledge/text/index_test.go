package text

import (
	"strings"
	"testing"
)

func TestAppendIndexTextKeepsWhatQueriesSearch(t *testing.T) {
	in := "The U.S. and the WHO said Scholz's Taurus décision was “final” in 2024."
	got := string(AppendIndexText(nil, in))
	for _, want := range []string{"scholz", "taurus", "decision", "final", "2024", "who"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("index text %q lacks %q", got, want)
		}
	}
	for _, stop := range []string{" the ", " and ", " was ", " in "} {
		if strings.Contains(" "+got+" ", stop) {
			t.Errorf("index text %q keeps the stop word %q", got, stop)
		}
	}
	// Every query term of a question about the text is in the index text.
	idx := " " + got + " "
	for _, term := range QueryTerms("Why was the WHO's Taurus décision final in 2024?") {
		if !strings.Contains(idx, " "+term+" ") {
			t.Errorf("query term %q is not indexed (index text %q)", term, got)
		}
	}
}

func TestAppendIndexTextCountCountsEveryToken(t *testing.T) {
	for _, s := range []string{"", "The U.S. and the WHO said Scholz's décision.", "a b c 1 2 3", "日本語 text"} {
		_, n := AppendIndexTextCount(nil, s)
		if want := len(Tokens(s)); n != want {
			t.Errorf("AppendIndexTextCount(%q) counted %d tokens, Tokens has %d", s, n, want)
		}
	}
}

func TestAppendIndexTokensMatchesIndexText(t *testing.T) {
	for _, s := range []string{"", "The U.S. and the WHO said Scholz's décision was “final” in 2024.", "a b c 1 2 3", "日本語 text", "Ä̈ ̈ x"} {
		toks, n := AppendIndexTokens(nil, s)
		idx, m := AppendIndexTextCount(nil, s)
		if got, want := strings.Join(toks, " "), string(idx); got != want {
			t.Errorf("AppendIndexTokens(%q) = %q, index text is %q", s, got, want)
		}
		if n != m {
			t.Errorf("AppendIndexTokens(%q) counted %d tokens, AppendIndexTextCount %d", s, n, m)
		}
	}
}
