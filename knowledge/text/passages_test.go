package text

import (
	"fmt"
	"strings"
	"testing"
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

// checkPassages verifies the structural promises of Passages and returns
// the word count of each passage.
func checkPassages(t *testing.T, s string, sentences, passages []Span) []int {
	t.Helper()
	if len(sentences) > 0 && len(passages) == 0 {
		t.Fatal("no passages")
	}
	starts, ends := map[int]int{}, map[int]int{}
	for i, sp := range sentences {
		starts[sp.Start], ends[sp.End] = i, i
	}
	next := 0 // index of the next sentence a passage must start with
	counts := make([]int, len(passages))
	for i, p := range passages {
		if p.Start < 0 || p.End > len(s) || p.Start >= p.End {
			t.Fatalf("passage %d %v out of range", i, p)
		}
		first, ok1 := starts[p.Start]
		last, ok2 := ends[p.End]
		if !ok1 || !ok2 {
			t.Fatalf("passage %d %v not aligned to sentence boundaries", i, p)
		}
		if first != next || last < first {
			t.Fatalf("passage %d covers sentences %d..%d, want to start at %d", i, first, last, next)
		}
		next = last + 1
		counts[i] = CountWords(s[p.Start:p.End])
	}
	if next != len(sentences) {
		t.Fatalf("passages cover %d of %d sentences", next, len(sentences))
	}
	return counts
}

func TestPassagesArticle(t *testing.T) {
	s := articleText(t)
	sentences := Sentences(s)
	passages := Passages(s, sentences, 100, 250)
	counts := checkPassages(t, s, sentences, passages)
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
		{"long sentence alone", []int{30, 30, 300, 30, 30}, []int{60, 300, 60}},
		{"long first sentence", []int{400, 20}, []int{400, 20}},
		{"short tail merges", append(rep(6, 25), 40, 40, 40, 10), []int{150, 130}},
		{"the rest of the text fits in one passage", append(rep(20, 20), 30), []int{140, 140, 150}},
		{"short run before a long sentence merges back", append(rep(6, 25), 20, 300), []int{170, 300}},
		{"next sentence overflows a short passage", []int{60, 240}, []int{300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sentenceText(tt.lengths...)
			sentences := Sentences(s)
			if len(sentences) != len(tt.lengths) {
				t.Fatalf("built %d sentences, want %d", len(sentences), len(tt.lengths))
			}
			got := checkPassages(t, s, sentences, Passages(s, sentences, 100, 250))
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
		counts := checkPassages(t, s, sentences, passages)
		for i, n := range counts {
			// Sentences here are at most 47 words, so nothing overflows
			// maxWords except by a merged tail (< 50 words), and only the
			// tail may fall short of minWords, though not of minWords/2.
			last := i == len(counts)-1
			if n > 250+49 || (n < 100 && !last) || (n < 50 && len(counts) > 1) {
				t.Fatalf("iteration %d: passage %d has %d words (%v)", iter, i, n, counts)
			}
			if n > 250 && i != len(counts)-1 {
				t.Fatalf("iteration %d: passage %d has %d words and is not the tail", iter, i, n)
			}
		}
	}
}

func TestPassagesOddBounds(t *testing.T) {
	s := sentenceText(10, 10, 10)
	sentences := Sentences(s)
	for _, b := range [][2]int{{0, 0}, {-5, 3}, {50, 10}, {1, 1}} {
		checkPassages(t, s, sentences, Passages(s, sentences, b[0], b[1]))
	}
}
