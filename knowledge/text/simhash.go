package text

import "math/bits"

// Fingerprint returns a 64-bit SimHash of s for near-duplicate detection:
// every run of three consecutive [Tokens] (stop words included) is hashed,
// and bit i of the result is set when more than half of the shingle hashes
// have bit i set. Texts that share most of their wording, such as one wire
// story run by several outlets with a few words edited, get fingerprints a
// small [HammingDistance] apart (a handful of bits), while unrelated texts
// differ in about half of the 64 bits. A text of fewer than three tokens
// is hashed as one shingle; one without tokens gives 0. The hash is fixed
// (FNV-1a and a bit mixer, no random seed), so fingerprints may be stored
// and compared across processes.
func Fingerprint(s string) uint64 {
	var (
		tally   bitTally
		h1, h2  uint64 // hashes of the two previous tokens
		ntok    int
		stack   [64]byte
		scratch = stack[:0]
	)
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		var h uint64
		if plain {
			h = fnv1a(s[start:end])
		} else {
			scratch = appendFolded(scratch[:0], s[start:end])
			if len(scratch) == 0 {
				continue
			}
			h = fnv1a(scratch)
		}
		ntok++
		if ntok >= 3 {
			tally.add(shingle(h1, h2, h))
		}
		h1, h2 = h2, h
	}
	switch ntok {
	case 0:
		return 0
	case 1:
		tally.add(mix(h2))
	case 2:
		tally.add(shingle(0, h1, h2))
	}
	return tally.majority()
}

// HammingDistance returns the number of bits in which the fingerprints a
// and b differ, from 0 (same) to 64.
func HammingDistance(a, b uint64) int {
	return bits.OnesCount64(a ^ b)
}

// shingle hashes three consecutive token hashes, in order.
func shingle(a, b, c uint64) uint64 {
	return mix(a*0x9E3779B97F4A7C15 ^ bits.RotateLeft64(b, 21) ^ bits.RotateLeft64(c, 42))
}

// bitTally counts, for each of 64 bit positions, how many of the added
// words have that bit set. The counts are stored bit-sliced (plane k holds
// bit k of all 64 counts), so adding a word is a ripple-carry addition of a
// few whole-word operations instead of 64 separate increments.
type bitTally struct {
	planes [64]uint64
	n      int
}

func (t *bitTally) add(x uint64) {
	for k := 0; x != 0; k++ {
		t.planes[k], x = t.planes[k]^x, t.planes[k]&x
	}
	t.n++
}

// majority returns the word whose bit b is set when more than half of the
// added words had bit b set.
func (t *bitTally) majority() uint64 {
	var out uint64
	planes := bits.Len(uint(t.n))
	for b := range 64 {
		count := 0
		for k := range planes {
			count |= int(t.planes[k]>>b&1) << k
		}
		if 2*count > t.n {
			out |= 1 << b
		}
	}
	return out
}

// fnv1a is the 64-bit FNV-1a hash: fixed, so fingerprints can be stored.
func fnv1a[T string | []byte](s T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix scrambles the bits of x (the splitmix64 finaliser), so every bit of
// a shingle hash is an even coin flip.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}
