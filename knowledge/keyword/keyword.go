// Package keyword is Herald's keyword index: the postings of every term,
// written in immutable segments that are merged in tiers, and BM25 scored
// straight from them. It knows nothing of Herald's store: the store hands it
// the analysed passages it writes (Indexer, Builder) and removes
// (MarkRemoved), the passages to index again (Rebuild), and a database or
// transaction to work in (DB).
//
// Every passage is indexed in its article's language, with that language's
// analyzer (text.AnalyzerFor: stop words, Snowball stems), and each
// language is an index of its own: a segment holds passages of one
// language, and its statistics (Stats: passages, tokens) and document
// frequencies (DF) are per language, so that a question analysed in one
// language is scored against the passages of that language exactly as if
// they were the whole index.
//
// Each write transaction that adds passages writes one immutable segment
// per language: for every term of those passages, the list of the
// passages that hold it. A posting is three small numbers, so BM25 needs
// nothing but the lists of the question's terms:
//
//	uvarint  passage id minus the previous posting's (the first: the id)
//	uvarint  body count << 2 | headline count (at most 3)
//	byte     the passage's length in tokens, headline included (lengthCode)
//
// A segment's lists are stored in term order in blocks of about 4 KB, one
// row per block keyed by its first term (most terms of a batch are rare:
// a row each would make SQLite, not Herald, most of the cost of ingesting
// and merging); a list of more than half a block has a row of its own,
// whose n column says how many postings it holds, so a term's frequency is
// read without reading its list. A block entry is
//
//	uvarint length, term, uvarint postings, uvarint length, list
//
// Segments are merged in tiers, MergeFactor at a time, within a language;
// segments of the final tier are never merged again, which bounds the
// longest merge. A passage's postings are all in one segment, and passage
// ids only grow (the writer hands them out).
//
// Removed passages are listed in deleted_passages until the merge of their
// segment drops their postings. Their removal is exact at once: the writer
// hands MarkRemoved their analysis, whose terms are subtracted from the
// document frequencies (removed_df) and whose lengths from the statistics,
// and Score passes over them. A database after any sequence of writes and
// removals therefore scores every passage as a fresh index of the same
// passages would. When many removed passages wait in segments that no
// merge will rewrite soon (the final tier), Merge compacts those segments
// alone.
//
// The tables (segments, postings, deleted_passages, removed_df,
// index_stats) are created by the store's migrations. The SQL is plain but
// for two SQLite forms the term lookup (lookupTerms) needs: it finds
// postings rows by rowid, and CROSS JOIN fixes its join order; on
// PostgreSQL (a DB whose dialect says so, see sqldb.Of) it joins laterally
// instead, and terms are passed as one text[] argument. Terms compare by
// their bytes, as Go's strings do: on PostgreSQL the term and language
// columns are COLLATE "C".
package keyword

import (
	"context"
	"database/sql"

	"github.com/herald-bot/herald/knowledge/text"
)

// DB is what the index reads and writes through: a *sql.DB, or the
// *sql.Tx of a write.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// MergeFactor is how many segments of a tier are merged into one of the
// next tier.
const MergeFactor = 16

const (
	// firstTierPassages is the size below which a segment is in tier 0;
	// each next tier holds segments MergeFactor times bigger.
	firstTierPassages = 4096
	// finalTier is the tier whose segments are never merged again: from
	// 65,536 passages (about 6,000 articles) on. A bulk ingest writes
	// segments of a few thousand passages (tier 1), so each posting is
	// rewritten once; feed polls write tiny ones (tier 0), rewritten twice.
	// A search reads each of its terms once per segment: about 12 final
	// segments at 100,000 articles, plus at most 15 in each lower tier.
	finalTier = 2
	// mergePageRows is how many blocks a merge reads from a segment at once.
	mergePageRows = 64
	// denseSpan is the widest passage id range scored with an array.
	denseSpan = 1 << 22
	// blockTarget is the size at which a block of lists is closed.
	blockTarget = 4096
	// rebuildSegment is how many passages Rebuild puts in one segment.
	rebuildSegment = 50000
)

// TermFreq is one term of a passage: how often it occurs in the body and
// in the article's headline. Indexer makes them; Builder takes them.
type TermFreq struct {
	term        string
	body, title uint16
}

// Analysis is what the index keeps of one passage, as Indexer.Passage
// computes it: the language of the analyzer that made it, the passage's
// distinct terms (the headline's counted too), and its length and its
// headline's in tokens (stop words included).
type Analysis struct {
	Lang        string
	Terms       []TermFreq
	Words       int
	TitleTokens int
}

// Length is the passage's length in tokens with its headline, which BM25
// normalises by.
func (a *Analysis) Length() int { return a.Words + a.TitleTokens }

// Indexer analyses an article's passages as the index keeps them: call
// SetArticle with the article's language and headline, then Passage for
// each passage in turn. Storing an article, removing it and rebuilding the
// index all use it, so they agree. The zero Indexer is ready to use; it is
// not safe for concurrent use.
type Indexer struct {
	// Cache, when not nil, remembers stems across passages and articles
	// (stemming is most of the cost of indexing); give each goroutine its
	// own.
	Cache *text.StemCache

	an          *text.Analyzer
	titleTF     map[string]int
	titleTokens int
	toks        []string
	counts      map[string]int // scratch
}

// SetArticle starts an article: lang is its language as stored (a code
// text.AnalyzerFor reads; "" or one without a stemmer gets the plain
// analyzer), title its headline.
func (x *Indexer) SetArticle(lang, title string) {
	x.an = text.AnalyzerFor(lang)
	x.toks, x.titleTokens = x.Cache.AppendIndexTokens(x.an, x.toks[:0], title)
	x.titleTF = make(map[string]int, len(x.toks))
	for _, t := range x.toks {
		x.titleTF[t]++
	}
}

// Language returns the language the article is indexed in: its
// analyzer's code, "" for the plain analyzer.
func (x *Indexer) Language() string {
	if x.an == nil {
		x.an = text.AnalyzerFor("")
	}
	return x.an.Language()
}

// TitleTokens returns the length in tokens of the headline SetArticle was
// given.
func (x *Indexer) TitleTokens() int { return x.titleTokens }

// Passage returns the analysis of a passage of the article.
func (x *Indexer) Passage(body string) Analysis {
	if x.an == nil {
		x.SetArticle("", "")
	}
	var words int
	x.toks, words = x.Cache.AppendIndexTokens(x.an, x.toks[:0], body)
	if x.counts == nil {
		x.counts = make(map[string]int, 128)
	}
	clear(x.counts)
	for _, t := range x.toks {
		x.counts[t]++
	}
	terms := make([]TermFreq, 0, len(x.counts)+len(x.titleTF))
	for t, n := range x.counts {
		terms = append(terms, TermFreq{term: t, body: clampCount(n), title: clampCount(x.titleTF[t])})
	}
	for t, n := range x.titleTF {
		if x.counts[t] == 0 {
			terms = append(terms, TermFreq{term: t, title: clampCount(n)})
		}
	}
	return Analysis{Lang: x.an.Language(), Terms: terms, Words: words, TitleTokens: x.titleTokens}
}

func clampCount(n int) uint16 {
	if n > 0xffff {
		return 0xffff
	}
	return uint16(n)
}
