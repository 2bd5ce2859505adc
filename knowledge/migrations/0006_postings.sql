-- Herald's own inverted index replaces FTS5 (see knowledge/postings.go).
-- Postings are written in immutable segments, one per write transaction,
-- and merged in tiers. A segment row holds, for one term, the passages
-- that contain it: passage id deltas, term counts and a length byte, so
-- that BM25 is computed without any per-passage lookup.
CREATE TABLE segments (
	id       INTEGER PRIMARY KEY,
	passages INTEGER NOT NULL, -- passages indexed in it
	min_pid  INTEGER NOT NULL,
	max_pid  INTEGER NOT NULL
);

CREATE TABLE postings (
	seg  INTEGER NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL, -- postings in data: the term's document frequency in the segment
	data BLOB    NOT NULL
);
CREATE INDEX postings_seg_term ON postings(seg, term, n);

-- Passages removed since their segment was written: skipped by queries
-- and dropped from postings when their segment is merged.
CREATE TABLE deleted_passages (id INTEGER PRIMARY KEY);

-- Passage ids are handed out by the writer and never reused, so that a
-- posting never points at a newer passage than the one it indexed.
ALTER TABLE stats ADD COLUMN last_passage INTEGER NOT NULL DEFAULT 0;
UPDATE stats SET last_passage = (SELECT ifnull(max(id), 0) FROM passages);

DROP TABLE term_df;
DROP TABLE passages_vocab;
DROP TABLE passages_fts;
