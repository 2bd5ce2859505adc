-- The index's tables as the store's migration 0006_postings.sql creates
-- them, for tests that run without the store.
CREATE TABLE segments (
	id       INTEGER PRIMARY KEY,
	passages INTEGER NOT NULL,
	min_pid  INTEGER NOT NULL,
	max_pid  INTEGER NOT NULL
);

CREATE TABLE postings (
	seg  INTEGER NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	data BLOB    NOT NULL
);
CREATE INDEX postings_seg_term ON postings(seg, term, n);

CREATE TABLE deleted_passages (id INTEGER PRIMARY KEY);
