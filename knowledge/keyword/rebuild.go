package keyword

import (
	"context"
	"fmt"

	"github.com/herald-bot/herald/knowledge/text"
)

// Passage is a stored passage as Rebuild indexes it: its id, its
// article's id, language and headline, and its text.
type Passage struct {
	ID, ArticleID   int64
	Language, Title string
	Text            string
}

// Rebuild indexes every stored passage again, into fresh segments and
// statistics: the index is emptied first, then next is called for the
// passages after id after (0 first, then the last id of the previous
// page), in id order, until it returns none. db is a write transaction.
func Rebuild(ctx context.Context, db DB, next func(ctx context.Context, after int64) ([]Passage, error)) error {
	for _, q := range []string{`DELETE FROM postings`, `DELETE FROM segments`, `DELETE FROM deleted_passages`,
		`DELETE FROM removed_df`, `DELETE FROM index_stats`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild the index: empty it: %w", err)
		}
	}
	var (
		b       Builder
		after   int64
		lastArt int64 = -1
		x             = Indexer{Cache: &text.StemCache{}}
	)
	for {
		page, err := next(ctx, after)
		if err != nil {
			return fmt.Errorf("rebuild the index: read passages after %d: %w", after, err)
		}
		for _, p := range page {
			if p.ArticleID != lastArt {
				lastArt = p.ArticleID
				x.SetArticle(p.Language, p.Title)
			}
			b.Add(p.ID, x.Passage(p.Text))
			after = p.ID
		}
		if len(page) == 0 || b.Passages() >= rebuildSegment {
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

// Posting is what the index holds for one term of one passage: how often
// the term occurs in the body and in the headline (at most 3), and the
// passage's length in tokens with the headline (exact below 128 tokens,
// else the middle of a step of 8).
type Posting struct {
	Body, Title, Length int
}

// Dump reads the whole index and returns, for every passage not marked
// removed, its terms and their postings (a passage's terms are those of
// its language's index: one passage is in one language). It checks the
// index's structure as it reads (block keys, posting counts, ids within
// their segment, one posting per passage and term) and fails at the first
// inconsistency. It is for tests and diagnostics: it reads everything.
func Dump(ctx context.Context, db DB) (map[int64]map[string]Posting, error) {
	deleted := map[int64]bool{}
	if err := removedIn(ctx, db, 0, 1<<62, deleted); err != nil {
		return nil, fmt.Errorf("dump the index: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT s.min_pid, s.max_pid, p.term, p.n, p.data FROM postings p JOIN segments s ON s.id = p.seg`)
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
