package knowledge

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// timeWindow is the period a question's relative time words ("this week",
// "yesterday", "on Monday") point at, around the moment it is asked.
type timeWindow struct {
	since, until time.Time
	phrase       string // the words as written
}

// contains reports whether t falls in the window, a day's slack on either
// side: a report of Monday's events is often dated Tuesday.
func (w *timeWindow) contains(t time.Time) bool {
	return !t.Before(w.since.Add(-24*time.Hour)) && !t.After(w.until.Add(24*time.Hour))
}

// timePhrase is one relative time expression and the window it means.
type timePhrase struct {
	words []string
	// back is how far before the question's moment the window starts;
	// zero with sinceYear means from the start of the year.
	back      time.Duration
	sinceYear int // 1: this year's January 1; 2: last year's
}

const oneDay = 24 * time.Hour

func tp(words string, back time.Duration) timePhrase {
	return timePhrase{words: strings.Fields(words), back: back}
}

// timePhrases holds each language's relative time expressions, longest
// first once sorted. Only English is written yet; German comes with the
// German question cues.
var timePhrases = map[string][]timePhrase{
	"en": sortedPhrases([]timePhrase{
		tp("earlier this week", 7*oneDay), tp("this past week", 7*oneDay), tp("the past week", 7*oneDay),
		tp("past week", 7*oneDay), tp("this week", 7*oneDay), tp("last week", 14*oneDay), tp("in recent days", 7*oneDay),
		tp("in the past few days", 7*oneDay), tp("in recent weeks", 31*oneDay), tp("this weekend", 5*oneDay),
		tp("last weekend", 9*oneDay), tp("over the weekend", 5*oneDay), tp("this past weekend", 5*oneDay),
		tp("today", oneDay), tp("tonight", oneDay), tp("this morning", oneDay), tp("this afternoon", oneDay),
		tp("yesterday", 2*oneDay), tp("last night", 2*oneDay), tp("this month", 31*oneDay), tp("earlier this month", 31*oneDay),
		tp("the past month", 31*oneDay), tp("past month", 31*oneDay), tp("last month", 62*oneDay),
		tp("recently", 30*oneDay), tp("lately", 30*oneDay), tp("right now", 7*oneDay),
		tp("later this year", 31*oneDay), tp("later this month", 31*oneDay), tp("next week", 14*oneDay),
		tp("next month", 31*oneDay), tp("early next month", 31*oneDay), tp("later this week", 7*oneDay),
		{words: []string{"this", "year"}, sinceYear: 1}, {words: []string{"earlier", "this", "year"}, sinceYear: 1},
		{words: []string{"so", "far", "this", "year"}, sinceYear: 1}, {words: []string{"last", "year"}, sinceYear: 2},
	}),
}

func sortedPhrases(ps []timePhrase) []timePhrase {
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	return ps
}

// weekdayLead are the words that may open a weekday as a time ("on
// Monday", "last Friday").
var weekdayLead = map[string]bool{"on": true, "last": true, "this": true, "since": true, "early": true, "late": true, "until": true}

// relativeTime finds the relative time words of a question in its
// language and returns the question without them and the window they
// mean around asOf; the window is nil when the question has none. The
// words go so that they never count as the question's key terms: "What
// country elected its first-ever leftist leader this week?" asks what the
// same question without "this week" asks, of recent articles.
func relativeTime(question, lang string, asOf time.Time) (string, *timeWindow) {
	phrases, ok := timePhrases[lang]
	if !ok || asOf.IsZero() {
		return question, nil
	}
	ws := scanPlainWords(question)
	type cut struct{ start, end int }
	var cuts []cut
	var win *timeWindow
	widen := func(since time.Time, phrase string) {
		if win == nil {
			win = &timeWindow{since: since, until: asOf, phrase: phrase}
			return
		}
		if since.Before(win.since) {
			win.since = since
		}
		win.phrase += ", " + phrase
	}
	for i := 0; i < len(ws); i++ {
		matched := false
		for _, p := range phrases {
			if !matchWords(ws[i:], p.words) {
				continue
			}
			end := ws[i+len(p.words)-1].end
			since := asOf.Add(-p.back)
			switch p.sinceYear {
			case 1:
				since = time.Date(asOf.Year(), 1, 1, 0, 0, 0, 0, asOf.Location())
			case 2:
				since = time.Date(asOf.Year()-1, 1, 1, 0, 0, 0, 0, asOf.Location())
			}
			widen(since, question[ws[i].start:end])
			cuts = append(cuts, cut{ws[i].start, end})
			i += len(p.words) - 1
			matched = true
			break
		}
		if matched || !weekdayNames[ws[i].fold] {
			continue
		}
		// A weekday is a time unless it is part of a name ("Cyber
		// Monday", "Super Tuesday").
		start := ws[i].start
		if i > 0 {
			prev := ws[i-1]
			r, _ := utf8.DecodeRuneInString(prev.orig)
			if unicode.IsUpper(r) && !weekdayLead[prev.fold] && !strings.ContainsAny(question[prev.end:ws[i].start], ".?!") {
				continue
			}
			if weekdayLead[prev.fold] {
				start = prev.start
			}
		}
		widen(asOf.Add(-8*oneDay), question[start:ws[i].end])
		cuts = append(cuts, cut{start, ws[i].end})
	}
	if win == nil {
		return question, nil
	}
	var b strings.Builder
	from := 0
	for k, c := range cuts {
		// "last month's election": the possessive goes with its words.
		for _, poss := range []string{"'s", "’s"} {
			if strings.HasPrefix(question[c.end:], poss) {
				cuts[k].end += len(poss)
				c.end += len(poss)
			}
		}
		b.WriteString(question[from:c.start])
		from = c.end
	}
	b.WriteString(question[from:])
	rest := strings.Join(strings.Fields(b.String()), " ")
	rest = strings.TrimLeft(rest, ",;:—– ")
	rest = strings.NewReplacer(" ?", "?", " ,", ",", " .", ".", " !", "!").Replace(rest)
	if len(scanPlainWords(rest)) == 0 {
		return question, win
	}
	return rest, win
}

var weekdayNames = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true,
	"friday": true, "saturday": true, "sunday": true}
