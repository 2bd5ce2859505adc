package prompts

import (
	"regexp"
	"strings"
)

// fenceTag matches the start of anything that could open or close one of
// the fences the templates use, however it is cased or spaced.
var fenceTag = regexp.MustCompile(`(?i)<(\s*/?\s*(?:source|conversation))`)

// neutralise replaces the "<" of every fence tag in s with "‹", so that
// untrusted text can neither close its fence nor open a new one. The rest
// of s is left as it is, so quotes copied from it still match the stored
// text.
func neutralise(s string) string {
	return fenceTag.ReplaceAllString(s, "‹$1")
}

// attrEscaper escapes text for a double-quoted attribute value. It leaves
// apostrophes alone, so headlines stay readable.
var attrEscaper = strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;")

// attr makes s safe as a double-quoted attribute value of a fence tag: fence
// tags neutralised, whitespace collapsed to single spaces, and &, ", < and >
// escaped.
func attr(s string) string {
	return attrEscaper.Replace(oneLine(neutralise(s)))
}

// oneLine collapses every run of whitespace in s, newlines included, to a
// single space and trims both ends.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// IsAbstain reports whether a model's reply is the abstain sentence of
// one of Herald's languages (AbstainSentence, AbstainSentenceFor),
// allowing for case, spacing, typographic apostrophes, "do not" for
// "don't", surrounding quotes or emphasis, and a missing full stop. A
// reply that opens with the full sentence and goes on also counts, since
// models sometimes add an apology after it; a reply that merely contains
// it later does not.
func IsAbstain(reply string) bool {
	r := normaliseReply(reply)
	for _, s := range abstainSentences {
		key := normaliseReply(s)
		if r == strings.TrimSuffix(key, ".") || strings.HasPrefix(r, key) {
			return true
		}
	}
	return false
}

// replyQuirks undoes the ways models vary the abstain sentence.
var replyQuirks = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u02bc", "'", "do not", "don't")

// normaliseReply lowercases s, unifies apostrophes and whitespace, and trims
// quotes, emphasis and spaces from both ends.
func normaliseReply(s string) string {
	s = replyQuirks.Replace(oneLine(strings.ToLower(s)))
	return strings.Trim(s, " \"'*_`\u201c\u201d\u201e\u00ab\u00bb")
}
