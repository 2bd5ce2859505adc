package topn

import (
	"fmt"
	"testing"
)

type item struct {
	id    int
	score float64
}

// worse ranks by score, ties going to the higher id.
func worse(a, b item) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.id < b.id
}

func TestHeapKeepsTheBest(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		scores []float64
		want   string
	}{
		{"ties to the higher id", 3, []float64{5, 1, 9, 3, 7, 2, 9}, "[{6 9} {2 9} {4 7}]"},
		{"fewer than n", 5, []float64{2, 4}, "[{1 4} {0 2}]"},
		{"n zero", 0, []float64{1, 2}, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(tt.n, worse)
			for i, s := range tt.scores {
				h.Push(item{i, s})
			}
			if got := fmt.Sprint(h.Sorted()); got != tt.want {
				t.Errorf("Sorted() = %s, want %s", got, tt.want)
			}
			if len(h.Items()) != len(h.Sorted()) {
				t.Errorf("Items() holds %d, Sorted() %d", len(h.Items()), len(h.Sorted()))
			}
		})
	}
}

func TestHeapReset(t *testing.T) {
	h := New(2, worse)
	h.Push(item{1, 1})
	h.Push(item{2, 2})
	if !h.Full() || h.Min().id != 1 {
		t.Fatalf("Full() = %v, Min() = %v", h.Full(), h.Min())
	}
	h.Reset(1)
	if h.Full() || len(h.Items()) != 0 {
		t.Fatalf("after Reset: Full() = %v, %d items", h.Full(), len(h.Items()))
	}
	h.Push(item{3, 0})
	h.Push(item{4, 5})
	if got := fmt.Sprint(h.Sorted()); got != "[{4 5}]" {
		t.Errorf("after Reset(1): %s", got)
	}
}
