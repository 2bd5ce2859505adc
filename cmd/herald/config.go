package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
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

// newAnswerer builds the answerer for a command.
func newAnswerer(e *env, db *knowledge.DB) *knowledge.Answerer {
	return &knowledge.Answerer{DB: db, Logger: db.Logger}
}
