package text

import (
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
