package keyword

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// testPassages are the passages of two articles, in id order.
var testPassages = []Passage{
	{ID: 1, ArticleID: 10, Language: "en", Title: "Harbour reopens", Text: "The harbour reopened after the storm. Ferries resumed."},
	{ID: 2, ArticleID: 10, Language: "en", Title: "Harbour reopens", Text: "Officials praised the crews of the ferries."},
	{ID: 5, ArticleID: 11, Language: "en", Title: "Lighthouse keeper retires", Text: "The lighthouse keeper retired after forty years at the harbour."},
}

// removedTestPassage returns what MarkRemoved is told of testPassages[i].
func removedTestPassage(i int) Removed {
	p := testPassages[i]
	var x Indexer
	x.SetArticle(p.Language, p.Title)
	return Removed{ID: p.ID, Analysis: x.Passage(p.Text)}
}

// writeTestPassages indexes testPassages in one segment, as the store's
// writer does.
func writeTestPassages(t *testing.T, db DB) {
	t.Helper()
	var b Builder
	var x Indexer
	last := int64(-1)
	for _, p := range testPassages {
		if p.ArticleID != last {
			x.SetArticle(p.Language, p.Title)
			last = p.ArticleID
		}
		b.Add(p.ID, x.Passage(p.Text))
	}
	if err := b.Seal().Write(context.Background(), db, 0, nil); err != nil {
		t.Fatal(err)
	}
}

func TestIndexerCountsHeadlineAndBody(t *testing.T) {
	var x Indexer
	x.SetArticle("en", "Harbour reopens")
	if x.TitleTokens() != 2 || x.Language() != "en" {
		t.Errorf("TitleTokens() = %d, Language() = %q; want 2, en", x.TitleTokens(), x.Language())
	}
	a := x.Passage("The harbour reopened. The harbour is busy.")
	terms, length, words := a.Terms, a.Length(), a.Words
	if words == 0 || length != words+2 || a.Lang != "en" {
		t.Errorf("length %d, words %d, language %q: want words + 2 headline tokens, en", length, words, a.Lang)
	}
	// "harbour" twice in the body and once in the headline; "busy" in the
	// body only.
	var counts []string
	for _, tf := range terms {
		counts = append(counts, fmt.Sprintf("%d/%d", tf.body, tf.title))
	}
	sort.Strings(counts)
	if !slices.Contains(counts, "2/1") || !slices.Contains(counts, "1/0") {
		t.Errorf("body/headline counts %v: want a 2/1 and a 1/0", counts)
	}
}

func TestScoreRanksAndSkipsNothingLive(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	writeTestPassages(t, db)
	var x Indexer
	x.SetArticle("en", "")
	terms := x.Passage("lighthouse ferries").Terms
	idf := map[string]float64{}
	for _, tf := range terms {
		idf[tf.term] = 1
	}
	got, err := Score(ctx, db, "en", idf, BM25{K1: 1.2, B: 0.75, TitleWeight: 2.5, AvgLength: 10}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if fmt.Sprint(ids) != "[5 2 1]" && fmt.Sprint(ids) != "[5 1 2]" {
		t.Errorf("Score ranked %v, want 5 first, then 1 and 2", ids)
	}
	df, err := DF(ctx, db, "en", []string{terms[0].term, "absent"})
	if err != nil {
		t.Fatal(err)
	}
	if df["absent"] != 0 || df[terms[0].term] == 0 {
		t.Errorf("DF = %v", df)
	}
	if got, err := Score(ctx, db, "en", idf, BM25{K1: 1.2, B: 0.75, TitleWeight: 1, AvgLength: 10}, 0); err != nil || got != nil {
		t.Errorf("Score with limit 0 = %v, %v", got, err)
	}
}

// Rebuild gives the same index as the writer, and MarkRemoved passages
// leave it at the next merge.
func TestRebuildAndRemove(t *testing.T) {
	ctx := context.Background()
	written := openTestDB(t)
	writeTestPassages(t, written)
	want, err := Dump(ctx, written)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(testPassages) {
		t.Fatalf("Dump holds %d passages, want %d", len(want), len(testPassages))
	}

	rebuilt := openTestDB(t)
	writeTestPassages(t, rebuilt) // replaced by the rebuild
	if err := MarkRemoved(ctx, rebuilt, []Removed{removedTestPassage(1), removedTestPassage(1)}); err != nil {
		t.Fatal(err)
	}
	pages := 0
	err = Rebuild(ctx, rebuilt, func(_ context.Context, after int64) ([]Passage, error) {
		pages++
		for i, p := range testPassages {
			if p.ID > after {
				return testPassages[i : i+1], nil // one passage a page
			}
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != len(testPassages)+1 {
		t.Errorf("Rebuild asked for %d pages, want %d", pages, len(testPassages)+1)
	}
	got, err := Dump(ctx, rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebuilt index\n%v\nwant\n%v", got, want)
	}

	if err := MarkRemoved(ctx, rebuilt, []Removed{removedTestPassage(1)}); err != nil {
		t.Fatal(err)
	}
	got, _ = Dump(ctx, rebuilt)
	if _, ok := got[2]; ok || len(got) != 2 {
		t.Errorf("Dump after removing passage 2 holds %d passages: %v", len(got), got)
	}
	segs, err := readSegments(ctx, rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	if err := mergeGroup(ctx, rebuilt, segs); err != nil {
		t.Fatal(err)
	}
	var marked, passages int
	rebuilt.QueryRow(`SELECT count(*) FROM deleted_passages`).Scan(&marked)
	rebuilt.QueryRow(`SELECT passages FROM segments`).Scan(&passages)
	if marked != 0 || passages != 2 {
		t.Errorf("after the merge: %d passages marked removed, segment of %d passages; want 0 and 2", marked, passages)
	}
}
