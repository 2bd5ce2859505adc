package story

import (
	"math"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

// Cross-language grouping parameters: two stories written in different
// languages are one when an embeddings model finds their leads at least
// crossLanguageSimilarity alike (cosine) and their newest reports are
// within Window of each other.
const (
	// CrossLanguageStories is how many of a digest's best ranked stories
	// are compared across languages, in one embeddings request.
	CrossLanguageStories = 48
	// CrossLanguageLeadRunes bounds the text of a story (its first
	// report's headline and lead) that is embedded.
	CrossLanguageLeadRunes = 600

	crossLanguageSimilarity = 0.8
)

// CrossLanguage decides which of the stories, best ranked first, are one
// story told in several languages: story i is written in langs[i], its
// newest report is from latest[i], and vecs[i] embeds its lead. It
// returns, for each story, the index of the better ranked story it joins,
// or its own index. A story joins the first better ranked one, itself
// joining none, in another language whose lead is alike and whose newest
// report is within Window of its own.
func CrossLanguage(langs []string, latest []time.Time, vecs [][]float32) []int {
	n := len(langs)
	into := make([]int, n)
	for i := range into {
		into[i] = i
	}
	for j := 1; j < n; j++ {
		for i := 0; i < j; i++ {
			if into[i] != i || langs[i] == langs[j] {
				continue
			}
			gap := latest[i].Sub(latest[j])
			if gap < -Window || gap > Window {
				continue
			}
			if cosine(vecs[i], vecs[j]) >= crossLanguageSimilarity {
				into[j] = i
				break
			}
		}
	}
	return into
}

// Language is the language most of a story's articles declare (declared
// holds each article's language as stored, "" when it has none); an
// article that declares none counts as the language of lead, the first
// article's headline and lead (English when it cannot be told). Among
// equals the first counted wins.
func Language(declared []string, lead string) string {
	count := map[string]int{}
	best := ""
	for _, d := range declared {
		lang := text.LanguageCode(d)
		if lang == "" {
			lang = text.DetectLanguage(lead, "en")
		}
		count[lang]++
		if best == "" || count[lang] > count[best] {
			best = lang
		}
	}
	return best
}

// Rank is what ranks a story in a digest.
type Rank struct {
	ID int64 // the story's id
	// Outlets is how many distinct outlets report it.
	Outlets int
	// Reports is how many of the period's articles report it.
	Reports int
	// Latest is when its newest report was published (or first seen).
	Latest time.Time
}

// Before reports whether the story a ranks before b: more outlets first,
// then more reports (an outlet's follow-ups make a bigger story than one
// piece), then the more recent, then the lower id.
func Before(a, b Rank) bool {
	if a.Outlets != b.Outlets {
		return a.Outlets > b.Outlets
	}
	if a.Reports != b.Reports {
		return a.Reports > b.Reports
	}
	if !a.Latest.Equal(b.Latest) {
		return a.Latest.After(b.Latest)
	}
	return a.ID < b.ID
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
