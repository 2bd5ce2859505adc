package text

// AppendIndexText appends to dst the text Herald gives the full-text index
// for s: its tokens, folded as Tokens folds them, separated by spaces,
// without stop words (which no query ever searches for) except those
// written as acronyms ("US", "WHO"), which QueryTerms keeps. Leaving stop
// words out makes the index about a third smaller and faster to build.
func AppendIndexText(dst []byte, s string) []byte {
	dst, _ = AppendIndexTextCount(dst, s)
	return dst
}

// AppendIndexTextCount is AppendIndexText that also returns how many tokens
// s has in all, stop words included (len(Tokens(s))), from the same pass.
func AppendIndexTextCount(dst []byte, s string) ([]byte, int) {
	n := 0
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		n++
		orig := s[start:end]
		mark := len(dst)
		if len(dst) > 0 {
			dst = append(dst, ' ')
		}
		tokStart := len(dst)
		if plain {
			dst = append(dst, orig...)
		} else {
			dst = appendFolded(dst, orig)
		}
		if IsStopword(string(dst[tokStart:])) && !isAcronym(orig) {
			dst = dst[:mark]
		}
	}
	return dst, n
}

// AppendIndexTokens appends to dst the index terms of s, the tokens that
// AppendIndexText writes (stop words dropped, acronyms kept), and returns
// how many tokens s has in all, stop words included. Lowercase ASCII
// tokens are substrings of s; only folded ones are allocated.
func AppendIndexTokens(dst []string, s string) ([]string, int) {
	n := 0
	var scratch []byte
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		n++
		orig := s[start:end]
		tok := orig
		if !plain {
			scratch = appendFolded(scratch[:0], orig)
			if len(scratch) == 0 {
				continue
			}
			tok = string(scratch)
		}
		if IsStopword(tok) && !isAcronym(orig) {
			continue
		}
		dst = append(dst, tok)
	}
	return dst, n
}
