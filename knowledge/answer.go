package knowledge

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge/extract"
	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
)

// Answerer answers questions from the store: retrieval, then either a
// language model with numbered sources or the extractive answerer.
type Answerer struct {
	DB     *DB
	Logger *slog.Logger
	Now    func() time.Time
	// Completer writes answers; nil means extractive answers only.
	Completer Completer
	// Prompts renders the model's prompts; nil means the embedded ones.
	Prompts *prompts.Set
	// ContextTokens is the budget for the sources shown to the model
	// (default DefaultContextTokens).
	ContextTokens int
	// MaxAnswerTokens bounds the model's answer (default 600).
	MaxAnswerTokens int
	// Ranking overrides the retrieval parameters; zero means DefaultRanking.
	Ranking *Ranking
	// Extraction overrides the extractive answerer's parameters; zero
	// means DefaultExtraction.
	Extraction *Extraction
	// EvidenceArticles is how many articles retrieval returns (default 5).
	EvidenceArticles int
}

// Answer modes a Question may ask for.
const (
	AskAuto       = "auto"
	AskLLM        = "llm"
	AskExtractive = "extractive"
)

// DefaultContextTokens is the default budget, in estimated tokens, for the
// sources given to the model.
const DefaultContextTokens = 3000

// modelUnavailableNote is added to an extractive answer given because the
// model failed.
const modelUnavailableNote = "The language model was unavailable, so this answer quotes the articles directly."

// MaxQuestionRunes bounds a question; longer input is cut, not refused.
const MaxQuestionRunes = 2000

func (an *Answerer) logger() *slog.Logger { return loggerOr(an.Logger) }

func (an *Answerer) now() time.Time { return NowOr(an.Now) }

// Retrieve returns the evidence for a question, grouped by article. The
// question's relative time words ("this week", "yesterday") are not
// searched for: they set a window around f.AsOf (or now) in which dated
// articles count more and outside of which they count less; undated ones
// are neither.
func (an *Answerer) Retrieve(ctx context.Context, query string, f Filter) ([]Hit, error) {
	if f.AsOf.IsZero() {
		f.AsOf = an.now()
	}
	rest, win := extract.RelativeTime(query, questionLanguage(query, f.Language), f.AsOf)
	return an.retrieve(ctx, rest, win, f)
}

// retrieve searches for query and weighs the results by the window.
func (an *Answerer) retrieve(ctx context.Context, query string, win *extract.Window, f Filter) ([]Hit, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = an.EvidenceArticles
		if limit <= 0 {
			limit = 5
		}
	}
	f.Limit = limit
	r := DefaultRanking()
	if an.Ranking != nil {
		r = *an.Ranking
	}
	if f.AsOf.IsZero() {
		f.AsOf = an.now()
	}
	if win != nil {
		// Look further down the ranking for articles of the window.
		f.Limit = 2 * limit
	}
	hits, err := an.DB.searchWith(ctx, query, f, r)
	if err != nil || win == nil {
		return hits, err
	}
	return weighByWindow(hits, win, r, f.AsOf, limit), nil
}

// weighByWindow re-ranks articles as the search ranked them (best passage,
// a share of the second, the recency prior) with the window's weight on
// top (see extract.Window.Weight): more for an article published in it,
// less for one published well outside it, none for an undated one. It
// keeps limit articles.
func weighByWindow(hits []Hit, win *extract.Window, r Ranking, ref time.Time, limit int) []Hit {
	type group struct {
		hits  []Hit
		score float64
	}
	var order []*group
	byID := map[int64]*group{}
	for _, h := range hits {
		g := byID[h.Article.ID]
		if g == nil {
			g = &group{}
			byID[h.Article.ID] = g
			order = append(order, g)
		}
		g.hits = append(g.hits, h)
	}
	for _, g := range order {
		g.score = g.hits[0].Score
		if len(g.hits) > 1 {
			g.score += r.SecondWeight * g.hits[1].Score
		}
		pub := g.hits[0].Article.PublishedAt
		g.score *= recencyPrior(pub, ref, r)
		g.score *= win.Weight(pub)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].score > order[j].score })
	var out []Hit
	for i, g := range order {
		if i == limit {
			break
		}
		out = append(out, g.hits...)
	}
	return out
}

// prepared is a question made ready for answering: condensed with the
// conversation, its language and time window read, its evidence found.
type prepared struct {
	question string // as asked, cleaned
	query    string // standalone (condensed) question
	rest     string // query without its relative time words
	lang     string
	window   *extract.Window
	hits     []Hit
	tokens   int // model tokens spent condensing
	empty    bool
}

// prepare condenses, analyses and retrieves for q.
func (an *Answerer) prepare(ctx context.Context, q Question, useLLM bool) (*prepared, error) {
	question := cleanQuestion(q.Text)
	if question == "" {
		return nil, Errorf(EINVALID, "Please ask a question.")
	}
	p := &prepared{question: question}
	p.query, p.tokens = an.condense(ctx, question, q.History, useLLM)
	p.lang = questionLanguage(p.query, q.Filter.Language)
	asOf := q.Filter.AsOf
	if asOf.IsZero() {
		asOf = an.now()
	}
	p.rest, p.window = extract.RelativeTime(p.query, p.lang, asOf)
	if len(text.AnalyzerFor(p.lang).QueryTerms(p.rest)) == 0 || len(text.QueryTerms(p.rest)) == 0 {
		p.empty = true
		return p, nil
	}
	hits, err := an.retrieve(ctx, p.rest, p.window, q.Filter)
	if err != nil {
		return nil, err
	}
	// Answers never quote a site's notices (see withoutBoilerplate).
	if p.hits, err = an.DB.withoutBoilerplate(ctx, hits); err != nil {
		return nil, err
	}
	return p, nil
}

// Ask answers a question. The answer always comes back as an *Answer; an
// error means the question could not be handled at all (bad input, a
// database failure, cancellation). When the model fails, the answer is
// extractive with a Note saying so.
func (an *Answerer) Ask(ctx context.Context, q Question) (*Answer, error) {
	useLLM, err := useModel(q.Mode, an.Completer, "answers")
	if err != nil {
		return nil, err
	}
	p, err := an.prepare(ctx, q, useLLM)
	if err != nil {
		return nil, err
	}
	if p.empty {
		return &Answer{Question: p.question, Mode: ModeExtractive, Abstained: true, Language: p.lang,
			Text: textsIn(p.lang).needWords}, nil
	}
	hits := p.hits
	var note string
	if useLLM && len(hits) > 0 {
		sources, err := an.evidenceSources(ctx, p)
		if err != nil {
			return nil, err
		}
		ans, err := an.llmAnswer(ctx, p.query, p.question, p.lang, hits, sources, q.OnDelta)
		if err == nil {
			ans.Tokens += p.tokens
			return ans, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		an.logger().Warn("the language model failed; answering extractively", "code", ErrorCode(err), "err", err)
		note = textsIn(p.lang).modelUnavailable
	}
	ana := text.AnalyzerFor(p.lang)
	terms := ana.Query(p.rest)
	weights, common, err := an.DB.termWeights(ctx, p.lang, terms)
	if err != nil {
		return nil, err
	}
	if p.query != p.question {
		// Terms carried over from earlier turns set the topic; the
		// follow-up's own words say what is asked about it.
		own := map[string]bool{}
		for _, t := range ana.QueryTerms(p.question) {
			own[t] = true
		}
		for t := range weights {
			if !own[t] {
				weights[t] *= carriedWeight
			}
		}
	}
	x := DefaultExtraction()
	if an.Extraction != nil {
		x = *an.Extraction
	}
	arts, docs, err := an.evidenceDocs(ctx, hits, x)
	if err != nil {
		return nil, err
	}
	ans := extractiveAnswer(p.rest, p.lang, hits, arts, docs, p.window, weights, common, x)
	ans.Question = p.question
	ans.Language = p.lang
	ans.Note = note
	ans.Tokens = p.tokens
	if q.OnDelta != nil && note == "" {
		q.OnDelta(ans.Text)
	}
	return ans, nil
}

// PromptSource is one numbered source as the model would be shown it:
// an article and the text of its evidence passages that fit the budget.
type PromptSource struct {
	N       int
	Article Article
	Text    string
}

// Evidence returns the sources a model would be given for q, numbered one
// per article, within ContextTokens, without calling any model (follow-ups
// are condensed by carrying terms over). Evaluation measures with it
// whether the answer reaches the model at all.
func (an *Answerer) Evidence(ctx context.Context, q Question) ([]PromptSource, error) {
	p, err := an.prepare(ctx, q, false)
	if err != nil || p.empty {
		return nil, err
	}
	srcs, err := an.evidenceSources(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []PromptSource
	for _, s := range srcs {
		out = append(out, PromptSource{N: s.n, Article: s.article, Text: s.text})
	}
	return out, nil
}

// carriedWeight scales the weight of terms a follow-up inherits.
const carriedWeight = 0.3

// useModel decides whether the model writes, from the mode asked for
// (AskAuto, which "" also means, AskLLM or AskExtractive) and the
// completer (nil when no model is configured): auto uses the model when
// there is one, llm requires it, extractive never uses it. It is the one
// place in knowledge where the modes are told apart; answers, summaries
// and digests all ask it. what names what is being written ("answers",
// "summaries", "digests") for the refusal of llm without a model.
func useModel(mode string, c Completer, what string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case "", AskAuto:
		return c != nil, nil
	case AskLLM:
		if c == nil {
			return false, Errorf(EINVALID, "No language model is configured, so %s can only quote the articles.", what)
		}
		return true, nil
	case AskExtractive:
		return false, nil
	}
	return false, Errorf(EINVALID, "Unknown mode %q: use auto, llm or extractive.", mode)
}

// cleanQuestion trims a question, folds its whitespace and cuts it to
// MaxQuestionRunes.
func cleanQuestion(s string) string {
	s = strings.Join(strings.Fields(text.Normalize(s)), " ")
	if r := []rune(s); len(r) > MaxQuestionRunes {
		s = string(r[:MaxQuestionRunes])
	}
	return s
}
