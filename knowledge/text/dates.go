package text

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Dates: reading an article's publication date from what pages, feeds,
// URLs and article heads write. Every function returns the zero time when
// it finds no plausible date, so that an article without one stays
// undated instead of getting the time it was loaded.

// minYear and maxYear bound the years a publication date may have.
const minYear, maxYear = 1900, 2199

// isoLayouts are the machine-written forms of meta tags, JSON-LD, feeds
// and <time datetime>, tried in order.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"20060102",
	"2006/01/02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 02 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	time.RFC850,
	time.ANSIC,
	time.UnixDate,
}

// months maps English and German month names and their abbreviations,
// folded to lower case without a full stop, to months.
var months = map[string]time.Month{
	"january": 1, "jan": 1, "januar": 1, "jänner": 1, "jän": 1,
	"february": 2, "feb": 2, "febr": 2, "februar": 2,
	"march": 3, "mar": 3, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
	"april": 4, "apr": 4,
	"may": 5, "mai": 5,
	"june": 6, "jun": 6, "juni": 6,
	"july": 7, "jul": 7, "juli": 7,
	"august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9,
	"october": 10, "oct": 10, "oktober": 10, "okt": 10,
	"november": 11, "nov": 11,
	"december": 12, "dec": 12, "dezember": 12, "dez": 12,
}

// weekdays are English and German weekday names and abbreviations, which
// may stand beside a date.
var weekdays = map[string]bool{
	"monday": true, "mon": true, "tuesday": true, "tue": true, "tues": true, "wednesday": true, "wed": true,
	"thursday": true, "thu": true, "thur": true, "thurs": true, "friday": true, "fri": true,
	"saturday": true, "sat": true, "sunday": true, "sun": true,
	"montag": true, "mo": true, "dienstag": true, "di": true, "mittwoch": true, "mi": true, "donnerstag": true, "do": true,
	"freitag": true, "fr": true, "samstag": true, "sa": true, "sonnabend": true, "sonntag": true, "so": true,
}

// zones are the time-zone abbreviations news sites print, as offsets in
// hours. US zones without a season ("ET") are resolved by the month.
var zones = map[string]float64{
	"utc": 0, "gmt": 0, "z": 0, "bst": 1, "cet": 1, "mez": 1, "cest": 2, "mesz": 2, "eet": 2, "eest": 3,
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
	"ist": 5.5, "jst": 9, "kst": 9, "aest": 10, "aedt": 11,
}

// seasonalZones are US zones written without standard or daylight time:
// the offset in winter, daylight time adding an hour.
var seasonalZones = map[string]float64{"et": -5, "ct": -6, "mt": -7, "pt": -8}

const monthPattern = `(?:jan(?:uary|uar)?|jän(?:ner)?|feb(?:ruary|ruar|r)?|mar(?:ch)?|märz|maerz|mär|mrz|apr(?:il)?|may|mai|jun[ei]?|jul[yi]?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?)\.?`

var (
	// "June 16, 2022", "Jun. 16 2022", "June 16th, 2022"
	reMonthDayYear = regexp.MustCompile(`(?i)\b(` + monthPattern + `)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	// "16 June 2022", "16. Juni 2022", "3rd of March 2024"
	reDayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(` + monthPattern + `),?\s+(\d{4})\b`)
	// "2022-06-16", "2022-06-16T10:32:00Z" (the time is read separately)
	reISODate = regexp.MustCompile(`\b((?:19|20|21)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b`)
	// "16.06.2022" (German numeric dates; slashed dates are ambiguous and left alone)
	reDottedDate = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b`)
	// "June 16", "Jan 24" without a year
	reMonthDay = regexp.MustCompile(`(?i)\b(` + monthPattern + `)\s+(\d{1,2})(?:st|nd|rd|th)?\b`)
	// "24 January", "3. März" without a year
	reDayMonth = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(` + monthPattern + `)(?:\s|[,.)]|$)`)
	// "10:32 AM EDT", "3:04 p.m. ET", "14:30 Uhr", "10:32:05"
	reClock = regexp.MustCompile(`(?i)\b([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|uhr)?(?:\s*\(?\b([a-z]{1,4})\b\)?)?`)
	// an ISO time after a date: "T10:32:00", " 10:32", with an optional zone
	reISOTime = regexp.MustCompile(`^[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)?`)
)

// ParseDate reads a date or a date and time as pages, feeds, JSON-LD and
// front matter write them: RFC 3339 and other ISO 8601 forms, RFC 1123
// (feeds), Unix seconds or milliseconds, and written dates in English or
// German ("June 16, 2022", "Thu June 16, 2022 10:32 AM EDT", "16. Juni
// 2022, 14:30 Uhr"). The result is in UTC; a date without a time is
// midnight UTC of that day. ok is false when s holds no plausible date.
func ParseDate(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return time.Time{}, false
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return plausible(t.UTC())
		}
	}
	if allDigits(s) && (len(s) == 10 || len(s) == 13) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			if len(s) == 13 {
				return plausible(time.UnixMilli(n).UTC())
			}
			return plausible(time.Unix(n, 0).UTC())
		}
	}
	return writtenDate(s, time.Time{})
}

// plausible keeps a time whose year a news article may have.
func plausible(t time.Time) (time.Time, bool) {
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, false
	}
	return t, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// writtenDate finds the first date written in s (with a year; without one
// only when ref is set, taking the latest such date not after ref), and a
// clock time in s, if any, applied with its zone.
func writtenDate(s string, ref time.Time) (time.Time, bool) {
	y, m, d, at, end, ok := findDate(s, ref)
	if !ok {
		return time.Time{}, false
	}
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if day.Day() != d || day.Month() != m { // 31 June and the like
		return time.Time{}, false
	}
	if iso := reISOTime.FindStringSubmatch(s[end:]); iso != nil && at == reISOMark {
		h, _ := strconv.Atoi(iso[1])
		mi, _ := strconv.Atoi(iso[2])
		sec, _ := strconv.Atoi(iso[3])
		t := day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second)
		if z := iso[4]; z != "" && z != "Z" {
			if off, err := time.Parse("-07:00", z[:3]+":"+strings.TrimPrefix(z[3:], ":")); err == nil {
				_, offset := off.Zone()
				t = t.Add(-time.Duration(offset) * time.Second)
			}
		}
		return plausible(t)
	}
	if c := reClock.FindStringSubmatchIndex(s); c != nil {
		if t, ok := withClock(day, s, c); ok {
			return plausible(t)
		}
	}
	return plausible(day)
}

// reISOMark tells writtenDate that findDate matched an ISO date.
const reISOMark = -1

// findDate returns the first written date of s: year, month, day, which
// pattern matched it (reISOMark for an ISO date) and where it ends.
func findDate(s string, ref time.Time) (y int, m time.Month, d, kind, end int, ok bool) {
	best := -1
	try := func(loc []int, k int, read func(sub []string) (int, time.Month, int, bool)) {
		if loc == nil || (best >= 0 && loc[0] >= best) {
			return
		}
		sub := make([]string, 0, len(loc)/2)
		for i := 0; i < len(loc); i += 2 {
			if loc[i] < 0 {
				sub = append(sub, "")
				continue
			}
			sub = append(sub, s[loc[i]:loc[i+1]])
		}
		yy, mm, dd, good := read(sub)
		if !good {
			return
		}
		best, y, m, d, kind, end, ok = loc[0], yy, mm, dd, k, loc[1], true
	}
	try(reISODate.FindStringSubmatchIndex(s), reISOMark, func(sub []string) (int, time.Month, int, bool) {
		yy, _ := strconv.Atoi(sub[1])
		mm, _ := strconv.Atoi(sub[2])
		dd, _ := strconv.Atoi(sub[3])
		return yy, time.Month(mm), dd, true
	})
	try(reMonthDayYear.FindStringSubmatchIndex(s), 1, func(sub []string) (int, time.Month, int, bool) {
		mm, good := monthOf(sub[1])
		dd, _ := strconv.Atoi(sub[2])
		yy, _ := strconv.Atoi(sub[3])
		return yy, mm, dd, good
	})
	try(reDayMonthYear.FindStringSubmatchIndex(s), 2, func(sub []string) (int, time.Month, int, bool) {
		dd, _ := strconv.Atoi(sub[1])
		mm, good := monthOf(sub[2])
		yy, _ := strconv.Atoi(sub[3])
		return yy, mm, dd, good
	})
	try(reDottedDate.FindStringSubmatchIndex(s), 3, func(sub []string) (int, time.Month, int, bool) {
		dd, _ := strconv.Atoi(sub[1])
		mm, _ := strconv.Atoi(sub[2])
		yy, _ := strconv.Atoi(sub[3])
		return yy, time.Month(mm), dd, mm >= 1 && mm <= 12
	})
	if ok || ref.IsZero() {
		return
	}
	yearOf := func(mm time.Month, dd int) int {
		yy := ref.Year()
		if time.Date(yy, mm, dd, 0, 0, 0, 0, time.UTC).After(ref.Add(48 * time.Hour)) {
			yy--
		}
		return yy
	}
	try(reMonthDay.FindStringSubmatchIndex(s), 4, func(sub []string) (int, time.Month, int, bool) {
		mm, good := monthOf(sub[1])
		dd, _ := strconv.Atoi(sub[2])
		return yearOf(mm, dd), mm, dd, good && dd >= 1 && dd <= 31
	})
	try(reDayMonth.FindStringSubmatchIndex(s), 5, func(sub []string) (int, time.Month, int, bool) {
		dd, _ := strconv.Atoi(sub[1])
		mm, good := monthOf(sub[2])
		return yearOf(mm, dd), mm, dd, good && dd >= 1 && dd <= 31
	})
	return
}

func monthOf(name string) (time.Month, bool) {
	m, ok := months[strings.TrimSuffix(strings.ToLower(name), ".")]
	return m, ok
}

// withClock adds the clock time matched at loc (reClock) to day, in its
// zone when one is named.
func withClock(day time.Time, s string, loc []int) (time.Time, bool) {
	sub := func(i int) string {
		if loc[2*i] < 0 {
			return ""
		}
		return s[loc[2*i]:loc[2*i+1]]
	}
	h, _ := strconv.Atoi(sub(1))
	mi, _ := strconv.Atoi(sub(2))
	sec, _ := strconv.Atoi(sub(3))
	switch mer := strings.ToLower(strings.NewReplacer(".", "", " ", "").Replace(sub(4))); mer {
	case "am":
		if h > 12 {
			return time.Time{}, false
		}
		if h == 12 {
			h = 0
		}
	case "pm":
		if h > 12 {
			return time.Time{}, false
		}
		if h < 12 {
			h += 12
		}
	case "":
		if !strings.Contains(sub(0), ":") {
			return time.Time{}, false // "16.06" alone is not a time
		}
	}
	t := day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second)
	zone := strings.ToLower(sub(5))
	if off, ok := zones[zone]; ok {
		return t.Add(-time.Duration(off * float64(time.Hour))), true
	}
	if off, ok := seasonalZones[zone]; ok {
		if m := day.Month(); m >= time.April && m <= time.October {
			off++
		}
		return t.Add(-time.Duration(off * float64(time.Hour))), true
	}
	return t, true
}

var (
	// /2022/06/16/ or /2022-06-16
	reURLDate = regexp.MustCompile(`/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)`)
	// /2022/jun/16/
	reURLNamedMonth = regexp.MustCompile(`(?i)/((?:19|20)\d\d)/(` + monthPattern + `)/(0?[1-9]|[12]\d|3[01])(?:/|-|$)`)
	// /20220616/ or /20220616-title
	reURLCompact = regexp.MustCompile(`/((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)`)
)

// DateFromURL reads a publication date from a news URL's path, as many
// outlets put one there: /2022/06/16/…, /2022-06-16-…, /2022/jun/16/… or
// /20220616/…. It returns the zero time when the path holds no plausible
// date.
func DateFromURL(raw string) time.Time {
	u, err := url.Parse(raw)
	if err != nil {
		return time.Time{}
	}
	path := u.Path
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	var y, d int
	var m time.Month
	if sub := reURLDate.FindStringSubmatch(path); sub != nil {
		y, m, d = atoi(sub[1]), time.Month(atoi(sub[2])), atoi(sub[3])
	} else if sub := reURLNamedMonth.FindStringSubmatch(path); sub != nil {
		mm, ok := monthOf(sub[2])
		if !ok {
			return time.Time{}
		}
		y, m, d = atoi(sub[1]), mm, atoi(sub[3])
	} else if sub := reURLCompact.FindStringSubmatch(path); sub != nil {
		y, m, d = atoi(sub[1]), time.Month(atoi(sub[2])), atoi(sub[3])
	} else {
		return time.Time{}
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return time.Time{}
	}
	return t
}

// datelineLead returns the dateline that opens a paragraph, up to and
// including its dash ("BERLIN, Jan 24 (Reuters) -"), or "".
func datelineLead(line string) string {
	head := line[:min(len(line), 120)]
	best := -1
	for _, d := range []string{" — ", " – ", " - ", " -- ", " ― "} {
		if i := strings.Index(head, d); i > 0 && (best < 0 || i < best) {
			best = i + len(d) - 1
		}
	}
	if best < 0 {
		return ""
	}
	lead := strings.TrimSpace(head[:best])
	if !isDatelineOnly(strings.Fields(lead), lead) {
		return ""
	}
	return lead
}

// DatelineDate reads a publication date from the head of an article's
// text: a dateline opening the first paragraph ("BERLIN, Jan 24 (Reuters)
// - …"), or a byline, timestamp or date-only line among the first lines
// ("By Dana Whitfield | 2024-01-24 |", "Published 3:04 p.m. ET June 16,
// 2022"). A date written without a year counts only when ref (when the
// article was fetched) is set: it is then the latest such date not more
// than two days after ref. Dates in the article's sentences are never
// taken. The zero time means none was found.
func DatelineDate(s string, ref time.Time) time.Time {
	lines := 0
	for len(s) > 0 && lines < 6 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		lines++
		if len(line) > 600 {
			line = line[:600]
		}
		if lead := datelineLead(line); lead != "" {
			if t, ok := writtenDate(lead, ref); ok && notAfter(t, ref) {
				return t
			}
		}
		if isMetaLine(line) {
			part := line
			// "Updated … Published …": the publication date is the one after
			// its label.
			if i := labelIndex(line, publishedLabels); i >= 0 {
				part = line[i:]
			}
			if t, ok := writtenDate(part, ref); ok && notAfter(t, ref) {
				return t
			}
			continue
		}
		if countWords(line) >= 12 {
			// The article has begun: later dates belong to its story.
			return time.Time{}
		}
	}
	return time.Time{}
}

func notAfter(t, ref time.Time) bool {
	return ref.IsZero() || !t.After(ref.Add(48*time.Hour))
}

// publishedLabels introduce a publication date in a timestamp line.
var publishedLabels = []string{"published", "posted", "first published", "veröffentlicht", "erschienen"}

// labelIndex returns where the first of labels occurs in line as a word,
// ignoring case, or -1.
func labelIndex(line string, labels []string) int {
	low := strings.ToLower(line)
	best := -1
	for _, l := range labels {
		if i := strings.Index(low, l); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// isMetaLine reports whether line is a byline, timestamp or date-only line
// of an article's head (see lineShape).
func isMetaLine(line string) bool {
	switch lineShape(line, "") {
	case shapeByline, shapeTimestamp, shapeDateOnly:
		return true
	}
	return false
}

// countWords counts runs of letters and digits.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}
