package text

import (
	"strings"
	"unicode"
)

// IsProse reports whether s reads as a sentence of running text rather
// than a heading, a caption, a credit line or a list of names: at least
// two of its words begin with a lowercase letter. Running text in English
// and German always has such words (articles, verbs, prepositions), while
// "U.S. National Highway Traffic & Safety Administration" or "Photo: AP /
// Getty Images" have none, so that a digest or a summary never leads with
// one.
func IsProse(s string) bool {
	lower := 0
	for _, w := range strings.Fields(s) {
		w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, r := range w {
			if unicode.IsLower(r) {
				lower++
			}
			break
		}
		if lower >= 2 {
			return true
		}
	}
	return false
}
