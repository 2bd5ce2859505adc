package text

import "unicode"

// cjk lists the scripts whose characters tokenizers mostly encode as one
// token or more each.
var cjk = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul}

// EstimateTokens guesses how many model tokens s takes, offline and
// cheaply, for servers that report no usage. Chinese, Japanese and Korean
// characters count one token each. The rest of the text counts the larger
// of one token per four characters (spaces included), the usual ratio for
// English and other Latin-script text, and 1.3 tokens per word (a word is
// a run of characters that are neither spaces nor CJK), which keeps short
// words and punctuation-heavy text from being undercounted. Any non-empty
// string counts at least one token. The estimate is meant for accounting,
// not for fitting a context window to the token.
func EstimateTokens(s string) int {
	var cjkRunes, chars, words int
	inWord := false
	for _, r := range s {
		switch {
		case unicode.IsOneOf(cjk, r):
			cjkRunes++
			inWord = false
		case unicode.IsSpace(r):
			chars++
			inWord = false
		default:
			chars++
			if !inWord {
				words++
				inWord = true
			}
		}
	}
	est := (chars + 3) / 4
	if w := (words*13 + 9) / 10; w > est {
		est = w
	}
	return est + cjkRunes
}
