// Command herald is a self-hosted Discord bot and command line that answers
// questions about news articles with cited, checked quotes.
//
// main only sets up signals; run does the work so tests can drive it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/herald-bot/herald/knowledge"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		os.Exit(exitCode(err))
	}
}

// env is what every subcommand gets: its arguments, the environment and the
// standard streams.
type env struct {
	args   []string
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand: its name, a one-line summary for `herald
// --help`, and the function that runs it.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env) error
}

func commands() []command {
	return []command{
		{"demo", "answer a question from the built-in sample article (no setup needed)", runDemo},
		{"serve", "run the Discord bot (needs DISCORD_TOKEN)", runServe},
		{"ask", "answer a question with cited sources", runAsk},
		{"chat", "ask questions and follow-ups in an interactive session", runChat},
		{"search", "show the passages that match a query", runSearch},
		{"ingest", "add articles from files, folders or URLs", runIngest},
		{"reindex", "embed passages for vector search (needs HERALD_EMBED_MODEL)", runReindex},
		{"articles", "list stored articles, newest first", runArticles},
		{"remove", "delete an article by id or URL", runRemove},
		{"feed", "follow news feeds: add, remove, list, pause, resume, poll", runFeed},
		{"summarize", "summarise an article (id or URL) or a topic, with citations", runSummarize},
		{"digest", "print the digest of the day's stories (--since 24h, --json)", runDigest},
		{"feedback", "list members' votes on answers in Discord, with their evidence (--json)", runFeedback},
		{"eval", "measure retrieval and answers on an evaluation set", runEval},
		{"bench", "generate a large corpus and measure speed, size and memory", runBench},
	}
}

// errSilent marks an error already reported to the user; run's caller only
// sets the exit status.
var errSilent = errors.New("reported")

// exitError carries an exit status without a message of its own.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

// run is herald's entry point.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	name := args[0]
	for _, c := range commands() {
		if c.name == name {
			e := &env{args: args[1:], getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
			err := c.run(ctx, e)
			if err == nil || errors.Is(err, flag.ErrHelp) {
				return nil
			}
			var ee exitError
			if errors.Is(err, errSilent) || errors.As(err, &ee) {
				return err
			}
			if errors.Is(err, context.Canceled) {
				fmt.Fprintln(stderr, "herald: stopped.")
				return err
			}
			// Users see the message; the cause goes to the log once.
			fmt.Fprintln(stderr, "herald: "+knowledge.ErrorMessage(err))
			if knowledge.ErrorCode(err) == knowledge.EINTERNAL {
				newLogger(getenv, stderr).Debug("command failed", "command", name, "err", err)
			}
			return err
		}
	}
	fmt.Fprintf(stderr, "herald: unknown command %q. Run 'herald --help' for the list.\n", name)
	return exitError{2}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Herald answers questions about news articles, with numbered citations that
quote the stored text. It runs as a Discord bot or from this command line.

Usage: herald COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'herald COMMAND --help' for a command's flags. Configuration comes from
the environment (see .env.example); HERALD_DB names the database file.
`)
}

// newFlags makes a flag set whose errors and help go to the command's
// stderr, with a usage line and description.
func newFlags(e *env, name, args, desc string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: herald %s [flags] %s\n\n%s\n", name, args, desc)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(e.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// dbPathFlag registers the --db flag of the commands that use the store.
func dbPathFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "database file (default $HERALD_DB or the user data directory)")
}

// parseFlags parses flags that may come before or after the positional
// arguments ("herald ask 'question' --json" works too).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, exitError{2}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// Positional argument rules for parseArgs.
var (
	noArgs  = func(args []string) bool { return len(args) == 0 }
	someArg = func(args []string) bool { return len(args) > 0 }
	oneArg  = func(args []string) bool { return len(args) == 1 }
)

// parseArgs is parseFlags that also checks the positional arguments with
// ok: when they do not fit, it prints the usage and the command exits with
// status 2.
func parseArgs(fs *flag.FlagSet, argv []string, ok func(args []string) bool) ([]string, error) {
	args, err := parseFlags(fs, argv)
	if err != nil {
		return nil, err
	}
	if !ok(args) {
		fs.Usage()
		return nil, exitError{2}
	}
	return args, nil
}

// parseText is parseArgs for a command that takes one text (a question, a
// query): its arguments joined by spaces, which must not be blank.
func parseText(fs *flag.FlagSet, argv []string) (string, error) {
	var text string
	_, err := parseArgs(fs, argv, func(args []string) bool {
		text = strings.TrimSpace(strings.Join(args, " "))
		return text != ""
	})
	return text, err
}

func newLogger(getenv func(string) string, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(getenv("HERALD_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.ToLower(getenv("HERALD_LOG_FORMAT")) == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
