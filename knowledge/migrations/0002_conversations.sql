-- Conversations with the bot: the turns of each conversation (a thread, or
-- a chain of replies), and which answer messages belong to which
-- conversation, so that a reply to any of them continues it. Both expire.
CREATE TABLE conversation_turns (
	id         INTEGER PRIMARY KEY,
	conv_id    TEXT    NOT NULL,
	question   TEXT    NOT NULL,
	answer     TEXT    NOT NULL,
	created_at INTEGER NOT NULL -- unix seconds
);
CREATE INDEX conversation_turns_conv ON conversation_turns(conv_id, id);
CREATE INDEX conversation_turns_created ON conversation_turns(created_at);

CREATE TABLE conversation_messages (
	message_id TEXT    PRIMARY KEY,
	conv_id    TEXT    NOT NULL,
	created_at INTEGER NOT NULL -- unix seconds
);
CREATE INDEX conversation_messages_created ON conversation_messages(created_at);
