// Package boilerplate finds an outlet's boilerplate. The rules of
// text.Boilerplate recognise kinds of site furniture sentence by
// sentence; what they miss (a registration notice in a site's own words,
// a sponsor credit) shows in a store of articles: the same sentence, word
// for word, in many articles of one outlet that are about different
// things. Counted over the newest WindowSize articles of an outlet (see
// Window), a sentence held by at least five of them, at least four in
// five of those sharing no word with their headline, is that outlet's
// boilerplate from then on.
//
// Counting is per outlet (and per server scope), so a wire story that many
// outlets run is never boilerplate, and a sentence that news repeats about
// one story (a quote, a background line) shares words with the headlines
// of the articles that repeat it. Reported speech is never counted.
//
// A sentence is known by its key (see Counted): a 64-bit FNV-1a hash of
// the scope, the outlet and the sentence's words. Keys are stored by the
// caller, so they are a format: changing them forgets what was found.
//
// This is the pure part of the work: keys, the sentences of an article
// that count, an outlet's window and what recurs in it, the set of
// sentences found (Set) and the parts of a text it covers. The caller
// keeps the windows, reads and records what is found, drops it from the
// text of new articles (DropSentences) and blanks it out of stored text
// where it is read (Readable).
package boilerplate

import (
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// WindowSize is how many of an outlet's newest articles are counted.
const WindowSize = 200

// Thresholds of a sentence's counts and size.
const (
	boilerMinArticles = 5
	// boilerOfftopicNum/Den: offtopic*5 >= articles*4.
	boilerOfftopicNum, boilerOfftopicDen = 4, 5
	boilerMinTokens                      = 3
	boilerMaxTokens                      = 60
	boilerMaxBytes                       = 600 // longer sentences have more than boilerMaxTokens tokens anyway
)

// Sentence is one distinct sentence of an article, as counted for its
// outlet.
type Sentence struct {
	Key int64 // the sentence's key in its article's scope
	// Offtopic reports that the sentence shares no content word with the
	// article's headline.
	Offtopic bool
}

// Outlet names the outlet whose boilerplate an article shares: its
// source folded ("" when it names none: only named outlets have
// boilerplate of their own).
func Outlet(source string) string {
	return strings.ToLower(strings.Join(strings.Fields(source), " "))
}

// A sentence's key is a 64-bit FNV-1a hash of the scope (the server, ""
// for the operator's), the outlet and the sentence's words (see
// nextWord): case and punctuation do not count. Keys are stored (by the
// store in outlet_boilerplate.key), so this is a format: changing it
// forgets what was found.

// fnvPrime is FNV-1a's 64-bit prime.
const fnvPrime = 1099511628211

// scopeHash is the hash state after the scope and the outlet.
func scopeHash(guild, outlet string) uint64 {
	return hashPart(hashPart(14695981039346656037, guild), outlet)
}

// hashPart goes on hashing h with s and a zero byte after it.
func hashPart(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h * fnvPrime
}

// hashWord goes on hashing h with a word and a zero byte after it.
func hashWord(h uint64, w []byte) uint64 {
	for _, c := range w {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h * fnvPrime
}

// nextWord returns the next word of s from byte i on, lowercased into
// buf, and the offset after it; a word is a run of ASCII letters and
// digits and of the bytes of other characters (kept as they are); every
// other byte separates words. ok is false when no word is left.
func nextWord(s string, i int, buf []byte) (w []byte, next int, ok bool) {
	for i < len(s) && !isWordByte(s[i]) {
		i++
	}
	if i == len(s) {
		return nil, i, false
	}
	w = buf[:0]
	for ; i < len(s) && isWordByte(s[i]); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		w = append(w, c)
	}
	return w, i, true
}

func isWordByte(c byte) bool {
	return c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// sentenceKeys returns the keys of a sentence in guild's scope and in the
// operator's (the same when guild is ""), and its number of words.
func sentenceKeys(s string, scope, operator uint64, buf []byte) (key, opKey int64, words int, _ []byte) {
	h, o := scope, operator
	for i := 0; ; {
		var w []byte
		var ok bool
		if w, i, ok = nextWord(s, i, buf); !ok {
			break
		}
		buf = w
		h, o = hashWord(h, w), hashWord(o, w)
		words++
	}
	return int64(h), int64(o), words, buf
}

// wordHead is the prefix of a word that decides whether a sentence's
// word meets a headline's: its first four bytes (so "banks" meets "bank"
// and "council" "councillor"; a rough stem is enough for telling a
// sentence unrelated to its headline).
func wordHead(w []byte) string { return string(w[:min(4, len(w))]) }

// hasQuoteMark reports whether s holds a quotation mark: " “ ” „ « ».
func hasQuoteMark(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			return true
		case 0xE2: // “ ” „ are E2 80 9C..9E
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] >= 0x9C && s[i+2] <= 0x9E {
				return true
			}
		case 0xC2: // « » are C2 AB, C2 BB
			if i+1 < len(s) && (s[i+1] == 0xAB || s[i+1] == 0xBB) {
				return true
			}
		}
	}
	return false
}

// speechWords mark reported speech, which is never boilerplate.
var speechWords = map[string]bool{"said": true, "says": true, "told": true, "according": true, "asked": true, "sagte": true, "sagt": true}

// Counted returns the distinct sentences of body (an article of outlet,
// see Outlet, headed title, in the language lang and guild's scope) that
// are counted for its outlet, each with its key and whether it shares no
// content word with the headline, and the sentences that known holds as
// the outlet's boilerplate. sents are body's sentences when the caller has
// them (nil: found here). An article of no outlet ("") counts none.
func Counted(body string, sents []text.Span, title, guild, outlet, lang string, known *Set) ([]Sentence, []text.Span) {
	if outlet == "" {
		return nil, nil
	}
	if sents == nil {
		sents = text.Sentences(body)
	}
	an := text.AnalyzerFor(lang)
	if an.Language() == "" {
		// Undeclared: English stop words, which leave a sentence of
		// another language sharing more words with its headline, so
		// less likely to be taken for boilerplate.
		an = text.AnalyzerFor("en")
	}
	var buf []byte
	heads := map[string]bool{}
	for i := 0; ; {
		var w []byte
		var ok bool
		if w, i, ok = nextWord(title, i, buf); !ok {
			break
		}
		buf = w
		if !an.IsStopword(string(w)) {
			heads[wordHead(w)] = true
		}
	}
	seen := map[int64]bool{}
	var out []Sentence
	var drop []text.Span
	scope, operator := scopeHash(guild, outlet), scopeHash("", outlet)
	for _, sp := range sents {
		s := body[sp.Start:sp.End]
		if len(s) > boilerMaxBytes {
			continue
		}
		var k, op int64
		var words int
		k, op, words, buf = sentenceKeys(s, scope, operator, buf)
		if words < boilerMinTokens || words > boilerMaxTokens {
			continue
		}
		if known.hasKey(k, op) {
			drop = append(drop, sp)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		off, speech := true, false
		quoted := hasQuoteMark(s)
		for i := 0; ; {
			var w []byte
			var ok bool
			if w, i, ok = nextWord(s, i, buf); !ok {
				break
			}
			buf = w
			if quoted && speechWords[string(w)] {
				speech = true
				break
			}
			if off && len(w) >= 3 && heads[wordHead(w)] && !an.IsStopword(string(w)) {
				off = false
				if !quoted {
					break
				}
			}
		}
		if !speech {
			out = append(out, Sentence{Key: k, Offtopic: off})
		}
	}
	return out, drop
}

// Set is the boilerplate sentences found, by key. It is immutable once
// made; the nil set holds nothing.
type Set struct {
	keys map[int64]struct{}
}

// With returns a new set holding the keys of s and keys.
func (s *Set) With(keys []int64) *Set {
	next := &Set{keys: make(map[int64]struct{}, len(keys))}
	if s != nil {
		for k := range s.keys {
			next.keys[k] = struct{}{}
		}
	}
	for _, k := range keys {
		next.keys[k] = struct{}{}
	}
	return next
}

// hasKey reports whether a sentence, by its keys in the article's scope
// and in the operator's, is boilerplate.
func (s *Set) hasKey(key, opKey int64) bool {
	if s == nil || len(s.keys) == 0 {
		return false
	}
	if _, ok := s.keys[key]; ok {
		return true
	}
	_, ok := s.keys[opKey]
	return ok
}

// Spans returns the sentences of body that are the outlet's boilerplate.
func (s *Set) Spans(body, guild, outlet string) []text.Span {
	if s == nil || len(s.keys) == 0 || outlet == "" {
		return nil
	}
	var out []text.Span
	var buf []byte
	scope, operator := scopeHash(guild, outlet), scopeHash("", outlet)
	for _, sp := range text.Sentences(body) {
		if sp.End-sp.Start > boilerMaxBytes {
			continue
		}
		var k, op int64
		var words int
		k, op, words, buf = sentenceKeys(body[sp.Start:sp.End], scope, operator, buf)
		if words >= boilerMinTokens && words <= boilerMaxTokens && s.hasKey(k, op) {
			out = append(out, sp)
		}
	}
	return out
}

// unreadableSpans returns the parts of an article's text body that no
// answer, summary or lead may use: the lines and sentences the ingest
// rules take for boilerplate (text stored before the rules had them, or
// text the rules see differently now) and the outlet's boilerplate
// sentences of set (the article is of source in guild's scope). The spans
// are sorted and do not overlap.
func unreadableSpans(body, source, guild string, set *Set) []text.Span {
	spans := text.Boilerplate(body, source)
	if more := set.Spans(body, guild, Outlet(source)); len(more) > 0 {
		spans = append(spans, more...)
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
		merged := spans[:1]
		for _, sp := range spans[1:] {
			if last := &merged[len(merged)-1]; sp.Start <= last.End {
				last.End = max(last.End, sp.End)
			} else {
				merged = append(merged, sp)
			}
		}
		spans = merged
	}
	return spans
}

// blankSpans returns s with the bytes of spans replaced by spaces: every
// other byte keeps its offset, so what is quoted from the result is quoted
// from s.
func blankSpans(s string, spans []text.Span) string {
	if len(spans) == 0 {
		return s
	}
	b := []byte(s)
	for _, sp := range spans {
		for i := max(sp.Start, 0); i < min(sp.End, len(b)); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// Readable returns an article's text body as answers, summaries and
// leads may use it: the boilerplate the rules of text.Boilerplate find
// and the sentences of set of its outlet (source, in guild's scope)
// blanked out, every other byte where it is stored.
func Readable(body, source, guild string, set *Set) string {
	return blankSpans(body, unreadableSpans(body, source, guild, set))
}

// DropSentences returns s without the sentences spans cover, keeping its
// paragraphs (a line that loses some sentences keeps the others, joined by
// a space; a line that loses all goes).
func DropSentences(s string, spans []text.Span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.Start])
		prev = sp.End
	}
	b.WriteString(s[prev:])
	lines := strings.Split(b.String(), "\n")
	kept := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			blank = len(kept) > 0
			continue
		}
		if blank {
			kept = append(kept, "")
			blank = false
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "\n")
}

// Window is an outlet's newest articles: the counted sentences of each
// (oldest first), at most WindowSize. The zero Window is empty.
type Window struct {
	ids  []int64
	keys [][]Sentence
}

// Push adds an article as the newest, replacing its older copy (an
// updated article), and drops the oldest beyond WindowSize.
func (w *Window) Push(id int64, keys []Sentence) {
	for i, old := range w.ids {
		if old == id {
			w.ids = append(w.ids[:i], w.ids[i+1:]...)
			w.keys = append(w.keys[:i], w.keys[i+1:]...)
			break
		}
	}
	w.ids = append(w.ids, id)
	w.keys = append(w.keys, keys)
	if over := len(w.ids) - WindowSize; over > 0 {
		w.ids = append(w.ids[:0:0], w.ids[over:]...)
		w.keys = append(w.keys[:0:0], w.keys[over:]...)
	}
}

// Found is a sentence found to be an outlet's boilerplate: its key, how
// many articles of the window hold it and in how many of those it is off
// their topic, and the newest article holding it.
type Found struct {
	Key                int64
	Articles, Offtopic int
	Article            int64
}

// Found counts the sentences of the window and returns those that are
// boilerplate and not in known yet, sorted by key.
func (w *Window) Found(known *Set) []Found {
	type count struct {
		articles, offtopic int
		article            int64
	}
	counts := map[int64]*count{}
	for i, ks := range w.keys {
		for _, k := range ks {
			c := counts[k.Key]
			if c == nil {
				c = &count{}
				counts[k.Key] = c
			}
			c.articles++
			c.article = w.ids[i]
			if k.Offtopic {
				c.offtopic++
			}
		}
	}
	var out []Found
	for k, c := range counts {
		if _, ok := known.keySet()[k]; ok || !isBoilerplateCount(c.articles, c.offtopic) {
			continue
		}
		out = append(out, Found{Key: k, Articles: c.articles, Offtopic: c.offtopic, Article: c.article})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// SentenceText returns the first sentence of body whose key in guild's
// scope for outlet is key, its whitespace folded, or "" when none is.
func SentenceText(body, guild, outlet string, key int64) string {
	scope := scopeHash(guild, outlet)
	var buf []byte
	for _, sp := range text.Sentences(body) {
		s := body[sp.Start:sp.End]
		var k int64
		if k, _, _, buf = sentenceKeys(s, scope, scope, buf); k == key {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return ""
}

// keySet returns the set's keys (none for the nil set).
func (s *Set) keySet() map[int64]struct{} {
	if s == nil {
		return nil
	}
	return s.keys
}

// isBoilerplateCount applies the thresholds to a sentence's counts.
func isBoilerplateCount(articles, offtopic int) bool {
	return articles >= boilerMinArticles && offtopic*boilerOfftopicDen >= articles*boilerOfftopicNum
}
