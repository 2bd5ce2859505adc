package llm

import (
	"net/http"
	"testing"
	"time"
)

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 1},
		{"hello", 2},                      // 5 chars -> 2; 1 word -> 2
		{"a b c d", 6},                    // 7 chars -> 2; 4 words -> 5.2 -> 6
		{"internationalization", 5},       // 20 chars -> 5; 1 word -> 2
		{"你好世界", 4},                       // one per CJK rune
		{"東京 Tokyo", 4},                   // 2 CJK + max(6 chars -> 2, 1 word -> 2)
		{"こんにちは", 5},                      // hiragana
		{"안녕하세요", 5},                      // hangul
		{"The summit ended early.", 6},    // 23 chars -> 6; 4 words -> 6
		{"Élysée Palace, Zürich café", 7}, // 26 runes -> 7; 4 words -> 6
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"nil", nil, 0},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"fraction", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"huge", http.Header{"Retry-After": {"99999999999"}}, maxRetryAfter},
		{"date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"past date", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"milliseconds win", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.header, now); got != tt.want {
			t.Errorf("%s: parseRetryAfter = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{}
	for _, j := range []float64{0, 0.5, 0.999} {
		c.jitter = func() float64 { return j }
		prev := time.Duration(0)
		for n := 1; n <= 10; n++ {
			d := c.backoff(n)
			nominal := min(baseDelay<<(n-1), maxDelay)
			if d > maxDelay || d < nominal*8/10 || d > nominal*12/10 {
				t.Errorf("jitter %v: backoff(%d) = %v, nominal %v", j, n, d, nominal)
			}
			if d < prev {
				t.Errorf("jitter %v: backoff(%d) = %v shrank from %v", j, n, d, prev)
			}
			prev = d
		}
	}
}
