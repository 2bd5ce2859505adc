package knowledge

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Passage chunks are stored compressed: article text is most of a
// database's size. A stored chunk starts with a format byte: chunkRaw (the
// text follows as is) or chunkZstd (zstd: about 0.57 of the size for a
// passage of news prose, decoded in a few microseconds, which matters
// because a search decodes every candidate passage). chunkDeflate chunks,
// written by an earlier version, are read too (DEFLATE was dropped: its
// decoder allocates 32 KB per chunk; S2, also measured, decodes faster but
// keeps 0.7 of the size). Text never
// starts with these bytes (normalised text has no control characters), so
// a chunk written as plain text reads back unchanged.
const (
	chunkRaw     = 0x00
	chunkDeflate = 0x01
	chunkZstd    = 0x03
	// chunkMinCompress is the shortest text worth compressing.
	chunkMinCompress = 128
)

// encodeChunk returns the stored form of a chunk of article text.
func encodeChunk(s string) []byte {
	if len(s) >= chunkMinCompress {
		dst := zstdEncoder.EncodeAll([]byte(s), []byte{chunkZstd})
		if len(dst) < len(s) {
			return dst
		}
	}
	out := make([]byte, 0, len(s)+1)
	out = append(out, chunkRaw)
	return append(out, s...)
}

// zstdEncoder and zstdDecoder are safe for concurrent use; one of each
// serves every chunk. The encoder runs as many EncodeAll calls at once as
// there are cores (ingest prepares articles on every core; with fewer, the
// preparing goroutines would queue for it).
var (
	zstdEncoder = mustZstd(zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2*runtime.GOMAXPROCS(0)+2), zstd.WithLowerEncoderMem(true)))
	zstdDecoder = mustZstd(zstd.NewReader(nil, zstd.WithDecoderConcurrency(0)))
)

// mustZstd returns the coder made with fixed, valid options; an error
// there is a bug of this file, not of the data.
func mustZstd[T any](coder T, err error) T {
	if err != nil {
		panic("knowledge: zstd coder: " + err.Error())
	}
	return coder
}

// inflaters reuse DEFLATE decompressors for chunks of earlier versions.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// decodeChunk returns the text of a stored chunk.
func decodeChunk(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	switch b[0] {
	case chunkRaw:
		return string(b[1:]), nil
	case chunkZstd:
		out, err := zstdDecoder.DecodeAll(b[1:], nil)
		if err != nil {
			return "", fmt.Errorf("decode zstd chunk: %w", err)
		}
		return string(out), nil
	case chunkDeflate:
		r := inflaters.Get().(io.ReadCloser)
		defer inflaters.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(b[1:]), nil); err != nil {
			return "", fmt.Errorf("decode deflate chunk: %w", err)
		}
		var out strings.Builder
		if _, err := io.Copy(&out, r); err != nil {
			return "", fmt.Errorf("decode deflate chunk: %w", err)
		}
		return out.String(), nil
	}
	return string(b), nil // written as plain text
}

// storedPassageText decodes a stored chunk and cuts the passage out of it.
// A damaged chunk is an error: a passage that silently reads as empty
// would hide the damage and answer from less than the store holds.
func storedPassageText(chunk []byte, seq, start, end int) (string, error) {
	s, err := decodeChunk(chunk)
	if err != nil {
		return "", err
	}
	return passageText(s, seq, start, end), nil
}
