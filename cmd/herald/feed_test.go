package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
)

// newsFeed serves an RSS feed of three recent items, two of them reports
// of the same story by different outlets.
func newsFeed(t *testing.T) *httptest.Server {
	t.Helper()
	now := time.Now().UTC()
	item := func(guid, title, link, body string, age time.Duration) string {
		return fmt.Sprintf(`<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description><![CDATA[%s]]></description></item>`,
			title, link, guid, now.Add(-age).Format(time.RFC1123Z), body)
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Harbour Gazette</title>` +
		item("g1", "Harbour council approves new ferry terminal", "https://gazette.example/ferry",
			"<p>The harbour council approved a new ferry terminal on Wednesday after a two-hour debate, ending a dispute that had lasted three years.</p>"+
				"<p>The terminal will cost 42 million euros and open in 2027, the mayor said. Fishermen had opposed the plan because of the noise.</p>"+
				"<p>Construction starts in the spring, and the old quay will close during the works.</p>", time.Hour) +
		item("g2", "Storm closes the coastal road", "https://gazette.example/storm",
			"<p>A storm closed the coastal road and the old bridge on Thursday morning. Police asked drivers to stay at home until the wind drops.</p>", 2*time.Hour) +
		item("g3", "Ferry terminal gets the council's approval after long dispute", "https://gazette.example/ferry-2",
			"<p>After three years of dispute, the harbour council on Wednesday approved the new ferry terminal, which will cost 42 million euros and open in 2027.</p>"+
				"<p>The mayor said the decision followed a two-hour debate.</p>", 90*time.Minute) +
		`</channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFeedCommandsEndToEnd(t *testing.T) {
	env := testEnv(t)
	srv := newsFeed(t)
	url := srv.URL + "/rss"

	// Without the operator's permission, a local address is refused, and
	// not kept.
	_, errOut, err := runHerald(t, env, "feed", "add", url)
	if err == nil || !strings.Contains(errOut, "Herald does not fetch private or local addresses") {
		t.Errorf("local feed without HERALD_ALLOW_PRIVATE_URLS: %v\n%s", err, errOut)
	}

	env["HERALD_ALLOW_PRIVATE_URLS"] = "true"
	out, errOut, err := runHerald(t, env, "feed", "add", "--name", "Gazette", url)
	if err != nil {
		t.Fatalf("feed add: %v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{"Following " + url, "Gazette: 3 new of 3 items", "+ [1] Harbour council approves new ferry terminal"} {
		if !strings.Contains(out, want) {
			t.Errorf("feed add output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runHerald(t, env, "feed", "add", url); err == nil {
		t.Errorf("adding the same feed twice succeeded")
	}

	out, _, err = runHerald(t, env, "feed", "poll")
	if err != nil || !strings.Contains(out, "No feed is due") {
		t.Errorf("feed poll: %v\n%s", err, out)
	}
	out, _, err = runHerald(t, env, "feed", "poll", "--all")
	if err != nil || !strings.Contains(out, "Gazette: not modified") {
		t.Errorf("feed poll --all: %v\n%s", err, out)
	}

	out, _, err = runHerald(t, env, "feed", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var feeds []struct {
		ID       int64  `json:"id"`
		URL      string `json:"url"`
		Status   string `json:"status"`
		Outlet   string `json:"outlet"`
		Items    int    `json:"items"`
		Interval string `json:"interval"`
	}
	if err := json.Unmarshal([]byte(out), &feeds); err != nil {
		t.Fatalf("feed list --json: %v\n%s", err, out)
	}
	if len(feeds) != 1 || feeds[0].Status != "active" || feeds[0].Outlet != "Gazette" || feeds[0].Items != 3 || feeds[0].Interval != "30m" {
		t.Errorf("feeds = %+v", feeds)
	}

	if out, _, err = runHerald(t, env, "feed", "pause", url); err != nil || !strings.Contains(out, "Paused") {
		t.Errorf("pause: %v %s", err, out)
	}
	out, _, _ = runHerald(t, env, "feed", "list")
	if !strings.Contains(out, "paused") || !strings.Contains(out, "operator · every 30m · 3 articles") {
		t.Errorf("feed list:\n%s", out)
	}
	if out, _, err = runHerald(t, env, "feed", "resume", "1"); err != nil || !strings.Contains(out, "Resumed") {
		t.Errorf("resume: %v %s", err, out)
	}

	// A summary of one article quotes it.
	out, errOut, err = runHerald(t, env, "summarize", "--json", "1")
	if err != nil {
		t.Fatalf("summarize: %v\n%s", err, errOut)
	}
	var ans struct {
		Subject   string `json:"subject"`
		Answer    string `json:"summary"`
		Mode      string `json:"mode"`
		Citations []struct {
			ArticleID int64  `json:"article_id"`
			Quote     string `json:"quote"`
			Verified  bool   `json:"verified"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("summarize --json: %v\n%s", err, out)
	}
	if ans.Mode != "extractive" || len(ans.Citations) != 1 || ans.Citations[0].ArticleID != 1 || !ans.Citations[0].Verified ||
		!strings.Contains(ans.Answer, "The harbour council approved a new ferry terminal on Wednesday") {
		t.Errorf("summary = %+v", ans)
	}
	out, _, err = runHerald(t, env, "summarize", "https://gazette.example/storm")
	if err != nil || !strings.Contains(out, "A storm closed the coastal road") || !strings.Contains(out, "Sources:") {
		t.Errorf("summarize URL: %v\n%s", err, out)
	}
	if _, errOut, err := runHerald(t, env, "summarize", "99"); err == nil || !strings.Contains(errOut, "There is no article 99.") {
		t.Errorf("summarize 99: %v %s", err, errOut)
	}

	// The digest groups the two ferry reports into one story.
	out, errOut, err = runHerald(t, env, "digest", "--since", "24h", "--json")
	if err != nil {
		t.Fatalf("digest: %v\n%s", err, errOut)
	}
	var d struct {
		Stories []struct {
			Headline  string            `json:"headline"`
			Summary   string            `json:"summary"`
			Citations []json.RawMessage `json:"citations"`
			Articles  []struct {
				ID     int64  `json:"id"`
				Title  string `json:"title"`
				Source string `json:"source"`
				URL    string `json:"url"`
			} `json:"articles"`
		} `json:"stories"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("digest --json: %v\n%s", err, out)
	}
	if len(d.Stories) != 2 || len(d.Stories[0].Articles) != 2 || d.Stories[0].Headline != "Ferry terminal gets the council's approval after long dispute" ||
		len(d.Stories[0].Citations) == 0 || !strings.Contains(d.Stories[0].Summary, "[1]") {
		t.Errorf("digest = %s", out)
	}
	out, _, err = runHerald(t, env, "digest")
	if err != nil || !strings.Contains(out, "1. Ferry terminal gets the council's approval after long dispute (1 outlet)") || !strings.Contains(out, "https://gazette.example/storm") {
		t.Errorf("digest text: %v\n%s", err, out)
	}

	if out, _, err = runHerald(t, env, "feed", "remove", url); err != nil || !strings.Contains(out, "its 3 articles stay") {
		t.Errorf("remove: %v %s", err, out)
	}
	out, _, _ = runHerald(t, env, "feed", "list")
	if !strings.Contains(out, "No feeds") {
		t.Errorf("after remove:\n%s", out)
	}
}

func TestFeedCommandErrors(t *testing.T) {
	env := testEnv(t)
	for _, args := range [][]string{
		{"feed"},
		{"feed", "frobnicate"},
		{"feed", "add"},
		{"feed", "add", "ftp://example.com/rss", "--no-poll"},
		{"feed", "remove", "https://never.example/rss"},
		{"digest", "--since", "yesterday-ish"},
		{"summarize"},
	} {
		if _, _, err := runHerald(t, env, args...); err == nil {
			t.Errorf("herald %s succeeded", strings.Join(args, " "))
		}
	}
}

// TestFeedAddRefusesUnreadableFeeds: `feed add` fetches the feed first and
// refuses, with the reason, one Herald cannot read; nothing is stored, so
// adding it again once the cause is fixed works; --keep follows it anyway.
func TestFeedAddRefusesUnreadableFeeds(t *testing.T) {
	var fixed atomic.Bool
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>Quay Post</title></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/page":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>News</body></html>`)
		case r.URL.Path == "/rss", r.URL.Path == "/later" && fixed.Load():
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, feed)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	// An address where nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/rss"
	l.Close()

	tests := []struct {
		name, url, private string
		reason             string
	}{
		{"missing page", srv.URL + "/missing", "true", "the site answered 404 Not Found"},
		{"web page", srv.URL + "/page", "true", "the address is a web page, not a feed; the page names a feed at " + srv.URL + "/rss, add that instead"},
		{"refused connection", refused, "true", "refused the connection"},
		{"private address", srv.URL + "/rss", "", "Herald does not fetch private or local addresses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t)
			env["HERALD_ALLOW_PRIVATE_URLS"] = tt.private
			out, errOut, err := runHerald(t, env, "feed", "add", tt.url)
			if err == nil || !strings.Contains(errOut, "Herald cannot follow "+tt.url) || !strings.Contains(errOut, tt.reason) ||
				!strings.Contains(errOut, "--keep") || strings.Contains(out, "Following") {
				t.Errorf("feed add: %v\nstdout: %s\nstderr: %s", err, out, errOut)
			}
			if out, _, _ := runHerald(t, env, "feed", "list"); !strings.Contains(out, "No feeds") {
				t.Errorf("a refused feed was kept:\n%s", out)
			}
		})
	}

	env := testEnv(t)
	env["HERALD_ALLOW_PRIVATE_URLS"] = "true"
	later := srv.URL + "/later"
	if _, errOut, err := runHerald(t, env, "feed", "add", later); err == nil || !strings.Contains(errOut, "404 Not Found") {
		t.Fatalf("feed add before the fix: %v %s", err, errOut)
	}
	fixed.Store(true)
	if out, errOut, err := runHerald(t, env, "feed", "add", later); err != nil || !strings.Contains(out, "Following "+later) {
		t.Errorf("feed add after the fix: %v\n%s\n%s", err, out, errOut)
	}
	// --keep follows a feed that cannot be read now.
	gone := srv.URL + "/gone"
	out, errOut, err := runHerald(t, env, "feed", "add", "--keep", "--no-poll", gone)
	if err != nil || !strings.Contains(out, "Following "+gone) {
		t.Errorf("feed add --keep: %v\n%s\n%s", err, out, errOut)
	}
}

// TestDiscordFeedAddIsChecked: serve wires the same check into the store
// the bot's /feed add uses.
func TestDiscordFeedAddIsChecked(t *testing.T) {
	envv := testEnv(t)
	envv["HERALD_ALLOW_PRIVATE_URLS"] = "true"
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	e := testCommandEnv(t, envv, &logs, &logs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := openDB(ctx, e, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	if err := startNews(ctx, e, db, &bot.Bot{}, &wg); err != nil {
		t.Fatal(err)
	}
	defer wg.Wait()
	defer cancel()
	var store bot.FeedStore = db
	_, err = store.AddFeed(ctx, knowledge.FeedSpec{URL: srv.URL + "/rss", GuildID: "G"})
	if !errors.Is(err, knowledge.ErrFeedUnreadable) || !strings.Contains(knowledge.ErrorMessage(err), "404 Not Found") {
		t.Errorf("/feed add of a missing feed: %v", err)
	}
}
