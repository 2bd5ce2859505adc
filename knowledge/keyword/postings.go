package keyword

import (
	"context"
	"encoding/binary"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
)

// lengthCode stores a passage length in one byte: exact below 128, then in
// steps of 8 up to 1,144 tokens.
func lengthCode(n int) byte {
	if n < 128 {
		return byte(n)
	}
	c := 128 + (n-128)/8
	if c > 255 {
		c = 255
	}
	return byte(c)
}

// lengthOf is the (middle of the) length lengthCode stored.
func lengthOf(c byte) int {
	if c < 128 {
		return int(c)
	}
	return 128 + int(c-128)*8 + 4
}

func appendPosting(dst []byte, delta int64, body, title uint16, length byte) []byte {
	if title > 3 {
		title = 3
	}
	dst = binary.AppendUvarint(dst, uint64(delta))
	dst = binary.AppendUvarint(dst, uint64(body)<<2|uint64(title))
	return append(dst, length)
}

// postingReader decodes a postings list.
type postingReader struct {
	data []byte
	pid  int64
}

// next returns the next posting; ok is false at the end or on corrupt data.
func (r *postingReader) next() (pid int64, body, title int, length byte, ok bool) {
	d, n := binary.Uvarint(r.data)
	if n <= 0 {
		return 0, 0, 0, 0, false
	}
	c, m := binary.Uvarint(r.data[n:])
	if m <= 0 || len(r.data) < n+m+1 {
		return 0, 0, 0, 0, false
	}
	length = r.data[n+m]
	r.data = r.data[n+m+1:]
	r.pid += int64(d)
	return r.pid, int(c >> 2), int(c & 3), length, true
}

// posting is one decoded posting.
type posting struct {
	pid         int64
	body, title uint16
	length      byte
}

// blockWriter packs a segment's lists, in term order, into block rows.
type blockWriter struct {
	ins     *sqlbatch.Inserter
	seg     int64
	buf     []byte
	first   string
	entries int
	n       int // postings of the first entry
}

func newBlockWriter(db DB, seg int64) *blockWriter {
	return &blockWriter{ins: sqlbatch.NewInserter(db, `INSERT INTO postings(seg, term, n, data) VALUES `, 4), seg: seg}
}

func appendEntry(dst []byte, term string, n int, list []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(term)))
	dst = append(dst, term...)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(len(list)))
	return append(dst, list...)
}

// add appends the list of term (terms come in increasing order).
func (w *blockWriter) add(ctx context.Context, term string, n int, list []byte) error {
	if len(list) > blockTarget/2 {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	if w.entries == 0 {
		w.first, w.n = term, n
	}
	w.buf = appendEntry(w.buf, term, n, list)
	w.entries++
	if len(w.buf) >= blockTarget || len(list) > blockTarget/2 {
		return w.flush(ctx)
	}
	return nil
}

// flush writes the open block. Its n is the postings of its one list, or
// -1 when it holds several.
func (w *blockWriter) flush(ctx context.Context) error {
	if w.entries == 0 {
		return nil
	}
	n := w.n
	if w.entries > 1 {
		n = -1
	}
	// The inserter keeps its arguments until it runs: the block is its own.
	err := w.ins.Add(ctx, w.seg, w.first, n, w.buf)
	w.buf, w.entries = nil, 0
	return err
}

// finish writes what is left.
func (w *blockWriter) finish(ctx context.Context) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	return w.ins.Flush(ctx)
}

// blockReader decodes the entries of a block.
type blockReader struct{ data []byte }

// next returns the next entry; ok is false at the end or on corrupt data.
func (r *blockReader) next() (term []byte, n int, list []byte, ok bool) {
	l, k := binary.Uvarint(r.data)
	if k <= 0 || uint64(len(r.data)-k) < l {
		return nil, 0, nil, false
	}
	term, r.data = r.data[k:k+int(l)], r.data[k+int(l):]
	c, k := binary.Uvarint(r.data)
	if k <= 0 {
		return nil, 0, nil, false
	}
	r.data = r.data[k:]
	l, k = binary.Uvarint(r.data)
	if k <= 0 || uint64(len(r.data)-k) < l {
		return nil, 0, nil, false
	}
	list, r.data = r.data[k:k+int(l)], r.data[k+int(l):]
	return term, int(c), list, true
}

// findEntry returns the list of term in a block, if it is there.
func findEntry(block []byte, term string) (n int, list []byte, ok bool) {
	r := blockReader{data: block}
	for {
		t, n, list, more := r.next()
		if !more {
			return 0, nil, false
		}
		if string(t) == term {
			return n, list, true
		}
		if string(t) > term {
			return 0, nil, false
		}
	}
}
