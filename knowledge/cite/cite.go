// Package cite checks a language model's answer before anyone sees it: it
// drops reasoning blocks, normalises citation markers to [n] and removes
// the ones for sources that were not given, checks every quotation against
// the stored text of the source it is attributed to, and takes the
// quotation marks off the ones that do not check out. It also picks, for a
// citation without a verified quote, the source sentence that best
// supports the claim.
//
// The package knows nothing of Herald's store: sources are plain text
// numbered as the prompt numbered them.
package cite

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/prompts"
)

// Limits of the marker grammar. They apply alike to NormalizeMarkers and to
// MarkerFilter, so the stream and the whole text agree.
const (
	// maxMarkerBytes bounds one bracketed marker, from its opening bracket
	// to its closing one; anything longer is text. It also bounds how much
	// a MarkerFilter holds back for one possible marker.
	maxMarkerBytes = 32
	// maxGroupMarkers bounds a run of adjacent markers that is normalised
	// (and deduplicated) as one group.
	maxGroupMarkers = 10
	// maxRangeWidth bounds the numbers a range marker such as [1-3] stands
	// for.
	maxRangeWidth = 10
	// maxMarkerNumber is the largest number a marker can carry: markers
	// have one or two digits, so [2024] is a year, not a marker.
	maxMarkerNumber = 99
)

// StripThink returns s without the reasoning blocks some models write
// before their answer, trimmed of surrounding whitespace. A block runs from
// <think> or <thinking> to the next </think> or </thinking>, in any letter
// case and across lines; blocks do not nest. A block that is never closed
// runs to the end of s, since the model never finished thinking. A closing
// tag with no opening tag before it (servers that put the opening tag in
// the prompt) removes everything before it; any other stray closing tag is
// removed on its own.
func StripThink(s string) string {
	return stripThinkBlocks(dropUnopenedThink(s))
}

// stripThinkBlocks is StripThink without its first rule, the one for a
// closing tag that nothing opened; it is exactly what a MarkerFilter does
// to a stream.
func stripThinkBlocks(s string) string {
	var t thinkStripper
	out, _ := t.run(s, true)
	return out
}

// dropUnopenedThink removes everything up to and including the first think
// tag of s when that tag is a closing one.
func dropUnopenedThink(s string) string {
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return s
		}
		i += j
		switch kind, n, _ := thinkTagAt(s[i:]); kind {
		case thinkOpen:
			return s
		case thinkClose:
			return s[i+n:]
		}
	}
	return s
}

// Kinds of think tag.
const (
	thinkNone  = 0
	thinkOpen  = 1
	thinkClose = 2
)

// thinkTagAt reports which think tag s starts with, ASCII case-insensitively,
// and its length. partial is true when s is shorter than some tag and could
// still become it.
func thinkTagAt(s string) (kind, n int, partial bool) {
	for _, tag := range [...]string{"<think>", "<thinking>", "</think>", "</thinking>"} {
		if len(s) < len(tag) {
			partial = partial || asciiEqualFold(s, tag[:len(s)])
			continue
		}
		if asciiEqualFold(s[:len(tag)], tag) {
			if tag[1] == '/' {
				return thinkClose, len(tag), false
			}
			return thinkOpen, len(tag), false
		}
	}
	return thinkNone, 0, partial
}

// asciiEqualFold reports whether a and b are equal when ASCII letters are
// compared without regard to case.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x-'A' < 26 {
			x += 'a' - 'A'
		}
		if y-'A' < 26 {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// thinkStripper removes think blocks from a text that arrives in pieces.
// Its output, over all calls, is trimmed of leading and trailing
// whitespace.
type thinkStripper struct {
	inside bool   // within an open think block
	any    bool   // some non-space output has been returned
	held   string // trailing whitespace of the output, returned only if more text follows
}

// run processes s and returns the output that is decided and how many bytes
// of s it consumed; the caller passes the rest again with more text. With
// final set, all of s is consumed.
func (t *thinkStripper) run(s string, final bool) (string, int) {
	var b strings.Builder
	b.WriteString(t.held)
	i := 0
scan:
	for i < len(s) {
		if t.inside {
			for {
				j := strings.IndexByte(s[i:], '<')
				if j < 0 {
					i = len(s)
					break scan
				}
				i += j
				kind, n, partial := thinkTagAt(s[i:])
				if kind == thinkClose {
					i += n
					t.inside = false
					continue scan
				}
				if partial && !final {
					break scan // keep a possible closing tag
				}
				i++
			}
		}
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			end := len(s)
			if !final {
				end -= incompleteTail(s[i:])
			}
			b.WriteString(s[i:end])
			i = end
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		kind, n, partial := thinkTagAt(s[i:])
		switch {
		case kind == thinkOpen:
			t.inside = true
			i += n
		case kind == thinkClose:
			i += n
		case partial && !final:
			break scan
		default:
			b.WriteByte('<')
			i++
		}
	}
	out := b.String()
	if !t.any {
		out = strings.TrimLeftFunc(out, unicode.IsSpace)
	}
	k := len(strings.TrimRightFunc(out, unicode.IsSpace))
	t.held = ""
	if !final {
		t.held = out[k:]
	}
	out = out[:k]
	t.any = t.any || out != ""
	return out, i
}

// incompleteTail returns the number of bytes at the end of s that begin a
// UTF-8 sequence without finishing it.
func incompleteTail(s string) int {
	for k := 1; k < utf8.UTFMax && k <= len(s); k++ {
		if c := s[len(s)-k]; utf8.RuneStart(c) {
			if c >= utf8.RuneSelf && !utf8.FullRuneInString(s[len(s)-k:]) {
				return k
			}
			return 0
		}
	}
	return 0
}

// NormalizeMarkers rewrites the citation markers of s in the canonical
// form [n] and removes those for sources that were not given, keeping
// only numbers 1 to valid. It understands
//
//   - lists and runs: [1, 2], [1,2], [1; 2], [1 and 2] and [1][2] become
//     [1][2], with duplicates dropped ([1, 1] and [1][1] become [1]);
//   - ranges of at most ten numbers: [1-3] and [1–3] become [1][2][3];
//   - other brackets: [[1]], 【1】 and ［1］ (also with full-width digits)
//     become [1];
//   - footnotes: [^1] becomes [1];
//   - source words: [source 1], [Source 1, 2], [Sources 1-2] and
//     (Source 1) become [1], [1][2], [1][2] and [1].
//
// A marker carries numbers of one or two digits only, so [2024] is left
// alone, like any bracket that is not a marker ([sic], [edited], (1)), a
// range wider than ten, and anything longer than 32 bytes between its
// brackets. A marker whose numbers are all invalid ([9] with four sources,
// [0]) disappears, together with the space before it, or the space after
// it when it opens a line, so no double space is left. Spacing around valid
// markers is kept as it is: "claim [1]" stays "claim [1]".
func NormalizeMarkers(s string, valid int) string {
	m := markerNormalizer{valid: validUpTo(valid)}
	out, _ := m.run(s, true)
	return out
}

// validUpTo returns the validity test for sources numbered 1 to n.
func validUpTo(n int) func(int) bool {
	return func(k int) bool { return k >= 1 && k <= n }
}

// MarkerFilter applies StripThink and NormalizeMarkers to a streamed
// answer, so that each piece can be shown as it arrives. Push returns the
// text that is safe to show now and holds back only what the next piece
// could still change: a possible marker or think tag at the end (a
// trailing "[", "[1", "[1,", "【", "[^", "<thi"), the inside of an open
// think block, an incomplete UTF-8 sequence, trailing whitespace, and a
// trailing marker run with no valid number yet (it may vanish, taking a
// space with it). A possible marker is released as text once it runs past
// 32 bytes.
//
// The concatenation of every Push result and Flush equals
// NormalizeMarkers(StripThink(whole), valid) for any way of cutting the
// whole text into pieces, with one exception: a closing think tag that
// nothing opened removes only itself in a stream, while StripThink also
// removes everything before it, which a stream has already shown. Callers
// should replace the streamed text with the checked answer at the end.
//
// The zero MarkerFilter is not usable; make one with NewMarkerFilter. A
// MarkerFilter is not safe for concurrent use.
type MarkerFilter struct {
	valid  int
	think  thinkStripper
	marks  markerNormalizer
	think1 string // input not yet consumed by the think stage
	marks1 string // think-stage output not yet consumed by the marker stage
}

// NewMarkerFilter returns a MarkerFilter for an answer written from
// sources numbered 1 to valid.
func NewMarkerFilter(valid int) *MarkerFilter {
	return &MarkerFilter{valid: valid, marks: markerNormalizer{valid: validUpTo(valid)}}
}

// Push adds the next piece of the answer and returns the text that can be
// shown now, which may be empty.
func (f *MarkerFilter) Push(chunk string) string {
	f.think1 += chunk
	out, n := f.think.run(f.think1, false)
	f.think1 = f.think1[n:]
	f.marks1 += out
	out, n = f.marks.run(f.marks1, false)
	f.marks1 = f.marks1[n:]
	return out
}

// Flush ends the answer and returns the text still held back. The filter
// is then reset for a new answer with the same sources.
func (f *MarkerFilter) Flush() string {
	out, _ := f.think.run(f.think1, true)
	out, _ = f.marks.run(f.marks1+out, true)
	*f = *NewMarkerFilter(f.valid)
	return out
}

// markerStatus is the result of parsing a marker at some position.
type markerStatus int

const (
	markerNo   markerStatus = iota // not a marker: the opening bracket is text
	markerYes                      // a complete marker
	markerMore                     // the text ends where a marker could still go on
)

// markerRun is a marker group that a markerNormalizer returned at the very
// end of its input: markers that follow at once belong to the same group.
type markerRun struct {
	seen  []int // valid numbers already written
	count int   // markers in the group so far
}

// markerNormalizer rewrites markers in a text that may arrive in pieces.
type markerNormalizer struct {
	valid func(int) bool
	any   bool       // some output has been returned
	held  string     // trailing whitespace of the output, returned only if more text follows
	run0  *markerRun // the group the returned output ended with, if it may go on
}

// run processes s and returns the output that is decided and how many bytes
// of s it consumed; the caller passes the rest again with more text. With
// final set, all of s is consumed.
func (m *markerNormalizer) run(s string, final bool) (string, int) {
	buf := make([]byte, 0, len(m.held)+len(s)+8)
	buf = append(buf, m.held...)
	cont := m.run0
	var next *markerRun
	i := 0
	for i < len(s) {
		if !final && !utf8.FullRuneInString(s[i:]) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isMarkerOpener(r) {
			if cont != nil && (i != 0 || cont.count >= maxGroupMarkers) {
				cont = nil
			}
			count := 0
			if cont != nil {
				count = cont.count
			}
			nums, end, n, st := parseMarkerGroup(s, i, final, count)
			if st == markerMore {
				break
			}
			if st == markerYes {
				var seen []int
				if cont != nil {
					seen = slices.Clone(cont.seen)
				}
				fresh := 0
				for _, k := range nums {
					if m.valid(k) && !slices.Contains(seen, k) {
						seen = append(seen, k)
						buf = append(buf, '[')
						buf = strconv.AppendInt(buf, int64(k), 10)
						buf = append(buf, ']')
						fresh++
					}
				}
				atEnd := end == len(s) && !final
				if fresh == 0 && cont == nil {
					if atEnd {
						break // the group may vanish or go on: wait
					}
					// Nothing left of the group: take a space with it.
					if k := len(buf); k > 0 && (buf[k-1] == ' ' || buf[k-1] == '\t') {
						buf = buf[:k-1]
					} else if (k == 0 && !m.any) || (k > 0 && buf[k-1] == '\n') {
						if end < len(s) && (s[end] == ' ' || s[end] == '\t') {
							end++
						}
					}
				}
				if atEnd {
					next = &markerRun{seen: seen, count: count + n}
				}
				cont = nil
				i = end
				continue
			}
		}
		cont = nil
		buf = append(buf, s[i:i+size]...)
		i += size
	}
	switch {
	case next != nil:
		m.run0 = next
	case i > 0:
		m.run0 = nil
	}
	out := string(buf)
	m.held = ""
	if !final {
		k := len(strings.TrimRightFunc(out, unicode.IsSpace))
		m.held = out[k:]
		out = out[:k]
	} else {
		m.run0 = nil
	}
	m.any = m.any || out != ""
	return out, i
}

// isMarkerOpener reports whether r can open a marker.
func isMarkerOpener(r rune) bool {
	return r == '[' || r == '【' || r == '［' || r == '('
}

// parseMarkerGroup parses the run of adjacent markers at s[i:] (at most
// maxGroupMarkers-count of them) and returns their numbers in order, the
// end of the run, and the number of markers. A run that is complete
// except that more markers could follow is markerMore.
func parseMarkerGroup(s string, i int, final bool, count int) (nums []int, end, n int, st markerStatus) {
	end = i
	for count+n < maxGroupMarkers && end < len(s) {
		more, e, st := parseMarker(s, end, final)
		if st == markerMore {
			return nil, i, 0, markerMore
		}
		if st == markerNo {
			break
		}
		nums = append(nums, more...)
		end = e
		n++
	}
	if n == 0 {
		return nil, i, 0, markerNo
	}
	return nums, end, n, markerYes
}

// parseMarker parses one marker at s[i:] and returns its numbers and its
// end. Only the first maxMarkerBytes bytes are looked at, so a stream and
// the whole text reach the same verdict.
func parseMarker(s string, i int, final bool) ([]int, int, markerStatus) {
	if lim := i + maxMarkerBytes; lim < len(s) {
		s, final = s[:lim], true
	}
	p := markerParser{s: s, final: final}
	return p.marker(i)
}

// markerParser is a recursive-descent parser of one marker. Every step
// returns markerMore when s ends where the marker could still go on, unless
// final is set.
type markerParser struct {
	s     string
	final bool
}

// atEnd is the verdict when the text ends at a point where something must
// follow.
func (p *markerParser) atEnd() markerStatus {
	if p.final {
		return markerNo
	}
	return markerMore
}

// lit matches tok at j (ASCII case-insensitively when fold is set) and
// returns the position after it.
func (p *markerParser) lit(j int, tok string, fold bool) (int, markerStatus) {
	rest := p.s[j:]
	eq := func(a, b string) bool {
		if fold {
			return asciiEqualFold(a, b)
		}
		return a == b
	}
	if len(rest) >= len(tok) {
		if eq(rest[:len(tok)], tok) {
			return j + len(tok), markerYes
		}
		return j, markerNo
	}
	if eq(rest, tok[:len(rest)]) {
		return j, p.atEnd()
	}
	return j, markerNo
}

// oneOf matches the first of toks that occurs at j.
func (p *markerParser) oneOf(j int, fold bool, toks ...string) (int, markerStatus) {
	st := markerNo
	for _, tok := range toks {
		e, s := p.lit(j, tok, fold)
		if s == markerYes {
			return e, s
		}
		if s == markerMore {
			st = s
		}
	}
	return j, st
}

// spaces skips spaces at j.
func (p *markerParser) spaces(j int) int {
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	return j
}

// marker parses a whole marker at i.
func (p *markerParser) marker(i int) ([]int, int, markerStatus) {
	j, st := p.oneOf(i, false, "[", "【", "［", "(")
	if st != markerYes {
		return nil, i, st
	}
	var closer string
	switch p.s[i:j] {
	case "[":
		closer = "]"
		// A doubled bracket, [[1]].
		_, st := p.lit(j, "[", false)
		if st == markerMore {
			return nil, i, st
		}
		if st == markerYes {
			nums, e, st := p.marker(j)
			if st != markerYes {
				return nil, i, st
			}
			e, st = p.lit(e, "]", false)
			if st != markerYes {
				return nil, i, st
			}
			return nums, e, markerYes
		}
	case "【":
		closer = "】"
	case "［":
		closer = "］"
	case "(":
		closer = ")"
	}
	j = p.spaces(j)
	if e, st := p.lit(j, "^", false); st == markerMore {
		return nil, i, st
	} else if st == markerYes {
		j = p.spaces(e)
	}
	j, word, st := p.sourceWord(j)
	if st != markerYes {
		return nil, i, st
	}
	if closer == ")" && !word {
		return nil, i, markerNo // (1) is a list item, not a marker
	}
	var nums []int
	for {
		if len(nums) > 0 {
			if j, _, st = p.sourceWord(p.spaces(j)); st != markerYes {
				return nil, i, st
			}
		}
		a, e, st := p.number(j)
		if st != markerYes {
			return nil, i, st
		}
		j = p.spaces(e)
		e, st = p.oneOf(j, false, "-", "–", "—")
		switch st {
		case markerMore:
			return nil, i, st
		case markerYes:
			b, e2, st := p.number(p.spaces(e))
			if st != markerYes {
				return nil, i, st
			}
			if b < a || b-a >= maxRangeWidth {
				return nil, i, markerNo
			}
			for k := a; k <= b; k++ {
				nums = append(nums, k)
			}
			j = p.spaces(e2)
		default:
			nums = append(nums, a)
		}
		e, st = p.lit(j, closer, false)
		if st == markerYes {
			return nums, e, st
		}
		if st == markerMore {
			return nil, i, st
		}
		e, st = p.oneOf(j, true, ",", ";", "，", "、", "&", "and")
		if st != markerYes {
			return nil, i, st
		}
		j = p.spaces(e)
	}
}

// sourceWord skips an optional "source" or "sources" at j, in any case,
// with an optional colon and spaces after it, and reports whether it was
// there.
func (p *markerParser) sourceWord(j int) (int, bool, markerStatus) {
	e, st := p.lit(j, "source", true)
	switch st {
	case markerMore:
		return j, false, st
	case markerNo:
		return j, false, markerYes
	}
	for _, tok := range []string{"s", ":"} {
		e2, st := p.lit(e, tok, true)
		if st == markerMore {
			return j, false, st
		}
		if st == markerYes {
			e = e2
		}
	}
	return p.spaces(e), true, markerYes
}

// number parses a marker number at j: one or two digits, ASCII or
// full-width. A third digit means it is not a marker.
func (p *markerParser) number(j int) (int, int, markerStatus) {
	n := 0
	for k := 0; ; k++ {
		d, e, st := p.digit(j)
		if st == markerMore {
			return 0, j, st
		}
		if st == markerNo {
			if k == 0 {
				return 0, j, st
			}
			return n, j, markerYes
		}
		if k == 2 {
			return 0, j, markerNo
		}
		n = n*10 + d
		j = e
	}
}

// digit parses one ASCII or full-width digit at j.
func (p *markerParser) digit(j int) (int, int, markerStatus) {
	if j >= len(p.s) {
		return 0, j, p.atEnd()
	}
	if c := p.s[j]; c-'0' < 10 {
		return int(c - '0'), j + 1, markerYes
	}
	if !utf8.FullRuneInString(p.s[j:]) {
		return 0, j, p.atEnd()
	}
	r, size := utf8.DecodeRuneInString(p.s[j:])
	if r >= '０' && r <= '９' {
		return int(r - '０'), j + size, markerYes
	}
	return 0, j, markerNo
}

// Source is the stored article text of source number N of an answer.
type Source struct {
	N    int
	Text string
}

// Result is a model's answer after Check.
type Result struct {
	// Text is the answer to show: think blocks stripped, markers
	// normalised, invalid ones removed, unverified quotes de-quoted.
	Text string
	// Used lists the source numbers cited, in order of first use.
	Used []int
	// Quotes holds the verified quotes per source number, as they occur
	// in the stored text (the stored wording, not the model's).
	Quotes map[int][]string
	// Failed holds, per source number, the quotes attributed to that
	// source (the first one of their marker group) that occur in none of
	// the sources they were attributed to, in the model's wording. Key 0
	// holds quotes that carried no marker and occur in no source at all.
	Failed map[int][]string
	// Unmarked counts claim sentences without any marker, leaving out
	// sentences under four words, lead-ins ending with a colon and the
	// abstain sentence; it is 0 for an abstention that cites nothing.
	Unmarked int
	// Abstained reports whether the answer says the sources don't answer
	// the question (prompts.IsAbstain), or is empty.
	Abstained bool
}

// Check checks a model's raw answer against the stored text of the
// sources it was given. It strips think blocks (StripThink), normalises the
// markers and removes those naming no source (as NormalizeMarkers does,
// with the numbers of sources as the valid ones), and checks each quotation.
//
// A quotation is text in double quotes ("…", “…”, „…“ or «…», within one
// line) of at least three words; shorter ones are scare quotes and are left
// alone. It is attributed to the first marker run after its closing quote
// in the same sentence, or failing that to the markers inside it, or
// failing that to every marker before it in the same sentence; markers
// right after a sentence's full stop belong to that sentence. It verifies
// when it occurs, folded as text.Fold folds (case, whitespace, quote,
// apostrophe and dash style), in the stored text of any source it is
// attributed to, also after dropping a leading or trailing ellipsis or
// trailing punctuation (.,;:). A verified quotation is recorded in Quotes
// under the source it was found in, with the stored wording. One that does
// not verify loses its quotation marks in Text, its words kept as a
// paraphrase, and is recorded in Failed. A quotation without any marker
// keeps its marks when it occurs in some source.
func Check(raw string, sources []Source) Result {
	stripped := StripThink(raw)
	var nums []int
	byN := make(map[int]*checkedSource, len(sources))
	for _, src := range sources {
		if _, dup := byN[src.N]; src.N >= 1 && !dup {
			byN[src.N] = &checkedSource{text: src.Text}
			nums = append(nums, src.N)
		}
	}
	slices.Sort(nums)
	m := markerNormalizer{valid: func(n int) bool { return byN[n] != nil }}
	t, _ := m.run(stripped, true)

	res := Result{Quotes: map[int][]string{}, Failed: map[int][]string{}}
	groups := markerGroups(t)
	for _, g := range groups {
		for _, n := range g.nums {
			if !slices.Contains(res.Used, n) {
				res.Used = append(res.Used, n)
			}
		}
	}
	claims := claimSpans(t, groups)

	var cuts []int // pairs of byte offsets of quotation marks to remove
	for _, q := range findQuotes(t) {
		inner := stripMarkerGroups(t[q.openEnd:q.close])
		if text.CountWords(inner) < 3 {
			continue
		}
		attributed := attributeQuote(q, claims, groups)
		search := attributed
		if len(search) == 0 {
			search = nums
		}
		n, stored, ok := verifyQuote(inner, search, byN)
		switch {
		case ok && len(attributed) > 0:
			if !slices.Contains(res.Quotes[n], stored) {
				res.Quotes[n] = append(res.Quotes[n], stored)
			}
		case !ok:
			key := 0
			if len(attributed) > 0 {
				key = attributed[0]
			}
			if !slices.Contains(res.Failed[key], inner) {
				res.Failed[key] = append(res.Failed[key], inner)
			}
			cuts = append(cuts, q.open, q.openEnd, q.close, q.closeEnd)
		}
	}
	res.Text = removeRanges(t, cuts)

	bare := stripMarkerGroups(t)
	res.Abstained = bare == "" || prompts.IsAbstain(stripped) || prompts.IsAbstain(bare)
	if !res.Abstained || len(res.Used) > 0 {
		for _, c := range claims {
			if !c.marked && isClaim(t[c.start:c.end]) {
				res.Unmarked++
			}
		}
	}
	return res
}

// isClaim reports whether an unmarked sentence of an answer should have
// cited something: it has at least four words, is not the abstain
// sentence and does not merely introduce what follows.
func isClaim(sentence string) bool {
	s := strings.TrimSpace(sentence)
	return len(text.Tokens(s)) >= 4 && !prompts.IsAbstain(s) && !strings.HasSuffix(s, ":")
}

// removeRanges returns s without the byte ranges [cuts[0], cuts[1]),
// [cuts[2], cuts[3]), ..., which must not overlap.
func removeRanges(s string, cuts []int) string {
	if len(cuts) == 0 {
		return s
	}
	pairs := make([][2]int, 0, len(cuts)/2)
	for k := 0; k+1 < len(cuts); k += 2 {
		pairs = append(pairs, [2]int{cuts[k], cuts[k+1]})
	}
	slices.SortFunc(pairs, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	last := 0
	for _, p := range pairs {
		b.WriteString(s[last:p[0]])
		last = p[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// verifyQuote looks for the quotation q in the sources numbered nums, in
// order, and returns the number of the first one holding it with the
// stored wording.
func verifyQuote(q string, nums []int, byN map[int]*checkedSource) (int, string, bool) {
	for _, cand := range quoteCandidates(q) {
		for _, n := range nums {
			src := byN[n]
			if src == nil {
				continue
			}
			if start, end, ok := src.folded().find(text.Fold(cand)); ok {
				return n, src.text[start:end], true
			}
		}
	}
	return 0, "", false
}

// quoteCandidates returns the forms of a quotation worth looking for: as
// written without a leading or trailing ellipsis, then also without
// trailing punctuation that the source may not have at that point.
func quoteCandidates(q string) []string {
	q = strings.TrimSpace(q)
	for {
		t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(q, "..."), "…"), "..."), "…"))
		if t == q {
			break
		}
		q = t
	}
	cands := []string{q}
	if t := strings.TrimSpace(strings.TrimRight(q, ".,;:")); t != q && t != "" {
		cands = append(cands, t)
	}
	return cands
}

// checkedSource is a source of Check with its folded text, made when
// first needed.
type checkedSource struct {
	text string
	fold *foldedText
}

func (c *checkedSource) folded() *foldedText {
	if c.fold == nil {
		c.fold = foldWithOffsets(c.text)
	}
	return c.fold
}

// markerGroup is a run of adjacent canonical markers, [1][2], at byte
// offsets [start, end) of a normalised answer.
type markerGroup struct {
	start, end int
	nums       []int
}

// markerGroups returns the runs of canonical markers of s, a text whose
// markers NormalizeMarkers has normalised.
func markerGroups(s string) []markerGroup {
	var out []markerGroup
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			break
		}
		i += j
		n, end := canonicalMarker(s, i)
		if end < 0 {
			i++
			continue
		}
		if k := len(out); k > 0 && out[k-1].end == i {
			if !slices.Contains(out[k-1].nums, n) {
				out[k-1].nums = append(out[k-1].nums, n)
			}
			out[k-1].end = end
		} else {
			out = append(out, markerGroup{start: i, end: end, nums: []int{n}})
		}
		i = end
	}
	return out
}

// canonicalMarker parses a marker [n] (n of one or two ASCII digits, not
// zero) at s[i:] and returns n and the marker's end, or end -1.
func canonicalMarker(s string, i int) (n, end int) {
	j := i + 1
	for j < len(s) && j-i <= 3 && s[j]-'0' < 10 {
		n = n*10 + int(s[j]-'0')
		j++
	}
	if j == i+1 || j-i > 3 || j >= len(s) || s[j] != ']' || n == 0 {
		return 0, -1
	}
	return n, j + 1
}

// stripMarkerGroups returns s without its canonical markers, each taking
// the space before it along when a space, punctuation or the end follows,
// and trimmed.
func stripMarkerGroups(s string) string {
	groups := markerGroups(s)
	if len(groups) == 0 {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	last := 0
	for _, g := range groups {
		seg := s[last:g.start]
		if strings.HasSuffix(seg, " ") && (g.end == len(s) || strings.IndexByte(" \t\n.,;:!?)", s[g.end]) >= 0) {
			seg = seg[:len(seg)-1]
		}
		b.WriteString(seg)
		last = g.end
	}
	b.WriteString(s[last:])
	return strings.TrimSpace(b.String())
}

// claimSpan is one sentence of an answer, with the markers that follow its
// full stop, at byte offsets [start, end).
type claimSpan struct {
	start, end int
	marked     bool // it holds a marker
}

// claimSpans splits a normalised answer into sentences (text.Sentences).
// Markers that open a sentence on the same line belong to the sentence
// before, as in "It rose. [1] Then it fell [2].", and a sentence of
// markers and punctuation only joins the one before.
func claimSpans(s string, groups []markerGroup) []claimSpan {
	var out []claimSpan
	for _, sp := range text.Sentences(s) {
		c := claimSpan{start: sp.Start, end: sp.End}
		if k := len(out); k > 0 {
			prev := &out[k-1]
			if !strings.Contains(s[prev.end:c.start], "\n") {
				for _, g := range groups {
					if g.start == c.start {
						prev.end = min(g.end, c.end)
						c.start = prev.end
						for c.start < c.end && s[c.start] == ' ' {
							c.start++
						}
					}
				}
			}
			if !hasWordChar(stripMarkerGroups(s[c.start:c.end])) {
				prev.end = max(prev.end, c.end)
				continue
			}
		}
		if c.start < c.end {
			out = append(out, c)
		}
	}
	for k := range out {
		for _, g := range groups {
			if g.start >= out[k].start && g.end <= out[k].end {
				out[k].marked = true
				break
			}
		}
	}
	return out
}

// hasWordChar reports whether s holds a letter or a digit.
func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// quoteSpan is a quotation of an answer: the opening mark at [open,
// openEnd) and the closing one at [close, closeEnd).
type quoteSpan struct {
	open, openEnd   int
	close, closeEnd int
}

// findQuotes returns the double-quoted spans of s. A quotation opens with
// ", “, „ or « and closes with the first fitting mark on the same line ("
// or ” after " and “; “, ” or " after „; » after «); an opening mark
// left unclosed at the end of a line is not a quotation.
func findQuotes(s string) []quoteSpan {
	var out []quoteSpan
	var open rune
	var q quoteSpan
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			open = 0
		case open == 0:
			if r == '"' || r == '“' || r == '„' || r == '«' {
				open = r
				q = quoteSpan{open: i, openEnd: i + size}
			}
		case closesQuote(open, r):
			q.close, q.closeEnd = i, i+size
			out = append(out, q)
			open = 0
		}
		i += size
	}
	return out
}

// closesQuote reports whether r closes a quotation opened with open.
func closesQuote(open, r rune) bool {
	switch open {
	case '"', '“':
		return r == '"' || r == '”'
	case '„':
		return r == '“' || r == '”' || r == '"'
	case '«':
		return r == '»'
	}
	return false
}

// attributeQuote returns the source numbers a quotation is attributed to:
// the first marker run after it in its sentence, else the markers inside
// it, else all markers before it in its sentence.
func attributeQuote(q quoteSpan, claims []claimSpan, groups []markerGroup) []int {
	in := func(pos int) (claimSpan, bool) {
		for _, c := range claims {
			if pos >= c.start && pos < c.end {
				return c, true
			}
		}
		return claimSpan{}, false
	}
	if c, ok := in(q.close); ok {
		for _, g := range groups {
			if g.start >= q.closeEnd && g.end <= c.end {
				return g.nums
			}
		}
	}
	var nums []int
	add := func(g markerGroup) {
		for _, n := range g.nums {
			if !slices.Contains(nums, n) {
				nums = append(nums, n)
			}
		}
	}
	for _, g := range groups {
		if g.start >= q.openEnd && g.end <= q.close {
			add(g)
		}
	}
	if len(nums) > 0 {
		return nums
	}
	if c, ok := in(q.open); ok {
		for _, g := range groups {
			if g.start >= c.start && g.end <= q.open {
				add(g)
			}
		}
	}
	return nums
}

// ClaimSentences returns, for each marker number of answer, the sentences
// of answer that cite it, in order, without their markers or a leading
// list bullet ("- ", "* ", "+ ", "• "), so that a
// caller can pick a quote for each source (see BestSentence). Markers are
// normalised first, with any number from 1 to 99 counted as valid, and
// markers right after a sentence's full stop belong to that sentence.
func ClaimSentences(answer string) map[int][]string {
	t := NormalizeMarkers(answer, maxMarkerNumber)
	groups := markerGroups(t)
	out := map[int][]string{}
	for _, c := range claimSpans(t, groups) {
		sentence := stripMarkerGroups(t[c.start:c.end])
		for _, bullet := range []string{"- ", "* ", "+ ", "• "} {
			sentence = strings.TrimSpace(strings.TrimPrefix(sentence, bullet))
		}
		if sentence == "" {
			continue
		}
		for _, g := range groups {
			if g.start < c.start || g.end > c.end {
				continue
			}
			for _, n := range g.nums {
				if !slices.Contains(out[n], sentence) {
					out[n] = append(out[n], sentence)
				}
			}
		}
	}
	return out
}

// BestSentence returns the sentence of sourceText (text.Sentences) that
// best supports claim, for a citation whose claim carried no verified
// quote: the one sharing the most content words with the claim (stop words
// left out, words compared by text.Stem), each shared word weighted by its
// rarity among the sentences of sourceText, the shorter sentence winning a
// tie. Markers in claim are ignored. ok is false when no sentence shares at
// least two content words with the claim.
func BestSentence(sourceText, claim string) (quote string, ok bool) {
	want := map[string]bool{}
	for _, tok := range text.Tokens(stripMarkerGroups(NormalizeMarkers(claim, maxMarkerNumber))) {
		if !text.IsStopword(tok) {
			want[text.Stem(tok)] = true
		}
	}
	if len(want) < 2 {
		return "", false
	}
	spans := text.Sentences(sourceText)
	shared := make([][]string, len(spans))
	df := map[string]int{}
	for i, sp := range spans {
		for _, tok := range text.Tokens(sourceText[sp.Start:sp.End]) {
			if text.IsStopword(tok) {
				continue
			}
			if st := text.Stem(tok); want[st] && !slices.Contains(shared[i], st) {
				shared[i] = append(shared[i], st)
				df[st]++
			}
		}
	}
	best, bestScore := -1, 0.0
	for i, sp := range spans {
		if len(shared[i]) < 2 {
			continue
		}
		score := 0.0
		for _, st := range shared[i] {
			score += math.Log(1 + float64(len(spans))/float64(df[st]))
		}
		const eps = 1e-9
		if best < 0 || score > bestScore+eps ||
			(score > bestScore-eps && sp.End-sp.Start < spans[best].End-spans[best].Start) {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return "", false
	}
	return sourceText[spans[best].Start:spans[best].End], true
}

// findFolded finds needle in haystack as text.ContainsFolded does, after
// folding both with text.Fold (Unicode NFC, case, whitespace runs, quote,
// apostrophe and dash style), and returns the byte offsets [start, end) of
// the match in the original haystack, so a quote can be shown in the
// stored wording. An occurrence that begins and ends at word boundaries is
// preferred to an earlier one inside words. ok is false when needle does
// not occur or folds to nothing.
func findFolded(haystack, needle string) (start, end int, ok bool) {
	return foldWithOffsets(haystack).find(text.Fold(needle))
}

// foldedText is a text folded with text.Fold, with the original byte range
// of every folded byte.
type foldedText struct {
	folded     string
	start, end []int32 // original offsets of folded byte k: [start[k], end[k])
}

// foldWithOffsets folds s exactly as text.Fold does while recording where
// each folded byte came from. Text in NFC (stored text always is) maps
// character by character; otherwise s is normalised one segment at a time
// (norm.NFC.NextBoundaryInString), and within a segment that normalisation
// changed every folded byte maps to the whole segment. The one difference
// from text.Fold: in text that is not in NFC and holds a run of more than
// 30 combining marks, text.Fold (through norm.NFC) inserts U+034F and
// reorders marks across the run, and this fold does not.
func foldWithOffsets(s string) *foldedText {
	ft := &foldedText{}
	var fb []byte
	emit := func(f string, from, to int) {
		fb = append(fb, f...)
		for range len(f) {
			ft.start = append(ft.start, int32(from))
			ft.end = append(ft.end, int32(to))
		}
	}
	space, spaceFrom, spaceTo := false, 0, 0
	isNFC := norm.NFC.IsNormalString(s)
	for i := 0; i < len(s); {
		n := 1
		if s[i] >= utf8.RuneSelf || (i+1 < len(s) && s[i+1] >= utf8.RuneSelf) {
			if isNFC {
				_, n = utf8.DecodeRuneInString(s[i:])
			} else if n = norm.NFC.NextBoundaryInString(s[i:], true); n <= 0 {
				n = len(s) - i
			}
		}
		seg := s[i : i+n]
		nseg := seg
		if !isNFC && n > 1 {
			nseg = norm.NFC.String(seg)
		}
		for j := 0; j < len(nseg); {
			r, size := utf8.DecodeRuneInString(nseg[j:])
			from, to := i, i+n
			if nseg == seg {
				from, to = i+j, i+j+size
			}
			f := foldRune(nseg[j : j+size])
			j += size
			if f == "" {
				if unicode.IsSpace(r) && len(fb) > 0 {
					if !space {
						spaceFrom = from
					}
					space, spaceTo = true, to
				}
				continue
			}
			if space {
				emit(" ", spaceFrom, spaceTo)
				space = false
			}
			emit(f, from, to)
		}
		i += n
	}
	ft.folded = string(fb)
	return ft
}

// foldRune folds one rune (its UTF-8 bytes) with text.Fold, taking a
// shortcut for the ASCII characters that folding keeps.
func foldRune(r string) string {
	if len(r) == 1 && r[0] > ' ' && r[0] < 0x7F && r[0]-'A' >= 26 && r[0] != '`' {
		return r
	}
	return text.Fold(r)
}

// find returns the original byte range of the folded needle nf in f,
// preferring an occurrence at word boundaries.
func (f *foldedText) find(nf string) (start, end int, ok bool) {
	if nf == "" {
		return 0, 0, false
	}
	first := -1
	for from := 0; from <= len(f.folded); {
		k := strings.Index(f.folded[from:], nf)
		if k < 0 {
			break
		}
		k += from
		if first < 0 {
			first = k
		}
		if f.wordAligned(k, k+len(nf)) {
			first = k
			break
		}
		from = k + 1
	}
	if first < 0 {
		return 0, 0, false
	}
	return int(f.start[first]), int(f.end[first+len(nf)-1]), true
}

// wordAligned reports whether folded[a:b] neither starts nor ends inside a
// word.
func (f *foldedText) wordAligned(a, b int) bool {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	if a > 0 {
		before, _ := utf8.DecodeLastRuneInString(f.folded[:a])
		first, _ := utf8.DecodeRuneInString(f.folded[a:b])
		if isWord(before) && isWord(first) {
			return false
		}
	}
	if b < len(f.folded) {
		after, _ := utf8.DecodeRuneInString(f.folded[b:])
		last, _ := utf8.DecodeLastRuneInString(f.folded[a:b])
		if isWord(after) && isWord(last) {
			return false
		}
	}
	return true
}
