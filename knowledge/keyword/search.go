package keyword

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/internal/topn"
)

// segmentTerms is what one segment holds of some terms: their postings
// counts and, when asked for, their lists.
type segmentTerms struct {
	seg   segmentInfo
	n     map[string]int
	lists map[string][]byte
}

// lookupTerms finds terms in every segment of lang. Without lists it reads
// no list that has a row of its own (its count is in the row). One
// statement finds, for each segment and term, the block whose key is the
// greatest at or before the term.
func lookupTerms(ctx context.Context, db DB, lang string, terms []string, withLists bool) ([]segmentTerms, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	data := `p.data`
	if !withLists {
		data = `CASE WHEN p.n < 0 THEN p.data END`
	}
	var query string
	var args []any
	if sqldb.Of(db) == sqldb.Postgres {
		// PostgreSQL has no rowid: a lateral join finds each block. The
		// terms are one array argument, so that the statement is the same
		// for any number of terms and planned once per connection.
		query = `WITH q(t) AS (SELECT unnest(?::text[]))
		SELECT s.id, s.passages, s.min_pid, s.max_pid, q.t, p.term, p.n, ` + data + `
		FROM segments s CROSS JOIN q CROSS JOIN LATERAL (SELECT p.term, p.n, p.data FROM postings p
			WHERE p.seg = s.id AND p.term <= q.t ORDER BY p.term DESC LIMIT 1) p WHERE s.lang = ? ORDER BY s.id`
		args = []any{terms, lang}
	} else {
		args = make([]any, 0, len(terms)+1)
		for _, t := range terms {
			args = append(args, t)
		}
		args = append(args, lang)
		query = `WITH q(t) AS (VALUES ` + strings.TrimSuffix(strings.Repeat("(?),", len(terms)), ",") + `),
		hit AS (SELECT s.id AS seg, s.passages AS passages, s.min_pid AS lo, s.max_pid AS hi, q.t AS t,
			(SELECT p.rowid FROM postings p WHERE p.seg = s.id AND p.term <= q.t ORDER BY p.term DESC LIMIT 1) AS r
			FROM segments s CROSS JOIN q WHERE s.lang = ?)
		SELECT hit.seg, hit.passages, hit.lo, hit.hi, hit.t, p.term, p.n, ` + data + `
		FROM hit CROSS JOIN postings p ON p.rowid = hit.r ORDER BY hit.seg`
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("look up terms: %w", err)
	}
	defer rows.Close()
	var out []segmentTerms
	for rows.Next() {
		seg := segmentInfo{lang: lang}
		var t, key string
		var n int
		var block sql.RawBytes
		if err := rows.Scan(&seg.id, &seg.passages, &seg.minPID, &seg.maxPID, &t, &key, &n, &block); err != nil {
			return nil, fmt.Errorf("look up terms: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].seg.id != seg.id {
			st := segmentTerms{seg: seg, n: map[string]int{}}
			if withLists {
				st.lists = map[string][]byte{}
			}
			out = append(out, st)
		}
		st := &out[len(out)-1]
		if n >= 0 && key != t { // a block of one list, not this term's
			continue
		}
		en, list, ok := findEntry(block, t)
		if n >= 0 {
			en = n
		} else if !ok {
			continue
		}
		st.n[t] = en
		if withLists && ok {
			st.lists[t] = bytes.Clone(list)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up terms: %w", err)
	}
	return out, nil
}

// DF returns the document frequency of each term in lang's index: the
// live passages holding it, headline included. Terms it does not hold are
// missing from the map.
func DF(ctx context.Context, db DB, lang string, terms []string) (map[string]int, error) {
	segs, err := lookupTerms(ctx, db, lang, terms, false)
	if err != nil {
		return nil, fmt.Errorf("document frequencies: %w", err)
	}
	df := make(map[string]int, len(terms))
	for _, s := range segs {
		for t, n := range s.n {
			df[t] += n
		}
	}
	if len(df) == 0 {
		return df, nil
	}
	present := make([]string, 0, len(df))
	for t := range df {
		present = append(present, t)
	}
	removed, err := removedDF(ctx, db, lang, present)
	if err != nil {
		return nil, fmt.Errorf("document frequencies: %w", err)
	}
	for t, n := range removed {
		if df[t] -= n; df[t] <= 0 {
			delete(df, t)
		}
	}
	return df, nil
}

// BM25 are what scoring a posting needs besides the term's weight: the
// saturation K1, the length normalisation B, how many body occurrences a
// headline occurrence counts (TitleWeight), and the average passage length
// in tokens, headline included (AvgLength). Removed is how many removed
// passages the language's segments still hold (Stats.Removed): when there
// are any, Score reads their list to pass over them.
type BM25 struct {
	K1, B, TitleWeight, AvgLength float64
	Removed                       int64
}

// Scored is a passage and its first-stage score.
type Scored struct {
	ID    int64
	Score float64
}

// Score computes BM25 over the postings in lang's index of the terms of
// idf (each weighted by its idf) and returns the best limit live passages,
// best first; of equal scores the newer passage wins. The headline counts
// p.TitleWeight times the body, as FTS5's bm25 weights a column. Removed
// passages are passed over.
func Score(ctx context.Context, db DB, lang string, idf map[string]float64, p BM25, limit int) ([]Scored, error) {
	if len(idf) == 0 || limit <= 0 {
		return nil, nil
	}
	terms := make([]string, 0, len(idf))
	for t := range idf {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	segs, err := lookupTerms(ctx, db, lang, terms, true)
	if err != nil {
		return nil, fmt.Errorf("score passages: %w", err)
	}
	// The removed passages are few (merges and compaction drop them): one
	// read of their list lets the scan pass over them.
	var skip map[int64]bool
	if p.Removed > 0 {
		skip = make(map[int64]bool, p.Removed)
		if err := removedIn(ctx, db, 0, 1<<62, skip); err != nil {
			return nil, fmt.Errorf("score passages: %w", err)
		}
	}
	// Length normalisation for every length code, once.
	var norm [256]float64
	avg := p.AvgLength
	if avg < 1 {
		avg = 1
	}
	for c := range norm {
		norm[c] = p.K1 * (1 - p.B + p.B*float64(lengthOf(byte(c)))/avg)
	}
	top := newTopPassages(limit)
	acc := &accumulator{skip: skip}
	for _, seg := range segs {
		if len(seg.lists) == 0 {
			continue
		}
		acc.reset(seg.seg.minPID, seg.seg.maxPID)
		for _, term := range terms { // sorted: sums do not vary between runs
			list, ok := seg.lists[term]
			if !ok {
				continue
			}
			w := idf[term]
			r := postingReader{data: list}
			for {
				pid, body, title, length, ok := r.next()
				if !ok {
					break
				}
				f := float64(body) + p.TitleWeight*float64(title)
				if f == 0 {
					continue
				}
				acc.add(pid, w*f*(p.K1+1)/(f+norm[length]))
			}
		}
		acc.flush(top)
	}
	return top.Sorted(), nil
}

// accumulator sums the scores of one segment's passages: in an array over
// the segment's id range when it is narrow enough, else in a map. Passages
// in skip are never pushed.
type accumulator struct {
	lo      int64
	dense   []float32
	touched []int32
	sparse  map[int64]float64
	skip    map[int64]bool
}

func (a *accumulator) reset(lo, hi int64) {
	a.lo = lo
	span := hi - lo + 1
	if span > 0 && span <= denseSpan {
		if int64(cap(a.dense)) < span {
			a.dense = make([]float32, span)
		}
		a.dense = a.dense[:span]
		a.sparse = nil
		return
	}
	a.dense = a.dense[:0]
	a.sparse = map[int64]float64{}
}

func (a *accumulator) add(pid int64, s float64) {
	if a.sparse != nil {
		a.sparse[pid] += s
		return
	}
	i := pid - a.lo
	if i < 0 || i >= int64(len(a.dense)) {
		return // a corrupt posting outside its segment
	}
	if a.dense[i] == 0 {
		a.touched = append(a.touched, int32(i))
	}
	a.dense[i] += float32(s)
}

func (a *accumulator) flush(top *topn.Heap[Scored]) {
	for _, i := range a.touched {
		if id := a.lo + int64(i); !a.skip[id] {
			top.Push(Scored{ID: id, Score: float64(a.dense[i])})
		}
		a.dense[i] = 0
	}
	a.touched = a.touched[:0]
	for id, s := range a.sparse {
		if !a.skip[id] {
			top.Push(Scored{ID: id, Score: s})
		}
	}
	a.sparse = nil
}

// newTopPassages keeps the best limit passages (ties go to the newer).
func newTopPassages(limit int) *topn.Heap[Scored] {
	return topn.New(limit, worse)
}

func worse(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return a.ID < b.ID
}
