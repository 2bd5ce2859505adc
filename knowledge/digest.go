package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/cite"
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
type Digest struct {
	Stories []DigestStory `json:"stories"`
	// GuildID is the scope the digest was made for.
	GuildID string `json:"-"`
	// Since and Until bound the period: articles published (or, when
	// undated, first seen) in [Since, Until).
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
	// Latest is when the story's newest article was published.
	Latest time.Time `json:"-"`
	// Mode says who wrote the summary, ModeLLM or ModeExtractive.
	Mode string `json:"-"`
	// Tokens is the number of model tokens the story cost.
	Tokens int `json:"-"`
}

// DigestArticle is one report of a story.
type DigestArticle struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"-"`
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
	id       int64
	articles []Article // oldest first
	outlets  int
	latest   time.Time
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
				return fmt.Errorf("make the digest: story %d: %w", grp.id, err)
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
	where, args := filterSQL(Filter{GuildID: scope.GuildID, Sources: scope.Sources})
	args = append(args, since.Unix(), until.Unix())
	rows, err := db.db.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE `+where+
		` AND ifnull(a.published_at, a.fetched_at) >= ? AND ifnull(a.published_at, a.fetched_at) < ?
		ORDER BY ifnull(a.published_at, a.fetched_at), a.id LIMIT `+strconv.Itoa(digestMaxArticles), args...)
	if err != nil {
		return nil, fmt.Errorf("read the period's articles: %w", err)
	}
	defer rows.Close()
	byStory := map[int64]*storyGroup{}
	var groups []*storyGroup
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("read the period's articles: %w", err)
		}
		id := a.StoryID
		if id == 0 {
			id = a.ID
		}
		g := byStory[id]
		if g == nil {
			g = &storyGroup{id: id}
			byStory[id] = g
			groups = append(groups, g)
		}
		g.articles = append(g.articles, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the period's articles: %w", err)
	}
	for _, g := range groups {
		outlets := map[string]bool{}
		for _, a := range g.articles {
			outlets[outletKey(a)] = true
			if t := articleTime(a); t.After(g.latest) {
				g.latest = t
			}
		}
		g.outlets = len(outlets)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.outlets != b.outlets {
			return a.outlets > b.outlets
		}
		if !a.latest.Equal(b.latest) {
			return a.latest.After(b.latest)
		}
		return a.id < b.id
	})
	return groups, nil
}

// outletKey names an article's outlet for counting: its source, else the
// host of its URL.
func outletKey(a Article) string {
	if s := strings.ToLower(strings.TrimSpace(a.Source)); s != "" {
		return s
	}
	if u, err := url.Parse(a.URL); err == nil && u.Host != "" {
		return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	return "#" + strconv.FormatInt(a.ID, 10)
}

func articleTime(a Article) time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.FetchedAt
}

// storySources picks the articles a story's summary is made from: one per
// outlet, oldest report first.
func storySources(g *storyGroup, n int) []Article {
	var out []Article
	seen := map[string]bool{}
	for _, a := range g.articles {
		if k := outletKey(a); !seen[k] {
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
	st := &DigestStory{StoryID: g.id, Outlets: g.outlets, Latest: g.latest, Citations: []Citation{}, Articles: []DigestArticle{}}
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
		st.Articles = append(st.Articles, DigestArticle{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, PublishedAt: a.PublishedAt})
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
		srcs = append(srcs, summarySource{n: i + 1, art: *full, text: full.Text})
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
		d.logger().Warn("model digest story failed; quoting the articles instead", "story", g.id, "err", err)
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
	var in prompts.DigestStoryInput
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

// extractiveStory fills in a story from its reports: the first report's
// headline, and the lead sentence of the first report, followed, when
// another outlet's lead says something else, by that one.
func extractiveStory(st *DigestStory, srcs []summarySource) {
	st.Mode = ModeExtractive
	st.Headline = srcs[0].art.Title
	st.Citations = []Citation{}
	var b strings.Builder
	var firstStems map[string]bool
	for _, src := range srcs {
		lead, stems := leadSentence(src.text, src.art.Title)
		if lead == "" {
			continue
		}
		if firstStems != nil && overlap(stems, firstStems) > 0.5 {
			continue
		}
		n := len(st.Citations) + 1
		st.Citations = append(st.Citations, citationFor(n, src.art, lead, true))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(lead + " [" + strconv.Itoa(n) + "]")
		if firstStems != nil {
			break
		}
		firstStems = stems
	}
	st.Summary = b.String()
}

// leadSentence returns the first sentence of an article that says
// something: at least six words, not the headline repeated, not too long.
func leadSentence(body, title string) (string, map[string]bool) {
	var toks []string
	ft := text.Fold(title)
	for _, sp := range text.Sentences(body) {
		s := body[sp.Start:sp.End]
		toks = text.AppendTokens(toks[:0], s)
		if len(toks) < 6 || len(toks) > 70 || text.Fold(s) == ft {
			continue
		}
		stems := map[string]bool{}
		for _, t := range toks {
			if !text.IsStopword(t) {
				stems[text.Stem(t)] = true
			}
		}
		return s, stems
	}
	return "", nil
}
