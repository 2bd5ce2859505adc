package knowledge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestConversationTurnsAreBoundedAndOrdered(t *testing.T) {
	forEachBackend(t, testConversationTurnsAreBoundedAndOrdered)
}

func testConversationTurnsAreBoundedAndOrdered(t *testing.T, db *DB) {
	t.Parallel()
	ctx := context.Background()
	for i := 0; i < maxConversationTurns+5; i++ {
		if err := db.AppendTurn(ctx, "thread-1", Turn{Question: fmt.Sprintf("q%d", i), Answer: fmt.Sprintf("a%d", i)}, fmt.Sprintf("m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AppendTurn(ctx, "other", Turn{Question: "x", Answer: "y"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Turns(ctx, "thread-1", 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Turn{{"q22", "a22"}, {"q23", "a23"}, {"q24", "a24"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Turns = %v, want %v", got, want)
	}
	all, _ := db.Turns(ctx, "thread-1", 0)
	if len(all) != maxConversationTurns || all[0].Question != "q5" {
		t.Errorf("kept %d turns starting at %v", len(all), all[0])
	}
	if none, err := db.Turns(ctx, "unknown", 6); err != nil || len(none) != 0 {
		t.Errorf("unknown conversation: %v, %v", none, err)
	}
	if c, err := db.ConversationOf(ctx, "m3"); err != nil || c != "thread-1" {
		t.Errorf("ConversationOf(m3) = %q, %v", c, err)
	}
	if c, err := db.ConversationOf(ctx, "nope"); err != nil || c != "" {
		t.Errorf("ConversationOf(nope) = %q, %v", c, err)
	}
	if err := db.AppendTurn(ctx, "", Turn{}); ErrorCode(err) != EINVALID {
		t.Errorf("empty id: %v", err)
	}
}

func TestConversationTurnTextIsCut(t *testing.T) { forEachBackend(t, testConversationTurnTextIsCut) }

func testConversationTurnTextIsCut(t *testing.T, db *DB) {
	t.Parallel()
	ctx := context.Background()
	long := strings.Repeat("é", maxTurnRunes+10)
	if err := db.AppendTurn(ctx, "c", Turn{Question: long, Answer: "short"}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Turns(ctx, "c", 1)
	if n := utf8.RuneCountInString(got[0].Question); n != maxTurnRunes || !strings.HasSuffix(got[0].Question, "…") {
		t.Errorf("stored question has %d runes", n)
	}
	if got[0].Answer != "short" {
		t.Errorf("answer = %q", got[0].Answer)
	}
}

func TestPruneConversations(t *testing.T) { forEachBackend(t, testPruneConversations) }

func testPruneConversations(t *testing.T, db *DB) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if err := db.AppendTurn(ctx, "old", Turn{Question: "q", Answer: "a"}, "m-old"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if err := db.AppendTurn(ctx, "new", Turn{Question: "q", Answer: "a"}, "m-new"); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneConversations(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if old, _ := db.Turns(ctx, "old", 6); len(old) != 0 {
		t.Errorf("old turns kept: %v", old)
	}
	if c, _ := db.ConversationOf(ctx, "m-old"); c != "" {
		t.Errorf("old message link kept: %q", c)
	}
	if kept, _ := db.Turns(ctx, "new", 6); len(kept) != 1 {
		t.Errorf("new turns = %v", kept)
	}
	if c, _ := db.ConversationOf(ctx, "m-new"); c != "new" {
		t.Errorf("new message link = %q", c)
	}
}
