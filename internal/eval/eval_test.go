package eval

import (
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge"
)

func TestReadQueries(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"records and blank lines", `{"id":"q1","question":"Who?","gold_ids":["a"]}` + "\n\n" + `{"id":"q2","question":"When?"}` + "\n", 2, ""},
		{"not JSON", `{"id":`, 0, "line 1 is not a query record"},
		{"no question", `{"id":"q1"}`, 0, "line 1 has no question"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := ReadQueries(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if knowledge.ErrorMessage(err) != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(qs) != tt.want {
				t.Fatalf("%d queries, %v; want %d", len(qs), err, tt.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	tests := []struct {
		p    float64
		want float64
	}{{0, 1}, {0.5, 3}, {0.95, 5}, {1, 5}}
	for _, tt := range tests {
		if got := Percentile(xs, tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("Percentile of nothing is not 0")
	}
}

func TestSupportsAndRanks(t *testing.T) {
	ans := &knowledge.Answer{Citations: []knowledge.Citation{{Quote: "The park reopens on “June 22”."}}}
	if !supports(ans, []string{`"june 22"`}) || supports(ans, []string{"July"}) {
		t.Error("supports does not look for the answer in the quotes, folded")
	}
	hits := []knowledge.Hit{
		{Article: knowledge.Article{ID: 3, ExternalID: "rtqa-3"}},
		{Article: knowledge.Article{ID: 3, ExternalID: "rtqa-3"}},
		{Article: knowledge.Article{ID: 7}},
	}
	if got := strings.Join(rankedIDs(hits, 10), " "); got != "rtqa-3 7" {
		t.Errorf("rankedIDs = %q", got)
	}
}

func TestEchoes(t *testing.T) {
	q := "Which company is being accused of turning off the AC in its stores to save money?"
	tests := []struct {
		answer string
		want   bool
	}{
		{"Which company is being accused of turning off the AC in its stores to save money? [1]", true},
		{"Bed Bath & Beyond is accused of turning off the AC in its stores to save money. [1]", false}, // holds the answer
		{"The retailer said it would remodel 450 shops across the country. [1]", false},
		{"Stores accused. [1]", false}, // too few words to tell
	}
	for _, tt := range tests {
		if got := Echoes(tt.answer, q, []string{"Bed Bath & Beyond"}); got != tt.want {
			t.Errorf("Echoes(%q) = %v, want %v", tt.answer, got, tt.want)
		}
	}
}

func TestSupportsReadsEveryQuoteAndCountsDuplicateNumbers(t *testing.T) {
	ans := &knowledge.Answer{Citations: []knowledge.Citation{
		{N: 1, ArticleID: 4, Quote: "The bridge reopens.", Quotes: []string{"The bridge reopens.", "It reopens on March 12."}},
	}}
	if !supports(ans, []string{"March 12"}) {
		t.Error("supports does not read the article's other quotes")
	}
	if holdsAnswer(ans.Citations[0].Quote, []string{"March 12"}) {
		t.Error("the first quote does not hold the answer")
	}
	if duplicateNumbers(ans) {
		t.Error("one article under one number is no duplicate")
	}
	ans.Citations = append(ans.Citations, knowledge.Citation{N: 2, ArticleID: 4, Quote: "Again."})
	if !duplicateNumbers(ans) {
		t.Error("one article under two numbers is a duplicate")
	}
}
