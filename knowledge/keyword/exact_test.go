package keyword

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// synthPassage makes a passage of synthetic text in lang: words drawn from
// a small vocabulary with a few very common ones, so that document
// frequencies vary and scores tie rarely.
func synthPassage(rng *rand.Rand, id int64, lang string) Passage {
	vocab := map[string][]string{
		"en": {"harbour", "ferry", "ferries", "council", "approved", "storm", "bridge", "closed", "mayor", "budget",
			"election", "voters", "missile", "missiles", "minister", "defence", "defense", "strike", "striking", "union"},
		"de": {"hafen", "fähre", "fähren", "rat", "genehmigt", "sturm", "brücke", "gesperrt", "bürgermeister", "haushalt",
			"wahl", "wähler", "streik", "streiks", "offiziere", "offizieren", "minister", "taurus-marschflugkörper", "gewerkschaft", "bahn"},
	}[lang]
	n := 8 + rng.IntN(40)
	words := make([]string, n)
	for i := range words {
		k := int(float64(len(vocab)) * rng.Float64() * rng.Float64()) // skewed to the first words
		words[i] = vocab[k]
	}
	title := strings.Join([]string{vocab[rng.IntN(len(vocab))], vocab[rng.IntN(len(vocab))]}, " ")
	return Passage{ID: id, ArticleID: id, Language: lang, Title: title, Text: strings.Join(words, " ") + "."}
}

func analyse(p Passage) Analysis {
	var x Indexer
	x.SetArticle(p.Language, p.Title)
	return x.Passage(p.Text)
}

// A database after any sequence of writes, removals, merges and
// compactions scores every query exactly as a fresh index of the passages
// left does: same statistics, same document frequencies, same ranking and
// scores. On SQLite and on PostgreSQL (the index's SQL in both dialects).
func TestRemovalsKeepStatisticsExact(t *testing.T) {
	for _, backend := range testBackends {
		t.Run(backend, func(t *testing.T) { testRemovalsKeepStatisticsExact(t, backend) })
	}
}

func testRemovalsKeepStatisticsExact(t *testing.T, backend string) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			db := openBackendDB(t, backend)
			live := map[int64]Passage{}
			next := int64(1)
			for round := 0; round < 3*MergeFactor; round++ {
				tx, commit := begin(t, db)
				// Remove some live passages: usually a few, in the last
				// round very many (more than compactRemoved), from
				// segments no merge rewrites next.
				var removed []Removed
				want := rng.IntN(12)
				if round == 3*MergeFactor-1 {
					want = 2*compactRemoved + 200
				}
				ids := sortedIDs(live)
				rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				for _, id := range ids[:min(want, len(ids))] {
					removed = append(removed, Removed{ID: id, Analysis: analyse(live[id])})
					delete(live, id)
				}
				if err := MarkRemoved(ctx, tx, removed); err != nil {
					t.Fatal(err)
				}
				var b Builder
				adds := 10 + rng.IntN(60)
				if round < 3 {
					adds = 400
				}
				for i := 0; i < adds; i++ {
					lang := "en"
					if rng.IntN(3) == 0 {
						lang = "de"
					}
					p := synthPassage(rng, next, lang)
					next++
					live[p.ID] = p
					b.Add(p.ID, analyse(p))
				}
				if err := b.Seal().Write(ctx, tx, 0, nil); err != nil {
					t.Fatal(err)
				}
				if err := Merge(ctx, tx); err != nil {
					t.Fatal(err)
				}
				if err := commit(); err != nil {
					t.Fatal(err)
				}
			}
			fresh := openBackendDB(t, backend)
			var b Builder
			for _, id := range sortedIDs(live) {
				b.Add(id, analyse(live[id]))
			}
			if err := b.Seal().Write(ctx, fresh, 0, nil); err != nil {
				t.Fatal(err)
			}
			compareIndexes(t, db, fresh)
			stats, err := ReadStats(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			for lang, s := range stats {
				if s.Removed > compactRemoved {
					t.Errorf("%d removed passages of %q still wait in segments: no compaction", s.Removed, lang)
				}
			}
		})
	}
}

func sortedIDs(m map[int64]Passage) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// compareIndexes checks that got holds, scores and counts exactly what
// want does.
func compareIndexes(t *testing.T, got, want DB) {
	t.Helper()
	ctx := context.Background()
	gs, err := ReadStats(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ReadStats(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	for lang, w := range ws {
		g := gs[lang]
		if g.Passages != w.Passages || g.Tokens != w.Tokens || g.TitleTokens != w.TitleTokens {
			t.Errorf("statistics of %q: %+v, a fresh index has %+v", lang, g, w)
		}
	}
	gd, err := Dump(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	wd, err := Dump(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gd, wd) {
		t.Errorf("the index holds %d live passages, a fresh one %d", len(gd), len(wd))
	}
	for lang, w := range ws {
		terms := map[string]bool{}
		for _, p := range wd {
			for term := range p {
				terms[term] = true
			}
		}
		var list []string
		for term := range terms {
			list = append(list, term)
		}
		sort.Strings(list)
		gdf, err := DF(ctx, got, lang, list)
		if err != nil {
			t.Fatal(err)
		}
		wdf, err := DF(ctx, want, lang, list)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gdf, wdf) {
			t.Errorf("document frequencies of %q differ:\n got %v\nwant %v", lang, gdf, wdf)
		}
		avg := float64(w.Tokens+w.TitleTokens) / float64(max(w.Passages, 1))
		for i := 0; i+3 <= len(list); i += 3 {
			idf := map[string]float64{list[i]: 1.5, list[i+1]: 0.7, list[i+2]: 2.1}
			for _, limit := range []int{5, 40} {
				gr, err := Score(ctx, got, lang, idf, BM25{K1: 1.2, B: 0.75, TitleWeight: 2.5, AvgLength: avg, Removed: gs[lang].Removed}, limit)
				if err != nil {
					t.Fatal(err)
				}
				wr, err := Score(ctx, want, lang, idf, BM25{K1: 1.2, B: 0.75, TitleWeight: 2.5, AvgLength: avg}, limit)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(gr, wr) {
					t.Errorf("%q, terms %v, top %d:\n got %v\nwant %v", lang, list[i:i+3], limit, gr, wr)
				}
			}
		}
	}
}
