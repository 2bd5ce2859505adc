package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// railText is one report that two outlets ran, long enough to be one
// article under both addresses.
const railText = "The regional rail operator will cut its timetable by a fifth from Monday after a strike by signal workers entered its third week, the company said on Friday. " +
	"Trains between the capital and the coast will run every hour instead of every half hour, and night services will stop altogether until the dispute is settled. " +
	"The signal workers' union says its members have not had a pay rise in four years and that staffing has fallen by a quarter since the network was automated. " +
	"Talks broke down on Thursday evening after the operator offered a one-off payment instead of a raise. " +
	"Commuter groups said the cuts would hit shift workers hardest and called on the transport ministry to step in."

// writeRailCorpus writes a corpus of the rail report under two addresses
// and an undated article.
func writeRailCorpus(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "corpus.jsonl")
	lines := []string{
		`{"id": "a", "url": "https://wire.example/rail", "title": "Rail operator cuts timetable as strike drags on", "source": "Wire", "published_at": "2024-06-10T08:00:00Z", "text": "` + railText + `"}`,
		`{"id": "b", "url": "https://daily.example/rail", "title": "Strike halves coast trains", "source": "Daily", "published_at": "2024-06-10T09:30:00Z", "text": "` + railText + `"}`,
		`{"id": "c", "url": "https://archive.example/museum", "title": "Museum reopens its north wing", "source": "Archive", "text": "The city museum reopened its north wing after two years of repairs, with a new room for the harbour paintings."}`,
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArticlesShowEveryAddressAndTheUndated(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	corpus := writeRailCorpus(t)
	out, errOut, err := runHerald(t, env, "ingest", "-q", corpus)
	if err != nil || !strings.HasPrefix(out, "2 added, 1 merged, 0 updated, 0 unchanged, 0 failed") {
		t.Fatalf("ingest: %v %s\n%s", err, errOut, out)
	}
	if out, _, _ := runHerald(t, env, "ingest", "-q", corpus); !strings.HasPrefix(out, "0 added, 0 updated, 3 unchanged, 0 failed") {
		t.Errorf("ingest again: %s", out)
	}

	out, errOut, err = runHerald(t, env, "articles")
	if err != nil {
		t.Fatalf("articles: %v %s", err, errOut)
	}
	for _, want := range []string{
		"Rail operator cuts timetable as strike drags on — Wire, 2024-06-10",
		"https://wire.example/rail",
		"also at https://daily.example/rail (Daily)",
		"Museum reopens its north wing — Archive, undated",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("articles lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Museum") < strings.Index(out, "Rail operator") {
		t.Errorf("the undated article is listed before the dated one:\n%s", out)
	}

	out, _, err = runHerald(t, env, "articles", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var arts []struct {
		Title       string  `json:"title"`
		PublishedAt *string `json:"published_at"`
		URLs        []struct {
			URL    string `json:"url"`
			Source string `json:"source"`
		} `json:"urls"`
	}
	if err := json.Unmarshal([]byte(out), &arts); err != nil || len(arts) != 2 {
		t.Fatalf("articles --json: %v\n%s", err, out)
	}
	if len(arts[0].URLs) != 2 || arts[0].URLs[0].URL != "https://wire.example/rail" || arts[0].URLs[1].Source != "Daily" {
		t.Errorf("urls of the rail report: %+v", arts[0].URLs)
	}
	if arts[1].PublishedAt != nil || !strings.Contains(out, `"published_at": null`) {
		t.Errorf("the undated article's published_at: %v\n%s", arts[1].PublishedAt, out)
	}

	// summarize and remove find the article by its other address.
	out, errOut, err = runHerald(t, env, "summarize", "--json", "https://daily.example/rail")
	if err != nil || !strings.Contains(out, "Rail operator cuts timetable") {
		t.Errorf("summarize by the other address: %v %s\n%s", err, errOut, out)
	}
	out, errOut, err = runHerald(t, env, "remove", "https://daily.example/rail")
	if err != nil || !strings.Contains(out, "Removed article 1.") {
		t.Fatalf("remove by the other address: %v %s\n%s", err, errOut, out)
	}
	if _, errOut, err := runHerald(t, env, "remove", "https://wire.example/rail"); err == nil || !strings.Contains(errOut, "no article") {
		t.Errorf("the removed article is still found by its main address: %v %s", err, errOut)
	}
}

func TestDigestSinceCountsBackFromUntil(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	if _, errOut, err := runHerald(t, env, "ingest", writeRailCorpus(t)); err != nil {
		t.Fatalf("ingest: %v %s", err, errOut)
	}
	out, errOut, err := runHerald(t, env, "digest", "--mode", "extractive", "--until", "2024-06-11", "--since", "24h")
	if err != nil {
		t.Fatalf("digest: %v %s", err, errOut)
	}
	for _, want := range []string{
		"1 story", "Rail operator cuts timetable as strike drags on (2 outlets)",
		"   [1] Rail operator cuts timetable as strike drags on — Wire, 2024-06-10 08:00 UTC\n     https://wire.example/rail\n",
		"also at https://daily.example/rail (Daily)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("digest lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Rail operator cuts timetable as strike drags on — Wire"); n != 1 {
		t.Errorf("the cited report is listed %d times, want once (with its number):\n%s", n, out)
	}
	if strings.Contains(out, "Museum") {
		t.Errorf("the undated import is in the digest:\n%s", out)
	}
}
