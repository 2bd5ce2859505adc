package text

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s folded for quote matching: in Unicode NFC, lowercased,
// with curly, low and prime quotes, apostrophes and accents (‘ ’ ‚ ‛ ′ ‹ ›
// ` ´) turned into ', double ones (“ ” „ ‟ ″ « ») into ", hyphens, en and
// em dashes and the minus sign into -, the ellipsis character into "...",
// soft hyphens, zero-width spaces and invalid bytes dropped, every run of
// whitespace turned into one space, and the ends trimmed. Text already in
// that form is returned without allocating.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			s = norm.NFC.String(s)
			break
		}
	}
	var w prefixWriter
	w.src = s
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if isFoldedASCII(c) {
			// Copy a run that folding leaves alone in one go.
			j := asciiRun(s, i+1, foldedASCII)
			if space {
				w.writeByte(' ')
				space = false
			}
			w.writeString(s[i:j])
			i = j
			continue
		}
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c-'\t' <= '\r'-'\t':
				space = w.n > 0
				continue
			case c-'A' < 26:
				c += 'a' - 'A'
			case c == '`':
				c = '\''
			}
			if space {
				w.writeByte(' ')
				space = false
			}
			w.writeByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		var repl string
		switch r {
		case '‘', '’', '‚', '‛', '′', '‹', '›', '´':
			repl = "'"
		case '“', '”', '„', '‟', '″', '«', '»':
			repl = `"`
		case '‐', '‑', '‒', '–', '—', '―', '−', '﹘', '﹣', '－':
			repl = "-"
		case '…':
			repl = "..."
		case 0xAD, 0x200B, 0x2060, 0xFEFF:
			continue
		case utf8.RuneError:
			if size == 1 {
				continue
			}
		default:
			if unicode.IsSpace(r) {
				space = w.n > 0
				continue
			}
		}
		if space {
			w.writeByte(' ')
			space = false
		}
		if repl != "" {
			w.writeString(repl)
			continue
		}
		w.writeRune(unicode.ToLower(r))
	}
	return w.string()
}

// isFoldedASCII reports whether c is a visible ASCII character that Fold
// keeps as it is.
func isFoldedASCII(c byte) bool {
	return c > ' ' && c < 0x7F && c-'A' >= 26 && c != '`'
}

// ContainsFolded reports whether needle occurs in haystack once both are
// folded with [Fold], so differences in case, whitespace, quote and dash
// style do not matter. A needle that folds to nothing is never contained.
func ContainsFolded(haystack, needle string) bool {
	n := Fold(needle)
	return n != "" && strings.Contains(Fold(haystack), n)
}

// ContentHash returns a fingerprint of the exact content of s: the first
// 32 hex digits (128 bits) of the SHA-256 of [Fold](s), so copies that
// differ only in case, whitespace or quote style hash alike.
func ContentHash(s string) string {
	sum := sha256.Sum256([]byte(Fold(s)))
	return hex.EncodeToString(sum[:16])
}

// Snippet shortens s to at most max runes, cutting at a word boundary and
// ending with "…" (which counts towards max). Text that fits is returned
// unchanged. When the last word boundary would keep less than half of max,
// the cut falls inside the word instead. Punctuation and spaces left
// dangling before the "…" are dropped. A max below 1 gives "".
func Snippet(s string, max int) string {
	if max < 1 {
		return ""
	}
	// cut is the byte offset of rune max-1, leaving room for the "…".
	cut, n, over := 0, 0, false
	for i := range s {
		if n == max-1 {
			cut = i
		}
		if n == max {
			over = true
			break
		}
		n++
	}
	if !over {
		return s
	}
	keep := s[:cut]
	next, _ := utf8.DecodeRuneInString(s[cut:])
	last, _ := utf8.DecodeLastRuneInString(keep)
	if !unicode.IsSpace(next) && !unicode.IsSpace(last) {
		// The cut falls inside a word: back off to the space before it.
		sp := strings.LastIndexFunc(keep, unicode.IsSpace)
		if sp >= 0 && utf8.RuneCountInString(keep[:sp]) >= (max-1)/2 {
			keep = keep[:sp]
		}
	}
	keep = strings.TrimRightFunc(keep, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—(", r)
	})
	return keep + "…"
}
