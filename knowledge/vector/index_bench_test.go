package vector

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkVectorSearch measures Index.Search for the top 50 of
// random unit vectors of 384 dimensions (the hardest case for a quantised
// scan: no cluster structure, neighbours barely nearer than the rest),
// with the index built in memory and the exact re-rank reading float32
// vectors from memory instead of SQLite. It reports recall@50 against
// exact float32 search, the 95th percentile latency and the index's
// memory.
//
//	go test ./knowledge/vector/ -run '^$' -bench VectorSearch -benchtime 100x
func BenchmarkVectorSearch(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%dk", n/1000), func(b *testing.B) {
			benchVectorIndex(b, n, 384, Options{})
		})
	}
}

// BenchmarkVectorSearchInt8 is BenchmarkVectorSearch without the sign
// prefilter: every int8 code is scanned.
func BenchmarkVectorSearchInt8(b *testing.B) {
	b.Run("n=100k", func(b *testing.B) {
		benchVectorIndex(b, 100_000, 384, Options{Prefilter: -1})
	})
}

func benchVectorIndex(b *testing.B, n, dim int, opts Options) {
	const k, nq = 50, 20
	vecs := randomUnit(11, n, dim)
	x := buildIndex(vecs, dim, opts)
	queries := randomUnit(12, nq, dim)
	var sum float64
	for qi := 0; qi < nq; qi++ {
		q := queries[qi*dim : (qi+1)*dim]
		sum += recall(x.Search(context.Background(), q, k, nil), exactTop(vecs, dim, q, k, nil))
	}
	ctx := context.Background()
	var times []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := queries[(i%nq)*dim : (i%nq+1)*dim]
		i++
		start := time.Now()
		if hits := x.Search(ctx, q, k, nil); len(hits) != k {
			b.Fatalf("%d hits", len(hits))
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(sum/nq, "recall@50")
	b.ReportMetric(p95ms(times), "p95-ms")
	b.ReportMetric(float64(x.memoryBytes())/1e6, "index-MB")
}

func p95ms(times []time.Duration) float64 {
	if len(times) == 0 {
		return 0
	}
	slices.Sort(times)
	return float64(times[(len(times)*95+99)/100-1]) / 1e6
}
