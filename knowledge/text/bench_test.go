package text

import (
	"os"
	"strings"
	"testing"
)

// The benchmarks run on testdata/article.txt, a synthetic English news
// article of about 5 KB. Ingest must keep up with over 1,000 such articles
// a second alongside everything else, so each step should take a small
// fraction of a millisecond.

func BenchmarkNormalize(b *testing.B) {
	s := strings.ReplaceAll(articleText(b), "\n", "\r\n") // force a rewrite
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(s)
	}
}

func BenchmarkSentences(b *testing.B) {
	s := articleText(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Sentences(s)
	}
}

func BenchmarkPassages(b *testing.B) {
	s := articleText(b)
	sentences := Sentences(s)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Passages(s, sentences, 100, 250)
	}
}

func BenchmarkTokens(b *testing.B) {
	s := articleText(b)
	var buf []string
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendTokens(buf[:0], s)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	s := articleText(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Fingerprint(s)
	}
}

func BenchmarkContentHash(b *testing.B) {
	s := articleText(b)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		ContentHash(s)
	}
}

func BenchmarkQueryTerms(b *testing.B) {
	q := "What did Mayor Ellen Whitaker say about the $2.4 billion Pelican Bay flood barrier in 2026?"
	b.ReportAllocs()
	for b.Loop() {
		QueryTerms(q)
		KeyTerms(q)
	}
}

// germanText returns the synthetic German news article in testdata,
// normalised.
func germanText(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/artikel.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return Normalize(string(b))
}

func BenchmarkAppendIndexTokens(b *testing.B) {
	s := articleText(b)
	var buf []string
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendIndexTokens(buf[:0], s)
	}
}

func BenchmarkAnalyzerIndexTokens(b *testing.B) {
	for _, tc := range []struct {
		lang string
		text func(testing.TB) string
	}{{"en", articleText}, {"de", germanText}} {
		b.Run(tc.lang, func(b *testing.B) {
			a, s := AnalyzerFor(tc.lang), tc.text(b)
			var buf []string
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = a.AppendIndexTokens(buf[:0], s)
			}
		})
		// With a StemCache, as an ingest batch stems a stream of
		// articles: after the first article most words are known.
		b.Run(tc.lang+" cached", func(b *testing.B) {
			a, s := AnalyzerFor(tc.lang), tc.text(b)
			var (
				buf   []string
				cache StemCache
			)
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = cache.AppendIndexTokens(a, buf[:0], s)
			}
		})
	}
}

func BenchmarkAnalyzerQuery(b *testing.B) {
	a := AnalyzerFor("de")
	q := "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern an die Ukraine?"
	b.ReportAllocs()
	for b.Loop() {
		a.Query(q)
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	for _, tc := range []struct {
		name string
		text func(testing.TB) string
	}{
		{"en article", articleText},
		{"de article", germanText},
		{"fr text", func(testing.TB) string { return frenchSample }},
		{"sv text (trigrams)", func(testing.TB) string { return swedishSample }},
		{"question", func(testing.TB) string { return "Was kostet ein Taurus-Marschflugkörper?" }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.text(b)
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				DetectLanguage(s, "en")
			}
		})
	}
}
