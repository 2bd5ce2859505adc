package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A failure of the database is a cause wrapped with the operation, not a
// classified error: the log can say which query failed, and the user
// reads the generic sentence. What the user can act on keeps its code and
// message.
func TestErrorsNameTheOperation(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	a := mustPutTaurus(t, db)
	// Checked before tables are dropped: other tables refer to feeds.
	if err := db.RemoveArticle(ctx, a.ID+1000); ErrorCode(err) != ENOTFOUND || ErrorMessage(err) != fmt.Sprintf("There is no article %d.", a.ID+1000) {
		t.Errorf("remove a missing article: %q %q", ErrorCode(err), ErrorMessage(err))
	}
	if _, err := db.SQL().Exec(`DROP TABLE feed_items; DROP TABLE feeds; DROP TABLE conversation_messages`); err != nil {
		t.Fatal(err)
	}
	generic := ErrorMessage(errors.New("x"))
	for _, tc := range []struct {
		name string
		err  error
		op   string
	}{
		{"list feeds", func() error { _, err := db.Feeds(ctx, "123"); return err }(), `list feeds of guild "123": `},
		{"add a feed", func() error {
			_, err := db.AddFeed(ctx, FeedSpec{URL: "https://news.example/feed.xml", GuildID: "123"})
			return err
		}(), `add feed https://news.example/feed.xml: `},
		{"count", func() error { _, err := db.Counts(ctx, "*"); return err }(), `count feeds of guild "*": `},
		{"conversation", func() error { _, err := db.ConversationOf(ctx, "m1"); return err }(), `find the conversation of message m1: `},
	} {
		if tc.err == nil || !strings.HasPrefix(tc.err.Error(), tc.op) || !strings.Contains(tc.err.Error(), "no such table") {
			t.Errorf("%s: error %v, want it to name %q", tc.name, tc.err, tc.op)
		}
		if ErrorCode(tc.err) != EINTERNAL || ErrorMessage(tc.err) != generic {
			t.Errorf("%s: code %q message %q, want internal and the generic sentence", tc.name, ErrorCode(tc.err), ErrorMessage(tc.err))
		}
	}
}
