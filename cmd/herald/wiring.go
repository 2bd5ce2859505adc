package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
	"github.com/herald-bot/herald/knowledge/llm"
	"github.com/herald-bot/herald/prompts"
)

// newLogger is the log of a command, shaped by HERALD_LOG_LEVEL and
// HERALD_LOG_FORMAT.
func newLogger(c *Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// cliLogger is the log of commands that print their own report: info
// lines would repeat it, so only errors show unless HERALD_LOG_LEVEL asks
// for more.
func cliLogger(e *env) *slog.Logger {
	if e.cfg.LogLevelSet {
		return e.logger
	}
	c := *e.cfg
	c.LogLevel = slog.LevelError
	return newLogger(&c, e.stderr)
}

// openDB opens the database for a command that may create it (ingest,
// demo, serve, feed add, eval and bench with a corpus), with the
// embeddings model when one is configured and usable.
func openDB(ctx context.Context, e *env, flagValue string) (*knowledge.DB, error) {
	return openStore(ctx, e, flagValue, knowledge.OpenOptions{})
}

// openExistingDB is openDB for the commands that only read or change what
// is stored (ask, search, articles, chat, summarize, digest, feed list…):
// a database that does not exist is an error, not a new empty one and its
// folders made where a mistyped path points.
func openExistingDB(ctx context.Context, e *env, flagValue string) (*knowledge.DB, error) {
	return openStore(ctx, e, flagValue, knowledge.OpenOptions{MustExist: true})
}

func openStore(ctx context.Context, e *env, flagValue string, opts knowledge.OpenOptions) (*knowledge.DB, error) {
	db, err := knowledge.OpenWith(ctx, e.cfg.dbPath(flagValue), opts)
	if err != nil {
		return nil, databaseHint(err)
	}
	db.Logger = e.logger
	emb, err := newEmbedder(e, false)
	if err != nil {
		db.Close()
		return nil, err
	}
	if emb != nil {
		db.Embedder = emb
	}
	return db, nil
}

// databaseHint adds to a database the store refused what only the command
// line knows: which settings name the database, and how to make one.
func databaseHint(err error) error {
	code := knowledge.ErrorCode(err)
	if code == knowledge.EINTERNAL {
		return err
	}
	hint := "Point --db or HERALD_DB at Herald's database file."
	if errors.Is(err, knowledge.ErrNoDatabase) {
		hint = "Add articles first with 'herald ingest', or point --db or HERALD_DB at your database."
	}
	return knowledge.WrapError(code, knowledge.ErrorMessage(err)+" "+hint, err)
}

// newEmbedder returns the embeddings model, or nil when none is
// configured. A model set without an endpoint is an error when required
// (reindex), otherwise a warning: searches then use keywords only.
func newEmbedder(e *env, required bool) (knowledge.Embedder, error) {
	m := e.cfg.Model
	configured, problem := m.embedProblem()
	switch {
	case !configured && required:
		return nil, knowledge.Errorf(knowledge.EINVALID, "This needs an embeddings model: %s.", embedModelHint)
	case !configured:
		return nil, nil
	case problem != "" && required:
		return nil, knowledge.Errorf(knowledge.EINVALID, "%s", problem)
	case problem != "":
		e.warnOnce(problem + " Searching by keywords only.")
		return nil, nil
	}
	client, err := llm.New(m.llmConfig(false, true, e.logger))
	if err != nil {
		return nil, err
	}
	return client.Embedder(), nil
}

// checkMode checks a --mode value: auto, llm or extractive.
func checkMode(mode string) (string, error) {
	switch m := strings.ToLower(strings.TrimSpace(mode)); m {
	case "", knowledge.AskAuto:
		return knowledge.AskAuto, nil
	case knowledge.AskLLM, knowledge.AskExtractive:
		return m, nil
	}
	return "", knowledge.Errorf(knowledge.EINVALID, "--mode %q is not a mode: use auto, llm or extractive.", mode)
}

// chatCompleter decides who writes for a command's mode: the one place
// in the command line where auto, llm and extractive are told apart.
// Extractive never builds a model client, whatever the model settings.
// llm needs a usable chat model and says which variables to set. auto
// uses the model when it is usable; a model set without an endpoint is a
// warning there (extractive answers follow), or an error when strict
// (serve: a bot should not start without the model its operator named).
func chatCompleter(e *env, mode string, strict bool) (knowledge.Completer, error) {
	mode, err := checkMode(mode)
	if err != nil {
		return nil, err
	}
	if mode == knowledge.AskExtractive {
		return nil, nil
	}
	configured, problem := e.cfg.Model.chatProblem()
	switch {
	case !configured && mode == knowledge.AskLLM:
		return nil, knowledge.Errorf(knowledge.EINVALID, "--mode llm needs a language model: %s.", chatModelHint)
	case !configured:
		return nil, nil
	case problem != "" && (strict || mode == knowledge.AskLLM):
		return nil, knowledge.Errorf(knowledge.EINVALID, "%s", problem)
	case problem != "":
		e.warnOnce(problem + " Answering extractively.")
		return nil, nil
	}
	client, err := llm.New(e.cfg.Model.llmConfig(true, false, e.logger))
	if err != nil {
		return nil, err
	}
	return client, nil
}

// newIngester wires the safe fetcher and the HTML extractor into an ingester.
func newIngester(e *env, db *knowledge.DB) *knowledge.Ingester {
	client := feed.NewClient(feed.Options{AllowPrivate: e.cfg.AllowPrivateURLs, Logger: db.Logger})
	return &knowledge.Ingester{DB: db, Fetcher: client, Extractor: feed.NewExtractor(), Logger: db.Logger}
}

// newAnswerer builds the answerer for a command and its mode (see
// chatCompleter), with the prompts and the context budget.
func newAnswerer(e *env, db *knowledge.DB, mode string, strict bool) (*knowledge.Answerer, error) {
	set, err := prompts.Load(e.cfg.PromptsDir)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID,
			fmt.Sprintf("Cannot load the prompt templates from HERALD_PROMPTS_DIR=%s: %v.", e.cfg.PromptsDir, err), err)
	}
	completer, err := chatCompleter(e, mode, strict)
	if err != nil {
		return nil, err
	}
	return &knowledge.Answerer{DB: db, Logger: db.Logger, Prompts: set, ContextTokens: e.cfg.ContextTokens, Completer: completer}, nil
}

// newSummarizer builds the summarizer with the same model, prompts and
// context budget as the answerer.
func newSummarizer(e *env, db *knowledge.DB, mode string, strict bool) (*knowledge.Summarizer, error) {
	an, err := newAnswerer(e, db, mode, strict)
	if err != nil {
		return nil, err
	}
	return &knowledge.Summarizer{DB: db, Completer: an.Completer, Prompts: an.Prompts, ContextTokens: an.ContextTokens, Logger: db.Logger}, nil
}

// newDigester builds the digest maker with the same model and prompts as
// the answerer.
func newDigester(e *env, db *knowledge.DB, mode string, strict bool) (*knowledge.Digester, error) {
	an, err := newAnswerer(e, db, mode, strict)
	if err != nil {
		return nil, err
	}
	return &knowledge.Digester{DB: db, Completer: an.Completer, Prompts: an.Prompts, ContextTokens: an.ContextTokens, Logger: db.Logger}, nil
}

// newPoller wires the feed poller: the safe client (private addresses only
// with HERALD_ALLOW_PRIVATE_URLS=true), readability extraction for teaser
// items, and the configured poll options.
func newPoller(e *env, db *knowledge.DB, logger *slog.Logger) *feed.Poller {
	if logger == nil {
		logger = db.Logger
	}
	client := feed.Options{AllowPrivate: e.cfg.AllowPrivateURLs, Logger: logger}
	return feed.NewPoller(db, client, e.cfg.Feeds, logger)
}
