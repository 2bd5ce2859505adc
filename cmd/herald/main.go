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
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
)

func main() {
	ctx, stop := interruptContext(context.Background())
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		os.Exit(exitCode(err))
	}
}

// interrupted is the cause of a context ended by a signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return i.sig.String() }

// interruptContext is a context that SIGINT or SIGTERM cancels, with the
// signal as its cause; stop releases the signals.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case s := <-ch:
			cancel(interrupted{s})
		case <-done:
		case <-ctx.Done():
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			wg.Wait()
			cancel(context.Canceled)
		})
	}
}

// env is what every subcommand gets: its arguments, the configuration,
// the log and the standard streams.
type env struct {
	args   []string
	cfg    *Config
	logger *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// out and errs style what goes to stdout and stderr (colour only on a
	// terminal, never with NO_COLOR).
	out, errs style
	// rearm gives a fresh interrupt context after ctx was interrupted
	// (chat goes on after Ctrl-C cancelled an answer).
	rearm func(parent context.Context) (context.Context, context.CancelFunc)

	// warned holds the warnings already printed.
	warned *sync.Map
}

// cliFailure is what the command line says of an error nobody wrote a
// message for: its cause is in the log line printed just before.
const cliFailure = "Something went wrong inside Herald; the error logged above says what."

// explain is the command line's edge for errors: it returns the sentence
// the user reads and logs the cause, once, with what (the log message) and
// attrs. An error the user can act on (invalid input, not found, a
// conflict, no permission, a limit, an unavailable or slow upstream) is
// its message; its cause is logged for debugging only. Anything else, an
// unclassified cause or an internal error, is logged as an error and reads
// as its message, or as cliFailure when it has none.
func (e *env) explain(what string, err error, attrs ...any) string {
	code := knowledge.ErrorCode(err)
	attrs = append(attrs, "code", code, "err", err)
	switch code {
	case knowledge.EINVALID, knowledge.ENOTFOUND, knowledge.ECONFLICT, knowledge.EFORBIDDEN,
		knowledge.ERATELIMIT, knowledge.EUNAVAILABLE, knowledge.ETIMEOUT:
		e.logger.Debug(what, attrs...)
		return knowledge.ErrorMessage(err) + settingHint(err)
	}
	e.logger.Error(what, attrs...)
	var ke *knowledge.Error
	if errors.As(err, &ke) && ke.Message != "" {
		return ke.Message
	}
	return cliFailure
}

// settingHint names the setting that changes what err refused, for the
// operator at the command line (domain messages name no settings).
func settingHint(err error) string {
	switch {
	case errors.Is(err, feed.ErrPrivateAddress):
		return " The operator can allow them with HERALD_ALLOW_PRIVATE_URLS=true."
	case errors.Is(err, bot.ErrToken):
		return " The token is DISCORD_TOKEN."
	case errors.Is(err, bot.ErrHTTPAddr):
		return " The address is HERALD_HTTP_ADDR."
	case errors.Is(err, bot.ErrGuild):
		return " The server's ID is HERALD_DISCORD_GUILD (unset it to register the commands globally)."
	case errors.Is(err, bot.ErrMessageContent):
		return " To run without it, unset HERALD_DISCORD_MESSAGE_CONTENT."
	case errors.Is(err, bot.ErrShardID):
		return " Check HERALD_SHARD_ID and HERALD_SHARD_COUNT."
	case errors.Is(err, bot.ErrShardsRequired):
		return " Set HERALD_SHARD_COUNT=auto for the first, or HERALD_SHARD_COUNT=N with HERALD_SHARD_ID=0…N-1 in N processes for the second."
	}
	return ""
}

// warnOnce prints a warning to stderr, once per message and command.
func (e *env) warnOnce(msg string) {
	if e.warned == nil {
		e.warned = &sync.Map{}
	}
	if _, dup := e.warned.LoadOrStore(msg, true); dup {
		return
	}
	fmt.Fprintln(e.stderr, e.errs.warn("herald: warning:")+" "+msg)
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
		{"migrate", "copy the SQLite database into PostgreSQL (--to postgres://…)", runMigrate},
		{"eval", "measure retrieval and answers on an evaluation set", runEval},
		{"bench", "generate a large corpus and measure speed, size and memory", runBench},
		{"version", "print Herald's version", runVersion},
	}
}

// errSilent marks an error already reported to the user; run's caller only
// sets the exit status.
var errSilent = errors.New("reported")

// exitError carries an exit status without a message of its own.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Exit statuses beyond 0 and 1.
const (
	exitUsage     = 2   // the command line is wrong
	exitInterrupt = 130 // 128 + SIGINT
	exitTerminate = 143 // 128 + SIGTERM
)

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var in interrupted
	if errors.As(err, &in) && in.sig == syscall.SIGTERM {
		return exitTerminate
	}
	if errors.As(err, &in) || errors.Is(err, context.Canceled) {
		return exitInterrupt
	}
	return 1
}

// run is herald's entry point.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	noColor := getenv("NO_COLOR") != ""
	errs := newStyle(stderr, noColor)
	if len(args) == 0 {
		usage(stderr)
		return exitError{exitUsage}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return nil
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return nil
		}
		// "herald help ask" is "herald ask --help".
		name, args = args[1], []string{args[1], "--help"}
	case "-version", "--version", "version":
		// The version needs no configuration, not even a valid one.
		e := &env{args: args[1:], cfg: &Config{}, logger: slog.New(slog.DiscardHandler), stdin: stdin, stdout: stdout, stderr: stderr,
			out: newStyle(stdout, noColor), errs: errs}
		if err := runVersion(ctx, e); err != nil && !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return nil
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		cfg, err := loadConfig(getenv)
		if err != nil {
			for _, msg := range err.(configError) {
				fmt.Fprintln(stderr, errs.err("herald:")+" "+msg)
			}
			return exitError{1}
		}
		e := &env{args: args[1:], cfg: cfg, logger: newLogger(cfg, stderr), stdin: stdin, stdout: stdout, stderr: stderr,
			out: newStyle(stdout, cfg.NoColor), errs: errs, rearm: interruptContext, warned: &sync.Map{}}
		err = c.run(ctx, e)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return nil
		}
		var ee exitError
		if errors.Is(err, errSilent) || errors.As(err, &ee) {
			return err
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			fmt.Fprintln(stderr, "herald: stopped.")
			if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
				return cause
			}
			return err
		}
		// The one place a failed command is reported: the cause logged
		// once, then the sentence the user reads.
		fmt.Fprintln(stderr, errs.err("herald:")+" "+e.explain("command failed", err, "command", name))
		return err
	}
	fmt.Fprintf(stderr, "%s unknown command %q. Run 'herald --help' for the list.\n", errs.err("herald:"), name)
	return exitError{exitUsage}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Herald answers questions about news articles, with numbered citations that
quote the stored text. It runs as a Discord bot or from this command line.

Usage: herald COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'herald COMMAND --help' for a command's flags, 'herald --version' for the
version. Configuration comes from the environment (see .env.example);
HERALD_DB names the database file, or a PostgreSQL postgres:// URL.
`)
}

// newFlags makes a flag set with a usage line and description. Its help
// goes to stdout (asked for, status 0), its errors to stderr (status 2).
func newFlags(e *env, name, args, desc string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { printUsage(fs.Output(), fs, name, args, desc) }
	return fs
}

// printUsage writes a command's help: usage line, description, flags.
func printUsage(w io.Writer, fs *flag.FlagSet, name, args, desc string) {
	line := "Usage: herald " + name
	var hasFlags bool
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		line += " [flags]"
	}
	if args != "" {
		line += " " + args
	}
	fmt.Fprintf(w, "%s\n\n%s\n", line, desc)
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
}

// printFlags lists the flags as --name VALUE, each with its help and,
// unless the help already speaks of it, its default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		valueName, help := flag.UnquoteUsage(f)
		switch valueName {
		case "string":
			valueName = "TEXT"
		case "int", "uint", "float":
			valueName = "N"
		case "duration":
			valueName = "DURATION"
		}
		left := "  --" + f.Name
		if len(f.Name) == 1 {
			left = "  -" + f.Name
		}
		if valueName != "" {
			left += " " + valueName
		}
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			if !strings.Contains(help, "default") {
				help += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		if len(left) <= 22 {
			fmt.Fprintf(w, "%-24s%s\n", left, help)
		} else {
			fmt.Fprintf(w, "%s\n%24s%s\n", left, "", help)
		}
	})
}

// dbPathFlag registers the --db flag of the commands that use the store.
func dbPathFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "database `FILE` (default $HERALD_DB or the user data directory)")
}

// parseFlags parses flags that may come before or after the positional
// arguments ("herald ask 'question' --json" works too). --help prints the
// help to stdout; a bad flag prints the error and the usage to stderr.
func parseFlags(e *env, fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(e.stdout)
				fs.Usage()
				return nil, err
			}
			fs.SetOutput(e.stderr)
			fmt.Fprintf(e.stderr, "%s %s.\n\n", e.errs.err("herald "+fs.Name()+":"), strings.TrimSuffix(err.Error(), "."))
			fs.Usage()
			return nil, exitError{exitUsage}
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
func parseArgs(e *env, fs *flag.FlagSet, argv []string, ok func(args []string) bool) ([]string, error) {
	args, err := parseFlags(e, fs, argv)
	if err != nil {
		return nil, err
	}
	if !ok(args) {
		return nil, usageError(e, fs, argsProblem(fs, args))
	}
	return args, nil
}

// usageError prints problem, a sentence, and the command's usage to
// stderr, and returns the error that makes the command exit with status 2.
func usageError(e *env, fs *flag.FlagSet, problem string) error {
	fmt.Fprintf(e.stderr, "%s %s\n\n", e.errs.err("herald "+fs.Name()+":"), problem)
	fs.SetOutput(e.stderr)
	fs.Usage()
	return exitError{exitUsage}
}

// argsProblem says, in a sentence, what is wrong with a command's
// positional arguments: what is missing (as its usage line names it), or
// which arguments do not fit.
func argsProblem(fs *flag.FlagSet, args []string) string {
	if strings.TrimSpace(strings.Join(args, "")) == "" {
		if spec := strings.TrimSuffix(usageArgs(fs), "..."); spec != "" {
			return "missing " + spec + "."
		}
		return "missing arguments."
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a)
	}
	if len(args) == 1 {
		return quoted[0] + " does not fit the usage below."
	}
	return strings.Join(quoted, ", ") + " do not fit the usage below."
}

// usageArgs is what a command's usage line says its arguments are
// ("QUESTION", "ID|URL..."), read from the line itself so that it is
// written in one place.
func usageArgs(fs *flag.FlagSet) string {
	var b strings.Builder
	out := fs.Output()
	fs.SetOutput(&b)
	fs.Usage()
	fs.SetOutput(out)
	line, _, _ := strings.Cut(b.String(), "\n")
	line = strings.TrimPrefix(line, "Usage: herald "+fs.Name())
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "[flags]"))
}

// parseText is parseArgs for a command that takes one text (a question, a
// query): its arguments joined by spaces, which must not be blank.
func parseText(e *env, fs *flag.FlagSet, argv []string) (string, error) {
	var text string
	_, err := parseArgs(e, fs, argv, func(args []string) bool {
		text = strings.TrimSpace(strings.Join(args, " "))
		return text != ""
	})
	return text, err
}
