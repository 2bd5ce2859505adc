// Package text holds Herald's pure text functions: normalising article text
// for storage, splitting it into sentences (English and German) and capped
// passages, analysing text per language ([Analyzer]: stop words, Snowball
// stems, index terms and question terms), detecting a text's language,
// folding text for quote checks, and hashing it for exact and
// near-duplicate detection.
//
// Everything here is a pure function of its arguments: no I/O, no clock and
// no mutable package state, only immutable lookup tables. The functions sit
// on the ingest and query hot paths, so they scan bytes directly, take an
// ASCII fast path where they can and avoid allocating per token.
//
// Offsets are byte offsets into the string passed in (see [Span]); the
// sentence and passage functions never copy text.
package text
