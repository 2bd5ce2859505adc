-- The index's tables as the store's migrations 0006_postings.sql and
-- 0011_index_languages.sql create them, for tests that run without the
-- store.
CREATE TABLE segments (
	id       INTEGER PRIMARY KEY,
	passages INTEGER NOT NULL,
	min_pid  INTEGER NOT NULL,
	max_pid  INTEGER NOT NULL,
	lang     TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE postings (
	seg  INTEGER NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	data BLOB    NOT NULL
);
CREATE INDEX postings_seg_term ON postings(seg, term, n);

CREATE TABLE deleted_passages (id INTEGER PRIMARY KEY);

CREATE TABLE index_stats (
	lang         TEXT    PRIMARY KEY,
	passages     INTEGER NOT NULL DEFAULT 0,
	tokens       INTEGER NOT NULL DEFAULT 0,
	title_tokens INTEGER NOT NULL DEFAULT 0,
	removed      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE removed_df (
	lang TEXT    NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (lang, term)
) WITHOUT ROWID;
