package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passages groups consecutive sentences of s (as returned by [Sentences])
// into passages of about minWords to maxWords words ([CountWords]) and
// returns their byte ranges. Every passage starts at a sentence start and
// ends at a sentence end; sentences are never split, and together the
// passages cover all the sentences in order.
//
// Passages are built left to right. From its first sentence a passage may
// grow, one sentence at a time, while it stays within maxWords words.
// Among the sentence boundaries where it would hold at least minWords
// words, it closes at the one nearest the target T = (2*minWords +
// maxWords)/3 words (150 for Herald's 100..250), preferring boundaries at
// a paragraph break (a blank line) to all others, so passages keep to
// paragraphs whenever one ends between minWords and maxWords. Exceptions:
// when the rest of the text fits within maxWords it becomes one passage;
// a sentence longer than maxWords is a passage of its own, and the text
// before it closes there; when a passage is still short of minWords but the
// next sentence would take it past maxWords, that sentence joins it anyway.
// A passage shorter than minWords/2 words (a short tail, or a short run
// before an overlong sentence) joins the previous passage unless that one
// is an overlong sentence. Bounds below 1 are treated as 1, and minWords
// above maxWords as maxWords.
func Passages(s string, sentences []Span, minWords, maxWords int) []Span {
	if len(sentences) == 0 {
		return nil
	}
	maxWords = max(maxWords, 1)
	minWords = min(max(minWords, 1), maxWords)
	target := (2*minWords + maxWords) / 3

	words := make([]int, len(sentences))
	total := 0
	for i, sp := range sentences {
		words[i] = CountWords(s[sp.Start:sp.End])
		total += words[i]
	}
	passages := make([]Span, 0, total/target+1)
	lastLong := false // whether the last passage is one overlong sentence
	emit := func(from, to, n int) {
		sp := Span{sentences[from].Start, sentences[to-1].End}
		if n < minWords/2 && len(passages) > 0 && !lastLong {
			passages[len(passages)-1].End = sp.End
			return
		}
		passages = append(passages, sp)
		lastLong = false
	}
	for i := 0; i < len(sentences); {
		if words[i] > maxWords {
			passages = append(passages, sentences[i])
			lastLong = true
			i++
			continue
		}
		// Grow over sentences i..j-1 while they fit, remembering the best
		// place to close.
		n, j := 0, i
		best, bestN, bestPara := -1, 0, false
		for j < len(sentences) && n+words[j] <= maxWords {
			n += words[j]
			j++
			if n < minWords {
				continue
			}
			para := j < len(sentences) && isParagraphBreak(s[sentences[j-1].End:sentences[j].Start])
			if best < 0 || (para && !bestPara) || (para == bestPara && abs(n-target) < abs(bestN-target)) {
				best, bestN, bestPara = j, n, para
			}
		}
		switch {
		case j == len(sentences) || words[j] > maxWords:
			emit(i, j, n)
			i = j
		case best < 0:
			emit(i, j+1, n+words[j])
			i = j + 1
		default:
			emit(i, best, bestN)
			i = best
		}
	}
	return passages
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
