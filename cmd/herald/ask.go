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
			printAnswer(e.stdout, e.out, ans, false)
			return ans, nil
		}
		fmt.Fprintln(e.stdout, "\n"+e.out.bold("Checked answer:"))
	}
	printAnswer(e.stdout, e.out, ans, true)
	return ans, nil
}

// printAnswer renders an answer for a terminal: the text (unless it was
// already streamed), then the sources.
func printAnswer(w io.Writer, st style, a *knowledge.Answer, withText bool) {
	if withText {
		fmt.Fprintln(w, a.Text)
	}
	if a.Note != "" {
		fmt.Fprintf(w, "\n%s\n", st.dim("("+a.Note+")"))
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\n"+st.bold("Sources:"))
	for _, c := range a.Citations {
		fmt.Fprintf(w, "%s %s\n", st.bold(fmt.Sprintf("[%d]", c.N)), sourceLine(c.Title, c.Source, c.PublishedAt))
		if c.Quote != "" {
			mark := ""
			if !c.Verified {
				mark = st.warn(" (not found in the article: shown for reference, not as a quote)")
			}
			fmt.Fprintf(w, "    “%s”%s\n", c.Quote, mark)
		}
		if c.URL != "" {
			fmt.Fprintf(w, "    %s\n", st.dim(c.URL))
		}
	}
}

// formatDate is a date for people: YYYY-MM-DD, or "" when unknown.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
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
