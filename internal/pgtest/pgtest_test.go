package pgtest

import (
	"context"
	"testing"
)

func TestServer(t *testing.T) {
	var l Lazy
	defer l.Stop()
	srv := l.Server(t)
	ctx := context.Background()
	name, err := srv.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := srv.open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	copyName, err := srv.CreateDatabase(ctx, "template0")
	if err != nil || copyName == name {
		t.Fatalf("a copy of template0: %q, %v", copyName, err)
	}
}
