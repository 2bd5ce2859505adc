package evidence

import (
	"slices"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

func TestTrimToMatches(t *testing.T) {
	rel := func(s string) float64 {
		if strings.Contains(s, "bridge") {
			return 1
		}
		return 0
	}
	tests := []struct{ in, want string }{
		{"One. Two. The bridge reopens. Four. Five. Six.", "[…] Two. The bridge reopens. Four. […]"},
		{"The bridge reopens. Two. Three. Four. The bridge closes.", "The bridge reopens. Two. […] Four. The bridge closes."},
		{"One. Two. Three. Four.", "One. Two. Three. Four."}, // nothing matches: whole
		{"One. The bridge.", "One. The bridge."},             // too short to trim
	}
	for _, tt := range tests {
		if got := TrimToMatches(tt.in, rel); got != tt.want {
			t.Errorf("TrimToMatches(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPack(t *testing.T) {
	rel := func(s string) float64 {
		if strings.Contains(s, "bridge") {
			return 0.5
		}
		return 0
	}
	long := strings.Repeat("word ", 200)
	tests := []struct {
		name   string
		arts   []Article
		budget int
		want   [][]int // chosen passages' indexes, in the order chosen
	}{
		{
			name: "the best article's lead before a weak article's match",
			arts: []Article{
				{Best: 10, Retrieved: []int{1}, Passages: []Passage{{0, "The city council met."}, {1, "The bridge reopens."}}},
				{Best: 2, Retrieved: []int{3}, Passages: []Passage{{3, "A bridge elsewhere."}}},
			},
			budget: 1000,
			want:   [][]int{{1, 0}, {0}},
		},
		{
			name: "what does not fit is left out, the first passage always in",
			arts: []Article{
				{Best: 10, Retrieved: []int{0}, Passages: []Passage{{0, long + "bridge"}, {1, "The bridge reopens."}}},
			},
			budget: 10,
			want:   [][]int{{0}},
		},
		{
			name: "an article none of whose passages fits has none",
			arts: []Article{
				{Best: 10, Retrieved: []int{0}, Passages: []Passage{{0, "The bridge reopens."}}},
				{Best: 9, Retrieved: []int{0}, Passages: []Passage{{0, long}}},
			},
			budget: 60,
			want:   [][]int{{0}, nil},
		},
		{name: "no articles", want: [][]int{}},
	}
	for _, tt := range tests {
		got := Pack(tt.arts, rel, tt.budget)
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d articles, want %d", tt.name, len(got), len(tt.want))
		}
		for k := range got {
			var idx []int
			for _, c := range got[k] {
				idx = append(idx, c.Index)
			}
			if !slices.Equal(idx, tt.want[k]) {
				t.Errorf("%s: article %d chose %v, want %v", tt.name, k, idx, tt.want[k])
			}
		}
	}
}

func TestMatcher(t *testing.T) {
	an := text.AnalyzerFor("en")
	weights := map[string]float64{}
	for _, term := range an.QueryTerms("bridge reopens") {
		weights[term] = 1
	}
	rel := Matcher(an, weights)
	for s, want := range map[string]float64{"The bridges reopened.": 1, "The bridge is closed.": 0.5, "Nothing here.": 0} {
		if got := rel(s); got != want {
			t.Errorf("rel(%q) = %v, want %v", s, got, want)
		}
	}
	if got := Matcher(an, nil)("The bridge"); got != 0 {
		t.Errorf("no weights: %v, want 0", got)
	}
}
