package text

import "strings"

// Stem reduces an English word token to a crude stem by stripping common
// inflections (plural -s/-es/-ies, -ing, -ed, -ly), so that "approved",
// "approving" and "approve" meet. It is meant for matching question terms
// against sentences, not for display; tokens shorter than five letters are
// returned unchanged. [Analyzer.Stem] (Snowball, per language, with
// British spellings folded) replaces it; Stem stays, unchanged, until its
// callers have moved.
func Stem(tok string) string {
	if len(tok) < 5 {
		return tok
	}
	switch {
	case strings.HasSuffix(tok, "ies") && len(tok) > 5:
		return tok[:len(tok)-3] + "y"
	case strings.HasSuffix(tok, "sses"):
		return tok[:len(tok)-2]
	case strings.HasSuffix(tok, "ing") && len(tok) > 6:
		return trimE(tok[:len(tok)-3])
	case strings.HasSuffix(tok, "ed") && len(tok) > 5:
		return trimE(tok[:len(tok)-2])
	case strings.HasSuffix(tok, "ly") && len(tok) > 6:
		return tok[:len(tok)-2]
	case strings.HasSuffix(tok, "es") && len(tok) > 5 && strings.ContainsAny(tok[len(tok)-3:len(tok)-2], "sxzh"):
		return tok[:len(tok)-2]
	case strings.HasSuffix(tok, "s") && !strings.HasSuffix(tok, "ss") && !strings.HasSuffix(tok, "us") && !strings.HasSuffix(tok, "is"):
		return trimE(tok[:len(tok)-1])
	}
	return trimE(tok)
}

// trimE drops a final "e" so that "approve" and "approv(ed)" meet, and
// undoubles a final consonant ("stopp" -> "stop").
func trimE(s string) string {
	if len(s) > 3 && s[len(s)-1] == 'e' {
		return s[:len(s)-1]
	}
	if n := len(s); n > 3 && s[n-1] == s[n-2] && !strings.ContainsRune("aeiouslz", rune(s[n-1])) {
		return s[:n-1]
	}
	return s
}
