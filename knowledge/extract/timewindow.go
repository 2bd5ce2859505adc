package extract

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Window is the period a question's relative time words ("this week",
// "yesterday", "on Monday") point at, around the moment it is asked.
type Window struct {
	Since, Until time.Time
	Phrase       string // the words as written
}

// Contains reports whether t falls in the window, a day's slack on either
// side: a report of Monday's events is often dated Tuesday.
func (w *Window) Contains(t time.Time) bool {
	return !t.Before(w.Since.Add(-24*time.Hour)) && !t.After(w.Until.Add(24*time.Hour))
}

// Weights of an article by its date against a question's time window.
const (
	inWindowWeight  = 1.6
	outWindowWeight = 0.6
)

// Weight is how much more an article published at pub counts for a
// question with the window than its words alone say: more when it was
// published in the window, less when well outside it, as much (1) when
// it is undated (pub zero).
func (w *Window) Weight(pub time.Time) float64 {
	switch {
	case pub.IsZero():
		return 1
	case w.Contains(pub):
		return inWindowWeight
	default:
		return outWindowWeight
	}
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
// first once sorted. Words are folded as text.Tokens folds them.
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
	"de": sortedPhrases([]timePhrase{
		tp("diese woche", 7*oneDay), tp("in dieser woche", 7*oneDay), tp("dieser woche", 7*oneDay),
		tp("anfang der woche", 7*oneDay), tp("in den letzten tagen", 7*oneDay), tp("in den vergangenen tagen", 7*oneDay),
		tp("letzte woche", 14*oneDay), tp("letzten woche", 14*oneDay), tp("vergangene woche", 14*oneDay),
		tp("vergangenen woche", 14*oneDay), tp("in der vergangenen woche", 14*oneDay), tp("in der letzten woche", 14*oneDay),
		tp("in den letzten wochen", 31*oneDay), tp("in den vergangenen wochen", 31*oneDay),
		tp("am wochenende", 5*oneDay), tp("dieses wochenende", 5*oneDay), tp("an diesem wochenende", 5*oneDay),
		tp("letztes wochenende", 9*oneDay), tp("letzten wochenende", 9*oneDay), tp("vergangenes wochenende", 9*oneDay),
		tp("am vergangenen wochenende", 9*oneDay), tp("am letzten wochenende", 9*oneDay),
		tp("heute", oneDay), tp("heute morgen", oneDay), tp("heute fruh", oneDay), tp("heute abend", oneDay),
		tp("heute nacht", oneDay), tp("gestern", 2*oneDay), tp("gestern abend", 2*oneDay), tp("vorgestern", 3*oneDay),
		tp("diesen monat", 31*oneDay), tp("in diesem monat", 31*oneDay), tp("diesem monat", 31*oneDay),
		tp("letzten monat", 62*oneDay), tp("vergangenen monat", 62*oneDay), tp("im letzten monat", 62*oneDay),
		tp("im vergangenen monat", 62*oneDay), tp("kurzlich", 30*oneDay), tp("neulich", 30*oneDay),
		tp("jungst", 30*oneDay), tp("in letzter zeit", 30*oneDay), tp("zuletzt", 30*oneDay), tp("derzeit", 7*oneDay),
		tp("nachste woche", 14*oneDay), tp("kommende woche", 14*oneDay),
		tp("nachsten monat", 31*oneDay), tp("spater in diesem jahr", 31*oneDay),
		{words: []string{"dieses", "jahr"}, sinceYear: 1}, {words: []string{"in", "diesem", "jahr"}, sinceYear: 1},
		{words: []string{"diesem", "jahr"}, sinceYear: 1}, {words: []string{"bisher", "in", "diesem", "jahr"}, sinceYear: 1},
		{words: []string{"letztes", "jahr"}, sinceYear: 2}, {words: []string{"letzten", "jahr"}, sinceYear: 2},
		{words: []string{"vergangenes", "jahr"}, sinceYear: 2}, {words: []string{"im", "vergangenen", "jahr"}, sinceYear: 2},
		{words: []string{"im", "letzten", "jahr"}, sinceYear: 2},
	}),
}

func sortedPhrases(ps []timePhrase) []timePhrase {
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	return ps
}

// weekdayLead are the words that may open a weekday as a time ("on
// Monday", "last Friday", "am Montag"), by language.
var weekdayLead = map[string]map[string]bool{
	"en": {"on": true, "last": true, "this": true, "since": true, "early": true, "late": true, "until": true},
	"de": {"am": true, "letzten": true, "vergangenen": true, "diesen": true, "seit": true, "bis": true, "ab": true},
}

// RelativeTime finds the relative time words of a question in its
// language and returns the question without them and the window they
// mean around asOf; the window is nil when the question has none. The
// words go so that they never count as the question's key terms: "What
// country elected its first-ever leftist leader this week?" asks what the
// same question without "this week" asks, of recent articles.
func RelativeTime(question, lang string, asOf time.Time) (string, *Window) {
	phrases, ok := timePhrases[lang]
	if !ok || asOf.IsZero() {
		return question, nil
	}
	ws := scanPlainWords(question)
	type cut struct{ start, end int }
	var cuts []cut
	var win *Window
	widen := func(since time.Time, phrase string) {
		if win == nil {
			win = &Window{Since: since, Until: asOf, Phrase: phrase}
			return
		}
		if since.Before(win.Since) {
			win.Since = since
		}
		win.Phrase += ", " + phrase
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
		if matched || !weekdayNames[lang][ws[i].fold] {
			continue
		}
		// A weekday is a time unless it is part of a name ("Cyber
		// Monday", "Super Tuesday").
		start := ws[i].start
		leads := weekdayLead[lang]
		if i > 0 {
			prev := ws[i-1]
			r, _ := utf8.DecodeRuneInString(prev.orig)
			if unicode.IsUpper(r) && !leads[prev.fold] && !strings.ContainsAny(question[prev.end:ws[i].start], ".?!") {
				continue
			}
			if leads[prev.fold] {
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

// weekdayNames are the weekdays by language.
var weekdayNames = map[string]map[string]bool{
	"en": {"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true},
	"de": {"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true,
		"sonnabend": true, "sonntag": true},
}
