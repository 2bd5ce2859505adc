// Package knowledge is Herald's domain: articles and their passages, the
// SQLite store that keeps them, ingestion, retrieval, answering with checked
// citations, summaries and digests.
//
// Its engines are leaf packages that know nothing of it: the keyword index
// (knowledge/keyword) and the vector index (knowledge/vector), whose tables
// the store's migrations create and whose reads and writes the store runs
// in its own transactions, and citation checking (knowledge/cite).
//
// It defines the small interfaces it needs from the outside world (Completer,
// Embedder, Fetcher, Extractor) and never imports an SDK; cmd/herald wires
// concrete implementations in.
package knowledge

import (
	"context"
	"time"
)

// Article is one stored news article. Text is the normalised article body;
// passages point into it by byte offset, so a citation can always quote the
// exact stored sentences.
type Article struct {
	ID          int64     `json:"id"`
	ExternalID  string    `json:"external_id,omitempty"` // id from an imported corpus, if any
	URL         string    `json:"url"`                   // canonical URL, tracking parameters stripped
	Title       string    `json:"title"`
	Source      string    `json:"source"` // outlet name, e.g. "Defense News"
	Author      string    `json:"author,omitempty"`
	PublishedAt time.Time `json:"published_at"` // zero when unknown
	FetchedAt   time.Time `json:"fetched_at"`
	Language    string    `json:"language,omitempty"`
	ContentHash string    `json:"content_hash,omitempty"`
	Text        string    `json:"text,omitempty"`
	GuildID     string    `json:"guild_id,omitempty"` // owning Discord server; empty = the operator's, visible everywhere
	FeedID      int64     `json:"feed_id,omitempty"`
	StoryID     int64     `json:"story_id,omitempty"` // near-duplicates from several outlets share a story
	// OtherURLs are the article's other addresses: records with the same
	// text found under other URLs (a wire story on several outlets' sites),
	// oldest first. Listings fill them in; URL is not among them.
	OtherURLs []ArticleURL `json:"other_urls,omitempty"`

	prep *preparation // set by prepare, consumed by PutArticles
}

// ArticleURL is one address of an article, with the outlet and the
// publication date of the record found there.
type ArticleURL struct {
	URL         string    `json:"url"`
	Source      string    `json:"source,omitempty"`
	PublishedAt time.Time `json:"published_at"` // zero when that record had no date
}

// Passage is a run of whole sentences of an article, about 100 to 250 words,
// located by byte offsets [Start, End) in the article's Text.
type Passage struct {
	ID        int64  `json:"id"`
	ArticleID int64  `json:"article_id"`
	Seq       int    `json:"seq"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Text      string `json:"text"`
}

// Hit is one retrieved passage with its article and its retrieval score
// (higher is better).
type Hit struct {
	Passage Passage `json:"passage"`
	Article Article `json:"article"`
	Score   float64 `json:"score"`
}

// Filter narrows retrieval and listings. Zero values mean "no restriction".
type Filter struct {
	Since   time.Time // published at or after
	Until   time.Time // published before
	AsOf    time.Time // ignore articles published after this moment (dates unknown are kept)
	Sources []string  // outlet names, case-insensitive
	GuildID string    // the asking server: the operator's articles plus this server's own
	Limit   int
	// Language is the asker's language as an ISO 639-1 code (the
	// server's or the terminal's locale), for questions too short to tell
	// their own; empty means English. It never excludes articles.
	Language string
}

// Citation is one numbered source of an Answer.
type Citation struct {
	N           int       `json:"n"`
	ArticleID   int64     `json:"article_id"`
	ExternalID  string    `json:"-"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Quote       string    `json:"quote"`
	// Quotes, when set, are all the quoted passages of the article, Quote
	// being the first; renderers group citations of one article by
	// ArticleID either way (see GroupSources).
	Quotes   []string `json:"quotes,omitempty"`
	Verified bool     `json:"verified"`
}

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Answer is the contract between knowledge and every renderer: the answer
// text with [n] markers, its citations, and how it was made.
type Answer struct {
	Question  string     `json:"question"`
	Text      string     `json:"answer"`
	Mode      string     `json:"mode"`
	Abstained bool       `json:"abstained"`
	Citations []Citation `json:"citations"`
	// Note is a one-line remark for the reader, e.g. that the model was
	// unavailable and the answer is extractive.
	Note string `json:"note,omitempty"`
	// Language is the ISO 639-1 code of the language the answer is
	// written for: the question's. Herald's own sentences in it (the
	// abstention, notes) are in that language, quotes stay in their
	// article's, and renderers label sources in it. It may be empty.
	Language string `json:"language,omitempty"`
	// UnmarkedClaims counts sentences of an LLM answer without any marker.
	UnmarkedClaims int `json:"unmarked_claims,omitempty"`
	// Hits is the evidence the answer was made from, best first.
	Hits []Hit `json:"-"`
	// Tokens is the number of model tokens spent (estimated when the server
	// does not report usage).
	Tokens int `json:"-"`
}

// Question is what a user asks, with the context that shapes retrieval.
type Question struct {
	Text   string
	Filter Filter
	// History holds earlier turns of the conversation, oldest first.
	History []Turn
	// Mode is "auto" (default), "llm" or "extractive".
	Mode string
	// OnDelta, when set, receives answer text as it is written.
	OnDelta func(string)
}

// Turn is one question and answer of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// ChatMessage is one message of a chat completion request.
type ChatMessage struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// ChatRequest asks a Completer for one completion.
type ChatRequest struct {
	Messages    []ChatMessage
	MaxTokens   int
	Temperature float32
}

// ChatResponse is a finished completion.
type ChatResponse struct {
	Content          string
	PromptTokens     int
	CompletionTokens int
}

// Completer writes chat completions: an OpenAI-compatible endpoint in
// production (knowledge/llm), a function-field fake in tests.
type Completer interface {
	// Complete returns the whole completion at once.
	Complete(ctx context.Context, req ChatRequest) (ChatResponse, error)
	// Stream calls onDelta with each new piece of text as it arrives and
	// returns the whole completion at the end. Text already passed to
	// onDelta is never passed again, even when a request is retried.
	Stream(ctx context.Context, req ChatRequest, onDelta func(string)) (ChatResponse, error)
}

// Embedder turns texts into vectors with one embeddings model.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Model names the embeddings model, so vectors of different models are
	// never mixed.
	Model() string
}

// Document is raw content fetched from a URL or read from a file, before
// extraction.
type Document struct {
	URL         string // final URL after redirects
	ContentType string
	Body        []byte
}

// Fetcher retrieves a URL safely (scheme, address, size and time limits).
type Fetcher interface {
	Fetch(ctx context.Context, url string) (*Document, error)
}

// Extracted is the readable content of an HTML page.
type Extracted struct {
	Title       string
	Text        string // paragraphs separated by blank lines
	Byline      string
	Source      string // site name, when the page says
	PublishedAt time.Time
	URL         string // canonical URL, when the page declares one
	Language    string
}

// Extractor pulls the readable article out of an HTML page.
type Extractor interface {
	Extract(html []byte, pageURL string) (*Extracted, error)
}
