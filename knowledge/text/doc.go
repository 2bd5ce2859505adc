// Package text holds Herald's pure text functions: normalising article text
// for storage, splitting it into sentences and passages, turning questions
// into full-text query terms, folding text for quote checks, and hashing it
// for exact and near-duplicate detection.
//
// Everything here is a pure function of its arguments: no I/O, no clock and
// no mutable package state, only immutable lookup tables. The functions sit
// on the ingest and query hot paths, so they scan bytes directly, take an
// ASCII fast path where they can and avoid allocating per token.
//
// Offsets are byte offsets into the string passed in (see [Span]); the
// sentence and passage functions never copy text.
package text
