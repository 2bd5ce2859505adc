package boilerplate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

func TestDropSentencesKeepsParagraphs(t *testing.T) {
	s := "One. Two.\n\nThree.\n\nFour. Five."
	sp := text.Sentences(s)
	got := DropSentences(s, []text.Span{sp[1], sp[2]})
	if want := "One.\n\nFour. Five."; got != want {
		t.Errorf("DropSentences = %q, want %q", got, want)
	}
	if got := blankSpans("Ab. Cd.", []text.Span{{Start: 0, End: 3}}); got != "    Cd." {
		t.Errorf("blankSpans = %q", got)
	}
}

// TestWindowFindsTheRecurringSentence: a notice under many unrelated
// articles of one outlet is its boilerplate; a sentence that shares words
// with its headlines, reported speech, and a sentence of a few articles
// are not.
func TestWindowFindsTheRecurringSentence(t *testing.T) {
	const notice = "The Harbour Gazette is printed by Coastline Media Group, a member of the regional press association."
	const speech = "\"We never comment on rumours,\" the harbour master said on the quay."
	topics := []string{"Ferry timetable changes", "School board approves wing", "Lifeboat rescues sailors",
		"Fish market reopens", "Council delays vote", "Festival brings crowds", "Lighthouse keeper retires"}
	outlet := Outlet("  Harbour   Gazette ")
	if outlet != "harbour gazette" {
		t.Fatalf("Outlet = %q", outlet)
	}
	var w Window
	for i, title := range topics {
		body := fmt.Sprintf("%s, the paper reports in its edition number %d today. %s %s", title, i, speech, notice)
		keys, drop := Counted(body, nil, title, "", outlet, "en", nil)
		if len(drop) != 0 {
			t.Fatalf("an empty set drops %v", drop)
		}
		w.Push(int64(i+1), keys)
		w.Push(int64(i+1), keys) // an update replaces the article
	}
	found := w.Found(nil)
	if len(found) != 1 || found[0].Articles != len(topics) || found[0].Offtopic != len(topics) || found[0].Article != int64(len(topics)) {
		t.Fatalf("found %+v, want the notice in every article", found)
	}
	body := "A new story. " + notice
	if got := SentenceText(body, "", outlet, found[0].Key); got != notice {
		t.Errorf("SentenceText = %q", got)
	}
	set := (*Set)(nil).With([]int64{found[0].Key})
	if len(w.Found(set)) != 0 {
		t.Error("a sentence the set knows is found again")
	}
	sp := set.Spans(body, "", outlet)
	if len(sp) != 1 || body[sp[0].Start:sp[0].End] != notice {
		t.Errorf("Spans = %v", sp)
	}
	if got := set.Spans(body, "", "another outlet"); len(got) != 0 {
		t.Errorf("another outlet's text: Spans = %v", got)
	}
	if _, drop := Counted(body, nil, "A new story", "", outlet, "en", set); len(drop) != 1 {
		t.Errorf("Counted drops %v, want the notice", drop)
	}
	if got := Readable(body, "Harbour Gazette", "", set); got != "A new story. "+strings.Repeat(" ", len(notice)) {
		t.Errorf("Readable = %q", got)
	}
}
