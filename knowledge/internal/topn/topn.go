// Package topn keeps the n best of a stream of items in a bounded heap.
// The keyword index's first stage and the vector scan both use it.
package topn

import "sort"

// Heap keeps the n best items pushed into it, in a min-heap ordered by
// worse (worse(a, b): a ranks below b). Make one with New; a Heap is not
// safe for concurrent use.
type Heap[T any] struct {
	n     int
	items []T
	worse func(a, b T) bool
}

// New returns an empty heap that keeps the n best items by worse.
func New[T any](n int, worse func(a, b T) bool) *Heap[T] {
	return &Heap[T]{n: n, worse: worse}
}

// Reset empties the heap, keeping its memory, and sets how many items it
// keeps.
func (h *Heap[T]) Reset(n int) {
	h.n = n
	h.items = h.items[:0]
}

// Full reports whether the heap holds n items, so that only items better
// than Min can enter.
func (h *Heap[T]) Full() bool { return len(h.items) >= h.n }

// Min returns the worst item kept; the heap must not be empty.
func (h *Heap[T]) Min() T { return h.items[0] }

// Push offers x: it is kept if the heap is not full or x is better than
// the worst item kept, which it then replaces.
func (h *Heap[T]) Push(x T) {
	if len(h.items) < h.n {
		h.items = append(h.items, x)
		for i := len(h.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !h.worse(h.items[i], h.items[p]) {
				break
			}
			h.items[i], h.items[p] = h.items[p], h.items[i]
			i = p
		}
		return
	}
	if h.n == 0 || !h.worse(h.items[0], x) {
		return
	}
	h.items[0] = x
	for i, n := 0, len(h.items); ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.worse(h.items[r], h.items[l]) {
			m = r
		}
		if !h.worse(h.items[m], h.items[i]) {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// Items returns the items kept, in no particular order. The slice is the
// heap's own: it is valid until the next Push or Reset.
func (h *Heap[T]) Items() []T { return h.items }

// Sorted returns a copy of the items kept, best first.
func (h *Heap[T]) Sorted() []T {
	out := append([]T(nil), h.items...)
	sort.Slice(out, func(i, j int) bool { return h.worse(out[j], out[i]) })
	return out
}
