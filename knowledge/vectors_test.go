package knowledge

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/knowledge/vector"
)

// fakeEmbedder is an Embedder whose behaviour tests set with function
// fields.
type fakeEmbedder struct {
	ModelFn func() string
	EmbedFn func(ctx context.Context, texts []string) ([][]float32, error)
}

func (f *fakeEmbedder) Model() string { return f.ModelFn() }

func (f *fakeEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return f.EmbedFn(ctx, texts)
}

// bagOfWords embeds a text as its hashed bag of words: similar wording,
// similar vector, deterministically.
func bagOfWords(dim int) func(ctx context.Context, texts []string) ([][]float32, error) {
	return func(ctx context.Context, texts []string) ([][]float32, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out := make([][]float32, len(texts))
		for i, s := range texts {
			v := make([]float32, dim)
			for _, tok := range text.Tokens(s) {
				if text.IsStopword(tok) {
					continue
				}
				h := fnv.New64a()
				h.Write([]byte(tok))
				x := h.Sum64()
				sign := float32(1)
				if x>>63 == 1 {
					sign = -1
				}
				v[x%uint64(dim)] += sign
			}
			out[i] = v
		}
		return out, nil
	}
}

// recordingEmbedder is a bag-of-words embedder of model that records every
// text it embedded.
type recordingEmbedder struct {
	fakeEmbedder
	mu    sync.Mutex
	texts []string
	calls int
}

func newRecordingEmbedder(model string, dim int) *recordingEmbedder {
	r := &recordingEmbedder{}
	bow := bagOfWords(dim)
	r.ModelFn = func() string { return model }
	r.EmbedFn = func(ctx context.Context, texts []string) ([][]float32, error) {
		r.mu.Lock()
		r.texts = append(r.texts, texts...)
		r.calls++
		r.mu.Unlock()
		return bow(ctx, texts)
	}
	return r
}

// topicWords gives each test article its own vocabulary, so that a query
// in one article's words finds it.
var topicWords = [][]string{
	{"zeppelin", "airship", "hangar", "helium", "gondola", "mooring"},
	{"vineyard", "harvest", "grapes", "cellar", "vintage", "barrel"},
	{"glacier", "iceberg", "fjord", "crevasse", "moraine", "permafrost"},
	{"satellite", "orbit", "launch", "booster", "payload", "telescope"},
	{"orchestra", "violin", "symphony", "conductor", "cello", "overture"},
	{"volcano", "lava", "eruption", "magma", "ashfall", "caldera"},
}

// topicArticle writes an article of three paragraphs of about 170 words,
// each about its own keyword (the topic's first three words with the
// article's number: zeppelin0, airship0, hangar0), so that it splits into
// about one passage per paragraph.
func topicArticle(i int, guild string) *Article {
	words := topicWords[i%len(topicWords)]
	var b strings.Builder
	for para := 0; para < 3; para++ {
		key := fmt.Sprintf("%s%d", words[para], i)
		for s := 0; s < 14; s++ {
			fmt.Fprintf(&b, "The %s report mentions %s and %s near %s again today. ", key, words[(s+para)%6], words[(s+para+1)%6], key)
		}
		b.WriteString("\n\n")
	}
	return &Article{
		Title:       fmt.Sprintf("The %s story %d", words[0], i),
		URL:         fmt.Sprintf("https://news.example/%s/%d", guild, i),
		Source:      "Example News",
		GuildID:     guild,
		PublishedAt: time.Date(2024, 3, 1+i, 0, 0, 0, 0, time.UTC),
		Text:        b.String(),
	}
}

func putArticles(tb testing.TB, db *DB, arts ...*Article) {
	tb.Helper()
	res, err := db.PutArticles(context.Background(), arts)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			tb.Fatal(r.Err)
		}
	}
}

func countPassages(tb testing.TB, db *DB) int {
	tb.Helper()
	var n int
	if err := db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM passages`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestEmbedMissingEmbedsEveryPassageOnce(t *testing.T) {
	forEachBackend(t, testEmbedMissingEmbedsEveryPassageOnce)
}

func testEmbedMissingEmbedsEveryPassageOnce(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	total := countPassages(t, db)
	if total < 8 {
		t.Fatalf("only %d passages; the fixture should split articles", total)
	}
	emb := newRecordingEmbedder("bow", 64)
	var reports [][2]int
	n, err := db.EmbedMissing(ctx, emb, 3, func(done, all int) { reports = append(reports, [2]int{done, all}) })
	if err != nil || n != total {
		t.Fatalf("EmbedMissing = %d, %v; want %d", n, err, total)
	}
	if len(emb.texts) != total {
		t.Errorf("embedded %d texts for %d passages", len(emb.texts), total)
	}
	if emb.calls != (total+2)/3 {
		t.Errorf("%d calls, want batches of 3", emb.calls)
	}
	if reports[0] != [2]int{0, total} || reports[len(reports)-1] != [2]int{total, total} {
		t.Errorf("progress reports %v", reports)
	}
	// The text is the headline, a newline, then the passage.
	a, err := db.article(ctx, 1, "*")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(emb.texts[0], a.Title+"\n") || !strings.Contains(a.Text, strings.TrimPrefix(emb.texts[0], a.Title+"\n")) {
		t.Errorf("first text %q is not headline + passage of %q", emb.texts[0], a.Title)
	}
	n, err = db.EmbedMissing(ctx, emb, 3, nil)
	if err != nil || n != 0 || emb.calls != (total+2)/3 {
		t.Errorf("second run: %d, %v, %d calls; want nothing to do", n, err, emb.calls)
	}
	c, err := db.VectorCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c != (VectorCounts{Model: "bow", Dim: 64, Passages: total, Embedded: total}) {
		t.Errorf("counts %+v", c)
	}
	// New articles: only their passages are embedded.
	putArticles(t, db, topicArticle(4, ""))
	n, err = db.EmbedMissing(ctx, emb, 0, nil)
	if err != nil || n != countPassages(t, db)-total {
		t.Errorf("after ingest: %d, %v; want %d", n, err, countPassages(t, db)-total)
	}
}

func TestEmbedMissingResumesAfterCancel(t *testing.T) {
	forEachBackend(t, testEmbedMissingResumesAfterCancel)
}

func testEmbedMissingResumesAfterCancel(t *testing.T, db *DB) {
	for i := 0; i < 4; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	total := countPassages(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	emb := newRecordingEmbedder("bow", 64)
	bow := emb.EmbedFn
	emb.EmbedFn = func(c context.Context, texts []string) ([][]float32, error) {
		if emb.calls == 1 {
			cancel() // Ctrl-C during the second batch
		}
		return bow(c, texts)
	}
	n, err := db.EmbedMissing(ctx, emb, 2, nil)
	if !errors.Is(err, context.Canceled) || n != 2 {
		t.Fatalf("cancelled run = %d, %v; want 2 and context.Canceled", n, err)
	}
	emb.EmbedFn = bow
	n, err = db.EmbedMissing(context.Background(), emb, 2, nil)
	if err != nil || n != total-2 {
		t.Fatalf("resumed run = %d, %v; want %d", n, err, total-2)
	}
	// The first batch was not embedded again.
	seen := map[string]int{}
	for _, s := range emb.texts {
		seen[s]++
	}
	var twice int
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	if len(emb.texts)-2 != total { // the cancelled batch's texts were sent, then dropped
		t.Errorf("embedded %d texts for %d passages", len(emb.texts), total)
	}
	if twice > 2 {
		t.Errorf("%d texts embedded twice; only the cancelled batch may be", twice)
	}
}

func TestEmbedMissingFailureKeepsCommittedBatches(t *testing.T) {
	forEachBackend(t, testEmbedMissingFailureKeepsCommittedBatches)
}

func testEmbedMissingFailureKeepsCommittedBatches(t *testing.T, db *DB) {
	ctx := context.Background()
	putArticles(t, db, topicArticle(0, ""), topicArticle(1, ""))
	emb := newRecordingEmbedder("bow", 32)
	bow := emb.EmbedFn
	boom := Errorf(EUNAVAILABLE, "The model is down.")
	emb.EmbedFn = func(c context.Context, texts []string) ([][]float32, error) {
		if emb.calls == 1 {
			return nil, boom
		}
		return bow(c, texts)
	}
	n, err := db.EmbedMissing(ctx, emb, 2, nil)
	if !errors.Is(err, boom) || n != 2 {
		t.Fatalf("EmbedMissing = %d, %v; want 2 and the model's error", n, err)
	}
	c, _ := db.VectorCounts(ctx)
	if c.Embedded != 2 {
		t.Errorf("%d embedded; the first batch should be committed", c.Embedded)
	}
}

func TestEmbedMissingSwitchingModelReembeds(t *testing.T) {
	forEachBackend(t, testEmbedMissingSwitchingModelReembeds)
}

func testEmbedMissingSwitchingModelReembeds(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	total := countPassages(t, db)
	a := newRecordingEmbedder("model-a", 64)
	if n, err := db.EmbedMissing(ctx, a, 4, nil); err != nil || n != total {
		t.Fatalf("model a: %d, %v", n, err)
	}
	if hits, err := db.vectorSearch(ctx, a, "glacier fjord", Filter{}, 3); err != nil || len(hits) == 0 {
		t.Fatalf("search with a: %v, %v", hits, err)
	}

	// Another model: every passage is embedded again, the old vectors go.
	b := newRecordingEmbedder("model-b", 32)
	ctxB, cancel := context.WithCancel(ctx)
	bowB := b.EmbedFn
	b.EmbedFn = func(c context.Context, texts []string) ([][]float32, error) {
		if b.calls == 1 {
			cancel()
		}
		return bowB(c, texts)
	}
	if n, err := db.EmbedMissing(ctxB, b, 4, nil); !errors.Is(err, context.Canceled) || n != 4 {
		t.Fatalf("model b, interrupted: %d, %v", n, err)
	}
	b.EmbedFn = bowB
	if n, err := db.EmbedMissing(ctx, b, 4, nil); err != nil || n != total-4 {
		t.Fatalf("model b, resumed: %d, %v; want %d", n, err, total-4)
	}
	c, _ := db.VectorCounts(ctx)
	if c != (VectorCounts{Model: "model-b", Dim: 32, Passages: total, Embedded: total}) {
		t.Errorf("counts %+v", c)
	}
	var old int
	db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM passage_vectors WHERE model <> 'model-b'`).Scan(&old)
	if old != 0 {
		t.Errorf("%d vectors of model a remain", old)
	}
	hits, err := db.vectorSearch(ctx, b, "glacier fjord", Filter{}, 3)
	if err != nil || len(hits) == 0 {
		t.Fatalf("search with b: %v, %v", hits, err)
	}
	// Model a's space is empty now: no mixing.
	if hits, err := db.vectorSearch(ctx, a, "glacier fjord", Filter{}, 3); err != nil || len(hits) != 0 {
		t.Errorf("search with a after the switch: %v, %v; want nothing", hits, err)
	}

	// The same model name answering with another dimension is a switch too.
	b2 := newRecordingEmbedder("model-b", 48)
	if dim, err := db.ProbeVectorSpace(ctx, b2); err != nil || dim != 48 {
		t.Fatalf("probe: %d, %v", dim, err)
	}
	if n, err := db.EmbedMissing(ctx, b2, 5, nil); err != nil || n != total {
		t.Fatalf("model b at 48 dimensions: %d, %v; want %d", n, err, total)
	}
	c, _ = db.VectorCounts(ctx)
	if c.Dim != 48 || c.Embedded != total {
		t.Errorf("counts %+v", c)
	}
}

func TestEmbedMissingAfterUpdateOfNewestArticle(t *testing.T) {
	forEachBackend(t, testEmbedMissingAfterUpdateOfNewestArticle)
}

func testEmbedMissingAfterUpdateOfNewestArticle(t *testing.T, db *DB) {
	ctx := context.Background()
	putArticles(t, db, topicArticle(0, ""), topicArticle(1, ""))
	emb := newRecordingEmbedder("bow", 64)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.vectorSearch(ctx, emb, "vineyard", Filter{}, 1); err != nil {
		t.Fatal(err)
	}
	// Rewriting the newest article frees the highest passage ids, which
	// SQLite hands out again to its new passages.
	var maxBefore int64
	db.db.QueryRowContext(context.Background(), `SELECT max(id) FROM passages`).Scan(&maxBefore)
	upd := topicArticle(1, "")
	upd.Text = strings.ReplaceAll(upd.Text, "vineyard", "distillery")
	if st, err := db.PutArticle(ctx, upd); err != nil || st != Updated {
		t.Fatalf("update: %v, %v", st, err)
	}
	var reused int
	db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM passages WHERE id <= ? AND article_id = ?`, maxBefore, upd.ID).Scan(&reused)
	if reused == 0 {
		t.Log("no passage id was reused; the test still checks the update")
	}
	n, err := db.EmbedMissing(ctx, emb, 0, nil)
	if err != nil || n == 0 {
		t.Fatalf("after update: %d, %v; want the new passages embedded", n, err)
	}
	c, _ := db.VectorCounts(ctx)
	if c.Embedded != c.Passages {
		t.Errorf("counts %+v", c)
	}
	hits, err := db.vectorSearch(ctx, emb, "distillery1", Filter{}, 1)
	if err != nil || len(hits) == 0 || hits[0].ArticleID != upd.ID {
		t.Fatalf("search for the new text: %v, %v", hits, err)
	}
	cands, err := db.loadCandidates(ctx, []int64{hits[0].PassageID}, Filter{})
	if err != nil || len(cands) != 1 || !strings.Contains(cands[0].hit.Passage.Text, "distillery1") {
		t.Errorf("top passage: %v, %v", cands, err)
	}
}

func TestVectorSearchRanksTheRightPassageFirst(t *testing.T) {
	forEachBackend(t, testVectorSearchRanksTheRightPassageFirst)
}

func testVectorSearchRanksTheRightPassageFirst(t *testing.T, db *DB) {
	ctx := context.Background()
	emb := embeddedTopics(t, db, 256)
	check := func(query, want string) {
		t.Helper()
		hits, err := db.vectorSearch(ctx, emb, query, Filter{}, 5)
		if err != nil || len(hits) == 0 {
			t.Fatalf("%q: %v, %v", query, hits, err)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("%q: hits not by descending score: %v", query, hits)
			}
		}
		cands, err := db.loadCandidates(ctx, []int64{hits[0].PassageID}, Filter{})
		if err != nil || len(cands) != 1 {
			t.Fatal(cands, err)
		}
		if !strings.Contains(cands[0].hit.Passage.Text, want) {
			t.Errorf("%q: top passage lacks %q: %q", query, want, cands[0].hit.Passage.Text)
		}
		if cands[0].hit.Article.ID != hits[0].ArticleID {
			t.Errorf("%q: hit article %d, passage's article %d", query, hits[0].ArticleID, cands[0].hit.Article.ID)
		}
	}
	check("Which report mentions airship0?", "airship0")
	check("iceberg2 moraine", "iceberg2")
	check("what about the symphony4 and the cello", "symphony4")

	// A new article reaches the loaded index once embedded.
	putArticles(t, db, topicArticle(9, ""))
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	check("orbit9 booster", "orbit9")

	// A repeated question is not embedded again.
	calls := emb.calls
	check("iceberg2 moraine", "iceberg2")
	if emb.calls != calls {
		t.Errorf("the repeated query was embedded again")
	}
}

func TestVectorSearchFilters(t *testing.T) { forEachBackend(t, testVectorSearchFilters) }

func testVectorSearchFilters(t *testing.T, db *DB) {
	ctx := context.Background()
	// The same story in three scopes, plus others.
	operator, g1, g2 := topicArticle(0, ""), topicArticle(0, "g1"), topicArticle(0, "g2")
	g1.Source = "Club Bulletin"
	putArticles(t, db, operator, g1, g2, topicArticle(1, ""), topicArticle(2, "g1"))
	emb := newRecordingEmbedder("bow", 128)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	articles := func(f Filter) []int64 {
		t.Helper()
		hits, err := db.vectorSearch(ctx, emb, "zeppelin airship hangar0", f, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range hits {
			if !slices.Contains(ids, h.ArticleID) {
				ids = append(ids, h.ArticleID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		f    Filter
		want []*Article
	}{
		{"operator's only", Filter{}, []*Article{operator}},
		{"a guild sees the operator's and its own", Filter{GuildID: "g1"}, []*Article{operator, g1}},
		{"another guild", Filter{GuildID: "g2"}, []*Article{operator, g2}},
		{"all", Filter{GuildID: "*"}, []*Article{operator, g1, g2}},
		{"source", Filter{GuildID: "*", Sources: []string{"club bulletin"}}, []*Article{g1}},
		{"until", Filter{GuildID: "*", Until: day(1)}, nil},
	}
	for _, c := range cases {
		got := articles(c.f)
		var want []int64
		for _, a := range c.want {
			want = append(want, a.ID)
		}
		// Other topics may come after; the zeppelin articles must be
		// exactly the allowed ones.
		var zeppelins []int64
		for _, id := range got {
			for _, a := range []*Article{operator, g1, g2} {
				if a.ID == id {
					zeppelins = append(zeppelins, id)
				}
			}
		}
		if !slices.Equal(zeppelins, want) {
			t.Errorf("%s: zeppelin articles %v, want %v (all hits %v)", c.name, zeppelins, want, got)
		}
		if c.f.GuildID == "" && slices.Contains(got, int64(5)) {
			t.Errorf("%s: a guild's article leaked", c.name)
		}
	}
}

func TestVectorSearchNarrowFilterFindsEnough(t *testing.T) {
	forEachBackend(t, testVectorSearchNarrowFilterFindsEnough)
}

func testVectorSearchNarrowFilterFindsEnough(t *testing.T, db *DB) {
	// With many allowed-out passages nearer the query than the allowed
	// ones, widening alone does not suffice; the search must still return
	// the allowed passages.
	ctx := context.Background()
	var arts []*Article
	for i := 0; i < 40; i++ {
		a := topicArticle(0, "")
		a.URL = fmt.Sprintf("https://news.example/z/%d", i)
		a.Text = strings.ReplaceAll(a.Text, "hangar0", fmt.Sprintf("hangar0 x%d", i))
		arts = append(arts, a)
	}
	rare := topicArticle(3, "")
	rare.Source = "Rare Wire"
	arts = append(arts, rare)
	putArticles(t, db, arts...)
	emb := newRecordingEmbedder("bow", 128)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	hits, err := db.vectorSearch(ctx, emb, "zeppelin hangar0", Filter{Sources: []string{"Rare Wire"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].ArticleID != rare.ID || hits[1].ArticleID != rare.ID {
		t.Errorf("hits %v, want two passages of article %d", hits, rare.ID)
	}
}

func TestFuseRRF(t *testing.T) {
	cases := []struct {
		name  string
		lists [][]int64
		want  []int64
	}{
		{"empty", nil, nil},
		{"one list keeps its order", [][]int64{{3, 1, 2}}, []int64{3, 1, 2}},
		{"agreement wins", [][]int64{{1, 2, 3}, {2, 4, 5}}, []int64{2, 1, 4, 3, 5}},
		{"ties by first appearance", [][]int64{{1, 2}, {2, 1}}, []int64{1, 2}},
		{"duplicates count once", [][]int64{{5, 5, 6}, {6}}, []int64{6, 5}},
		{"disjoint interleave", [][]int64{{1, 2}, {3, 4}}, []int64{1, 3, 2, 4}},
	}
	for _, c := range cases {
		if got, _ := fuseRRF(c.lists, 0); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// A small k lets the top ranks dominate.
	if got, _ := fuseRRF([][]int64{{1, 2, 3, 4}, {4, 9, 8, 7}}, 1); got[0] != 4 {
		t.Errorf("k=1: %v", got)
	}
}

func TestFuseVectorCandidates(t *testing.T) { forEachBackend(t, testFuseVectorCandidates) }

func testFuseVectorCandidates(t *testing.T, db *DB) {
	ctx := context.Background()
	emb := embeddedTopics(t, db, 256)
	// BM25 found the passages of the volcano article that say lava5;
	// vectors find the satellite passage too.
	var all []int64
	rows, err := db.db.QueryContext(context.Background(), `SELECT id FROM passages ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		all = append(all, id)
	}
	rows.Close()
	loaded, err := db.loadCandidates(ctx, all, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var cands []*candidate
	for _, c := range loaded {
		if strings.Contains(c.hit.Passage.Text, "lava5") {
			c.score = float64(10 - len(cands))
			c.hit.Score = c.score
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		t.Fatal("no lava5 passage")
	}
	r := DefaultRanking()
	fused, err := db.fuseVectorCandidates(ctx, emb, "lava5 eruption and the launch3 payload", Filter{}, 10, cands)
	if err != nil {
		t.Fatal(err)
	}
	if len(fused) <= len(cands) {
		t.Fatalf("fusion added nothing: %d -> %d", len(cands), len(fused))
	}
	seen := map[int64]bool{}
	var satellite bool
	for i, c := range fused {
		if seen[c.hit.Passage.ID] {
			t.Errorf("passage %d twice", c.hit.Passage.ID)
		}
		seen[c.hit.Passage.ID] = true
		if i > 0 && c.score > fused[i-1].score {
			t.Errorf("not by descending fused score")
		}
		if c.hit.Score != c.score || c.score <= 0 {
			t.Errorf("candidate %d score %v / %v", c.hit.Passage.ID, c.score, c.hit.Score)
		}
		if strings.Contains(c.hit.Passage.Text, "launch3") {
			satellite = true
		}
	}
	if !satellite {
		t.Errorf("the vector-only passage is missing")
	}
	if !strings.Contains(fused[0].hit.Passage.Text, "lava5") {
		t.Errorf("top fused passage %q; both rankings agree on lava5", fused[0].hit.Passage.Text)
	}
	hits := rankArticles(fused, r, time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), 10)
	if len(hits) == 0 {
		t.Fatal("rankArticles returned nothing")
	}
	// Without an embedder the candidates pass through.
	same, err := db.fuseVectorCandidates(ctx, nil, "lava5", Filter{}, 10, cands)
	if err != nil || len(same) != len(cands) {
		t.Errorf("nil embedder: %d, %v", len(same), err)
	}
}

func TestVectorIndexLoadsFromSQLiteAboveExactBelow(t *testing.T) {
	forEachBackend(t, testVectorIndexLoadsFromSQLiteAboveExactBelow)
}

func testVectorIndexLoadsFromSQLiteAboveExactBelow(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	db.setVectorOptions(vector.Options{ExactBelow: 5})
	emb := newRecordingEmbedder("bow", 256)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	hits, err := db.vectorSearch(ctx, emb, "iceberg2 moraine", Filter{}, 3)
	if err != nil || len(hits) == 0 {
		t.Fatal(hits, err)
	}
	idx := db.vec.index.(*vector.Index)
	if !idx.Quantized() {
		t.Errorf("index kept float32 above ExactBelow")
	}
	// Scores are exact cosines (re-ranked from the stored float32).
	q, _ := db.embedQuery(ctx, emb, "iceberg2 moraine")
	vecs, err := idx.Exact(ctx, []int64{hits[0].PassageID})
	if err != nil {
		t.Fatal(err)
	}
	var dot float64
	for i, f := range vecs[hits[0].PassageID] {
		dot += float64(q[i] * f)
	}
	if want := dot; math.Abs(hits[0].Score-want) > 1e-6 {
		t.Errorf("score %v, exact %v", hits[0].Score, want)
	}
	n, err := db.LoadVectors(ctx, "bow")
	if err != nil || n != countPassages(t, db) {
		t.Errorf("LoadVectors = %d, %v", n, err)
	}
}

func TestArticlePredicateMatchesFilterSQL(t *testing.T) {
	forEachBackend(t, testArticlePredicateMatchesFilterSQL)
}

func testArticlePredicateMatchesFilterSQL(t *testing.T, db *DB) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	var arts []*Article
	for i, g := range []string{"", "g1", "g2", "", "g1", ""} {
		a := topicArticle(i, g)
		a.Source = []string{"CNN", "Club Bulletin", "Ärzte Zeitung", "cnn", "Wire", "Other"}[i]
		if i == 5 {
			a.PublishedAt = time.Time{}
			a.URL = ""
		}
		arts = append(arts, a)
	}
	putArticles(t, db, arts...)
	filters := []Filter{
		{}, {GuildID: "*"}, {GuildID: "g1"}, {GuildID: "g3"},
		{GuildID: "*", Since: day(3)}, {GuildID: "*", Until: day(3)}, {GuildID: "*", AsOf: day(2)},
		{GuildID: "*", Sources: []string{" cnn "}}, {GuildID: "*", Sources: []string{"ärzte zeitung"}},
		{GuildID: "*", Sources: []string{"ÄRZTE ZEITUNG"}}, {GuildID: "g1", Sources: []string{"club bulletin", "wire"}, Since: day(1)},
	}
	for _, f := range filters {
		pred, err := db.articlePredicate(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		where, args := filterSQL(f)
		allowed := map[int64]bool{}
		rows, err := db.db.QueryContext(context.Background(), `SELECT a.id FROM articles a WHERE `+where, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			allowed[id] = true
		}
		rows.Close()
		for _, a := range arts {
			if got := pred(a.ID); got != allowed[a.ID] {
				t.Errorf("filter %+v, article %d (%q, %q, %v): predicate %v, SQL %v", f, a.ID, a.GuildID, a.Source, a.PublishedAt, got, allowed[a.ID])
			}
		}
	}
}

func TestVectorSearchStaleMetadataFallsBackToSQL(t *testing.T) {
	forEachBackend(t, testVectorSearchStaleMetadataFallsBackToSQL)
}

func testVectorSearchStaleMetadataFallsBackToSQL(t *testing.T, db *DB) {
	ctx := context.Background()
	a, b := topicArticle(0, ""), topicArticle(1, "")
	putArticles(t, db, a, b)
	emb := newRecordingEmbedder("bow", 128)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	f := Filter{Sources: []string{"Renamed Wire"}}
	if hits, err := db.vectorSearch(ctx, emb, "zeppelin0", f, 2); err != nil || len(hits) != 0 {
		t.Fatalf("before the rename: %v, %v", hits, err)
	}
	// The outlet is renamed in place: the metadata in memory still has the
	// old name, SQL the new one.
	if _, err := db.db.ExecContext(context.Background(), `UPDATE articles SET source = 'Renamed Wire' WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	hits, err := db.vectorSearch(ctx, emb, "zeppelin0", f, 2)
	if err != nil || len(hits) != 2 || hits[0].ArticleID != a.ID {
		t.Errorf("after the rename: %v, %v", hits, err)
	}
}

func TestVectorSearchWhileEmbedding(t *testing.T) { forEachBackend(t, testVectorSearchWhileEmbedding) }

func testVectorSearchWhileEmbedding(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	emb := newRecordingEmbedder("bow", 64)
	if _, err := db.EmbedMissing(ctx, emb, 2, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := db.vectorSearch(ctx, emb, fmt.Sprintf("zeppelin%d report", i%6), Filter{GuildID: "*"}, 5); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 6; i < 12; i++ {
		putArticles(t, db, topicArticle(i, ""))
		if _, err := db.EmbedMissing(ctx, emb, 2, nil); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	hits, err := db.vectorSearch(ctx, emb, "launch9 orbit9", Filter{}, 1)
	if err != nil || len(hits) != 1 {
		t.Fatalf("%v, %v", hits, err)
	}
	cands, _ := db.loadCandidates(ctx, []int64{hits[0].PassageID}, Filter{})
	if len(cands) != 1 || !strings.Contains(cands[0].hit.Passage.Text, "orbit9") {
		t.Errorf("top passage %v", cands)
	}
}

func TestEmbedMissingDimensionChangeMidway(t *testing.T) {
	forEachBackend(t, testEmbedMissingDimensionChangeMidway)
}

func testEmbedMissingDimensionChangeMidway(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	total := countPassages(t, db)
	// Half done at 32 dimensions (every other passage, as a concurrent
	// ingest might leave it), then the same model answers with 48 without
	// a probe: the passages done at 32 must not be skipped.
	old := newRecordingEmbedder("m", 32)
	cctx, cancel := context.WithCancel(ctx)
	bow := old.EmbedFn
	old.EmbedFn = func(c context.Context, texts []string) ([][]float32, error) {
		if old.calls == 2 {
			cancel()
		}
		return bow(c, texts)
	}
	if n, err := db.EmbedMissing(cctx, old, 2, nil); !errors.Is(err, context.Canceled) || n != 4 {
		t.Fatalf("first run: %d, %v", n, err)
	}
	db.db.ExecContext(context.Background(), `DELETE FROM passage_vectors WHERE passage_id = 1`)
	db.db.ExecContext(context.Background(), `UPDATE vector_meta SET embedded_upto = 0`)
	wider := newRecordingEmbedder("m", 48)
	n, err := db.EmbedMissing(ctx, wider, 2, nil)
	if err != nil || n < total {
		t.Fatalf("after the dimension change: %d, %v; want every one of %d passages", n, err, total)
	}
	c, _ := db.VectorCounts(ctx)
	if c.Dim != 48 || c.Embedded != total {
		t.Errorf("counts %+v", c)
	}
}

// Loads of the vector index are shared, never hold the state's mutex
// while reading, end with the caller's ctx, and fail once the DB is
// closed.
func TestVectorLoadsAreSharedAndFollowContexts(t *testing.T) {
	forEachBackend(t, testVectorLoadsAreSharedAndFollowContexts)
}

func testVectorLoadsAreSharedAndFollowContexts(t *testing.T, db *DB) {
	ctx := context.Background()
	embeddedTopics(t, db, 64)
	want := countPassages(t, db)
	var wg sync.WaitGroup
	counts := make([]int, 8)
	errs := make([]error, 8)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = db.LoadVectors(ctx, "bow")
		}()
	}
	// Metadata reads meanwhile do not wait for the loads' mutex.
	if _, err := db.articleView(ctx, Filter{GuildID: "*"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i := range counts {
		if counts[i] != want || errs[i] != nil {
			t.Errorf("load %d: %d vectors, %v; want %d", i, counts[i], errs[i], want)
		}
	}
	// A caller waiting on a load in flight leaves when its ctx ends.
	db.setVectorOptions(vector.Options{})
	done := make(chan struct{})
	db.vec.mu.Lock()
	db.vec.load = done // a load that never ends
	db.vec.mu.Unlock()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.vectorSearcher(cctx, "bow", 64); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled ctx: %v", err)
	}
	db.vec.mu.Lock()
	db.vec.load = nil
	db.vec.mu.Unlock()
	close(done)
	db.Close()
	if _, err := db.LoadVectors(ctx, "bow"); err == nil {
		t.Error("LoadVectors after Close succeeded")
	}
}

// embeddedTopics stores the six topic articles and embeds their passages
// with a bag-of-words embedder of dims dimensions, which it returns.
func embeddedTopics(t *testing.T, db *DB, dims int) *recordingEmbedder {
	t.Helper()
	for i := 0; i < 6; i++ {
		putArticles(t, db, topicArticle(i, ""))
	}
	emb := newRecordingEmbedder("bow", dims)
	if _, err := db.EmbedMissing(context.Background(), emb, 0, nil); err != nil {
		t.Fatal(err)
	}
	return emb
}
