package knowledge

import (
	"testing"
	"time"
)

// An undated article is neither new news nor old: its recency prior is
// the midpoint between the floor and a fresh article's, never a fresh
// article's (the time Herald loaded it is no publication date).
func TestRecencyPriorIsNeutralForUndatedArticles(t *testing.T) {
	r := DefaultRanking()
	ref := time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	undated := recencyPrior(time.Time{}, ref, r)
	if want := (1 + r.RecencyFloor) / 2; undated != want {
		t.Errorf("undated prior = %v, want %v", undated, want)
	}
	tests := []struct {
		name      string
		published time.Time
		above     bool // the dated article's prior is above the undated one's
	}{
		{"published an hour ago", ref.Add(-time.Hour), true},
		{"published a week ago", ref.Add(-7 * 24 * time.Hour), true},
		{"published a year ago", ref.Add(-365 * 24 * time.Hour), false},
	}
	for _, tt := range tests {
		if got := recencyPrior(tt.published, ref, r); (got > undated) != tt.above {
			t.Errorf("%s: prior %v against the undated %v", tt.name, got, undated)
		}
	}
}
