package cite

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
)

func TestStripThink(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", "  The answer [1].  ", "The answer [1]."},
		{"block", "<think>Let me see.\nSource 2 says...</think>\n\nThe answer [1].", "The answer [1]."},
		{"thinking", "<thinking>hmm</thinking>Answer.", "Answer."},
		{"case", "<THINK>x</Think> Answer.", "Answer."},
		{"mixed tags", "<think>x</thinking>Answer.", "Answer."},
		{"middle", "Start. <think>x\ny</think> End.", "Start.  End."},
		{"two blocks", "<think>a</think>A <think>b</think>B", "A B"},
		{"no nesting", "<think>a<think>b</think>Answer.", "Answer."},
		{"unclosed at start", "<think>I am still thinking about [1]", ""},
		{"unclosed later", "Answer [1]. <think>more", "Answer [1]."},
		{"unopened close", "reasoning about it\n</think>\n\nAnswer [2].", "Answer [2]."},
		{"stray close after block", "<think>a</think>Answer</think>.", "Answer."},
		{"not a tag", "a <thinker> b <th", "a <thinker> b <th"},
		{"empty", "", ""},
		{"only think", "<think></think>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripThink(tt.in); got != tt.want {
				t.Errorf("StripThink(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeMarkers(t *testing.T) {
	tests := []struct {
		in    string
		valid int
		want  string
	}{
		{"Claim [1].", 4, "Claim [1]."},
		{"Claim [1, 2].", 4, "Claim [1][2]."},
		{"Claim [1,2].", 4, "Claim [1][2]."},
		{"Claim [1; 2].", 4, "Claim [1][2]."},
		{"Claim [1 and 2].", 4, "Claim [1][2]."},
		{"Claim [1][2].", 4, "Claim [1][2]."},
		{"Claim [1, 1].", 4, "Claim [1]."},
		{"Claim [1][1][2][1].", 4, "Claim [1][2]."},
		{"Claim [2, 1].", 4, "Claim [2][1]."},
		{"Claim [[1]].", 4, "Claim [1]."},
		{"Claim [[1, 3]].", 4, "Claim [1][3]."},
		{"Claim 【1】.", 4, "Claim [1]."},
		{"Claim 【１】.", 4, "Claim [1]."},
		{"Claim ［2］.", 4, "Claim [2]."},
		{"Claim【1】【2】。", 4, "Claim[1][2]。"},
		{"Claim [^1].", 4, "Claim [1]."},
		{"Claim [1-3].", 4, "Claim [1][2][3]."},
		{"Claim [1–3].", 4, "Claim [1][2][3]."},
		{"Claim [1 — 2].", 4, "Claim [1][2]."},
		{"Claim [2-6].", 4, "Claim [2][3][4]."},
		{"Claim [1-20].", 30, "Claim [1-20]."}, // wider than ten: not a marker
		{"Claim [3-1].", 4, "Claim [3-1]."},
		{"Claim [source 1].", 4, "Claim [1]."},
		{"Claim [Source 1, 2].", 4, "Claim [1][2]."},
		{"Claim [Sources 1-2].", 4, "Claim [1][2]."},
		{"Claim [Source 1, Source 3].", 4, "Claim [1][3]."},
		{"Claim [source: 2].", 4, "Claim [2]."},
		{"Claim (Source 1).", 4, "Claim [1]."},
		{"Claim (sources 1, 2).", 4, "Claim [1][2]."},
		{"Claim [ 1 ].", 4, "Claim [1]."},
		// Invalid markers vanish with one space.
		{"Claim [9].", 4, "Claim."},
		{"Claim [0].", 4, "Claim."},
		{"Claim [9] and more.", 4, "Claim and more."},
		{"Claim [1, 9].", 4, "Claim [1]."},
		{"Claim [1][9].", 4, "Claim [1]."},
		{"Claim [9][1].", 4, "Claim [1]."},
		{"Claim [5-7].", 4, "Claim."},
		{"[9] Claim.", 4, "Claim."},
		{"One.\n[9] Two.", 4, "One.\nTwo."},
		{"Claim[9] more.", 4, "Claim more."},
		{"Claim (Source 7).", 4, "Claim."},
		{"Claim [1] [9] [2].", 4, "Claim [1] [2]."},
		{"Claim [1].", 0, "Claim."},
		// Not markers.
		{"He [sic] said [edited].", 4, "He [sic] said [edited]."},
		{"In [2024] it rose [1].", 4, "In [2024] it rose [1]."},
		{"Item (1) and (2).", 4, "Item (1) and (2)."},
		{"See [100].", 4, "See [100]."},
		{"A [^note] here.", 4, "A [^note] here."},
		{"Open [1 at the end", 4, "Open [1 at the end"},
		{"Unclosed [", 4, "Unclosed ["},
		{"[[1] stray", 4, "[[1] stray"},
		{"Long [1,                                  2]", 4, "Long [1,                                  2]"},
		{"", 4, ""},
	}
	for _, tt := range tests {
		if got := NormalizeMarkers(tt.in, tt.valid); got != tt.want {
			t.Errorf("NormalizeMarkers(%q, %d) = %q, want %q", tt.in, tt.valid, got, tt.want)
		}
	}
}

// pushAll feeds chunks to a new MarkerFilter and returns what each Push
// returned and what Flush returned.
func pushAll(valid int, chunks ...string) (pushes []string, flush string) {
	f := NewMarkerFilter(valid)
	for _, c := range chunks {
		pushes = append(pushes, f.Push(c))
	}
	return pushes, f.Flush()
}

func TestMarkerFilterSplitMarkers(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		pushes []string
		flush  string
	}{
		{"bracket in three", []string{"Claim [", "1", "]."}, []string{"Claim", "", " [1]."}, ""},
		{"bare bracket in three", []string{"[", "1", "]"}, []string{"", "", "[1]"}, ""},
		{"list", []string{"Claim [1,", " 2] next"}, []string{"Claim", " [1][2] next"}, ""},
		{"fullwidth", []string{"Claim 【1", "】."}, []string{"Claim", " [1]."}, ""},
		{"fullwidth split in the rune", []string{"Claim \xe3\x80", "\x901\xe3\x80\x91."}, []string{"Claim", " [1]."}, ""},
		{"footnote", []string{"Claim [^", "2]."}, []string{"Claim", " [2]."}, ""},
		{"source word", []string{"Claim [Sou", "rce 1, 2]."}, []string{"Claim", " [1][2]."}, ""},
		{"invalid", []string{"Claim [", "9", "]."}, []string{"Claim", "", "."}, ""},
		{"invalid at end", []string{"Claim [9]"}, []string{"Claim"}, ""},
		{"valid marker is shown at once", []string{"Claim [1]", "[1][2]."}, []string{"Claim [1]", "[2]."}, ""},
		{"think split", []string{"<thi", "nk>secret [9]</think>Answer [1]."}, []string{"", "Answer [1]."}, ""},
		{"think close split", []string{"<think>secret</thi", "nk>", " Answer."}, []string{"", "", "Answer."}, ""},
		{"think never closed", []string{"Answer [1].", " <think>and then"}, []string{"Answer [1].", ""}, ""},
		{"not a think tag", []string{"a <thi", "s> b"}, []string{"a", " <this> b"}, ""},
		{"partial tag at the end", []string{"a <thi"}, []string{"a"}, " <thi"},
		{"trailing space", []string{"Hello ", "world"}, []string{"Hello", " world"}, ""},
		{"year", []string{"In [20", "24] it"}, []string{"In", " [2024] it"}, ""},
		{"incomplete at flush", []string{"Claim [1,"}, []string{"Claim"}, " [1,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pushes, flush := pushAll(4, tt.chunks...)
			if !reflect.DeepEqual(pushes, tt.pushes) || flush != tt.flush {
				t.Errorf("pushes %q, flush %q; want %q, %q", pushes, flush, tt.pushes, tt.flush)
			}
		})
	}
}

func TestMarkerFilterHoldIsBounded(t *testing.T) {
	f := NewMarkerFilter(4)
	// Whitespace at the end is held anyway (it may turn out to be
	// trailing), so the run ends with a word.
	long := "Claim [1, " + strings.Repeat(" ", 40) + "x"
	got := f.Push(long)
	if !strings.HasPrefix(got, "Claim [1,") {
		t.Errorf("Push(%q) = %q, want the bracket released as text", long, got)
	}
	f = NewMarkerFilter(4)
	if got := f.Push("Text [" + strings.Repeat("1,", 20)); !strings.HasPrefix(got, "Text [1,1,") {
		t.Errorf("a long run of numbers was held: %q", got)
	}
	f = NewMarkerFilter(4)
	if got := f.Push("Text [edited"); got != "Text [edited" {
		t.Errorf("a bracket that cannot be a marker was held: %q", got)
	}
}

// markerPieces are the pieces that filter tests build answers from: every
// marker form, think tags whole and in part, whitespace and non-ASCII.
var markerPieces = []string{
	"Claim", " ", " ", "\n", "\n\n", "\t", ".", ",", "é", "“", "”", "\"",
	"[", "]", "[1]", "[2]", "[9]", "[0]", "[1, 2]", "[1,2]", "[[1]]", "[^1]",
	"[1-3]", "[1–3]", "【1】", "【", "】", "［2］", "１", "[source 1]", "[Source 1, 2]",
	"(Source 3)", "(", ")", "1", "9", "20", "2024", "-", "^", "source", "Sou", ", ",
	"<think>", "</think>", "<thinking>", "</THINK>", "<thi", "<", ">", "x",
	"[sic]", "[1", "[9,", strings.Repeat("1, ", 12),
}

func randomAnswer(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(24) {
		b.WriteString(markerPieces[r.IntN(len(markerPieces))])
	}
	return b.String()
}

// checkFilter feeds chunks to a MarkerFilter and compares the output with
// NormalizeMarkers of the whole text with its think blocks stripped.
func checkFilter(t *testing.T, valid int, chunks []string) {
	t.Helper()
	whole := strings.Join(chunks, "")
	want := NormalizeMarkers(stripThinkBlocks(whole), valid)
	f := NewMarkerFilter(valid)
	var b strings.Builder
	for _, c := range chunks {
		out := f.Push(c)
		if !utf8.ValidString(out) && utf8.ValidString(whole) {
			t.Fatalf("Push returned invalid UTF-8 %q for chunks %q", out, chunks)
		}
		b.WriteString(out)
	}
	b.WriteString(f.Flush())
	if got := b.String(); got != want {
		t.Fatalf("chunks %q:\nstream %q\nwhole  %q", chunks, got, want)
	}
}

func TestMarkerFilterMatchesNormalizeAtEverySplit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		s := randomAnswer(r)
		valid := r.IntN(5)
		checkFilter(t, valid, []string{s})
		for i := 0; i <= len(s); i++ {
			checkFilter(t, valid, []string{s[:i], s[i:]})
		}
		// Random cuts, and one byte at a time.
		var chunks []string
		for rest := s; rest != ""; {
			n := min(len(rest), 1+r.IntN(6))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		checkFilter(t, valid, chunks)
		checkFilter(t, valid, strings.Split(s, ""))
		bytes := make([]string, len(s))
		for i := range s {
			bytes[i] = s[i : i+1]
		}
		checkFilter(t, valid, bytes)
	}
}

func TestMarkerFilterDiffersOnlyOnUnopenedThink(t *testing.T) {
	// The documented difference: a stream cannot take back what it showed.
	whole := "reasoning\n</think>\nAnswer [1]."
	pushes, flush := pushAll(2, whole)
	if got := strings.Join(pushes, "") + flush; got != "reasoning\n\nAnswer [1]." {
		t.Errorf("stream = %q", got)
	}
	if got := NormalizeMarkers(StripThink(whole), 2); got != "Answer [1]." {
		t.Errorf("whole = %q", got)
	}
	// Without an unopened closing tag the two agree.
	for _, s := range []string{"<think>a</think>b</think>c", "x <think>y", "plain [1]"} {
		if StripThink(s) != stripThinkBlocks(s) {
			t.Errorf("StripThink(%q) = %q, stripThinkBlocks = %q", s, StripThink(s), stripThinkBlocks(s))
		}
	}
}

func FuzzMarkerFilter(f *testing.F) {
	for _, s := range []string{"Claim [1, 2].", "<think>x</think>A [9] b", "【1】［2］[^3]", "[1-3] (Source 2)", "a [", "[[1]]"} {
		f.Add(s, uint8(3), uint8(4))
	}
	f.Fuzz(func(t *testing.T, s string, valid, step uint8) {
		n := int(step%8) + 1
		var chunks []string
		for rest := s; rest != ""; {
			k := min(n, len(rest))
			chunks = append(chunks, rest[:k])
			rest = rest[k:]
		}
		checkFilter(t, int(valid%6), chunks)
	})
}

func TestFindFolded(t *testing.T) {
	tests := []struct {
		name, haystack, needle, want string
		ok                           bool
	}{
		{"plain", "The cat sat on the mat.", "cat sat on", "cat sat on", true},
		{"case", "The Cat Sat.", "the cat sat", "The Cat Sat", true},
		{"curly quotes", "He said “we will win” today.", `said "we will win"`, "said “we will win”", true},
		{"apostrophe", "It’s over, he said.", "it's over", "It’s over", true},
		{"needle curly", "It's over.", "It’s over", "It's over", true},
		{"spaces and newlines", "We  will\n\n fight\ton.", "we will fight on", "We  will\n\n fight\ton", true},
		{"non-ASCII", "Der Kanzler Olaf Scholz sagte: „Wir schaffen das.“", "scholz sagte: \"wir schaffen das", "Scholz sagte: „Wir schaffen das", true},
		{"accents", "À Paris, l’ÉTÉ est chaud.", "l'été est", "l’ÉTÉ est", true},
		{"decomposed haystack", "Cafe\u0301 society is back.", "café society", "Cafe\u0301 society", true},
		{"decomposed needle", "Café society is back.", "cafe\u0301 society", "Café society", true},
		{"dash", "The 2020–2021 season ended.", "2020-2021 season", "2020–2021 season", true},
		{"ellipsis", "Wait… what?", "wait... what", "Wait… what", true},
		{"soft hyphen", "an extra\u00adordinary day", "extraordinary day", "extra\u00adordinary day", true},
		{"word boundary preferred", "she said it; he said it", "he said it", "he said it", true},
		{"inside a word only", "the theme", "hem", "hem", true},
		{"absent", "The cat sat.", "the dog sat", "", false},
		{"empty needle", "The cat sat.", "  ", "", false},
		{"leading space in haystack", "   Hello world", "hello", "Hello", true},
		{"invalid UTF-8", "ab\xffcd efg", "abcd efg", "ab\xffcd efg", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, ok := findFolded(tt.haystack, tt.needle)
			if ok != tt.ok {
				t.Fatalf("findFolded(%q, %q) ok = %v, want %v", tt.haystack, tt.needle, ok, tt.ok)
			}
			if !ok {
				return
			}
			if got := tt.haystack[start:end]; got != tt.want {
				t.Errorf("findFolded(%q, %q) = [%d:%d] %q, want %q", tt.haystack, tt.needle, start, end, got, tt.want)
			}
			if ok != text.ContainsFolded(tt.haystack, tt.needle) {
				t.Errorf("findFolded disagrees with ContainsFolded")
			}
		})
	}
}

// foldRunes are the characters that folding treats specially, mixed with
// ordinary ones.
var foldRunes = []string{
	"a", "B", "z", " ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2003", "`", "´", "‘", "’", "“", "”", "„", "«", "»", "′", "″",
	"-", "–", "—", "−", "…", "\u00ad", "\u200b", "\ufeff", "e\u0301", "é", "É", "A\u030a", "\u212b", "ß", "İ", "Σ", "ς",
	"\xff", "\xe3\x80", "日本", "한", "\u1100\u1161", "\u0f5c", "0\u0f5c", "0", "9", ".", ",", "\"", "'", "ﬁ", "\u0301",
}

func TestFoldedOffsetsMatchFold(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for range r.IntN(16) {
			b.WriteString(foldRunes[r.IntN(len(foldRunes))])
		}
		s := b.String()
		ft := foldWithOffsets(s)
		if want := text.Fold(s); ft.folded != want {
			t.Fatalf("fold of %q = %q, want text.Fold %q", s, ft.folded, want)
		}
		for k := range ft.folded {
			if ft.start[k] < 0 || ft.start[k] >= ft.end[k] || int(ft.end[k]) > len(s) || (k > 0 && ft.start[k] < ft.start[k-1]) {
				t.Fatalf("fold of %q: bad offsets at %d: [%d, %d)", s, k, ft.start[k], ft.end[k])
			}
		}
		// Any piece of the folded text is found, and what is found folds
		// back to something holding it.
		if len(ft.folded) > 0 {
			i := r.IntN(len(ft.folded))
			j := i + r.IntN(len(ft.folded)-i) + 1
			needle := ft.folded[i:j]
			if !utf8.ValidString(needle) || text.Fold(needle) != needle {
				continue
			}
			start, end, ok := findFolded(s, needle)
			if !ok {
				t.Fatalf("findFolded(%q, %q) found nothing", s, needle)
			}
			if !strings.Contains(text.Fold(s[start:end]), text.Fold(needle)) {
				t.Fatalf("findFolded(%q, %q) = %q, which does not hold the needle", s, needle, s[start:end])
			}
		}
	}
}

func FuzzFoldedOffsets(f *testing.F) {
	for _, s := range foldRunes {
		f.Add(s + " Caf\u00e9 “x”  y")
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := norm.NFC.String(s); strings.Count(n, "\u034f") != strings.Count(s, "\u034f") {
			t.Skip("more than 30 combining marks in a row, documented")
		}
		ft := foldWithOffsets(s)
		if want := text.Fold(s); ft.folded != want {
			t.Fatalf("fold of %q = %q, want text.Fold %q", s, ft.folded, want)
		}
		for k := range ft.folded {
			if ft.start[k] >= ft.end[k] || int(ft.end[k]) > len(s) {
				t.Fatalf("fold of %q: bad offsets at %d", s, k)
			}
		}
	})
}

const citeArticle1 = `The city council voted 7-2 on Tuesday to approve the new stadium.
Mayor Jane Ortiz said the project “will bring thousands of jobs to the riverfront.”
Critics argued that the   public cost, estimated at $400 million, was too high.
It's the council’s third vote on the matter since 2021.`

const citeArticle2 = `Construction is expected to begin in March and take three years.
Opponents plan to gather signatures for a referendum, organizer Sam Lee said.`

func testSources() []Source {
	return []Source{{N: 1, Text: citeArticle1}, {N: 2, Text: citeArticle2}}
}

func TestCheckQuotes(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		text     string
		used     []int
		quotes   map[int][]string
		failed   map[int][]string
		unmarked int
	}{
		{
			name:   "verified straight quotes against curly stored text",
			raw:    `The mayor said the stadium "will bring thousands of jobs to the riverfront" [1].`,
			text:   `The mayor said the stadium "will bring thousands of jobs to the riverfront" [1].`,
			used:   []int{1},
			quotes: map[int][]string{1: {"will bring thousands of jobs to the riverfront"}},
		},
		{
			name:   "trailing punctuation differs",
			raw:    `Ortiz said it “will bring thousands of jobs,” [1] she added.`,
			text:   `Ortiz said it “will bring thousands of jobs,” [1] she added.`,
			used:   []int{1},
			quotes: map[int][]string{1: {"will bring thousands of jobs"}},
		},
		{
			name:   "apostrophes and whitespace",
			raw:    "Critics said \"the public cost, estimated at $400 million, was too high\" [1], in \"the council's third vote\" [1].",
			text:   "Critics said \"the public cost, estimated at $400 million, was too high\" [1], in \"the council's third vote\" [1].",
			used:   []int{1},
			quotes: map[int][]string{1: {"the   public cost, estimated at $400 million, was too high", "the council’s third vote"}},
		},
		{
			name:   "newline in the stored text",
			raw:    `The stadium was approved, and Mayor Ortiz said the project "will bring thousands" [1].`,
			text:   `The stadium was approved, and Mayor Ortiz said the project "will bring thousands" [1].`,
			used:   []int{1},
			quotes: map[int][]string{1: {"will bring thousands"}},
		},
		{
			name:   "fabricated quote is de-quoted",
			raw:    `Ortiz called it "the best deal in city history" [1].`,
			text:   `Ortiz called it the best deal in city history [1].`,
			used:   []int{1},
			failed: map[int][]string{1: {"the best deal in city history"}},
		},
		{
			name:   "quote attributed to the wrong source of its group",
			raw:    `Opponents will seek "signatures for a referendum" [1][2].`,
			text:   `Opponents will seek "signatures for a referendum" [1][2].`,
			used:   []int{1, 2},
			quotes: map[int][]string{2: {"signatures for a referendum"}},
		},
		{
			name:   "quote in the other source only is not verified",
			raw:    `Opponents will seek "signatures for a referendum" [1].`,
			text:   `Opponents will seek signatures for a referendum [1].`,
			used:   []int{1},
			failed: map[int][]string{1: {"signatures for a referendum"}},
		},
		{
			name:   "marker before the quote",
			raw:    `According to [2], work will "begin in March and take three years".`,
			text:   `According to [2], work will "begin in March and take three years".`,
			used:   []int{2},
			quotes: map[int][]string{2: {"begin in March and take three years"}},
		},
		{
			name:   "marker after the full stop",
			raw:    `Work will "begin in March and take three years." [2] The vote was 7-2 [1].`,
			text:   `Work will "begin in March and take three years." [2] The vote was 7-2 [1].`,
			used:   []int{2, 1},
			quotes: map[int][]string{2: {"begin in March and take three years."}},
		},
		{
			name: "scare quotes are left alone",
			raw:  `Critics called it a "giveaway" and a "done deal" [1].`,
			text: `Critics called it a "giveaway" and a "done deal" [1].`,
			used: []int{1},
		},
		{
			name:     "unmarked quote found in a source",
			raw:      `Organizers plan to gather signatures for a referendum, and "organizer Sam Lee said" so.`,
			text:     `Organizers plan to gather signatures for a referendum, and "organizer Sam Lee said" so.`,
			unmarked: 1,
		},
		{
			name:     "unmarked fabricated quote",
			raw:      `The mayor promised "a stadium for everyone in town".`,
			text:     `The mayor promised a stadium for everyone in town.`,
			failed:   map[int][]string{0: {"a stadium for everyone in town"}},
			unmarked: 1,
		},
		{
			name:   "guillemets and ellipsis",
			raw:    `Ortiz said the project «…will bring thousands of jobs» [1].`,
			text:   `Ortiz said the project «…will bring thousands of jobs» [1].`,
			used:   []int{1},
			quotes: map[int][]string{1: {"will bring thousands of jobs"}},
		},
		{
			name: "invalid markers and think",
			raw:  "<think>Source 9 is irrelevant [9].</think>\nThe council approved the stadium [9][1, 2]. Construction starts in March [5].",
			text: "The council approved the stadium [1][2]. Construction starts in March.",
			used: []int{1, 2},
			// The second sentence lost its only marker.
			unmarked: 1,
		},
		{
			name:     "unmarked claims",
			raw:      "Here is what the sources say:\n- The council voted 7-2 [1].\n- Critics say the cost is too high.\n- Yes.",
			text:     "Here is what the sources say:\n- The council voted 7-2 [1].\n- Critics say the cost is too high.\n- Yes.",
			used:     []int{1},
			unmarked: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(tt.raw, testSources())
			if res.Text != tt.text {
				t.Errorf("Text = %q, want %q", res.Text, tt.text)
			}
			if !reflect.DeepEqual(res.Used, tt.used) {
				t.Errorf("Used = %v, want %v", res.Used, tt.used)
			}
			if tt.quotes == nil {
				tt.quotes = map[int][]string{}
			}
			if tt.failed == nil {
				tt.failed = map[int][]string{}
			}
			if !reflect.DeepEqual(res.Quotes, tt.quotes) {
				t.Errorf("Quotes = %v, want %v", res.Quotes, tt.quotes)
			}
			if !reflect.DeepEqual(res.Failed, tt.failed) {
				t.Errorf("Failed = %v, want %v", res.Failed, tt.failed)
			}
			if res.Unmarked != tt.unmarked {
				t.Errorf("Unmarked = %d, want %d", res.Unmarked, tt.unmarked)
			}
			if res.Abstained {
				t.Errorf("Abstained = true")
			}
			for n, qs := range res.Quotes {
				for _, q := range qs {
					if !strings.Contains(testSources()[n-1].Text, q) {
						t.Errorf("quote %q of source %d is not stored wording", q, n)
					}
				}
			}
		})
	}
}

func TestCheckAbstains(t *testing.T) {
	tests := []struct {
		raw       string
		abstained bool
	}{
		{prompts.AbstainSentence, true},
		{"<think>Nothing relevant.</think>\n" + prompts.AbstainSentence, true},
		{"The sources I have don’t answer that.", true},
		{"The sources I have do not answer that. Sorry about that, I looked hard.", true},
		{"The sources I have don't answer that [9].", true},
		{"", true},
		{"<think>never finished", true},
		{"[9]", true},
		{"The council voted 7-2 [1].", false},
		{"The council voted 7-2 [1]. The sources I have don't answer that.", false},
	}
	for _, tt := range tests {
		res := Check(tt.raw, testSources())
		if res.Abstained != tt.abstained {
			t.Errorf("Check(%q).Abstained = %v, want %v", tt.raw, res.Abstained, tt.abstained)
		}
		if res.Abstained && res.Unmarked != 0 {
			t.Errorf("Check(%q).Unmarked = %d for an abstention", tt.raw, res.Unmarked)
		}
	}
}

func TestCheckMarkerForms(t *testing.T) {
	raw := "A council vote [Source 1, 2]. Critics object 【1】. Work starts soon [^2]. More [[1]] and [1-3]."
	res := Check(raw, []Source{{N: 1, Text: "x"}, {N: 2, Text: "y"}})
	want := "A council vote [1][2]. Critics object [1]. Work starts soon [2]. More [1] and [1][2]."
	if res.Text != want {
		t.Errorf("Text = %q, want %q", res.Text, want)
	}
	// Sources need not be numbered 1..n.
	res = Check("A [1] and B [3] and C [2].", []Source{{N: 1, Text: "x"}, {N: 3, Text: "z"}})
	if want := "A [1] and B [3] and C."; res.Text != want || !reflect.DeepEqual(res.Used, []int{1, 3}) {
		t.Errorf("Text = %q, Used = %v; want %q, [1 3]", res.Text, res.Used, want)
	}
}

func TestClaimSentences(t *testing.T) {
	answer := "The council approved the stadium [1, 2]. Critics say it costs too much. [1] Work begins in March [2].\n- Signatures are planned [2][9]."
	got := ClaimSentences(answer)
	want := map[int][]string{
		1: {"The council approved the stadium.", "Critics say it costs too much."},
		2: {"The council approved the stadium.", "Work begins in March.", "Signatures are planned."},
		9: {"Signatures are planned."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ClaimSentences = %v, want %v", got, want)
	}
	if got := ClaimSentences("No markers here."); len(got) != 0 {
		t.Errorf("ClaimSentences without markers = %v", got)
	}
}

func TestBestSentence(t *testing.T) {
	tests := []struct {
		claim, want string
		ok          bool
	}{
		{"The council approved a new stadium [1].", "The city council voted 7-2 on Tuesday to approve the new stadium.", true},
		{"Critics say the public costs are too high.", "Critics argued that the   public cost, estimated at $400 million, was too high.", true},
		{"Ortiz promised jobs on the riverfront.", "Mayor Jane Ortiz said the project “will bring thousands of jobs to the riverfront.”", true},
		{"The weather was sunny.", "", false},
		{"Stadium.", "", false},
	}
	for _, tt := range tests {
		got, ok := BestSentence(citeArticle1, tt.claim)
		if got != tt.want || ok != tt.ok {
			t.Errorf("BestSentence(%q) = %q, %v; want %q, %v", tt.claim, got, ok, tt.want, tt.ok)
		}
	}
}
