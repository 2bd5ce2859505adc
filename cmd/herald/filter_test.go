package main

import (
	"strings"
	"testing"
	"time"
)

// TestFilterMessages: each wrong filter gets its own message, a full
// sentence, instead of the generic abstention.
func TestFilterMessages(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	ingestSample(t, env)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ask", "--since", "2024-03-10", "--until", "2024-03-01", "Taurus?"}, "--since (2024-03-10T00:00:00Z) is not before --until (2024-03-01T00:00:00Z): no article can be published in that range. Swap the two?"},
		{[]string{"search", "--since", "2024-03-05", "--until", "2024-03-05", "Taurus"}, "is not before --until"},
		{[]string{"articles", "--since", "1d", "--until", "7d"}, "is not before --until"},
		{[]string{"ask", "--source", "Reuter", "Taurus?"}, `No stored article is from "Reuter". The outlets are: Defense News.`},
		{[]string{"search", "--source", "defense news,BBC", "Taurus"}, `No stored article is from "BBC". The outlets are: Defense News.`},
		{[]string{"search", "-n", "0", "Taurus"}, "-n 0 is not a number of articles to show: give 1 or more."},
		{[]string{"search", "-n", "-3", "Taurus"}, "-n -3 is not a number of articles to show: give 1 or more."},
		{[]string{"articles", "-n", "-1"}, "-n -1 is not a number of articles: give 1 or more, or 0 for all."},
		{[]string{"digest", "-n", "0"}, "-n 0 is not a number of stories: give 1 or more."},
		{[]string{"ask", "--until", "yesterday", "Taurus?"}, `--until "yesterday" is neither a date (YYYY-MM-DD or RFC 3339) nor a duration back from now (24h, 7d).`},
		{[]string{"ask", "--since", "-7d", "Taurus?"}, `--since "-7d" is negative`},
		{[]string{"ask", "--mode", "smart", "Taurus?"}, `--mode "smart" is not a mode: use auto, llm or extractive.`},
		{[]string{"ask", "--mode", "llm", "Taurus?"}, "--mode llm needs a language model: set HERALD_CHAT_MODEL"},
	} {
		_, errOut, err := runHerald(t, env, tc.args...)
		line := strings.TrimSpace(errOut)
		if exitCode(err) != 1 || !strings.Contains(line, tc.want) || !strings.HasSuffix(line, ".") && !strings.HasSuffix(line, "?") {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, exitCode(err), errOut, tc.want)
		}
	}
	// A known outlet in any case, and a duration for --until, are fine.
	if out, errOut, err := runHerald(t, env, "search", "--source", "DEFENSE NEWS", "--until", "1d", "Taurus"); err != nil || !strings.Contains(out, "Germany Blames") {
		t.Errorf("valid filters: %v %s %s", err, out, errOut)
	}
}

func TestParseWhen(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 6, 11, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.AddDate(0, 0, -7),
		"0":                    now,
		"2024-06-01":           time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		"2024-06-01T08:00:00Z": time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC),
	} {
		if got, err := parseWhen("--since", in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestPlural(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 stories", 1: "1 story", 2: "2 stories"} {
		if got := plural(n, "story", "stories"); got != want {
			t.Errorf("plural(%d) = %q", n, got)
		}
	}
}
