package knowledge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the keyword index on synthetic news-like text (a Zipf
// vocabulary, sentences of 8–30 words, articles of 300–900 words), so they
// run anywhere; `herald bench` measures real sentences at 10k–300k.
//
//	go test ./knowledge/ -run '^$' -bench PutArticles -benchtime 3x
//	go test ./knowledge/ -run '^$' -bench KeywordSearch -benchtime 400x

// syntheticArticles returns n deterministic articles over a vocabulary of
// vocab words.
func syntheticArticles(seed uint64, n, vocab int) []*Article {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	z := rand.NewZipf(r, 1.1, 2, uint64(vocab-1))
	word := func() string { return fmt.Sprintf("w%x", z.Uint64()) }
	base := time.Date(2022, 8, 26, 0, 0, 0, 0, time.UTC)
	out := make([]*Article, n)
	for i := range out {
		var b strings.Builder
		words := 300 + r.IntN(600)
		for w := 0; w < words; {
			k := 8 + r.IntN(23)
			for j := 0; j < k; j++ {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(word())
			}
			b.WriteString(". ")
			w += k
		}
		out[i] = &Article{
			URL:         fmt.Sprintf("https://example.com/%d", i),
			Title:       word() + " " + word() + " " + word() + " " + word(),
			Text:        b.String(),
			PublishedAt: base.Add(-time.Duration(r.IntN(365*24)) * time.Hour),
		}
	}
	return out
}

// BenchmarkPutArticles stores 5,000 articles in batches of 512 (preparation
// included, on this goroutine) and reports articles per second.
func BenchmarkPutArticles(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		arts := syntheticArticles(1, 5000, 50000)
		b.StartTimer()
		start := time.Now()
		for i := 0; i < len(arts); i += 512 {
			if _, err := db.PutArticles(ctx, arts[i:min(i+512, len(arts))]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(arts))/time.Since(start).Seconds(), "articles/s")
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkKeywordSearch asks 200 six-word questions of 20,000 articles
// (about 200,000 passages) and reports the 50th and 95th percentiles.
func BenchmarkKeywordSearch(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	arts := syntheticArticles(2, 20000, 50000)
	for i := 0; i < len(arts); i += 512 {
		if _, err := db.PutArticles(ctx, arts[i:min(i+512, len(arts))]); err != nil {
			b.Fatal(err)
		}
	}
	// Questions: six words of an article's sentence, so each has an answer.
	r := rand.New(rand.NewPCG(3, 4))
	var questions []string
	for len(questions) < 200 {
		a := arts[r.IntN(len(arts))]
		words := strings.Fields(strings.ReplaceAll(a.Text, ".", ""))
		at := r.IntN(len(words) - 6)
		questions = append(questions, strings.Join(words[at:at+6], " "))
	}
	var times []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := db.Search(ctx, questions[i%len(questions)], Filter{GuildID: ""}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
}
