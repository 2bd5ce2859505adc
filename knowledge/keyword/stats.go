package keyword

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// Stats are the counts BM25 needs of one language's index: its passages,
// their tokens, their headlines' tokens (each passage counting its
// article's headline once), and how many removed passages still have
// postings in its segments.
type Stats struct {
	Passages, Tokens, TitleTokens int64
	Removed                       int64
}

// ReadStats returns the statistics of every language indexed, by language
// ("" is the plain analyzer's).
func ReadStats(ctx context.Context, db DB) (map[string]Stats, error) {
	rows, err := db.QueryContext(ctx, `SELECT lang, passages, tokens, title_tokens, removed FROM index_stats`)
	if err != nil {
		return nil, fmt.Errorf("read index statistics: %w", err)
	}
	defer rows.Close()
	out := map[string]Stats{}
	for rows.Next() {
		var lang string
		var s Stats
		if err := rows.Scan(&lang, &s.Passages, &s.Tokens, &s.TitleTokens, &s.Removed); err != nil {
			return nil, fmt.Errorf("read index statistics: %w", err)
		}
		out[lang] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read index statistics: %w", err)
	}
	return out, nil
}

// addStats adds d to the statistics of lang.
func addStats(ctx context.Context, db DB, lang string, d Stats) error {
	if d == (Stats{}) {
		return nil
	}
	_, err := db.ExecContext(ctx, `INSERT INTO index_stats(lang, passages, tokens, title_tokens, removed) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(lang) DO UPDATE SET passages = index_stats.passages + excluded.passages, tokens = index_stats.tokens + excluded.tokens,
			title_tokens = index_stats.title_tokens + excluded.title_tokens, removed = index_stats.removed + excluded.removed`,
		lang, d.Passages, d.Tokens, d.TitleTokens, d.Removed)
	if err != nil {
		return fmt.Errorf("update the statistics of language %q: %w", lang, err)
	}
	return nil
}

// Removed is a passage being removed and its analysis as it was indexed
// (Indexer.Passage over its stored text, its article's headline and
// language as they were).
type Removed struct {
	ID       int64
	Analysis Analysis
}

// MarkRemoved records, in the write transaction that removes them, that
// passages were removed: from then on Score passes over them, DF no
// longer counts them and their lengths leave the statistics; the merge of
// their segment drops their postings. A passage already marked is not
// counted twice.
func MarkRemoved(ctx context.Context, db DB, removed []Removed) error {
	seen := make(map[int64]bool, len(removed))
	ids := make([]int64, 0, len(removed))
	for _, r := range removed {
		if !seen[r.ID] {
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
	}
	marked := make(map[int64]bool, len(ids))
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.QueryContext(ctx, `INSERT INTO deleted_passages(id) VALUES `+strings.TrimSuffix(strings.Repeat("(?),", len(part)), ",")+
			` ON CONFLICT DO NOTHING RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("mark removed passages: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("mark removed passages: %w", err)
			}
			marked[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("mark removed passages: %w", err)
		}
	}
	stats := map[string]*Stats{}
	df := map[string]map[string]int{}
	for _, r := range removed {
		if !marked[r.ID] {
			continue
		}
		delete(marked, r.ID) // a duplicate counts once
		a := &r.Analysis
		s := stats[a.Lang]
		if s == nil {
			s = &Stats{}
			stats[a.Lang], df[a.Lang] = s, map[string]int{}
		}
		s.Passages--
		s.Tokens -= int64(a.Words)
		s.TitleTokens -= int64(a.TitleTokens)
		s.Removed++
		for _, tf := range a.Terms {
			df[a.Lang][tf.term]++
		}
	}
	for lang, s := range stats {
		if err := addStats(ctx, db, lang, *s); err != nil {
			return fmt.Errorf("mark removed passages: %w", err)
		}
		if err := addRemovedDF(ctx, db, lang, df[lang], 1); err != nil {
			return fmt.Errorf("mark removed passages: %w", err)
		}
	}
	return nil
}

// removedRows is how many terms one statement of addRemovedDF updates.
const removedRows = 256

// addRemovedDF adds sign times counts to the removed postings of lang's
// terms, and forgets the terms left with none.
func addRemovedDF(ctx context.Context, db DB, lang string, counts map[string]int, sign int) error {
	if len(counts) == 0 {
		return nil
	}
	terms := make([]string, 0, len(counts))
	for t := range counts {
		terms = append(terms, t)
	}
	sort.Strings(terms) // a stable statement order, and B-tree friendly
	for start := 0; start < len(terms); start += removedRows {
		part := terms[start:min(start+removedRows, len(terms))]
		args := make([]any, 0, 3*len(part))
		for _, t := range part {
			args = append(args, lang, t, sign*counts[t])
		}
		q := `INSERT INTO removed_df(lang, term, n) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(part)), ",") +
			` ON CONFLICT(lang, term) DO UPDATE SET n = removed_df.n + excluded.n`
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("count removed postings: %w", err)
		}
	}
	if sign < 0 {
		if _, err := db.ExecContext(ctx, `DELETE FROM removed_df WHERE lang = ? AND n <= 0`, lang); err != nil {
			return fmt.Errorf("count removed postings: %w", err)
		}
	}
	return nil
}

// removedDF returns, for those of terms that have any, how many postings
// of removed passages lang's segments still hold.
func removedDF(ctx context.Context, db DB, lang string, terms []string) (map[string]int, error) {
	out := map[string]int{}
	pg := sqldb.Of(db) == sqldb.Postgres
	for start := 0; start < len(terms); start += sqlbatch.MaxIDs {
		part := terms[start:min(start+sqlbatch.MaxIDs, len(terms))]
		var q string
		var args []any
		if pg {
			// One array argument: the statement is planned once.
			q, args = `SELECT term, n FROM removed_df WHERE lang = ? AND term = ANY(?::text[])`, []any{lang, part}
		} else {
			args = make([]any, 0, len(part)+1)
			args = append(args, lang)
			for _, t := range part {
				args = append(args, t)
			}
			q = `SELECT term, n FROM removed_df WHERE lang = ? AND term IN (` + sqlbatch.Placeholders(len(part)) + `)`
		}
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read removed postings: %w", err)
		}
		for rows.Next() {
			var t string
			var n int
			if err := rows.Scan(&t, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read removed postings: %w", err)
			}
			out[t] = n
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read removed postings: %w", err)
		}
	}
	return out, nil
}
