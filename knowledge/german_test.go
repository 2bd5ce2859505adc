package knowledge

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// mustPutFile stores the article of a testdata file.
func mustPutFile(tb testing.TB, db *DB, name string) *Article {
	tb.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ParseTextArticle(string(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.PutArticle(context.Background(), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

// promptRecorder is a model that records the last user message of every
// request and answers with reply.
type promptRecorder struct {
	mu      sync.Mutex
	prompts []string
	reply   func(user string) string
}

func (p *promptRecorder) completer() *funcCompleter {
	return &funcCompleter{complete: func(_ context.Context, req ChatRequest) (ChatResponse, error) {
		user := req.Messages[len(req.Messages)-1].Content
		sys := req.Messages[0].Content
		p.mu.Lock()
		p.prompts = append(p.prompts, sys+"\n"+user)
		p.mu.Unlock()
		return ChatResponse{Content: p.reply(user)}, nil
	}}
}

func (p *promptRecorder) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.prompts...)
}

func TestGermanArticlesAreSummarisedInGerman(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	de := mustPutFile(t, db, "abhoeren-de.md")
	en := mustPutTaurus(t, db)
	rec := &promptRecorder{reply: func(user string) string {
		if strings.Contains(user, "Singapur") {
			return `Pistorius führt das Abhören „auf einen individuellen Anwendungsfehler“ zurück [1].`
		}
		return `Germany blamed the leak on an "individual user error" [1].`
	}}
	s := &Summarizer{DB: db, Completer: rec.completer(), Logger: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		id   int64
		want string
	}{{de.ID, "in 3 to 5 sentences in German."}, {en.ID, "in 3 to 5 sentences in English."}} {
		ans, err := s.Summarize(ctx, SummaryRequest{Target: itoaID(tc.id), GuildID: "*"})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Mode != ModeLLM || len(ans.Citations) != 1 || !ans.Citations[0].Verified {
			t.Errorf("summary of %d = %+v", tc.id, ans)
		}
		prompts := rec.all()
		if last := prompts[len(prompts)-1]; !strings.Contains(last, tc.want) {
			t.Errorf("prompt for article %d lacks %q:\n%s", tc.id, tc.want, last)
		}
	}
	// A German quote is checked against the German text.
	ans, _ := s.Summarize(ctx, SummaryRequest{Target: itoaID(de.ID), GuildID: "*"})
	if q := ans.Citations[0].Quote; q != "auf einen individuellen Anwendungsfehler" {
		t.Errorf("German quote = %q", q)
	}
}

func TestGermanDigestStoriesAreWrittenInGerman(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	strike := mustPutFile(t, db, "streik-de.md")
	mustPutTaurus(t, db)
	rec := &promptRecorder{reply: func(user string) string {
		if strings.Contains(user, "Lokführer") {
			return "Lokführer streiken 35 Stunden\nDie GDT ruft erneut zum Streik auf [1]."
		}
		return "Germany plays down the leak\nGermany blamed an individual error [1]."
	}}
	dg := &Digester{DB: db, Completer: rec.completer(), Logger: slog.New(slog.DiscardHandler), Parallel: 1}
	d, err := dg.Build(ctx, DigestRequest{GuildID: "*", Since: strike.PublishedAt.AddDate(0, 0, -3), Until: strike.PublishedAt.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) != 2 {
		t.Fatalf("%d stories", len(d.Stories))
	}
	langs := map[string]bool{}
	for _, p := range rec.all() {
		switch {
		case strings.Contains(p, "Lokführer"):
			langs["de"] = strings.Contains(p, "Write exactly two lines in German") && strings.Contains(p, "Write in German")
		case strings.Contains(p, "Pistorius"):
			langs["en"] = strings.Contains(p, "Write exactly two lines in English")
		}
	}
	if !langs["de"] || !langs["en"] {
		t.Errorf("story prompts in their articles' languages: %v\n%s", langs, strings.Join(rec.all(), "\n-----\n"))
	}
}
