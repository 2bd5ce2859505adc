package main

import (
	"fmt"
	"io"
	"strings"
)

// draft shows a model's answer on a terminal while it is written: dimmed,
// without quotation marks (a quote is not checked yet, so it must not look
// like one), where the checked answer can replace it. It counts the rows
// it has drawn, wrapping included, so clear can move back over them.
type draft struct {
	w     io.Writer
	st    style
	width int // the terminal's columns; 80 when unknown
	col   int // the cursor's column on the current row
	rows  int // rows drawn below the first one
	drawn bool
}

func newDraft(w io.Writer, st style, width int) *draft {
	if width <= 0 {
		width = 80
	}
	return &draft{w: w, st: st, width: width}
}

// unquote drops the quotation marks a draft must not show.
var unquote = strings.NewReplacer("“", "", "”", "", "„", "", "«", "", "»", "", `"`, "")

// write draws more of the draft.
func (d *draft) write(s string) {
	s = unquote.Replace(s)
	if s == "" {
		return
	}
	d.drawn = true
	for _, r := range s {
		switch {
		case r == '\n':
			d.rows++
			d.col = 0
		case r == '\r' || r == '\t' || r < ' ':
		default:
			// A terminal wraps when a character arrives after the last
			// column is filled.
			if d.col == d.width {
				d.rows++
				d.col = 0
			}
			d.col++
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < ' ' && r != '\n' {
			return -1
		}
		return r
	}, s)
	fmt.Fprint(d.w, d.st.dim(s))
}

// clear erases the draft: back to the start of its first row, then to the
// end of the screen. Nothing of it stays on screen.
func (d *draft) clear() {
	if !d.drawn {
		return
	}
	fmt.Fprint(d.w, "\r")
	if d.rows > 0 {
		fmt.Fprintf(d.w, "\033[%dA", d.rows)
	}
	fmt.Fprint(d.w, "\033[J")
	d.drawn, d.rows, d.col = false, 0, 0
}
