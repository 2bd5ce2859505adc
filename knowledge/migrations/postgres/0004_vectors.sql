-- See knowledge/migrations/0004_vectors.sql. SQLite's trigger that lowers
-- embedded_upto when the highest passage is deleted is not needed here:
-- passage ids are handed out by the writer and never reused.
CREATE TABLE passage_vectors (
	passage_id BIGINT PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
	model      TEXT COLLATE "C" NOT NULL,
	dim        INTEGER NOT NULL,
	gen        BIGINT NOT NULL,
	scale      DOUBLE PRECISION NOT NULL,
	q8         BYTEA NOT NULL,
	vec        BYTEA NOT NULL
);
CREATE INDEX passage_vectors_space ON passage_vectors(model, dim, gen);

CREATE TABLE vector_meta (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	model         TEXT COLLATE "C" NOT NULL DEFAULT '',
	dim           INTEGER NOT NULL DEFAULT 0,
	gen           BIGINT NOT NULL DEFAULT 0,
	embedded_upto BIGINT NOT NULL DEFAULT 0
);
INSERT INTO vector_meta VALUES (1, '', 0, 0, 0);
