// Package extract is Herald's extractive answerer: given a question and
// the evidence retrieval found for it, it works out what the question asks
// for (a person, a place, a number, an amount, a date, a reason...), finds
// such candidates in the evidence's sentences, and chooses the sentences
// that answer, or abstains. It also reads a question's relative time words
// ("this week", "gestern") as a date window.
//
// Everything here is pure text work on its arguments: no I/O, no clock,
// no mutable package state, only immutable lookup tables (the cue words of
// each language). It knows nothing of the store: the caller fetches the
// evidence's text, weighs the question's terms by the index's statistics,
// and turns the [Result] into its own answer with citations.
package extract

import (
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

// Question is what the answerer is asked.
type Question struct {
	// Text is the question without its relative time words (see
	// RelativeTime).
	Text string
	// Language is the question's language, an ISO 639-1 code.
	Language string
	// Window is the period the question's relative time words point at,
	// or nil.
	Window *Window
	// Weights holds the weight of each of the question's terms (the
	// language's analyzer's stems): their inverse document frequency in
	// the index.
	Weights map[string]float64
	// Common holds the question's terms found in one passage in twenty
	// of the index or more: a name among them tells little ("US" in an
	// American outlet's articles), and the evidence need not hold it.
	Common map[string]bool
}

// Passage is one passage retrieval found, in its order, best first.
type Passage struct {
	Article int64  // the article it is of (compared with Document.ID)
	Title   string // the article's headline
	Text    string
}

// Document is one of the best evidence articles as the answerer reads
// it: the parts Spans of Text (the whole stored text for the best
// articles, else the retrieved passages). Documents come in the order of
// their articles' retrieval rank, best first.
type Document struct {
	ID        int64 // the article's identity, as in Passage.Article
	Title     string
	Outlet    string    // the article's outlet ("Reuters"): never an answer
	Published time.Time // when the article was published, zero when undated
	Text      string
	Spans     []text.Span // the parts of Text to read
	Full      string      // the article's whole text, read or not
}

// Result is what the answerer found: the sentences that answer, or that
// it abstains and why.
type Result struct {
	Abstained bool
	Why       Abstention // why it abstained, when it did
	// Short is the answer in a few words ("Squid Game"), said before the
	// sentences when it clearly wins, or "".
	Short string
	// Sentences are the sentences of the answer, in the order they are
	// to be said.
	Sentences []Chosen
}

// Sentence is one sentence of an evidence document: the document's
// index, the sentence's bytes in its Text, and the sentence.
type Sentence struct {
	Doc  int
	Span text.Span
	Text string
}

// Chosen is a sentence of the answer with its copies: the same sentence
// (by its opening words) in other documents, in evidence order, which
// the answer cites with it.
type Chosen struct {
	Sentence
	Copies []Sentence
}

// Abstention says why the answerer abstained.
type Abstention uint8

// The reasons to abstain.
const (
	// Answered means it did not abstain.
	Answered Abstention = iota
	// NoEvidence means retrieval found nothing.
	NoEvidence
	// KeyTermsMissing means the best evidence lacks the question's key
	// terms (a name it asks about, too little of its terms' weight).
	KeyTermsMissing
	// NoAnswer means no sentence of the evidence holds what the question
	// asks for.
	NoAnswer
)
