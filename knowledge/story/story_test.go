package story

import (
	"reflect"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

// doc makes a Doc of a headline and lead in English, at hour h.
func doc(id int64, guild string, h int, title, lead string) *Doc {
	terms, _ := Terms(text.AnalyzerFor("en"), title, lead, nil)
	return &Doc{ID: id, Guild: guild, Lang: "en", At: int64(h) * 3600, Terms: terms}
}

const (
	ecbTitle  = "ECB cuts interest rates for the first time since 2019"
	ecbLead   = "The European Central Bank cut its key deposit rate by a quarter point to 3.75 percent on Thursday, as inflation in the euro zone eased."
	ecbTitle2 = "Lagarde's European Central Bank lowers deposit rate to 3.75 percent"
	ecbLead2  = "The European Central Bank lowered its key deposit rate by a quarter point on Thursday, the first cut since 2019, as euro zone inflation eased."
	chessT    = "Norwegian teenager wins blitz chess title in Oslo"
	chessL    = "A 16-year-old from Bergen won the Norwegian blitz chess championship in Oslo on Saturday, beating three grandmasters."
)

// Two outlets' reports of one fire, worded apart as reports of one event
// are: they share about a fifth of their distinctive words (0.21).
const (
	fireT1 = "Wildfire near Lake Tahoe forces thousands to leave their homes"
	fireL1 = "A fast-moving wildfire in the hills above Lake Tahoe forced about 4,000 residents to evacuate on Tuesday as strong winds pushed the flames toward the town of Meyers, fire officials said."
	fireT2 = "Tahoe fire: evacuation orders widen as crews battle wind-driven blaze"
	fireL2 = "Firefighters struggled on Tuesday to contain a blaze burning toward Meyers near Lake Tahoe, where officials widened evacuation orders for thousands of residents as gusts fanned the fire through dry forest."
)

func TestGroup(t *testing.T) {
	tests := []struct {
		name string
		docs func() []*Doc
		from int64
		want []Update
	}{
		{"shared words join the earlier story", func() []*Doc {
			return []*Doc{doc(1, "", 0, ecbTitle, ecbLead), doc(2, "", 2, chessT, chessL), doc(3, "", 3, ecbTitle2, ecbLead2)}
		}, 0, []Update{{1, 1}, {2, 2}, {3, 1}}},
		{"reports worded apart, a fifth of their words shared", func() []*Doc {
			return []*Doc{doc(1, "", 0, fireT1, fireL1), doc(2, "", 1, ecbTitle, ecbLead), doc(3, "", 2, chessT, chessL), doc(4, "", 5, fireT2, fireL2)}
		}, 0, []Update{{1, 1}, {2, 2}, {3, 3}, {4, 1}}},
		{"too far apart in time", func() []*Doc {
			return []*Doc{doc(1, "", 0, ecbTitle, ecbLead), doc(2, "", 24*4, ecbTitle2, ecbLead2)}
		}, 0, []Update{{1, 1}, {2, 2}}},
		{"other servers' articles stay apart, the operator's are shared", func() []*Doc {
			return []*Doc{doc(1, "g1", 0, ecbTitle, ecbLead), doc(2, "g2", 1, ecbTitle2, ecbLead2), doc(3, "", 2, ecbTitle2, ecbLead2)}
		}, 0, []Update{{1, 1}, {2, 2}, {3, 2}}},
		{"other languages stay apart", func() []*Doc {
			d := doc(2, "", 1, ecbTitle2, ecbLead2)
			d.Lang = "de"
			return []*Doc{doc(1, "", 0, ecbTitle, ecbLead), d}
		}, 0, []Update{{1, 1}, {2, 2}}},
		{"near-identical fingerprints", func() []*Doc {
			a, b := doc(1, "", 0, "Floods", "Rain"), doc(2, "", 1, "Markets", "Stocks")
			a.Fingerprint, a.FingerprintOK = 0xF0F0, true
			b.Fingerprint, b.FingerprintOK = 0xF0F1, true
			return []*Doc{a, b}
		}, 0, []Update{{1, 1}, {2, 1}}},
		{"fingerprints of short texts do not count", func() []*Doc {
			a, b := doc(1, "", 0, "Floods", "Rain"), doc(2, "", 1, "Markets", "Stocks")
			a.Fingerprint, a.FingerprintOK = 0xF0F0, true
			b.Fingerprint = 0xF0F0
			return []*Doc{a, b}
		}, 0, []Update{{1, 1}, {2, 2}}},
		{"assigned and earlier docs keep their story", func() []*Doc {
			a, b := doc(1, "", 0, ecbTitle, ecbLead), doc(2, "", 1, ecbTitle2, ecbLead2)
			a.Story = 7
			return []*Doc{doc(5, "", -10, chessT, chessL), a, b}
		}, 0, []Update{{2, 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Group(tt.docs(), tt.from); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Group = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTermsAreSortedDistinctStems(t *testing.T) {
	terms, _ := Terms(text.AnalyzerFor("en"), "Rates cut, rates cut in June", "The bank cut its rates.", nil)
	want := []string{"bank", "cut", "june", "rate"}
	if !reflect.DeepEqual(terms, want) {
		t.Errorf("Terms = %q, want %q", terms, want)
	}
}

func TestCrossLanguage(t *testing.T) {
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	rate, flood := []float32{1, 0.1, 0}, []float32{0, 0.1, 1}
	tests := []struct {
		name   string
		langs  []string
		latest []time.Time
		vecs   [][]float32
		want   []int
	}{
		{"alike in two languages", []string{"en", "de", "de"}, []time.Time{day, day, day}, [][]float32{rate, flood, rate}, []int{0, 1, 0}},
		{"same language never", []string{"en", "en"}, []time.Time{day, day}, [][]float32{rate, rate}, []int{0, 1}},
		{"too far apart", []string{"en", "de"}, []time.Time{day, day.Add(Window + time.Hour)}, [][]float32{rate, rate}, []int{0, 1}},
		{"into the first, never into a merged one", []string{"en", "de", "fr"}, []time.Time{day, day, day}, [][]float32{rate, rate, rate}, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CrossLanguage(tt.langs, tt.latest, tt.vecs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CrossLanguage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	if got := Language([]string{"de", "en", "en"}, ""); got != "en" {
		t.Errorf("Language = %q, want en", got)
	}
	if got := Language([]string{"", "de"}, "The bank cut its rates on Thursday, the first cut since 2019, as inflation eased."); got != "en" {
		t.Errorf("Language = %q, want en (the first counted among equals)", got)
	}
}

func TestBefore(t *testing.T) {
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		a, b Rank
		want bool
	}{
		{Rank{ID: 2, Outlets: 3, Latest: day}, Rank{ID: 1, Outlets: 2, Latest: day.Add(time.Hour)}, true},
		{Rank{ID: 2, Outlets: 2, Latest: day.Add(time.Hour)}, Rank{ID: 1, Outlets: 2, Latest: day}, true},
		{Rank{ID: 1, Outlets: 2, Latest: day}, Rank{ID: 2, Outlets: 2, Latest: day}, true},
		{Rank{ID: 2, Outlets: 2, Latest: day}, Rank{ID: 1, Outlets: 2, Latest: day}, false},
		// One outlet's report and its follow-up outrank a newer single piece.
		{Rank{ID: 1, Outlets: 1, Reports: 2, Latest: day}, Rank{ID: 2, Outlets: 1, Reports: 1, Latest: day.Add(time.Hour)}, true},
		{Rank{ID: 2, Outlets: 1, Reports: 1, Latest: day.Add(time.Hour)}, Rank{ID: 1, Outlets: 1, Reports: 2, Latest: day}, false},
	}
	for _, tt := range tests {
		if got := Before(tt.a, tt.b); got != tt.want {
			t.Errorf("Before(%+v, %+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestWeightedJaccard(t *testing.T) {
	one := func(string) float64 { return 1 }
	tests := []struct {
		a, b   []string
		score  float64
		shared int
	}{
		{[]string{"a", "b", "c"}, []string{"b", "c", "d"}, 0.5, 2},
		{[]string{"a"}, []string{"a"}, 1, 1},
		{nil, nil, 0, 0},
	}
	for _, tt := range tests {
		if s, n := weightedJaccard(tt.a, tt.b, one); s != tt.score || n != tt.shared {
			t.Errorf("weightedJaccard(%q, %q) = %v, %d; want %v, %d", tt.a, tt.b, s, n, tt.score, tt.shared)
		}
	}
}
