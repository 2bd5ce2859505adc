package knowledge

import (
	"context"
	"strings"
	"testing"
)

func TestExtractiveAnswerCitesTheSentence(t *testing.T) {
	db := MustOpenDB(t)
	a := mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	f := Filter{GuildID: "*", AsOf: a.PublishedAt.AddDate(0, 0, 1)}
	cases := []struct{ q, quoted string }{
		{"Why hasn't Scholz approved Taurus deliveries?", "entanglement in the conflict"},
		{"How far can the Taurus reach?", "500 kilometers"},
		{"Which video platform was the meeting held on?", "WebEx"},
	}
	for _, c := range cases {
		ans, err := an.Ask(context.Background(), Question{Text: c.q, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Abstained || len(ans.Citations) == 0 {
			t.Errorf("%q: abstained or no citations: %+v", c.q, ans)
			continue
		}
		found := false
		for _, cit := range ans.Citations {
			if !strings.Contains(a.Text, cit.Quote) {
				t.Errorf("%q: quote %q is not in the stored text", c.q, cit.Quote)
			}
			if !cit.Verified || cit.Source != "Defense News" || cit.Title == "" {
				t.Errorf("%q: citation %+v", c.q, cit)
			}
			if strings.Contains(cit.Quote, c.quoted) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no citation quotes %q: %+v", c.q, c.quoted, ans.Citations)
		}
		if !strings.Contains(ans.Text, "[1]") {
			t.Errorf("%q: answer has no marker: %q", c.q, ans.Text)
		}
	}
}

func TestExtractiveAnswerAbstains(t *testing.T) {
	db := MustOpenDB(t)
	mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	for _, q := range []string{
		"What did the French president say about the Taurus leak?",
		"Who won the 2022 World Cup final in Qatar?",
		"What is the price of bitcoin?",
	} {
		ans, err := an.Ask(context.Background(), Question{Text: q, Filter: Filter{GuildID: "*"}})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Abstained || len(ans.Citations) != 0 || ans.Text != AbstainText {
			t.Errorf("%q: want abstention, got %+v", q, ans)
		}
	}
}

func TestAskRejectsEmptyAndHandlesHostileQuestions(t *testing.T) {
	db := MustOpenDB(t)
	mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	if _, err := an.Ask(context.Background(), Question{Text: "  "}); ErrorCode(err) != EINVALID {
		t.Fatalf("empty question: %v", err)
	}
	for _, q := range []string{`"""`, "@everyone what is Taurus?", strings.Repeat("NEAR( ", 2000), "what is it?"} {
		ans, err := an.Ask(context.Background(), Question{Text: q, Filter: Filter{GuildID: "*"}})
		if err != nil {
			t.Errorf("%.30q: %v", q, err)
			continue
		}
		if ans.Text == "" {
			t.Errorf("%.30q: empty answer", q)
		}
	}
}

// useModel is the one decision between the model and the extractive
// writer, for answers, summaries and digests alike.
func TestUseModel(t *testing.T) {
	model := &fakeCompleter{}
	for _, tc := range []struct {
		mode      string
		completer Completer
		want      bool
		code      string
	}{
		{"", nil, false, ""},
		{"", model, true, ""},
		{"auto", model, true, ""},
		{" AUTO ", nil, false, ""},
		{"llm", model, true, ""},
		{"llm", nil, false, EINVALID},
		{"extractive", model, false, ""},
		{"extractive", nil, false, ""},
		{"poetry", model, false, EINVALID},
	} {
		got, err := useModel(tc.mode, tc.completer, "answers")
		if got != tc.want || ErrorCode(err) != tc.code {
			t.Errorf("useModel(%q, model=%v) = %v, %v; want %v, code %q", tc.mode, tc.completer != nil, got, err, tc.want, tc.code)
		}
	}
}
