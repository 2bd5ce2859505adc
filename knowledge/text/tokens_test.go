package text

import (
	"reflect"
	"strings"
	"testing"
)

// The expectations below were checked against SQLite's FTS5 with
// tokenize='unicode61 remove_diacritics 2' (through fts5vocab).
func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,.;  ", nil},
		{"Hello, World!", []string{"hello", "world"}},
		{"Scholz's party", []string{"scholz", "s", "party"}},
		{"Scholz’s party", []string{"scholz", "s", "party"}},
		{"don't", []string{"don", "t"}},
		{"Café NAÏVE Łódź", []string{"cafe", "naive", "łodz"}},
		{"ǖ Ñandú São Paulo Dvořák", []string{"u", "nandu", "sao", "paulo", "dvorak"}},
		{"ß straße", []string{"ß", "straße"}},
		{"Ωμέγα й", []string{"ωμέγα", "й"}},
		{"ΣΟΦΟΣ", []string{"σοφοσ"}},
		{"µs ſ", []string{"μs", "s"}},
		{"İstanbul ılık", []string{"istanbul", "ılık"}},
		{"e\u0301x n\u0303o", []string{"ex", "no"}},
		{"COVID-19 in 2024: 3.5% of $1,200", []string{"covid", "19", "in", "2024", "3", "5", "of", "1", "200"}},
		{"x²y ½", []string{"x²y", "½"}},
		{"snake_case e-mail a.b", []string{"snake", "case", "e", "mail", "a", "b"}},
		{"Ａｂｃ ﬁne", []string{"ａｂｃ", "ﬁne"}},
		{"fire🔥water", []string{"fire", "water"}},
		{"東京都 東京", []string{"東京都", "東京"}},
		{"\"quoted\" (paren) [x] {y} <z>", []string{"quoted", "paren", "x", "y", "z"}},
		{"bad\xffbyte", []string{"bad", "byte"}},
	}
	for _, tt := range tests {
		got := Tokens(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendTokens(t *testing.T) {
	buf := make([]string, 0, 16)
	buf = AppendTokens(buf, "One two")
	buf = AppendTokens(buf, "THREE")
	if want := []string{"one", "two", "three"}; !reflect.DeepEqual(buf, want) {
		t.Errorf("AppendTokens = %q, want %q", buf, want)
	}
	// Lowercase ASCII text is sliced, not copied.
	s := strings.Repeat("plain lowercase words ", 20)
	buf = buf[:0]
	if allocs := testing.AllocsPerRun(10, func() { buf = AppendTokens(buf[:0], s) }); allocs != 0 {
		t.Errorf("AppendTokens of lowercase ASCII allocates %v times", allocs)
	}
}

func TestIsStopword(t *testing.T) {
	for _, w := range []string{"", "the", "a", "an", "what", "which", "who", "whom", "whose", "when", "where",
		"why", "how", "did", "does", "is", "was", "been", "of", "about", "these", "its", "and", "or", "not",
		"no", "has", "will", "would", "might", "s", "t", "ll", "didn", "x", "é", "中"} {
		if !IsStopword(w) {
			t.Errorf("IsStopword(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"7", "42", "scholz", "near", "tariffs", "election", "won", "said", "us2", "٣"} {
		if IsStopword(w) {
			t.Errorf("IsStopword(%q) = true, want false", w)
		}
	}
}
