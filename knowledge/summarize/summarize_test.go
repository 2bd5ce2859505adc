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

func TestQuotations(t *testing.T) {
	for _, tt := range []struct {
		s          string
		share      float64 // at least; 0: below a half; -1: not checked
		unbalanced bool
	}{
		{`“We will build it,” the mayor said.`, 0.5, false},
		{`The mayor said the barrier opens in 2028.`, 0, false},
		{`But the mayor says: “When tides are high, we close the gates.`, -1, true},
		{`„Wir bauen die Sperre noch in diesem Jahr“, sagte sie.`, 0.5, false},
		{`Sie sagte: „Wenn die Flut kommt, schließen wir.`, -1, true},
	} {
		if got := quotedShare(tt.s); tt.share >= 0 && (got < tt.share || tt.share == 0 && got >= 0.5) {
			t.Errorf("quotedShare(%q) = %.2f, want at least %.2f", tt.s, got, tt.share)
		}
		if got := unbalancedQuote(tt.s); got != tt.unbalanced {
			t.Errorf("unbalancedQuote(%q) = %v, want %v", tt.s, got, tt.unbalanced)
		}
	}
}

// TestSummaryPrefersReportToQuotation: of two sentences as central, the
// one that reports is chosen over the one that quotes, and a quotation
// cut off is never chosen.
func TestSummaryPrefersReportToQuotation(t *testing.T) {
	body := "The harbour council approved the tidal barrier on Tuesday after a long debate over its cost. " +
		"“The tidal barrier will protect the harbour for a century,” the mayor said of the council's vote. " +
		"The barrier will cost £48 million, the council said, and the harbour will stay open during the works. " +
		"Then she added: “When tides are high, the barrier will close the harbour. " +
		"Residents welcomed the council's barrier plan at a meeting in the harbour hall."
	got := Sentences([]Source{{Title: "Harbour council approves barrier", Text: body}}, "en", "", 2)
	for _, sn := range got {
		s := body[sn.Span.Start:sn.Span.End]
		if quotedShare(s) >= 0.5 || unbalancedQuote(s) {
			t.Errorf("summary chose %q", s)
		}
	}
	if len(got) != 2 {
		t.Errorf("got %d sentences, want 2", len(got))
	}
}

// TestSummaryStartsWithTheLead: the lead of an article (its first
// sentence of ten words or more) counts more than a sentence as central.
func TestSummaryStartsWithTheLead(t *testing.T) {
	const lead = "Storm surges shaped the harbour town of Harwick, and a new film about the quay tells their history."
	body := "Wind and water.\n\n" + lead + " " +
		"The harbour council and the harbour board said the harbour barrier would protect the harbour quay from storm surges. " +
		"The harbour board said the harbour barrier and the harbour quay would be finished by the council. " +
		"The council said the barrier would close the harbour at high tide, the board said of the barrier."
	got := Sentences([]Source{{Title: "A film about Harwick's storms", Text: body}}, "en", "", 1)
	if len(got) == 0 || body[got[0].Span.Start:got[0].Span.End] != lead {
		t.Errorf("summary %v does not start with the lead %q", got, lead)
	}
}
