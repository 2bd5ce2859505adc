package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fuzz targets check invariants on arbitrary input; `go test` runs
// their seeds, `go test -fuzz FuzzX` explores further.

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a\r\n\r\n\r\nb", " \u00a0x\t\u2029y ", "caf\u0065\u0301\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if Normalize(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		if strings.Contains(n, "\n\n\n") || strings.Contains(n, "  ") || strings.Contains(n, " \n") || strings.Contains(n, "\n ") || strings.ContainsAny(n, "\r\t") {
			t.Fatalf("unclean output %q", n)
		}
	})
}

func FuzzSentencesPassages(f *testing.F) {
	for _, s := range []string{"", "Mr. A. B. went. Then... no!? \"Yes.\"\n\nU.S. 1. Two", "。。！", "... . . ."} {
		f.Add(s, 3, 8)
	}
	f.Fuzz(func(t *testing.T, s string, minW, maxW int) {
		spans := Sentences(s)
		prev := 0
		for _, sp := range spans {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("bad span %v (prev end %d) in %q", sp, prev, s)
			}
			prev = sp.End
		}
		minW, maxW = minW%300, maxW%300
		ps := Passages(s, spans, minW, maxW)
		if len(spans) > 0 && (len(ps) == 0 || ps[0].Start != spans[0].Start || ps[len(ps)-1].End != spans[len(spans)-1].End) {
			t.Fatalf("passages %v do not cover sentences %v", ps, spans)
		}
		for i, p := range ps {
			if i > 0 && p.Start < ps[i-1].End {
				t.Fatalf("overlapping passages %v", ps)
			}
			if n := CountWords(s[p.Start:p.End]); n > max(maxW, 1) {
				t.Fatalf("passage %v has %d words, over %d", p, n, maxW)
			}
		}
	})
}

func FuzzAnalyzer(f *testing.F) {
	for _, s := range []string{"", "Taurus-Marschflugkörpern über-", "---a-b-c-d-e", "colour's organisation", "Straße ß ẞ", "2024-25"} {
		f.Add(s, "de")
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, s, lang string) {
		a := AnalyzerFor(lang)
		toks, n := a.AppendIndexTokens(nil, s)
		if want := len(Tokens(s)); n != want {
			t.Fatalf("counted %d tokens, Tokens has %d", n, want)
		}
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("bad term %q from %q", tok, s)
			}
		}
		if terms := a.Query(s); len(terms) > MaxQueryTerms {
			t.Fatalf("%d query terms", len(terms))
		}
		_ = DetectLanguage(s, "en")
	})
}

func FuzzQueryTerms(f *testing.F) {
	for _, s := range []string{"", `"a" AND b*`, "NEAR(x y)", "WHO said US?", "🔥\"\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := QueryTerms(q)
		if len(terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, term := range terms {
			if term == "" || len(term) > maxTermBytes {
				t.Fatalf("bad term length %d", len(term))
			}
			for _, r := range term {
				if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
					t.Fatalf("term %q from %q contains %q", term, q, r)
				}
			}
		}
		for _, k := range KeyTerms(q) {
			if !strings.Contains(" "+strings.Join(terms, " ")+" ", " "+k+" ") {
				t.Fatalf("key term %q not among terms %q", k, terms)
			}
		}
		_ = Fold(q)
		_ = Snippet(q, len(q)%40)
		_ = Fingerprint(q)
	})
}
