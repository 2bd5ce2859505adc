package knowledge

import (
	"reflect"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

// TestChooseMatchTerms: the first stage matches on the rarest terms within
// the posting budget, on two at least while the second stays within twice
// it, and a hyphenated compound stands for its words that are no names.
func TestChooseMatchTerms(t *testing.T) {
	r := Ranking{PostingBudget: 0.05, MinPostings: 1000}
	st := &corpusStats{passages: 20000, df: map[string]int{
		"highrank": 15, "high": 3600, "rank": 510, "offici": 2800, "test": 1600, "posit": 1500, "covid": 2300,
		"taurus": 40, "marschflugkorp": 30, "taurusmarschflugkorp": 10, "reichweit": 700,
	}}
	an := text.AnalyzerFor("en")
	tests := []struct {
		name  string
		terms []text.QueryTerm
		want  []string
	}{
		{
			name:  "a compound's words take no budget; a second term within twice the budget",
			terms: an.Query("Which high-ranking official tested positive for Covid?"),
			want:  []string{"highrank", "posit"},
		},
		{
			name:  "no second term beyond twice the budget",
			terms: an.Query("Which official tested positive for Covid?"),
			want:  []string{"posit"},
		},
		{
			name: "words that are names stay terms of their own",
			terms: []text.QueryTerm{{Term: "taurus", Word: "taurus", Name: true}, {Term: "marschflugkorp", Word: "marschflugkorper", Name: true},
				{Term: "taurusmarschflugkorp", Word: "taurusmarschflugkorper", Compound: true}, {Term: "reichweit", Word: "reichweite"}},
			want: []string{"taurusmarschflugkorp", "marschflugkorp", "taurus", "reichweit"},
		},
	}
	for _, tt := range tests {
		var terms []string
		for _, q := range tt.terms {
			terms = append(terms, q.Term)
		}
		if got := chooseMatchTerms(terms, compoundParts(tt.terms), st, r); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: chooseMatchTerms(%v) = %v, want %v", tt.name, terms, got, tt.want)
		}
	}
}
