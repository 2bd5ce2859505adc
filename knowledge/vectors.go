package knowledge

// Vectors: passage embeddings for hybrid retrieval.
//
// Storage. Every passage may have one vector in passage_vectors, tagged with
// its vector space (model name and dimension), normalised to unit length and
// stored twice: float32 little-endian (vec, for the exact re-rank) and int8
// with a scale (q8, for the in-memory scan and a fast load). vector_meta
// records the current space. Switching the model, or a model that starts
// answering with another dimension, re-embeds: EmbedMissing treats every
// passage whose vector is of another space as missing and replaces it, so
// spaces are never mixed, the switch is resumable, and search keeps working
// on the part already re-embedded (BM25 covers the rest).
//
// Search. VectorIndex holds the vectors of one space in memory, loaded
// lazily from SQLite on the first search and refreshed with the rows of
// newer batches (vector_meta.gen). Small indexes (ExactBelow vectors) keep
// float32 and scan exhaustively. Larger ones keep int8 codes and a 1-bit
// sign code per vector, and search in three steps: the sign codes are
// scored against the float query (asymmetrically, with bit-sliced weights:
// a few AND and POPCNT instructions per 64 dimensions) and about
// 3*sqrt(n*k) vectors are kept; those are scored with int8 dot products;
// the best 2k+16 are re-ranked with their exact float32 vectors read back
// from SQLite. Memory per vector above ExactBelow is dim + dim/8 + 20 bytes
// (452 MB for 1M passages at 384 dimensions): large corpora want a small
// model, or fewer dimensions where the model supports them. Deleted
// passages stay in memory until the index is rebuilt (next start, or a
// model switch); the SQL check of every result drops them.

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Defaults of vector search and embedding.
const (
	// DefaultEmbedBatch is how many passages EmbedMissing embeds and
	// commits at a time.
	DefaultEmbedBatch = 128
	// DefaultExactBelow is the size up to which a VectorIndex keeps float32
	// vectors and scans them exhaustively.
	DefaultExactBelow = 20000
	// DefaultPrefilter is the default of VectorIndexOptions.Prefilter.
	DefaultPrefilter = 3.0
	// DefaultRRFK is the rank constant of reciprocal rank fusion.
	DefaultRRFK = 60
)

// VectorHit is one passage found by vector search, with its cosine
// similarity to the query (higher is better).
type VectorHit struct {
	PassageID int64   `json:"passage_id"`
	ArticleID int64   `json:"article_id"`
	Score     float64 `json:"score"`
}

// VectorSearcher finds the passages whose vectors are nearest a query. It
// is the seam where an approximate nearest-neighbour index can replace the
// exhaustive VectorIndex. Implementations are safe for concurrent use.
type VectorSearcher interface {
	// Search returns up to k passages by descending cosine similarity to
	// query, skipping those allow rejects (nil allows all). It returns nil
	// when ctx ends.
	Search(ctx context.Context, query []float32, k int, allow func(passageID, articleID int64) bool) []VectorHit
	// Add stores the vector of a passage, replacing any it had.
	Add(passageID, articleID int64, vec []float32)
	// Len is the number of vectors held.
	Len() int
}

// VectorIndexOptions tune a VectorIndex. Zero values mean the defaults.
type VectorIndexOptions struct {
	// ExactBelow is the number of vectors up to which the index keeps them
	// at full precision and scans them exhaustively; above it, it keeps
	// int8 codes only. Negative means never.
	ExactBelow int
	// Prefilter sets how many vectors the 1-bit pass keeps for the int8
	// scan above ExactBelow: Prefilter*sqrt(n*k) of n vectors when k
	// results are asked for (at least 1000). The default keeps recall@50
	// against exact search about 0.97 at 100k and 1M random vectors, the
	// hardest case; real embeddings, whose neighbours stand out more, do
	// better. Larger finds more of the exact neighbours and is slower;
	// negative scans every int8 code.
	Prefilter float64
	// Workers is how many goroutines share a scan; zero means GOMAXPROCS.
	Workers int
}

func (o VectorIndexOptions) exactBelow() int {
	switch {
	case o.ExactBelow == 0:
		return DefaultExactBelow
	case o.ExactBelow < 0:
		return 0
	}
	return o.ExactBelow
}

// prefilterKeep is how many of n vectors the 1-bit pass keeps for k
// results; n or more means no 1-bit pass.
func (o VectorIndexOptions) prefilterKeep(n, k int) int {
	f := o.Prefilter
	switch {
	case f < 0:
		return n
	case f == 0:
		f = DefaultPrefilter
	}
	return max(int(math.Ceil(f*math.Sqrt(float64(n)*float64(k)))), 1000)
}

func (o VectorIndexOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// VectorIndex is an in-memory exhaustive vector index over one vector
// space; see the comment at the top of vectors.go for how it scans. It
// implements VectorSearcher.
type VectorIndex struct {
	// Exact, when set, returns full-precision vectors of passages for the
	// final re-rank once the index holds int8 codes only; passages it does
	// not return keep their int8 score. Without it, scores above
	// ExactBelow are int8 approximations.
	Exact func(ctx context.Context, passageIDs []int64) (map[int64][]float32, error)

	opts VectorIndexOptions
	dim  int
	nw   int // 64-bit words of one sign code

	workers sync.Pool // of *scanWorker, to reuse their buffers

	mu     sync.RWMutex
	ids    []int64 // passage ids, ascending
	arts   []int64
	scales []float32
	codes  []int8    // len(ids)*dim
	full   []float32 // len(ids)*dim while at most ExactBelow vectors, else nil
	signs  []uint64  // len(ids)*nw sign codes of (x - center), nil while full is kept
	center []float32 // per dimension mean, for the sign codes
	spread []float32 // per dimension mean absolute deviation from center
	statsN int       // vectors when center and spread were computed
}

var _ VectorSearcher = (*VectorIndex)(nil)

// NewVectorIndex returns an empty index for vectors of dim dimensions.
func NewVectorIndex(dim int, opts VectorIndexOptions) *VectorIndex {
	return &VectorIndex{opts: opts, dim: dim, nw: (dim + 63) / 64}
}

// Dim returns the dimension of the index's vectors.
func (x *VectorIndex) Dim() int { return x.dim }

// Len returns the number of vectors held.
func (x *VectorIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// MemoryBytes returns the memory the index's vectors take, in bytes.
func (x *VectorIndex) MemoryBytes() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := int64(cap(x.ids))*8 + int64(cap(x.arts))*8 + int64(cap(x.scales))*4 + int64(cap(x.codes)) +
		int64(cap(x.full))*4 + int64(cap(x.signs))*8 + int64(cap(x.center)+cap(x.spread))*4
	return n
}

// vecRow is one vector on its way into an index.
type vecRow struct {
	pid, aid int64
	scale    float32
	codes    []int8
	full     []float32 // nil when only the codes were loaded
}

// Add stores the vector of a passage, replacing any it had; vec is
// normalised to unit length (a copy is kept).
func (x *VectorIndex) Add(passageID, articleID int64, vec []float32) {
	if len(vec) != x.dim {
		return
	}
	v := normalized(vec)
	codes, scale := quantize8(v)
	x.upsert([]vecRow{{pid: passageID, aid: articleID, scale: scale, codes: codes, full: v}})
}

// upsert adds or replaces rows, keeping the index sorted by passage id.
func (x *VectorIndex) upsert(rows []vecRow) {
	if len(rows) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	dim := x.dim
	keepFull := len(x.ids) == 0 || x.full != nil
	sorted := len(x.ids)       // x.ids[:sorted] is in order
	var appended map[int64]int // positions of rows appended out of order
	var touched []int          // positions whose sign codes need computing
	for _, r := range rows {
		if len(r.codes) != dim {
			continue
		}
		if r.full == nil {
			keepFull = false
		}
		pos := -1
		if i, found := appended[r.pid]; found {
			pos = i
		} else if n := len(x.ids); n > 0 && r.pid <= x.ids[n-1] {
			if i, found := slices.BinarySearch(x.ids[:sorted], r.pid); found {
				pos = i
			} else if appended == nil {
				appended = map[int64]int{}
			}
		}
		if pos < 0 {
			pos = len(x.ids)
			if appended != nil {
				appended[r.pid] = pos
			} else {
				sorted = pos + 1
			}
		}
		if pos == len(x.ids) {
			x.ids = append(x.ids, r.pid)
			x.arts = append(x.arts, 0)
			x.scales = append(x.scales, 0)
			x.codes = append(x.codes, make([]int8, dim)...)
			if x.full != nil || len(x.ids) == 1 {
				x.full = append(x.full, make([]float32, dim)...)
			}
			if x.signs != nil {
				x.signs = append(x.signs, make([]uint64, x.nw)...)
			}
		}
		x.arts[pos] = r.aid
		x.scales[pos] = r.scale
		copy(x.codes[pos*dim:(pos+1)*dim], r.codes)
		if x.full != nil && r.full != nil {
			copy(x.full[pos*dim:(pos+1)*dim], r.full)
		}
		touched = append(touched, pos)
	}
	if appended != nil {
		x.sortByID()
		touched = nil // sortByID rebuilt the sign codes
	}
	x.settle(keepFull, touched)
}

// settle drops the float32 copy once the index outgrows ExactBelow (or a
// row came without one) and keeps the sign codes current.
func (x *VectorIndex) settle(keepFull bool, touched []int) {
	n := len(x.ids)
	if x.full != nil && (!keepFull || n > x.opts.exactBelow()) {
		x.full = nil
	}
	if x.full != nil {
		return
	}
	if x.signs == nil || n >= 2*x.statsN {
		// The centre of a small or fast-growing index moves; recompute it
		// from all the vectors.
		x.rebuildSigns()
		return
	}
	for _, pos := range touched {
		x.encodeSigns(pos)
	}
}

// sortByID restores the passage id order after out-of-order additions.
func (x *VectorIndex) sortByID() {
	n := len(x.ids)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	sort.Slice(perm, func(i, j int) bool { return x.ids[perm[i]] < x.ids[perm[j]] })
	dim := x.dim
	ids := make([]int64, n)
	arts := make([]int64, n)
	scales := make([]float32, n)
	codes := make([]int8, n*dim)
	var full []float32
	if x.full != nil {
		full = make([]float32, n*dim)
	}
	for to, from := range perm {
		ids[to], arts[to], scales[to] = x.ids[from], x.arts[from], x.scales[from]
		copy(codes[to*dim:(to+1)*dim], x.codes[from*dim:(from+1)*dim])
		if full != nil {
			copy(full[to*dim:(to+1)*dim], x.full[from*dim:(from+1)*dim])
		}
	}
	x.ids, x.arts, x.scales, x.codes, x.full = ids, arts, scales, codes, full
	x.signs = nil
}

// rebuildSigns recomputes the centre and spread of every dimension and the
// sign codes of all vectors.
func (x *VectorIndex) rebuildSigns() {
	n, dim := len(x.ids), x.dim
	x.statsN = n
	x.center = make([]float32, dim)
	x.spread = make([]float32, dim)
	if n == 0 {
		x.signs = []uint64{}
		return
	}
	sum := make([]float64, dim)
	for i := 0; i < n; i++ {
		s := float64(x.scales[i])
		for j, c := range x.codes[i*dim : (i+1)*dim] {
			sum[j] += float64(c) * s
		}
	}
	for j := range sum {
		x.center[j] = float32(sum[j] / float64(n))
		sum[j] = 0
	}
	for i := 0; i < n; i++ {
		s := x.scales[i]
		for j, c := range x.codes[i*dim : (i+1)*dim] {
			sum[j] += math.Abs(float64(float32(c)*s - x.center[j]))
		}
	}
	for j := range sum {
		x.spread[j] = float32(sum[j] / float64(n))
	}
	x.signs = make([]uint64, n*x.nw)
	workers := min(x.opts.workers(), max(1, n/10000))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				x.encodeSigns(i)
			}
		}(w*n/workers, (w+1)*n/workers)
	}
	wg.Wait()
}

// encodeSigns writes the sign code of the vector at pos: bit j is set when
// component j lies above the centre.
func (x *VectorIndex) encodeSigns(pos int) {
	dim, nw := x.dim, x.nw
	code := x.signs[pos*nw : (pos+1)*nw]
	s := x.scales[pos]
	codes := x.codes[pos*dim : (pos+1)*dim]
	center := x.center[:dim]
	var word uint64
	for j, c := range codes {
		var bit uint64
		if float32(c)*s > center[j] {
			bit = 1
		}
		word |= bit << (j & 63)
		if j&63 == 63 {
			code[j>>6] = word
			word = 0
		}
	}
	if dim&63 != 0 {
		code[nw-1] = word
	}
}

// Search returns up to k passages by descending cosine similarity to
// query, skipping those allow rejects. See VectorSearcher.
func (x *VectorIndex) Search(ctx context.Context, query []float32, k int, allow func(passageID, articleID int64) bool) []VectorHit {
	if k <= 0 || len(query) != x.dim {
		return nil
	}
	q := normalized(query)
	x.mu.RLock()
	n := len(x.ids)
	if n == 0 {
		x.mu.RUnlock()
		return nil
	}
	var top []scored
	exact := x.full != nil
	if exact {
		top = x.scan(ctx, n, k, func(w *scanWorker, lo, hi int) { w.exact(x, q, lo, hi, allow) })
	} else {
		depth := 2*k + 16
		keep := max(x.opts.prefilterKeep(n, k), depth)
		if keep >= n || x.signs == nil {
			top = x.scan(ctx, n, depth, func(w *scanWorker, lo, hi int) { w.int8(x, q, lo, hi, allow) })
		} else {
			planes := newSignPlanes(q, x.spread, x.nw)
			top = x.scan(ctx, n, depth, func(w *scanWorker, lo, hi int) {
				share := max(keep*(hi-lo)/n, depth)
				w.signs(x, planes, lo, hi, share, allow)
				w.int8Positions(x, q)
			})
		}
	}
	if ctx.Err() != nil {
		x.mu.RUnlock()
		return nil
	}
	hits := make([]VectorHit, len(top))
	for i, s := range top {
		hits[i] = VectorHit{PassageID: x.ids[s.pos], ArticleID: x.arts[s.pos], Score: float64(s.score)}
	}
	x.mu.RUnlock()
	if !exact {
		hits = x.rerank(ctx, q, hits)
	}
	sortHits(hits)
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}

// rerank replaces int8 scores with exact ones where Exact provides the
// vectors.
func (x *VectorIndex) rerank(ctx context.Context, q []float32, hits []VectorHit) []VectorHit {
	if x.Exact == nil || len(hits) == 0 {
		return hits
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.PassageID
	}
	vecs, err := x.Exact(ctx, ids)
	if err != nil {
		return hits
	}
	for i, h := range hits {
		if v, ok := vecs[h.PassageID]; ok && len(v) == len(q) {
			hits[i].Score = float64(dotF32(q, v))
		}
	}
	return hits
}

func sortHits(hits []VectorHit) {
	slices.SortFunc(hits, func(a, b VectorHit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.PassageID, b.PassageID)
	})
}

// scored is a position in the index with a score.
type scored struct {
	score float32
	pos   int32
}

// less orders by score, then prefers the lower position (the lower passage
// id) among equal scores, so results do not depend on the scan's split.
func less(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.pos > b.pos
}

// scanWorker is one goroutine's share of a scan.
type scanWorker struct {
	done   <-chan struct{}
	heap   topN[scored]
	cands  []int32 // positions kept by the sign pass
	scores []int32 // the sign pass's scores
	hist   [histBins]int32
	qc     []int8 // the query quantised to int8
	qs     float32
}

// cancelled is polled every few thousand vectors.
func (w *scanWorker) cancelled() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// scan splits positions [0, n) among workers, runs fn on each share and
// returns the best k results of all shares, best first.
func (x *VectorIndex) scan(ctx context.Context, n, k int, fn func(w *scanWorker, lo, hi int)) []scored {
	workers := min(x.opts.workers(), max(1, n*x.dim/(1<<20)))
	ws := make([]*scanWorker, workers)
	var wg sync.WaitGroup
	for i := range ws {
		w, _ := x.workers.Get().(*scanWorker)
		if w == nil {
			w = &scanWorker{heap: topN[scored]{worse: less}}
		}
		w.done, w.qc, w.qs = ctx.Done(), nil, 0
		w.heap.reset(k)
		ws[i] = w
		lo, hi := i*n/workers, (i+1)*n/workers
		if workers == 1 {
			fn(w, lo, hi)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, lo, hi)
		}()
	}
	wg.Wait()
	var all []scored
	for _, w := range ws {
		all = append(all, w.heap.items...)
		x.workers.Put(w)
	}
	slices.SortFunc(all, func(a, b scored) int {
		if less(a, b) {
			return 1
		}
		if less(b, a) {
			return -1
		}
		return 0
	})
	if len(all) > k {
		all = all[:k]
	}
	return all
}

const pollEvery = 4096

// exact scores positions [lo, hi) with float32 dot products.
func (w *scanWorker) exact(x *VectorIndex, q []float32, lo, hi int, allow func(passageID, articleID int64) bool) {
	dim := x.dim
	for i := lo; i < hi; i++ {
		if (i-lo)%pollEvery == 0 && w.cancelled() {
			return
		}
		s := dotF32(q, x.full[i*dim:(i+1)*dim])
		if w.heap.full() && s <= w.heap.min().score {
			continue
		}
		if allow != nil && !allow(x.ids[i], x.arts[i]) {
			continue
		}
		w.heap.push(scored{s, int32(i)})
	}
}

func (w *scanWorker) quantizeQuery(q []float32) {
	if w.qc == nil {
		w.qc, w.qs = quantize8(q)
	}
}

// int8 scores positions [lo, hi) with int8 dot products.
func (w *scanWorker) int8(x *VectorIndex, q []float32, lo, hi int, allow func(passageID, articleID int64) bool) {
	w.quantizeQuery(q)
	dim := x.dim
	for i := lo; i < hi; i++ {
		if (i-lo)%pollEvery == 0 && w.cancelled() {
			return
		}
		s := float32(dotI8(w.qc, x.codes[i*dim:(i+1)*dim])) * w.qs * x.scales[i]
		if w.heap.full() && s <= w.heap.min().score {
			continue
		}
		if allow != nil && !allow(x.ids[i], x.arts[i]) {
			continue
		}
		w.heap.push(scored{s, int32(i)})
	}
}

// int8Positions scores the positions the sign pass kept with int8 dot
// products; they passed allow already.
func (w *scanWorker) int8Positions(x *VectorIndex, q []float32) {
	if w.cancelled() {
		return
	}
	w.quantizeQuery(q)
	dim := x.dim
	for _, p := range w.cands {
		i := int(p)
		s := float32(dotI8(w.qc, x.codes[i*dim:(i+1)*dim])) * w.qs * x.scales[i]
		w.heap.push(scored{s, p})
	}
}

// signs runs the 1-bit pass over positions [lo, hi) and keeps about the
// best share of them in w.cands, in position order. Scores are small
// integers, so the cut is found with a histogram rather than a heap: two
// linear passes, no sorting.
func (w *scanWorker) signs(x *VectorIndex, planes []uint64, lo, hi, share int, allow func(passageID, articleID int64) bool) {
	nw := x.nw
	codes := x.signs
	if cap(w.scores) < hi-lo {
		w.scores = make([]int32, hi-lo)
	}
	scores := w.scores[:hi-lo]
	// Scores lie within ±top*dim; bins of 2^shift scores keep the
	// histogram within histBins.
	limit := (1<<signBits - 1) * nw * 64
	shift := 0
	for (2*limit+1)>>shift >= histBins {
		shift++
	}
	hist := w.hist[:]
	clear(hist)
	const rejected = math.MinInt32
	for i := lo; i < hi; i++ {
		if (i-lo)%pollEvery == 0 && w.cancelled() {
			return
		}
		var sc int32
		if nw == 6 {
			sc = planeScore6(planes, codes[i*6:i*6+6:i*6+6])
		} else {
			sc = planeScore(planes, codes[i*nw:(i+1)*nw:(i+1)*nw])
		}
		if allow != nil && !allow(x.ids[i], x.arts[i]) {
			scores[i-lo] = rejected
			continue
		}
		scores[i-lo] = sc
		hist[(int(sc)+limit)>>shift]++
	}
	cut, kept := len(hist)-1, 0
	for ; cut > 0; cut-- {
		kept += int(hist[cut])
		if kept >= share {
			break
		}
	}
	threshold := int32(cut<<shift - limit) // the lowest score of bin cut
	w.cands = w.cands[:0]
	for i, sc := range scores {
		if sc >= threshold && sc != rejected {
			w.cands = append(w.cands, int32(lo+i))
		}
	}
}

// histBins bounds the histogram of the 1-bit pass.
const histBins = 1 << 15

// signBits is the precision of the query weights in the 1-bit pass.
const signBits = 5

// newSignPlanes prepares a query for the 1-bit pass. A vector's estimate
// is sum_j w[j]*s[j], with w[j] = q[j]*spread[j] and s[j] = +1 where its
// sign code has bit j set, -1 elsewhere: q·x up to a constant, with each
// component of x reduced to its sign around the centre and the typical
// size of that dimension. The weights are quantised to signBits-bit
// unsigned integers u[j] and sliced into bit planes (plane p holds bit p
// of every u[j], word by word), so that sum_j u[j]*b[j] is a few AND and
// POPCNT instructions per 64 dimensions; see planeScore.
func newSignPlanes(q, spread []float32, nw int) []uint64 {
	var m float32
	for j := range q {
		m = max(m, float32(math.Abs(float64(q[j]*spread[j]))))
	}
	planes := make([]uint64, signBits*nw)
	if m == 0 {
		return planes
	}
	const top = 1<<signBits - 1
	for j := range q {
		u := int(math.Round(float64((q[j]*spread[j]/m + 1) / 2 * top)))
		for p := 0; p < signBits; p++ {
			if u>>p&1 == 1 {
				planes[p*nw+j>>6] |= 1 << (j & 63)
			}
		}
	}
	return planes
}

// planeScore ranks a sign code against prepared planes: with u[j] =
// (w[j]/m+1)/2*top, 2*sum_j u[j]*b[j] - top*popcount(b) is proportional to
// sum_j w[j]*(2*b[j]-1).
func planeScore(planes []uint64, code []uint64) int32 {
	nw := len(code)
	var acc, ones int
	for i, b := range code {
		ones += bits.OnesCount64(b)
		for p := 0; p < signBits; p++ {
			acc += bits.OnesCount64(b&planes[p*nw+i]) << p
		}
	}
	return int32(2*acc - (1<<signBits-1)*ones)
}

// planeScore6 is planeScore unrolled for 384 dimensions, the size of the
// common small embeddings models.
func planeScore6(planes []uint64, code []uint64) int32 {
	pl := (*[signBits * 6]uint64)(planes)
	c := (*[6]uint64)(code)
	var acc, ones int
	for i := 0; i < 6; i++ {
		b := c[i]
		ones += bits.OnesCount64(b)
		acc += bits.OnesCount64(b&pl[i]) + bits.OnesCount64(b&pl[6+i])<<1 + bits.OnesCount64(b&pl[12+i])<<2 +
			bits.OnesCount64(b&pl[18+i])<<3 + bits.OnesCount64(b&pl[24+i])<<4
	}
	return int32(2*acc - (1<<signBits-1)*ones)
}

// dotF32 is the dot product of two vectors of equal length.
func dotF32(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa := a[i : i+4 : i+4]
		bb := b[i : i+4 : i+4]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// dotI8 is the dot product of two int8 vectors of equal length.
func dotI8(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		s0 += int32(aa[0])*int32(bb[0]) + int32(aa[4])*int32(bb[4])
		s1 += int32(aa[1])*int32(bb[1]) + int32(aa[5])*int32(bb[5])
		s2 += int32(aa[2])*int32(bb[2]) + int32(aa[6])*int32(bb[6])
		s3 += int32(aa[3])*int32(bb[3]) + int32(aa[7])*int32(bb[7])
	}
	for ; i < len(a); i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return s0 + s1 + s2 + s3
}

// normalized returns a unit-length copy of v (all zeros stay zeros).
func normalized(v []float32) []float32 {
	var ss float64
	for _, f := range v {
		ss += float64(f) * float64(f)
	}
	out := make([]float32, len(v))
	if ss == 0 {
		return out
	}
	inv := 1 / math.Sqrt(ss)
	for i, f := range v {
		out[i] = float32(float64(f) * inv)
	}
	return out
}

// quantize8 maps v to int8 codes with codes[i]*scale ≈ v[i].
func quantize8(v []float32) ([]int8, float32) {
	var m float32
	for _, f := range v {
		m = max(m, float32(math.Abs(float64(f))))
	}
	codes := make([]int8, len(v))
	if m == 0 {
		return codes, 0
	}
	scale := m / 127
	for i, f := range v {
		codes[i] = int8(math.Round(float64(f / scale)))
	}
	return codes, scale
}

func encodeF32(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeF32(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func encodeI8(c []int8) []byte {
	b := make([]byte, len(c))
	for i, v := range c {
		b[i] = byte(v)
	}
	return b
}

func decodeI8(b []byte) []int8 {
	c := make([]int8, len(b))
	for i, v := range b {
		c[i] = int8(v)
	}
	return c
}

// FuseRRF merges ranked lists of passage ids by reciprocal rank fusion: an
// id scores the sum of 1/(k + rank) over the lists it appears in (rank
// from 1), and the result is ordered by that score, ties by first
// appearance. k <= 0 means DefaultRRFK.
func FuseRRF(lists [][]int64, k float64) []int64 {
	ids, _ := fuseRRF(lists, k)
	return ids
}

func fuseRRF(lists [][]int64, k float64) ([]int64, map[int64]float64) {
	if k <= 0 {
		k = DefaultRRFK
	}
	score := map[int64]float64{}
	var order []int64
	for _, list := range lists {
		seen := make(map[int64]bool, len(list))
		for rank, id := range list {
			if seen[id] {
				continue // an id counts once per list, at its best rank
			}
			seen[id] = true
			if _, ok := score[id]; !ok {
				order = append(order, id)
			}
			score[id] += 1 / (k + float64(rank+1))
		}
	}
	slices.SortStableFunc(order, func(a, b int64) int { return cmp.Compare(score[b], score[a]) })
	return order, score
}

// vectorSpace is the current vector space and its bookkeeping
// (vector_meta).
type vectorSpace struct {
	model string
	dim   int
	gen   int64
	upto  int64
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readVectorSpace(ctx context.Context, q queryer) (vectorSpace, error) {
	var s vectorSpace
	err := q.QueryRowContext(ctx, `SELECT model, dim, gen, embedded_upto FROM vector_meta WHERE id = 1`).Scan(&s.model, &s.dim, &s.gen, &s.upto)
	if err != nil {
		return s, WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	return s, nil
}

// missingCond selects passages p without a vector of (model, dim).
const missingCond = `NOT EXISTS (SELECT 1 FROM passage_vectors v WHERE v.passage_id = p.id AND v.model = ? AND v.dim = ?)`

// EmbedMissing embeds, batchSize at a time (0 means DefaultEmbedBatch), the
// passages that have no vector of emb's model, and returns how many it
// embedded. The text embedded is the headline, a newline and the passage.
// Each batch is committed on its own, so an interrupted run (ctx cancelled,
// a failing endpoint) keeps what it did and the next run continues where
// it stopped. Vectors of another model, or of another dimension than the
// model now returns, count as missing and are replaced. progress, when not
// nil, is called with the passages done and the total to do, first before
// any work (counting takes a scan of the passages to do) and then after
// each batch.
func (db *DB) EmbedMissing(ctx context.Context, emb Embedder, batchSize int, progress func(done, total int)) (int, error) {
	if emb == nil || emb.Model() == "" {
		return 0, Errorf(EINVALID, "No embeddings model is configured.")
	}
	model := emb.Model()
	if batchSize <= 0 {
		batchSize = DefaultEmbedBatch
	}
	sp, err := readVectorSpace(ctx, db.db)
	if err != nil {
		return 0, err
	}
	var dim int
	var cursor int64
	if sp.model == model {
		dim, cursor = sp.dim, sp.upto
	}
	total := 0
	if progress != nil {
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages p WHERE p.id > ? AND `+missingCond, cursor, model, dim).Scan(&total); err != nil {
			return 0, WrapError(EINTERNAL, "Cannot read the database.", err)
		}
		progress(0, total)
	}
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		batch, err := db.missingPassages(ctx, model, dim, cursor, batchSize)
		if err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}
		texts := make([]string, len(batch))
		for i, p := range batch {
			texts[i] = p.text
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return done, err
		}
		if len(vecs) != len(batch) || len(vecs[0]) == 0 {
			return done, Errorf(EUNAVAILABLE, "The embeddings model returned %d vectors for %d texts.", len(vecs), len(batch))
		}
		for _, v := range vecs {
			if len(v) != len(vecs[0]) {
				return done, Errorf(EUNAVAILABLE, "The embeddings model returned vectors of %d and %d dimensions.", len(vecs[0]), len(v))
			}
		}
		next, switched, err := db.storeVectors(ctx, model, batch, vecs, cursor)
		if err != nil {
			return done, err
		}
		done += len(batch)
		dim, cursor = len(vecs[0]), next
		if switched && progress != nil {
			// The space changed under this run (the model now answers with
			// another dimension): everything is to do again.
			if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages p WHERE p.id > ? AND `+missingCond, cursor, model, dim).Scan(&total); err != nil {
				return done, WrapError(EINTERNAL, "Cannot read the database.", err)
			}
			total += done
		}
		if progress != nil {
			progress(done, max(total, done))
		}
	}
}

// ProbeVectorSpace embeds one short text to learn the dimension emb
// answers with now, and returns it. When emb's model is the current one but
// its dimension changed (a server that now truncates, another model under
// the same name), that dimension becomes the current space, so that the
// next EmbedMissing re-embeds every passage; EmbedMissing alone notices
// only when it has something to embed. herald reindex calls it first.
func (db *DB) ProbeVectorSpace(ctx context.Context, emb Embedder) (int, error) {
	if emb == nil || emb.Model() == "" {
		return 0, Errorf(EINVALID, "No embeddings model is configured.")
	}
	vecs, err := emb.Embed(ctx, []string{"Herald checks the embeddings model."})
	if err != nil {
		return 0, err
	}
	if len(vecs) != 1 || len(vecs[0]) == 0 {
		return 0, Errorf(EUNAVAILABLE, "The embeddings model returned no vector.")
	}
	dim := len(vecs[0])
	res, err := db.db.ExecContext(ctx, `UPDATE vector_meta SET dim = ?, embedded_upto = 0, gen = gen + 1 WHERE id = 1 AND model = ? AND dim <> ?`, dim, emb.Model(), dim)
	if err != nil {
		return 0, WrapError(EINTERNAL, "Cannot write to the database.", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		db.Logger.Info("embeddings model changed its dimension: re-embedding every passage", "model", emb.Model(), "dim", dim)
	}
	return dim, nil
}

type pendingPassage struct {
	id   int64
	text string
}

// missingPassages returns up to limit passages after id cursor without a
// vector of (model, dim), in id order.
func (db *DB) missingPassages(ctx context.Context, model string, dim int, cursor int64, limit int) ([]pendingPassage, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT p.id, p.seq, p.start, p.end, p.chunk, a.title
		FROM passages p JOIN articles a ON a.id = p.article_id
		WHERE p.id > ? AND `+missingCond+` ORDER BY p.id LIMIT ?`, cursor, model, dim, limit)
	if err != nil {
		return nil, WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	defer rows.Close()
	var out []pendingPassage
	for rows.Next() {
		var p pendingPassage
		var seq, start, end int
		var chunk []byte
		var title string
		if err := rows.Scan(&p.id, &seq, &start, &end, &chunk, &title); err != nil {
			return nil, WrapError(EINTERNAL, "Cannot read the database.", err)
		}
		p.text = title + "\n" + mustPassageText(chunk, seq, start, end)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	return out, nil
}

// storeVectors writes one batch of vectors in a transaction and returns
// the id after which the next batch starts. It switches the current space
// when the batch is of another one, and advances embedded_upto only when
// nothing lowered it since this run read it.
func (db *DB) storeVectors(ctx context.Context, model string, batch []pendingPassage, vecs [][]float32, cursor int64) (next int64, switched bool, err error) {
	dim := len(vecs[0])
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
	}
	defer db.endWrite(tx)
	sp, err := readVectorSpace(ctx, tx)
	if err != nil {
		return 0, false, err
	}
	gen := sp.gen + 1
	if sp.model != model || sp.dim != dim {
		switched = sp.model != "" || sp.dim != 0
		if switched {
			db.Logger.Info("embeddings model changed: re-embedding every passage",
				"from", sp.model, "from_dim", sp.dim, "to", model, "to_dim", dim)
		}
		sp.upto = 0
		if _, err := tx.ExecContext(ctx, `UPDATE vector_meta SET model = ?, dim = ?, embedded_upto = 0 WHERE id = 1`, model, dim); err != nil {
			return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
		}
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO passage_vectors(passage_id, model, dim, gen, scale, q8, vec)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)`)
	if err != nil {
		return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
	}
	defer st.Close()
	for i, p := range batch {
		v := normalized(vecs[i])
		codes, scale := quantize8(v)
		if _, err := st.ExecContext(ctx, p.id, model, dim, gen, float64(scale), encodeI8(codes), encodeF32(v), p.id); err != nil {
			return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
		}
	}
	last := batch[len(batch)-1].id
	next = last
	switch {
	case switched:
		// The batch was chosen by the old space's vectors: passages
		// before it may still hold those. Look again from the start.
		next = 0
	case sp.upto == cursor:
		// Every passage up to last now has a vector: those before the
		// batch were skipped by the query because they had one.
		if _, err := tx.ExecContext(ctx, `UPDATE vector_meta SET embedded_upto = ? WHERE id = 1`, last); err != nil {
			return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
		}
	case sp.upto < cursor:
		// A passage id at or below the cursor was freed and may be reused
		// by a new passage: look again from the lowered mark.
		next = sp.upto
	}
	if _, err := tx.ExecContext(ctx, `UPDATE vector_meta SET gen = ? WHERE id = 1`, gen); err != nil {
		return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, WrapError(EINTERNAL, "Cannot write to the database.", err)
	}
	return next, switched, nil
}

// VectorCounts says how far the passages are embedded.
type VectorCounts struct {
	Model    string `json:"model"`    // the current embeddings model, "" before any
	Dim      int    `json:"dim"`      // its dimension
	Passages int    `json:"passages"` // all passages
	Embedded int    `json:"embedded"` // passages with a vector of the current model
}

// VectorCounts returns the current vector space and how many passages have
// a vector in it.
func (db *DB) VectorCounts(ctx context.Context) (VectorCounts, error) {
	sp, err := readVectorSpace(ctx, db.db)
	if err != nil {
		return VectorCounts{}, err
	}
	c := VectorCounts{Model: sp.model, Dim: sp.dim}
	err = db.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM passages),
		(SELECT count(*) FROM passage_vectors WHERE model = ? AND dim = ?)`, sp.model, sp.dim).Scan(&c.Passages, &c.Embedded)
	if err != nil {
		return c, WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	return c, nil
}

// vectorState is a DB's in-memory vector index and query cache.
type vectorState struct {
	mu      sync.Mutex // serialises loads and refreshes
	opts    VectorIndexOptions
	index   VectorSearcher
	model   string
	dim     int
	gen     int64
	queries []cachedQuery // most recent last

	articles []articleMeta     // by article id, for filtered searches
	interned map[string]string // guild ids and sources, stored once
}

type cachedQuery struct {
	model, text string
	vec         []float32
}

const queryCacheSize = 32

// SetVectorOptions sets how the in-memory vector index is built; the next
// vector search reloads it.
func (db *DB) SetVectorOptions(o VectorIndexOptions) {
	db.vec.mu.Lock()
	defer db.vec.mu.Unlock()
	db.vec.opts = o
	db.vec.index = nil
}

// LoadVectors loads the vectors of model into memory now, if it is the
// current embeddings model, so that the first question does not wait for
// them; `herald serve` may call it in the background at start. It returns
// the number of vectors loaded.
func (db *DB) LoadVectors(ctx context.Context, model string) (int, error) {
	sp, err := readVectorSpace(ctx, db.db)
	if err != nil || sp.model != model || model == "" {
		return 0, err
	}
	idx, err := db.vectorSearcher(ctx, model, sp.dim)
	if err != nil {
		return 0, err
	}
	return idx.Len(), nil
}

// vectorSearcher returns the in-memory index of (model, dim), loading it
// on first use and adding the vectors of batches written since.
func (db *DB) vectorSearcher(ctx context.Context, model string, dim int) (VectorSearcher, error) {
	st := &db.vec
	st.mu.Lock()
	defer st.mu.Unlock()
	sp, err := readVectorSpace(ctx, db.db)
	if err != nil {
		return nil, err
	}
	if st.index != nil && st.model == model && st.dim == dim {
		if sp.gen != st.gen {
			if err := db.refreshVectors(ctx, st.index, model, dim, st.gen); err != nil {
				return nil, err
			}
			st.gen = sp.gen
		}
		return st.index, nil
	}
	idx, err := db.loadVectorIndex(ctx, model, dim, st.opts)
	if err != nil {
		return nil, err
	}
	st.index, st.model, st.dim, st.gen = idx, model, dim, sp.gen
	return idx, nil
}

// loadVectorIndex reads every vector of (model, dim): int8 codes only,
// unless they are few enough to keep at full precision.
func (db *DB) loadVectorIndex(ctx context.Context, model string, dim int, opts VectorIndexOptions) (*VectorIndex, error) {
	idx := NewVectorIndex(dim, opts)
	idx.Exact = db.exactVectors(model, dim)
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passage_vectors WHERE model = ? AND dim = ?`, model, dim).Scan(&n); err != nil {
		return nil, WrapError(EINTERNAL, "Cannot read the vectors.", err)
	}
	if n == 0 {
		return idx, nil
	}
	withFull := n <= opts.exactBelow()
	rows, err := db.queryVectors(ctx, model, dim, -1, withFull)
	if err != nil {
		return nil, err
	}
	idx.ids = make([]int64, 0, n)
	idx.arts = make([]int64, 0, n)
	idx.scales = make([]float32, 0, n)
	idx.codes = make([]int8, 0, n*dim)
	if withFull {
		idx.full = make([]float32, 0, n*dim)
	}
	err = scanVectorRows(rows, dim, withFull, func(pid, aid int64, scale float32, q8, vec []byte) {
		idx.ids = append(idx.ids, pid)
		idx.arts = append(idx.arts, aid)
		idx.scales = append(idx.scales, scale)
		for _, b := range q8 {
			idx.codes = append(idx.codes, int8(b))
		}
		if withFull {
			for i := 0; i+4 <= len(vec); i += 4 {
				idx.full = append(idx.full, math.Float32frombits(binary.LittleEndian.Uint32(vec[i:])))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if !slices.IsSorted(idx.ids) {
		idx.sortByID()
	}
	idx.settle(withFull, nil)
	return idx, nil
}

// refreshVectors adds to idx the vectors of (model, dim) written after
// generation gen.
func (db *DB) refreshVectors(ctx context.Context, s VectorSearcher, model string, dim int, gen int64) error {
	idx, fast := s.(*VectorIndex)
	withFull := !fast
	if fast {
		idx.mu.RLock()
		withFull = idx.full != nil
		idx.mu.RUnlock()
	}
	rows, err := db.queryVectors(ctx, model, dim, gen, withFull)
	if err != nil {
		return err
	}
	var batch []vecRow
	err = scanVectorRows(rows, dim, withFull, func(pid, aid int64, scale float32, q8, vec []byte) {
		r := vecRow{pid: pid, aid: aid, scale: scale, codes: decodeI8(q8)}
		if withFull {
			r.full = decodeF32(vec)
		}
		batch = append(batch, r)
	})
	if err != nil {
		return err
	}
	if fast {
		idx.upsert(batch)
		return nil
	}
	for _, r := range batch {
		s.Add(r.pid, r.aid, r.full)
	}
	return nil
}

// queryVectors selects the vectors of (model, dim) newer than gen (all
// when gen < 0), with their float32 copy when withFull.
func (db *DB) queryVectors(ctx context.Context, model string, dim int, gen int64, withFull bool) (*sql.Rows, error) {
	vec := "x''"
	if withFull {
		vec = "v.vec"
	}
	// A full load scans the table in passage id order, which the index
	// wants; a refresh takes the newer rows through the space index.
	from := "passage_vectors v"
	if gen < 0 {
		from += " NOT INDEXED"
	}
	rows, err := db.db.QueryContext(ctx, `SELECT v.passage_id, p.article_id, v.scale, v.q8, `+vec+`
		FROM `+from+` JOIN passages p ON p.id = v.passage_id
		WHERE v.model = ? AND v.dim = ? AND v.gen > ?`, model, dim, gen)
	if err != nil {
		return nil, WrapError(EINTERNAL, "Cannot read the vectors.", err)
	}
	return rows, nil
}

// scanVectorRows passes each well-formed row to fn; the byte slices are
// valid only during the call.
func scanVectorRows(rows *sql.Rows, dim int, withFull bool, fn func(pid, aid int64, scale float32, q8, vec []byte)) error {
	defer rows.Close()
	var pid, aid int64
	var scale float64
	var q8, vec sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&pid, &aid, &scale, &q8, &vec); err != nil {
			return WrapError(EINTERNAL, "Cannot read the vectors.", err)
		}
		if len(q8) != dim || (withFull && len(vec) != 4*dim) {
			continue
		}
		fn(pid, aid, float32(scale), q8, vec)
	}
	if err := rows.Err(); err != nil {
		return WrapError(EINTERNAL, "Cannot read the vectors.", err)
	}
	return nil
}

// exactVectors returns the Exact function of an index over (model, dim):
// the float32 vectors read back from SQLite.
func (db *DB) exactVectors(model string, dim int) func(ctx context.Context, ids []int64) (map[int64][]float32, error) {
	return func(ctx context.Context, ids []int64) (map[int64][]float32, error) {
		out := make(map[int64][]float32, len(ids))
		for start := 0; start < len(ids); start += maxSQLIDs {
			part := ids[start:min(start+maxSQLIDs, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			// Looked up by primary key only: with model and dim in the
			// WHERE clause SQLite prefers the space index and scans it.
			rows, err := db.db.QueryContext(ctx, `SELECT passage_id, model, dim, vec FROM passage_vectors WHERE passage_id IN (`+placeholders(len(part))+`)`, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var id int64
				var m string
				var d int
				var b sql.RawBytes
				if err := rows.Scan(&id, &m, &d, &b); err != nil {
					rows.Close()
					return nil, err
				}
				if m == model && d == dim && len(b) == 4*dim {
					out[id] = decodeF32(b)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// maxSQLIDs bounds the ids bound into one IN (...) list.
const maxSQLIDs = 500

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// embedQuery returns the unit-length embedding of a query, from a small
// cache of recent queries when possible.
func (db *DB) embedQuery(ctx context.Context, emb Embedder, query string) ([]float32, error) {
	model := emb.Model()
	st := &db.vec
	st.mu.Lock()
	for i := len(st.queries) - 1; i >= 0; i-- {
		if c := st.queries[i]; c.model == model && c.text == query {
			st.mu.Unlock()
			return c.vec, nil
		}
	}
	st.mu.Unlock()
	vecs, err := emb.Embed(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	if len(vecs) != 1 || len(vecs[0]) == 0 {
		return nil, Errorf(EUNAVAILABLE, "The embeddings model returned no vector for the question.")
	}
	v := normalized(vecs[0])
	st.mu.Lock()
	st.queries = append(st.queries, cachedQuery{model: model, text: query, vec: v})
	if len(st.queries) > queryCacheSize {
		st.queries = slices.Delete(st.queries, 0, len(st.queries)-queryCacheSize)
	}
	st.mu.Unlock()
	return v, nil
}

// VectorSearch embeds query with emb and returns up to k passages (0 means
// Ranking.Candidates of DefaultRanking) by descending cosine similarity,
// restricted by f like Search (guild scope, dates, sources; f.Limit is
// ignored). Only passages with a vector of emb's model are found. The
// in-memory index is loaded on the first call, which may take seconds on
// a large database (see LoadVectors).
func (db *DB) VectorSearch(ctx context.Context, emb Embedder, query string, f Filter, k int) ([]VectorHit, error) {
	if emb == nil || strings.TrimSpace(query) == "" {
		return nil, nil
	}
	if k <= 0 {
		k = DefaultRanking().Candidates
	}
	q, err := db.embedQuery(ctx, emb, query)
	if err != nil {
		return nil, err
	}
	idx, err := db.vectorSearcher(ctx, emb.Model(), len(q))
	if err != nil {
		return nil, err
	}
	if idx.Len() == 0 {
		return nil, nil
	}
	where, args := filterSQL(f)
	var allow func(passageID, articleID int64) bool
	if where != "1" {
		pred, err := db.articlePredicate(ctx, f)
		if err != nil {
			return nil, err
		}
		allow = func(_, articleID int64) bool { return pred(articleID) }
	}
	// A few more than k: the check below drops passages deleted since the
	// index was loaded, and any that stale article metadata let through.
	want := k + k/8 + 4
	exact := false // allow is the exact list of allowed passages
	for attempt := 0; ; attempt++ {
		hits := idx.Search(ctx, q, want, allow)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.PassageID
		}
		// SQL has the last word on what exists and what f allows.
		ok, err := db.filterPassageIDs(ctx, ids, f)
		if err != nil {
			return nil, err
		}
		out := hits[:0]
		for _, h := range hits {
			if ok[h.PassageID] && len(out) < k {
				out = append(out, h)
			}
		}
		if len(out) >= k {
			return out, nil
		}
		exhausted := len(hits) < want
		switch {
		case !exhausted && attempt == 0:
			want *= 4
		case where != "1" && !exact:
			// Too few, by the article metadata in memory, which may be
			// stale: list what the filter allows and search only that. A
			// narrow filter lands here; the list is short then.
			set, err := db.allowedPassages(ctx, where, args)
			if err != nil {
				return nil, err
			}
			allow = func(id, _ int64) bool { _, ok := set[id]; return ok }
			want, exact = k, true
		default:
			return out, nil
		}
	}
}

// articleMeta is what Filter looks at in an article, kept in memory so
// that a filtered vector search skips excluded passages during the scan.
type articleMeta struct {
	known     bool
	guild     string
	published int64 // unix seconds; unknownDate when NULL
	source    string
}

const unknownDate = math.MinInt64

// articlePredicate returns a function that tells, from the article
// metadata held in memory, whether f allows an article. It mirrors
// filterSQL; it may be stale (an article updated since it was read), so
// VectorSearch checks its results with SQL. Unknown articles are allowed,
// for the check to decide.
func (db *DB) articlePredicate(ctx context.Context, f Filter) (func(articleID int64) bool, error) {
	v, err := db.articleView(ctx, f)
	if err != nil {
		return nil, err
	}
	return v.allows, nil
}

// articleView is the article metadata held in memory, seen through a
// filter: the vector search and the keyword first stage both filter with
// it before SQL has the last word.
type articleView struct {
	metas              []articleMeta
	f                  Filter
	sources            []string
	since, until, asOf int64
}

// articleView reads the articles added since the last call and returns the
// metadata seen through f.
func (db *DB) articleView(ctx context.Context, f Filter) (*articleView, error) {
	st := &db.vec
	st.mu.Lock()
	err := db.refreshArticleMeta(ctx)
	v := &articleView{metas: st.articles, f: f, since: f.Since.Unix(), until: f.Until.Unix(), asOf: f.AsOf.Unix()}
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	for _, s := range f.Sources {
		v.sources = append(v.sources, strings.ToLower(strings.TrimSpace(s)))
	}
	return v, nil
}

// known reports whether the metadata of article id is held.
func (v *articleView) known(id int64) bool {
	return id > 0 && id < int64(len(v.metas)) && v.metas[id].known
}

// published is the publication date of a known article (zero if unknown).
func (v *articleView) published(id int64) time.Time {
	if !v.known(id) || v.metas[id].published == unknownDate {
		return time.Time{}
	}
	return time.Unix(v.metas[id].published, 0).UTC()
}

// allows is filterSQL's condition for article id; unknown articles pass.
func (v *articleView) allows(id int64) bool {
	if !v.known(id) {
		return true
	}
	a, f := &v.metas[id], v.f
	switch f.GuildID {
	case "*":
	case "":
		if a.guild != "" {
			return false
		}
	default:
		if a.guild != "" && a.guild != f.GuildID {
			return false
		}
	}
	if !f.Since.IsZero() && (a.published == unknownDate || a.published < v.since) {
		return false
	}
	if !f.Until.IsZero() && (a.published == unknownDate || a.published >= v.until) {
		return false
	}
	if !f.AsOf.IsZero() && a.published != unknownDate && a.published > v.asOf {
		return false
	}
	if len(v.sources) > 0 && !slices.Contains(v.sources, a.source) {
		return false
	}
	return true
}

// refreshArticleMeta reads the articles added since the last call. The
// caller holds db.vec.mu.
func (db *DB) refreshArticleMeta(ctx context.Context) error {
	st := &db.vec
	from := int64(len(st.articles)) - 1
	rows, err := db.db.QueryContext(ctx, `SELECT id, guild_id, published_at, source FROM articles WHERE id > ? ORDER BY id`, max(from, 0))
	if err != nil {
		return WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	defer rows.Close()
	if st.interned == nil {
		st.interned = map[string]string{}
	}
	intern := func(s string) string {
		if v, ok := st.interned[s]; ok {
			return v
		}
		st.interned[s] = s
		return s
	}
	for rows.Next() {
		var id int64
		var guild, source string
		var pub sql.NullInt64
		if err := rows.Scan(&id, &guild, &pub, &source); err != nil {
			return WrapError(EINTERNAL, "Cannot read the database.", err)
		}
		for int64(len(st.articles)) <= id {
			st.articles = append(st.articles, articleMeta{})
		}
		m := articleMeta{known: true, guild: intern(guild), published: unknownDate, source: intern(asciiLower(source))}
		if pub.Valid {
			m.published = pub.Int64
		}
		st.articles[id] = m
	}
	if err := rows.Err(); err != nil {
		return WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	return nil
}

// asciiLower lower-cases ASCII letters only, like SQLite's lower().
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// filterPassageIDs returns which of ids are passages that f allows.
func (db *DB) filterPassageIDs(ctx context.Context, ids []int64, f Filter) (map[int64]bool, error) {
	ok := make(map[int64]bool, len(ids))
	err := db.queryPassages(ctx, ids, f, `p.id`, func(r rowScanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ok[id] = true
		return nil
	})
	return ok, err
}

// allowedPassages lists every passage f's WHERE clause allows.
func (db *DB) allowedPassages(ctx context.Context, where string, args []any) (map[int64]struct{}, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id WHERE `+where, args...)
	if err != nil {
		return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
	}
	defer rows.Close()
	set := map[int64]struct{}{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
		}
		set[id] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
	}
	return set, nil
}

// fuseVectorCandidates is hybrid retrieval's hook in SearchWith, called
// after rescore: it adds the k nearest passages by vector to the BM25
// candidates and sets every candidate's score to its reciprocal rank
// fusion score over the two rankings (BM25 by rescore's score, vectors by
// similarity), returning the union best first. On any failure of the
// vector side it returns the BM25 candidates unchanged with the error, so
// that the caller can log it and go on.
func (db *DB) fuseVectorCandidates(ctx context.Context, emb Embedder, query string, f Filter, k int, cands []*candidate) ([]*candidate, error) {
	if emb == nil {
		return cands, nil
	}
	hits, err := db.VectorSearch(ctx, emb, query, f, k)
	if err != nil || len(hits) == 0 {
		return cands, err
	}
	byID := make(map[int64]*candidate, len(cands)+len(hits))
	bm25 := slices.Clone(cands)
	slices.SortStableFunc(bm25, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
	lexical := make([]int64, len(bm25))
	for i, c := range bm25 {
		lexical[i] = c.hit.Passage.ID
		byID[c.hit.Passage.ID] = c
	}
	var vector, missing []int64
	for _, h := range hits {
		vector = append(vector, h.PassageID)
		if byID[h.PassageID] == nil {
			missing = append(missing, h.PassageID)
		}
	}
	extra, err := db.loadCandidates(ctx, missing, f)
	if err != nil {
		return cands, err
	}
	for _, c := range extra {
		byID[c.hit.Passage.ID] = c
	}
	order, score := fuseRRF([][]int64{lexical, vector}, DefaultRRFK)
	out := make([]*candidate, 0, len(order))
	for _, id := range order {
		c := byID[id]
		if c == nil {
			continue // a vector hit deleted meanwhile
		}
		c.score = score[id]
		c.hit.Score = score[id]
		out = append(out, c)
	}
	return out, nil
}
