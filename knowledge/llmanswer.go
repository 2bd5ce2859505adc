package knowledge

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/cite"
	"github.com/herald-bot/herald/knowledge/evidence"
	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
)

// source is one numbered source of an LLM prompt: an article and the
// evidence passages of it that fit the budget.
type source struct {
	n        int
	article  Article
	passages []Passage
	text     string // what the prompt shows
}

// packSources numbers the evidence articles in rank order and packs their
// passages, best first, into the token budget. Adjacent passages of one
// article are joined; others are separated by an ellipsis.
func packSources(hits []Hit, budget int) []*source {
	out, _ := packHits(hits, budget)
	for _, s := range out {
		s.render()
	}
	return out
}

// packHits numbers the evidence articles in rank order and gives each the
// passages of hits that fit the budget, best first. It returns the
// sources (not yet rendered) and the tokens they cost.
func packHits(hits []Hit, budget int) ([]*source, int) {
	if budget <= 0 {
		budget = DefaultContextTokens
	}
	var out []*source
	byArticle := map[int64]*source{}
	used := 0
	for _, h := range hits {
		cost := evidence.Cost(h.Passage.Text)
		if used+cost > budget && len(out) > 0 {
			continue
		}
		used += cost
		s := byArticle[h.Article.ID]
		if s == nil {
			s = &source{n: len(out) + 1, article: h.Article}
			byArticle[h.Article.ID] = s
			out = append(out, s)
		}
		s.passages = append(s.passages, h.Passage)
	}
	return out, used
}

// render joins the source's passages in their article's order, adjacent
// ones directly and others across an ellipsis.
func (s *source) render() {
	sort.Slice(s.passages, func(i, j int) bool { return s.passages[i].Seq < s.passages[j].Seq })
	var b strings.Builder
	for i, p := range s.passages {
		if i > 0 {
			if p.Seq == s.passages[i-1].Seq+1 {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n\n[…]\n\n")
			}
		}
		b.WriteString(p.Text)
	}
	s.text = b.String()
}

// llmAnswer asks the model to answer from numbered sources, then checks the
// answer's markers and quotes against the stored articles.
func (an *Answerer) llmAnswer(ctx context.Context, question, asked, lang string, hits []Hit, sources []*source, onDelta func(string)) (*Answer, error) {
	ps := make([]prompts.Source, len(sources))
	for i, s := range sources {
		ps[i] = prompts.Source{N: s.n, Outlet: s.article.Source, Headline: s.article.Title, Date: dateString(s.article), Text: s.text}
	}
	set := an.Prompts
	if set == nil {
		set = prompts.Default()
	}
	msgs, err := set.Answer(prompts.AnswerInput{Question: question, Sources: ps, Now: an.now().Format("2006-01-02"), Language: lang})
	if err != nil {
		return nil, fmt.Errorf("render the answer prompt: %w", err)
	}
	req := ChatRequest{Messages: chatMessages(msgs), MaxTokens: an.maxAnswerTokens(), Temperature: 0.2}
	filter := cite.NewMarkerFilter(len(sources))
	var stream func(string)
	if onDelta != nil {
		stream = func(d string) {
			if out := filter.Push(d); out != "" {
				onDelta(out)
			}
		}
	}
	resp, err := an.Completer.Stream(ctx, req, stream)
	if err != nil {
		return nil, fmt.Errorf("ask the model: %w", err)
	}
	if onDelta != nil {
		if out := filter.Flush(); out != "" {
			onDelta(out)
		}
	}
	// Quotes are checked against the whole stored article, not only the
	// passages shown: a true quote is true wherever it stands.
	texts := make([]cite.Source, len(sources))
	for i, s := range sources {
		full := s.text
		a, err := an.DB.article(ctx, s.article.ID, "*")
		switch {
		case err == nil:
			full = a.Text
		case ErrorCode(err) != ENOTFOUND: // removed meanwhile: check against what was shown
			return nil, fmt.Errorf("check the answer's quotes: %w", err)
		}
		texts[i] = cite.Source{N: s.n, Text: full}
	}
	chk := cite.Check(resp.Content, texts)
	ans := &Answer{Question: asked, Mode: ModeLLM, Language: lang, Hits: hits, Tokens: resp.PromptTokens + resp.CompletionTokens, UnmarkedClaims: chk.Unmarked}
	if chk.Abstained {
		ans.Abstained = true
		ans.Text = chk.Text
		if ans.Text == "" {
			ans.Text = AbstainTextIn(lang)
		}
		return ans, nil
	}
	ans.Text = chk.Text
	ans.Citations = checkedCitations(chk, chk.Used, func(n int) (Article, string, bool) {
		if n < 1 || n > len(sources) {
			return Article{}, "", false
		}
		return sources[n-1].article, sources[n-1].text, true
	})
	for i, c := range ans.Citations {
		if c.Quote == "" {
			// Nothing in the source matches the claim's words: show where
			// the evidence starts rather than no quote at all.
			q := firstSentence(sources[c.N-1].text)
			ans.Citations[i].Quote, ans.Citations[i].Quotes, ans.Citations[i].Verified = q, []string{q}, true
		}
	}
	return ans, nil
}

// checkedCitations turns a checked model answer into citations, one per
// source number of used that lookup knows, in that order (a number stands
// for one article): the model's verified quotes of it, or else the stored
// sentence of the source that best supports what the answer says with
// that marker; an empty, unverified quote when none does.
func checkedCitations(res cite.Result, used []int, lookup func(n int) (a Article, text string, ok bool)) []Citation {
	claims := cite.ClaimSentences(res.Text)
	var out []Citation
	for _, n := range used {
		a, text, ok := lookup(n)
		if !ok {
			continue
		}
		c := citationFor(n, a, "", false)
		if qs := res.Quotes[n]; len(qs) > 0 {
			c.Quote, c.Quotes, c.Verified = qs[0], append([]string(nil), qs...), true
		} else if q, ok := cite.BestSentence(text, strings.Join(claims[n], " ")); ok {
			c.Quote, c.Quotes, c.Verified = q, []string{q}, true
		}
		out = append(out, c)
	}
	return out
}

func (an *Answerer) maxAnswerTokens() int {
	if an.MaxAnswerTokens > 0 {
		return an.MaxAnswerTokens
	}
	return 600
}

func chatMessages(msgs []prompts.Message) []ChatMessage {
	out := make([]ChatMessage, len(msgs))
	for i, m := range msgs {
		out[i] = ChatMessage{Role: m.Role, Content: m.Content}
	}
	return out
}

func dateString(a Article) string {
	if a.PublishedAt.IsZero() {
		return ""
	}
	return a.PublishedAt.Format("2006-01-02")
}

func firstSentence(s string) string {
	if spans := text.Sentences(s); len(spans) > 0 {
		return s[spans[0].Start:spans[0].End]
	}
	return s
}

// condense turns a follow-up into a standalone question: with a model, by
// asking it; without one (or when it fails), by carrying the previous
// question's key terms over. It also returns the model tokens it spent.
func (an *Answerer) condense(ctx context.Context, question string, history []Turn, useLLM bool) (string, int) {
	if len(history) == 0 {
		return question, 0
	}
	if useLLM {
		turns := make([]prompts.Turn, len(history))
		for i, t := range history {
			turns[i] = prompts.Turn{Question: t.Question, Answer: t.Answer}
		}
		set := an.Prompts
		if set == nil {
			set = prompts.Default()
		}
		msgs, err := set.Condense(prompts.CondenseInput{History: turns, Question: question})
		if err != nil {
			an.logger().Error("cannot render the condense prompt; carrying terms over instead", "err", err)
		} else {
			resp, err := an.Completer.Complete(ctx, ChatRequest{Messages: chatMessages(msgs), MaxTokens: 120})
			if err == nil {
				spent := resp.PromptTokens + resp.CompletionTokens
				q := strings.Trim(strings.TrimSpace(cite.StripThink(resp.Content)), `"'`)
				if q != "" && len(q) < 600 && !strings.Contains(q, "\n\n") {
					return q, spent
				}
				return carryTerms(question, history[len(history)-1].Question), spent
			} else if !errors.Is(err, context.Canceled) {
				an.logger().Warn("condensing a follow-up failed; carrying terms over instead", "err", err)
			}
		}
	}
	return carryTerms(question, history[len(history)-1].Question), 0
}

// carryTerms appends the previous question's key terms that the follow-up
// lacks, so "and what did Pistorius say?" after a question about the
// Taurus leak still retrieves the leak.
func carryTerms(question, previous string) string {
	have := map[string]bool{}
	for _, t := range text.QueryTerms(question) {
		have[t] = true
	}
	var extra []string
	for _, t := range text.KeyTerms(previous) {
		if !have[t] {
			extra = append(extra, t)
		}
	}
	if len(extra) == 0 {
		return question
	}
	return question + " " + strings.Join(extra, " ")
}
