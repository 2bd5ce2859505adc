package text

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCountWords(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \n\t", 0},
		{"one", 1},
		{"  two words  ", 2},
		{"The U.S. economy grew 3.5% in 2023.", 7},
		{"well-known state-of-the-art", 2},
		{"a — b – c", 3},
		{"• bullet * item", 2},
		{"Łódź und Köln", 3},
		{"line\nbreaks\tand\u00a0nbsp", 4},
		{`"quoted," he said.`, 3},
	}
	for _, tt := range tests {
		if got := CountWords(tt.in); got != tt.want {
			t.Errorf("CountWords(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// checkPassages verifies the structural promises of Passages with the
// word limit maxWords and returns the word count of each passage.
func checkPassages(t *testing.T, s string, sentences, passages []Span, maxWords int) []int {
	t.Helper()
	if len(sentences) > 0 && len(passages) == 0 {
		t.Fatal("no passages")
	}
	maxWords = max(maxWords, 1)
	maxBytes := max(maxWords*maxBytesPerWord, minPassageBytes)
	// Passage bounds fall on sentence bounds except inside a sentence over
	// the limits, which is cut.
	starts, ends := map[int]bool{}, map[int]bool{}
	var long []Span
	for _, sp := range sentences {
		starts[sp.Start], ends[sp.End] = true, true
		if CountWords(s[sp.Start:sp.End]) > maxWords || sp.End-sp.Start > maxBytes {
			long = append(long, sp)
		}
	}
	inLong := func(i int) bool {
		for _, sp := range long {
			if i > sp.Start && i < sp.End {
				return true
			}
		}
		return false
	}
	counts := make([]int, len(passages))
	prevEnd := 0
	for i, p := range passages {
		if p.Start < prevEnd || p.End > len(s) || p.Start >= p.End {
			t.Fatalf("passage %d %v out of range or order", i, p)
		}
		if (!starts[p.Start] && !inLong(p.Start)) || (!ends[p.End] && !inLong(p.End)) {
			t.Fatalf("passage %d %v not aligned to sentence boundaries", i, p)
		}
		text := s[p.Start:p.End]
		if strings.TrimSpace(text) != text {
			t.Fatalf("passage %d has surrounding whitespace: %q", i, text)
		}
		counts[i] = CountWords(text)
		if counts[i] > maxWords || len(text) > maxBytes {
			t.Fatalf("passage %d has %d words and %d bytes, over %d words or %d bytes", i, counts[i], len(text), maxWords, maxBytes)
		}
		// Nothing but space between passages.
		if gap := s[prevEnd:p.Start]; i > 0 && strings.TrimSpace(gap) != "" {
			t.Fatalf("text %q between passages %d and %d is in none", gap, i-1, i)
		}
		prevEnd = p.End
	}
	if len(sentences) > 0 {
		if first, last := sentences[0], sentences[len(sentences)-1]; passages[0].Start != first.Start || passages[len(passages)-1].End != last.End {
			t.Fatalf("passages %v..%v do not cover the sentences %v..%v", passages[0], passages[len(passages)-1], first, last)
		}
	}
	return counts
}

func TestPassagesArticle(t *testing.T) {
	s := articleText(t)
	sentences := Sentences(s)
	passages := Passages(s, sentences, 100, 250)
	counts := checkPassages(t, s, sentences, passages, 250)
	total := 0
	for i, n := range counts {
		total += n
		if n < 100 || n > 250 {
			t.Errorf("passage %d has %d words, want 100..250", i, n)
		}
		// Every passage of this article should end at a paragraph.
		if end := passages[i].End; end != len(s) && !strings.HasPrefix(s[end:], "\n\n") {
			t.Errorf("passage %d ends mid-paragraph: %q", i, s[max(0, end-30):end])
		}
	}
	if avg := total / len(counts); avg < 130 || avg > 200 {
		t.Errorf("average passage has %d words, want about 150 (%v)", avg, counts)
	}
}

// sentenceText builds a synthetic text from sentences of the given word
// counts; a negative count starts a new paragraph before that sentence.
func sentenceText(lengths ...int) string {
	var b strings.Builder
	for i, n := range lengths {
		if i > 0 {
			if n < 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		n = max(n, -n)
		b.WriteString("Word")
		for j := 1; j < n; j++ {
			fmt.Fprintf(&b, " w%d", j)
		}
		b.WriteByte('.')
	}
	return b.String()
}

func TestPassages(t *testing.T) {
	rep := func(n, words int) []int {
		l := make([]int, n)
		for i := range l {
			l[i] = words
		}
		return l
	}
	tests := []struct {
		name    string
		lengths []int
		want    []int // words per passage
	}{
		{"empty", nil, nil},
		{"one short sentence", []int{5}, []int{5}},
		{"short text is one passage", rep(8, 25), []int{200}},
		{"closes nearest the target", rep(12, 25), []int{150, 150}},
		{"prefers the paragraph break", []int{40, 40, 40, -40, 40, 40, 40}, []int{120, 160}},
		{"long sentence cut in two", []int{30, 30, 300, 30, 30}, []int{210, 210}},
		{"long first sentence", []int{400, 20}, []int{200, 220}},
		{"very long sentence in even pieces", []int{1001}, []int{201, 201, 201, 201, 197}},
		{"short tail merges", append(rep(6, 25), 40, 40, 40, 10), []int{150, 130}},
		{"the rest of the text fits in one passage", append(rep(20, 20), 30), []int{140, 140, 150}},
		{"short run before a long sentence", append(rep(6, 25), 20, 300), []int{150, 170, 150}},
		{"next sentence overflows a short passage, which closes short", []int{60, 240}, []int{60, 240}},
		{"short tail that does not fit stays alone", []int{240, 20}, []int{240, 20}},
		{"tiny passage joins the previous one when they fit", []int{200, 20, 240}, []int{220, 240}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sentenceText(tt.lengths...)
			sentences := Sentences(s)
			if len(sentences) != len(tt.lengths) {
				t.Fatalf("built %d sentences, want %d", len(sentences), len(tt.lengths))
			}
			got := checkPassages(t, s, sentences, Passages(s, sentences, 100, 250), 250)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("passage word counts %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPassagesBounds runs many texts of varied sentence lengths through
// Passages and checks the word bounds the rule guarantees.
func TestPassagesBounds(t *testing.T) {
	seed := uint32(1)
	rnd := func(n int) int { // xorshift: deterministic and dependency-free
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed % uint32(n))
	}
	for iter := range 200 {
		lengths := make([]int, 5+rnd(80))
		for i := range lengths {
			lengths[i] = 3 + rnd(45)
			if rnd(5) == 0 {
				lengths[i] = -lengths[i]
			}
		}
		s := sentenceText(lengths...)
		sentences := Sentences(s)
		passages := Passages(s, sentences, 100, 250)
		counts := checkPassages(t, s, sentences, passages, 250)
		for i, n := range counts {
			// Sentences here are at most 47 words, so a passage only falls
			// short of minWords at the end of the text, and short of
			// minWords/2 only when it does not fit with the one before.
			last := i == len(counts)-1
			if (n < 100 && !last) || (n < 50 && i > 0 && counts[i-1]+n <= 250) {
				t.Fatalf("iteration %d: passage %d has %d words (%v)", iter, i, n, counts)
			}
		}
	}
}

func TestPassagesOddBounds(t *testing.T) {
	s := sentenceText(10, 10, 10)
	sentences := Sentences(s)
	for _, b := range [][2]int{{0, 0}, {-5, 3}, {50, 10}, {1, 1}} {
		checkPassages(t, s, sentences, Passages(s, sentences, b[0], b[1]), b[1])
	}
}

// TestPassagesCapText3MB is the feed description of issue 10: 3 MB without
// a full stop or line break, which became one passage of 629,145 words.
func TestPassagesCapText3MB(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "wort%d, und Straße ", i%997)
	}
	s := strings.TrimSpace(b.String())
	sentences := Sentences(s)
	if len(sentences) != 1 {
		t.Fatalf("%d sentences, want 1", len(sentences))
	}
	passages := Passages(s, sentences, 100, 250)
	counts := checkPassages(t, s, sentences, passages, 250)
	words := CountWords(s)
	if min := (words + 249) / 250; len(passages) < min || len(passages) > min*11/10 {
		t.Errorf("%d passages for %d words, want about %d", len(passages), words, min)
	}
	for i, n := range counts[:len(counts)-1] {
		if n < 166 { // cut at a clause in the last third, never earlier
			t.Fatalf("passage %d has only %d words", i, n)
		}
	}
	// Offsets are byte-exact: the passages, with the spaces between them,
	// are the text.
	var joined strings.Builder
	for i, p := range passages {
		if i > 0 {
			joined.WriteString(s[passages[i-1].End:p.Start])
		}
		joined.WriteString(s[p.Start:p.End])
	}
	if joined.String() != s {
		t.Error("passages and gaps do not rebuild the text")
	}
}

// TestPassagesCapWordWithoutEnd checks a "word" longer than a passage: it
// is cut at character boundaries.
func TestPassagesCapWordWithoutEnd(t *testing.T) {
	s := "Kurz. " + strings.Repeat("ü", 5000) + "x"
	sentences := Sentences(s)
	passages := Passages(s, sentences, 100, 250)
	checkPassages(t, s, sentences, passages, 250)
	for _, p := range passages {
		if !utf8.ValidString(s[p.Start:p.End]) {
			t.Fatalf("passage %v splits a character", p)
		}
	}
	if len(passages) < 2 {
		t.Errorf("%d passages", len(passages))
	}
}
