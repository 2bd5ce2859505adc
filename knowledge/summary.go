package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/cite"
	"github.com/herald-bot/herald/knowledge/summarize"
	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
)

// summaryUnavailableNote is added to an extractive summary given because
// the model failed or wrote one Herald could not check.
const summaryUnavailableNote = "The language model was unavailable, so this summary quotes the articles directly."

// Summarizer writes short summaries of an article or a topic, with
// citations into the articles: with a language model from the summary
// prompt when one is configured, otherwise (or when the model fails) by
// quoting the most central sentences, in their order.
type Summarizer struct {
	DB *DB
	// Completer writes summaries; nil means extractive summaries only.
	Completer Completer
	// Prompts renders the model's prompts; nil means the embedded ones.
	Prompts *prompts.Set
	Logger  *slog.Logger
	Now     func() time.Time
	// ContextTokens is the budget for the article text shown to the model
	// (default DefaultContextTokens).
	ContextTokens int
	// MaxSentences bounds an extractive summary (default 4).
	MaxSentences int
	// TopicArticles is how many articles a topic summary reads (default 3).
	TopicArticles int
}

// SummaryRequest says what to summarise.
type SummaryRequest struct {
	// Target is an article id ("42" or "#42"), an article's URL, or a
	// topic to search for.
	Target string
	// ArticleID, when set, names the article directly (Target is ignored).
	ArticleID int64
	// GuildID scopes what may be summarised, as Filter.GuildID does.
	GuildID string
	// Mode is AskAuto (default), AskLLM or AskExtractive.
	Mode string
}

func (s *Summarizer) logger() *slog.Logger { return loggerOr(s.Logger) }

func (s *Summarizer) now() time.Time { return NowOr(s.Now) }

// Summarize summarises the article or topic req names. The result is an
// Answer whose Question is the article's headline or the topic; an error
// means nothing could be summarised (no such article, bad input, a
// database failure).
func (s *Summarizer) Summarize(ctx context.Context, req SummaryRequest) (*Answer, error) {
	withModel, err := useModel(req.Mode, s.Completer, "summaries")
	if err != nil {
		return nil, err
	}
	if req.ArticleID != 0 {
		a, err := s.DB.article(ctx, req.ArticleID, req.GuildID)
		if err != nil {
			return nil, fmt.Errorf("summarise article %d: %w", req.ArticleID, err)
		}
		return s.article(ctx, a, withModel)
	}
	target := strings.TrimSpace(req.Target)
	if target == "" {
		return nil, Errorf(EINVALID, "Say what to summarise: an article's number or URL, or a topic.")
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(target, "#"), 10, 64); err == nil && id > 0 {
		a, err := s.DB.article(ctx, id, req.GuildID)
		if err != nil {
			return nil, fmt.Errorf("summarise article %d: %w", id, err)
		}
		return s.article(ctx, a, withModel)
	}
	if isURL(target) {
		a, err := s.DB.ArticleByURL(ctx, strings.Trim(target, "<>"), req.GuildID)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return nil, Errorf(ENOTFOUND, "Herald has no article stored under that address. Add it first (herald ingest URL), or follow its site's feed.")
			}
			return nil, fmt.Errorf("summarise %s: %w", target, err)
		}
		return s.article(ctx, a, withModel)
	}
	return s.topic(ctx, cleanQuestion(target), req.GuildID, withModel)
}

// summarySource is one numbered source of a summary.
type summarySource struct {
	n    int
	art  Article
	text string // the text given to the model and quoted from: the stored text with its boilerplate blanked (see readable)
}

// forModel cuts each source to its share of the context budget (0: the
// default) and returns them as prompt sources, as the texts quotes are
// checked against, and by number. srcs keeps the whole texts, for the
// extractive fallback.
func forModel(srcs []summarySource, budget int) ([]prompts.Source, []cite.Source, sourcesByN) {
	if budget <= 0 {
		budget = DefaultContextTokens
	}
	per := budget / max(len(srcs), 1)
	in := make([]prompts.Source, 0, len(srcs))
	check := make([]cite.Source, 0, len(srcs))
	byN := sourcesByN{}
	for _, src := range srcs {
		src.text = cutToTokens(src.text, per)
		byN[src.n] = src
		in = append(in, prompts.Source{N: src.n, Outlet: src.art.Source, Headline: src.art.Title,
			Date: dayString(src.art.PublishedAt), Text: src.text})
		check = append(check, cite.Source{N: src.n, Text: src.text})
	}
	return in, check, byN
}

// sourcesLanguage is the language most of the sources are written in (an
// ISO 639-1 code; the first source's among equals), or "" when none says:
// summaries and digest stories are written in it.
func sourcesLanguage(srcs []summarySource) string {
	count := map[string]int{}
	best := ""
	for _, src := range srcs {
		lang := text.LanguageCode(src.art.Language)
		if lang == "" {
			lang = text.DetectLanguage(src.art.Title+"\n\n"+src.text, "")
		}
		if lang == "" {
			continue
		}
		count[lang]++
		if best == "" || count[lang] > count[best] {
			best = lang
		}
	}
	return best
}

// summaryLanguage is the language a summary is written in: a topic's, when
// the topic says clearly, else the sources'.
func summaryLanguage(topic string, srcs []summarySource) string {
	if lang := text.DetectLanguage(topic, ""); lang != "" {
		return lang
	}
	return sourcesLanguage(srcs)
}

// sourcesByN finds summary sources by their number.
type sourcesByN map[int]summarySource

func (m sourcesByN) lookup(n int) (Article, string, bool) {
	src, ok := m[n]
	return src.art, src.text, ok
}

func (s *Summarizer) article(ctx context.Context, a *Article, withModel bool) (*Answer, error) {
	boiler, err := s.DB.boilerplate(ctx)
	if err != nil {
		return nil, fmt.Errorf("summarise article %d: %w", a.ID, err)
	}
	body := readable(a.Text, a, boiler)
	ans := &Answer{Question: a.Title}
	if strings.TrimSpace(body) == "" {
		ans.Mode, ans.Abstained = ModeExtractive, true
		ans.Text = "This article holds nothing but its site's notices (newsletter, registration or player text), so there is nothing to summarise."
		return ans, nil
	}
	srcs := []summarySource{{n: 1, art: *a, text: body}}
	return s.write(ctx, ans, srcs, "", withModel)
}

func (s *Summarizer) topic(ctx context.Context, topic, guildID string, withModel bool) (*Answer, error) {
	ans := &Answer{Question: topic, Mode: ModeExtractive, Language: text.DetectLanguage(topic, "en")}
	if topic == "" || len(text.QueryTerms(topic)) == 0 {
		ans.Abstained = true
		ans.Text = textsIn(ans.Language).needWords
		return ans, nil
	}
	k := s.TopicArticles
	if k <= 0 {
		k = 3
	}
	hits, err := s.DB.Search(ctx, topic, Filter{GuildID: guildID, Limit: k, AsOf: s.now()})
	if err != nil {
		return nil, fmt.Errorf("summarise the topic %q: %w", topic, err)
	}
	ans.Hits = hits
	boiler, err := s.DB.boilerplate(ctx)
	if err != nil {
		return nil, fmt.Errorf("summarise the topic %q: %w", topic, err)
	}
	var srcs []summarySource
	seen := map[int64]bool{}
	for _, h := range hits {
		if seen[h.Article.ID] {
			continue
		}
		seen[h.Article.ID] = true
		a, err := s.DB.article(ctx, h.Article.ID, guildID)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				continue // removed meanwhile
			}
			return nil, fmt.Errorf("summarise the topic %q: %w", topic, err)
		}
		body := readable(a.Text, a, boiler)
		if strings.TrimSpace(body) == "" {
			continue
		}
		srcs = append(srcs, summarySource{n: len(srcs) + 1, art: *a, text: body})
	}
	if len(srcs) == 0 {
		ans.Abstained = true
		ans.Text = AbstainTextIn(ans.Language)
		return ans, nil
	}
	return s.write(ctx, ans, srcs, topic, withModel)
}

// write summarises the sources with the model when withModel, falling
// back to the extractive summary.
func (s *Summarizer) write(ctx context.Context, ans *Answer, srcs []summarySource, topic string, withModel bool) (*Answer, error) {
	ans.Language = summaryLanguage(topic, srcs)
	if withModel {
		out, err := s.llmSummary(ctx, ans, srcs, topic)
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.logger().Warn("model summary failed; quoting the articles instead", "err", err)
		ans.Note = textsIn(ans.Language).summaryUnavailable
	}
	return extractiveSummary(ans, srcs, topic, s.MaxSentences), nil
}

// llmSummary asks the model for the summary and checks its citations. An
// error means the caller should fall back to the extractive summary.
func (s *Summarizer) llmSummary(ctx context.Context, base *Answer, srcs []summarySource, topic string) (*Answer, error) {
	set := s.Prompts
	if set == nil {
		set = prompts.Default()
	}
	in := prompts.SummaryInput{Topic: topic, Language: base.Language}
	var checkSrcs []cite.Source
	var byN sourcesByN
	in.Sources, checkSrcs, byN = forModel(srcs, s.ContextTokens)
	msgs, err := set.Summary(in)
	if err != nil {
		return nil, fmt.Errorf("render the summary prompt: %w", err)
	}
	resp, err := s.Completer.Complete(ctx, ChatRequest{Messages: chatMessages(msgs), MaxTokens: 500, Temperature: 0.2})
	if err != nil {
		return nil, fmt.Errorf("ask the model: %w", err)
	}
	res := cite.Check(resp.Content, checkSrcs)
	ans := &Answer{Question: base.Question, Mode: ModeLLM, Language: base.Language, Hits: base.Hits, UnmarkedClaims: res.Unmarked,
		Tokens: resp.PromptTokens + resp.CompletionTokens}
	if res.Abstained && len(res.Used) == 0 {
		if topic == "" {
			return nil, errors.New("the model declined to summarise the article")
		}
		ans.Abstained = true
		ans.Text = AbstainTextIn(base.Language)
		return ans, nil
	}
	if len(res.Used) == 0 {
		return nil, errors.New("the model's summary cites no source")
	}
	ans.Text = strings.TrimSpace(res.Text)
	used := append([]int(nil), res.Used...)
	sort.Ints(used)
	ans.Citations = append(ans.Citations, checkedCitations(res, used, byN.lookup)...)
	return ans, nil
}

// cutToTokens shortens s to about max estimated tokens, at a sentence
// boundary when it can.
func cutToTokens(s string, max int) string {
	if max <= 0 || text.EstimateTokens(s) <= max {
		return s
	}
	end := 0
	for _, sp := range text.Sentences(s) {
		if text.EstimateTokens(s[:sp.End]) > max {
			break
		}
		end = sp.End
	}
	if end == 0 {
		// One sentence longer than the budget: cut by characters.
		end = min(len(s), max*4)
		for end > 0 && !utf8.RuneStart(s[end]) {
			end--
		}
	}
	return s[:end]
}

func dayString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// extractiveSummary quotes the most central sentences of the sources (see
// summarize.Sentences), in the order of the text, each followed by its
// source's marker. For a topic, sentences must carry some of the topic's
// words, and the summary abstains when none does.
func extractiveSummary(ans *Answer, srcs []summarySource, topic string, maxSentences int) *Answer {
	ans.Mode = ModeExtractive
	ans.Citations = nil
	lang := sourcesLanguage(srcs)
	if lang == "" {
		lang = "en"
	}
	in := make([]summarize.Source, len(srcs))
	for i, src := range srcs {
		in[i] = summarize.Source{Title: src.art.Title, Text: src.text}
	}
	chosen := summarize.Sentences(in, lang, topic, maxSentences)
	if len(chosen) == 0 {
		ans.Abstained = true
		ans.Text = AbstainTextIn(ans.Language)
		return ans
	}
	// Sources are renumbered in order of use.
	num := map[int]int{}
	var b strings.Builder
	for _, c := range chosen {
		src := srcs[c.Source]
		quote := src.text[c.Span.Start:c.Span.End]
		n, ok := num[c.Source]
		if !ok {
			n = len(num) + 1
			num[c.Source] = n
			ans.Citations = append(ans.Citations, citationFor(n, src.art, quote, true))
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote)
		b.WriteString(" [" + strconv.Itoa(n) + "]")
	}
	ans.Text = b.String()
	return ans
}

// ArticleSuggestion is one article offered while a user types a headline.
type ArticleSuggestion struct {
	ID          int64
	Title       string
	Source      string
	PublishedAt time.Time
}

// SuggestArticles returns up to limit articles visible in guildID's scope
// (see Filter.GuildID) whose headline contains every word of prefix,
// newest first (the undated after the dated); an empty prefix gives the
// newest articles. It serves autocompletion of /summary.
func (db *DB) SuggestArticles(ctx context.Context, guildID, prefix string, limit int) ([]ArticleSuggestion, error) {
	if limit <= 0 || limit > 25 {
		limit = 25
	}
	where, args := filterSQL(Filter{GuildID: guildID})
	for i, w := range strings.Fields(prefix) {
		if i == 6 {
			break
		}
		w = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)
		where += ` AND a.title ` + db.db.Dialect().LikeASCII() + ` ? ESCAPE '\'`
		args = append(args, "%"+w+"%")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT a.id, a.title, a.source, a.published_at FROM articles a WHERE `+where+
		` ORDER BY `+newestFirst+` LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("suggest articles for %q: %w", prefix, err)
	}
	defer rows.Close()
	var out []ArticleSuggestion
	for rows.Next() {
		var s ArticleSuggestion
		var pub *int64
		if err := rows.Scan(&s.ID, &s.Title, &s.Source, &pub); err != nil {
			return nil, fmt.Errorf("suggest articles for %q: %w", prefix, err)
		}
		if pub != nil {
			s.PublishedAt = time.Unix(*pub, 0).UTC()
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("suggest articles for %q: %w", prefix, err)
	}
	return out, nil
}
