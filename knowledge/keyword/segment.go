package keyword

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// postingList is one term's postings being built.
type postingList struct {
	data []byte
	last int64
	n    int
}

// Builder inverts passages, in increasing id order, into a Segment, one
// part per language. The zero Builder is ready to use.
type Builder struct {
	parts map[string]*partBuilder
	n     int64
}

// partBuilder is what a Builder holds of one language.
type partBuilder struct {
	lists         map[string]*postingList
	pids          []int64
	words, titles []int32
}

// Add adds passage pid and its analysis (from Indexer.Passage).
func (b *Builder) Add(pid int64, a Analysis) {
	if b.parts == nil {
		b.parts = map[string]*partBuilder{}
	}
	p := b.parts[a.Lang]
	if p == nil {
		p = &partBuilder{lists: make(map[string]*postingList, 4096)}
		b.parts[strings.Clone(a.Lang)] = p
	}
	b.n++
	p.pids = append(p.pids, pid)
	p.words = append(p.words, int32(a.Words))
	p.titles = append(p.titles, int32(a.TitleTokens))
	code := lengthCode(a.Length())
	for _, tf := range a.Terms {
		l := p.lists[tf.term]
		if l == nil {
			l = &postingList{}
			// Terms are often substrings of the article text: a copy
			// lets the text go once the batch is indexed.
			p.lists[strings.Clone(tf.term)] = l
		}
		l.data = appendPosting(l.data, pid-l.last, tf.body, tf.title, code)
		l.last = pid
		l.n++
	}
}

// Passages returns how many passages were added since the last Seal.
func (b *Builder) Passages() int64 { return b.n }

// Segment is a built segment in compact form, ready to be written: per
// language, its terms in order and their postings one after another.
type Segment struct {
	parts []*segmentPart // by language
}

// segmentPart is the part of a segment in one language.
type segmentPart struct {
	lang          string
	terms         []string
	n, end        []int32 // postings of terms[i], and where its list ends in data
	data          []byte
	pids          []int64 // the passages, in id order
	words, titles []int32 // their lengths in tokens, and their headlines'
}

// Seal returns the segment built so far and empties the builder.
func (b *Builder) Seal() *Segment {
	s := &Segment{}
	for lang, pb := range b.parts {
		p := &segmentPart{lang: lang, pids: pb.pids, words: pb.words, titles: pb.titles}
		p.terms = make([]string, 0, len(pb.lists))
		size := 0
		for t, l := range pb.lists {
			p.terms = append(p.terms, t)
			size += len(l.data)
		}
		sort.Strings(p.terms)
		p.n, p.end = make([]int32, len(p.terms)), make([]int32, len(p.terms))
		p.data = make([]byte, 0, size)
		for i, t := range p.terms {
			l := pb.lists[t]
			p.data = append(p.data, l.data...)
			p.n[i], p.end[i] = int32(l.n), int32(len(p.data))
		}
		s.parts = append(s.parts, p)
	}
	sort.Slice(s.parts, func(i, j int) bool { return s.parts[i].lang < s.parts[j].lang })
	*b = Builder{}
	return s
}

func (p *segmentPart) list(i int) []byte {
	start := int32(0)
	if i > 0 {
		start = p.end[i-1]
	}
	return p.data[start:p.end[i]]
}

// Write stores the segment in db (a write transaction): one segment row
// per language, its postings, and the passages and tokens it adds to each
// language's Stats. Its ids are offsets: passage id = base + offset.
// Offsets marked in skip (which, when not nil, covers every offset of the
// segment) are left out: their articles were not written after all. A nil
// or empty segment writes nothing.
func (s *Segment) Write(ctx context.Context, db DB, base int64, skip []bool) error {
	if s == nil {
		return nil
	}
	for _, p := range s.parts {
		if err := p.write(ctx, db, base, skip); err != nil {
			return err
		}
	}
	return nil
}

func (p *segmentPart) write(ctx context.Context, db DB, base int64, skip []bool) error {
	var add Stats
	lo, hi := int64(-1), int64(-1)
	for i, off := range p.pids {
		if skip != nil && skip[off] {
			continue
		}
		add.Passages++
		add.Tokens += int64(p.words[i])
		add.TitleTokens += int64(p.titles[i])
		if lo < 0 {
			lo = off
		}
		hi = off
	}
	if add.Passages == 0 {
		return nil
	}
	var seg int64
	if err := db.QueryRowContext(ctx, `INSERT INTO segments(passages, min_pid, max_pid, lang) VALUES (?, ?, ?, ?) RETURNING id`,
		add.Passages, base+lo, base+hi, p.lang).Scan(&seg); err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	w := newBlockWriter(db, seg)
	defer w.ins.Close()
	for i, t := range p.terms {
		data, n := rebased(p.list(i), int(p.n[i]), base, skip)
		if n == 0 {
			continue
		}
		if err := w.add(ctx, t, n, data); err != nil {
			return fmt.Errorf("write segment %d: %w", seg, err)
		}
	}
	if err := w.finish(ctx); err != nil {
		return fmt.Errorf("write segment %d: %w", seg, err)
	}
	if err := addStats(ctx, db, p.lang, add); err != nil {
		return fmt.Errorf("write segment %d: %w", seg, err)
	}
	return nil
}

// rebased returns a list of n postings with base added to every id, without
// the offsets marked in skip, and how many postings it then holds.
func rebased(list []byte, n int, base int64, skip []bool) ([]byte, int) {
	if skip == nil {
		// Ids are deltas: only the first one changes.
		first, k := binary.Uvarint(list)
		out := make([]byte, 0, len(list)+binary.MaxVarintLen64)
		out = binary.AppendUvarint(out, first+uint64(base))
		return append(out, list[k:]...), n
	}
	var out []byte
	var last int64
	n = 0
	r := postingReader{data: list}
	for {
		off, body, title, length, ok := r.next()
		if !ok {
			break
		}
		if skip[off] {
			continue
		}
		out = appendPosting(out, base+off-last, uint16(body), uint16(title), length)
		last = base + off
		n++
	}
	return out, n
}
