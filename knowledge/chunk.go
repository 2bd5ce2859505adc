package knowledge

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"sync"
)

// Passage chunks are stored compressed: article text is most of a
// database's size, and news prose deflates to about half. A stored chunk
// starts with a format byte: chunkRaw (the text follows as is) or
// chunkDeflate (raw DEFLATE follows). Text never starts with either byte
// (normalised text has no control characters), so a chunk written as plain
// text by an older version reads back unchanged.
const (
	chunkRaw     = 0x00
	chunkDeflate = 0x01
	// chunkMinDeflate is the shortest text worth compressing.
	chunkMinDeflate = 128
)

var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// inflaters reuse decompressors: a new one allocates tens of kilobytes,
// more than decoding a chunk costs, and a search decodes hundreds.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// encodeChunk returns the stored form of a chunk of article text.
func encodeChunk(s string) []byte {
	if len(s) >= chunkMinDeflate {
		var buf bytes.Buffer
		buf.Grow(len(s)/2 + 16)
		buf.WriteByte(chunkDeflate)
		w := flaters.Get().(*flate.Writer)
		w.Reset(&buf)
		_, err := io.WriteString(w, s)
		if err == nil {
			err = w.Close()
		}
		flaters.Put(w)
		if err == nil && buf.Len() < len(s)+1 {
			return buf.Bytes()
		}
	}
	out := make([]byte, 0, len(s)+1)
	out = append(out, chunkRaw)
	return append(out, s...)
}

// decodeChunk returns the text of a stored chunk.
func decodeChunk(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	switch b[0] {
	case chunkRaw:
		return string(b[1:]), nil
	case chunkDeflate:
		r := inflaters.Get().(io.ReadCloser)
		defer inflaters.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(b[1:]), nil); err != nil {
			return "", WrapError(EINTERNAL, "A stored article is damaged.", err)
		}
		var out strings.Builder
		out.Grow(len(b) * 3)
		if _, err := io.Copy(&out, r); err != nil {
			return "", WrapError(EINTERNAL, "A stored article is damaged.", err)
		}
		return out.String(), nil
	}
	return string(b), nil // written as plain text
}

// mustPassageText decodes a stored chunk and cuts the passage out of it;
// a damaged chunk yields an empty passage (and is logged by the caller's
// checks elsewhere) rather than failing a whole search.
func mustPassageText(chunk []byte, seq, start, end int) string {
	s, err := decodeChunk(chunk)
	if err != nil {
		return ""
	}
	return passageText(s, seq, start, end)
}
