package summarize

import (
	"strings"
	"testing"
)

// Three short reports of one flood, and one of something else.
var (
	floodA = Source{Title: "River floods the old town", Text: "The river burst its banks in the old town on Monday after three days of heavy rain. " +
		"Firefighters evacuated two hundred residents from houses along the river. " +
		"The mayor said the flood barriers had held in the new town. " +
		"Heavy rain is forecast to continue until Wednesday, the weather service said."}
	floodB = Source{Title: "Residents evacuated as river floods", Text: "Two hundred residents were evacuated when the river flooded the old town. " +
		"The heavy rain of the last three days swelled the river to a record level. " +
		"Firefighters used boats to reach houses along the river bank."}
	budget = Source{Title: "Council passes budget", Text: "The council passed next year's budget on Tuesday by a narrow majority. " +
		"Spending on schools rises by four percent while road repairs are postponed."}
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name  string
		srcs  []Source
		topic string
		max   int
		want  func(t *testing.T, got []Sentence)
	}{
		{"one text, in order", []Source{floodA}, "", 0, func(t *testing.T, got []Sentence) {
			if len(got) < 2 || len(got) > DefaultSentences {
				t.Fatalf("%d sentences", len(got))
			}
			for i := 1; i < len(got); i++ {
				if got[i].Span.Start <= got[i-1].Span.Start {
					t.Errorf("out of order: %+v", got)
				}
			}
		}},
		{"at most max", []Source{floodA, floodB}, "", 1, func(t *testing.T, got []Sentence) {
			if len(got) != 1 {
				t.Errorf("%d sentences, want 1", len(got))
			}
		}},
		{"at most two of each source", []Source{floodA, floodB}, "", 6, func(t *testing.T, got []Sentence) {
			per := map[int]int{}
			for _, s := range got {
				per[s.Source]++
			}
			for src, n := range per {
				if n > 2 {
					t.Errorf("%d sentences of source %d", n, src)
				}
			}
		}},
		{"topic words required", []Source{floodA, budget}, "council budget", 4, func(t *testing.T, got []Sentence) {
			if len(got) == 0 {
				t.Fatal("no sentence")
			}
			for _, s := range got {
				if s.Source != 1 {
					t.Errorf("sentence of source %d, want only the budget's", s.Source)
				}
			}
		}},
		{"topic nowhere", []Source{floodA, budget}, "volcano eruption", 4, func(t *testing.T, got []Sentence) {
			if len(got) != 0 {
				t.Errorf("%d sentences, want none", len(got))
			}
		}},
		{"no sources", nil, "", 4, func(t *testing.T, got []Sentence) {
			if len(got) != 0 {
				t.Errorf("%d sentences, want none", len(got))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sentences(tt.srcs, "en", tt.topic, tt.max)
			for _, s := range got {
				sent := tt.srcs[s.Source].Text[s.Span.Start:s.Span.End]
				if !strings.HasSuffix(sent, ".") {
					t.Errorf("span %+v is not a whole sentence: %q", s, sent)
				}
			}
			tt.want(t, got)
		})
	}
}

func TestBest(t *testing.T) {
	brief := Source{Title: "Flood", Text: "The river flooded the old town on Monday morning after heavy rain."}
	full := Source{Title: "Flood", Text: floodA.Text + " " + floodB.Text}
	noLead := Source{Title: "Video: the flood", Text: "Video: the flood"}
	tests := []struct {
		name     string
		reports  []Source
		wantBest int
		wantLead string
	}{
		{"first with a lead", []Source{noLead, floodB, floodA}, 1, "Two hundred residents were evacuated when the river flooded the old town."},
		{"a much fuller account wins", []Source{brief, full}, 1, "The river burst its banks in the old town on Monday after three days of heavy rain."},
		{"none", []Source{noLead}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			best, lead := Best(tt.reports)
			if best != tt.wantBest || lead != tt.wantLead {
				t.Errorf("Best = %d, %q; want %d, %q", best, lead, tt.wantBest, tt.wantLead)
			}
		})
	}
}

func TestOverlap(t *testing.T) {
	set := func(ws ...string) map[string]bool {
		m := map[string]bool{}
		for _, w := range ws {
			m[w] = true
		}
		return m
	}
	tests := []struct {
		a, b map[string]bool
		want float64
	}{
		{set("a", "b"), set("a", "b", "c", "d"), 1},
		{set("a", "b", "c", "d"), set("a", "x"), 0.5},
		{set(), set("a"), 0},
		{set("a"), set("b"), 0},
	}
	for _, tt := range tests {
		if got := Overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlap(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
