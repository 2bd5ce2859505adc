package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

type embedItem struct {
	Object    string    `json:"object"`
	Embedding []float32 `json:"embedding"`
	Index     int       `json:"index"`
}

// embedServer answers each batch with vectors [n, 0.5] for input "t<n>",
// in reverse order so the client must sort them by index. mutate may
// change the answer.
func embedServer(t *testing.T, mutate func(call int, items []embedItem) []embedItem) (*httptest.Server, func() [][]string) {
	var mu sync.Mutex
	var batches [][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/embeddings" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("decoding: %v", err)
		}
		if req.Model != "test-embed" {
			t.Errorf("model = %q", req.Model)
		}
		mu.Lock()
		batches = append(batches, req.Input)
		call := len(batches)
		mu.Unlock()
		items := make([]embedItem, 0, len(req.Input))
		for i := len(req.Input) - 1; i >= 0; i-- {
			n, _ := strconv.Atoi(strings.TrimPrefix(req.Input[i], "t"))
			items = append(items, embedItem{"embedding", []float32{float32(n), 0.5}, i})
		}
		if mutate != nil {
			items = mutate(call, items)
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": items, "model": req.Model})
	}))
	return srv, func() [][]string {
		mu.Lock()
		defer mu.Unlock()
		return batches
	}
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i)
	}
	return out
}

func TestEmbedBatches(t *testing.T) {
	srv, batches := embedServer(t, nil)
	defer srv.Close()
	h := newClient(t, srv.URL)

	vecs, err := h.c.Embed(context.Background(), texts(100))
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(vecs) != 100 {
		t.Fatalf("%d vectors, want 100", len(vecs))
	}
	for i, v := range vecs {
		if !reflect.DeepEqual(v, []float32{float32(i), 0.5}) {
			t.Fatalf("vector %d = %v, want [%d 0.5] (input order, not normalised)", i, v, i)
		}
	}
	b := batches()
	if len(b) != 2 || len(b[0]) != DefaultBatchSize || len(b[1]) != 100-DefaultBatchSize {
		t.Errorf("batch sizes = %d, want [64 36]", len(b))
	}
	if b[1][0] != "t64" {
		t.Errorf("second batch starts with %q", b[1][0])
	}
}

func TestEmbedBatchSize(t *testing.T) {
	srv, batches := embedServer(t, nil)
	defer srv.Close()
	h := newClient(t, srv.URL, func(c *Config) { c.BatchSize = 3 })
	vecs, err := h.c.Embed(context.Background(), texts(7))
	if err != nil || len(vecs) != 7 || vecs[6][0] != 6 {
		t.Fatalf("Embed = %v, %v", vecs, err)
	}
	if n := len(batches()); n != 3 {
		t.Errorf("%d batches, want 3", n)
	}
	if vecs, err := h.c.Embed(context.Background(), nil); err != nil || len(vecs) != 0 {
		t.Errorf("Embed(nil) = %v, %v", vecs, err)
	}
	if n := len(batches()); n != 3 {
		t.Error("Embed(nil) made a request")
	}
}

func TestEmbedUnusable(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(call int, items []embedItem) []embedItem
	}{
		{"too few vectors", func(_ int, items []embedItem) []embedItem { return items[1:] }},
		{"dimensions differ within a batch", func(_ int, items []embedItem) []embedItem {
			items[0].Embedding = []float32{1, 2, 3}
			return items
		}},
		{"dimensions differ between batches", func(call int, items []embedItem) []embedItem {
			if call == 2 {
				for i := range items {
					items[i].Embedding = append(items[i].Embedding, 9)
				}
			}
			return items
		}},
		{"repeated index", func(_ int, items []embedItem) []embedItem {
			items[0].Index, items[1].Index = 1, 1
			return items
		}},
		{"empty vector", func(_ int, items []embedItem) []embedItem {
			for i := range items {
				items[i].Embedding = nil
			}
			return items
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := embedServer(t, tt.mutate)
			defer srv.Close()
			h := newClient(t, srv.URL, func(c *Config) { c.BatchSize = 4 })
			_, err := h.c.Embed(context.Background(), texts(8))
			wantCode(t, err, knowledge.EUNAVAILABLE)
			if msg := knowledge.ErrorMessage(err); msg != msgUnusable {
				t.Errorf("message = %q", msg)
			}
		})
	}
}

func TestEmbedWithoutIndexes(t *testing.T) {
	// Some servers leave every index at zero and answer in input order.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":[{"embedding":[1,0]},{"embedding":[2,0]},{"embedding":[3,0]}]}`))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	vecs, err := h.c.Embed(context.Background(), []string{"a", "b", "c"})
	if err != nil || len(vecs) != 3 || vecs[0][0] != 1 || vecs[2][0] != 3 {
		t.Errorf("Embed = %v, %v", vecs, err)
	}
}

func TestEmbedRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Write([]byte(`{"data":[{"embedding":[1,0],"index":0}]}`))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	vecs, err := h.c.Embed(context.Background(), []string{"a"})
	if err != nil || len(vecs) != 1 {
		t.Fatalf("Embed = %v, %v", vecs, err)
	}
	if got := h.rec.Sleeps(); !reflect.DeepEqual(got, []time.Duration{baseDelay}) {
		t.Errorf("sleeps = %v", got)
	}
}

func TestEmbedModelNotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"message":"model not found"}}`))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	_, err := h.c.Embed(context.Background(), []string{"a"})
	wantCode(t, err, knowledge.EINVALID)
	if msg := knowledge.ErrorMessage(err); msg != "The model test-embed was not found at the configured endpoint." {
		t.Errorf("message = %q", msg)
	}
}
