-- The vector tables as the store's migration 0004_vectors.sql creates them,
-- and the two columns of passages they use, for tests that run without the
-- store.
CREATE TABLE passages (
	id         INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL
);

CREATE TABLE passage_vectors (
	passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
	model      TEXT    NOT NULL,
	dim        INTEGER NOT NULL,
	gen        INTEGER NOT NULL,
	scale      REAL    NOT NULL,
	q8         BLOB    NOT NULL,
	vec        BLOB    NOT NULL
);
CREATE INDEX passage_vectors_space ON passage_vectors(model, dim, gen);

CREATE TABLE vector_meta (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	model         TEXT    NOT NULL DEFAULT '',
	dim           INTEGER NOT NULL DEFAULT 0,
	gen           INTEGER NOT NULL DEFAULT 0,
	embedded_upto INTEGER NOT NULL DEFAULT 0
);
INSERT INTO vector_meta VALUES (1, '', 0, 0, 0);
