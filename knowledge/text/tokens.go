package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokens returns the lowercase word tokens of s as SQLite FTS5's unicode61
// tokenizer with remove_diacritics 2 produces them: letters, numbers,
// private-use characters and most combining diacritics in U+0300..U+0331
// are token characters and everything else (spaces, punctuation,
// apostrophes, symbols, emoji) separates tokens; tokens are case-folded and
// Latin letters lose their diacritics ("Scholz's Café" -> "scholz", "s",
// "cafe"), while, as in FTS5, Greek and Cyrillic letters keep theirs and
// the text is not Unicode-normalised first. This was checked against
// SQLite character by character over U+0080..U+30FF and other common
// blocks; the differences left are characters assigned after Unicode 6.1,
// whose tables FTS5 uses. Tokens that need no folding share memory with s.
func Tokens(s string) []string {
	return AppendTokens(nil, s)
}

// AppendTokens appends the tokens of s, as returned by [Tokens], to dst and
// returns the extended slice. Reusing dst across calls saves allocations.
func AppendTokens(dst []string, s string) []string {
	// Folded tokens are carved out of one growing builder: a string
	// returned by Builder.String stays valid after later writes, so the
	// whole call costs one buffer instead of one allocation per token.
	var (
		arena   strings.Builder
		stack   [64]byte
		scratch = stack[:0]
	)
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		if plain {
			dst = append(dst, s[start:end])
			continue
		}
		scratch = appendFolded(scratch[:0], s[start:end])
		if len(scratch) == 0 {
			continue // only diacritics: FTS5 emits nothing either
		}
		if arena.Cap() == 0 {
			arena.Grow(len(s) - start)
		}
		from := arena.Len()
		arena.Write(scratch)
		dst = append(dst, arena.String()[from:])
	}
	return dst
}

// ASCII character classes for the tokenizer.
const (
	tcSep   = iota // separates tokens
	tcLower        // lowercase letter or digit
	tcUpper        // uppercase letter
)

// asciiTokenClass classifies the ASCII bytes; bytes from 0x80 up need
// decoding and are not in the table.
var asciiTokenClass = [utf8.RuneSelf]uint8{
	'0': tcLower, '1': tcLower, '2': tcLower, '3': tcLower, '4': tcLower,
	'5': tcLower, '6': tcLower, '7': tcLower, '8': tcLower, '9': tcLower,
	'a': tcLower, 'b': tcLower, 'c': tcLower, 'd': tcLower, 'e': tcLower,
	'f': tcLower, 'g': tcLower, 'h': tcLower, 'i': tcLower, 'j': tcLower,
	'k': tcLower, 'l': tcLower, 'm': tcLower, 'n': tcLower, 'o': tcLower,
	'p': tcLower, 'q': tcLower, 'r': tcLower, 's': tcLower, 't': tcLower,
	'u': tcLower, 'v': tcLower, 'w': tcLower, 'x': tcLower, 'y': tcLower,
	'z': tcLower,
	'A': tcUpper, 'B': tcUpper, 'C': tcUpper, 'D': tcUpper, 'E': tcUpper,
	'F': tcUpper, 'G': tcUpper, 'H': tcUpper, 'I': tcUpper, 'J': tcUpper,
	'K': tcUpper, 'L': tcUpper, 'M': tcUpper, 'N': tcUpper, 'O': tcUpper,
	'P': tcUpper, 'Q': tcUpper, 'R': tcUpper, 'S': tcUpper, 'T': tcUpper,
	'U': tcUpper, 'V': tcUpper, 'W': tcUpper, 'X': tcUpper, 'Y': tcUpper,
	'Z': tcUpper,
}

// nextToken finds the next token at or after byte i of s. It returns its
// byte range [start, end), or start < 0 when there is none. plain reports
// that the token is lowercase ASCII letters and digits only, so it needs no
// folding.
func nextToken(s string, i int) (start, end int, plain bool) {
	// Skip separators.
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isTokenRune(r) {
				break
			}
			i += size - 1
			continue
		}
		if asciiTokenClass[c] != tcSep {
			break
		}
	}
	if i == len(s) {
		return -1, -1, false
	}
	start, plain = i, true
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch asciiTokenClass[c] {
			case tcSep:
				return start, i, plain
			case tcUpper:
				plain = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isTokenRune(r) {
			break
		}
		plain = false
		i += size
	}
	return start, i, plain
}

// isTokenRune reports whether the non-ASCII rune r is a token character for
// FTS5's unicode61 tokenizer (its default categories "L* N* Co", plus the
// diacritics it folds away).
func isTokenRune(r rune) bool {
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || isFTSDiacritic(r) || unicode.Is(unicode.Co, r)
}

// isFTSDiacritic reports whether r is one of the combining marks FTS5 treats
// as part of a token and drops when removing diacritics.
func isFTSDiacritic(r rune) bool {
	return r >= 0x300 && r <= 0x331 && ftsDiacriticMask&(1<<(r-0x300)) != 0
}

// ftsDiacriticMask marks, bit n for U+0300+n, the combining marks that
// SQLite's FTS5 counts as removable diacritics (measured against SQLite).
const ftsDiacriticMask uint64 = 0x000361F8_08029FDF

// appendFolded appends the folded form of one token to dst: ASCII
// lowercased, other letters lowercased and, for Latin letters, stripped of
// diacritics.
func appendFolded(dst []byte, tok string) []byte {
	for i := 0; i < len(tok); {
		c := tok[i]
		if c < utf8.RuneSelf {
			if c-'A' < 26 {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(tok[i:])
		i += size
		if r = foldRune(r); r >= 0 {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// foldRune lowercases a non-ASCII token rune and removes Latin diacritics
// the way FTS5's remove_diacritics 2 does. It returns -1 for a rune that
// folds to nothing (a combining diacritic).
func foldRune(r rune) rune {
	switch {
	case isFTSDiacritic(r):
		return -1
	case r == 'ı' || r == 'Ǡ' || r == 'ǡ':
		// FTS5 keeps the dotless i, and the a with dot above and macron
		// loses neither mark.
		return unicode.ToLower(r)
	}
	// Lowering the uppercase form is Unicode simple case folding for
	// these ranges: it also maps the final sigma, the long s and the micro
	// sign the way FTS5 folds them.
	r = unicode.ToLower(unicode.ToUpper(r))
	if !isLatinDiacriticRange(r) {
		return r
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Properties(buf[:n]).Decomposition()
	if len(d) == 0 || d[0] >= utf8.RuneSelf {
		return r
	}
	// The decomposition is an ASCII base letter followed by combining
	// marks only; FTS5 keeps the base letter.
	for _, m := range string(d[1:]) {
		if !unicode.Is(unicode.Mn, m) {
			return r
		}
	}
	return rune(d[0])
}

// isLatinDiacriticRange reports whether r lies in a block where FTS5 removes
// diacritics: Latin-1 Supplement, Latin Extended-A and -B, and Latin
// Extended Additional.
func isLatinDiacriticRange(r rune) bool {
	return (r >= 0xC0 && r < 0x250) || (r >= 0x1E00 && r < 0x1F00)
}
