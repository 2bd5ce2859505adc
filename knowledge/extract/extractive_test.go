package extract

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

func TestQuestionNames(t *testing.T) {
	tests := []struct {
		q    string
		want [][]string
	}{
		{"Which Nobel laureate was named head of the World Bank?", [][]string{{"nobel"}, {"world", "bank"}}},
		{"Which team won the 2022 NHL Stanley Cup Finals?", [][]string{{"nhl"}, {"stanley", "cup", "finals"}}},
		{"Where in the US is it illegal to pump your own gas?", [][]string{{"us"}}},
		{"What did Pope Francis name his first cat?", [][]string{{"pope", "francis"}}},
		{"Why did the show end?", nil},
		// A plural acronym after names is what they make, a name of its own.
		{"Why were some Kia and Hyundai SUVs recalled?", [][]string{{"kia"}, {"hyundai"}, {"suvs"}}},
	}
	for _, tt := range tests {
		var got [][]string
		for _, n := range questionNames(tt.q, text.AnalyzerFor("en")) {
			got = append(got, n.words)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("questionNames(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestNamesAll(t *testing.T) {
	tests := []struct {
		q, article string
		want       bool
	}{
		{"Which German chancellor resigned?", "Germany's chancellor said on Monday he would stay.", true},
		{"Which German chancellor resigned?", "Britain's chancellor resigned on Monday.", false},
		{"Where in the US is gas self-service banned?", "In two U.S. states drivers may not pump gas.", true},
		{"Which team won the 2022 NHL Stanley Cup Finals?", "The Avalanche won the Stanley Cup Final, the NHL said.", true},
		{"Which Nobel laureate was named head of the World Bank?", "The Nobel laureate praised the bank and the world.", false},
		// Of four names, one may be called otherwise.
		{"Police said the White group Patriot Front planned to riot at an LGBTQ Pride event. Where?",
			"Members of Patriot Front, a white nationalist group, were arrested near a Pride event.", true},
	}
	for _, tt := range tests {
		if got := namesAll(questionNames(tt.q, text.AnalyzerFor("en")), text.Tokens(tt.article)); got != tt.want {
			t.Errorf("namesAll(%q, %q) = %v, want %v", tt.q, tt.article, got, tt.want)
		}
	}
}

func TestDigitsFirst(t *testing.T) {
	for in, want := range map[string]string{
		"six months": "6 months", "two million": "2 million", "Six": "6", "500 kilometers": "500 kilometers",
		"dozens of times": "dozens of times", "half": "half", "Olaf Scholz": "Olaf Scholz", "one-third": "one-third",
	} {
		if got := digitsFirst(in, lexiconFor("en")); got != want {
			t.Errorf("digitsFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTopicCandidates: asked for a thing by a common noun ("Which
// virus..."), what the best story's headline and text are about is a
// candidate though it is no name; the question's own words are not.
func TestTopicCandidates(t *testing.T) {
	docs := []Document{{Title: "Monkeypox: agency to consider again whether outbreak is an emergency",
		Full: "Monkeypox cases rise. The monkeypox outbreak grows. Testing for monkeypox expands. Doses of the monkeypox vaccine are short. The agency met once."}}
	question := "Which virus is making officials declare an emergency?"
	e := newExtractor(question, "en", docs, nil, map[string]float64{"virus": 1, "offici": 1, "declar": 1, "emerg": 1}, DefaultParams())
	e.prepare(docs)
	if !e.facts.topics["monkeypox"] || e.facts.topics["agenc"] || e.facts.topics["emerg"] {
		t.Fatalf("topics %v, want monkeypox alone", e.facts.topics)
	}
	sentence := "As monkeypox cases rise, officials plan to reassess the emergency."
	var got []string
	for _, c := range findCandidates(sentence, scanPlainWords(sentence), e.facts) {
		got = append(got, c.text)
	}
	if strings.Join(got, "|") != "monkeypox" {
		t.Errorf("candidates %q, want monkeypox", got)
	}
}

// TestAnswer drives the answerer through its API: the sentence holding
// what is asked leads, its spans are its bytes in the document, a copy in
// another outlet's article is told with it, and an abstention says why.
func TestAnswer(t *testing.T) {
	const lead = "Harbour Lights became the most watched series of the year, StreamCo said."
	body := "The coastal drama returns in the spring. " + lead + " Filming starts in May."
	docs := []Document{
		{ID: 7, Title: "StreamCo renews its most watched series", Outlet: "Screen Wire", Text: body,
			Spans: []text.Span{{Start: 0, End: len(body)}}, Full: body},
		{ID: 9, Title: "The series of the year", Outlet: "TV Daily", Text: lead + "\n\n",
			Spans: []text.Span{{Start: 0, End: len(lead)}}, Full: lead},
	}
	passages := []Passage{{Article: 7, Title: docs[0].Title, Text: body}, {Article: 9, Title: docs[1].Title, Text: lead}}
	question := func(q string) Question {
		return Question{Text: q, Language: "en", Weights: sameWeights(q, 2)}
	}
	tests := []struct {
		name     string
		q        string
		passages []Passage
		why      Abstention
		want     string // the lead sentence, when it answers
	}{
		{name: "answers", q: "Which series was the most watched of the year?", passages: passages, want: lead},
		{name: "no evidence", q: "Which series was the most watched of the year?", why: NoEvidence},
		{name: "key terms missing", q: "Which Zanzibar ferry sank in the monsoon?", passages: passages, why: KeyTermsMissing},
	}
	for _, tt := range tests {
		res := Answer(question(tt.q), tt.passages, docs, DefaultParams())
		if tt.want == "" {
			if !res.Abstained || res.Why != tt.why || len(res.Sentences) != 0 {
				t.Errorf("%s: got %+v, want an abstention (%d)", tt.name, res, tt.why)
			}
			continue
		}
		if res.Abstained || len(res.Sentences) == 0 {
			t.Fatalf("%s: abstained (%d)", tt.name, res.Why)
		}
		s := res.Sentences[0]
		if s.Text != tt.want || s.Doc != 0 || docs[s.Doc].Text[s.Span.Start:s.Span.End] != s.Text {
			t.Errorf("%s: lead %+v, want %q of document 0", tt.name, s.Sentence, tt.want)
		}
		if len(s.Copies) != 1 || s.Copies[0].Doc != 1 || s.Copies[0].Text != lead {
			t.Errorf("%s: copies %+v, want the other outlet's", tt.name, s.Copies)
		}
	}
}

// TestLongQuestionCoverage: a long quiz question tells its story in its
// own words, so the best article needs a smaller share of its many key
// terms than a short question's; a short question missing half of them
// still abstains.
func TestLongQuestionCoverage(t *testing.T) {
	body := "The mayor of Port Elling said on Monday that families with more than four children will receive a grant as the birth rate falls. " +
		"The city council approved the mayor's plan for the children."
	docs := []Document{{ID: 3, Title: "Port Elling mayor offers families a grant", Outlet: "Coast Herald", Text: body,
		Spans: []text.Span{{Start: 0, End: len(body)}}, Full: body}}
	passages := []Passage{{Article: 3, Title: docs[0].Title, Text: body}}
	an := text.AnalyzerFor("en")
	tests := []struct {
		q       string
		answers bool
	}{
		// Sixteen key terms, seven in the article (a share of 0.44).
		{"Facing shrinking schools and a falling birth rate, the mayor of Port Elling this week promised struggling households generous cash if they raise how many children?", true},
		// Seven key terms, three in the article (0.43).
		{"Which glacier and lighthouse did the Port Elling mayor visit by ferry?", false},
	}
	for _, tt := range tests {
		w := map[string]float64{}
		keys := 0
		for _, term := range an.Query(tt.q) {
			w[term.Term] = 2
			if term.Key {
				keys++
			}
		}
		e := newExtractor(tt.q, "en", docs, nil, w, DefaultParams())
		if got := e.coversKeyTerms(tt.q, passages, docs); got != tt.answers {
			t.Errorf("coversKeyTerms(%q) with %d key terms = %v, want %v", tt.q, keys, got, tt.answers)
		}
	}
}

func TestLongQuestionShare(t *testing.T) {
	for keys, want := range map[int]float64{0: 1, 4: 1, longQuestionKeys: 1, 2 * longQuestionKeys: 0.5} {
		if got := longQuestionShare(keys); got != want {
			t.Errorf("longQuestionShare(%d) = %v, want %v", keys, got, want)
		}
	}
}

func TestPreambleTerms(t *testing.T) {
	an := text.AnalyzerFor("en")
	tests := []struct {
		q    string
		want []string // stems, sorted
	}{
		{"Which project did the council postpone?", nil},
		{"The town council met this week. Which project did the council postpone?", []string{"met", "town", "week"}},
		// The question sentence is the last holding a question word.
		{"The council met. Which project did it postpone? Answer in a word.", []string{"council", "met"}},
	}
	for _, tt := range tests {
		var got []string
		for st := range preambleTerms(tt.q, cuesFor("en"), an) {
			got = append(got, st)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("preambleTerms(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// TestPreambleAnswer: a quiz question's preamble retells the story, which
// the article's lead retells too; the sentence that answers speaks to the
// question sentence.
func TestPreambleAnswer(t *testing.T) {
	const answer = "The council postponed the ferry terminal, a project the mayor has championed."
	body := "Harwick's harbour budget passed on Tuesday after a long debate over dredging, mooring fees and a sea wall, the town said. " +
		answer + " Residents welcomed the budget."
	docs := []Document{{ID: 4, Title: "Harwick approves harbour budget", Outlet: "Coast Herald", Text: body,
		Spans: []text.Span{{Start: 0, End: len(body)}}, Full: body}}
	passages := []Passage{{Article: 4, Title: docs[0].Title, Text: body}}
	q := "The Harwick town council approved a new harbour budget this week after months of debate. Which project did the council postpone?"
	res := Answer(Question{Text: q, Language: "en", Weights: sameWeights(q, 2)}, passages, docs, DefaultParams())
	if res.Abstained || len(res.Sentences) == 0 || res.Sentences[0].Text != answer {
		t.Errorf("Answer(%q) = %+v, want the lead %q", q, res, answer)
	}
}

// TestAnswerNamesWhatTheLeadRefersTo: the sentence most like the question
// opens with "The show", referring to the one named just before it; the
// answer quotes that sentence first and names it.
func TestAnswerNamesWhatTheLeadRefersTo(t *testing.T) {
	const named = "Once again, “Harbour Lights” comes out on top, as StreamCo expected."
	const lead = "The show, which follows a family of lighthouse keepers, leads this year's Reel Awards race with 25 nominations."
	body := "Nominations for the Reel Awards were announced on Tuesday. " + named + " " + lead +
		" “Quiet Fields” and “North Pier” tied for second with 20 nominations apiece."
	docs := []Document{{ID: 5, Title: "Reel Awards nominations: the full list", Outlet: "Screen Wire", Text: body,
		Spans: []text.Span{{Start: 0, End: len(body)}}, Full: body}}
	passages := []Passage{{Article: 5, Title: docs[0].Title, Text: body}}
	q := "Which show received the most nominations for the Reel Awards?"
	res := Answer(Question{Text: q, Language: "en", Weights: sameWeights(q, 2)}, passages, docs, DefaultParams())
	if res.Abstained || len(res.Sentences) < 2 || res.Sentences[0].Text != named || res.Sentences[1].Text != lead {
		t.Fatalf("Answer(%q) = %+v, want %q then %q", q, res, named, lead)
	}
	if res.Short != "Harbour Lights" {
		t.Errorf("short answer %q, want Harbour Lights", res.Short)
	}
}

// TestCommonNameNeedNotBeInTheEvidence: a name so common in the store
// that it tells nothing ("US" in an American outlet's articles, which say
// "domestically"), or a month, is not required of the evidence, nor
// counted against its coverage; a rare name still is.
func TestCommonNameNeedNotBeInTheEvidence(t *testing.T) {
	body := "The latest film in the saga, “Storm Harbour,” made an estimated $143 million domestically for its opening, topping the box office."
	docs := []Document{{ID: 6, Title: "Storm Harbour tops the box office", Outlet: "Screen Wire", Text: body,
		Spans: []text.Span{{Start: 0, End: len(body)}}, Full: body}}
	passages := []Passage{{Article: 6, Title: docs[0].Title, Text: body}}
	for _, tt := range []struct {
		q       string
		answers bool
	}{
		{"Which movie topped the US box office?", true},
		{"Which movie topped the Zanzibar box office?", false},
		// A month says when; the article's date tells it too.
		{"Which movie topped the box office in early July?", true},
	} {
		e := newExtractor(tt.q, "en", docs, nil, sameWeights(tt.q, 4), DefaultParams())
		e.common = map[string]bool{"us": true} // in most articles of the store
		if got := e.coversKeyTerms(tt.q, passages, docs); got != tt.answers {
			t.Errorf("coversKeyTerms(%q) = %v, want %v", tt.q, got, tt.answers)
		}
	}
}

// sameWeights gives each of the English question q's terms the weight w.
func sameWeights(q string, w float64) map[string]float64 {
	out := map[string]float64{}
	for _, term := range text.AnalyzerFor("en").Query(q) {
		out[term.Term] = w
	}
	return out
}

func TestIsQuestion(t *testing.T) {
	for s, want := range map[string]bool{
		"So what is going on with the harbour?": true,
		"“Why now?”":                            true,
		"She asked: “Why now?”":                 true,
		"All 21 members of the council voted “yes” in response to the question: “Is it safe?”": false,
		`The board answered the mayor's question, "Will the barrier hold?"`:                    false,
		"The council approved the barrier.":                                                    false,
	} {
		if got := isQuestion(s); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", s, got, want)
		}
	}
}
