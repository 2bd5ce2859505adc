package extract

import (
	"testing"
	"time"
)

func TestRelativeTime(t *testing.T) {
	asOf := time.Date(2022, 6, 16, 23, 59, 59, 0, time.UTC) // a Thursday
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		lang, q, rest string
		since         time.Time // zero: no window
	}{
		{"en", "What country elected its first-ever leftist leader this week?", "What country elected its first-ever leftist leader?", asOf.Add(-7 * oneDay)},
		{"en", "Which show was recently green lit for a new season?", "Which show was green lit for a new season?", asOf.Add(-30 * oneDay)},
		{"en", "What happened yesterday in Kyiv?", "What happened in Kyiv?", asOf.Add(-2 * oneDay)},
		{"en", "Who won last month's election?", "Who won election?", asOf.Add(-62 * oneDay)},
		{"en", "Who resigned last month?", "Who resigned?", asOf.Add(-62 * oneDay)},
		{"en", "Why were fireworks cancelled this year?", "Why were fireworks cancelled?", date(2022, 1, 1)},
		{"en", "What did Biden announce on Monday?", "What did Biden announce?", asOf.Add(-8 * oneDay)},
		{"en", "Which retailer had the best Cyber Monday sales?", "Which retailer had the best Cyber Monday sales?", time.Time{}},
		{"en", "Monday: what happened?", "what happened?", asOf.Add(-8 * oneDay)},
		{"en", "Why hasn't Scholz approved Taurus deliveries?", "Why hasn't Scholz approved Taurus deliveries?", time.Time{}},
		{"en", "this week", "this week", asOf.Add(-7 * oneDay)}, // nothing else left: the words stay
		{"de", "Wer hat diese Woche gewonnen?", "Wer hat gewonnen?", asOf.Add(-7 * oneDay)},
		{"de", "Was hat der Bundestag in dieser Woche beschlossen?", "Was hat der Bundestag beschlossen?", asOf.Add(-7 * oneDay)},
		{"de", "Wer hat gestern den Goldenen Bären gewonnen?", "Wer hat den Goldenen Bären gewonnen?", asOf.Add(-2 * oneDay)},
		{"de", "Welche Übung hat die Luftwaffe heute begonnen?", "Welche Übung hat die Luftwaffe begonnen?", asOf.Add(-oneDay)},
		{"de", "Was sagte Pistorius am Montag?", "Was sagte Pistorius?", asOf.Add(-8 * oneDay)},
		{"de", "Wer ist im vergangenen Jahr zurückgetreten?", "Wer ist zurückgetreten?", date(2021, 1, 1)},
		{"de", "Warum wurde kürzlich gestreikt?", "Warum wurde gestreikt?", asOf.Add(-30 * oneDay)},
		{"de", "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?", "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?", time.Time{}},
	}
	for _, tt := range tests {
		rest, w := RelativeTime(tt.q, tt.lang, asOf)
		if rest != tt.rest {
			t.Errorf("%q: rest %q, want %q", tt.q, rest, tt.rest)
		}
		switch {
		case tt.since.IsZero() && w != nil:
			t.Errorf("%q: window %v, want none", tt.q, w)
		case !tt.since.IsZero() && (w == nil || !w.Since.Equal(tt.since) || !w.Until.Equal(asOf)):
			t.Errorf("%q: window %+v, want from %v", tt.q, w, tt.since)
		}
	}
	w := &Window{Since: asOf.Add(-7 * oneDay), Until: asOf}
	for pub, want := range map[time.Time]bool{asOf.Add(-3 * oneDay): true, asOf.Add(-7*oneDay - 12*time.Hour): true, asOf.Add(-9 * oneDay): false, asOf.Add(2 * oneDay): false} {
		if w.Contains(pub) != want {
			t.Errorf("Contains(%v) = %v", pub, !want)
		}
	}
}
