// Package keyword is Herald's keyword index: the postings of every term,
// written in immutable segments that are merged in tiers, and BM25 scored
// straight from them. It knows nothing of Herald's store: the store hands it
// the terms of the passages it writes (Indexer, Builder), the passages to
// index again (Rebuild), and a database or transaction to work in (DB).
//
// Each write transaction that adds passages writes one immutable segment:
// for every term of those passages, the list of the passages that hold it.
// A posting is three small numbers, so BM25 needs nothing but the lists of
// the question's terms:
//
//	uvarint  passage id minus the previous posting's (the first: the id)
//	uvarint  body count << 2 | headline count (at most 3)
//	byte     the passage's length in tokens, headline included (lengthCode)
//
// A segment's lists are stored in term order in blocks of about 4 KB, one
// row per block keyed by its first term (most terms of a batch are rare:
// a row each would make SQLite, not Herald, most of the cost of ingesting
// and merging); a list of more than half a block has a row of its own,
// whose n column says how many postings it holds, so a term's frequency is
// read without reading its list. A block entry is
//
//	uvarint length, term, uvarint postings, uvarint length, list
//
// Segments are merged in tiers, MergeFactor at a time; segments of the
// final tier are never merged again, which bounds the longest merge. A
// passage's postings are all in one segment, and passage ids only grow
// (the writer hands them out). Removed passages are listed in
// deleted_passages until the merge of their segment drops them.
//
// The tables (segments, postings, deleted_passages) are created by the
// store's migrations. The SQL is plain but for two SQLite forms the term
// lookup (lookupTerms) needs: it finds postings rows by rowid, and CROSS
// JOIN fixes its join order; on PostgreSQL (a DB whose dialect says so,
// see sqldb.Of) it joins laterally instead. Terms compare by their bytes,
// as Go's strings do: on PostgreSQL the term column is COLLATE "C".
package keyword

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/internal/topn"
	"github.com/herald-bot/herald/knowledge/text"
)

// DB is what the index reads and writes through: a *sql.DB, or the
// *sql.Tx of a write.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// MergeFactor is how many segments of a tier are merged into one of the
// next tier.
const MergeFactor = 16

const (
	// firstTierPassages is the size below which a segment is in tier 0;
	// each next tier holds segments MergeFactor times bigger.
	firstTierPassages = 4096
	// finalTier is the tier whose segments are never merged again: from
	// 65,536 passages (about 6,000 articles) on. A bulk ingest writes
	// segments of a few thousand passages (tier 1), so each posting is
	// rewritten once; feed polls write tiny ones (tier 0), rewritten twice.
	// A search reads each of its terms once per segment: about 12 final
	// segments at 100,000 articles, plus at most 15 in each lower tier.
	finalTier = 2
	// mergePageRows is how many blocks a merge reads from a segment at once.
	mergePageRows = 64
	// denseSpan is the widest passage id range scored with an array.
	denseSpan = 1 << 22
	// blockTarget is the size at which a block of lists is closed.
	blockTarget = 4096
)

// TermFreq is one term of a passage: how often it occurs in the body and
// in the article's headline. Indexer makes them; Builder takes them.
type TermFreq struct {
	term        string
	body, title uint16
}

// Indexer computes what the index keeps of an article's passages: call
// SetTitle with the headline, then Passage for each passage in turn.
// Storing an article and rebuilding the index both use it, so they agree.
// The zero Indexer is ready to use.
type Indexer struct {
	titleTF     map[string]int
	titleTokens int
	toks        []string
	counts      map[string]int // scratch
}

// SetTitle starts an article with its headline.
func (x *Indexer) SetTitle(title string) {
	x.toks, x.titleTokens = text.AppendIndexTokens(x.toks[:0], title)
	x.titleTF = make(map[string]int, len(x.toks))
	for _, t := range x.toks {
		x.titleTF[t]++
	}
}

// TitleTokens returns the length in tokens of the headline SetTitle was
// given.
func (x *Indexer) TitleTokens() int { return x.titleTokens }

// Passage returns the distinct terms of a passage of the article (the
// headline's counted too), its length in tokens with the headline, and its
// own length in tokens (stop words included).
func (x *Indexer) Passage(body string) (terms []TermFreq, length, words int) {
	x.toks, words = text.AppendIndexTokens(x.toks[:0], body)
	if x.counts == nil {
		x.counts = make(map[string]int, 128)
	}
	clear(x.counts)
	for _, t := range x.toks {
		x.counts[t]++
	}
	terms = make([]TermFreq, 0, len(x.counts)+len(x.titleTF))
	for t, n := range x.counts {
		terms = append(terms, TermFreq{term: t, body: clampCount(n), title: clampCount(x.titleTF[t])})
	}
	for t, n := range x.titleTF {
		if x.counts[t] == 0 {
			terms = append(terms, TermFreq{term: t, title: clampCount(n)})
		}
	}
	return terms, x.titleTokens + words, words
}

func clampCount(n int) uint16 {
	if n > 0xffff {
		return 0xffff
	}
	return uint16(n)
}

// lengthCode stores a passage length in one byte: exact below 128, then in
// steps of 8 up to 1,144 tokens.
func lengthCode(n int) byte {
	if n < 128 {
		return byte(n)
	}
	c := 128 + (n-128)/8
	if c > 255 {
		c = 255
	}
	return byte(c)
}

// lengthOf is the (middle of the) length lengthCode stored.
func lengthOf(c byte) int {
	if c < 128 {
		return int(c)
	}
	return 128 + int(c-128)*8 + 4
}

func appendPosting(dst []byte, delta int64, body, title uint16, length byte) []byte {
	if title > 3 {
		title = 3
	}
	dst = binary.AppendUvarint(dst, uint64(delta))
	dst = binary.AppendUvarint(dst, uint64(body)<<2|uint64(title))
	return append(dst, length)
}

// postingReader decodes a postings list.
type postingReader struct {
	data []byte
	pid  int64
}

// next returns the next posting; ok is false at the end or on corrupt data.
func (r *postingReader) next() (pid int64, body, title int, length byte, ok bool) {
	d, n := binary.Uvarint(r.data)
	if n <= 0 {
		return 0, 0, 0, 0, false
	}
	c, m := binary.Uvarint(r.data[n:])
	if m <= 0 || len(r.data) < n+m+1 {
		return 0, 0, 0, 0, false
	}
	length = r.data[n+m]
	r.data = r.data[n+m+1:]
	r.pid += int64(d)
	return r.pid, int(c >> 2), int(c & 3), length, true
}

// posting is one decoded posting.
type posting struct {
	pid         int64
	body, title uint16
	length      byte
}

// postingList is one term's postings being built.
type postingList struct {
	data []byte
	last int64
	n    int
}

// Builder inverts passages, in increasing id order, into a Segment. The
// zero Builder is ready to use.
type Builder struct {
	lists          map[string]*postingList
	passages       int64
	minPID, maxPID int64
}

// Add adds passage pid: its terms and its length in tokens, headline
// included (both from Indexer.Passage).
func (b *Builder) Add(pid int64, terms []TermFreq, length int) {
	if b.lists == nil {
		b.lists = make(map[string]*postingList, 4096)
	}
	if b.passages == 0 {
		b.minPID = pid
	}
	b.passages++
	b.maxPID = pid
	code := lengthCode(length)
	for _, tf := range terms {
		l := b.lists[tf.term]
		if l == nil {
			l = &postingList{}
			// Terms are often substrings of the article text: a copy
			// lets the text go once the batch is indexed.
			b.lists[strings.Clone(tf.term)] = l
		}
		l.data = appendPosting(l.data, pid-l.last, tf.body, tf.title, code)
		l.last = pid
		l.n++
	}
}

// Segment is a built segment in compact form, ready to be written: its
// terms in order, their postings one after another in data.
type Segment struct {
	terms          []string
	n, end         []int32 // postings of terms[i], and where its list ends in data
	data           []byte
	passages       int64
	minPID, maxPID int64
}

// Seal returns the segment built so far and empties the builder.
func (b *Builder) Seal() *Segment {
	s := &Segment{passages: b.passages, minPID: b.minPID, maxPID: b.maxPID}
	s.terms = make([]string, 0, len(b.lists))
	size := 0
	for t, l := range b.lists {
		s.terms = append(s.terms, t)
		size += len(l.data)
	}
	sort.Strings(s.terms)
	s.n, s.end = make([]int32, len(s.terms)), make([]int32, len(s.terms))
	s.data = make([]byte, 0, size)
	for i, t := range s.terms {
		l := b.lists[t]
		s.data = append(s.data, l.data...)
		s.n[i], s.end[i] = int32(l.n), int32(len(s.data))
	}
	*b = Builder{}
	return s
}

func (s *Segment) list(i int) []byte {
	start := int32(0)
	if i > 0 {
		start = s.end[i-1]
	}
	return s.data[start:s.end[i]]
}

// Write stores the segment in db (a write transaction). Its ids are
// offsets: passage id = base + offset. Offsets marked in skip (which, when
// not nil, covers every offset of the segment) are left out: their
// articles were not written after all. A nil or empty segment writes
// nothing.
func (s *Segment) Write(ctx context.Context, db DB, base int64, skip []bool) error {
	if s == nil || s.passages == 0 {
		return nil
	}
	kept, lo, hi := s.passages, s.minPID, s.maxPID
	if skip != nil {
		kept, lo, hi = 0, -1, -1
		for off := s.minPID; off <= s.maxPID; off++ {
			if !skip[off] {
				kept++
				if lo < 0 {
					lo = off
				}
				hi = off
			}
		}
	}
	if kept == 0 {
		return nil
	}
	var seg int64
	if err := db.QueryRowContext(ctx, `INSERT INTO segments(passages, min_pid, max_pid) VALUES (?, ?, ?) RETURNING id`,
		kept, base+lo, base+hi).Scan(&seg); err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	w := newBlockWriter(db, seg)
	defer w.ins.Close()
	for i, t := range s.terms {
		data, n := rebased(s.list(i), int(s.n[i]), base, skip)
		if n == 0 {
			continue
		}
		if err := w.add(ctx, t, n, data); err != nil {
			return fmt.Errorf("write segment %d: %w", seg, err)
		}
	}
	if err := w.finish(ctx); err != nil {
		return fmt.Errorf("write segment %d: %w", seg, err)
	}
	return nil
}

// blockWriter packs a segment's lists, in term order, into block rows.
type blockWriter struct {
	ins     *sqlbatch.Inserter
	seg     int64
	buf     []byte
	first   string
	entries int
	n       int // postings of the first entry
}

func newBlockWriter(db DB, seg int64) *blockWriter {
	return &blockWriter{ins: sqlbatch.NewInserter(db, `INSERT INTO postings(seg, term, n, data) VALUES `, 4), seg: seg}
}

func appendEntry(dst []byte, term string, n int, list []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(term)))
	dst = append(dst, term...)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(len(list)))
	return append(dst, list...)
}

// add appends the list of term (terms come in increasing order).
func (w *blockWriter) add(ctx context.Context, term string, n int, list []byte) error {
	if len(list) > blockTarget/2 {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	if w.entries == 0 {
		w.first, w.n = term, n
	}
	w.buf = appendEntry(w.buf, term, n, list)
	w.entries++
	if len(w.buf) >= blockTarget || len(list) > blockTarget/2 {
		return w.flush(ctx)
	}
	return nil
}

// flush writes the open block. Its n is the postings of its one list, or
// -1 when it holds several.
func (w *blockWriter) flush(ctx context.Context) error {
	if w.entries == 0 {
		return nil
	}
	n := w.n
	if w.entries > 1 {
		n = -1
	}
	// The inserter keeps its arguments until it runs: the block is its own.
	err := w.ins.Add(ctx, w.seg, w.first, n, w.buf)
	w.buf, w.entries = nil, 0
	return err
}

// finish writes what is left.
func (w *blockWriter) finish(ctx context.Context) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	return w.ins.Flush(ctx)
}

// blockReader decodes the entries of a block.
type blockReader struct{ data []byte }

// next returns the next entry; ok is false at the end or on corrupt data.
func (r *blockReader) next() (term []byte, n int, list []byte, ok bool) {
	l, k := binary.Uvarint(r.data)
	if k <= 0 || uint64(len(r.data)-k) < l {
		return nil, 0, nil, false
	}
	term, r.data = r.data[k:k+int(l)], r.data[k+int(l):]
	c, k := binary.Uvarint(r.data)
	if k <= 0 {
		return nil, 0, nil, false
	}
	r.data = r.data[k:]
	l, k = binary.Uvarint(r.data)
	if k <= 0 || uint64(len(r.data)-k) < l {
		return nil, 0, nil, false
	}
	list, r.data = r.data[k:k+int(l)], r.data[k+int(l):]
	return term, int(c), list, true
}

// findEntry returns the list of term in a block, if it is there.
func findEntry(block []byte, term string) (n int, list []byte, ok bool) {
	r := blockReader{data: block}
	for {
		t, n, list, more := r.next()
		if !more {
			return 0, nil, false
		}
		if string(t) == term {
			return n, list, true
		}
		if string(t) > term {
			return 0, nil, false
		}
	}
}

// rebased returns a list of n postings with base added to every id, without
// the offsets marked in skip, and how many postings it then holds.
func rebased(list []byte, n int, base int64, skip []bool) ([]byte, int) {
	if skip == nil {
		// Ids are deltas: only the first one changes.
		first, k := binary.Uvarint(list)
		out := make([]byte, 0, len(list)+binary.MaxVarintLen64)
		out = binary.AppendUvarint(out, first+uint64(base))
		return append(out, list[k:]...), n
	}
	var out []byte
	var last int64
	n = 0
	r := postingReader{data: list}
	for {
		off, body, title, length, ok := r.next()
		if !ok {
			break
		}
		if skip[off] {
			continue
		}
		out = appendPosting(out, base+off-last, uint16(body), uint16(title), length)
		last = base + off
		n++
	}
	return out, n
}

// segmentInfo is a row of segments.
type segmentInfo struct {
	id, passages, minPID, maxPID int64
}

func tierOf(passages int64) int {
	t := 0
	for n := int64(firstTierPassages); passages >= n && t < finalTier; n *= MergeFactor {
		t++
	}
	return t
}

// Merge merges MergeFactor segments of a tier into one of the next, while
// some tier below the final one has that many. db is a write transaction.
func Merge(ctx context.Context, db DB) error {
	for {
		segs, err := readSegments(ctx, db)
		if err != nil {
			return err
		}
		var tiers [finalTier][]segmentInfo
		var group []segmentInfo
		for _, s := range segs {
			t := tierOf(s.passages)
			if t == finalTier {
				continue
			}
			tiers[t] = append(tiers[t], s)
			if len(tiers[t]) == MergeFactor {
				group = tiers[t]
				break
			}
		}
		if group == nil {
			return nil
		}
		if err := mergeGroup(ctx, db, group); err != nil {
			return err
		}
	}
}

// readSegments lists the segments in passage id order.
func readSegments(ctx context.Context, db DB) ([]segmentInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, passages, min_pid, max_pid FROM segments ORDER BY min_pid`)
	if err != nil {
		return nil, fmt.Errorf("read segments: %w", err)
	}
	defer rows.Close()
	var segs []segmentInfo
	for rows.Next() {
		var s segmentInfo
		if err := rows.Scan(&s.id, &s.passages, &s.minPID, &s.maxPID); err != nil {
			return nil, fmt.Errorf("read segments: %w", err)
		}
		segs = append(segs, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read segments: %w", err)
	}
	return segs, nil
}

// segmentCursor pages through one segment's lists in term order.
type segmentCursor struct {
	seg     segmentInfo
	lastKey string // the key of the last block read ("" before the first: terms are never empty)
	terms   []string
	data    [][]byte
	i       int
	done    bool
}

func (c *segmentCursor) fill(ctx context.Context, db DB) error {
	c.terms, c.data, c.i = c.terms[:0], c.data[:0], 0
	rows, err := db.QueryContext(ctx, `SELECT term, data FROM postings WHERE seg = ? AND term > ? ORDER BY term LIMIT ?`,
		c.seg.id, c.lastKey, mergePageRows)
	if err != nil {
		return fmt.Errorf("read segment %d: %w", c.seg.id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var block []byte
		if err := rows.Scan(&c.lastKey, &block); err != nil {
			return fmt.Errorf("read segment %d: %w", c.seg.id, err)
		}
		r := blockReader{data: block}
		for {
			t, _, list, ok := r.next()
			if !ok {
				break
			}
			c.terms = append(c.terms, string(t))
			c.data = append(c.data, list)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read segment %d: %w", c.seg.id, err)
	}
	c.done = len(c.terms) == 0
	return nil
}

// mergeGroup rewrites the segments of group (in passage id order) as one,
// without the postings of removed passages.
func mergeGroup(ctx context.Context, db DB, group []segmentInfo) error {
	deleted := map[int64]bool{}
	ids := make([]int64, len(group))
	merged := segmentInfo{minPID: group[0].minPID, maxPID: group[0].maxPID}
	for i, s := range group {
		ids[i] = s.id
		merged.passages += s.passages
		merged.minPID = min(merged.minPID, s.minPID)
		merged.maxPID = max(merged.maxPID, s.maxPID)
		rows, err := db.QueryContext(ctx, `SELECT id FROM deleted_passages WHERE id BETWEEN ? AND ?`, s.minPID, s.maxPID)
		if err != nil {
			return fmt.Errorf("merge segments: read removed passages: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err == nil {
				deleted[id] = true
			}
		}
		rows.Close()
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO segments(passages, min_pid, max_pid) VALUES (?, ?, ?) RETURNING id`,
		merged.passages, merged.minPID, merged.maxPID).Scan(&merged.id); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	w := newBlockWriter(db, merged.id)
	defer w.ins.Close()
	cursors := make([]*segmentCursor, len(group))
	for i, s := range group {
		cursors[i] = &segmentCursor{seg: s}
		if err := cursors[i].fill(ctx, db); err != nil {
			return err
		}
	}
	var list []posting
	var out []byte
	dropped := map[int64]bool{}
	for {
		// The smallest term among the cursors.
		term, any := "", false
		for _, c := range cursors {
			if c.done {
				continue
			}
			if t := c.terms[c.i]; !any || t < term {
				term, any = t, true
			}
		}
		if !any {
			break
		}
		list = list[:0]
		inOrder := true
		for _, c := range cursors {
			if c.done || c.terms[c.i] != term {
				continue
			}
			r := postingReader{data: c.data[c.i]}
			for {
				pid, body, title, length, ok := r.next()
				if !ok {
					break
				}
				if deleted[pid] {
					dropped[pid] = true
					continue
				}
				if len(list) > 0 && pid < list[len(list)-1].pid {
					inOrder = false
				}
				list = append(list, posting{pid, uint16(body), uint16(title), length})
			}
			c.i++
			if c.i == len(c.terms) {
				if err := c.fill(ctx, db); err != nil {
					return err
				}
			}
		}
		if len(list) > 0 {
			// Segments merged earlier may interleave with the others
			// (a tier can skip a bigger segment between two of its own).
			if !inOrder {
				sort.Slice(list, func(i, j int) bool { return list[i].pid < list[j].pid })
			}
			out = out[:0]
			var last int64
			for _, p := range list {
				out = appendPosting(out, p.pid-last, p.body, p.title, p.length)
				last = p.pid
			}
			if err := w.add(ctx, term, len(list), out); err != nil {
				return fmt.Errorf("merge segments into %d: %w", merged.id, err)
			}
		}
	}
	if err := w.finish(ctx); err != nil {
		return fmt.Errorf("merge segments into %d: %w", merged.id, err)
	}
	in := sqlbatch.IDList(ids)
	for _, q := range []string{`DELETE FROM postings WHERE seg IN (` + in + `)`, `DELETE FROM segments WHERE id IN (` + in + `)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("merge segments: delete the merged ones: %w", err)
		}
	}
	// A removed passage is in one segment only: once its postings are
	// dropped, nothing refers to it any more.
	for pid := range dropped {
		if _, err := db.ExecContext(ctx, `DELETE FROM deleted_passages WHERE id = ?`, pid); err != nil {
			return fmt.Errorf("merge segments: forget removed passage %d: %w", pid, err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE segments SET passages = CASE WHEN passages > ? THEN passages - ? ELSE 0 END WHERE id = ?`,
		len(dropped), len(dropped), merged.id); err != nil {
		return fmt.Errorf("merge segments: count passages: %w", err)
	}
	return nil
}

// segmentTerms is what one segment holds of some terms: their postings
// counts and, when asked for, their lists.
type segmentTerms struct {
	seg   segmentInfo
	n     map[string]int
	lists map[string][]byte
}

// lookupTerms finds terms in every segment. Without lists it reads no list
// that has a row of its own (its count is in the row). One statement finds,
// for each segment and term, the block whose key is the greatest at or
// before the term.
func lookupTerms(ctx context.Context, db DB, terms []string, withLists bool) ([]segmentTerms, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	data := `p.data`
	if !withLists {
		data = `CASE WHEN p.n < 0 THEN p.data END`
	}
	args := make([]any, len(terms))
	for i, t := range terms {
		args[i] = t
	}
	values := `WITH q(t) AS (VALUES ` + strings.TrimSuffix(strings.Repeat("(?),", len(terms)), ",") + `)`
	query := values + `,
		hit AS (SELECT s.id AS seg, s.passages AS passages, s.min_pid AS lo, s.max_pid AS hi, q.t AS t,
			(SELECT p.rowid FROM postings p WHERE p.seg = s.id AND p.term <= q.t ORDER BY p.term DESC LIMIT 1) AS r
			FROM segments s CROSS JOIN q)
		SELECT hit.seg, hit.passages, hit.lo, hit.hi, hit.t, p.term, p.n, ` + data + `
		FROM hit CROSS JOIN postings p ON p.rowid = hit.r ORDER BY hit.seg`
	if sqldb.Of(db) == sqldb.Postgres {
		// PostgreSQL has no rowid: a lateral join finds each block. The
		// terms are one array argument, so that the statement is the same
		// for any number of terms and planned once per connection.
		query = `WITH q(t) AS (SELECT unnest(?::text[]))
		SELECT s.id, s.passages, s.min_pid, s.max_pid, q.t, p.term, p.n, ` + data + `
		FROM segments s CROSS JOIN q CROSS JOIN LATERAL (SELECT p.term, p.n, p.data FROM postings p
			WHERE p.seg = s.id AND p.term <= q.t ORDER BY p.term DESC LIMIT 1) p ORDER BY s.id`
		args = []any{terms}
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("look up terms: %w", err)
	}
	defer rows.Close()
	var out []segmentTerms
	for rows.Next() {
		var seg segmentInfo
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

// DF returns the document frequency of each term (passages holding it,
// headline included; removed passages count until their segment merges).
// Terms the index does not hold are missing from the map.
func DF(ctx context.Context, db DB, terms []string) (map[string]int, error) {
	segs, err := lookupTerms(ctx, db, terms, false)
	if err != nil {
		return nil, err
	}
	df := make(map[string]int, len(terms))
	for _, s := range segs {
		for t, n := range s.n {
			df[t] += n
		}
	}
	return df, nil
}

// BM25 are what scoring a posting needs besides the term's weight: the
// saturation K1, the length normalisation B, how many body occurrences a
// headline occurrence counts (TitleWeight), and the average passage length
// in tokens, headline included (AvgLength).
type BM25 struct {
	K1, B, TitleWeight, AvgLength float64
}

// Scored is a passage and its first-stage score.
type Scored struct {
	ID    int64
	Score float64
}

// Score computes BM25 over the postings of the terms of idf (each weighted
// by its idf) and returns the best limit passages, best first; of equal
// scores the newer passage wins. The headline counts p.TitleWeight times
// the body, as FTS5's bm25 weights a column. Removed passages not yet
// merged away are scored too: the caller drops what no longer exists.
func Score(ctx context.Context, db DB, idf map[string]float64, p BM25, limit int) ([]Scored, error) {
	if len(idf) == 0 || limit <= 0 {
		return nil, nil
	}
	terms := make([]string, 0, len(idf))
	for t := range idf {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	segs, err := lookupTerms(ctx, db, terms, true)
	if err != nil {
		return nil, err
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
	acc := &accumulator{}
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
// the segment's id range when it is narrow enough, else in a map.
type accumulator struct {
	lo      int64
	dense   []float32
	touched []int32
	sparse  map[int64]float64
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
		top.Push(Scored{ID: a.lo + int64(i), Score: float64(a.dense[i])})
		a.dense[i] = 0
	}
	a.touched = a.touched[:0]
	for id, s := range a.sparse {
		top.Push(Scored{ID: id, Score: s})
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

// Passage is a stored passage as Rebuild indexes it: its id, its
// article's id and headline, and its text.
type Passage struct {
	ID, ArticleID int64
	Title, Text   string
}

// Rebuild indexes every stored passage again, into fresh segments: the
// index is emptied first, then next is called for the passages after id
// after (0 first, then the last id of the previous page), in id order,
// until it returns none. db is a write transaction.
func Rebuild(ctx context.Context, db DB, next func(ctx context.Context, after int64) ([]Passage, error)) error {
	for _, q := range []string{`DELETE FROM postings`, `DELETE FROM segments`, `DELETE FROM deleted_passages`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild the index: empty it: %w", err)
		}
	}
	var (
		b       Builder
		after   int64
		lastArt int64 = -1
		x       Indexer
	)
	for {
		page, err := next(ctx, after)
		if err != nil {
			return fmt.Errorf("rebuild the index: read passages after %d: %w", after, err)
		}
		for _, p := range page {
			if p.ArticleID != lastArt {
				lastArt = p.ArticleID
				x.SetTitle(p.Title)
			}
			terms, length, _ := x.Passage(p.Text)
			b.Add(p.ID, terms, length)
			after = p.ID
		}
		if len(page) == 0 || b.passages >= 50000 {
			if err := b.Seal().Write(ctx, db, 0, nil); err != nil {
				return fmt.Errorf("rebuild the index: %w", err)
			}
			if err := Merge(ctx, db); err != nil {
				return fmt.Errorf("rebuild the index: %w", err)
			}
		}
		if len(page) == 0 {
			return nil
		}
	}
}

// MarkRemoved records that passages were removed, in the write
// transaction that removes them, so that the merge of their segment drops
// their postings. Until then Score and DF still count them.
func MarkRemoved(ctx context.Context, db DB, ids []int64) error {
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := `INSERT INTO deleted_passages(id) VALUES ` + strings.TrimSuffix(strings.Repeat("(?),", len(part)), ",") + ` ON CONFLICT DO NOTHING`
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mark removed passages: %w", err)
		}
	}
	return nil
}

// Posting is what the index holds for one term of one passage: how often
// the term occurs in the body and in the headline (at most 3), and the
// passage's length in tokens with the headline (exact below 128 tokens,
// else the middle of a step of 8).
type Posting struct {
	Body, Title, Length int
}

// Dump reads the whole index and returns, for every passage not marked
// removed, its terms and their postings. It checks the index's structure
// as it reads (block keys, posting counts, ids within their segment, one
// posting per passage and term) and fails at the first inconsistency. It
// is for tests and diagnostics: it reads everything.
func Dump(ctx context.Context, db DB) (map[int64]map[string]Posting, error) {
	deleted := map[int64]bool{}
	rows, err := db.QueryContext(ctx, `SELECT id FROM deleted_passages`)
	if err != nil {
		return nil, fmt.Errorf("dump the index: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("dump the index: %w", err)
		}
		deleted[id] = true
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("dump the index: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT s.min_pid, s.max_pid, p.term, p.n, p.data FROM postings p JOIN segments s ON s.id = p.seg`)
	if err != nil {
		return nil, fmt.Errorf("dump the index: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]Posting{}
	for rows.Next() {
		var lo, hi int64
		var key string
		var rowN int
		var block []byte
		if err := rows.Scan(&lo, &hi, &key, &rowN, &block); err != nil {
			return nil, fmt.Errorf("dump the index: %w", err)
		}
		br := blockReader{data: block}
		entries := 0
		for {
			term, n, list, ok := br.next()
			if !ok {
				break
			}
			if entries == 0 && string(term) != key {
				return nil, fmt.Errorf("block keyed %q starts with %q", key, term)
			}
			entries++
			r := postingReader{data: list}
			got := 0
			for {
				pid, body, title, length, ok := r.next()
				if !ok {
					break
				}
				got++
				if pid < lo || pid > hi {
					return nil, fmt.Errorf("posting of %q for passage %d outside its segment [%d, %d]", term, pid, lo, hi)
				}
				if deleted[pid] {
					continue
				}
				if out[pid] == nil {
					out[pid] = map[string]Posting{}
				}
				if _, dup := out[pid][string(term)]; dup {
					return nil, fmt.Errorf("passage %d has two postings for %q", pid, term)
				}
				out[pid][string(term)] = Posting{Body: body, Title: title, Length: lengthOf(length)}
			}
			if got != n {
				return nil, fmt.Errorf("entry for %q says %d postings, holds %d", term, n, got)
			}
			if rowN >= 0 && rowN != n {
				return nil, fmt.Errorf("row for %q says %d postings, its list %d", term, rowN, n)
			}
		}
		if entries == 0 || (rowN >= 0) != (entries == 1) {
			return nil, fmt.Errorf("block keyed %q: %d entries, n = %d", key, entries, rowN)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dump the index: %w", err)
	}
	return out, nil
}
