package knowledge

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestGroupSourcesMergesCitationsOfOneArticle(t *testing.T) {
	t.Parallel()
	pub := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	leak := Article{ID: 7, Title: "Leak", Source: "Defense News", URL: "https://example.com/leak", PublishedAt: pub}
	ans := &Answer{
		Citations: []Citation{
			{N: 1, ArticleID: 7, Title: leak.Title, Source: leak.Source, URL: leak.URL, PublishedAt: pub, Quote: "Scholz  refrained.", Verified: true},
			{N: 2, ArticleID: 9, Title: "Kremlin", Quotes: []string{"The Kremlin seized on it.", "Berlin accused Russia."}, Verified: true},
			{N: 3, ArticleID: 7, Title: leak.Title, Quote: "It was an error.", Verified: false},
			{N: 4, ArticleID: 7, Title: leak.Title, Quote: "Scholz refrained.", Verified: true}, // the same quote again
			{N: 5, Title: "Outside the store", URL: "https://example.org/x", Quote: "q"},
		},
		Hits: []Hit{
			{Article: leak, Passage: Passage{ID: 70, ArticleID: 7, Text: "Words. It was an error. More."}},
			{Article: leak, Passage: Passage{ID: 71, ArticleID: 7, Text: "Scholz\nrefrained. Then."}},
			{Article: leak, Passage: Passage{ID: 72, ArticleID: 7, Text: "Nothing quoted here."}},
			{Article: Article{ID: 9}, Passage: Passage{ID: 90, ArticleID: 9, Text: "Unrelated words."}},
		},
	}
	got := GroupSources(ans)
	want := []AnswerSource{
		{Markers: []int{1, 3, 4}, ArticleID: 7, PassageIDs: []int64{70, 71}, Title: "Leak", Source: "Defense News", URL: leak.URL, PublishedAt: pub,
			Quotes: []SourceQuote{{Text: "Scholz refrained.", Verified: true}, {Text: "It was an error.", Verified: false}}},
		// No evidence passage holds its quotes: all of its passages count.
		{Markers: []int{2}, ArticleID: 9, PassageIDs: []int64{90}, Title: "Kremlin",
			Quotes: []SourceQuote{{Text: "The Kremlin seized on it.", Verified: true}, {Text: "Berlin accused Russia.", Verified: true}}},
		{Markers: []int{5}, Title: "Outside the store", URL: "https://example.org/x", Quotes: []SourceQuote{{Text: "q"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GroupSources =\n%+v\nwant\n%+v", got, want)
	}
	if GroupSources(nil) != nil {
		t.Error("GroupSources(nil) is not nil")
	}
}

func TestPostedAnswersAndVotes(t *testing.T) { forEachBackend(t, testPostedAnswersAndVotes) }

func testPostedAnswersAndVotes(t *testing.T, db *DB) {
	t.Parallel()
	ctx := context.Background()
	clock := time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	a := &PostedAnswer{GuildID: "g1", ChannelID: "c1", AskerID: "alice", Question: "Why no Taurus?", Text: "Scholz refrained [1].", Mode: ModeLLM,
		Sources: []AnswerSource{{Markers: []int{1}, ArticleID: 7, PassageIDs: []int64{70}, Title: "Leak", Quotes: []SourceQuote{{Text: "Scholz refrained.", Verified: true}}}}}
	if err := db.SavePostedAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || !a.CreatedAt.Equal(clock) {
		t.Fatalf("saved = %+v", a)
	}
	if err := db.SetPostedAnswerMessages(ctx, a.ID, "c1", "conv-1", []string{"m1", "m2"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.PostedAnswer(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.MessageIDs, a.ConversationID = []string{"m1", "m2"}, "conv-1"
	if !reflect.DeepEqual(got, a) {
		t.Errorf("PostedAnswer =\n%+v\nwant\n%+v", got, a)
	}
	if _, err := db.PostedAnswer(ctx, a.ID+1); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown answer: %v", err)
	}

	// Once per member; the same vote again changes nothing; a change
	// replaces it.
	for _, v := range []struct {
		user       string
		vote, prev int
	}{
		{"alice", VoteUp, 0},
		{"alice", VoteUp, VoteUp},
		{"bob", VoteDown, 0},
		{"alice", VoteDown, VoteUp},
	} {
		clock = clock.Add(time.Minute)
		prev, err := db.Vote(ctx, a.ID, v.user, v.vote)
		if err != nil || prev != v.prev {
			t.Errorf("%s votes %d: previous %d, %v; want %d", v.user, v.vote, prev, err, v.prev)
		}
	}
	if _, err := db.Vote(ctx, a.ID, "carol", 2); ErrorCode(err) != EINVALID {
		t.Errorf("vote 2: %v", err)
	}
	if _, err := db.Vote(ctx, a.ID+1, "carol", VoteUp); ErrorCode(err) != ENOTFOUND {
		t.Errorf("vote on an unknown answer: %v", err)
	}

	other := &PostedAnswer{GuildID: "g2", Question: "q2", Text: "a2", Mode: ModeExtractive}
	if err := db.SavePostedAnswer(ctx, other); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	if _, err := db.Vote(ctx, other.ID, "dave", VoteUp); err != nil {
		t.Fatal(err)
	}
	fb, err := db.Feedback(ctx, FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, f := range fb {
		rows = append(rows, fmt.Sprintf("%d %s %d %s", f.Answer.ID, f.UserID, f.Vote, f.VotedAt.Format("15:04")))
	}
	want := []string{
		fmt.Sprintf("%d dave 1 12:05", other.ID),
		fmt.Sprintf("%d alice -1 12:04", a.ID),
		fmt.Sprintf("%d bob -1 12:03", a.ID),
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("Feedback = %v, want %v", rows, want)
	}
	if fb[1].Answer.Question != "Why no Taurus?" || len(fb[1].Answer.Sources) != 1 || fb[1].Answer.Sources[0].PassageIDs[0] != 70 {
		t.Errorf("feedback keeps the evidence: %+v", fb[1].Answer)
	}
	for _, c := range []struct {
		f    FeedbackFilter
		want int
	}{
		{FeedbackFilter{Vote: VoteDown}, 2},
		{FeedbackFilter{Vote: VoteUp}, 1},
		{FeedbackFilter{GuildID: "g1"}, 2},
		{FeedbackFilter{Limit: 1}, 1},
	} {
		if fb, err := db.Feedback(ctx, c.f); err != nil || len(fb) != c.want {
			t.Errorf("Feedback(%+v) = %d votes, %v; want %d", c.f, len(fb), err, c.want)
		}
	}

	// A deleted answer takes no more votes; its votes stay.
	if err := db.MarkPostedAnswerDeleted(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Vote(ctx, a.ID, "carol", VoteUp); ErrorCode(err) != ENOTFOUND {
		t.Errorf("vote on a deleted answer: %v", err)
	}
	if got, err := db.PostedAnswer(ctx, a.ID); err != nil || !got.Deleted {
		t.Errorf("deleted answer = %+v, %v", got, err)
	}
	if err := db.MarkPostedAnswerDeleted(ctx, a.ID+100); ErrorCode(err) != ENOTFOUND {
		t.Errorf("deleting an unknown answer: %v", err)
	}
	if fb, _ := db.Feedback(ctx, FeedbackFilter{GuildID: "g1"}); len(fb) != 2 || !fb[0].Answer.Deleted {
		t.Errorf("votes of a deleted answer = %+v", fb)
	}
}
