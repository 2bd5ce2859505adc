-- Article text is stored once, in its passages: each passage row holds its
-- chunk of the text (from its start to the next passage's start), so the
-- article is the concatenation of its chunks in order.
CREATE TABLE articles (
	id           INTEGER PRIMARY KEY,
	ext_id       TEXT    NOT NULL DEFAULT '',
	url          TEXT    NOT NULL DEFAULT '',
	title        TEXT    NOT NULL DEFAULT '',
	source       TEXT    NOT NULL DEFAULT '',
	author       TEXT    NOT NULL DEFAULT '',
	published_at INTEGER,            -- unix seconds, NULL when unknown
	fetched_at   INTEGER NOT NULL,
	language     TEXT    NOT NULL DEFAULT '',
	content_hash TEXT    NOT NULL,
	fingerprint  INTEGER NOT NULL DEFAULT 0,
	guild_id     TEXT    NOT NULL DEFAULT '', -- '' = the operator's, visible to every server
	feed_id      INTEGER,
	story_id     INTEGER
);
CREATE UNIQUE INDEX articles_url ON articles(guild_id, url) WHERE url <> '';
CREATE INDEX articles_hash ON articles(content_hash);
CREATE INDEX articles_ext ON articles(ext_id) WHERE ext_id <> '';
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_fetched ON articles(fetched_at);
CREATE INDEX articles_story ON articles(story_id);

CREATE TABLE passages (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	start      INTEGER NOT NULL,
	end        INTEGER NOT NULL,
	words      INTEGER NOT NULL,
	chunk      TEXT    NOT NULL -- text[cut:next cut], cut = 0 for seq 0, else start
);
CREATE INDEX passages_article ON passages(article_id, seq);

-- The full-text index holds no copy of the text (contentless); its rowid is
-- the passage id. Column 0 is the headline, column 1 the passage.
CREATE VIRTUAL TABLE passages_fts USING fts5(
	title, body,
	content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');

-- Corpus-wide counts for BM25 computed in Go.
CREATE TABLE stats (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	passages INTEGER NOT NULL,
	tokens   INTEGER NOT NULL,
	title_tokens INTEGER NOT NULL
);
INSERT INTO stats VALUES (1, 0, 0, 0);
