package llm

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// A refused, failing or hanging embeddings endpoint costs a question one
// quick try, without retries; the question is answered from keyword
// search, and the next questions skip vectors for a cool-down that grows
// with each failure in a row (an injected clock moves time on).
func TestFailingEmbeddingsCostAQuestionOneQuickTry(t *testing.T) {
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request) // nil: the server is gone (connection refused)
	}{
		{"refused", nil},
		{"failing", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
		}},
		{"hanging", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // then the server notices the client leave
			<-r.Context().Done()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var requests atomic.Int32
			var mu sync.Mutex
			working := false
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				mu.Lock()
				ok := working
				mu.Unlock()
				if ok {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`{"object":"list","data":[{"object":"embedding","embedding":[0.6,0.8],"index":0}],"model":"test-embed"}`))
					return
				}
				tc.serve(w, r)
			}))
			base := srv.URL
			defer srv.Close()
			if tc.serve == nil {
				srv.Close()
			}
			var slept atomic.Int32
			c, err := New(Config{BaseURL: base, EmbedModel: "test-embed", MaxRetries: 3,
				Sleep: func(ctx context.Context, d time.Duration) error { slept.Add(1); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			db, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var logs bytes.Buffer
			db.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			now := time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			db.QueryEmbedTimeout = 300 * time.Millisecond
			a := &knowledge.Article{Title: "Taurus recording", Text: "The defence minister said the call was intercepted through an unauthorized connection."}
			if _, err := db.PutArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			db.Embedder = c.Embedder()
			ask := func(stage string, wantRequests int32) {
				t.Helper()
				before := requests.Load()
				start := time.Now()
				hits, err := db.Search(ctx, "unauthorized connection", knowledge.Filter{GuildID: "*"})
				if err != nil || len(hits) != 1 {
					t.Fatalf("%s: keyword search gave %v, %v", stage, hits, err)
				}
				if el := time.Since(start); el > 2*time.Second {
					t.Errorf("%s: the question took %v", stage, el)
				}
				if got := requests.Load() - before; tc.serve != nil && got != wantRequests {
					t.Errorf("%s: %d requests to the embeddings endpoint, want %d", stage, got, wantRequests)
				}
			}
			ask("first question", 1)
			warnings := strings.Count(logs.String(), "level=WARN")
			if warnings != 1 || !strings.Contains(logs.String(), "vector search off for 30s") {
				t.Errorf("after the first failure, %d warnings:\n%s", warnings, logs.String())
			}
			ask("during the cool-down", 0)
			now = now.Add(29 * time.Second)
			ask("still in the cool-down", 0)
			now = now.Add(2 * time.Second)
			ask("after the cool-down", 1) // fails again: 60 s now
			if !strings.Contains(logs.String(), "vector search off for 1m0s") {
				t.Errorf("the second cool-down does not grow:\n%s", logs.String())
			}
			now = now.Add(45 * time.Second)
			ask("in the longer cool-down", 0)
			mu.Lock()
			working = true
			mu.Unlock()
			now = now.Add(20 * time.Second)
			if tc.serve != nil {
				ask("once the endpoint works", 1)
				ask("after it worked (the question is cached)", 0)
			}
			if n := slept.Load(); n != 0 {
				t.Errorf("%d waits between retries for a question's embedding", n)
			}
			if n := strings.Count(logs.String(), "level=WARN"); n != 2 {
				t.Errorf("%d warnings in all, want 2 (one per failure):\n%s", n, logs.String())
			}
		})
	}
}
