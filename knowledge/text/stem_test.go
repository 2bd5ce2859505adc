package text

import "testing"

func TestStemMeetsInflections(t *testing.T) {
	groups := [][]string{
		{"approved", "approving", "approve", "approves"},
		{"deliveries", "delivery"},
		{"missiles", "missile"},
		{"stopped", "stopping", "stop"},
		{"discussed", "discussing", "discusses", "discuss"},
	}
	for _, g := range groups {
		want := Stem(g[0])
		for _, w := range g[1:] {
			if got := Stem(w); got != want {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q; want the same", w, got, g[0], want)
			}
		}
	}
	for _, w := range []string{"us", "bus", "news", "crisis", "gas"} {
		if Stem(w) == "" {
			t.Errorf("Stem(%q) is empty", w)
		}
	}
}
