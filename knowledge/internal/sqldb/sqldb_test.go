package sqldb

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, pg string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?,?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2,$3)`},
		{`SELECT '?', "a?b", ? -- why?
			/* what? */ , ?`, `SELECT '?', "a?b", $1 -- why?
			/* what? */ , $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT 'open ?`, `SELECT 'open ?`},
	}
	for _, tt := range tests {
		if got := Postgres.Rebind(tt.in); got != tt.pg {
			t.Errorf("Postgres.Rebind(%q) = %q, want %q", tt.in, got, tt.pg)
		}
		if got := SQLite.Rebind(tt.in); got != tt.in {
			t.Errorf("SQLite.Rebind(%q) = %q, want it unchanged", tt.in, got)
		}
	}
}

func TestOf(t *testing.T) {
	if Of(struct{}{}) != SQLite {
		t.Error("a foreign handle should be SQLite")
	}
	if Of(New(nil, Postgres)) != Postgres || Of(&Tx{d: Postgres}) != Postgres {
		t.Error("a PostgreSQL handle should say so")
	}
}
