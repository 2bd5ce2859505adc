package text

// AppendIndexTokens appends to dst the terms Herald's keyword index keeps
// for s: its tokens, folded as Tokens folds them, without stop words (which
// no query ever searches for) except those written as acronyms ("US",
// "WHO"), which QueryTerms keeps. It returns how many tokens s has in all,
// stop words included (len(Tokens(s))), from the same pass. Leaving stop
// words out makes the index about a third smaller and faster to build.
// Lowercase ASCII tokens are substrings of s; only folded ones are
// allocated.
func AppendIndexTokens(dst []string, s string) ([]string, int) {
	n := 0
	var scratch []byte
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		orig := s[start:end]
		tok := orig
		if !plain {
			scratch = appendFolded(scratch[:0], orig)
			if len(scratch) == 0 {
				continue // only diacritics: Tokens has nothing either
			}
			tok = string(scratch)
		}
		n++
		if IsStopword(tok) && !isAcronym(orig) {
			continue
		}
		dst = append(dst, tok)
	}
	return dst, n
}
