package text

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestQueryTerms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only stop words", "What is it that they were about to do?", nil},
		{"only stop words in capitals", "WHAT IS THE", nil},
		{"plain question", "What did Scholz say about the budget?", []string{"scholz", "say", "budget"}},
		{"distinct, first appearance order", "tariffs on steel, Steel TARIFFS and steel", []string{"tariffs", "steel"}},
		{"diacritics and apostrophes", "Who is Łukasz Żuk's café owner?", []string{"łukasz", "zuk", "cafe", "owner"}},
		{"digits kept", "What happened on 9/11 in 2001?", []string{"happened", "9", "11", "2001"}},
		{"double quotes", `"flood barrier" "cost`, []string{"flood", "barrier", "cost"}},
		{"unbalanced quotes", `barrier" cost "`, []string{"barrier", "cost"}},
		{"FTS5 operators", "Biden AND Trump OR Harris NOT Vance NEAR(border wall, 5)", []string{"biden", "trump", "harris", "vance", "near", "border", "wall", "5"}},
		{"FTS5 syntax", "col:value * prefix* ^start (group) {a b} + - title:storm", []string{"col", "value", "prefix", "start", "group", "title", "storm"}},
		{"emoji", "🔥🔥 wildfire 🚒 smoke", []string{"wildfire", "smoke"}},
		{"acronym stop words kept", "What did the US and the WHO say about it?", []string{"us", "who", "say"}},
		{"lowercase us is a stop word", "tell us about tariffs", []string{"tell", "tariffs"}},
		{"private use and symbols", "\ue000abc \u2603 snowman x\u0000y", []string{"snowman"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QueryTerms(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("QueryTerms(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkSafeTerms(t, got)
		})
	}
}

// checkSafeTerms fails unless every term is a non-empty run of letters
// and digits, the only shape the index has terms of.
func checkSafeTerms(t *testing.T, terms []string) {
	t.Helper()
	if len(terms) > MaxQueryTerms {
		t.Errorf("%d terms, want at most %d", len(terms), MaxQueryTerms)
	}
	seen := map[string]bool{}
	for _, term := range terms {
		if term == "" || seen[term] {
			t.Errorf("empty or repeated term %q", term)
		}
		seen[term] = true
		for _, r := range term {
			if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
				t.Errorf("term %q contains %q", term, r)
			}
		}
	}
}

func TestQueryTermsHostile(t *testing.T) {
	long := strings.Repeat("word ", 1000)
	var distinct strings.Builder
	for i := range 1000 {
		distinct.WriteString("term")
		distinct.WriteByte(byte('a' + i%26))
		distinct.WriteByte(byte('a' + i/26%26))
		distinct.WriteByte(' ')
	}
	inputs := []string{
		long,
		distinct.String(),
		strings.Repeat(`"`, 5000),
		strings.Repeat(`a"`, 2500),
		strings.Repeat("x", 5000),
		strings.Repeat("é", 2500),
		strings.Repeat("🔥", 1250),
		`" OR 1=1 --`,
		`NEAR("a" "b", 2) AND NOT (c OR d*)`,
		"col:\"x\" ^y {z}: *",
		"\x00\xff\xfe\u202e\u200b",
		"what\u00a0is\u2003the\tcost",
	}
	for _, in := range inputs {
		got := QueryTerms(in)
		checkSafeTerms(t, got)
		for _, term := range got {
			if len(term) > 128 {
				t.Errorf("term of %d bytes from %q...", len(term), in[:20])
			}
		}
	}
	if got := QueryTerms(distinct.String()); len(got) != MaxQueryTerms {
		t.Errorf("got %d terms from 1,000 distinct words, want %d", len(got), MaxQueryTerms)
	}
	if got := QueryTerms(long); !reflect.DeepEqual(got, []string{"word"}) {
		t.Errorf("QueryTerms(repeated word) = %q", got)
	}
	if got := QueryTerms(strings.Repeat("x", 5000)); got != nil {
		t.Errorf("a 5,000-letter token should be dropped, got %d terms", len(got))
	}
}

func TestKeyTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"What did Olaf Scholz say about the budget this year?", []string{"olaf", "scholz", "budget"}},
		{"Who won the war?", nil},
		{"Who won the war in Gaza?", []string{"gaza"}},
		{"How many people died in 2023?", []string{"died", "2023"}},
		{"What is the latest news from the country?", nil},
		{"What did the US say about tariffs?", []string{"us", "tariffs"}},
		{"Scholz said what?", []string{"scholz"}},
		{"Tax news? Tax rates rose.", []string{"rates", "rose"}},
		{"What did Dr. Oz say?", []string{"oz"}},
		{"Is the NATO summit in Vilnius?", []string{"nato", "summit", "vilnius"}},
		{"What did the Report say? Was it new?", []string{"report"}},
	}
	for _, tt := range tests {
		got := KeyTerms(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("KeyTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
		terms := QueryTerms(tt.in)
		j := 0
		for _, k := range got {
			for j < len(terms) && terms[j] != k {
				j++
			}
			if j == len(terms) {
				t.Errorf("KeyTerms(%q) = %q is not an ordered subset of QueryTerms %q", tt.in, got, terms)
				break
			}
		}
	}
}
