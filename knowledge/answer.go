package knowledge

import (
	"context"
	"log/slog"
	"strings"
	"time"

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

// Retrieve returns the evidence for a question, grouped by article.
func (an *Answerer) Retrieve(ctx context.Context, query string, f Filter) ([]Hit, error) {
	if f.Limit <= 0 {
		f.Limit = an.EvidenceArticles
		if f.Limit <= 0 {
			f.Limit = 5
		}
	}
	r := DefaultRanking()
	if an.Ranking != nil {
		r = *an.Ranking
	}
	if f.AsOf.IsZero() {
		f.AsOf = an.now()
	}
	return an.DB.searchWith(ctx, query, f, r)
}

// Ask answers a question. The answer always comes back as an *Answer; an
// error means the question could not be handled at all (bad input, a
// database failure, cancellation). When the model fails, the answer is
// extractive with a Note saying so.
func (an *Answerer) Ask(ctx context.Context, q Question) (*Answer, error) {
	question := cleanQuestion(q.Text)
	if question == "" {
		return nil, Errorf(EINVALID, "Please ask a question.")
	}
	useLLM, err := useModel(q.Mode, an.Completer, "answers")
	if err != nil {
		return nil, err
	}
	query, condenseTokens := an.condense(ctx, question, q.History, useLLM)
	if len(text.QueryTerms(query)) == 0 {
		return &Answer{Question: question, Mode: ModeExtractive, Abstained: true,
			Text: "I need a few more specific words (a name, a place, a topic) to search the articles."}, nil
	}
	hits, err := an.Retrieve(ctx, query, q.Filter)
	if err != nil {
		return nil, err
	}
	var note string
	if useLLM && len(hits) > 0 {
		ans, err := an.llmAnswer(ctx, query, question, hits, q.OnDelta)
		if err == nil {
			ans.Tokens += condenseTokens
			return ans, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		an.logger().Warn("the language model failed; answering extractively", "code", ErrorCode(err), "err", err)
		note = modelUnavailableNote
	}
	weights, err := an.DB.termWeights(ctx, text.QueryTerms(query))
	if err != nil {
		return nil, err
	}
	if query != question {
		// Terms carried over from earlier turns set the topic; the
		// follow-up's own words say what is asked about it.
		own := map[string]bool{}
		for _, t := range text.QueryTerms(question) {
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
	ans := extractiveAnswer(query, hits, weights, x)
	ans.Question = question
	ans.Note = note
	ans.Tokens = condenseTokens
	if q.OnDelta != nil && note == "" {
		q.OnDelta(ans.Text)
	}
	return ans, nil
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
