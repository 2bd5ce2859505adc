-- Answers Herald posted in Discord, kept so that their buttons (votes,
-- sources, follow-up, delete) work after a restart, and the members' votes
-- on them, stored with the evidence they judged: the question, the answer,
-- its mode and the articles and passages it cited.
CREATE TABLE posted_answers (
	id              INTEGER PRIMARY KEY,
	guild_id        TEXT    NOT NULL DEFAULT '', -- '' in direct messages
	channel_id      TEXT    NOT NULL DEFAULT '',
	asker_id        TEXT    NOT NULL DEFAULT '',
	conversation_id TEXT    NOT NULL DEFAULT '', -- the conversation a follow-up continues
	question        TEXT    NOT NULL,
	answer          TEXT    NOT NULL,
	mode            TEXT    NOT NULL,            -- llm or extractive
	sources         TEXT    NOT NULL DEFAULT '[]', -- JSON: one entry per cited article, with its passage ids and quotes
	message_ids     TEXT    NOT NULL DEFAULT '[]', -- JSON: the Discord messages that show it
	created_at      INTEGER NOT NULL,            -- unix seconds
	deleted_at      INTEGER NOT NULL DEFAULT 0   -- unix seconds; 0 while shown
);
CREATE INDEX posted_answers_created ON posted_answers(created_at);

CREATE TABLE answer_votes (
	answer_id INTEGER NOT NULL REFERENCES posted_answers(id) ON DELETE CASCADE,
	user_id   TEXT    NOT NULL,
	vote      INTEGER NOT NULL CHECK (vote IN (-1, 1)),
	voted_at  INTEGER NOT NULL, -- unix seconds of the latest change
	PRIMARY KEY (answer_id, user_id)
);
CREATE INDEX answer_votes_voted ON answer_votes(voted_at);
