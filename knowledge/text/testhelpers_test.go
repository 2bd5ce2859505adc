package text

import (
	"os"
	"testing"
)

// articleText returns the synthetic news article in testdata, normalised.
func articleText(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/article.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return Normalize(string(b))
}
