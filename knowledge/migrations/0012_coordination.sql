-- Coordination between processes sharing one database (several `herald
-- serve` on PostgreSQL, or a CLI beside the bot on SQLite).
--
-- A digest or feed post claim holds a lease: the claiming process renews
-- it while it works, and a claim whose lease ended (its process died) is
-- taken over by another. Claims left by earlier versions, which had no
-- lease, may or may not have been posted: they are not taken over.
ALTER TABLE digest_posts ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
UPDATE digest_posts SET state = 'unconfirmed' WHERE state = 'claimed';
ALTER TABLE feed_posts ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
UPDATE feed_posts SET state = 'failed', error = 'claimed by an earlier version that stopped while posting' WHERE state = 'claimed';

-- Limits that hold across processes: a user's cooldown, the questions a
-- server has being answered (each a slot that expires, so a dead process
-- frees its slots), and the model tokens a server spent on a UTC day.
CREATE TABLE limit_cooldowns (
	scope   TEXT    NOT NULL, -- a server, or '' for every server
	user_id TEXT    NOT NULL,
	until   INTEGER NOT NULL, -- unix milliseconds
	PRIMARY KEY (scope, user_id)
);
CREATE TABLE limit_slots (
	id         INTEGER PRIMARY KEY,
	scope      TEXT    NOT NULL,
	holder     TEXT    NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX limit_slots_scope ON limit_slots(scope, expires_at);
CREATE TABLE limit_tokens (
	scope  TEXT    NOT NULL,
	day    TEXT    NOT NULL, -- YYYY-MM-DD, UTC
	tokens INTEGER NOT NULL,
	PRIMARY KEY (scope, day)
);

-- Articles updated or removed, in commit order, so that another process's
-- caches of article metadata learn of them (new articles and passages it
-- finds by their ids). Rows older than a day are dropped.
CREATE TABLE article_changes (
	seq        INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL,
	changed_at INTEGER NOT NULL
);

-- herald migrate: the database a copy into this one is made from, so that
-- an interrupted copy continues and a copy of another database is refused.
CREATE TABLE store_copies (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	source      TEXT    NOT NULL, -- the source database's identity
	started_at  INTEGER NOT NULL,
	last_passage INTEGER NOT NULL, -- the source's change counters when the copy began:
	last_change  INTEGER NOT NULL, -- a source written to meanwhile is not copied consistently
	finished_at INTEGER           -- NULL while the copy is not done
);
