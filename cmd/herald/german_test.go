package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// germanAnswer is what `ask --json` says, as the German tests read it.
type germanAnswer struct {
	Answer    string `json:"answer"`
	Abstained bool   `json:"abstained"`
	Language  string `json:"language"`
	Citations []struct {
		Source   string   `json:"source"`
		Quote    string   `json:"quote"`
		Quotes   []string `json:"quotes"`
		Verified bool     `json:"verified"`
	} `json:"citations"`
}

func askJSON(t *testing.T, env map[string]string, question string) germanAnswer {
	t.Helper()
	out, errOut, err := runHerald(t, env, "ask", "--json", question)
	if err != nil {
		t.Fatalf("ask %q: %v\n%s", question, err, errOut)
	}
	var ans germanAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("ask --json output is not JSON: %v\n%s", err, out)
	}
	return ans
}

func TestGermanArticleAnsweredAndAbstainedInGerman(t *testing.T) {
	env := testEnv(t)
	sample := filepath.Join(t.TempDir(), "schalte.md")
	if err := os.WriteFile(sample, []byte(sampleArticleDE), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := runHerald(t, env, "ingest", sample); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, errOut)
	}
	out, _, err := runHerald(t, env, "articles", "--json")
	if err != nil || !strings.Contains(out, `"language": "de"`) {
		t.Fatalf("articles --json lacks the article's language: %v\n%s", err, out)
	}

	// A German question gets a German citation, checked against the
	// stored text.
	ans := askJSON(t, env, "Wo hatte sich einer der Teilnehmer eingewählt?")
	if ans.Abstained || ans.Language != "de" || len(ans.Citations) == 0 || !strings.HasPrefix(ans.Answer, "Singapur") {
		t.Fatalf("answer: %+v", ans)
	}
	c := ans.Citations[0]
	if !c.Verified || c.Source != "Herald-Beispielredaktion" || !strings.Contains(c.Quote, "aus einem Hotel in Singapur") ||
		!strings.Contains(sampleArticleDE, c.Quote) {
		t.Errorf("citation: %+v", c)
	}

	// What the article does not say: the abstention, in German.
	ans = askJSON(t, env, "Wie viel kostet ein Taurus-Marschflugkörper?")
	if !ans.Abstained || ans.Answer != "Dazu finde ich nichts in meinen Artikeln." || len(ans.Citations) != 0 {
		t.Errorf("abstention: %+v", ans)
	}
	// The terminal labels the sources in the answer's language.
	out, errOut, err := runHerald(t, env, "ask", "Wo hatte sich einer der Teilnehmer eingewählt?")
	if err != nil || !strings.Contains(out, "Quellen:") || strings.Contains(out, "Sources:") {
		t.Errorf("ask: %v\n%s\n%s", err, out, errOut)
	}
	// An English question is still answered in English words.
	ans = askJSON(t, env, "How much does a Taurus missile cost?")
	if !ans.Abstained || ans.Answer != "I can't find that in the articles I have." {
		t.Errorf("English abstention: %+v", ans)
	}
}

func TestDemoInGerman(t *testing.T) {
	for _, args := range [][]string{{"demo", "--lang", "de"}, {"demo", "Wo hatte sich einer der Teilnehmer eingewählt?"}} {
		out, errOut, err := runHerald(t, testEnv(t), args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		for _, want := range []string{"Herald-Beispielredaktion", "2024-03-05", "Quellen:", "[1]"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v output lacks %q:\n%s", args, want, out)
			}
		}
	}
	// The founding question, over the German sample: the reason, quoted.
	out, _, err := runHerald(t, testEnv(t), "demo", "--lang", "de")
	if err != nil || !strings.Contains(out, "Q: "+sampleQuestionDE) ||
		!strings.Contains(out, "Bundeskanzler Olaf Scholz lehnt eine Lieferung bislang ab, weil er fürchtet, Deutschland könne dadurch in den Krieg hineingezogen werden. [1]") {
		t.Errorf("demo --lang de: %v\n%s", err, out)
	}
	if _, errOut, err := runHerald(t, testEnv(t), "demo", "--lang", "fr"); err == nil || !strings.Contains(errOut, "--lang must be en or de") {
		t.Errorf("demo --lang fr: %v %s", err, errOut)
	}
}

// TestGermanEvalSet runs herald eval on the German evaluation set shipped
// in eval/de and holds it to the targets of issue 13.
func TestGermanEvalSet(t *testing.T) {
	dir := filepath.Join("..", "..", "eval", "de")
	out, errOut, err := runHerald(t, testEnv(t), "eval", "--json",
		"--corpus", filepath.Join(dir, "corpus.jsonl"), "--queries", filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut)
	}
	var rep struct {
		Questions           int     `json:"questions"`
		HitsAt1             float64 `json:"hits_at_1"`
		AnswerSupport       float64 `json:"answer_support"`
		AbstainUnanswerable float64 `json:"abstain_unanswerable"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	if rep.Questions != 30 || rep.HitsAt1 < 0.9 || rep.AnswerSupport < 0.8 || rep.AbstainUnanswerable < 1 {
		t.Errorf("German set: %+v; want hits@1 >= 0.9, answer support >= 0.8, every unanswerable question abstaining", rep)
	}
}

func TestTerminalLanguageForShortQuestions(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "de_DE.UTF-8"}, "de"},
		{map[string]string{"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}, "de"},
		{map[string]string{"LANG": "C"}, ""},
		{map[string]string{}, ""},
	} {
		cfg, err := loadConfig(func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Language != tt.want {
			t.Errorf("%v: Language %q, want %q", tt.env, cfg.Language, tt.want)
		}
	}
	env := testEnv(t)
	sample := filepath.Join(t.TempDir(), "schalte.md")
	os.WriteFile(sample, []byte(sampleArticleDE), 0o644)
	if _, errOut, err := runHerald(t, env, "ingest", sample); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	// "Preis?" says nothing of its language: the terminal's decides.
	if ans := askJSON(t, env, "Preis?"); ans.Language != "en" {
		t.Errorf("without LANG: %+v", ans)
	}
	env["LANG"] = "de_DE.UTF-8"
	if ans := askJSON(t, env, "Preis?"); ans.Language != "de" || !ans.Abstained || ans.Answer != "Dazu finde ich nichts in meinen Artikeln." {
		t.Errorf("with LANG=de_DE.UTF-8: %+v", ans)
	}
}
