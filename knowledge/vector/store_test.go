package vector

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// openTestDB opens a new SQLite database in t.TempDir() holding the vector
// tables (testdata/schema.sql) and passages 1 to n, passage i of article
// i/10.
func openTestDB(t *testing.T, n int) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "vectors.db")+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := db.Exec(`INSERT INTO passages(id, article_id) VALUES (?, ?)`, i, i/10); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// store writes vectors for passages ids in one transaction.
func store(t *testing.T, db *sql.DB, model string, ids []int64, vecs [][]float32, cursor int64) (int64, Space, bool) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	next, from, switched, err := Store(context.Background(), tx, model, ids, vecs, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return next, from, switched
}

// unitRows returns random unit vectors for passages from to to.
func unitRows(seed uint64, from, to int64, dim int) ([]int64, [][]float32) {
	flat := randomUnit(seed, int(to-from+1), dim)
	var ids []int64
	var vecs [][]float32
	for id := from; id <= to; id++ {
		ids = append(ids, id)
		i := int(id - from)
		vecs = append(vecs, flat[i*dim:(i+1)*dim])
	}
	return ids, vecs
}

func TestStoreLoadRefresh(t *testing.T) {
	const dim = 16
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		opts      Options
		quantized bool
	}{
		{"exact", Options{}, false},
		{"quantized", Options{ExactBelow: 5}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t, 40)
			ids, vecs := unitRows(1, 1, 20, dim)
			next, _, switched := store(t, db, "m", ids, vecs, 0)
			if next != 20 || switched {
				t.Fatalf("first batch: next %d, switched %v", next, switched)
			}
			sp, err := ReadSpace(ctx, db)
			if err != nil || sp != (Space{Model: "m", Dim: dim, Gen: 1, Upto: 20}) {
				t.Fatalf("space %+v, %v", sp, err)
			}
			idx, err := Load(ctx, db, "m", dim, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if idx.Len() != 20 || idx.Quantized() != tc.quantized {
				t.Fatalf("loaded %d vectors, quantized %v", idx.Len(), idx.Quantized())
			}
			hits := idx.Search(ctx, vecs[6], 1, nil)
			if len(hits) != 1 || hits[0].PassageID != 7 || hits[0].ArticleID != 0 || math.Abs(hits[0].Score-1) > 1e-5 {
				t.Fatalf("self search: %v", hits)
			}
			// A later batch, and a passage removed before it is stored.
			if _, err := db.Exec(`DELETE FROM passages WHERE id = 40`); err != nil {
				t.Fatal(err)
			}
			more, moreVecs := unitRows(2, 21, 40, dim)
			store(t, db, "m", more, moreVecs, next)
			if err := Refresh(ctx, db, idx, "m", dim, 1); err != nil {
				t.Fatal(err)
			}
			if idx.Len() != 39 {
				t.Errorf("after the refresh: %d vectors, want 39", idx.Len())
			}
			hits = idx.Search(ctx, moreVecs[4], 1, nil)
			if len(hits) != 1 || hits[0].PassageID != 25 || hits[0].ArticleID != 2 {
				t.Errorf("search after the refresh: %v", hits)
			}
			if n, err := Count(ctx, db, "m", dim); err != nil || n != 39 {
				t.Errorf("Count = %d, %v", n, err)
			}
		})
	}
}

func TestStoreSwitchesSpaces(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t, 4)
	ids, vecs := unitRows(3, 1, 4, 8)
	store(t, db, "a", ids, vecs, 0)
	if changed, err := SetDim(ctx, db, "other", 12); err != nil || changed {
		t.Fatalf("SetDim of another model: %v, %v", changed, err)
	}
	if changed, err := SetDim(ctx, db, "a", 8); err != nil || changed {
		t.Fatalf("SetDim to the same dimension: %v, %v", changed, err)
	}
	if changed, err := SetDim(ctx, db, "a", 12); err != nil || !changed {
		t.Fatalf("SetDim to a new dimension: %v, %v", changed, err)
	}
	sp, _ := ReadSpace(ctx, db)
	if sp.Dim != 12 || sp.Upto != 0 || sp.Gen != 2 {
		t.Errorf("space after SetDim: %+v", sp)
	}
	// A batch of another model switches the space and starts over.
	ids, vecs = unitRows(4, 1, 2, 6)
	next, from, switched := store(t, db, "b", ids, vecs, 0)
	if !switched || next != 0 || from.Model != "a" || from.Dim != 12 {
		t.Errorf("switch: next %d, from %+v, switched %v", next, from, switched)
	}
	if n, _ := Count(ctx, db, "b", 6); n != 2 {
		t.Errorf("%d vectors of the new space, want 2", n)
	}
	if n, _ := Count(ctx, db, "a", 8); n != 2 {
		t.Errorf("%d vectors of the old space left, want 2", n)
	}
}
