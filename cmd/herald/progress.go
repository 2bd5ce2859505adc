package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// progress reports a long job (ingest, reindex, bench, feed poll --all)
// on stderr. On a terminal it redraws one line at most ten times a second:
// a bar and "done/total" when the total is known, the percentage, the
// rate, the time left and the item in progress, fitted to the terminal's
// width. Elsewhere (a log, a pipe) it writes a plain line every
// plainEvery, so a long job shows it is alive without flooding the log.
// Colour only on a terminal, never with NO_COLOR. It is safe for use by
// several goroutines.
//
// Hand-written rather than a progress library: the bars available either
// read the wall clock and the terminal themselves (no golden tests with an
// injected clock and width) or run a refresh goroutine of their own.
type progress struct {
	w     io.Writer
	label string // the job, for plain lines: "ingest"
	unit  string // what is counted, plural: "items"
	tty   bool
	color bool
	width int
	now   func() time.Time
	// plainEvery is the time between plain lines (default 10s).
	plainEvery time.Duration

	mu          sync.Mutex
	total, done int
	item        string
	start, last time.Time
	drawn       bool
}

// Progress rendering constants.
const (
	progressRedraw     = 100 * time.Millisecond
	progressPlainEvery = 10 * time.Second
	progressBarWidth   = 24
)

// newProgress starts a progress report on e's stderr; total 0 means
// unknown.
func newProgress(e *env, label, unit string, total int) *progress {
	return startProgress(&progress{w: e.stderr, label: label, unit: unit, total: total,
		tty: isTerminal(e.stderr), color: e.errs.color, width: terminalWidth(e.stderr), now: time.Now})
}

// startProgress fills in the defaults of p and starts its clock.
func startProgress(p *progress) *progress {
	if p.now == nil {
		p.now = time.Now
	}
	if p.plainEvery <= 0 {
		p.plainEvery = progressPlainEvery
	}
	if p.width <= 0 {
		p.width = 80
	}
	p.start = p.now()
	p.last = p.start
	return p
}

// add counts n more done; item names the one in progress or just done.
func (p *progress) add(n int, item string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(p.done+n, item)
}

// set says how many are done of how many (total 0 keeps the total).
func (p *progress) set(done, total int, item string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total > 0 {
		p.total = total
	}
	p.setLocked(done, item)
}

func (p *progress) setLocked(done int, item string) {
	p.done = done
	if p.total > 0 && p.done > p.total {
		p.total = p.done
	}
	if item != "" {
		p.item = item
	}
	now := p.now()
	if p.tty {
		if (p.total == 0 || p.done < p.total) && now.Sub(p.last) < progressRedraw {
			return
		}
		p.last = now
		fmt.Fprint(p.w, "\r\033[K"+p.lineLocked(now))
		p.drawn = true
		return
	}
	if now.Sub(p.last) >= p.plainEvery {
		p.last = now
		fmt.Fprintln(p.w, p.plainLocked(now))
	}
}

// clear erases the line on a terminal, so other output can follow; the
// next update draws it again.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// rateLocked is items per second since the start, 0 in the first second.
func (p *progress) rateLocked(now time.Time) float64 {
	el := now.Sub(p.start)
	if el < time.Second || p.done == 0 {
		return 0
	}
	return float64(p.done) / el.Seconds()
}

// lineLocked is the terminal line.
func (p *progress) lineLocked(now time.Time) string {
	var parts []string
	rate := p.rateLocked(now)
	if p.total > 0 {
		parts = append(parts, fmt.Sprintf("%s/%s %s", groupDigits(p.done), groupDigits(p.total), p.unit),
			fmt.Sprintf("%3d%%", p.done*100/p.total))
	} else {
		parts = append(parts, groupDigits(p.done)+" "+p.unit)
	}
	if rate > 0 {
		parts = append(parts, formatRate(rate))
		if p.total > 0 && p.done < p.total {
			parts = append(parts, "ETA "+formatETA(time.Duration(float64(p.total-p.done)/rate*float64(time.Second))))
		}
	}
	text := strings.Join(parts, "  ")
	bar := ""
	if p.total > 0 {
		filled := p.done * progressBarWidth / p.total
		bar = "[" + p.paint("32", strings.Repeat("=", filled)) + strings.Repeat(" ", progressBarWidth-filled) + "] "
	}
	room := p.width - 1 // the last column would wrap on some terminals
	barLen := 0
	if bar != "" {
		barLen = progressBarWidth + 3
	}
	if barLen+runeLen(text) > room {
		bar, barLen = "", 0
	}
	line := bar + text
	used := barLen + runeLen(text)
	if p.item != "" && used+4 < room {
		line += "  " + p.paint("2", truncateLeft(p.item, room-used-2))
	}
	return line
}

// plainLocked is a line for a log: "ingest: 4,102 of 10,000 items (41%),
// 328/s, about 18s left".
func (p *progress) plainLocked(now time.Time) string {
	var b strings.Builder
	b.WriteString(p.label + ": ")
	if p.total > 0 {
		fmt.Fprintf(&b, "%s of %s %s (%d%%)", groupDigits(p.done), groupDigits(p.total), p.unit, p.done*100/p.total)
	} else {
		fmt.Fprintf(&b, "%s %s", groupDigits(p.done), p.unit)
	}
	if rate := p.rateLocked(now); rate > 0 {
		b.WriteString(", " + formatRate(rate))
		if p.total > 0 && p.done < p.total {
			b.WriteString(", about " + formatETA(time.Duration(float64(p.total-p.done)/rate*float64(time.Second))) + " left")
		}
	}
	if p.item != "" {
		b.WriteString("; at " + p.item)
	}
	return b.String()
}

func (p *progress) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

// groupDigits writes 12345 as 12,345.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// formatRate is "328/s", "4.2/s" below ten.
func formatRate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f/s", r)
	}
	return fmt.Sprintf("%.0f/s", r)
}

// formatETA is "42s", "3m05s" or "1h02m".
func formatETA(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// truncateLeft keeps the end of s (the file name of a long path) within n
// runes, marking the cut with "…".
func truncateLeft(s string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	return "…" + string(r[len(r)-n+1:])
}
