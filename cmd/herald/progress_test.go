package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time                  { return c.t }
func (c *fakeClock) advance(d time.Duration)         { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock                       { return &fakeClock{t: time.Date(2024, 6, 11, 8, 0, 0, 0, time.UTC)} }
func visible(s string) string                        { return strings.NewReplacer("\r", "\\r\n", "\033", "\\e").Replace(s) }
func progressAt(p *progress, c *fakeClock) *progress { p.now = c.now; return startProgress(p) }

// TestProgressOnATerminal drives the renderer as ingest does, with an
// injected clock and terminal width.
func TestProgressOnATerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		width int
		total int
		color bool
	}{
		{"known-80", 80, 1000, false},
		{"known-50", 50, 1000, false},
		{"known-color", 100, 1000, true},
		{"unknown-80", 80, 0, false},
	} {
		var buf bytes.Buffer
		clock := newFakeClock()
		p := progressAt(&progress{w: &buf, label: "ingest", unit: "items", total: tc.total, tty: true, width: tc.width, color: tc.color}, clock)
		for i := 1; i <= 1000; i++ {
			clock.advance(10 * time.Millisecond) // 100 items a second
			p.add(1, fmt.Sprintf("/home/user/news/corpus/2024/june/record-%04d.md", i))
		}
		p.clear()
		golden(t, "progress/"+tc.name+".txt", visible(buf.String()))
		// Redrawn at most ten times a second, plus the final state.
		if n := strings.Count(buf.String(), "\r\033[K"); n > 102 {
			t.Errorf("%s: %d redraws for 10 seconds", tc.name, n)
		}
		for _, line := range strings.Split(strings.ReplaceAll(buf.String(), "\r\033[K", "\n"), "\n") {
			if plain := stripANSI(line); runeLen(plain) >= tc.width {
				t.Errorf("%s: line of %d columns on a terminal of %d: %q", tc.name, runeLen(plain), tc.width, plain)
			}
		}
	}
}

// TestProgressOffATerminal: plain lines, one every plainEvery, no escape
// codes.
func TestProgressOffATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := newFakeClock()
	p := progressAt(&progress{w: &buf, label: "reindex", unit: "passages", tty: false, color: false}, clock)
	for done := 0; done <= 5000; done += 50 {
		clock.advance(time.Second) // 50 passages a second, 100 seconds
		p.set(done, 5000, "")
	}
	p.clear()
	golden(t, "progress/plain.txt", buf.String())
	if strings.Contains(buf.String(), "\033") || strings.Contains(buf.String(), "\r") {
		t.Errorf("escape codes off a terminal: %q", buf.String())
	}
	if n := strings.Count(buf.String(), "\n"); n != 10 {
		t.Errorf("%d lines in 100 seconds, want one every 10s", n)
	}
}

func TestProgressPieces(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{42 * time.Second: "42s", 185 * time.Second: "3m05s", 3720 * time.Second: "1h02m"} {
		if got := formatETA(d); got != want {
			t.Errorf("formatETA(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q", n, got)
		}
	}
	if got := truncateLeft("/a/long/path/file.md", 10); got != "…/file.md" && runeLen(got) != 10 {
		t.Errorf("truncateLeft = %q", got)
	}
	// NO_COLOR and a non-terminal writer turn colour off.
	if s := newStyle(&bytes.Buffer{}, false); s.color || s.err("x") != "x" {
		t.Error("colour on a buffer")
	}
	if s := (style{color: true}); s.err("x") != "\033[1;31mx\033[0m" {
		t.Errorf("err colour = %q", s.err("x"))
	}
}

// stripANSI removes colour codes.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\033' {
			for i < len(s) && s[i] != 'm' && s[i] != 'K' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
