package text

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"clean text is kept", "A line.\n\nAnother paragraph.", "A line.\n\nAnother paragraph."},
		{"trim", "  \n\n Hello.  \n\n", "Hello."},
		{"invalid bytes dropped", "caf\xc3\xa9 \xff\xfebar", "café bar"},
		{"literal replacement char kept", "a \uFFFD b", "a \uFFFD b"},
		{"NFC", "cafe\u0301 and Å", "café and Å"},
		{"CRLF and CR", "one\r\ntwo\rthree\r\n\r\nfour", "one\ntwo\nthree\n\nfour"},
		{"control characters stripped", "a\x00b\x07c\x1bd\x7fe\u0085f", "abcde\nf"},
		{"tabs and unicode spaces", "a\tb\u00a0c\u2003d\u202fe\u3000f", "a b c d e f"},
		{"runs of spaces collapse", "a  \t \u00a0 b", "a b"},
		{"spaces trimmed at both line ends", "  first line  \n   second line\t\n", "first line\nsecond line"},
		{"three or more newlines become two", "a\n\n\n\nb\n \n \n\nc", "a\n\nb\n\nc"},
		{"form feed and line separators", "a\fb\u2028c\u2029d", "a\nb\nc\n\nd"},
		{"invisible characters dropped", "co\u00adop\u200Beration\uFEFF", "cooperation"},
		{"quotes and case kept", "“Don’t” — she said 'NO'.", "“Don’t” — she said 'NO'."},
		{"emoji kept", "Fire 🔥 here", "Fire 🔥 here"},
		{"only junk", "\x00\r\n\t \u00a0\xff", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize is not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestNormalizeCleanInputDoesNotAllocate(t *testing.T) {
	s := articleText(t)
	if allocs := testing.AllocsPerRun(20, func() { _ = Normalize(s) }); allocs != 0 {
		t.Errorf("Normalize of clean text allocates %v times", allocs)
	}
	if got := Normalize(s + "\n\n"); got != s {
		t.Errorf("trailing newlines not trimmed")
	}
	dirty := strings.ReplaceAll(s, "\n", "\r\n")
	if got := Normalize(dirty); got != s {
		t.Errorf("CRLF article does not normalise to the LF article")
	}
}
