package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func TestFeedbackListsVotesWithTheirEvidence(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	db, err := knowledge.Open(ctx, env["HERALD_DB"])
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runHerald(t, env, "feedback")
	if err != nil || !strings.HasPrefix(out, "No votes yet.") {
		t.Fatalf("empty feedback = %q, %v", out, err)
	}
	a := &knowledge.PostedAnswer{GuildID: "g1", ChannelID: "c1", AskerID: "alice", Question: "Why no Taurus?",
		Text: "Scholz refrained [1].", Mode: knowledge.ModeLLM, Sources: []knowledge.AnswerSource{{
			Markers: []int{1}, ArticleID: 7, PassageIDs: []int64{70, 71}, Title: "Leak", Source: "Defense News",
			PublishedAt: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), Quotes: []knowledge.SourceQuote{{Text: "Scholz refrained.", Verified: true}}}}}
	if err := db.SavePostedAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	for user, v := range map[string]int{"alice": knowledge.VoteDown, "bob": knowledge.VoteUp} {
		if _, err := db.Vote(ctx, a.ID, user, v); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, errOut, err := runHerald(t, env, "feedback")
	if err != nil {
		t.Fatalf("feedback: %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"2 votes on 1 answer: 1 up, 1 down", "Q: Why no Taurus?", "A: Scholz refrained [1].",
		"[1] Leak — Defense News, 2024-03-05", "article 7, passages 70, 71", "(llm, server g1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("feedback output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runHerald(t, env, "feedback", "--json", "--vote", "down")
	if err != nil {
		t.Fatal(err)
	}
	var got []jsonFeedback
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 1 || got[0].Vote != "down" || got[0].UserID != "alice" || got[0].AnswerID != a.ID || got[0].Question != "Why no Taurus?" ||
		got[0].AskedBy != "alice" || len(got[0].Sources) != 1 || got[0].Sources[0].PassageIDs[1] != 71 {
		t.Errorf("feedback --json = %+v", got)
	}
	if _, errOut, err := runHerald(t, env, "feedback", "--vote", "sideways"); exitCode(err) != 1 || !strings.Contains(errOut, "--vote must be up or down") {
		t.Errorf("bad --vote: %v %q", err, errOut)
	}
}
