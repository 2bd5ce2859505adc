package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runAsk(ctx context.Context, e *env) error {
	fs := newFlags(e, "ask", "QUESTION", "Answers a question from the stored articles, with numbered citations that quote them.")
	var ff filterFlags
	ff.register(fs)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	mode := fs.String("mode", "auto", "who writes the answer (`MODE`): auto (the model when one is configured), llm or extractive")
	dbFlag := dbPathFlag(fs)
	question, err := parseText(e, fs, e.args)
	if err != nil {
		return err
	}
	if _, err := checkMode(*mode); err != nil {
		return err
	}
	f, err := ff.filter(time.Now())
	if err != nil {
		return err
	}
	f.Language = e.cfg.Language
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	if c, err := db.Counts(ctx, "*"); err == nil && c.Articles == 0 {
		fmt.Fprintln(e.stderr, e.errs.err("herald:")+" The knowledge base is empty. Add articles with 'herald ingest PATH|URL', or try 'herald demo'.")
		return errSilent
	}
	if err := checkSources(ctx, db, f); err != nil {
		return err
	}
	an, err := newAnswerer(e, db, *mode, false)
	if err != nil {
		return err
	}
	_, err = ask(ctx, e, an, knowledge.Question{Text: question, Filter: f, Mode: *mode}, *asJSON)
	return err
}

// ask answers and prints, shared by ask, demo and chat. On a terminal the
// model's answer streams as a dimmed draft that the checked answer then
// replaces.
func ask(ctx context.Context, e *env, an *knowledge.Answerer, q knowledge.Question, asJSON bool) (*knowledge.Answer, error) {
	var d *draft
	if !asJSON && an.Completer != nil && isTerminal(e.stdout) {
		d = newDraft(e.stdout, e.out, terminalWidth(e.stdout))
	}
	return askWith(ctx, e, an, q, asJSON, d)
}

// askWith is ask drawing the streamed answer into d, when not nil.
func askWith(ctx context.Context, e *env, an *knowledge.Answerer, q knowledge.Question, asJSON bool, d *draft) (*knowledge.Answer, error) {
	if d != nil {
		q.OnDelta = d.write
	}
	ans, err := an.Ask(ctx, q)
	if d != nil {
		// Only the checked answer stays on screen.
		d.clear()
	}
	if err != nil {
		return nil, err
	}
	if asJSON {
		return ans, writeJSON(e.stdout, answerJSON(ans))
	}
	printAnswer(e.stdout, e.out, ans, true)
	return ans, nil
}

// answerLabels are the words printAnswer puts around an answer, in the
// answer's language: the CLI's own messages stay English, but an answer
// in German is labelled in German.
type answerLabels struct{ sources, notVerbatim string }

func labelsFor(lang string) answerLabels {
	if lang == "de" {
		return answerLabels{"Quellen:", " (nicht wörtlich im Artikel gefunden: zum Nachlesen, nicht als Zitat)"}
	}
	return answerLabels{"Sources:", " (not found in the article: shown for reference, not as a quote)"}
}

// printAnswer renders an answer for a terminal: the text (unless it was
// already shown), then the sources, each article once with its quotes,
// labelled in the answer's language.
func printAnswer(w io.Writer, st style, a *knowledge.Answer, withText bool) {
	labels := labelsFor(a.Language)
	if withText {
		fmt.Fprintln(w, a.Text)
	}
	if a.Note != "" {
		fmt.Fprintf(w, "\n%s\n", st.dim("("+a.Note+")"))
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\n"+st.bold(labels.sources))
	for _, c := range a.Citations {
		fmt.Fprintf(w, "%s %s\n", st.bold(fmt.Sprintf("[%d]", c.N)), sourceLine(c.Title, c.Source, c.PublishedAt))
		for _, q := range citationQuotes(c) {
			mark := ""
			if !c.Verified {
				mark = st.warn(labels.notVerbatim)
			}
			fmt.Fprintf(w, "    “%s”%s\n", q, mark)
		}
		if c.URL != "" {
			fmt.Fprintf(w, "    %s\n", st.dim(c.URL))
		}
	}
}

// citationQuotes returns all the quotes of a citation, Quote first.
func citationQuotes(c knowledge.Citation) []string {
	if len(c.Quotes) > 0 {
		return c.Quotes
	}
	if c.Quote != "" {
		return []string{c.Quote}
	}
	return nil
}

// formatDate is a date for people: YYYY-MM-DD, or "undated" when
// unknown (an undated article is never taken for new news).
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "undated"
	}
	return t.UTC().Format("2006-01-02")
}

// sourceLine is "Headline — Outlet, 2024-03-05" ("undated" for the date
// when there is none), without an outlet when there is none.
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
