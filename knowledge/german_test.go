package knowledge

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

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
	forEachBackend(t, testGermanArticlesAreSummarisedInGerman)
}

func testGermanArticlesAreSummarisedInGerman(t *testing.T, db *DB) {
	ctx := context.Background()
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
	forEachBackend(t, testGermanDigestStoriesAreWrittenInGerman)
}

func testGermanDigestStoriesAreWrittenInGerman(t *testing.T, db *DB) {
	ctx := context.Background()
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

// topicEmbedder gives texts about the rail strike, in either language, one
// vector, texts about the Taurus leak another, and anything else a third.
type topicEmbedder struct {
	fail  error
	calls int
}

func (e *topicEmbedder) Model() string { return "topics" }

func (e *topicEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	e.calls++
	if e.fail != nil {
		return nil, e.fail
	}
	out := make([][]float32, len(texts))
	for i, s := range texts {
		switch {
		case strings.Contains(s, "Streik") || strings.Contains(s, "strike"):
			out[i] = []float32{1, 0.1, 0}
		case strings.Contains(s, "Taurus") || strings.Contains(s, "leak"):
			out[i] = []float32{0.1, 1, 0}
		default:
			out[i] = []float32{0, 0, 1}
		}
	}
	return out, nil
}

func TestDigestGroupsAcrossLanguagesOnlyWithEmbeddings(t *testing.T) {
	forEachBackend(t, testDigestGroupsAcrossLanguagesOnlyWithEmbeddings)
}

func testDigestGroupsAcrossLanguagesOnlyWithEmbeddings(t *testing.T, db *DB) {
	ctx := context.Background()
	strikeDE := mustPutFile(t, db, "streik-de.md")
	strikeDE2 := mustPutFile(t, db, "bahnstreik-de.md")
	strikeEN := mustPutFile(t, db, "strike-en.md")
	leakDE := mustPutFile(t, db, "abhoeren-de.md")
	leakEN := mustPutTaurus(t, db)
	req := DigestRequest{GuildID: "*", Since: leakEN.PublishedAt.AddDate(0, 0, -2), Until: strikeDE2.PublishedAt.Add(24 * time.Hour)}

	stories := func(d *Digest) map[int64]int {
		at := map[int64]int{}
		for i, st := range d.Stories {
			for _, a := range st.Articles {
				at[a.ID] = i
			}
		}
		return at
	}
	// Words never group reports of two languages, however many names they
	// share (the two German strike reports are written too differently
	// to be grouped by their words either).
	dg := &Digester{DB: db, Logger: slog.New(slog.DiscardHandler)}
	d, err := dg.Build(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	at := stories(d)
	if at[strikeDE.ID] == at[strikeEN.ID] || at[strikeDE2.ID] == at[strikeEN.ID] || at[leakDE.ID] == at[leakEN.ID] {
		t.Errorf("reports in two languages grouped without embeddings: %v", at)
	}
	if len(d.Stories) != 5 {
		t.Errorf("%d stories without embeddings, want 5", len(d.Stories))
	}

	// With embeddings, reports in two languages join: the English strike
	// report one of the German ones, the German leak report the English.
	emb := &topicEmbedder{}
	db.Embedder = emb
	d, err = dg.Build(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	at = stories(d)
	if len(d.Stories) != 3 || (at[strikeDE.ID] != at[strikeEN.ID] && at[strikeDE2.ID] != at[strikeEN.ID]) ||
		at[leakDE.ID] != at[leakEN.ID] || at[strikeEN.ID] == at[leakDE.ID] {
		t.Errorf("stories with embeddings: %d, %v", len(d.Stories), at)
	}
	if d.Stories[0].Outlets != 2 || d.Stories[1].Outlets != 2 || len(d.Stories[0].Articles) != 2 {
		t.Errorf("outlets %d and %d, want 2 and 2", d.Stories[0].Outlets, d.Stories[1].Outlets)
	}

	// A failing embeddings model keeps them apart.
	emb.fail = Errorf(EUNAVAILABLE, "embeddings down")
	d, err = dg.Build(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) != 5 || emb.calls != 2 {
		t.Errorf("%d stories with failing embeddings (%d calls), want 5", len(d.Stories), emb.calls)
	}
}
