package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/herald-bot/herald/knowledge"
)

// filterFlags are the retrieval filters shared by ask and search.
type filterFlags struct {
	since, until, source string
}

func (ff *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&ff.since, "since", "", "only articles published on or after this date (YYYY-MM-DD) or within this duration (e.g. 72h)")
	fs.StringVar(&ff.until, "until", "", "only articles published before this date (YYYY-MM-DD)")
	fs.StringVar(&ff.source, "source", "", "only articles from these outlets (comma-separated)")
}

func (ff *filterFlags) filter(now time.Time) (knowledge.Filter, error) {
	f := knowledge.Filter{GuildID: "*"}
	var err error
	if ff.since != "" {
		if f.Since, err = parseSince(ff.since, now); err != nil {
			return f, err
		}
	}
	if ff.until != "" {
		if f.Until, err = knowledge.ParseDate(ff.until); err != nil {
			return f, err
		}
	}
	for _, s := range strings.Split(ff.source, ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Sources = append(f.Sources, s)
		}
	}
	return f, nil
}

// parseSince reads a date or a duration back from now ("24h", "7d").
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "d") {
		var days int
		if _, err := fmt.Sscanf(s, "%dd", &days); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			d = -d
		}
		return now.Add(-d), nil
	}
	t, err := knowledge.ParseDate(s)
	if err != nil {
		return time.Time{}, knowledge.Errorf(knowledge.EINVALID, "%q is neither a date (YYYY-MM-DD) nor a duration (24h, 7d).", s)
	}
	return t, nil
}

func runAsk(ctx context.Context, e *env) error {
	fs := newFlags(e, "ask", "QUESTION", "Answers a question from the stored articles, with numbered citations that quote them.")
	var ff filterFlags
	ff.register(fs)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	mode := fs.String("mode", "auto", "who writes the answer: auto (the model when configured), llm or extractive")
	dbFlag := dbPathFlag(fs)
	question, err := parseText(fs, e.args)
	if err != nil {
		return err
	}
	f, err := ff.filter(time.Now())
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	if c, err := db.Counts(ctx, "*"); err == nil && c.Articles == 0 {
		fmt.Fprintln(e.stderr, "herald: the knowledge base is empty. Add articles with 'herald ingest PATH|URL', or try 'herald demo'.")
		return errSilent
	}
	an, err := newAnswerer(e, db)
	if err != nil {
		return err
	}
	_, err = ask(ctx, e, an, knowledge.Question{Text: question, Filter: f, Mode: *mode}, *asJSON)
	return err
}

// ask answers and prints, shared by ask, demo and chat. On a terminal the
// model's answer streams as it is written; the checked answer follows when
// checking changed it.
func ask(ctx context.Context, e *env, an *knowledge.Answerer, q knowledge.Question, asJSON bool) (*knowledge.Answer, error) {
	var streamed strings.Builder
	if !asJSON && an.Completer != nil && isTerminal(e.stdout) {
		q.OnDelta = func(d string) {
			streamed.WriteString(d)
			fmt.Fprint(e.stdout, d)
		}
	}
	ans, err := an.Ask(ctx, q)
	if err != nil {
		if streamed.Len() > 0 {
			fmt.Fprintln(e.stdout)
		}
		return nil, err
	}
	if asJSON {
		return ans, writeJSON(e.stdout, answerJSON(ans))
	}
	if streamed.Len() > 0 {
		fmt.Fprintln(e.stdout)
		if strings.TrimSpace(streamed.String()) == strings.TrimSpace(ans.Text) {
			printAnswer(e.stdout, ans, false)
			return ans, nil
		}
		fmt.Fprintln(e.stdout, "\nChecked answer:")
	}
	printAnswer(e.stdout, ans, true)
	return ans, nil
}

// jsonCitation and jsonAnswer are the `ask --json` contract.
type jsonCitation struct {
	N           int    `json:"n"`
	ArticleID   int64  `json:"article_id"`
	Title       string `json:"title"`
	Source      string `json:"source"`
	URL         string `json:"url"`
	PublishedAt string `json:"published_at"`
	Quote       string `json:"quote"`
	Verified    bool   `json:"verified"`
}

type jsonAnswer struct {
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Mode      string         `json:"mode"`
	Abstained bool           `json:"abstained"`
	Note      string         `json:"note,omitempty"`
	Citations []jsonCitation `json:"citations"`
}

func answerJSON(a *knowledge.Answer) jsonAnswer {
	out := jsonAnswer{Question: a.Question, Answer: a.Text, Mode: a.Mode, Abstained: a.Abstained, Note: a.Note, Citations: []jsonCitation{}}
	for _, c := range a.Citations {
		out.Citations = append(out.Citations, jsonCitation{N: c.N, ArticleID: c.ArticleID, Title: c.Title, Source: c.Source,
			URL: c.URL, PublishedAt: formatDate(c.PublishedAt), Quote: c.Quote, Verified: c.Verified})
	}
	return out
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printAnswer renders an answer for a terminal: the text (unless it was
// already streamed), then the sources.
func printAnswer(w io.Writer, a *knowledge.Answer, withText bool) {
	if withText {
		fmt.Fprintln(w, a.Text)
	}
	if a.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", a.Note)
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range a.Citations {
		fmt.Fprintf(w, "[%d] %s\n", c.N, sourceLine(c.Title, c.Source, c.PublishedAt))
		if c.Quote != "" {
			mark := ""
			if !c.Verified {
				mark = " (not found in the article: shown for reference, not as a quote)"
			}
			fmt.Fprintf(w, "    “%s”%s\n", c.Quote, mark)
		}
		if c.URL != "" {
			fmt.Fprintf(w, "    %s\n", c.URL)
		}
	}
}

// sourceLine is "Headline — Outlet, 2024-03-05" with missing parts left out.
func sourceLine(title, source string, published time.Time) string {
	s := title
	var meta []string
	if source != "" {
		meta = append(meta, source)
	}
	if d := formatDate(published); d != "" {
		meta = append(meta, d)
	}
	if len(meta) > 0 {
		s += " — " + strings.Join(meta, ", ")
	}
	return s
}
