package knowledge

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/vector"
)

// BenchmarkDBVectorSearch measures DB.vectorSearch end to end over 100k
// passages in SQLite: the query embedding (a fake, so the model's latency
// is left out), the scan, the exact re-rank read back from SQLite and the
// check of the passages against the filter. It reports the time to load
// the index from SQLite.
//
//	go test ./knowledge/ -run '^$' -bench DBVectorSearch -benchtime 100x
func BenchmarkDBVectorSearch(b *testing.B) {
	const n, dim, k = 100_000, 384, 100
	db := MustOpenDB(b)
	ctx := context.Background()
	vecs := randomUnit(21, n, dim)
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for a := 1; a <= n/10; a++ {
		guild := []string{"", "g1", "g2", "g3"}[a%4] // g1 sees half
		if _, err := tx.Exec(`INSERT INTO articles(id, title, fetched_at, content_hash, guild_id) VALUES (?, ?, 0, ?, ?)`, a, fmt.Sprint("Article ", a), fmt.Sprint(a), guild); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]int64, n)
	rows := make([][]float32, n)
	for i := 0; i < n; i++ {
		ids[i] = int64(i + 1)
		if _, err := tx.Exec(`INSERT INTO passages(id, article_id, seq, start, end, words, chunk) VALUES (?, ?, ?, 0, 4, 1, 'text')`, ids[i], (i/10)+1, i%10); err != nil {
			b.Fatal(err)
		}
		rows[i] = vecs[i*dim : (i+1)*dim]
	}
	if _, _, _, err := vector.Store(ctx, tx, "bench", ids, rows, 0); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	emb := &fakeEmbedder{
		ModelFn: func() string { return "bench" },
		EmbedFn: func(_ context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, len(texts))
			for i, s := range texts {
				h := fnv.New64a()
				h.Write([]byte(s))
				out[i] = randomUnit(h.Sum64(), 1, dim)
			}
			return out, nil
		},
	}
	start := time.Now()
	if got, err := db.LoadVectors(ctx, "bench"); err != nil || got != n {
		b.Fatalf("LoadVectors = %d, %v", got, err)
	}
	load := time.Since(start)
	for _, f := range []struct {
		name string
		f    Filter
	}{{"all", Filter{GuildID: "*"}}, {"guild", Filter{GuildID: "g1"}}} {
		b.Run(f.name, func(b *testing.B) {
			var times []time.Duration
			r := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				q := fmt.Sprint("question ", r.Uint64()) // never cached
				start := time.Now()
				hits, err := db.vectorSearch(ctx, emb, q, f.f, k)
				if err != nil || len(hits) != k {
					b.Fatalf("%d hits, %v", len(hits), err)
				}
				times = append(times, time.Since(start))
			}
			b.ReportMetric(p95ms(times), "p95-ms")
			b.ReportMetric(load.Seconds(), "load-s")
		})
	}
}

func p95ms(times []time.Duration) float64 {
	if len(times) == 0 {
		return 0
	}
	slices.Sort(times)
	return float64(times[(len(times)*95+99)/100-1]) / 1e6
}

// randomUnit returns n random unit vectors of dim dimensions, flattened.
func randomUnit(seed uint64, n, dim int) []float32 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		v := out[i*dim : (i+1)*dim]
		var ss float64
		for j := range v {
			f := r.NormFloat64()
			v[j] = float32(f)
			ss += f * f
		}
		inv := float32(1 / math.Sqrt(ss))
		for j := range v {
			v[j] *= inv
		}
	}
	return out
}
