package knowledge

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/text"
)

// Story grouping parameters. Two articles report the same story when they
// were published within storyWindow of each other, are visible together
// (same server, or one of them the operator's), are written in the same
// language and either have nearly the same text (SimHash fingerprints at
// most storyFingerprintBits apart, as when outlets run one wire report) or
// share enough of the distinctive words of their headlines and leads
// (weighted Jaccard at least storyOverlap, with at least storyMinShared
// shared stems of their language). Reports in different languages share
// names but few words, and names alone do not make one story: they are
// grouped only by a digest with an embeddings model (see
// mergeAcrossLanguages).
const (
	storyWindow          = 3 * 24 * time.Hour
	storyFingerprintBits = 4
	storyOverlap         = 0.25
	storyMinShared       = 4
	storyLeadTokens      = 60 // words of the lead read after the headline
	storyCandidateTerms  = 12 // rarest words of an article used to find candidates
	storyMinFingerprint  = 40 // tokens a text needs for its fingerprint to count
)

// storyDoc is what grouping knows of one article.
type storyDoc struct {
	id, story int64
	guild     string
	lang      string // ISO 639-1 code, declared or detected
	at        int64
	fp        uint64
	fpOK      bool
	terms     []string // distinct stems of headline and lead
}

// AssignStories groups articles into stories: every article dated at or
// after since (by publication; an undated feed item by when it was
// fetched) that has no story yet, and every one of the storyWindow before
// since that has none either (an imported corpus: articles nothing
// grouped when they came), joins the story of the most similar article
// published within storyWindow, or starts its own, whose id is its own
// article id. Undated articles that no feed brought are never news (see
// Digest) and join no story. It returns how many articles it assigned. It is idempotent and cheap when nothing is new;
// the feed poller runs it after each poll and digests before grouping, so
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
	docs, err := db.loadStoryDocs(ctx, since.Add(-storyWindow))
	if err != nil {
		return 0, fmt.Errorf("assign stories since %s: %w", since.Format(time.RFC3339), err)
	}
	updates := groupStories(docs, since.Add(-storyWindow).Unix())
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
		res, err := st.ExecContext(ctx, u.story, u.id)
		if err != nil {
			return 0, fmt.Errorf("assign stories: article %d to story %d: %w", u.id, u.story, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return 0, fmt.Errorf("assign stories: article %d to story %d: %w", u.id, u.story, err)
		} else if k > 0 {
			n++
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("assign stories: commit: %w", err)
	}
	return n, nil
}

func (db *DB) loadStoryDocs(ctx context.Context, from time.Time) ([]*storyDoc, error) {
	// The lead is the first passage's chunk of the text.
	rows, err := db.db.QueryContext(ctx, `SELECT a.id, coalesce(a.story_id, 0), a.guild_id, coalesce(a.published_at, a.fetched_at) AS at, a.fingerprint, a.title, a.language,
			(SELECT p.chunk FROM passages p WHERE p.article_id = a.id AND p.seq = 0)
		FROM articles a WHERE `+storyDated+` AND coalesce(a.published_at, a.fetched_at) >= ? ORDER BY at, a.id`, from.Unix())
	if err != nil {
		return nil, fmt.Errorf("load articles for stories: %w", err)
	}
	defer rows.Close()
	var docs []*storyDoc
	var toks []string
	for rows.Next() {
		d := &storyDoc{}
		var fp int64
		var title, lang string
		var chunk []byte
		if err := rows.Scan(&d.id, &d.story, &d.guild, &d.at, &fp, &title, &lang, &chunk); err != nil {
			return nil, fmt.Errorf("load articles for stories: %w", err)
		}
		lead, err := decodeChunk(chunk)
		if err != nil {
			return nil, fmt.Errorf("load articles for stories: lead of article %d: %w", d.id, err)
		}
		if len(lead) > 1500 {
			lead = lead[:1500]
		}
		d.fp = uint64(fp)
		if d.lang = text.LanguageCode(lang); d.lang == "" {
			d.lang = text.DetectLanguage(title+"\n\n"+lead, "en")
		}
		toks = text.AppendTokens(toks[:0], lead)
		d.fpOK = len(toks) >= storyMinFingerprint
		d.terms, toks = storyTerms(text.AnalyzerFor(d.lang), title, lead, toks)
		docs = append(docs, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load articles for stories: %w", err)
	}
	return docs, nil
}

// storyTerms returns the distinct stems, in the analyzer's language, of
// the content words of a headline and the first storyLeadTokens words of
// its article.
func storyTerms(a *text.Analyzer, title, lead string, buf []string) ([]string, []string) {
	seen := map[string]bool{}
	var out []string
	add := func(toks []string) {
		for _, t := range toks {
			if a.IsStopword(t) {
				continue
			}
			s := a.Stem(t)
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	buf = text.AppendTokens(buf[:0], title)
	add(buf)
	buf = text.AppendTokens(buf[:0], lead)
	if len(buf) > storyLeadTokens {
		buf = buf[:storyLeadTokens]
	}
	add(buf)
	sort.Strings(out)
	return out, buf
}

// storyDated selects the articles that can be news: dated ones, and
// undated ones a feed brought.
const storyDated = `(published_at IS NOT NULL OR feed_id IS NOT NULL)`

type storyUpdate struct{ id, story int64 }

// groupStories assigns a story to every doc without one dated at or after
// from, in date order, and returns the assignments. docs are sorted by
// date.
func groupStories(docs []*storyDoc, from int64) []storyUpdate {
	df := map[string]int{}
	postings := map[string][]int{}
	for i, d := range docs {
		for _, t := range d.terms {
			df[t]++
			postings[t] = append(postings[t], i)
		}
	}
	n := float64(len(docs))
	weight := func(t string) float64 { return math.Log(1 + n/float64(df[t])) }
	window := int64(storyWindow / time.Second)
	var updates []storyUpdate
	for i, d := range docs {
		if d.story != 0 || d.at < from {
			continue
		}
		best, bestScore := -1, 0.0
		consider := func(j int, score float64) {
			if score > bestScore || (score == bestScore && best >= 0 && j < best) {
				best, bestScore = j, score
			}
		}
		visible := func(o *storyDoc) bool {
			return o.story != 0 && abs64(o.at-d.at) <= window && (o.guild == d.guild || o.guild == "" || d.guild == "") && o.lang == d.lang
		}
		// Near-duplicate texts: scan the window around d.
		if d.fpOK {
			for j := i - 1; j >= 0 && d.at-docs[j].at <= window; j-- {
				if o := docs[j]; o.fpOK && visible(o) && bits.OnesCount64(o.fp^d.fp) <= storyFingerprintBits {
					consider(j, 2)
				}
			}
			for j := i + 1; j < len(docs) && docs[j].at-d.at <= window; j++ {
				if o := docs[j]; o.fpOK && visible(o) && bits.OnesCount64(o.fp^d.fp) <= storyFingerprintBits {
					consider(j, 2)
				}
			}
		}
		// Shared distinctive words: candidates from the rarest of d's terms
		// that other articles use too.
		if best < 0 && len(d.terms) >= storyMinShared {
			var rare []string
			for _, t := range d.terms {
				if df[t] > 1 {
					rare = append(rare, t)
				}
			}
			sort.SliceStable(rare, func(a, b int) bool { return df[rare[a]] < df[rare[b]] })
			if len(rare) > storyCandidateTerms {
				rare = rare[:storyCandidateTerms]
			}
			tried := map[int]bool{}
			for _, t := range rare {
				for _, j := range postings[t] {
					if j == i || tried[j] || !visible(docs[j]) {
						continue
					}
					tried[j] = true
					if s, shared := weightedJaccard(d.terms, docs[j].terms, weight); shared >= storyMinShared && s >= storyOverlap {
						consider(j, s)
					}
				}
			}
		}
		d.story = d.id
		if best >= 0 {
			d.story = docs[best].story
		}
		updates = append(updates, storyUpdate{d.id, d.story})
	}
	return updates
}

// weightedJaccard compares two sorted term lists: the weight of the terms
// they share over the weight of all their terms, and how many they share.
func weightedJaccard(a, b []string, weight func(string) float64) (float64, int) {
	var inter, union float64
	shared := 0
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			union += weight(a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			union += weight(b[j])
			j++
		default:
			w := weight(a[i])
			inter += w
			union += w
			shared++
			i++
			j++
		}
	}
	if union == 0 {
		return 0, 0
	}
	return inter / union, shared
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Cross-language grouping parameters: a digest merges two stories written
// in different languages when an embeddings model finds their leads at
// least crossLanguageSimilarity alike (cosine) and their newest reports
// within storyWindow of each other. Only the crossLanguageStories best
// ranked stories are compared, in one embeddings request.
const (
	crossLanguageSimilarity = 0.8
	crossLanguageStories    = 48
	crossLanguageLeadRunes  = 600
)

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
	n := min(len(groups), crossLanguageStories)
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
		leads[i] = cutRunes(a.Title+"\n\n"+texts[a.ID], crossLanguageLeadRunes)
		langs[i] = groupLanguage(g, leads[i])
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
	window := storyWindow
	into := make([]int, len(groups)) // the group each one is merged into
	for i := range into {
		into[i] = i
	}
	for j := 1; j < n; j++ {
		for i := 0; i < j; i++ {
			if into[i] != i || langs[i] == langs[j] {
				continue
			}
			gap := groups[i].latest.Sub(groups[j].latest)
			if gap < -window || gap > window {
				continue
			}
			if cosine(vecs[i], vecs[j]) >= crossLanguageSimilarity {
				into[j] = i
				break
			}
		}
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

// groupLanguage is the language most of a story's articles declare (or,
// for those that declare none, the language of lead, the first article's
// headline and lead).
func groupLanguage(g *storyGroup, lead string) string {
	count := map[string]int{}
	best := ""
	for _, a := range g.articles {
		lang := text.LanguageCode(a.Language)
		if lang == "" {
			lang = text.DetectLanguage(lead, "en")
		}
		count[lang]++
		if best == "" || count[lang] > count[best] {
			best = lang
		}
	}
	return best
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

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
