package knowledge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"

	"github.com/herald-bot/herald/knowledge/boilerplate"
	"github.com/herald-bot/herald/knowledge/text"
)

// maxFileBytes is the largest single article file Herald reads (JSONL
// corpora are streamed and have no such limit).
const maxFileBytes = 20 << 20

// Ingester turns files, directories, URLs and corpus records into stored
// articles.
type Ingester struct {
	DB        *DB
	Fetcher   Fetcher   // for http(s) inputs; nil refuses them
	Extractor Extractor // for HTML; nil refuses HTML
	Logger    *slog.Logger
	// BatchSize is how many articles go into one transaction.
	BatchSize int
	// GuildID owns what is ingested; empty for the operator's articles.
	GuildID string
	// Source names the outlet when an input does not.
	Source string
}

// IngestEvent reports one item of a batch: what was stored, or why not.
type IngestEvent struct {
	Item      string // file path, URL, or "file:line" for corpus records
	Title     string
	ArticleID int64
	Status    PutStatus // zero when Err is set or the item was Empty
	Err       error
	// Empty is set for a file that holds no articles at all (a JSON file
	// with an empty array): nothing was stored, and nothing failed.
	Empty bool
}

// IngestSummary counts what a batch did.
type IngestSummary struct {
	Added, Updated, Unchanged, Failed int
	// Merged counts records with the text of a stored article under
	// another address, which the article keeps as one of its own.
	Merged  int
	Skipped int // files of other types inside directories
	Empty   int // files holding no articles (an empty JSON array)
}

// Total is the number of items stored or refused.
func (s IngestSummary) Total() int { return s.Added + s.Merged + s.Updated + s.Unchanged + s.Failed }

// Stored is the number of items stored: added, merged into a stored
// article, updated or found unchanged.
func (s IngestSummary) Stored() int { return s.Added + s.Merged + s.Updated + s.Unchanged }

// Ingest stores every input: paths to files or directories (walked
// recursively) and http(s) URLs. Each item is reported through report as it
// completes; a bad item never stops the rest. The error is non-nil only
// when the whole batch could not go on (a database failure, cancellation).
func (in *Ingester) Ingest(ctx context.Context, inputs []string, report func(IngestEvent)) (IngestSummary, error) {
	b := &batcher{in: in, report: report}
	err := b.ingestAll(ctx, inputs)
	if ferr := b.flush(ctx); err == nil {
		err = ferr
	}
	if emb := in.DB.Embedder; emb != nil && err == nil && b.sum.Added+b.sum.Updated > 0 {
		if _, eerr := in.DB.EmbedMissing(ctx, emb, 0, nil); eerr != nil && ctx.Err() == nil {
			// The articles are stored; vectors can follow later.
			in.DB.Logger.Warn("embedding new passages failed; 'herald reindex' will retry", "err", eerr)
		}
	}
	return b.sum, err
}

func (b *batcher) ingestAll(ctx context.Context, inputs []string) error {
	for _, input := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		switch {
		case isURL(input):
			err = b.in.ingestURL(ctx, b, input)
		default:
			err = b.in.ingestPath(ctx, b, input)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// batcher collects articles into transactions of BatchSize. A full batch
// is prepared (normalised, split, hashed, compressed) and indexed by
// goroutines of its own, one per core, while the next batch is read and the
// previous one written by the writer goroutine: SQLite's single writer does
// nothing but write.
type batcher struct {
	in      *Ingester
	report  func(IngestEvent)
	pending []*Article
	items   []string
	sum     IngestSummary

	mu      sync.Mutex // guards sum and report calls from both goroutines
	writes  chan *writeJob
	done    chan struct{}
	werr    error // the writer's fatal error, read after done
	started bool
	// preparing counts the goroutines preparing batches; flush waits
	// for them, and they stop early once the writer is done.
	preparing sync.WaitGroup
}

// writeQueue is how many prepared batches may wait for the writer, so
// that preparation goes on while the writer is busy (merging segments takes
// seconds at 100,000 articles); each is a few MB once its text is dropped.
const writeQueue = 3

type writeJob struct {
	articles []*Article
	items    []string
	now      time.Time
	boiler   *boilerplate.Set // the boilerplate the store knew when the batch was sent
	next     atomic.Int64     // the next article to prepare
	prepared atomic.Int64     // articles prepared
	index    *batchIndex      // set before ready is closed
	ready    chan struct{}    // closed once every article is prepared and indexed
}

// prepare prepares the job's articles not yet taken by another goroutine;
// whoever prepares the last one closes ready. It stops early when stop is
// closed (the writer is gone, so nobody waits for ready).
func (j *writeJob) prepare(stop <-chan struct{}) {
	var cache text.StemCache // stemming is most of preparing: one cache per goroutine
	for {
		select {
		case <-stop:
			return
		default:
		}
		i := int(j.next.Add(1)) - 1
		if i >= len(j.articles) {
			return
		}
		j.articles[i].prepare(j.now, &cache, j.boiler)
		if int(j.prepared.Add(1)) == len(j.articles) {
			// What the writer needs is now in the chunks and the index:
			// drop the text and the term lists, so that prepared batches
			// waiting for the writer (while it merges segments) are small.
			j.index = indexBatch(j.articles)
			for _, a := range j.articles {
				a.prep.analyses = nil
				a.Text = ""
			}
			close(j.ready)
		}
	}
}

func (b *batcher) add(ctx context.Context, item string, a *Article) error {
	if a.GuildID == "" {
		a.GuildID = b.in.GuildID
	}
	if a.Source == "" {
		a.Source = b.in.Source
	}
	b.pending = append(b.pending, a)
	b.items = append(b.items, item)
	size := b.in.BatchSize
	if size <= 0 {
		size = 512
	}
	if len(b.pending) >= size {
		return b.send(ctx)
	}
	return nil
}

// empty reports a file that holds no articles.
func (b *batcher) empty(item string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sum.Empty++
	if b.report != nil {
		b.report(IngestEvent{Item: item, Empty: true})
	}
}

func (b *batcher) fail(item string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sum.Failed++
	if b.report != nil {
		b.report(IngestEvent{Item: item, Err: err})
	}
}

// send hands the pending batch to the writer, starting it on first use.
func (b *batcher) send(ctx context.Context) error {
	if len(b.pending) == 0 {
		return b.writerErr()
	}
	if !b.started {
		b.started = true
		b.writes = make(chan *writeJob, writeQueue)
		b.done = make(chan struct{})
		go b.writer(ctx)
	}
	boiler, err := b.in.DB.boilerplate(ctx)
	if err != nil {
		return err
	}
	job := &writeJob{articles: b.pending, items: b.items, now: b.in.DB.Now(), boiler: boiler, ready: make(chan struct{})}
	b.pending, b.items = nil, nil
	// One goroutine per core prepares the batch; the writer joins in when
	// it gets to the batch first.
	for range min(runtime.GOMAXPROCS(0), 4) {
		b.preparing.Go(func() { job.prepare(b.done) })
	}
	select {
	case b.writes <- job:
		return nil
	case <-b.done:
		return b.werr
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) writerErr() error {
	if !b.started {
		return nil
	}
	select {
	case <-b.done:
		return b.werr
	default:
		return nil
	}
}

// flush writes what is pending (unless ctx is done) and waits for the
// writer to finish.
func (b *batcher) flush(ctx context.Context) error {
	var err error
	if ctx.Err() == nil {
		err = b.send(ctx)
	}
	if !b.started {
		return err
	}
	close(b.writes)
	<-b.done
	b.preparing.Wait()
	b.started = false
	if err == nil {
		err = b.werr
	}
	return err
}

func (b *batcher) writer(ctx context.Context) {
	defer close(b.done)
	for job := range b.writes {
		job.prepare(nil)
		<-job.ready
		res, err := b.in.DB.putPrepared(ctx, job.articles, job.index)
		if err != nil {
			b.werr = err
			// Drain so the producer never blocks on a dead writer.
			for range b.writes {
			}
			return
		}
		b.mu.Lock()
		for i, r := range res {
			a := job.articles[i]
			if r.Err != nil {
				b.sum.Failed++
				if b.report != nil {
					b.report(IngestEvent{Item: job.items[i], Err: r.Err})
				}
				continue
			}
			switch r.Status {
			case Created:
				b.sum.Added++
			case Updated:
				b.sum.Updated++
			case Unchanged:
				b.sum.Unchanged++
			case Merged:
				b.sum.Merged++
			}
			if b.report != nil {
				b.report(IngestEvent{Item: job.items[i], Title: a.Title, ArticleID: a.ID, Status: r.Status})
			}
		}
		b.mu.Unlock()
	}
}

// articleExtensions are the file types Herald reads.
var articleExtensions = map[string]bool{".txt": true, ".md": true, ".markdown": true, ".html": true, ".htm": true, ".json": true, ".jsonl": true, ".ndjson": true}

func (in *Ingester) ingestPath(ctx context.Context, b *batcher, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		b.fail(path, WrapError(EINVALID, "cannot read: "+plainFSError(err), err))
		return nil
	}
	if !info.IsDir() {
		return in.ingestFile(ctx, b, path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			b.fail(p, WrapError(EINVALID, "cannot read: "+plainFSError(err), err))
			return nil
		}
		name := d.Name()
		if p != path && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if articleExtensions[strings.ToLower(filepath.Ext(name))] {
			files = append(files, p)
		} else {
			b.mu.Lock()
			b.sum.Skipped++
			b.mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read folder %s: %w", path, err)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := in.ingestFile(ctx, b, f); err != nil {
			return err
		}
	}
	return nil
}

func plainFSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (in *Ingester) ingestFile(ctx context.Context, b *batcher, path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jsonl" || ext == ".ndjson" {
		f, err := os.Open(path)
		if err != nil {
			b.fail(path, WrapError(EINVALID, "cannot read: "+plainFSError(err), err))
			return nil
		}
		defer f.Close()
		return in.ingestJSONL(ctx, b, path, f)
	}
	if !articleExtensions[ext] {
		b.fail(path, Errorf(EINVALID, "not a supported file type (use .txt, .md, .html, .json or .jsonl)"))
		return nil
	}
	data, err := readCapped(path, maxFileBytes)
	if err != nil {
		b.fail(path, err)
		return nil
	}
	var a *Article
	switch ext {
	case ".json":
		if data, err = decodeText(data); err != nil {
			b.fail(path, err)
			return nil
		}
		return in.ingestJSON(ctx, b, path, data)
	case ".html", ".htm":
		// HTML declares its own encoding (or has it sniffed), as a fetched
		// page does: the extractor decodes it.
		if len(bytes.TrimSpace(data)) == 0 {
			b.fail(path, Errorf(EINVALID, "the file is empty"))
			return nil
		}
		a, err = in.fromHTML(data, "")
	default:
		if data, err = decodeText(data); err != nil {
			b.fail(path, err)
			return nil
		}
		a, err = ParseTextArticle(string(data))
	}
	if err != nil {
		b.fail(path, err)
		return nil
	}
	return b.add(ctx, path, a)
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, WrapError(EINVALID, "cannot read: "+plainFSError(err), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, WrapError(EINVALID, "cannot read: "+plainFSError(err), err)
	}
	if int64(len(data)) > max {
		return nil, Errorf(EINVALID, "the file is larger than %d MB", max>>20)
	}
	return data, nil
}

// decodeText returns text content as UTF-8 without a byte order mark:
// UTF-8 as it is, UTF-16 with a byte order mark decoded. It refuses empty,
// binary and other non-UTF-8 content with a reason a user can act on.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, WrapError(EINVALID, "the file is not valid UTF-16 text", err)
		}
		data = out
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Errorf(EINVALID, "the file is empty")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, Errorf(EINVALID, "the file is binary, not text")
	}
	if !utf8.Valid(data) {
		return nil, Errorf(EINVALID, "the file is not UTF-8 text (convert it, e.g. with iconv)")
	}
	return data, nil
}

func (in *Ingester) fromHTML(data []byte, pageURL string) (*Article, error) {
	if in.Extractor == nil {
		return nil, Errorf(EINVALID, "HTML extraction is not available")
	}
	x, err := in.Extractor.Extract(data, pageURL)
	if err != nil {
		return nil, err
	}
	a := &Article{Title: x.Title, Text: x.Text, Author: x.Byline, Source: x.Source, PublishedAt: x.PublishedAt, Language: x.Language, URL: x.URL}
	if a.URL == "" {
		a.URL = pageURL
	}
	return a, nil
}

func (in *Ingester) ingestURL(ctx context.Context, b *batcher, raw string) error {
	if in.Fetcher == nil {
		b.fail(raw, Errorf(EINVALID, "fetching URLs is not available"))
		return nil
	}
	a, err := in.fetchArticle(ctx, raw)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.fail(raw, err)
		return nil
	}
	return b.add(ctx, raw, a)
}

// fetchArticle downloads a URL and extracts its article, without storing it.
func (in *Ingester) fetchArticle(ctx context.Context, raw string) (*Article, error) {
	doc, err := in.Fetcher.Fetch(ctx, raw)
	if err != nil {
		return nil, err
	}
	var a *Article
	if strings.Contains(strings.ToLower(doc.ContentType), "html") {
		a, err = in.fromHTML(doc.Body, doc.URL)
	} else {
		body, derr := decodeText(doc.Body)
		if derr != nil {
			return nil, derr
		}
		a, err = ParseTextArticle(string(body))
		if a != nil && a.URL == "" {
			a.URL = doc.URL
		}
	}
	if err != nil {
		return nil, err
	}
	// The fetch time lets a dateline without a year ("BERLIN, Jan 24
	// (Reuters) -") date the article; it is never its publication date.
	a.FetchedAt = in.DB.Now()
	if a.Source == "" {
		if u, err := url.Parse(doc.URL); err == nil {
			a.Source = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	return a, nil
}

// CorpusRecord is one article in Herald's JSON corpus format (the format of
// `herald eval` corpora and of .json/.jsonl imports).
type CorpusRecord struct {
	ID          string  `json:"id"`
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	Text        string  `json:"text"`
	PublishedAt *string `json:"published_at"`
	Source      string  `json:"source"`
	// Language is the article's declared language ("de", "en-GB"), if any.
	Language string `json:"language,omitempty"`
}

// article converts a corpus record.
func (r CorpusRecord) article() (*Article, error) {
	a := &Article{ExternalID: r.ID, URL: r.URL, Title: r.Title, Text: r.Text, Source: r.Source, Language: r.Language}
	if r.PublishedAt != nil && *r.PublishedAt != "" {
		t, err := ParseDate(*r.PublishedAt)
		if err != nil {
			return nil, err
		}
		a.PublishedAt = t
	}
	if strings.TrimSpace(a.Text) == "" {
		return nil, Errorf(EINVALID, "the record has no text")
	}
	return a, nil
}

// ParseDate reads the date forms Herald accepts: YYYY-MM-DD, RFC 3339, and
// RFC 3339 without a zone (taken as UTC).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "%q is not a date (use YYYY-MM-DD or RFC 3339)", s)
}

func (in *Ingester) ingestJSONL(ctx context.Context, b *batcher, path string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	line, records := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := br.ReadBytes('\n')
		if len(raw) > 0 {
			line++
			item := fmt.Sprintf("%s:%d", path, line)
			raw = bytes.TrimSpace(raw)
			if len(raw) > 0 {
				records++
				if aerr := in.addRecord(ctx, b, item, raw); aerr != nil {
					return aerr
				}
			}
		}
		if err == io.EOF {
			if records == 0 {
				// A file of blank lines holds nothing: counted, like "[]".
				b.empty(path)
			}
			return nil
		}
		if err != nil {
			b.fail(path, WrapError(EINVALID, "cannot read: "+plainFSError(err), err))
			return nil
		}
	}
}

func (in *Ingester) addRecord(ctx context.Context, b *batcher, item string, raw []byte) error {
	if !utf8.Valid(raw) {
		b.fail(item, Errorf(EINVALID, "the record is not UTF-8 text"))
		return nil
	}
	var rec CorpusRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		b.fail(item, WrapError(EINVALID, "not a JSON article record", err))
		return nil
	}
	a, err := rec.article()
	if err != nil {
		b.fail(item, err)
		return nil
	}
	return b.add(ctx, item, a)
}

func (in *Ingester) ingestJSON(ctx context.Context, b *batcher, path string, data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		b.fail(path, Errorf(EINVALID, "the file is empty"))
		return nil
	}
	if data[0] != '[' {
		return in.addRecord(ctx, b, path, data)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(data, &recs); err != nil {
		b.fail(path, WrapError(EINVALID, "not a JSON array of article records", err))
		return nil
	}
	if len(recs) == 0 {
		b.empty(path)
		return nil
	}
	for i, r := range recs {
		if err := in.addRecord(ctx, b, fmt.Sprintf("%s[%d]", path, i), r); err != nil {
			return err
		}
	}
	return nil
}

// ParseTextArticle reads a plain-text or Markdown article: optional front
// matter between "---" lines (title, url, source, published_at, author,
// language), then the headline on the first line (a leading "#" is
// dropped) unless the front matter gave one, then the body.
func ParseTextArticle(s string) (*Article, error) {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	a := &Article{}
	if strings.HasPrefix(s, "---\n") {
		end := strings.Index(s[4:], "\n---")
		if end >= 0 {
			front := s[4 : 4+end]
			rest := s[4+end+4:]
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				rest = rest[i+1:]
			} else {
				rest = ""
			}
			for _, line := range strings.Split(front, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					continue
				}
				v = strings.Trim(strings.TrimSpace(v), `"'`)
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "title":
					a.Title = v
				case "url", "link":
					a.URL = v
				case "source", "outlet", "publisher":
					a.Source = v
				case "author", "byline":
					a.Author = v
				case "language", "lang":
					a.Language = v
				case "published_at", "published", "date":
					t, err := ParseDate(v)
					if err != nil {
						return nil, err
					}
					a.PublishedAt = t
				}
			}
			s = rest
		}
	}
	s = strings.TrimLeft(s, "\n \t")
	if a.Title == "" {
		line, rest, _ := strings.Cut(s, "\n")
		a.Title = strings.TrimSpace(strings.TrimLeft(line, "# "))
		s = rest
	}
	a.Text = strings.TrimSpace(s)
	if a.Text == "" {
		return nil, Errorf(EINVALID, "the article has no text after its headline")
	}
	return a, nil
}

// maxDerivedTitle bounds a headline made from an article's first line.
const maxDerivedTitle = 120

// cleanArticle applies the ingest rules to an article of any origin (a
// file, a fetched page, a feed item, a corpus record) once its text is
// normalised: a publication date from its URL or from the dateline and
// byline at the head of its text when it has none (the fetch time dates
// a dateline without a year, and is never a date by itself); the text
// without boilerplate (see text.StripBoilerplate); the title without the
// outlet's name appended, or made from the first line of the text when
// there is none (never a dateline); the declared language as an ISO 639-1
// code (text.LanguageCode). An article whose whole text is boilerplate (a page of nothing but
// a video player) keeps its headline as its text, so it can still be found
// and linked to; it reports false when it has no headline either.
func cleanArticle(a *Article) bool {
	if a.PublishedAt.IsZero() && a.URL != "" {
		a.PublishedAt = text.DateFromURL(a.URL)
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = text.DatelineDate(a.Text, a.FetchedAt)
	}
	had := a.Text != ""
	a.Text = text.StripBoilerplate(a.Text, a.Source)
	a.Title = text.CleanTitle(a.Title, a.Source)
	if a.Title == "" {
		a.Title = text.TitleFromText(a.Text, a.Source, maxDerivedTitle)
	}
	a.Language = text.LanguageCode(a.Language)
	if a.Text == "" && had {
		a.Text = a.Title
	}
	return a.Text != "" || !had
}
