package knowledge

import (
	"context"
	"testing"
	"time"
)

// storyArticles are reports of a few stories by several outlets: three of
// the ECB's rate cut (one of them a lightly edited wire copy), one of euro
// zone inflation (related words, another story), two of floods in
// Bavaria, and one unrelated report.
func storyArticles(day time.Time) []*Article {
	at := func(h int) time.Time { return day.Add(time.Duration(h) * time.Hour) }
	return []*Article{
		{URL: "https://wire.example/ecb-cut", Source: "Wire", PublishedAt: at(9), Title: "ECB cuts interest rates for the first time since 2019",
			Text: "The European Central Bank cut its key deposit rate by a quarter point to 3.75 percent on Thursday, its first reduction since 2019, as inflation in the euro zone eased from its peak. " +
				"President Christine Lagarde said the bank was not committing to any further cuts and that decisions would be taken meeting by meeting. " +
				"Economists had widely expected the move after months of signals from policymakers in Frankfurt. " +
				"The bank raised its inflation projections for this year and next, saying price pressures in services remained strong. " +
				"Markets trimmed bets on a second cut in July after the announcement."},
		{URL: "https://daily.example/ecb-cut-copy", Source: "Daily", PublishedAt: at(10), Title: "ECB cuts interest rates for first time since 2019",
			Text: "The European Central Bank cut its key deposit rate by a quarter point to 3.75 percent on Thursday, its first reduction since 2019, as inflation in the euro zone eased from its peak. " +
				"President Christine Lagarde said the bank was not committing to any further cuts and that decisions would be taken meeting by meeting. " +
				"Economists had widely expected the move after months of signals from policymakers in Frankfurt. " +
				"The bank raised its inflation projections for this year and next, saying price pressures in services remained strong. " +
				"Markets trimmed bets on a second cut in July after the announcement on Thursday."},
		{URL: "https://finance.example/lagarde", Source: "Finance Times", PublishedAt: at(12), Title: "Lagarde's ECB lowers deposit rate to 3.75%, signals caution on further cuts",
			Text: "FRANKFURT — The European Central Bank lowered its deposit rate to 3.75% from a record 4% on Thursday, the first cut since 2019. " +
				"Christine Lagarde told reporters the Governing Council was not pre-committing to a particular rate path, even as the reduction was widely expected. " +
				"Two policymakers were said to have opposed the decision."},
		{URL: "https://daily.example/inflation-may", Source: "Daily", PublishedAt: at(-40), Title: "Euro zone inflation rises to 2.6% in May",
			Text: "Inflation in the euro zone rose to 2.6 percent in May from 2.4 percent in April, Eurostat said on Tuesday, a setback for the European Central Bank. " +
				"Core inflation, which excludes food and energy, also picked up as services prices climbed. " +
				"Analysts said the figures were unlikely to stop a cut in interest rates this week."},
		{URL: "https://wire.example/bavaria-floods", Source: "Wire", PublishedAt: at(6), Title: "Floods in Bavaria force thousands from their homes",
			Text: "Thousands of people were evacuated in Bavaria on Sunday as rivers burst their banks after days of torrential rain, and a firefighter died during a rescue near Pfaffenhofen. " +
				"Chancellor Olaf Scholz visited the flooded town of Reichertshofen and promised federal help."},
		{URL: "https://news.example/germany-flooding", Source: "News", PublishedAt: at(8), Title: "Scholz visits flooded Reichertshofen as Bavaria evacuates thousands",
			Text: "Olaf Scholz toured flooded Reichertshofen in Bavaria on Sunday after torrential rain forced thousands of evacuations; a firefighter died near Pfaffenhofen during a rescue. " +
				"Rivers burst their banks across southern Germany."},
		{URL: "https://news.example/chess", Source: "News", PublishedAt: at(7), Title: "Norwegian teenager wins blitz chess title in Oslo",
			Text: "A 16-year-old from Bergen won the Norwegian blitz chess championship in Oslo on Saturday, beating three grandmasters on the way to the title."},
	}
}

func TestAssignStoriesGroupsReportsOfOneStory(t *testing.T) {
	forEachBackend(t, testAssignStoriesGroupsReportsOfOneStory)
}

func testAssignStoriesGroupsReportsOfOneStory(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	n, err := db.AssignStories(ctx, day.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(arts) {
		t.Errorf("assigned %d, want %d", n, len(arts))
	}
	story := map[string]int64{}
	for _, a := range arts {
		got, err := db.article(ctx, a.ID, "*")
		if err != nil {
			t.Fatal(err)
		}
		story[a.URL] = got.StoryID
		if got.StoryID == 0 {
			t.Errorf("%s has no story", a.URL)
		}
	}
	same := func(a, b string, want bool) {
		t.Helper()
		if (story[a] == story[b]) != want {
			t.Errorf("same story(%s, %s) = %v, want %v", a, b, !want, want)
		}
	}
	same("https://wire.example/ecb-cut", "https://daily.example/ecb-cut-copy", true)
	same("https://wire.example/ecb-cut", "https://finance.example/lagarde", true)
	same("https://wire.example/ecb-cut", "https://daily.example/inflation-may", false)
	same("https://wire.example/bavaria-floods", "https://news.example/germany-flooding", true)
	same("https://wire.example/bavaria-floods", "https://wire.example/ecb-cut", false)
	same("https://news.example/chess", "https://news.example/germany-flooding", false)

	// Idempotent, and a later report joins the existing story.
	if n, err := db.AssignStories(ctx, day.Add(-72*time.Hour)); err != nil || n != 0 {
		t.Errorf("second pass: %d, %v", n, err)
	}
	late := &Article{URL: "https://late.example/ecb", Source: "Late", PublishedAt: day.Add(30 * time.Hour), Title: "ECB cuts interest rates for the first time since 2019, Lagarde cautious",
		Text: "The European Central Bank cut its key deposit rate to 3.75 percent on Thursday, its first reduction since 2019. Christine Lagarde said the bank was not committing to further cuts."}
	if _, err := db.PutArticle(ctx, late); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignStories(ctx, day); err != nil {
		t.Fatal(err)
	}
	got, _ := db.article(ctx, late.ID, "*")
	if got.StoryID != story["https://wire.example/ecb-cut"] {
		t.Errorf("late report's story = %d, want %d", got.StoryID, story["https://wire.example/ecb-cut"])
	}
}

func TestAssignStoriesKeepsServersApart(t *testing.T) {
	forEachBackend(t, testAssignStoriesKeepsServersApart)
}

func testAssignStoriesKeepsServersApart(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	base := storyArticles(day)
	a := *base[0]
	a.GuildID = "A"
	b := *base[1]
	b.GuildID = "B"
	op := *base[2] // the operator's: visible to both
	if _, err := db.PutArticles(ctx, []*Article{&a, &b}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignStories(ctx, day.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	ga, _ := db.article(ctx, a.ID, "*")
	gb, _ := db.article(ctx, b.ID, "*")
	if ga.StoryID == gb.StoryID {
		t.Errorf("articles of two servers share story %d", ga.StoryID)
	}
	if _, err := db.PutArticle(ctx, &op); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignStories(ctx, day.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	gop, _ := db.article(ctx, op.ID, "*")
	if gop.StoryID != ga.StoryID && gop.StoryID != gb.StoryID {
		t.Errorf("the operator's report joined no story: %d (A %d, B %d)", gop.StoryID, ga.StoryID, gb.StoryID)
	}
}
