package text

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// titleSeparators divide a headline from the outlet name a page appends.
var titleSeparators = []string{" - ", " | ", " — ", " – ", " :: ", " · ", " • ", " ― ", " -- "}

// CleanTitle returns a headline without the outlet's name that pages
// append to it ("Floods close the park - CNN", "… | Reuters", "… - CNN —
// CNN", "… | CNN Politics", "… | The …"), when outlet is the article's
// known outlet, and "" when the title is only a dateline ("Washington CNN
// —", "(CNN)"). Other titles are returned trimmed, as they are.
func CleanTitle(title, outlet string) string {
	t := strings.TrimSpace(title)
	if key := outletKey(outlet); key != "" {
		for {
			cut, seg := -1, ""
			for _, sep := range titleSeparators {
				if i := strings.LastIndex(t, sep); i > cut {
					cut, seg = i, t[i+len(sep):]
				}
			}
			if cut <= 0 || !isOutletSegment(seg, key) {
				break
			}
			rest := strings.TrimSpace(t[:cut])
			if countWords(rest) == 0 {
				break
			}
			t = rest
		}
	}
	if IsDateline(t) {
		return ""
	}
	return t
}

// isOutletSegment reports whether the end of a title names the outlet
// whose folded name is key: the name itself, the name with a section
// ("CNN Politics", "CNNBusiness", "The Week UK"), or the name cut short
// with an ellipsis ("The …").
func isOutletSegment(seg, key string) bool {
	cut := strings.HasSuffix(seg, "...") || strings.HasSuffix(seg, "…")
	k := foldName(strings.TrimRight(seg, ".… "))
	switch {
	case k == "":
		return false
	case k == key:
		return true
	case strings.HasPrefix(k, key) && countWords(seg) <= 3 && len(k)-len(key) <= 12:
		return true
	case cut && strings.HasPrefix(key, k):
		return true
	}
	return false
}

// IsDateline reports whether s is only a dateline: a place, a date or an
// agency ending in a dash ("Washington CNN —", "BERLIN, Jan 24 (Reuters)
// -"), or an agency in brackets ("(CNN)").
func IsDateline(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	return isDatelineOnly(strings.Fields(s), s)
}

// reBracketLead matches an agency in brackets opening a paragraph:
// "(CNN) ", "(CNN Business) ".
var reBracketLead = regexp.MustCompile(`^\(\p{Lu}[\p{L}. ]{0,30}\)\s+`)

// StripDateline returns s without a dateline that opens it ("WASHINGTON
// (AP) — The Senate …" becomes "The Senate …"); s when it has none.
func StripDateline(s string) string {
	cut := 0
	if lead := datelineLead(s); lead != "" {
		cut = len(lead)
	} else if loc := reBracketLead.FindStringIndex(s); loc != nil {
		cut = loc[1]
	}
	if cut == 0 {
		return s
	}
	rest := strings.TrimSpace(s[cut:])
	// The dateline must lead into a sentence, not be one.
	if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !(unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“‘'", r)) {
		return s
	}
	return rest
}

// TitleFromText makes a headline for an article that has none: the first
// line of its text that is not a dateline, byline or other furniture, its
// opening dateline removed, shortened to at most max runes at a word
// boundary (see Snippet).
func TitleFromText(s, outlet string, max int) string {
	for len(s) > 0 {
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
		if lineShape(line, outlet) != shapeNone {
			continue
		}
		if t := CleanTitle(StripDateline(line), outlet); t != "" {
			return Snippet(t, max)
		}
	}
	return ""
}
