package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
	"github.com/herald-bot/herald/knowledge/llm"
	"github.com/herald-bot/herald/knowledge/text"
)

// Limits of the settings that have one.
const (
	// maxLLMTimeout keeps one answer's model calls inside the 15 minutes
	// a Discord interaction token lives, with a minute left to post.
	maxLLMTimeout = 14 * time.Minute
	// defaultOpenAIChatModel is the chat model when only OPENAI_API_KEY is set.
	defaultOpenAIChatModel = "gpt-4o-mini"
	// defaultDigestCatchUp is how late a missed digest is still posted.
	defaultDigestCatchUp = 6 * time.Hour
)

// Config is Herald's configuration: every environment variable, read and
// validated once by loadConfig before a command runs. Commands read it
// and nothing else; flags override some of it (--db, --interval).
//
// The rule for "0": it switches a limit off (no cooldown, no concurrency
// limit, no token budget, no shutdown grace) for the four settings where
// "off" means something; every other number must be positive, and an
// invalid value is an error naming the variable and what it accepts.
type Config struct {
	// DB is the database file (HERALD_DB, else DefaultDB).
	DB string
	// Model is the language model (OPENAI_*, HERALD_CHAT_MODEL,
	// HERALD_EMBED_MODEL, HERALD_LLM_TIMEOUT).
	Model ModelConfig
	// ContextTokens is the budget of passages shown to the model
	// (HERALD_CONTEXT_TOKENS).
	ContextTokens int
	// PromptsDir overrides the built-in prompt templates (HERALD_PROMPTS_DIR).
	PromptsDir string
	// Discord is what `herald serve` needs.
	Discord DiscordConfig
	// Feeds are the feed poller's settings (HERALD_FEED_*).
	Feeds feed.PollOptions
	// DigestCatchUp is how late a missed digest is still posted
	// (HERALD_DIGEST_CATCH_UP).
	DigestCatchUp time.Duration
	// AllowPrivateURLs lets Herald fetch private and loopback addresses
	// (HERALD_ALLOW_PRIVATE_URLS).
	AllowPrivateURLs bool
	// LogLevel and LogJSON shape the logs (HERALD_LOG_LEVEL,
	// HERALD_LOG_FORMAT); LogLevelSet says the level was asked for.
	LogLevel    slog.Level
	LogLevelSet bool
	LogJSON     bool
	// NoColor turns colour off everywhere (NO_COLOR, see no-color.org).
	NoColor bool
	// Lease, for tests only, is how long a claim on shared work (a
	// digest, a feed poll) holds without renewal (HERALD_TEST_LEASE;
	// default 2 minutes), so that a test sees a killed process's work
	// taken over within seconds.
	Lease time.Duration
	// Language is the terminal's language as an ISO 639-1 code (from
	// LC_ALL, LC_MESSAGES or LANG: "de_DE.UTF-8" is "de"), or "": ask and
	// chat take a question too short to tell its language in it.
	Language string
}

// ModelConfig is the OpenAI-compatible endpoint and its models.
type ModelConfig struct {
	BaseURL    string
	APIKey     string
	ChatModel  string
	EmbedModel string
	// Timeout bounds one answer's model calls (0: the client's default).
	Timeout time.Duration
}

// DiscordConfig is the bot's part of the configuration.
type DiscordConfig struct {
	Token string
	Bot   bot.Config
	// Shard is which shards this process runs (HERALD_SHARD_ID,
	// HERALD_SHARD_COUNT).
	Shard ShardConfig
	// APIURL, for tests only, sends every request to Discord's API to
	// this base URL instead (HERALD_DISCORD_API_URL, e.g. the in-process
	// fake Discord of another process); the gateway's URL is what that
	// API answers.
	APIURL string
}

// ShardConfig says which shards of the bot a process runs: one (ID of
// Count, one process per shard on one database), or all of them in this
// process with the count Discord recommends (Auto). The zero value is the
// unsharded bot: shard 0 of 1.
type ShardConfig struct {
	ID    int
	Count int
	Auto  bool
}

// Sharded reports whether the bot has more than one shard (or as many as
// Discord says).
func (s ShardConfig) Sharded() bool { return s.Auto || s.Count > 1 }

// configError lists every invalid setting; run prints one line each.
type configError []string

func (c configError) Error() string { return "invalid configuration: " + strings.Join(c, " ") }

// loadConfig reads and checks the whole environment. It fails on any
// invalid value, naming the variable; settings that are only incomplete
// (a chat model with no endpoint) are reported by the commands that need
// them.
func loadConfig(getenv func(string) string) (*Config, error) {
	r := envReader{getenv: getenv}
	c := &Config{
		DB:         r.str("HERALD_DB"),
		PromptsDir: r.str("HERALD_PROMPTS_DIR"),
		Model: ModelConfig{
			BaseURL:    r.str("OPENAI_BASE_URL"),
			APIKey:     r.str("OPENAI_API_KEY"),
			ChatModel:  r.str("HERALD_CHAT_MODEL"),
			EmbedModel: r.str("HERALD_EMBED_MODEL"),
		},
	}
	if c.DB == "" {
		c.DB = defaultDBPath(getenv)
	}
	if c.Model.BaseURL != "" {
		if u, err := url.Parse(c.Model.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("OPENAI_BASE_URL=%q is not an http or https URL such as http://localhost:11434/v1.", c.Model.BaseURL)
		}
	}
	if c.Model.ChatModel == "" && c.Model.APIKey != "" && c.Model.BaseURL == "" {
		c.Model.ChatModel = defaultOpenAIChatModel
	}
	c.Model.Timeout = r.duration("HERALD_LLM_TIMEOUT", 0, time.Second, maxLLMTimeout, false)
	c.ContextTokens = r.count("HERALD_CONTEXT_TOKENS", knowledge.DefaultContextTokens, 1, false)

	c.Discord.Token = strings.TrimSpace(strings.TrimPrefix(r.str("DISCORD_TOKEN"), "Bot "))
	b := &c.Discord.Bot
	b.GuildID = r.str("HERALD_DISCORD_GUILD")
	if b.GuildID != "" && !snowflakeRe.MatchString(b.GuildID) {
		r.fail("HERALD_DISCORD_GUILD=%q is not a server ID (a long number: in Discord, enable Developer Mode, then right-click the server -> Copy Server ID).", b.GuildID)
	}
	b.ReplyMode = strings.ToLower(r.str("HERALD_DISCORD_REPLY_MODE"))
	switch b.ReplyMode {
	case "", bot.ReplyModeReply, bot.ReplyModeThread:
	default:
		r.fail("HERALD_DISCORD_REPLY_MODE=%q must be %q or %q.", b.ReplyMode, bot.ReplyModeReply, bot.ReplyModeThread)
	}
	b.MessageContent = r.boolean("HERALD_DISCORD_MESSAGE_CONTENT")
	b.HTTPAddr = r.str("HERALD_HTTP_ADDR")
	// bot.Config: zero is the default, negative is off.
	b.Cooldown = r.duration("HERALD_COOLDOWN", 0, 0, 0, true)
	if r.isZero("HERALD_COOLDOWN") {
		b.Cooldown = -1
	}
	b.GuildConcurrency = r.count("HERALD_GUILD_CONCURRENCY", 0, 0, true)
	if r.isZero("HERALD_GUILD_CONCURRENCY") {
		b.GuildConcurrency = -1
	}
	b.GuildDailyTokens = r.count("HERALD_GUILD_DAILY_TOKENS", 0, 0, true) // its zero is already "no budget"
	b.ShutdownGrace = r.duration("HERALD_SHUTDOWN_GRACE", 0, 0, 0, true)
	if r.isZero("HERALD_SHUTDOWN_GRACE") {
		b.ShutdownGrace = time.Nanosecond // cancel the answers in flight at once
	}
	c.Discord.Shard = r.shards("HERALD_SHARD_ID", "HERALD_SHARD_COUNT")
	if v := r.str("HERALD_DISCORD_API_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("HERALD_DISCORD_API_URL=%q is not an http or https URL (it is for tests: leave it unset to reach Discord).", v)
		} else {
			c.Discord.APIURL = v
		}
	}

	c.Feeds.Interval = r.duration("HERALD_FEED_INTERVAL", knowledge.DefaultFeedInterval, knowledge.MinFeedInterval, knowledge.MaxFeedInterval, false)
	c.Feeds.FirstMaxAge = r.duration("HERALD_FEED_FIRST_MAX_AGE", 72*time.Hour, time.Minute, 0, false)
	c.Feeds.FirstMaxItems = r.count("HERALD_FEED_FIRST_MAX_ITEMS", 20, 1, false)
	c.Feeds.MaxFailures = r.count("HERALD_FEED_MAX_FAILURES", 8, 1, false)
	c.DigestCatchUp = r.duration("HERALD_DIGEST_CATCH_UP", defaultDigestCatchUp, time.Minute, 0, false)
	c.AllowPrivateURLs = r.boolean("HERALD_ALLOW_PRIVATE_URLS")
	if c.Lease = r.duration("HERALD_TEST_LEASE", 0, time.Second, 0, false); c.Lease > 0 {
		c.Feeds.Lease = c.Lease
	}

	c.LogLevel = slog.LevelInfo
	switch v := strings.ToLower(r.str("HERALD_LOG_LEVEL")); v {
	case "":
	case "debug":
		c.LogLevel, c.LogLevelSet = slog.LevelDebug, true
	case "info":
		c.LogLevel, c.LogLevelSet = slog.LevelInfo, true
	case "warn", "warning":
		c.LogLevel, c.LogLevelSet = slog.LevelWarn, true
	case "error":
		c.LogLevel, c.LogLevelSet = slog.LevelError, true
	default:
		r.fail("HERALD_LOG_LEVEL=%q must be debug, info, warn or error.", v)
	}
	switch v := strings.ToLower(r.str("HERALD_LOG_FORMAT")); v {
	case "", "text":
	case "json":
		c.LogJSON = true
	default:
		r.fail("HERALD_LOG_FORMAT=%q must be text or json.", v)
	}
	c.NoColor = getenv("NO_COLOR") != ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			c.Language = text.LanguageCode(v) // "C" and "POSIX" name no language
			break
		}
	}
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return c, nil
}

var snowflakeRe = regexp.MustCompile(`^[0-9]{17,20}$`)

// envReader reads variables and collects what is wrong with them.
type envReader struct {
	getenv func(string) string
	errs   configError
}

func (r *envReader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *envReader) str(name string) string { return strings.TrimSpace(r.getenv(name)) }

// isZero reports whether a variable is set to a valid zero ("0", "0s"),
// which bot.Config spells as a negative value (its zero is the default).
func (r *envReader) isZero(name string) bool {
	v := r.str(name)
	if v == "" {
		return false
	}
	d, err := parseDurationValue(v)
	return err == nil && d == 0
}

// boolean reads true/false (also 1/0, yes/no, on/off); unset is false.
func (r *envReader) boolean(name string) bool {
	switch v := strings.ToLower(r.str(name)); v {
	case "", "0", "false", "no", "off":
		return false
	case "1", "true", "yes", "on":
		return true
	default:
		r.fail("%s=%q must be true or false.", name, v)
		return false
	}
}

// duration reads a duration: unset gives def; "0" is accepted only when
// zeroOff (the setting is then off, returned as 0); otherwise the value
// must lie within [min, max] (max 0: no ceiling).
func (r *envReader) duration(name string, def, min, max time.Duration, zeroOff bool) time.Duration {
	v := r.str(name)
	if v == "" {
		return def
	}
	d, err := parseDurationValue(v)
	if err != nil {
		r.fail("%s=%q is not a duration such as 30s, 5m or 2h.", name, v)
		return def
	}
	if msg := checkDuration(d, min, max, zeroOff); msg != "" {
		r.fail("%s=%q %s", name, v, msg)
		return def
	}
	return d
}

// parseDurationValue is time.ParseDuration that also takes "0" and days
// ("7d").
func parseDurationValue(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// checkDuration says what is wrong with d ("" when nothing is).
func checkDuration(d, min, max time.Duration, zeroOff bool) string {
	switch {
	case d < 0:
		return "is negative; durations count forward, such as 30s or 5m."
	case d == 0 && zeroOff:
		return ""
	case d == 0 && min > 0:
		return fmt.Sprintf("is zero; it must be at least %s.", shortDuration(min))
	case d < min:
		return fmt.Sprintf("is too short; the minimum is %s.", shortDuration(min))
	case max > 0 && d > max:
		return fmt.Sprintf("is too long; the maximum is %s.", shortDuration(max))
	}
	return ""
}

// count reads a whole number: unset gives def; it must be at least min
// ("0" accepted when zeroOff).
func (r *envReader) count(name string, def, min int, zeroOff bool) int {
	v := r.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		r.fail("%s=%q is not a whole number.", name, v)
		return def
	case n == 0 && zeroOff:
		return 0
	case n < min:
		r.fail("%s=%q must be at least %d.", name, v, max(min, 1))
		return def
	}
	return n
}

// shards reads the shard settings: a count ("auto", or a whole number of
// at least 1) and this process's shard ID (0 to count-1), required when
// the count is above 1 and refused with auto, which runs every shard here.
func (r *envReader) shards(idVar, countVar string) ShardConfig {
	sc := ShardConfig{Count: 1}
	idText, countText := r.str(idVar), strings.ToLower(r.str(countVar))
	if countText == "auto" {
		if idText != "" {
			r.fail("%s=%q cannot be used with %s=auto, which runs every shard in this process: unset %s, or set %s to the number of shards.",
				idVar, idText, countVar, idVar, countVar)
		}
		return ShardConfig{Auto: true}
	}
	if countText != "" {
		n, err := strconv.Atoi(countText)
		if err != nil || n < 1 {
			r.fail("%s=%q must be auto or a whole number of shards, at least 1.", countVar, countText)
			return sc
		}
		sc.Count = n
	}
	if idText == "" {
		if sc.Count > 1 {
			r.fail("%s=%d needs %s: this process's shard, a number from 0 to %d (one process per shard), or set %s=auto to run every shard in this process.",
				countVar, sc.Count, idVar, sc.Count-1, countVar)
		}
		return sc
	}
	id, err := strconv.Atoi(idText)
	switch {
	case err != nil || id < 0:
		r.fail("%s=%q must be a whole number from 0 to %d.", idVar, idText, sc.Count-1)
	case countText == "":
		r.fail("%s=%d needs %s, the number of shards of the bot.", idVar, id, countVar)
	case id >= sc.Count:
		r.fail("%s=%d must be less than %s=%d: shard IDs go from 0 to %d.", idVar, id, countVar, sc.Count, sc.Count-1)
	default:
		sc.ID = id
	}
	return sc
}

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

// dbPath is --db when given, else the configured database.
func (c *Config) dbPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return c.DB
}

// Hints the command line adds to the domain's messages: only the CLI knows
// which variables configure what.
const (
	chatModelHint = "set HERALD_CHAT_MODEL and OPENAI_BASE_URL for a local server " +
		"(e.g. HERALD_CHAT_MODEL=llama3.1 OPENAI_BASE_URL=http://localhost:11434/v1), or OPENAI_API_KEY for OpenAI"
	embedModelHint = "set HERALD_EMBED_MODEL, e.g. nomic-embed-text with Ollama (OPENAI_BASE_URL=http://localhost:11434/v1) " +
		"or text-embedding-3-small with OPENAI_API_KEY"
)

// endpointProblem says why the configured models cannot be reached (""
// when they can): a model is named but there is neither a base URL nor a
// key, so the only endpoint left, OpenAI's, would refuse.
func (m ModelConfig) endpointProblem(variable, model string) string {
	if m.BaseURL != "" || m.APIKey != "" {
		return ""
	}
	return fmt.Sprintf("%s=%s is set, but there is no endpoint for it: set OPENAI_BASE_URL to your server "+
		"(e.g. http://localhost:11434/v1 for Ollama), or OPENAI_API_KEY for OpenAI.", variable, model)
}

// chatProblem says why the chat model cannot be used ("" when it can);
// configured is false when no chat model is set at all.
func (m ModelConfig) chatProblem() (configured bool, problem string) {
	if m.ChatModel == "" {
		return false, ""
	}
	return true, m.endpointProblem("HERALD_CHAT_MODEL", m.ChatModel)
}

// embedProblem is chatProblem for the embeddings model.
func (m ModelConfig) embedProblem() (configured bool, problem string) {
	if m.EmbedModel == "" {
		return false, ""
	}
	return true, m.endpointProblem("HERALD_EMBED_MODEL", m.EmbedModel)
}

// llmConfig is the client configuration for the given models.
func (m ModelConfig) llmConfig(chat, embed bool, logger *slog.Logger) llm.Config {
	cfg := llm.Config{BaseURL: m.BaseURL, APIKey: m.APIKey, Timeout: m.Timeout, Logger: logger}
	if chat {
		cfg.ChatModel = m.ChatModel
	}
	if embed {
		cfg.EmbedModel = m.EmbedModel
	}
	return cfg
}
