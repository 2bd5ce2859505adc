package bot

import "errors"

// The errors below are in the chain of an error the operator fixes with
// one of the bot's settings. The bot's messages name no environment
// variables (the bot does not know where its Config came from); an edge
// that does, such as the command line, tests for them with errors.Is and
// adds which setting to change.
var (
	// ErrToken is in the chain when Discord rejects the bot's token.
	ErrToken = errors.New("discord rejected the bot token")
	// ErrHTTPAddr is in the chain when Config.HTTPAddr cannot be listened on.
	ErrHTTPAddr = errors.New("cannot listen on the metrics address")
	// ErrGuild is in the chain when Discord refuses to register the slash
	// commands in Config.GuildID.
	ErrGuild = errors.New("discord refused the command server")
	// ErrMessageContent is in the chain when Discord refuses the Message
	// Content intent that Config.MessageContent asked for.
	ErrMessageContent = errors.New("discord refused the message content intent")
	// ErrShardID is in the chain when Discord refuses the shard's ID for
	// the shard count (gateway close code 4010).
	ErrShardID = errors.New("discord refused the shard id")
	// ErrShardsRequired is in the chain when Discord asks for more shards
	// than the bot runs (gateway close code 4011).
	ErrShardsRequired = errors.New("discord requires more shards")
)
