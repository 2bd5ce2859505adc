-- Passage embeddings, one vector per passage, for hybrid retrieval (see
-- knowledge/vectors.go). A vector belongs to one vector space: an
-- embeddings model and a dimension. Vectors of different spaces are never
-- compared; switching the model re-embeds every passage, each new vector
-- replacing the old one of its passage.
CREATE TABLE passage_vectors (
	passage_id INTEGER PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
	model      TEXT    NOT NULL,
	dim        INTEGER NOT NULL,
	gen        INTEGER NOT NULL, -- vector_meta.gen of the batch that wrote it; the in-memory index loads newer rows only
	scale      REAL    NOT NULL, -- q8[i] * scale approximates vec[i]
	q8         BLOB    NOT NULL, -- dim int8: vec quantised for the in-memory scan (a quarter of vec's size, loads fast)
	vec        BLOB    NOT NULL  -- dim float32 little-endian, unit length
);
CREATE INDEX passage_vectors_space ON passage_vectors(model, dim, gen);

-- The current vector space and the embedding bookkeeping.
CREATE TABLE vector_meta (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	model         TEXT    NOT NULL DEFAULT '', -- '' = nothing embedded yet
	dim           INTEGER NOT NULL DEFAULT 0,
	gen           INTEGER NOT NULL DEFAULT 0,  -- bumped by every committed batch of vectors
	embedded_upto INTEGER NOT NULL DEFAULT 0   -- every passage with id <= this has a vector of (model, dim)
);
INSERT INTO vector_meta VALUES (1, '', 0, 0, 0);

-- SQLite reuses the highest rowid after it is deleted, so a new passage can
-- get an id at or below embedded_upto. Deleting the highest passage
-- therefore lowers the mark to the highest id that remains.
CREATE TRIGGER passages_vector_mark AFTER DELETE ON passages
WHEN old.id > ifnull((SELECT max(id) FROM passages), 0)
BEGIN
	UPDATE vector_meta SET embedded_upto = min(embedded_upto, ifnull((SELECT max(id) FROM passages), 0)) WHERE id = 1;
END;
