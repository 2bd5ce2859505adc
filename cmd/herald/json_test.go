package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// rfc3339UTC is the one date format of every --json output.
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// dateValues collects the values of every key that holds a date.
func dateValues(v any, key string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && (strings.HasSuffix(k, "_at") || k == "since" || k == "until") {
				*out = append(*out, k+"="+s)
			}
			dateValues(val, k, out)
		}
	case []any:
		for _, val := range x {
			dateValues(val, key, out)
		}
	}
}

func TestJSONDatesAreRFC3339UTC(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	ingestSample(t, env)
	for _, args := range [][]string{
		{"ask", "--json", "Why hasn't Scholz approved Taurus deliveries?"},
		{"search", "--json", "Taurus"},
		{"articles", "--json"},
		{"digest", "--json", "--since", "2024-03-01", "--until", "2024-03-10"},
		{"summarize", "--json", "1"},
		{"demo", "--json"},
	} {
		out, errOut, err := runHerald(t, env, args...)
		if err != nil {
			t.Errorf("%v: %v %s", args, err, errOut)
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%v: not JSON: %v", args, err)
			continue
		}
		var dates []string
		dateValues(v, "", &dates)
		if len(dates) == 0 {
			t.Errorf("%v: no dates in\n%s", args, out)
		}
		for _, d := range dates {
			_, val, _ := strings.Cut(d, "=")
			if !rfc3339UTC.MatchString(val) {
				t.Errorf("%v: %s is not RFC 3339 UTC", args, d)
			}
		}
		if strings.Contains(out, "2024-03-05T00:00:00Z") == false && args[0] != "digest" {
			t.Errorf("%v: the sample's date is missing:\n%s", args, out)
		}
	}
	// summarize names what it summarised "subject", not "question".
	out, _, _ := runHerald(t, env, "summarize", "--json", "1")
	var s map[string]any
	_ = json.Unmarshal([]byte(out), &s)
	if _, ok := s["question"]; ok || !strings.Contains(s["subject"].(string), "Germany Blames") || s["summary"] == nil {
		t.Errorf("summarize --json keys: %s", out)
	}
}
