package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeEmbeddings serves /embeddings like an OpenAI-compatible server: each
// text becomes its hashed bag of words in dim dimensions. onRequest, when
// set, sees every request's inputs first.
type fakeEmbeddings struct {
	dim       int
	mu        sync.Mutex
	requests  int
	texts     int
	onRequest func(n int, inputs []string)
}

func (f *fakeEmbeddings) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/embeddings") {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.requests++
		f.texts += len(req.Input)
		n, hook := f.requests, f.onRequest
		f.mu.Unlock()
		if hook != nil {
			hook(n, req.Input)
		}
		var data []any
		for i, s := range req.Input {
			v := make([]float32, f.dim)
			for _, tok := range strings.Fields(strings.ToLower(s)) {
				h := fnv.New32a()
				h.Write([]byte(strings.Trim(tok, ".,;:!?\"'")))
				v[h.Sum32()%uint32(f.dim)]++
			}
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data,
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runHeraldCtx is runHerald with a context.
func runHeraldCtx(ctx context.Context, envv map[string]string, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(ctx, args, func(k string) string { return envv[k] }, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func TestReindexNeedsAnEmbeddingsModel(t *testing.T) {
	_, errOut, err := runHerald(t, testEnv(t), "reindex")
	if err == nil || !strings.Contains(errOut, "HERALD_EMBED_MODEL") {
		t.Errorf("reindex without a model: %v, %q", err, errOut)
	}
}

func TestReindexEmbedsResumesAndSwitchesModel(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	fake := &fakeEmbeddings{dim: 24}
	srv := fake.serve(t)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_EMBED_MODEL"] = "fake-embed"

	// Ctrl-C during the second batch (the first request is the probe).
	ctx, cancel := context.WithCancel(context.Background())
	fake.onRequest = func(n int, _ []string) {
		if n == 3 {
			cancel()
		}
	}
	out, errOut, err := runHeraldCtx(ctx, env, "reindex", "--batch", "1")
	if !errors.Is(err, context.Canceled) || !strings.Contains(out, "Stopped after embedding 1 passage;") ||
		!strings.Contains(out, "Run herald reindex again") {
		t.Fatalf("interrupted reindex: %v\n%s\n%s", err, out, errOut)
	}
	fake.onRequest = nil

	out, errOut, err = runHerald(t, env, "reindex", "--batch", "2")
	if err != nil {
		t.Fatalf("resumed reindex: %v\n%s", err, errOut)
	}
	var total int
	if !strings.Contains(out, "with fake-embed (24 dimensions)") {
		t.Errorf("resumed reindex output: %q", out)
	}
	var embedded, have int
	if _, err := fmt.Sscanf(out, "Embedded %d passages with fake-embed (24 dimensions) in", &embedded); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	i := strings.Index(out, "; ")
	if _, err := fmt.Sscanf(out[i+2:], "%d of %d passages have vectors.", &have, &total); err != nil || have != total || total < 2 {
		t.Fatalf("output %q: %d of %d, %v", out, have, total, err)
	}
	if embedded != total-1 {
		t.Errorf("resumed run embedded %d of %d; the first passage was done", embedded, total)
	}

	// Nothing left to do.
	out, _, err = runHerald(t, env, "reindex")
	if err != nil || !strings.Contains(out, "Embedded 0 passages") {
		t.Errorf("third run: %v, %q", err, out)
	}

	// Another model: everything again, and said so.
	env["HERALD_EMBED_MODEL"] = "other-embed"
	out, errOut, err = runHerald(t, env, "reindex")
	if err != nil || !strings.Contains(out, "changed from fake-embed (24 dimensions) to other-embed (24 dimensions)") ||
		!strings.Contains(out, "Embedded "+strconv.Itoa(total)+" passages with other-embed") {
		t.Errorf("model switch: %v\n%s\n%s", err, out, errOut)
	}
}

func TestReindexReportsAFailingEndpoint(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"bad key","type":"invalid_request_error"}}`, http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_EMBED_MODEL"] = "fake-embed"
	env["OPENAI_API_KEY"] = "sk-secret-value"
	_, errOut, err := runHerald(t, env, "reindex")
	if err == nil || errOut == "" || strings.Contains(errOut, "sk-secret-value") {
		t.Errorf("failing endpoint: %v, %q", err, errOut)
	}
}

func TestHybridRetrievalEndToEnd(t *testing.T) {
	fe := &fakeEmbeddings{dim: 64}
	srv := fe.serve(t)
	env := testEnv(t)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_EMBED_MODEL"] = "nomic-embed-text"
	// Ingest embeds the new passages right away.
	ingestSample(t, env)
	fe.mu.Lock()
	embedded := fe.texts
	fe.mu.Unlock()
	if embedded == 0 {
		t.Fatal("ingest did not embed the new passages")
	}
	out, errOut, err := runHerald(t, env, "ask", "--json", "Why hasn't Scholz approved Taurus deliveries?")
	if err != nil {
		t.Fatalf("ask: %v %s", err, errOut)
	}
	if !strings.Contains(out, "entanglement") {
		t.Fatalf("hybrid answer lacks the cited sentence:\n%s", out)
	}
	fe.mu.Lock()
	after := fe.texts
	fe.mu.Unlock()
	if after <= embedded {
		t.Fatal("the question was not embedded for vector search")
	}
	// With the embeddings endpoint gone, keyword search still answers.
	srv.Close()
	out, _, err = runHerald(t, env, "ask", "--json", "How far can Taurus missiles reach?")
	if err != nil || !strings.Contains(out, "500 kilometers") {
		t.Fatalf("without the embeddings server: %v\n%s", err, out)
	}
}
