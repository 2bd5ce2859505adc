package text

import "testing"

func TestCleanTitle(t *testing.T) {
	tests := []struct{ title, outlet, want string }{
		{"Floods close Yellowstone - CNN", "CNN", "Floods close Yellowstone"},
		{"Floods close Yellowstone - CNN — CNN", "CNN", "Floods close Yellowstone"},
		{"Floods close Yellowstone | CNN Politics", "CNN", "Floods close Yellowstone"},
		{"Floods close Yellowstone - CNNPolitics", "CNN", "Floods close Yellowstone"},
		{"Floods close Yellowstone | CNN ...", "CNN", "Floods close Yellowstone"},
		{"Why the barrier matters | The Week UK", "The Week", "Why the barrier matters"},
		{"Why the barrier matters | The ...", "The Week", "Why the barrier matters"},
		{"Germany approves budget | Reuters", "Reuters", "Germany approves budget"},
		{"Storm hits the coast | USA TODAY", "USA Today", "Storm hits the coast"},
		{"Storm hits the coast - cnn.com", "www.cnn.com", "Storm hits the coast"},
		// Only the known outlet is taken off.
		{"Markets rally – 24/7 Wall St.", "USA Today", "Markets rally – 24/7 Wall St."},
		{"Biden on the economy - and how to fix it", "CNN", "Biden on the economy - and how to fix it"},
		{"Floods close Yellowstone - CNN", "", "Floods close Yellowstone - CNN"},
		{"CNN", "CNN", "CNN"},
		// A dateline is no title.
		{"Washington CNN —", "CNN", ""},
		{"New York CNN Business —", "CNN", ""},
		{"(CNN)", "CNN", ""},
		{"BERLIN, Jan 24 (Reuters) -", "Reuters", ""},
		{"  Harbour council approves tidal barrier  ", "", "Harbour council approves tidal barrier"},
	}
	for _, tt := range tests {
		if got := CleanTitle(tt.title, tt.outlet); got != tt.want {
			t.Errorf("CleanTitle(%q, %q) = %q, want %q", tt.title, tt.outlet, got, tt.want)
		}
	}
}

func TestStripDateline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"WASHINGTON (AP) — The Senate voted on Wednesday.", "The Senate voted on Wednesday."},
		{"Washington CNN — The Senate voted on Wednesday.", "The Senate voted on Wednesday."},
		{"(CNN) Yellowstone National Park could reopen on Monday.", "Yellowstone National Park could reopen on Monday."},
		{"BERLIN, Jan 24 (Reuters) - Germany's cabinet approved the budget.", "Germany's cabinet approved the budget."},
		{"The barrier — six steel gates — rises at high tide.", "The barrier — six steel gates — rises at high tide."},
		{"Storm hits the coast", "Storm hits the coast"},
	}
	for _, tt := range tests {
		if got := StripDateline(tt.in); got != tt.want {
			t.Errorf("StripDateline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTitleFromText(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Washington CNN —\n\nA bipartisan group of senators unveiled an agreement on Sunday.", "A bipartisan group of senators unveiled an agreement on Sunday."},
		{"By Dana Whitfield | 2024-01-24 |\n\nHarbour council approves barrier\n\nThe council voted.", "Harbour council approves barrier"},
		{"WASHINGTON (AP) — The Senate voted on Wednesday to extend the program for another two years, after a long debate about its cost to taxpayers.",
			"The Senate voted on Wednesday to extend the program for another two years, after a long…"},
		{"Advertisement", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := TitleFromText(tt.text, "CNN", 90); got != tt.want {
			t.Errorf("TitleFromText(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
