package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/bot"
)

func TestConfigReadsEveryVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"HERALD_DB": "/data/herald.db", "HERALD_DISCORD_GUILD": "1202402938060931073", "HERALD_DISCORD_REPLY_MODE": "Thread",
		"HERALD_DISCORD_MESSAGE_CONTENT": "true", "HERALD_HTTP_ADDR": "127.0.0.1:9090", "DISCORD_TOKEN": "Bot abc.def",
		"HERALD_COOLDOWN": "0", "HERALD_GUILD_CONCURRENCY": "5", "HERALD_GUILD_DAILY_TOKENS": "20000",
		"HERALD_SHUTDOWN_GRACE": "30s", "HERALD_LLM_TIMEOUT": "14m", "HERALD_CONTEXT_TOKENS": "2000",
		"HERALD_FEED_INTERVAL": "1h", "HERALD_FEED_FIRST_MAX_AGE": "7d", "HERALD_FEED_FIRST_MAX_ITEMS": "5",
		"HERALD_FEED_MAX_FAILURES": "3", "HERALD_DIGEST_CATCH_UP": "2h", "HERALD_ALLOW_PRIVATE_URLS": "yes",
		"HERALD_LOG_LEVEL": "WARN", "HERALD_LOG_FORMAT": "json", "NO_COLOR": "1",
		"OPENAI_API_KEY": "sk-x",
	}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	wantBot := bot.Config{GuildID: "1202402938060931073", ReplyMode: bot.ReplyModeThread, MessageContent: true,
		HTTPAddr: "127.0.0.1:9090", Cooldown: -1, GuildConcurrency: 5, GuildDailyTokens: 20000, ShutdownGrace: 30 * time.Second}
	if c.Discord.Bot != wantBot || c.Discord.Token != "abc.def" {
		t.Errorf("discord = %+v, want %+v", c.Discord, wantBot)
	}
	if c.DB != "/data/herald.db" || c.Model.Timeout != 14*time.Minute || c.ContextTokens != 2000 || c.Model.ChatModel != defaultOpenAIChatModel {
		t.Errorf("config = %+v", c)
	}
	if c.Feeds.Interval != time.Hour || c.Feeds.FirstMaxAge != 7*24*time.Hour || c.Feeds.FirstMaxItems != 5 || c.Feeds.MaxFailures != 3 || c.DigestCatchUp != 2*time.Hour {
		t.Errorf("feeds = %+v, catch-up %v", c.Feeds, c.DigestCatchUp)
	}
	if !c.AllowPrivateURLs || c.LogLevel != slog.LevelWarn || !c.LogLevelSet || !c.LogJSON || !c.NoColor {
		t.Errorf("config = %+v", c)
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(func(k string) string {
		if k == "HOME" {
			return "/home/u"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Discord.Bot != (bot.Config{}) || c.Feeds.Interval != 30*time.Minute || c.Feeds.FirstMaxItems != 20 || c.Feeds.MaxFailures != 8 ||
		c.DigestCatchUp != 6*time.Hour || c.Model.Timeout != 0 || c.ContextTokens == 0 || c.LogLevelSet || c.Model.ChatModel != "" {
		t.Errorf("defaults = %+v", c)
	}
	if c.DB == "" || !strings.HasSuffix(c.DB, "herald.db") {
		t.Errorf("default database = %q", c.DB)
	}
}

// TestConfigZeroRule checks the one rule for "0": it switches a limit off
// where off means something, and is an error elsewhere.
func TestConfigZeroRule(t *testing.T) {
	t.Parallel()
	zeroOff := map[string]func(c *Config) bool{
		"HERALD_COOLDOWN":           func(c *Config) bool { return c.Discord.Bot.Cooldown < 0 },
		"HERALD_GUILD_CONCURRENCY":  func(c *Config) bool { return c.Discord.Bot.GuildConcurrency < 0 },
		"HERALD_GUILD_DAILY_TOKENS": func(c *Config) bool { return c.Discord.Bot.GuildDailyTokens == 0 },
		"HERALD_SHUTDOWN_GRACE": func(c *Config) bool {
			return c.Discord.Bot.ShutdownGrace > 0 && c.Discord.Bot.ShutdownGrace < time.Millisecond
		},
	}
	for name, off := range zeroOff {
		c, err := loadConfig(func(k string) string {
			if k == name {
				return "0"
			}
			return ""
		})
		if err != nil || !off(c) {
			t.Errorf("%s=0: %v, %+v", name, err, c)
		}
	}
	for _, name := range []string{"HERALD_LLM_TIMEOUT", "HERALD_CONTEXT_TOKENS", "HERALD_FEED_INTERVAL", "HERALD_FEED_FIRST_MAX_AGE",
		"HERALD_FEED_FIRST_MAX_ITEMS", "HERALD_FEED_MAX_FAILURES", "HERALD_DIGEST_CATCH_UP"} {
		_, err := loadConfig(func(k string) string {
			if k == name {
				return "0"
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=0 accepted: %v", name, err)
		}
	}
}

func TestConfigRejectsInvalidValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, value, want string }{
		{"HERALD_LOG_LEVEL", "verbose", `HERALD_LOG_LEVEL="verbose" must be debug, info, warn or error.`},
		{"HERALD_LOG_FORMAT", "xml", `HERALD_LOG_FORMAT="xml" must be text or json.`},
		{"HERALD_LLM_TIMEOUT", "15m", `HERALD_LLM_TIMEOUT="15m" is too long; the maximum is 14m.`},
		{"HERALD_LLM_TIMEOUT", "60", `HERALD_LLM_TIMEOUT="60" is not a duration such as 30s, 5m or 2h.`},
		{"HERALD_LLM_TIMEOUT", "0", `HERALD_LLM_TIMEOUT="0" is zero; it must be at least 1s.`},
		{"HERALD_FEED_INTERVAL", "1m", `HERALD_FEED_INTERVAL="1m" is too short; the minimum is 5m.`},
		{"HERALD_FEED_INTERVAL", "-5m", `HERALD_FEED_INTERVAL="-5m" is negative; durations count forward, such as 30s or 5m.`},
		{"HERALD_FEED_INTERVAL", "30d", `HERALD_FEED_INTERVAL="30d" is too long; the maximum is 7d.`},
		{"HERALD_COOLDOWN", "five", `HERALD_COOLDOWN="five" is not a duration such as 30s, 5m or 2h.`},
		{"HERALD_COOLDOWN", "-1s", `HERALD_COOLDOWN="-1s" is negative`},
		{"HERALD_GUILD_CONCURRENCY", "-1", `HERALD_GUILD_CONCURRENCY="-1" must be at least 1.`},
		{"HERALD_GUILD_DAILY_TOKENS", "lots", `HERALD_GUILD_DAILY_TOKENS="lots" is not a whole number.`},
		{"HERALD_CONTEXT_TOKENS", "-3", `HERALD_CONTEXT_TOKENS="-3" must be at least 1.`},
		{"HERALD_FEED_MAX_FAILURES", "1.5", `HERALD_FEED_MAX_FAILURES="1.5" is not a whole number.`},
		{"HERALD_DISCORD_GUILD", "my-server", `HERALD_DISCORD_GUILD="my-server" is not a server ID`},
		{"HERALD_DISCORD_REPLY_MODE", "dm", `HERALD_DISCORD_REPLY_MODE="dm" must be "reply" or "thread".`},
		{"HERALD_DISCORD_MESSAGE_CONTENT", "maybe", `HERALD_DISCORD_MESSAGE_CONTENT="maybe" must be true or false.`},
		{"HERALD_ALLOW_PRIVATE_URLS", "2", `HERALD_ALLOW_PRIVATE_URLS="2" must be true or false.`},
		{"OPENAI_BASE_URL", "localhost:11434", `OPENAI_BASE_URL="localhost:11434" is not an http or https URL`},
	} {
		_, err := loadConfig(func(k string) string {
			if k == tc.name {
				return tc.value
			}
			return ""
		})
		ce, ok := err.(configError)
		if !ok || len(ce) != 1 || !strings.HasPrefix(ce[0], tc.want) {
			t.Errorf("%s=%s: %v, want %q", tc.name, tc.value, err, tc.want)
		}
	}
}

func TestConfigReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HERALD_LOG_LEVEL": "verbose", "HERALD_COOLDOWN": "five"}
	_, errOut, err := runHerald(t, env, "articles")
	if exitCode(err) != 1 || strings.Count(errOut, "herald: ") != 2 ||
		!strings.Contains(errOut, "HERALD_LOG_LEVEL") || !strings.Contains(errOut, "HERALD_COOLDOWN") {
		t.Errorf("exit %d:\n%s", exitCode(err), errOut)
	}
	// Help and version need no valid configuration.
	if _, _, err := runHerald(t, env, "--version"); err != nil {
		t.Errorf("--version with a bad configuration: %v", err)
	}
}

func TestFeedAddIntervalLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ value, want string }{
		{"1m", "--interval 1m is too short; the minimum is 5m."},
		{"-5m", "--interval -5m is negative"},
		{"soon", `--interval "soon" is not a duration`},
		{"8d", "--interval 8d is too long; the maximum is 7d."},
	} {
		_, errOut, err := runHerald(t, testEnv(t), "feed", "add", "--no-poll", "--interval", tc.value, "https://example.com/rss")
		if exitCode(err) != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("--interval %s: exit %d, %q; want %q", tc.value, exitCode(err), errOut, tc.want)
		}
	}
	if d, err := feedInterval("2h"); err != nil || d != 2*time.Hour {
		t.Errorf("2h: %v %v", d, err)
	}
}

// TestExtractiveWorksWhateverTheModelSettings: a chat model named without
// an endpoint breaks only what needs the model, and says which variable
// to set.
func TestExtractiveWorksWhateverTheModelSettings(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	ingestSample(t, env)
	env["HERALD_CHAT_MODEL"] = "llama3.1"
	env["HERALD_EMBED_MODEL"] = "nomic-embed-text"
	q := "Why hasn't Scholz approved Taurus deliveries?"
	out, errOut, err := runHerald(t, env, "ask", "--mode", "extractive", q)
	if err != nil || !strings.Contains(out, "entanglement") {
		t.Errorf("ask --mode extractive: %v\n%s\n%s", err, out, errOut)
	}
	// auto: extractive, with a warning that names the variables.
	out, errOut, err = runHerald(t, env, "ask", q)
	if err != nil || !strings.Contains(out, "entanglement") || !strings.Contains(errOut, "HERALD_CHAT_MODEL=llama3.1 is set, but there is no endpoint") ||
		!strings.Contains(errOut, "OPENAI_BASE_URL") {
		t.Errorf("ask (auto): %v\n%s\n%s", err, out, errOut)
	}
	if strings.Count(errOut, "HERALD_CHAT_MODEL=") != 1 {
		t.Errorf("the warning is repeated:\n%s", errOut)
	}
	// llm and serve need the model: an error with the hint.
	for _, args := range [][]string{{"ask", "--mode", "llm", q}, {"serve"}} {
		if args[0] == "serve" {
			env["DISCORD_TOKEN"] = "x"
		}
		_, errOut, err = runHerald(t, env, args...)
		if exitCode(err) != 1 || !strings.Contains(errOut, "HERALD_CHAT_MODEL=llama3.1 is set, but there is no endpoint for it: set OPENAI_BASE_URL") {
			t.Errorf("%v: exit %d\n%s", args, exitCode(err), errOut)
		}
	}
	// reindex needs the embeddings model.
	_, errOut, err = runHerald(t, env, "reindex")
	if exitCode(err) != 1 || !strings.Contains(errOut, "HERALD_EMBED_MODEL=nomic-embed-text is set, but there is no endpoint") {
		t.Errorf("reindex: exit %d\n%s", exitCode(err), errOut)
	}
}

func TestConfigShards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id, count string
		want      ShardConfig
		err       string
	}{
		{"", "", ShardConfig{Count: 1}, ""},
		{"", "1", ShardConfig{Count: 1}, ""},
		{"0", "1", ShardConfig{Count: 1}, ""},
		{"1", "2", ShardConfig{ID: 1, Count: 2}, ""},
		{"0", "16", ShardConfig{Count: 16}, ""},
		{"", "auto", ShardConfig{Auto: true}, ""},
		{"", "AUTO", ShardConfig{Auto: true}, ""},
		{"2", "2", ShardConfig{}, `HERALD_SHARD_ID=2 must be less than HERALD_SHARD_COUNT=2: shard IDs go from 0 to 1.`},
		{"-1", "2", ShardConfig{}, `HERALD_SHARD_ID="-1" must be a whole number from 0 to 1.`},
		{"one", "2", ShardConfig{}, `HERALD_SHARD_ID="one" must be a whole number from 0 to 1.`},
		{"1.0", "2", ShardConfig{}, `HERALD_SHARD_ID="1.0" must be a whole number`},
		{"", "2", ShardConfig{}, `HERALD_SHARD_COUNT=2 needs HERALD_SHARD_ID: this process's shard, a number from 0 to 1`},
		{"1", "", ShardConfig{}, `HERALD_SHARD_ID=1 needs HERALD_SHARD_COUNT, the number of shards of the bot.`},
		{"", "0", ShardConfig{}, `HERALD_SHARD_COUNT="0" must be auto or a whole number of shards, at least 1.`},
		{"", "2.5", ShardConfig{}, `HERALD_SHARD_COUNT="2.5" must be auto or a whole number`},
		{"0", "auto", ShardConfig{}, `HERALD_SHARD_ID="0" cannot be used with HERALD_SHARD_COUNT=auto`},
	} {
		env := map[string]string{"HERALD_SHARD_ID": tc.id, "HERALD_SHARD_COUNT": tc.count}
		c, err := loadConfig(func(k string) string { return env[k] })
		if tc.err != "" {
			ce, ok := err.(configError)
			if !ok || len(ce) != 1 || !strings.HasPrefix(ce[0], tc.err) {
				t.Errorf("id %q count %q: %v, want %q", tc.id, tc.count, err, tc.err)
			}
			continue
		}
		if err != nil || c.Discord.Shard != tc.want {
			t.Errorf("id %q count %q: %+v, %v; want %+v", tc.id, tc.count, c.Discord.Shard, err, tc.want)
		}
	}
}

func TestConfigTestOnlyOverrides(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HERALD_DISCORD_API_URL": "http://127.0.0.1:4000", "HERALD_TEST_LEASE": "2s"}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || c.Discord.APIURL != "http://127.0.0.1:4000" || c.Lease != 2*time.Second || c.Feeds.Lease != 2*time.Second {
		t.Errorf("%+v, %v", c.Discord, err)
	}
	env = map[string]string{"HERALD_DISCORD_API_URL": "127.0.0.1:4000", "HERALD_TEST_LEASE": "10ms"}
	_, err = loadConfig(func(k string) string { return env[k] })
	if ce, ok := err.(configError); !ok || len(ce) != 2 {
		t.Errorf("bad overrides: %v", err)
	}
}
