package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passages groups consecutive sentences of s (as returned by [Sentences])
// into passages of about minWords to maxWords words ([CountWords]) and
// returns their byte ranges, which index s exactly. No passage has more
// than maxWords words or maxWords*maxBytesPerWord bytes (at least
// minPassageBytes), whatever the text: a sentence longer than that (a feed
// description without a full stop, a list run together) is cut into
// pieces first, at word boundaries, into as few pieces as the limits allow
// and of about even length, each cut preferring the end of a clause (a
// word ending in , ; or :) in its last third; only a single "word" longer
// than the byte limit is cut inside, at a character boundary. Otherwise
// every passage starts at a sentence start and ends at a sentence end, and
// together the passages cover all the sentences in order.
//
// Passages are built left to right, over sentences and pieces alike. From
// its first sentence a passage may grow, one sentence at a time, while it
// stays within the limits. Among the sentence boundaries where it would
// hold at least minWords words, it closes at the one nearest the target
// T = (2*minWords + maxWords)/3 words (150 for Herald's 100..250),
// preferring boundaries at a paragraph break (a blank line) to all
// others, so passages keep to paragraphs whenever one ends between
// minWords and maxWords. When the rest of the text fits it becomes one
// passage; when a passage is still short of minWords but the next sentence
// would take it past the limits, it closes short. A passage shorter than
// minWords/2 words (a short tail, or a short run before a long sentence)
// joins the previous passage when the two fit the limits together. Bounds
// below 1 are treated as 1, and minWords above maxWords as maxWords.
func Passages(s string, sentences []Span, minWords, maxWords int) []Span {
	if len(sentences) == 0 {
		return nil
	}
	maxWords = max(maxWords, 1)
	minWords = min(max(minWords, 1), maxWords)
	maxBytes := max(maxWords*maxBytesPerWord, minPassageBytes)
	target := (2*minWords + maxWords) / 3

	units, words := sentences, make([]int, len(sentences))
	total := 0
	for i, sp := range sentences {
		words[i] = CountWords(s[sp.Start:sp.End])
		total += words[i]
		if words[i] > maxWords || sp.End-sp.Start > maxBytes {
			units, words = cutSentences(s, sentences, words[:i+1], maxWords, maxBytes)
			total = 0
			for _, n := range words {
				total += n
			}
			break
		}
	}
	size := func(from, to int) int { return units[to-1].End - units[from].Start }

	passages := make([]Span, 0, total/target+1)
	counts := make([]int, 0, cap(passages)) // words per passage
	emit := func(from, to, n int) {
		sp := Span{units[from].Start, units[to-1].End}
		if last := len(passages) - 1; n < minWords/2 && last >= 0 &&
			counts[last]+n <= maxWords && sp.End-passages[last].Start <= maxBytes {
			passages[last].End = sp.End
			counts[last] += n
			return
		}
		passages = append(passages, sp)
		counts = append(counts, n)
	}
	for i := 0; i < len(units); {
		// Grow over units i..j-1 while they fit, remembering the best
		// place to close. Every unit fits on its own.
		n, j := 0, i
		best, bestN, bestPara := -1, 0, false
		for j < len(units) && (j == i || (n+words[j] <= maxWords && size(i, j+1) <= maxBytes)) {
			n += words[j]
			j++
			if n < minWords {
				continue
			}
			para := j < len(units) && isParagraphBreak(s[units[j-1].End:units[j].Start])
			if best < 0 || (para && !bestPara) || (para == bestPara && abs(n-target) < abs(bestN-target)) {
				best, bestN, bestPara = j, n, para
			}
		}
		if j == len(units) || best < 0 {
			emit(i, j, n)
			i = j
			continue
		}
		emit(i, best, bestN)
		i = best
	}
	return passages
}

const (
	// maxBytesPerWord bounds a passage's bytes per word of its word limit:
	// far above real prose (about 6 bytes a word in English, 7 in German),
	// it only stops text that is not prose (long URLs, a run of symbols,
	// a word without end).
	maxBytesPerWord = 16
	// minPassageBytes is the least byte limit of a passage, for tiny word
	// limits.
	minPassageBytes = 256
)

// cutSentences returns the sentences with each one over the limits cut
// into pieces (see cutSentence), and the words of each. words holds the
// word counts of the first sentences, already computed.
func cutSentences(s string, sentences []Span, words []int, maxWords, maxBytes int) ([]Span, []int) {
	units := make([]Span, 0, len(sentences)+8)
	counts := make([]int, 0, cap(units))
	for i, sp := range sentences {
		var n int
		if i < len(words) {
			n = words[i]
		} else {
			n = CountWords(s[sp.Start:sp.End])
		}
		if n <= maxWords && sp.End-sp.Start <= maxBytes {
			units, counts = append(units, sp), append(counts, n)
			continue
		}
		from := len(units)
		units = cutSentence(units, s, sp, n, maxWords, maxBytes)
		for _, p := range units[from:] {
			counts = append(counts, CountWords(s[p.Start:p.End]))
		}
	}
	return units, counts
}

// cutSentence appends to dst the pieces of the sentence sp of s, which has
// n words: as few as hold at most maxWords words and maxBytes bytes each,
// of about even length, each ending at a word boundary (at the end of a
// clause in its last third when there is one) and without surrounding
// whitespace.
func cutSentence(dst []Span, s string, sp Span, n, maxWords, maxBytes int) []Span {
	pieces := max((n+maxWords-1)/maxWords, (sp.End-sp.Start+maxBytes-1)/maxBytes, 1)
	limit := max((n+pieces-1)/pieces, 1) // words per piece
	i := sp.Start
	for {
		i = skipSpaces(s, i, sp.End)
		if i >= sp.End {
			return dst
		}
		start, end := i, i
		words := 0
		clause, clauseWords := -1, 0
		for i < sp.End {
			ws := i
			alnum := false
			for i < sp.End {
				r, size := rune(s[i]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(s[i:])
				}
				if isCountSpace(r) {
					break
				}
				alnum = alnum || isWordRune(r)
				i += size
			}
			if i-start > maxBytes {
				if end == start {
					// One word longer than a passage: cut it.
					end = start + maxBytes
					for end > start && !utf8.RuneStart(s[end]) {
						end--
					}
				}
				i = end
				break
			}
			if alnum && words == limit {
				i = ws
				break
			}
			if alnum {
				words++
			}
			end = i
			if c := s[i-1]; c == ',' || c == ';' || c == ':' {
				clause, clauseWords = i, words
			}
			i = skipSpaces(s, i, sp.End)
		}
		if i < sp.End && clause > start && clause < end && clauseWords*3 >= limit*2 {
			end = clause
		}
		dst = append(dst, Span{start, end})
		i = end
	}
}

// skipSpaces returns the index of the first byte of s[i:end] that does not
// start a space as CountWords sees spaces, or end.
func skipSpaces(s string, i, end int) int {
	for i < end {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !isCountSpace(r) {
			break
		}
		i += size
	}
	return i
}

// isCountSpace and isWordRune classify runes as CountWords does.
func isCountSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || uint32(r-'\t') <= '\r'-'\t'
	}
	return unicode.IsSpace(r)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiTokenClass[r] != tcSep
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// isParagraphBreak reports whether the text between two sentences holds a
// blank line.
func isParagraphBreak(gap string) bool {
	first := strings.IndexByte(gap, '\n')
	if first < 0 {
		return strings.ContainsRune(gap, 0x2029)
	}
	return strings.IndexByte(gap[first+1:], '\n') >= 0
}

// CountWords returns the number of words in s: runs of non-space characters
// that contain at least one letter or digit, so a lone dash or bullet does
// not count.
func CountWords(s string) int {
	count := 0
	inWord, counted := false, false
	for i := 0; i < len(s); {
		var space, alnum bool
		if c := s[i]; c < utf8.RuneSelf {
			class := asciiTokenClass[c]
			if class != tcSep && !inWord {
				// The common case, a word of ASCII letters and digits:
				// count it and skip to its end.
				count++
				i++
				for i < len(s) && s[i] < utf8.RuneSelf && asciiTokenClass[s[i]] != tcSep {
					i++
				}
				inWord, counted = true, true
				continue
			}
			space = c == ' ' || c-'\t' <= '\r'-'\t'
			alnum = class != tcSep
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			alnum = unicode.IsLetter(r) || unicode.IsNumber(r)
			i += size
		}
		if space {
			inWord = false
			continue
		}
		if !inWord {
			inWord, counted = true, false
		}
		if alnum && !counted {
			counted = true
			count++
		}
	}
	return count
}
