package knowledge

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/story"
	"github.com/herald-bot/herald/knowledge/text"
)

// AssignStories groups articles into stories: every article dated at or
// after since (by publication; an undated feed item by when it was
// fetched) that has no story yet, and every one of the story.Window before
// since that has none either (an imported corpus: articles nothing
// grouped when they came), joins the story of the most similar article
// published within story.Window, or starts its own, whose id is its own
// article id (package story says when two articles are alike). Undated
// articles that no feed brought are never news (see Digest) and join no
// story. It returns how many articles it assigned. It is idempotent and
// cheap when nothing is new; the feed poller runs it after each poll and digests before grouping, so
// articles from any source (feeds, the command line) are grouped.
func (db *DB) AssignStories(ctx context.Context, since time.Time) (int, error) {
	var pending int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE story_id IS NULL AND `+storyDated+` AND coalesce(published_at, fetched_at) >= ?`,
		since.Unix()).Scan(&pending); err != nil {
		return 0, fmt.Errorf("assign stories since %s: count pending: %w", since.Format(time.RFC3339), err)
	}
	if pending == 0 {
		return 0, nil
	}
	docs, err := db.loadStoryDocs(ctx, since.Add(-story.Window))
	if err != nil {
		return 0, fmt.Errorf("assign stories since %s: %w", since.Format(time.RFC3339), err)
	}
	updates := story.Group(docs, since.Add(-story.Window).Unix())
	if len(updates) == 0 {
		return 0, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("assign stories: begin: %w", err)
	}
	defer db.endWrite(tx)
	st, err := tx.PrepareContext(ctx, `UPDATE articles SET story_id = ? WHERE id = ? AND story_id IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("assign stories: prepare: %w", err)
	}
	defer st.Close()
	n := 0
	for _, u := range updates {
		res, err := st.ExecContext(ctx, u.Story, u.ID)
		if err != nil {
			return 0, fmt.Errorf("assign stories: article %d to story %d: %w", u.ID, u.Story, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return 0, fmt.Errorf("assign stories: article %d to story %d: %w", u.ID, u.Story, err)
		} else if k > 0 {
			n++
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("assign stories: commit: %w", err)
	}
	return n, nil
}

// loadStoryDocs reads what grouping needs of the articles that can be
// news (see storyDated) from from on, oldest first.
func (db *DB) loadStoryDocs(ctx context.Context, from time.Time) ([]*story.Doc, error) {
	// The lead is the first passage's chunk of the text.
	rows, err := db.db.QueryContext(ctx, `SELECT a.id, coalesce(a.story_id, 0), a.guild_id, coalesce(a.published_at, a.fetched_at) AS at, a.fingerprint, a.title, a.language,
			(SELECT p.chunk FROM passages p WHERE p.article_id = a.id AND p.seq = 0)
		FROM articles a WHERE `+storyDated+` AND coalesce(a.published_at, a.fetched_at) >= ? ORDER BY at, a.id`, from.Unix())
	if err != nil {
		return nil, fmt.Errorf("load articles for stories: %w", err)
	}
	defer rows.Close()
	var docs []*story.Doc
	var toks []string
	for rows.Next() {
		d := &story.Doc{}
		var fp int64
		var title, lang string
		var chunk []byte
		if err := rows.Scan(&d.ID, &d.Story, &d.Guild, &d.At, &fp, &title, &lang, &chunk); err != nil {
			return nil, fmt.Errorf("load articles for stories: %w", err)
		}
		lead, err := decodeChunk(chunk)
		if err != nil {
			return nil, fmt.Errorf("load articles for stories: lead of article %d: %w", d.ID, err)
		}
		if len(lead) > 1500 {
			lead = lead[:1500]
		}
		d.Fingerprint = uint64(fp)
		if d.Lang = text.LanguageCode(lang); d.Lang == "" {
			d.Lang = text.DetectLanguage(title+"\n\n"+lead, "en")
		}
		toks = text.AppendTokens(toks[:0], lead)
		d.FingerprintOK = len(toks) >= story.MinFingerprint
		d.Terms, toks = story.Terms(text.AnalyzerFor(d.Lang), title, lead, toks)
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load articles for stories: %w", err)
	}
	return docs, nil
}

// storyDated selects the articles that can be news: dated ones, and
// undated ones a feed brought.
const storyDated = `(published_at IS NOT NULL OR feed_id IS NOT NULL)`

// mergeAcrossLanguages merges the stories of groups that report one story
// in several languages, as emb judges them, into the better ranked of
// them, and ranks the result again (see periodStories). Without an
// embedder, with one language only, or when the embeddings request fails
// (logged), groups come back as they are: words alone never group
// reports across languages.
func (d *Digester) mergeAcrossLanguages(ctx context.Context, emb Embedder, groups []*storyGroup) []*storyGroup {
	if emb == nil || len(groups) < 2 {
		return groups
	}
	n := min(len(groups), story.CrossLanguageStories)
	firsts := make([]int64, n)
	for i, g := range groups[:n] {
		firsts[i] = g.articles[0].ID
	}
	texts, err := d.DB.leadTexts(ctx, firsts)
	if err != nil {
		d.logger().Warn("cannot compare stories across languages; keeping them apart", "err", err)
		return groups
	}
	langs := make([]string, n)
	leads := make([]string, n)
	distinct := map[string]bool{}
	for i, g := range groups[:n] {
		a := g.articles[0]
		leads[i] = cutRunes(a.Title+"\n\n"+texts[a.ID], story.CrossLanguageLeadRunes)
		declared := make([]string, len(g.articles))
		for k, art := range g.articles {
			declared[k] = art.Language
		}
		langs[i] = story.Language(declared, leads[i])
		distinct[langs[i]] = true
	}
	if len(distinct) < 2 {
		return groups
	}
	vecs, err := emb.Embed(ctx, leads)
	if err != nil || len(vecs) != n {
		if ctx.Err() == nil {
			d.logger().Warn("cannot compare stories across languages; keeping them apart", "err", err)
		}
		return groups
	}
	latest := make([]time.Time, n)
	for i, g := range groups[:n] {
		latest[i] = g.Latest
	}
	into := story.CrossLanguage(langs, latest, vecs) // the group each one is merged into
	for i := n; i < len(groups); i++ {
		into = append(into, i)
	}
	var out []*storyGroup
	for i, g := range groups {
		if into[i] != i {
			continue
		}
		for j := i + 1; j < len(groups); j++ {
			if into[j] == i {
				g.articles = append(g.articles, groups[j].articles...)
			}
		}
		out = append(out, g)
	}
	if len(out) == len(groups) {
		return groups
	}
	for _, g := range out {
		sort.SliceStable(g.articles, func(a, b int) bool { return g.articles[a].at().Before(g.articles[b].at()) })
		g.count()
	}
	rankStories(out)
	return out
}

// leadTexts returns the first passage of each article of ids that has one.
func (db *DB) leadTexts(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		rows, err := db.db.QueryContext(ctx, `SELECT article_id, chunk FROM passages WHERE seq = 0 AND article_id IN (`+sqlbatch.IDList(part)+`)`)
		if err != nil {
			return nil, fmt.Errorf("read the leads of %d articles: %w", len(ids), err)
		}
		for rows.Next() {
			var id int64
			var chunk []byte
			if err := rows.Scan(&id, &chunk); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the leads of %d articles: %w", len(ids), err)
			}
			lead, err := decodeChunk(chunk)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the lead of article %d: %w", id, err)
			}
			out[id] = lead
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read the leads of %d articles: %w", len(ids), err)
		}
	}
	return out, nil
}
