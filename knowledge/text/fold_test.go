package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"already folded", "already folded"},
		{"  Hello,\n\tWORLD  ", "hello, world"},
		{"‘single’ ‚low‛ ′prime `grave´", "'single' 'low' 'prime 'grave'"},
		{"“double” „low‟ ″ «guillemets»", `"double" "low" " "guillemets"`},
		{"en – em — minus − hyphen ‐", "en - em - minus - hyphen -"},
		{"wait…", "wait..."},
		{"a\u00a0\u2003 b\u2028c", "a b c"},
		{"co\u00adop\u200Beration", "cooperation"},
		{"CAFÉ cafe\u0301", "café café"},
		{"Ölpreis ÜBER", "ölpreis über"},
		{"bad\xffbyte", "badbyte"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = Fold("already folded text, nothing to do.") }); allocs != 0 {
		t.Errorf("Fold of folded text allocates %v times", allocs)
	}
}

func TestContainsFolded(t *testing.T) {
	stored := "Mayor Ellen Whitaker said: “This is the day we stop gambling with people’s homes.”\n\nShe added that the vote — 7-2 — was final…"
	tests := []struct {
		needle string
		want   bool
	}{
		{`"This is the day we stop gambling with people's homes."`, true},
		{"this is the day   we stop\ngambling", true},
		{"THE VOTE - 7-2 - WAS FINAL...", true},
		{"homes.\" She added", true},
		{"people’s   homes", true},
		{"the day we stop gambling with peoples homes", false},
		{"the vote was unanimous", false},
		{"", false},
		{"  \n ", false},
	}
	for _, tt := range tests {
		if got := ContainsFolded(stored, tt.needle); got != tt.want {
			t.Errorf("ContainsFolded(stored, %q) = %v, want %v", tt.needle, got, tt.want)
		}
	}
}

func TestContentHash(t *testing.T) {
	a := ContentHash("He said “no.”\n\nThen  he left.")
	b := ContentHash(`he said "no." then he left.`)
	c := ContentHash(`He said "yes." Then he left.`)
	if a != b {
		t.Errorf("hashes differ for texts that differ only in case, quotes and spacing")
	}
	if a == c {
		t.Errorf("hashes equal for different texts")
	}
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("hash %q is not 32 lowercase hex digits", a)
	}
}

func TestSnippet(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"The council voted on Tuesday", 16, "The council…"},
		{"The council voted on Tuesday", 17, "The council…"},
		{"The council voted on Tuesday", 18, "The council voted…"},
		{"Supercalifragilistic word", 10, "Supercali…"},
		{"Delays, delays and more", 9, "Delays…"},
		{"Übergrößenträger über alles", 20, "Übergrößenträger…"},
		{"anything", 1, "…"},
		{"anything", 0, ""},
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := Snippet(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Snippet(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > max(tt.max, 0) {
			t.Errorf("Snippet(%q, %d) has %d runes", tt.in, tt.max, n)
		}
	}
}
