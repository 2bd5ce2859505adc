-- Feed subscriptions. guild_id '' is the operator's (added from the command
-- line); a server's feeds are managed only from that server.
CREATE TABLE feeds (
	id              INTEGER PRIMARY KEY,
	url             TEXT    NOT NULL,
	guild_id        TEXT    NOT NULL DEFAULT '',
	title           TEXT    NOT NULL DEFAULT '', -- the feed's own title, from its last successful poll
	name            TEXT    NOT NULL DEFAULT '', -- outlet name given when the feed was added; wins over title
	interval_s      INTEGER NOT NULL DEFAULT 0,  -- seconds between polls; 0 = the poller's default
	paused          INTEGER NOT NULL DEFAULT 0,
	etag            TEXT    NOT NULL DEFAULT '',
	last_modified   TEXT    NOT NULL DEFAULT '',
	last_polled_at  INTEGER,
	last_success_at INTEGER,
	next_poll_at    INTEGER NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0,  -- failed polls in a row
	last_error      TEXT    NOT NULL DEFAULT '', -- readable reason of the last failure
	warning         TEXT    NOT NULL DEFAULT '', -- what the last successful poll had to work around
	disabled_reason TEXT    NOT NULL DEFAULT '', -- non-empty: no longer polled until resumed
	items           INTEGER NOT NULL DEFAULT 0,  -- articles added from this feed
	created_by      TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX feeds_guild_url ON feeds(guild_id, url);
CREATE INDEX feeds_due ON feeds(next_poll_at) WHERE paused = 0 AND disabled_reason = '';

-- Items already taken from a feed, by GUID (or canonical link), so that
-- re-polls and repeated GUIDs never ingest an item twice.
CREATE TABLE feed_items (
	feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
	key        TEXT    NOT NULL,
	article_id INTEGER,
	seen_at    INTEGER NOT NULL,
	PRIMARY KEY (feed_id, key)
) WITHOUT ROWID;

CREATE INDEX articles_feed ON articles(feed_id) WHERE feed_id IS NOT NULL;

-- Daily digests: one schedule per channel.
CREATE TABLE digest_schedules (
	id         INTEGER PRIMARY KEY,
	guild_id   TEXT    NOT NULL,
	channel_id TEXT    NOT NULL UNIQUE,
	local_time TEXT    NOT NULL, -- HH:MM
	timezone   TEXT    NOT NULL, -- IANA name, e.g. Europe/Berlin
	enabled    INTEGER NOT NULL DEFAULT 1,
	created_by TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL  -- occurrences before this moment are never posted
);
CREATE INDEX digest_schedules_guild ON digest_schedules(guild_id);

-- One row per channel and local day, inserted (claimed) before the digest is
-- posted: the unique key is what makes posting happen at most once, across
-- restarts and between instances.
CREATE TABLE digest_posts (
	id           INTEGER PRIMARY KEY,
	schedule_id  INTEGER REFERENCES digest_schedules(id) ON DELETE SET NULL,
	channel_id   TEXT    NOT NULL,
	local_date   TEXT    NOT NULL, -- YYYY-MM-DD in the schedule's time zone
	state        TEXT    NOT NULL, -- claimed, posted, empty, retry, failed, unconfirmed
	attempts     INTEGER NOT NULL DEFAULT 1,
	owner        TEXT    NOT NULL DEFAULT '', -- the instance that claimed it
	period_start INTEGER,
	period_end   INTEGER,
	stories      INTEGER NOT NULL DEFAULT 0,
	error        TEXT    NOT NULL DEFAULT '',
	claimed_at   INTEGER NOT NULL,
	posted_at    INTEGER,
	UNIQUE (channel_id, local_date)
);
