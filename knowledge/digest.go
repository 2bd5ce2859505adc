package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/cite"
	"github.com/herald-bot/herald/knowledge/story"
	"github.com/herald-bot/herald/knowledge/summarize"
	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
	"golang.org/x/sync/errgroup"
)

// Digest limits.
const (
	// DefaultDigestStories is how many stories a digest holds at most.
	DefaultDigestStories = 10
	// digestStoryArticles is how many articles a story lists at most.
	digestStoryArticles = 5
	// digestStorySources is how many articles of a story the model reads.
	digestStorySources = 3
	// digestMaxArticles bounds the articles a digest reads from the store.
	digestMaxArticles = 5000
	// digestHeadlineRunes bounds a headline the model writes.
	digestHeadlineRunes = 150
)

// Digest is the news of a period, grouped into stories and ranked by how
// many outlets carry them and how recent they are. Its JSON form is
// {"stories": [{"headline", "summary", "citations", "articles"}]}.
//
// A digest holds what was published in its period: an article dated in
// it, or an undated article that a feed brought in the period (the time
// Herald first saw the item stands in for its date; a new feed's first
// poll, its backlog, does not count). An article without a date that came
// any other way (a bulk import, a file) is never news of any period.
type Digest struct {
	Stories []DigestStory `json:"stories"`
	// PostKey, set by the DigestScheduler, is the same for every attempt
	// at posting one channel's digest of one day, by any process: a
	// poster that passes it to Discord as the messages' nonce (with
	// enforce_nonce) gets no second copy when a process that died after
	// sending is taken over.
	PostKey string `json:"-"`
	// GuildID is the scope the digest was made for.
	GuildID string `json:"-"`
	// Since and Until bound the period: articles published (or, when
	// undated, first seen in a feed) in [Since, Until).
	Since time.Time `json:"-"`
	Until time.Time `json:"-"`
	// Mode is ModeLLM when the model wrote at least one story, else
	// ModeExtractive.
	Mode string `json:"-"`
	// Note is a one-line remark for the reader, e.g. that the model was
	// unavailable.
	Note string `json:"-"`
	// Tokens is the number of model tokens the digest cost.
	Tokens int `json:"-"`
}

// DigestStory is one story of a digest: a headline, one or two sentences
// with [n] markers, the citations they refer to, and the articles that
// report the story.
type DigestStory struct {
	Headline  string          `json:"headline"`
	Summary   string          `json:"summary"`
	Citations []Citation      `json:"citations"`
	Articles  []DigestArticle `json:"articles"`
	// StoryID groups the articles (see AssignStories).
	StoryID int64 `json:"-"`
	// Outlets is the number of distinct outlets reporting the story.
	Outlets int `json:"-"`
	// Latest is when the story's newest article was published (or first
	// seen, when undated).
	Latest time.Time `json:"-"`
	// Mode says who wrote the summary, ModeLLM or ModeExtractive.
	Mode string `json:"-"`
	// Tokens is the number of model tokens the story cost.
	Tokens int `json:"-"`
}

// DigestArticle is one report of a story, with its outlet and when it was
// published: PublishedAt, or, for an undated feed item, SeenAt (when a
// feed first brought it). OtherURLs are the same text under other
// addresses, often other outlets' (see Article.OtherURLs).
type DigestArticle struct {
	ID          int64        `json:"id"`
	Title       string       `json:"title"`
	Source      string       `json:"source"`
	URL         string       `json:"url"`
	PublishedAt time.Time    `json:"-"`
	SeenAt      time.Time    `json:"-"`
	OtherURLs   []ArticleURL `json:"other_urls,omitempty"`
}

// When is when the report was published, or first seen when undated.
func (a DigestArticle) When() time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.SeenAt
}

// DigestRequest says which digest to make.
type DigestRequest struct {
	// GuildID scopes the articles, as Filter.GuildID does.
	GuildID string
	// Since and Until bound the period; a zero Until means now and a zero
	// Since 24 hours before Until.
	Since, Until time.Time
	// MaxStories bounds the stories (default Digester.MaxStories).
	MaxStories int
	// Sources, when set, keeps only these outlets' articles
	// (case-insensitive), as Filter.Sources does.
	Sources []string
	// Mode is AskAuto (default), AskLLM or AskExtractive.
	Mode string
}

// Digester makes digests. With a Completer, each story's headline and
// summary come from the digest prompt and have their citations checked;
// without one, or when the model fails for a story, the headline is the
// first report's and the summary quotes the lead sentences.
type Digester struct {
	DB        *DB
	Completer Completer
	Prompts   *prompts.Set
	Logger    *slog.Logger
	Now       func() time.Time
	// MaxStories bounds a digest (default DefaultDigestStories).
	MaxStories int
	// ContextTokens is the budget for one story's sources (default
	// DefaultContextTokens).
	ContextTokens int
	// Parallel is how many stories the model writes at once (default 3).
	Parallel int
}

func (d *Digester) logger() *slog.Logger { return loggerOr(d.Logger) }

func (d *Digester) now() time.Time { return NowOr(d.Now) }

// storyGroup is one story while a digest is made.
type storyGroup struct {
	story.Rank                 // its id, distinct outlets and newest report
	articles   []periodArticle // oldest first
}

// periodArticle is an article of a digest's period; SeenAt stands in for
// the date of an undated feed item.
type periodArticle struct {
	Article
	SeenAt time.Time
}

// at is when the article was published, or first seen.
func (a periodArticle) at() time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.SeenAt
}

// Build makes the digest of a period. Stories are recognised first (see
// AssignStories), so articles added by any means are grouped.
func (d *Digester) Build(ctx context.Context, req DigestRequest) (*Digest, error) {
	until := req.Until
	if until.IsZero() {
		until = d.now()
	}
	since := req.Since
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	if !since.Before(until) {
		return nil, Errorf(EINVALID, "The digest's period is empty.")
	}
	withModel, err := useModel(req.Mode, d.Completer, "digests")
	if err != nil {
		return nil, err
	}
	if _, err := d.DB.AssignStories(ctx, since); err != nil {
		return nil, fmt.Errorf("make the digest: %w", err)
	}
	groups, err := d.DB.periodStories(ctx, Filter{GuildID: req.GuildID, Sources: req.Sources}, since, until)
	if err != nil {
		return nil, fmt.Errorf("make the digest: %w", err)
	}
	groups = d.mergeAcrossLanguages(ctx, d.DB.Embedder, groups)
	limit := req.MaxStories
	if limit <= 0 {
		limit = d.MaxStories
	}
	if limit <= 0 {
		limit = DefaultDigestStories
	}
	if len(groups) > limit {
		groups = groups[:limit]
	}
	dg := &Digest{Stories: make([]DigestStory, len(groups)), GuildID: req.GuildID, Since: since, Until: until, Mode: ModeExtractive}
	parallel := d.Parallel
	if parallel <= 0 {
		parallel = 3
	}
	// Stories are written Parallel at a time. An error (the database, a
	// cancellation) stops the digest: no story starts after it. A failed
	// model call costs only itself: the stories not yet started skip the
	// model and quote their articles, so a model that is down costs a
	// digest one call per running story, not one per story.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	var modelDown, modelFailed atomic.Bool
	for i, grp := range groups {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			st, failed, err := d.story(gctx, grp, req.GuildID, withModel, &modelDown)
			if err != nil {
				return fmt.Errorf("make the digest: story %d: %w", grp.ID, err)
			}
			if failed {
				modelFailed.Store(true)
			}
			dg.Stories[i] = *st // each story its own slot
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	// A story whose reports have no sentence to lead with (a page of a
	// headline and a video player) goes after those that say something.
	sort.SliceStable(dg.Stories, func(i, j int) bool {
		return dg.Stories[i].Summary != "" && dg.Stories[j].Summary == ""
	})
	for _, st := range dg.Stories {
		if st.Mode == ModeLLM {
			dg.Mode = ModeLLM
		}
		dg.Tokens += st.Tokens
	}
	if modelFailed.Load() {
		dg.Note = "The language model was unavailable for some stories, so their summaries quote the articles directly."
	}
	return dg, nil
}

// periodStories returns the stories of the period in the scope's server
// and outlets, ranked by distinct outlets, then by their newest article.
func (db *DB) periodStories(ctx context.Context, scope Filter, since, until time.Time) ([]*storyGroup, error) {
	arts, err := db.periodArticles(ctx, scope, since, until)
	if err != nil {
		return nil, fmt.Errorf("read the period's articles: %w", err)
	}
	byStory := map[int64]*storyGroup{}
	var groups []*storyGroup
	for _, a := range arts {
		id := a.StoryID
		if id == 0 {
			id = a.ID
		}
		g := byStory[id]
		if g == nil {
			g = &storyGroup{Rank: story.Rank{ID: id}}
			byStory[id] = g
			groups = append(groups, g)
		}
		g.articles = append(g.articles, a)
	}
	for _, g := range groups {
		g.count()
	}
	rankStories(groups)
	return groups, nil
}

// count sets the story's distinct outlets (an article's other addresses
// count as their outlets) and its newest report's time.
func (g *storyGroup) count() {
	outlets := map[string]bool{}
	g.Latest = time.Time{}
	for _, a := range g.articles {
		outlets[outletKey(a.Article)] = true
		for _, u := range a.OtherURLs {
			outlets[outletKey(Article{Source: u.Source, URL: u.URL, ID: a.ID})] = true
		}
		if t := a.at(); t.After(g.Latest) {
			g.Latest = t
		}
	}
	g.Outlets = len(outlets)
	g.Reports = len(g.articles)
}

// rankStories orders stories by distinct outlets, then by their reports,
// then by their newest article (see story.Before).
func rankStories(groups []*storyGroup) {
	sort.SliceStable(groups, func(i, j int) bool { return story.Before(groups[i].Rank, groups[j].Rank) })
}

// periodArticles returns the articles of [since, until) in the scope's
// server and outlets, oldest first, with their other addresses: those
// published in it, and the undated ones a feed first brought in it after
// the feed's first poll (see Digest).
func (db *DB) periodArticles(ctx context.Context, scope Filter, since, until time.Time) ([]periodArticle, error) {
	where, args := filterSQL(Filter{GuildID: scope.GuildID, Sources: scope.Sources})
	scan := func(r rowScanner) (periodArticle, error) {
		var seen sql.NullInt64
		a, err := scanArticle(r, &seen)
		return periodArticle{Article: a, SeenAt: timeFromNull(seen)}, err
	}
	limit := strconv.Itoa(digestMaxArticles)
	dated, err := queryAll(ctx, db.db, scan, `SELECT `+articleColumns+`, NULL FROM articles a WHERE `+where+
		` AND a.published_at >= ? AND a.published_at < ? ORDER BY a.published_at DESC, a.id DESC LIMIT `+limit,
		append(append([]any{}, args...), since.Unix(), until.Unix())...)
	if err != nil {
		return nil, fmt.Errorf("dated articles: %w", err)
	}
	// An undated item stands in with its first sighting in any feed; the
	// items of its feed's first poll are that feed's backlog.
	seen, err := queryAll(ctx, db.db, scan, `SELECT `+articleColumns+`, s.seen FROM articles a JOIN (
			SELECT fi.article_id, min(fi.seen_at) AS seen FROM feed_items fi
			WHERE fi.article_id IN (SELECT p.article_id FROM feed_items p WHERE p.seen_at >= ? AND p.seen_at < ? AND p.article_id IS NOT NULL)
			GROUP BY fi.article_id
		) s ON s.article_id = a.id
		WHERE `+where+` AND a.published_at IS NULL AND s.seen >= ? AND s.seen < ?
			AND s.seen > (SELECT min(f.seen_at) FROM feed_items f WHERE f.feed_id = a.feed_id)
		ORDER BY s.seen DESC, a.id DESC LIMIT `+limit,
		append(append([]any{since.Unix(), until.Unix()}, args...), since.Unix(), until.Unix())...)
	if err != nil {
		return nil, fmt.Errorf("undated feed items: %w", err)
	}
	out := append(dated, seen...)
	sort.SliceStable(out, func(i, j int) bool {
		if ti, tj := out[i].at(), out[j].at(); !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > digestMaxArticles {
		out = out[len(out)-digestMaxArticles:] // the newest
	}
	plain := make([]Article, len(out))
	for i := range out {
		plain[i] = out[i].Article
	}
	if err := db.fillOtherURLs(ctx, plain); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].OtherURLs = plain[i].OtherURLs
	}
	return out, nil
}

// outletKey names an article's outlet for counting: its source, else the
// host of its URL.
func outletKey(a Article) string {
	if s := outletName(a.Source, a.URL); s != "" {
		return s
	}
	return "#" + strconv.FormatInt(a.ID, 10)
}

// storySources picks the articles a story's summary is made from: one per
// outlet, oldest report first.
func storySources(g *storyGroup, n int) []periodArticle {
	var out []periodArticle
	seen := map[string]bool{}
	for _, a := range g.articles {
		if k := outletKey(a.Article); !seen[k] {
			seen[k] = true
			out = append(out, a)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// story writes one story of the digest, with the model when withModel;
// failed reports that the model was asked and failed, or was skipped
// because it failed for another story (modelDown, which a failed call
// sets).
func (d *Digester) story(ctx context.Context, g *storyGroup, guildID string, withModel bool, modelDown *atomic.Bool) (*DigestStory, bool, error) {
	st := &DigestStory{StoryID: g.ID, Outlets: g.Outlets, Latest: g.Latest, Citations: []Citation{}, Articles: []DigestArticle{}}
	// The list: one article per outlet first, then the rest, newest last.
	listed := storySources(g, digestStoryArticles)
	if len(listed) < digestStoryArticles {
		in := map[int64]bool{}
		for _, a := range listed {
			in[a.ID] = true
		}
		for _, a := range g.articles {
			if len(listed) == digestStoryArticles {
				break
			}
			if !in[a.ID] {
				listed = append(listed, a)
			}
		}
	}
	for _, a := range listed {
		st.Articles = append(st.Articles, DigestArticle{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL,
			PublishedAt: a.PublishedAt, SeenAt: a.SeenAt, OtherURLs: a.OtherURLs})
	}
	boiler, err := d.DB.boilerplate(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("read its sources: %w", err)
	}
	var srcs []summarySource
	for i, a := range storySources(g, digestStorySources) {
		full, err := d.DB.article(ctx, a.ID, guildID)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				continue
			}
			return nil, false, fmt.Errorf("read its sources: %w", err)
		}
		// The model and the lead read the same clean sentences.
		srcs = append(srcs, summarySource{n: i + 1, art: *full, text: readable(full.Text, full, boiler)})
	}
	if len(srcs) == 0 {
		return nil, false, errors.New("none of its articles is readable")
	}
	for i := range srcs {
		srcs[i].n = i + 1
	}
	failed := false
	switch {
	case withModel && modelDown.Load():
		failed = true // the model failed for another story meanwhile
	case withModel:
		ok, err := d.llmStory(ctx, st, srcs)
		if ok {
			return st, false, nil
		}
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if errors.Is(err, errModelCall) {
			modelDown.Store(true)
		}
		d.logger().Warn("model digest story failed; quoting the articles instead", "story", g.ID, "err", err)
		failed = true
	}
	extractiveStory(st, srcs)
	return st, failed, nil
}

// llmStory asks the model for the story's headline and summary and checks
// the citations; ok is false when the caller should fall back.
func (d *Digester) llmStory(ctx context.Context, st *DigestStory, srcs []summarySource) (bool, error) {
	set := d.Prompts
	if set == nil {
		set = prompts.Default()
	}
	in := prompts.DigestStoryInput{Language: sourcesLanguage(srcs)}
	var check []cite.Source
	var byN sourcesByN
	in.Sources, check, byN = forModel(srcs, d.ContextTokens)
	msgs, err := set.DigestStory(in)
	if err != nil {
		return false, fmt.Errorf("render the digest prompt: %w", err)
	}
	resp, err := d.Completer.Complete(ctx, ChatRequest{Messages: chatMessages(msgs), MaxTokens: 250, Temperature: 0.2})
	if err != nil {
		return false, fmt.Errorf("%w: %w", errModelCall, err)
	}
	st.Tokens += resp.PromptTokens + resp.CompletionTokens
	headline, body := splitHeadline(cite.StripThink(resp.Content))
	if headline == "" || body == "" {
		return false, errors.New("the model's story has no headline or no summary")
	}
	res := cite.Check(body, check)
	if res.Abstained || len(res.Used) == 0 {
		return false, errors.New("the model's story cites no source")
	}
	st.Headline = headline
	st.Summary = strings.TrimSpace(res.Text)
	st.Mode = ModeLLM
	used := append([]int(nil), res.Used...)
	sort.Ints(used)
	st.Citations = append(st.Citations, checkedCitations(res, used, byN.lookup)...)
	return true, nil
}

// errModelCall marks a failed call to the model (down, refusing, too
// slow), as opposed to a story it wrote that cannot be used.
var errModelCall = errors.New("model call failed")

// splitHeadline reads the model's two lines: a headline (markers, quotes,
// emphasis and a final full stop taken off) and the summary.
func splitHeadline(s string) (string, string) {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 {
		return "", ""
	}
	h := lines[0]
	h = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(h, "Headline:"), "headline:"))
	h = strings.TrimLeft(h, "# ")
	h = cite.NormalizeMarkers(h, 0) // no marker is valid in a headline
	h = strings.Trim(strings.TrimSpace(h), "\"'*_`“”")
	h = strings.TrimSuffix(h, ".")
	if utf8.RuneCountInString(h) > digestHeadlineRunes {
		h = text.Snippet(h, digestHeadlineRunes)
	}
	body := strings.Join(lines[1:], " ")
	body = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(body, "Summary:"), "summary:"))
	return strings.TrimSpace(h), body
}

// extractiveStory fills in a story from its reports: the story's lead,
// which is the first real sentence of its best report (see
// summarize.Best), under that report's headline.
func extractiveStory(st *DigestStory, srcs []summarySource) {
	st.Mode = ModeExtractive
	st.Citations = []Citation{}
	reports := make([]summarize.Source, len(srcs))
	for i, src := range srcs {
		reports[i] = summarize.Source{Title: src.art.Title, Text: src.text}
	}
	best, lead := summarize.Best(reports)
	st.Headline = srcs[best].art.Title
	if lead == "" {
		st.Summary = ""
		return
	}
	st.Citations = append(st.Citations, citationFor(1, srcs[best].art, lead, true))
	st.Summary = lead + " [1]"
}
