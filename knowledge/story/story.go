// Package story recognises stories: it groups the reports of one event,
// from one outlet or several, by nearly identical texts (SimHash
// fingerprints, as when outlets run one wire report) or by the
// distinctive words their headlines and leads share; it merges stories
// told in different languages when an embeddings model finds their leads
// alike; and it ranks stories for a digest.
//
// It is pure work on its arguments: no I/O, no clock, no package state.
// It knows nothing of the store: the caller reads the articles, their
// fingerprints and leads, asks for the embeddings, and records the
// stories it is given.
package story

import (
	"math"
	"math/bits"
	"sort"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

// Grouping parameters. Two articles report the same story when they were
// published within Window of each other, are visible together (same
// server, or one of them the operator's), are written in the same
// language and either have nearly the same text (fingerprints at most
// fingerprintBits apart) or share enough of the distinctive words of
// their headlines and leads (weighted Jaccard at least minOverlap, with
// at least minShared shared stems of their language). Reports in
// different languages share names but few words, and names alone do not
// make one story: they are grouped only with an embeddings model (see
// CrossLanguage).
const (
	// Window is how far apart in time two reports of one story may be.
	Window = 3 * 24 * time.Hour
	// LeadTokens is how many words of the lead Terms reads after the
	// headline.
	LeadTokens = 60
	// MinFingerprint is how many tokens a text needs for its fingerprint
	// to count (Doc.FingerprintOK).
	MinFingerprint = 40

	fingerprintBits = 4
	// minOverlap was read off the cross-outlet pairs within Window of a
	// news corpus (2,000 articles of summer 2022): of the 52 pairs from
	// 0.20 to 0.25, all but a few were one story (the others were daily
	// roundups listing several), while 0.25 left reports of one event,
	// such as the Abe shooting or the gas-tax holiday, as separate
	// stories; below 0.20 different events sharing a theme (two central
	// banks' rate rises, two wildfires) begin to meet.
	minOverlap     = 0.20
	minShared      = 4
	candidateTerms = 12 // rarest words of an article used to find candidates
)

// Doc is what grouping knows of one article.
type Doc struct {
	ID int64
	// Story is the article's story, 0 when it has none yet.
	Story int64
	// Guild is the Discord server the article belongs to, "" for the
	// operator's (visible to every server).
	Guild string
	// Lang is the article's language, an ISO 639-1 code, declared or
	// detected.
	Lang string
	// At is when it was published (Unix seconds), or for an undated
	// feed item when it was fetched.
	At int64
	// Fingerprint is the SimHash of its text; it counts only when
	// FingerprintOK (the text holds at least MinFingerprint tokens).
	Fingerprint   uint64
	FingerprintOK bool
	// Terms are the distinct stems of its headline and lead, sorted (see
	// Terms).
	Terms []string
}

// Update assigns the article ID to the story Story.
type Update struct{ ID, Story int64 }

// Terms returns the distinct stems, in the analyzer's language, of the
// content words of a headline and the first LeadTokens words of its
// article's lead, sorted. buf is a token buffer to reuse; Terms returns it
// grown.
func Terms(a *text.Analyzer, title, lead string, buf []string) ([]string, []string) {
	seen := map[string]bool{}
	var out []string
	add := func(toks []string) {
		for _, t := range toks {
			if a.IsStopword(t) {
				continue
			}
			s := a.Stem(t)
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	buf = text.AppendTokens(buf[:0], title)
	add(buf)
	buf = text.AppendTokens(buf[:0], lead)
	if len(buf) > LeadTokens {
		buf = buf[:LeadTokens]
	}
	add(buf)
	sort.Strings(out)
	return out, buf
}

// Group assigns a story to every doc without one dated at or after from
// (Unix seconds), in date order: the story of the most similar doc within
// Window that it may be grouped with, or its own, whose id is its own
// article id. docs are sorted by date; Group sets their Story and returns
// the assignments it made.
func Group(docs []*Doc, from int64) []Update {
	df := map[string]int{}
	postings := map[string][]int{}
	for i, d := range docs {
		for _, t := range d.Terms {
			df[t]++
			postings[t] = append(postings[t], i)
		}
	}
	n := float64(len(docs))
	weight := func(t string) float64 { return math.Log(1 + n/float64(df[t])) }
	window := int64(Window / time.Second)
	var updates []Update
	for i, d := range docs {
		if d.Story != 0 || d.At < from {
			continue
		}
		best, bestScore := -1, 0.0
		consider := func(j int, score float64) {
			if score > bestScore || (score == bestScore && best >= 0 && j < best) {
				best, bestScore = j, score
			}
		}
		visible := func(o *Doc) bool {
			return o.Story != 0 && abs64(o.At-d.At) <= window && (o.Guild == d.Guild || o.Guild == "" || d.Guild == "") && o.Lang == d.Lang
		}
		// Near-duplicate texts: scan the window around d.
		if d.FingerprintOK {
			for j := i - 1; j >= 0 && d.At-docs[j].At <= window; j-- {
				if o := docs[j]; o.FingerprintOK && visible(o) && bits.OnesCount64(o.Fingerprint^d.Fingerprint) <= fingerprintBits {
					consider(j, 2)
				}
			}
			for j := i + 1; j < len(docs) && docs[j].At-d.At <= window; j++ {
				if o := docs[j]; o.FingerprintOK && visible(o) && bits.OnesCount64(o.Fingerprint^d.Fingerprint) <= fingerprintBits {
					consider(j, 2)
				}
			}
		}
		// Shared distinctive words: candidates from the rarest of d's terms
		// that other articles use too.
		if best < 0 && len(d.Terms) >= minShared {
			var rare []string
			for _, t := range d.Terms {
				if df[t] > 1 {
					rare = append(rare, t)
				}
			}
			sort.SliceStable(rare, func(a, b int) bool { return df[rare[a]] < df[rare[b]] })
			if len(rare) > candidateTerms {
				rare = rare[:candidateTerms]
			}
			tried := map[int]bool{}
			for _, t := range rare {
				for _, j := range postings[t] {
					if j == i || tried[j] || !visible(docs[j]) {
						continue
					}
					tried[j] = true
					if s, shared := weightedJaccard(d.Terms, docs[j].Terms, weight); shared >= minShared && s >= minOverlap {
						consider(j, s)
					}
				}
			}
		}
		d.Story = d.ID
		if best >= 0 {
			d.Story = docs[best].Story
		}
		updates = append(updates, Update{d.ID, d.Story})
	}
	return updates
}

// weightedJaccard compares two sorted term lists: the weight of the terms
// they share over the weight of all their terms, and how many they share.
func weightedJaccard(a, b []string, weight func(string) float64) (float64, int) {
	var inter, union float64
	shared := 0
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			union += weight(a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			union += weight(b[j])
			j++
		default:
			w := weight(a[i])
			inter += w
			union += w
			shared++
			i++
			j++
		}
	}
	if union == 0 {
		return 0, 0
	}
	return inter / union, shared
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
