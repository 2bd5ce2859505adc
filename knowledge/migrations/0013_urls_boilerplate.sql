-- Every address an article was found under, with the outlet it came from:
-- the same text under another URL (a wire story on several outlets' sites,
-- a page re-published under a new address) stays one article and keeps all
-- of them. articles.url stays the article's main address and is listed
-- here too.
CREATE TABLE article_urls (
	url          TEXT    NOT NULL,
	guild_id     TEXT    NOT NULL DEFAULT '', -- the scope of the article
	article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	source       TEXT    NOT NULL DEFAULT '', -- the outlet of this address
	ext_id       TEXT    NOT NULL DEFAULT '', -- the corpus id of the record that had it, if any
	published_at INTEGER,                     -- unix seconds, NULL when that record had no date
	added_at     INTEGER NOT NULL,
	PRIMARY KEY (url, guild_id)
);
CREATE INDEX article_urls_article ON article_urls(article_id);
INSERT INTO article_urls(url, guild_id, article_id, source, ext_id, published_at, added_at)
	SELECT url, guild_id, id, source, ext_id, published_at, fetched_at FROM articles WHERE url <> '';

-- The sentences found to be an outlet's boilerplate (see
-- knowledge/boilerplate.go): key is a 64-bit hash of the scope, the outlet
-- and the folded sentence; articles and offtopic are the counts that made
-- it so (articles of the outlet's newest that hold it, and of those the
-- ones whose headline shares no word with it). Rows are added in the order
-- found, so every process learns the new ones by reading past the last id
-- it knows. A sentence stays boilerplate once found.
CREATE TABLE outlet_boilerplate (
	id       INTEGER PRIMARY KEY,
	key      BIGINT  NOT NULL UNIQUE, -- 64 bits
	guild_id TEXT    NOT NULL DEFAULT '',
	outlet   TEXT    NOT NULL,
	sentence TEXT    NOT NULL,
	articles INTEGER NOT NULL,
	offtopic INTEGER NOT NULL,
	found_at INTEGER NOT NULL
);

-- The store reads an outlet's newest articles to find its boilerplate.
CREATE INDEX articles_source ON articles(source, id);

-- A digest lets an undated feed item stand in with the time Herald first
-- saw it; these find an article's sightings and a period's.
CREATE INDEX feed_items_article ON feed_items(article_id, seen_at) WHERE article_id IS NOT NULL;
CREATE INDEX feed_items_seen_at ON feed_items(seen_at);
