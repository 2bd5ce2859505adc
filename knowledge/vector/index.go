// Package vector is Herald's vector index: passage embeddings held in
// memory for nearest-neighbour search, and their storage in SQL. It knows
// nothing of Herald's store beyond the passages table it joins for each
// passage's article; the store embeds the passages and asks the questions.
//
// Storage. Every passage may have one vector in passage_vectors, tagged with
// its vector space (model name and dimension), normalised to unit length and
// stored twice: float32 little-endian (vec, for the exact re-rank) and int8
// with a scale (q8, for the in-memory scan and a fast load). vector_meta
// records the current space (Space). Switching the model, or a model that
// starts answering with another dimension, re-embeds: the store treats
// every passage whose vector is of another space as missing (MissingCond)
// and Store replaces it, so spaces are never mixed, the switch is
// resumable, and search keeps working on the part already re-embedded.
//
// Search. An Index holds the vectors of one space in memory, loaded from
// SQL (Load) and refreshed with the rows of newer batches (Refresh,
// vector_meta.gen). Small indexes (ExactBelow vectors) keep float32 and
// scan exhaustively. Larger ones keep int8 codes and a 1-bit sign code per
// vector, and search in three steps: the sign codes are scored against the
// float query (asymmetrically, with bit-sliced weights: a few AND and
// POPCNT instructions per 64 dimensions) and about 3*sqrt(n*k) vectors are
// kept; those are scored with int8 dot products; the best 2k+16 are
// re-ranked with their exact float32 vectors read back from SQL. Memory per
// vector above ExactBelow is dim + dim/8 + 20 bytes (452 MB for 1M passages
// at 384 dimensions): large corpora want a small model, or fewer
// dimensions where the model supports them. Deleted passages stay in
// memory until the index is rebuilt (next start, or a model switch); the
// caller's check of every result drops them.
//
// The tables are created by the store's migrations. The SQL is plain but
// for one SQLite form: a full load reads passage_vectors NOT INDEXED, to
// scan it in passage id order.
package vector

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/herald-bot/herald/knowledge/internal/topn"
)

// Defaults of an Index.
const (
	// DefaultExactBelow is the size up to which an Index keeps float32
	// vectors and scans them exhaustively.
	DefaultExactBelow = 20000
	// DefaultPrefilter is the default of Options.Prefilter.
	DefaultPrefilter = 3.0
)

// Hit is one passage found by vector search, with its cosine similarity
// to the query (higher is better).
type Hit struct {
	PassageID int64   `json:"passage_id"`
	ArticleID int64   `json:"article_id"`
	Score     float64 `json:"score"`
}

// Searcher finds the passages whose vectors are nearest a query. It is the
// seam where an approximate nearest-neighbour index can replace the
// exhaustive Index. Implementations are safe for concurrent use.
type Searcher interface {
	// Search returns up to k passages by descending cosine similarity to
	// query, skipping those allow rejects (nil allows all). It returns nil
	// when ctx ends.
	Search(ctx context.Context, query []float32, k int, allow func(passageID, articleID int64) bool) []Hit
	// Add stores the vector of a passage, replacing any it had.
	Add(passageID, articleID int64, vec []float32)
	// Len is the number of vectors held.
	Len() int
}

// Options tune an Index. Zero values mean the defaults.
type Options struct {
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

func (o Options) exactBelow() int {
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
func (o Options) prefilterKeep(n, k int) int {
	f := o.Prefilter
	switch {
	case f < 0:
		return n
	case f == 0:
		f = DefaultPrefilter
	}
	return max(int(math.Ceil(f*math.Sqrt(float64(n)*float64(k)))), 1000)
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Index is an in-memory exhaustive vector index over one vector space;
// the package comment says how it scans. It implements Searcher.
type Index struct {
	// Exact, when set, returns full-precision vectors of passages for the
	// final re-rank once the index holds int8 codes only; passages it does
	// not return keep their int8 score. Without it, scores above
	// ExactBelow are int8 approximations.
	Exact func(ctx context.Context, passageIDs []int64) (map[int64][]float32, error)

	opts Options
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

var _ Searcher = (*Index)(nil)

// New returns an empty index for vectors of dim dimensions.
func New(dim int, opts Options) *Index {
	return &Index{opts: opts, dim: dim, nw: (dim + 63) / 64}
}

// Len returns the number of vectors held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Quantized reports whether the index holds int8 codes only (it grew past
// ExactBelow), its scores then coming from the Exact re-rank.
func (x *Index) Quantized() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.full == nil && len(x.ids) > 0
}

// memoryBytes returns the memory the index's vectors take, in bytes.
func (x *Index) memoryBytes() int64 {
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
func (x *Index) Add(passageID, articleID int64, vec []float32) {
	if len(vec) != x.dim {
		return
	}
	v := Normalize(vec)
	codes, scale := quantize8(v)
	x.upsert([]vecRow{{pid: passageID, aid: articleID, scale: scale, codes: codes, full: v}})
}

// upsert adds or replaces rows, keeping the index sorted by passage id.
func (x *Index) upsert(rows []vecRow) {
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
func (x *Index) settle(keepFull bool, touched []int) {
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
func (x *Index) sortByID() {
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
func (x *Index) rebuildSigns() {
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
func (x *Index) encodeSigns(pos int) {
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
// query, skipping those allow rejects. See Searcher.
func (x *Index) Search(ctx context.Context, query []float32, k int, allow func(passageID, articleID int64) bool) []Hit {
	if k <= 0 || len(query) != x.dim {
		return nil
	}
	q := Normalize(query)
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
	hits := make([]Hit, len(top))
	for i, s := range top {
		hits[i] = Hit{PassageID: x.ids[s.pos], ArticleID: x.arts[s.pos], Score: float64(s.score)}
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
func (x *Index) rerank(ctx context.Context, q []float32, hits []Hit) []Hit {
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

func sortHits(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
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
	heap   *topn.Heap[scored]
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
func (x *Index) scan(ctx context.Context, n, k int, fn func(w *scanWorker, lo, hi int)) []scored {
	workers := min(x.opts.workers(), max(1, n*x.dim/(1<<20)))
	ws := make([]*scanWorker, workers)
	var wg sync.WaitGroup
	for i := range ws {
		w, _ := x.workers.Get().(*scanWorker)
		if w == nil {
			w = &scanWorker{heap: topn.New(k, less)}
		}
		w.done, w.qc, w.qs = ctx.Done(), nil, 0
		w.heap.Reset(k)
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
		all = append(all, w.heap.Items()...)
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
func (w *scanWorker) exact(x *Index, q []float32, lo, hi int, allow func(passageID, articleID int64) bool) {
	dim := x.dim
	for i := lo; i < hi; i++ {
		if (i-lo)%pollEvery == 0 && w.cancelled() {
			return
		}
		s := dotF32(q, x.full[i*dim:(i+1)*dim])
		if w.heap.Full() && s <= w.heap.Min().score {
			continue
		}
		if allow != nil && !allow(x.ids[i], x.arts[i]) {
			continue
		}
		w.heap.Push(scored{s, int32(i)})
	}
}

func (w *scanWorker) quantizeQuery(q []float32) {
	if w.qc == nil {
		w.qc, w.qs = quantize8(q)
	}
}

// int8 scores positions [lo, hi) with int8 dot products.
func (w *scanWorker) int8(x *Index, q []float32, lo, hi int, allow func(passageID, articleID int64) bool) {
	w.quantizeQuery(q)
	dim := x.dim
	for i := lo; i < hi; i++ {
		if (i-lo)%pollEvery == 0 && w.cancelled() {
			return
		}
		s := float32(dotI8(w.qc, x.codes[i*dim:(i+1)*dim])) * w.qs * x.scales[i]
		if w.heap.Full() && s <= w.heap.Min().score {
			continue
		}
		if allow != nil && !allow(x.ids[i], x.arts[i]) {
			continue
		}
		w.heap.Push(scored{s, int32(i)})
	}
}

// int8Positions scores the positions the sign pass kept with int8 dot
// products; they passed allow already.
func (w *scanWorker) int8Positions(x *Index, q []float32) {
	if w.cancelled() {
		return
	}
	w.quantizeQuery(q)
	dim := x.dim
	for _, p := range w.cands {
		i := int(p)
		s := float32(dotI8(w.qc, x.codes[i*dim:(i+1)*dim])) * w.qs * x.scales[i]
		w.heap.Push(scored{s, p})
	}
}

// signs runs the 1-bit pass over positions [lo, hi) and keeps about the
// best share of them in w.cands, in position order. Scores are small
// integers, so the cut is found with a histogram rather than a heap: two
// linear passes, no sorting.
func (w *scanWorker) signs(x *Index, planes []uint64, lo, hi, share int, allow func(passageID, articleID int64) bool) {
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

// Normalize returns a unit-length copy of v (all zeros stay zeros).
func Normalize(v []float32) []float32 {
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
