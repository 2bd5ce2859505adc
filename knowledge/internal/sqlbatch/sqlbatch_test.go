package sqlbatch

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func TestInserterInsertsEveryRow(t *testing.T) {
	for _, n := range []int{0, 1, statementRows - 1, statementRows, 2*statementRows + 3} {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, `CREATE TABLE t(a INTEGER, b TEXT)`); err != nil {
			t.Fatal(err)
		}
		ins := NewInserter(db, `INSERT INTO t(a, b) VALUES `, 2)
		for i := 0; i < n; i++ {
			if err := ins.Add(ctx, i, "x"); err != nil {
				t.Fatal(err)
			}
		}
		if err := ins.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		ins.Close()
		var count, sum int
		if err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(a), 0) FROM t`).Scan(&count, &sum); err != nil {
			t.Fatal(err)
		}
		if count != n || sum != n*(n-1)/2 {
			t.Errorf("%d rows added: table holds %d rows summing to %d", n, count, sum)
		}
		db.Close()
	}
}

func TestLists(t *testing.T) {
	tests := []struct{ got, want string }{
		{Placeholders(0), ""},
		{Placeholders(1), "?"},
		{Placeholders(3), "?,?,?"},
		{IDList(nil), ""},
		{IDList([]int64{7, -1, 42}), "7,-1,42"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
