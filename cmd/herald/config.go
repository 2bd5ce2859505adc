package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
	"github.com/herald-bot/herald/knowledge/llm"
	"github.com/herald-bot/herald/prompts"
)

// defaultDBPath is herald.db in the user's data directory:
// $XDG_DATA_HOME/herald (or ~/.local/share/herald) on Linux, Application
// Support on macOS, %LocalAppData% on Windows.
func defaultDBPath(getenv func(string) string) string {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = getenv("LocalAppData")
	case "darwin":
		if home := getenv("HOME"); home != "" {
			dir = filepath.Join(home, "Library", "Application Support")
		}
	default:
		dir = getenv("XDG_DATA_HOME")
		if dir == "" {
			if home := getenv("HOME"); home != "" {
				dir = filepath.Join(home, ".local", "share")
			}
		}
	}
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		} else {
			dir = "."
		}
	}
	return filepath.Join(dir, "herald", "herald.db")
}

// dbPath is --db, else HERALD_DB, else the default.
func dbPath(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if p := getenv("HERALD_DB"); p != "" {
		return p
	}
	return defaultDBPath(getenv)
}

// openDB opens the database for a command.
func openDB(ctx context.Context, e *env, flagValue string) (*knowledge.DB, error) {
	db, err := knowledge.Open(ctx, dbPath(flagValue, e.getenv))
	if err != nil {
		return nil, err
	}
	db.Logger = newLogger(e.getenv, e.stderr)
	emb, err := newEmbedder(e)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.Embedder = emb
	return db, nil
}

// envBool reads a boolean environment variable ("1", "true", "yes", "on").
func envBool(getenv func(string) string, name string) bool {
	switch strings.ToLower(strings.TrimSpace(getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// newIngester wires the safe fetcher and the HTML extractor into an ingester.
func newIngester(e *env, db *knowledge.DB) *knowledge.Ingester {
	client := feed.NewClient(feed.Options{
		AllowPrivate: envBool(e.getenv, "HERALD_ALLOW_PRIVATE_URLS"),
		Logger:       db.Logger,
	})
	return &knowledge.Ingester{DB: db, Fetcher: client, Extractor: feed.NewExtractor(), Logger: db.Logger}
}

// newAnswerer builds the answerer for a command: with a language model
// when one is configured (HERALD_CHAT_MODEL, or OPENAI_API_KEY for OpenAI's
// default model), extractive otherwise.
func newAnswerer(e *env, db *knowledge.DB) (*knowledge.Answerer, error) {
	an := &knowledge.Answerer{DB: db, Logger: db.Logger}
	set, err := prompts.Load(e.getenv("HERALD_PROMPTS_DIR"))
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "Cannot load the prompt templates from HERALD_PROMPTS_DIR: "+err.Error(), err)
	}
	an.Prompts = set
	if n, err := envInt(e.getenv, "HERALD_CONTEXT_TOKENS", knowledge.DefaultContextTokens); err != nil {
		return nil, err
	} else {
		an.ContextTokens = n
	}
	cfg, ok, err := llmConfig(e, db.Logger)
	if err != nil || !ok {
		return an, err
	}
	client, err := llm.New(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.ChatModel != "" {
		an.Completer = client
	}
	return an, nil
}

// defaultOpenAIChatModel is used when only OPENAI_API_KEY is set.
const defaultOpenAIChatModel = "gpt-4o-mini"

// llmConfig reads the model settings from the environment; ok is false
// when no model is configured at all.
func llmConfig(e *env, logger *slog.Logger) (cfg llm.Config, ok bool, err error) {
	cfg = llm.Config{
		BaseURL:    strings.TrimSpace(e.getenv("OPENAI_BASE_URL")),
		APIKey:     strings.TrimSpace(e.getenv("OPENAI_API_KEY")),
		ChatModel:  strings.TrimSpace(e.getenv("HERALD_CHAT_MODEL")),
		EmbedModel: strings.TrimSpace(e.getenv("HERALD_EMBED_MODEL")),
		Logger:     logger,
	}
	if cfg.ChatModel == "" && cfg.APIKey != "" && cfg.BaseURL == "" {
		cfg.ChatModel = defaultOpenAIChatModel
	}
	if cfg.ChatModel == "" && cfg.EmbedModel == "" {
		return cfg, false, nil
	}
	if v := strings.TrimSpace(e.getenv("HERALD_LLM_TIMEOUT")); v != "" {
		d, perr := time.ParseDuration(v)
		if perr != nil || d <= 0 {
			return cfg, false, knowledge.Errorf(knowledge.EINVALID, "HERALD_LLM_TIMEOUT=%q is not a duration such as 60s or 2m.", v)
		}
		cfg.Timeout = d
	}
	return cfg, true, nil
}

// envInt reads a positive integer environment variable, or def when unset.
func envInt(getenv func(string) string, name string, def int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, knowledge.Errorf(knowledge.EINVALID, "%s=%q is not a positive whole number.", name, v)
	}
	return n, nil
}
