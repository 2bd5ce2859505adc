package keyword

import (
	"context"
	"fmt"
	"sort"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
)

// compactRemoved is how many removed passages a language's segments may
// hold before Merge compacts the segments that hold most of them: every
// search reads the list of removed passages (see Score), and their
// postings take space until their segment is rewritten, which for a
// final-tier segment no merge ever does.
const compactRemoved = 512

// segmentInfo is a row of segments.
type segmentInfo struct {
	id, passages, minPID, maxPID int64
	lang                         string
}

func tierOf(passages int64) int {
	t := 0
	for n := int64(firstTierPassages); passages >= n && t < finalTier; n *= MergeFactor {
		t++
	}
	return t
}

// Merge merges MergeFactor segments of a tier into one of the next, while
// some tier below the final one of some language has that many, then
// compacts the segments of a language holding more than compactRemoved
// removed passages. db is a write transaction.
func Merge(ctx context.Context, db DB) error {
	for {
		segs, err := readSegments(ctx, db)
		if err != nil {
			return fmt.Errorf("merge segments: %w", err)
		}
		group := mergeable(segs)
		if group == nil {
			break
		}
		if err := mergeGroup(ctx, db, group); err != nil {
			return err
		}
	}
	return compact(ctx, db)
}

// mergeable returns the first MergeFactor segments of one language and
// tier below the final one, or nil.
func mergeable(segs []segmentInfo) []segmentInfo {
	tiers := map[string]*[finalTier][]segmentInfo{}
	for _, s := range segs {
		t := tierOf(s.passages)
		if t == finalTier {
			continue
		}
		lt := tiers[s.lang]
		if lt == nil {
			lt = &[finalTier][]segmentInfo{}
			tiers[s.lang] = lt
		}
		lt[t] = append(lt[t], s)
		if len(lt[t]) == MergeFactor {
			return lt[t]
		}
	}
	return nil
}

// compact rewrites, one at a time, the segments of a language with more
// than compactRemoved removed passages that hold the most of them, until
// at most half that many are left or no rewrite helps.
func compact(ctx context.Context, db DB) error {
	stats, err := ReadStats(ctx, db)
	if err != nil {
		return fmt.Errorf("compact segments: %w", err)
	}
	langs := make([]string, 0, len(stats))
	for lang, s := range stats {
		if s.Removed > compactRemoved {
			langs = append(langs, lang)
		}
	}
	sort.Strings(langs)
	for _, lang := range langs {
		left := stats[lang].Removed
		for left > compactRemoved/2 {
			segs, err := readSegments(ctx, db)
			if err != nil {
				return fmt.Errorf("compact segments: %w", err)
			}
			var best segmentInfo
			most := int64(0)
			for _, s := range segs {
				if s.lang != lang {
					continue
				}
				var n int64
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM deleted_passages WHERE id BETWEEN ? AND ?`, s.minPID, s.maxPID).Scan(&n); err != nil {
					return fmt.Errorf("compact segments: count removed passages: %w", err)
				}
				if n > most {
					best, most = s, n
				}
			}
			if most == 0 {
				break
			}
			if err := mergeGroup(ctx, db, []segmentInfo{best}); err != nil {
				return fmt.Errorf("compact segments: %w", err)
			}
			after, err := ReadStats(ctx, db)
			if err != nil {
				return fmt.Errorf("compact segments: %w", err)
			}
			if after[lang].Removed >= left {
				break // the removed passages in its range were another segment's
			}
			left = after[lang].Removed
		}
	}
	return nil
}

// readSegments lists the segments in passage id order.
func readSegments(ctx context.Context, db DB) ([]segmentInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, passages, min_pid, max_pid, lang FROM segments ORDER BY min_pid`)
	if err != nil {
		return nil, fmt.Errorf("read segments: %w", err)
	}
	defer rows.Close()
	var segs []segmentInfo
	for rows.Next() {
		var s segmentInfo
		if err := rows.Scan(&s.id, &s.passages, &s.minPID, &s.maxPID, &s.lang); err != nil {
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

// removedIn returns the passages marked removed with ids in [lo, hi].
func removedIn(ctx context.Context, db DB, lo, hi int64, into map[int64]bool) error {
	rows, err := db.QueryContext(ctx, `SELECT id FROM deleted_passages WHERE id BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return fmt.Errorf("read removed passages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("read removed passages: %w", err)
		}
		into[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read removed passages: %w", err)
	}
	return nil
}

// mergeGroup rewrites the segments of group (of one language, in passage
// id order) as one, without the postings of removed passages, which it
// then forgets.
func mergeGroup(ctx context.Context, db DB, group []segmentInfo) error {
	deleted := map[int64]bool{}
	ids := make([]int64, len(group))
	merged := segmentInfo{minPID: group[0].minPID, maxPID: group[0].maxPID, lang: group[0].lang}
	for i, s := range group {
		ids[i] = s.id
		merged.passages += s.passages
		merged.minPID = min(merged.minPID, s.minPID)
		merged.maxPID = max(merged.maxPID, s.maxPID)
		if err := removedIn(ctx, db, s.minPID, s.maxPID, deleted); err != nil {
			return fmt.Errorf("merge segments: %w", err)
		}
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO segments(passages, min_pid, max_pid, lang) VALUES (?, ?, ?, ?) RETURNING id`,
		merged.passages, merged.minPID, merged.maxPID, merged.lang).Scan(&merged.id); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	w := newBlockWriter(db, merged.id)
	defer w.ins.Close()
	cursors := make([]*segmentCursor, len(group))
	for i, s := range group {
		cursors[i] = &segmentCursor{seg: s}
		if err := cursors[i].fill(ctx, db); err != nil {
			return fmt.Errorf("merge segments: %w", err)
		}
	}
	var list []posting
	var out []byte
	dropped := map[int64]bool{}
	droppedDF := map[string]int{}
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
					droppedDF[term]++
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
					return fmt.Errorf("merge segments: %w", err)
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
	if len(dropped) == 0 {
		return nil
	}
	// A removed passage is in one segment only: once its postings are
	// dropped, nothing refers to it any more.
	gone := make([]int64, 0, len(dropped))
	for pid := range dropped {
		gone = append(gone, pid)
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i] < gone[j] })
	for start := 0; start < len(gone); start += sqlbatch.MaxIDs {
		part := gone[start:min(start+sqlbatch.MaxIDs, len(gone))]
		if _, err := db.ExecContext(ctx, `DELETE FROM deleted_passages WHERE id IN (`+sqlbatch.IDList(part)+`)`); err != nil {
			return fmt.Errorf("merge segments: forget removed passages: %w", err)
		}
	}
	// A segment left without passages has no postings either.
	q := `UPDATE segments SET passages = passages - ? WHERE id = ?`
	if int64(len(dropped)) >= merged.passages {
		q = `DELETE FROM segments WHERE ? >= 0 AND id = ?`
	}
	if _, err := db.ExecContext(ctx, q, len(dropped), merged.id); err != nil {
		return fmt.Errorf("merge segments: count passages: %w", err)
	}
	if err := addRemovedDF(ctx, db, merged.lang, droppedDF, -1); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	if err := addStats(ctx, db, merged.lang, Stats{Removed: -int64(len(dropped))}); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	return nil
}
