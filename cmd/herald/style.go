package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// style colours text for one output stream: only when the stream is a
// terminal and NO_COLOR is not set (https://no-color.org); elsewhere every
// method returns its text unchanged.
type style struct{ color bool }

func newStyle(w io.Writer, noColor bool) style {
	return style{color: !noColor && isTerminal(w)}
}

func (s style) paint(code, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\033[" + code + "m" + text + "\033[0m"
}

// err is for errors (red, bold).
func (s style) err(text string) string { return s.paint("1;31", text) }

// warn is for warnings (yellow).
func (s style) warn(text string) string { return s.paint("33", text) }

// bold is for headings and citation numbers.
func (s style) bold(text string) string { return s.paint("1", text) }

// dim is for secondary text: URLs, counts.
func (s style) dim(text string) string { return s.paint("2", text) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is w's width in columns, or 0 when w is not a terminal.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}
