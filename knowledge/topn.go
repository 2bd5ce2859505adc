package knowledge

import "sort"

// topN keeps the n best items pushed into it, in a min-heap ordered by
// worse (worse(a, b): a ranks below b). Both the vector scan and the
// keyword first stage use it.
type topN[T any] struct {
	n     int
	items []T
	worse func(a, b T) bool
}

// reset empties the heap and sets how many items it keeps.
func (h *topN[T]) reset(n int) {
	h.n = n
	h.items = h.items[:0]
}

// full reports whether the heap holds n items, so that only items better
// than min can enter.
func (h *topN[T]) full() bool { return len(h.items) >= h.n }

// min returns the worst item kept; the heap must not be empty.
func (h *topN[T]) min() T { return h.items[0] }

// push offers x: it is kept if the heap is not full or x is better than
// the worst item kept, which it then replaces.
func (h *topN[T]) push(x T) {
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

// sorted returns the items kept, best first.
func (h *topN[T]) sorted() []T {
	out := append([]T(nil), h.items...)
	sort.Slice(out, func(i, j int) bool { return h.worse(out[j], out[i]) })
	return out
}
