package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// sampleArticle is the built-in sample: "Germany Blames Ukraine War Talks
// Leak on 'Individual Error'", Defense News, 5 March 2024.
//
//go:embed sample/defense-news-taurus-leak.md
var sampleArticle string

// sampleQuestion is what `herald demo` asks when given no question.
const sampleQuestion = "Why hasn't Scholz approved Taurus deliveries?"

// sampleArticleDE is the German sample: a report on the Taurus leak that
// Herald's developers wrote for the demo, from an invented outlet
// ("Herald-Beispielredaktion", 5 March 2024).
//
//go:embed sample/beispiel-taurus-schalte.md
var sampleArticleDE string

// sampleQuestionDE is what `herald demo --lang de` asks when given no
// question.
const sampleQuestionDE = "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?"

// demoSample is one of the built-in samples: its article, its language and
// the question asked of it by default.
type demoSample struct {
	article, lang, question string
}

// demoSamples are the built-in samples by language.
var demoSamples = map[string]demoSample{
	"en": {sampleArticle, "en", sampleQuestion},
	"de": {sampleArticleDE, "de", sampleQuestionDE},
}

// chooseSample picks the sample for --lang, or else for the language the
// question is written in; English when neither says or no sample is in
// the question's language.
func chooseSample(lang, question string) (demoSample, error) {
	if lang != "" {
		s, ok := demoSamples[text.LanguageCode(lang)]
		if !ok {
			return demoSample{}, knowledge.Errorf(knowledge.EINVALID, "--lang must be en or de, not %q.", lang)
		}
		return s, nil
	}
	if s, ok := demoSamples[text.DetectLanguage(question, "en")]; ok {
		return s, nil
	}
	return demoSamples["en"], nil
}

func runDemo(ctx context.Context, e *env) error {
	fs := newFlags(e, "demo", "[QUESTION]", `Loads the built-in sample article (Defense News, 5 March 2024, on the leaked
German officers' call about Taurus missiles) into a temporary database and
answers a question about it: by default "`+sampleQuestion+`".
With --lang de, or a question in German, it uses the German sample instead (a
report on the same leak written for the demo) and asks by default
"`+sampleQuestionDE+`".
Needs no configuration and no network; your own database is not touched.`)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	lang := fs.String("lang", "", "the sample's language (`LANG`): en or de (default: the question's language, else en)")
	args, err := parseFlags(e, fs, e.args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(args, " "))
	sample, err := chooseSample(strings.TrimSpace(*lang), question)
	if err != nil {
		return err
	}
	if question == "" {
		question = sample.question
	}
	dir, err := os.MkdirTemp("", "herald-demo-")
	if err != nil {
		return knowledge.WrapError(knowledge.EINTERNAL, "Cannot create a temporary folder.", err)
	}
	defer os.RemoveAll(dir)
	db, err := knowledge.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.Logger = e.logger
	a, err := knowledge.ParseTextArticle(sample.article)
	if err != nil {
		return err
	}
	if a.Language == "" {
		a.Language = sample.lang
	}
	if _, err := db.PutArticle(ctx, a); err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "Q: %s\n\n", question)
	}
	// The sample is from March 2024; answer as of a day after it, so the
	// recency prior treats it as news.
	f := knowledge.Filter{GuildID: "*", AsOf: a.PublishedAt.AddDate(0, 0, 1)}
	// The demo always answers extractively: no key, no network.
	an := &knowledge.Answerer{DB: db, Logger: db.Logger}
	_, err = ask(ctx, e, an, knowledge.Question{Text: question, Filter: f, Mode: knowledge.AskExtractive}, *asJSON)
	return err
}
