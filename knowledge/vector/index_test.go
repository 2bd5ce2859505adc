package vector

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

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

// exactTop is the brute-force float32 answer.
func exactTop(vecs []float32, dim int, q []float32, k int, allow func(id int64) bool) []int64 {
	n := len(vecs) / dim
	type s struct {
		id    int64
		score float32
	}
	all := make([]s, 0, n)
	for i := 0; i < n; i++ {
		id := int64(i + 1)
		if allow != nil && !allow(id) {
			continue
		}
		all = append(all, s{id, dotF32(q, vecs[i*dim:(i+1)*dim])})
	}
	slices.SortFunc(all, func(a, b s) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	out := make([]int64, 0, k)
	for i := 0; i < k && i < len(all); i++ {
		out = append(out, all[i].id)
	}
	return out
}

func recall(got []Hit, want []int64) float64 {
	if len(want) == 0 {
		return 1
	}
	set := map[int64]bool{}
	for _, id := range want {
		set[id] = true
	}
	var n int
	for _, h := range got {
		if set[h.PassageID] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// buildIndex fills an index with vecs as passages 1..n (article = id/10),
// its Exact hook reading vecs back.
func buildIndex(vecs []float32, dim int, opts Options) *Index {
	x := New(dim, opts)
	n := len(vecs) / dim
	rows := make([]vecRow, 0, n)
	for i := 0; i < n; i++ {
		v := vecs[i*dim : (i+1)*dim]
		codes, scale := quantize8(v)
		rows = append(rows, vecRow{pid: int64(i + 1), aid: int64(i+1) / 10, scale: scale, codes: codes, full: v})
	}
	x.upsert(rows)
	x.Exact = func(_ context.Context, ids []int64) (map[int64][]float32, error) {
		out := make(map[int64][]float32, len(ids))
		for _, id := range ids {
			out[id] = vecs[(id-1)*int64(dim) : id*int64(dim)]
		}
		return out, nil
	}
	return x
}

func TestIndexQuantizedRecall(t *testing.T) {
	const n, dim, k = 30000, 64, 20
	vecs := randomUnit(1, n, dim)
	queries := randomUnit(2, 20, dim)
	for _, tc := range []struct {
		name string
		opts Options
		min  float64
	}{
		{"exact", Options{ExactBelow: n}, 1},
		{"int8 only", Options{ExactBelow: -1, Prefilter: -1}, 0.99},
		{"sign prefilter", Options{ExactBelow: -1}, 0.9},
	} {
		x := buildIndex(vecs, dim, tc.opts)
		if (x.full != nil) != (tc.opts.ExactBelow > 0) {
			t.Fatalf("%s: full copy kept = %v", tc.name, x.full != nil)
		}
		allowOdd := func(id int64) bool { return id%2 == 1 }
		var sum, sumFiltered float64
		for qi := 0; qi < 20; qi++ {
			q := queries[qi*dim : (qi+1)*dim]
			got := x.Search(context.Background(), q, k, nil)
			if len(got) != k {
				t.Fatalf("%s: %d hits", tc.name, len(got))
			}
			sum += recall(got, exactTop(vecs, dim, q, k, nil))
			got = x.Search(context.Background(), q, k, func(id, _ int64) bool { return allowOdd(id) })
			for _, h := range got {
				if h.PassageID%2 == 0 {
					t.Fatalf("%s: allow ignored: %d", tc.name, h.PassageID)
				}
				if h.ArticleID != h.PassageID/10 {
					t.Fatalf("%s: article %d for passage %d", tc.name, h.ArticleID, h.PassageID)
				}
			}
			sumFiltered += recall(got, exactTop(vecs, dim, q, k, allowOdd))
		}
		if r := sum / 20; r < tc.min {
			t.Errorf("%s: recall@%d = %.3f, want >= %.2f", tc.name, k, r, tc.min)
		}
		if r := sumFiltered / 20; r < tc.min {
			t.Errorf("%s: filtered recall@%d = %.3f, want >= %.2f", tc.name, k, r, tc.min)
		}
	}
}

func TestIndexAddReplacesAndSorts(t *testing.T) {
	const dim = 16
	vecs := randomUnit(3, 200, dim)
	x := New(dim, Options{ExactBelow: 50})
	// Out of order, across the exact threshold.
	for _, i := range rand.New(rand.NewPCG(4, 5)).Perm(200) {
		x.Add(int64(i+1), 7, vecs[i*dim:(i+1)*dim])
	}
	if x.Len() != 200 || !slices.IsSorted(x.ids) || x.full != nil || x.signs == nil {
		t.Fatalf("len %d, sorted %v, full %v, signs %v", x.Len(), slices.IsSorted(x.ids), x.full != nil, x.signs != nil)
	}
	q := vecs[10*dim : 11*dim]
	if hits := x.Search(context.Background(), q, 1, nil); len(hits) != 1 || hits[0].PassageID != 11 {
		t.Fatalf("self search: %v", hits)
	}
	// Replacing passage 11's vector moves it away from its old self.
	x.Add(11, 7, vecs[20*dim:21*dim])
	if x.Len() != 200 {
		t.Fatalf("replace grew the index to %d", x.Len())
	}
	hits := x.Search(context.Background(), q, 1, nil)
	if len(hits) != 1 || hits[0].PassageID == 11 {
		t.Errorf("after replace: %v", hits)
	}
	// A wrong dimension and an empty query are ignored.
	x.Add(999, 1, make([]float32, dim+1))
	if x.Len() != 200 || x.Search(context.Background(), make([]float32, 3), 5, nil) != nil {
		t.Errorf("wrong dimensions accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if hits := x.Search(ctx, q, 5, nil); hits != nil {
		t.Errorf("cancelled search returned %v", hits)
	}
}

func TestIndexUpsertOutOfOrderBatch(t *testing.T) {
	const dim = 8
	vecs := randomUnit(7, 12, dim)
	row := func(pid int64, i int) vecRow {
		v := vecs[i*dim : (i+1)*dim]
		codes, scale := quantize8(v)
		return vecRow{pid: pid, aid: pid * 10, scale: scale, codes: codes, full: v}
	}
	x := New(dim, Options{})
	x.upsert([]vecRow{row(1, 0), row(2, 1), row(10, 2)})
	// Out of order, new and replaced ids mixed, and a repeated id.
	x.upsert([]vecRow{row(5, 3), row(12, 4), row(2, 5), row(7, 6), row(12, 7), row(3, 8)})
	if want := []int64{1, 2, 3, 5, 7, 10, 12}; !slices.Equal(x.ids, want) {
		t.Fatalf("ids %v, want %v", x.ids, want)
	}
	for i, id := range x.ids {
		if x.arts[i] != id*10 {
			t.Errorf("passage %d has article %d", id, x.arts[i])
		}
	}
	// Passage 12 holds its last vector, passage 2 its replacement.
	for _, c := range []struct {
		pid int64
		vec int
	}{{12, 7}, {2, 5}, {5, 3}} {
		hits := x.Search(context.Background(), vecs[c.vec*dim:(c.vec+1)*dim], 1, nil)
		if len(hits) != 1 || hits[0].PassageID != c.pid || math.Abs(hits[0].Score-1) > 1e-5 {
			t.Errorf("vector %d: %v, want passage %d at 1", c.vec, hits, c.pid)
		}
	}
}
