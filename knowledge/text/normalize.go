package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize cleans article text for storage. It drops invalid UTF-8 bytes,
// turns CRLF, CR, NEL, form feeds and line separators into "\n" (a
// paragraph separator into a blank line), drops other control characters
// and the invisible soft hyphen, zero-width space, word joiner and byte
// order mark, turns tabs, no-break spaces and every other Unicode space
// into a plain space, collapses runs of spaces, trims spaces at both ends
// of every line, collapses three or more newlines into exactly two (so
// paragraphs are separated by one blank line), trims the whole text and
// puts it in Unicode NFC. Quotes, dashes, case and everything else are kept.
// Clean input is returned as is, without allocating.
func Normalize(s string) string {
	var w prefixWriter
	w.src = s
	spaces, newlines := false, 0
	for i := 0; i < len(s); {
		c := s[i]
		if isVisibleASCII(c) {
			// The common case: copy a run of visible ASCII characters and
			// the single spaces between them in one go.
			j := asciiRun(s, i+1, visibleASCII)
			w.flush(&spaces, &newlines)
			w.writeString(s[i:j])
			i = j
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch normClass(r, size) {
		case ncSpace:
			if newlines == 0 && w.n > 0 {
				spaces = true
			}
		case ncNewline:
			spaces = false
			newlines++
		case ncParagraph:
			spaces = false
			newlines += 2
		case ncCR:
			spaces = false
			if i < len(s) && s[i] == '\n' {
				i++
			}
			newlines++
		case ncDrop:
		default:
			w.flush(&spaces, &newlines)
			w.writeString(s[i-size : i])
		}
	}
	// NFC last: dropping a control character can bring a base letter and
	// a combining mark together. String returns clean input unchanged.
	return norm.NFC.String(w.string())
}

func isVisibleASCII(c byte) bool { return c > ' ' && c < 0x7F }

// asciiRun returns the end of the run of bytes starting at s[i] that are
// in the class keep, single spaces between such bytes included.
func asciiRun(s string, i int, keep *[256]bool) int {
	for i < len(s) {
		c := s[i]
		if keep[c] {
			i++
		} else if c == ' ' && i+1 < len(s) && keep[s[i+1]] {
			i += 2
		} else {
			break
		}
	}
	return i
}

// visibleASCII and foldedASCII are isVisibleASCII and isFoldedASCII as
// tables, for asciiRun.
var visibleASCII, foldedASCII = byteClass(isVisibleASCII), byteClass(isFoldedASCII)

func byteClass(in func(byte) bool) *[256]bool {
	var t [256]bool
	for c := range t {
		t[c] = in(byte(c))
	}
	return &t
}

// Character classes for Normalize.
const (
	ncKeep = iota
	ncSpace
	ncNewline
	ncParagraph
	ncCR
	ncDrop
)

// normClass classifies one decoded rune (size is its encoded length, to
// tell an invalid byte from a literal U+FFFD).
func normClass(r rune, size int) int {
	switch r {
	case ' ', '\t':
		return ncSpace
	case '\n', '\v', '\f', 0x85, 0x2028:
		return ncNewline
	case '\r':
		return ncCR
	case 0x2029:
		return ncParagraph
	case 0xAD, 0x200B, 0x2060, 0xFEFF:
		return ncDrop
	case utf8.RuneError:
		if size == 1 {
			return ncDrop
		}
		return ncKeep
	}
	if r < ' ' || r == 0x7F || (r >= 0x80 && r < 0xA0) {
		return ncDrop
	}
	if r >= 0x80 && unicode.Is(unicode.Zs, r) {
		return ncSpace
	}
	return ncKeep
}

// prefixWriter builds a string that usually equals its source or a prefix
// of it. It only allocates once the output first differs from src.
type prefixWriter struct {
	src      string
	n        int // bytes written so far
	diverged bool
	buf      strings.Builder // used once diverged
}

func (w *prefixWriter) writeByte(c byte) {
	if !w.diverged {
		if w.n < len(w.src) && w.src[w.n] == c {
			w.n++
			return
		}
		w.diverge()
	}
	w.buf.WriteByte(c)
	w.n++
}

func (w *prefixWriter) writeString(s string) {
	if !w.diverged {
		if w.n+len(s) <= len(w.src) && w.src[w.n:w.n+len(s)] == s {
			w.n += len(s)
			return
		}
		w.diverge()
	}
	w.buf.WriteString(s)
	w.n += len(s)
}

func (w *prefixWriter) writeRune(r rune) {
	if !w.diverged {
		var buf [utf8.UTFMax]byte
		size := utf8.EncodeRune(buf[:], r)
		if w.n+size <= len(w.src) && w.src[w.n:w.n+size] == string(buf[:size]) {
			w.n += size
			return
		}
		w.diverge()
	}
	w.buf.WriteRune(r)
	w.n += utf8.RuneLen(r)
}

func (w *prefixWriter) diverge() {
	w.diverged = true
	w.buf.Grow(len(w.src))
	w.buf.WriteString(w.src[:w.n])
}

// flush writes the separator pending before the next visible character:
// one space, or one or two newlines (none at the start of the text).
func (w *prefixWriter) flush(spaces *bool, newlines *int) {
	switch {
	case *newlines > 0:
		if w.n > 0 {
			w.writeByte('\n')
			if *newlines > 1 {
				w.writeByte('\n')
			}
		}
		*newlines = 0
	case *spaces:
		w.writeByte(' ')
	}
	*spaces = false
}

func (w *prefixWriter) string() string {
	if !w.diverged {
		return w.src[:w.n]
	}
	return w.buf.String()
}
