package knowledge

import (
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

// candidatesOf returns the candidates of sentence for question, those
// fitting at least 0.5, as text.
func candidatesOf(question, sentence string, lowercase ...string) []string {
	var cache text.StemCache
	an := text.AnalyzerFor("en")
	q := newQuestionFacts(question, detectAskedFor(question, "en"), an, &cache)
	for _, l := range lowercase {
		q.noteCase(scanPlainWords(l))
	}
	q.noteCase(scanPlainWords(sentence))
	var out []string
	for _, c := range findCandidates(sentence, scanPlainWords(sentence), q) {
		if c.fit >= 0.5 {
			out = append(out, c.text)
		}
	}
	return out
}

func TestFindCandidates(t *testing.T) {
	tests := []struct {
		question, sentence string
		want               []string // each must be among the candidates
		not                []string // none may be
	}{
		// Names, with person, place and organisation hints.
		{"Which German chancellor refused?", "Chancellor Olaf Scholz, however, has refrained from approving the deliveries.",
			[]string{"Olaf Scholz"}, []string{"Chancellor Olaf Scholz", "Chancellor"}},
		{"Who became the first lady?", "The award went to First lady Dr. Jill Biden on Monday.", []string{"Jill Biden"}, []string{"Monday"}},
		{"Which popular singer returns?", "Pop star Adele is returning to Las Vegas.", []string{"Adele"}, nil},
		{"Where was the event?", "Police arrested the men near a Pride event in Coeur d'Alene, Idaho, on Saturday.",
			[]string{"Idaho", "Coeur d'Alene"}, []string{"Police", "Pride", "Saturday"}},
		{"Which country is now bankrupt?", "Sri Lanka is bankrupt, Prime Minister Ranil Wickremesinghe said Tuesday.",
			[]string{"Sri Lanka"}, []string{"Ranil Wickremesinghe", "Tuesday"}},
		{"Which company is accused of turning off the AC?", "The company said it would remodel 450 Bed Bath & Beyond shops.",
			[]string{"Bed Bath & Beyond"}, nil},
		{"Which German foundation was designated undesirable?", "Moscow designated the German Friedrich Ebert Foundation as undesirable.",
			[]string{"Friedrich Ebert Foundation"}, []string{"Moscow"}},
		// What the question holds is no answer.
		{"What did Olaf Scholz say about Pistorius?", "Olaf Scholz praised Pistorius on Tuesday.", nil, []string{"Olaf Scholz", "Pistorius"}},
		// A sentence's first word is a name only when the evidence
		// capitalises it elsewhere.
		{"Who won?", "Chances are the favourite won.", nil, []string{"Chances"}},
		// Numbers with units, counted things and amounts.
		{"How far can Taurus missiles reach?", "Taurus missiles are capable of reaching targets up to 500 kilometers away.",
			[]string{"500 kilometers"}, nil},
		{"How far can Taurus missiles reach?", "The leaked 38-minute recording was posted last Friday.", nil, []string{"38-minute"}},
		{"How many months was her detention extended?", "The court ruled her detention be extended six months pending its outcome.",
			[]string{"six months"}, nil},
		{"How many baby swings were recalled?", "The recall affects 2 million MamaRoo swings, according to the agency.",
			[]string{"2 million"}, nil},
		{"How many Taurus missiles has Germany delivered?", "Moscow designated three other German entities on March 5.", nil, []string{"three", "5"}},
		{"How old is he?", "A 17-year-old has become the youngest person to fly around the world solo.", []string{"17-year-old"}, nil},
		{"How much does a gallon of gas cost?", "The national average hit $4.96 a gallon on Wednesday, up 60% in a year.",
			[]string{"$4.96"}, []string{"60%"}},
		{"What is the price of a Taurus missile?", "Taurus missiles can reach targets up to 500 kilometers away.", nil, []string{"500 kilometers"}},
		{"What percentage of voters backed him?", "He won 52.4% of the vote, or 2.1 million votes.", []string{"52.4%"}, []string{"2.1 million"}},
		{"How much have gas prices increased over the past year?", "Gas prices are up nearly 60 percent over the past year.", []string{"60 percent"}, nil},
		// Dates.
		{"When are loan payments set to restart?", "Currently, payments are set to resume after August 31, 2022.", []string{"August 31, 2022"}, nil},
		{"When will the boosters be available?", "Updated boosters will be available early next month.", []string{"next month"}, nil},
		// Reasons and means.
		{"Why hasn't Scholz approved Taurus deliveries?", "Scholz has refrained from approving them, expressing concerns about potential entanglement in the conflict.",
			[]string{"concerns about potential entanglement in the conflict"}, nil},
		{"Why did some cities cancel their fireworks?", "Another town cancelled its fireworks show because of the current wildfire danger.",
			[]string{"because of the current wildfire danger"}, nil},
		{"How did the recording get intercepted?", "An attendee had connected via an unauthorized connection, leading to the interception.",
			[]string{"via an unauthorized connection"}, nil},
		// Expansions.
		{"What does PSL stand for?", "The Professional Squash League (PSL) opens its season in May.", []string{"Professional Squash League"}, nil},
		// Quoted titles for questions about things.
		{"Which show was green lit for a new season?", "“Squid Game” will return for a second season, Netflix said.", []string{"Squid Game"}, nil},
	}
	for _, tt := range tests {
		got := candidatesOf(tt.question, tt.sentence, "the chances are good")
		for _, w := range tt.want {
			if !containsString(got, w) {
				t.Errorf("%q in %q: no candidate %q among %q", tt.question, tt.sentence, w, got)
			}
		}
		for _, n := range tt.not {
			if containsString(got, n) {
				t.Errorf("%q in %q: %q should be no candidate: %q", tt.question, tt.sentence, n, got)
			}
		}
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if strings.TrimRight(x, ",") == s {
			return true
		}
	}
	return false
}

func TestCreditsAreNoCandidates(t *testing.T) {
	e := &extractor{docs: []evDoc{{article: Article{Source: "Harbour Gazette"}}}}
	s := "PORTLAND, Maine (AP) — Harbour Gazette reported that Maine Ferries won the contract."
	cands := []answerCandidate{
		{start: 17, end: 19, text: "AP"}, {start: 25, end: 40, text: "Harbour Gazette"}, {start: 55, end: 68, text: "Maine Ferries"},
	}
	got := e.dropCredits(s, cands)
	if len(got) != 1 || got[0].text != "Maine Ferries" {
		t.Errorf("candidates %+v, want only Maine Ferries", got)
	}
}
