// Package eval measures Herald's retrieval and answers on an evaluation set:
// questions in JSON Lines with the ids of the articles that answer them
// and the answer strings. herald eval and herald bench use it.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// Query is one question of an evaluation set (queries.jsonl).
type Query struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	AskedAt  string   `json:"asked_at"`
	GoldIDs  []string `json:"gold_ids"`
	Answers  []string `json:"answers"`
}

// ReadQueries reads queries in JSON Lines.
func ReadQueries(r io.Reader) ([]Query, error) {
	var out []Query
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var q Query
		if err := json.Unmarshal([]byte(b), &q); err != nil {
			return nil, knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("line %d is not a query record", line), err)
		}
		if q.Question == "" {
			return nil, knowledge.Errorf(knowledge.EINVALID, "line %d has no question", line)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "cannot read the queries", err)
	}
	return out, nil
}

// Report holds the metrics of an evaluation run. Its JSON form is a
// stable contract.
type Report struct {
	Questions           int     `json:"questions"`
	HitsAt1             float64 `json:"hits_at_1"`
	HitsAt4             float64 `json:"hits_at_4"`
	HitsAt10            float64 `json:"hits_at_10"`
	MRRAt10             float64 `json:"mrr_at_10"`
	AnswerSupport       float64 `json:"answer_support"`
	AbstainUnanswerable float64 `json:"abstain_unanswerable"`
	AbstainAnswerable   float64 `json:"abstain_answerable"`
	LatencyP50          float64 `json:"latency_ms_p50"`
	LatencyP95          float64 `json:"latency_ms_p95"`
	LatencyMax          float64 `json:"latency_ms_max,omitempty"`
	// CitationPrecision is the share of citations whose quote verified
	// (reported when a language model answers).
	CitationPrecision *float64 `json:"citation_precision,omitempty"`
	// AskP50 and AskP95 time whole answers (retrieval included), in ms.
	AskP50 float64 `json:"ask_ms_p50,omitempty"`
	AskP95 float64 `json:"ask_ms_p95,omitempty"`
	// FirstQuoteSupport is the share of answerable questions whose first
	// citation's first quote holds an answer string.
	FirstQuoteSupport float64 `json:"first_quote_support"`
	// EchoRate is the share of the answers given (not abstentions) to
	// answerable questions whose first sentence restates the question:
	// most of its content words are the question's and it holds no answer
	// string.
	EchoRate float64 `json:"echo_rate"`
	// EvidenceRecall is the share of answerable questions whose answer
	// string occurs in the sources a model would be sent (within the
	// answerer's ContextTokens): computed without a model, it bounds what
	// any model can answer.
	EvidenceRecall float64 `json:"evidence_recall"`
	// DuplicateNumbers counts the answers that cite one article under two
	// numbers (there should be none).
	DuplicateNumbers int `json:"duplicate_numbers"`
}

// Record is one line of `herald eval --per-query`: a stable contract.
type Record struct {
	ID        string     `json:"id"`
	RankedIDs []string   `json:"ranked_ids"`
	Answer    string     `json:"answer"`
	Citations []Citation `json:"citations"`
	Abstained bool       `json:"abstained"`
	// Supported, FirstQuote, Echo and Recalled are the question's share of
	// answer_support, first_quote_support, echo_rate and evidence_recall
	// (always false for an unanswerable question).
	Supported  bool `json:"supported"`
	FirstQuote bool `json:"first_quote"`
	Echo       bool `json:"echo"`
	Recalled   bool `json:"recalled"`
}

// Citation is a citation in an Record.
type Citation struct {
	ID     string   `json:"id"`
	Quote  string   `json:"quote"`
	Quotes []string `json:"quotes,omitempty"` // all the article's quotes, Quote first
}

// Run asks every query as of its asked_at and measures retrieval and
// answers. Article ids are the stored articles' external ids (the corpus
// ids), or their numeric ids when they have none. perQuery, when set,
// receives each query's record.
func Run(ctx context.Context, an *knowledge.Answerer, queries []Query, mode string, perQuery func(Record)) (Report, error) {
	rep := Report{Questions: len(queries)}
	var retrieval, asking []float64
	var answerable, unanswerable, supported, abstainAns, abstainUnans int
	var cited, verified, firstSupported, answered, echoed, recalled int
	for _, q := range queries {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		f := knowledge.Filter{GuildID: "*", Limit: 10}
		if q.AskedAt != "" {
			t, err := knowledge.ParseDate(q.AskedAt)
			if err != nil {
				return rep, knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("query %s: bad asked_at", q.ID), err)
			}
			f.AsOf = EndOfDay(t)
		}
		start := time.Now()
		hits, err := an.Retrieve(ctx, q.Question, f)
		if err != nil {
			return rep, err
		}
		retrieval = append(retrieval, float64(time.Since(start).Microseconds())/1000)
		ranked := rankedIDs(hits, 10)

		start = time.Now()
		f.Limit = 0
		ans, err := an.Ask(ctx, knowledge.Question{Text: q.Question, Filter: f, Mode: mode})
		if err != nil {
			return rep, err
		}
		asking = append(asking, float64(time.Since(start).Microseconds())/1000)

		var sup, first, echo, recall bool
		gold := map[string]bool{}
		for _, g := range q.GoldIDs {
			gold[g] = true
		}
		if len(gold) == 0 {
			unanswerable++
			if ans.Abstained {
				abstainUnans++
			}
		} else {
			answerable++
			for r, id := range ranked {
				if gold[id] {
					if r < 1 {
						rep.HitsAt1++
					}
					if r < 4 {
						rep.HitsAt4++
					}
					rep.HitsAt10++
					rep.MRRAt10 += 1 / float64(r+1)
					break
				}
			}
			if ans.Abstained {
				abstainAns++
			} else {
				answered++
				if sup = supports(ans, q.Answers); sup {
					supported++
				}
				if first = len(ans.Citations) > 0 && holdsAnswer(ans.Citations[0].Quote, q.Answers); first {
					firstSupported++
				}
				if echo = Echoes(ans.Text, q.Question, q.Answers); echo {
					echoed++
				}
			}
			f.Limit = 0
			srcs, err := an.Evidence(ctx, knowledge.Question{Text: q.Question, Filter: f})
			if err != nil {
				return rep, err
			}
			var ev strings.Builder
			for _, s := range srcs {
				ev.WriteString(s.Text)
				ev.WriteString("\n")
			}
			if recall = holdsAnswer(ev.String(), q.Answers); recall {
				recalled++
			}
		}
		if duplicateNumbers(ans) {
			rep.DuplicateNumbers++
		}
		for _, c := range ans.Citations {
			cited++
			if c.Verified {
				verified++
			}
		}
		if perQuery != nil {
			rec := Record{ID: q.ID, RankedIDs: ranked, Answer: ans.Text, Abstained: ans.Abstained, Citations: []Citation{},
				Supported: sup, FirstQuote: first, Echo: echo, Recalled: recall}
			for _, c := range ans.Citations {
				rec.Citations = append(rec.Citations, Citation{ID: articleRef(c.ArticleID, c.ExternalID), Quote: c.Quote, Quotes: c.Quotes})
			}
			perQuery(rec)
		}
	}
	if answerable > 0 {
		n := float64(answerable)
		rep.HitsAt1 /= n
		rep.HitsAt4 /= n
		rep.HitsAt10 /= n
		rep.MRRAt10 /= n
		rep.AnswerSupport = float64(supported) / n
		rep.AbstainAnswerable = float64(abstainAns) / n
		rep.FirstQuoteSupport = float64(firstSupported) / n
		rep.EvidenceRecall = float64(recalled) / n
	}
	if answered > 0 {
		rep.EchoRate = float64(echoed) / float64(answered)
	}
	if unanswerable > 0 {
		rep.AbstainUnanswerable = float64(abstainUnans) / float64(unanswerable)
	}
	if an.Completer != nil && mode != knowledge.AskExtractive && cited > 0 {
		p := float64(verified) / float64(cited)
		rep.CitationPrecision = &p
	}
	rep.LatencyP50, rep.LatencyP95, rep.LatencyMax = Percentile(retrieval, 0.50), Percentile(retrieval, 0.95), Percentile(retrieval, 1)
	rep.AskP50, rep.AskP95 = Percentile(asking, 0.50), Percentile(asking, 0.95)
	return rep, nil
}

// EndOfDay is the last second of t's day: a question asked on a day may
// use what was published that day.
func EndOfDay(t time.Time) time.Time { return t.Add(24*time.Hour - time.Second) }

// rankedIDs lists the distinct articles of hits, best first.
func rankedIDs(hits []knowledge.Hit, n int) []string {
	out := []string{}
	seen := map[int64]bool{}
	for _, h := range hits {
		if seen[h.Article.ID] {
			continue
		}
		seen[h.Article.ID] = true
		out = append(out, articleRef(h.Article.ID, h.Article.ExternalID))
		if len(out) == n {
			break
		}
	}
	return out
}

func articleRef(id int64, ext string) string {
	if ext != "" {
		return ext
	}
	return fmt.Sprint(id)
}

// supports reports whether one of the answer strings occurs in the text the
// answer cites (all its quotes), case-insensitively with quotes normalised.
func supports(ans *knowledge.Answer, answers []string) bool {
	var cited strings.Builder
	for _, c := range ans.Citations {
		cited.WriteString(c.Quote)
		cited.WriteString("\n")
		for _, q := range c.Quotes {
			cited.WriteString(q)
			cited.WriteString("\n")
		}
	}
	return holdsAnswer(cited.String(), answers)
}

// holdsAnswer reports whether one of the answer strings occurs in hay,
// folded.
func holdsAnswer(hay string, answers []string) bool {
	for _, a := range answers {
		a = strings.Trim(text.Fold(a), `"' `)
		if a != "" && text.ContainsFolded(hay, a) {
			return true
		}
	}
	return false
}

// duplicateNumbers reports an answer citing one article under two numbers.
func duplicateNumbers(ans *knowledge.Answer) bool {
	seen := map[int64]bool{}
	for _, c := range ans.Citations {
		if seen[c.ArticleID] {
			return true
		}
		seen[c.ArticleID] = true
	}
	return false
}

// Echoes reports whether the first sentence of an answer restates the
// question: it has three content words or more, more than half of them
// (compared by stem, in the question's language) are the question's, and
// it holds none of the answer strings. Citation markers are not words.
func Echoes(answer, question string, answers []string) bool {
	answer = markerPattern.ReplaceAllString(answer, "")
	spans := text.Sentences(answer)
	if len(spans) == 0 {
		return false
	}
	first := answer[spans[0].Start:spans[0].End]
	if holdsAnswer(first, answers) {
		return false
	}
	an := text.AnalyzerFor(text.DetectLanguage(question, "en"))
	qstems := map[string]bool{}
	for _, t := range text.Tokens(question) {
		qstems[an.Stem(t)] = true
	}
	content, known := 0, 0
	for _, t := range text.Tokens(first) {
		if an.IsStopword(t) {
			continue
		}
		content++
		if qstems[an.Stem(t)] {
			known++
		}
	}
	return content >= 3 && 2*known > content
}

var markerPattern = regexp.MustCompile(`\[\d+\]`)

// Percentile returns the p-quantile (nearest rank) of xs, rounded to two
// decimals.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return math.Round(s[i]*100) / 100
}
