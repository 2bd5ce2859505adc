-- See knowledge/migrations/0011_index_languages.sql: the keyword index per
-- language, its statistics per language (index_stats) and the postings of
-- removed passages per term (removed_df). Terms and languages are COLLATE
-- "C", as the index's terms are in postings. The store re-indexes every
-- passage after this migration, in its transaction (a database of the
-- previous schema; a fresh one has no passages yet).
ALTER TABLE segments ADD COLUMN lang TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE index_stats (
	lang         TEXT COLLATE "C" PRIMARY KEY,
	passages     BIGINT NOT NULL DEFAULT 0,
	tokens       BIGINT NOT NULL DEFAULT 0,
	title_tokens BIGINT NOT NULL DEFAULT 0,
	removed      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE removed_df (
	lang TEXT COLLATE "C" NOT NULL,
	term TEXT COLLATE "C" NOT NULL,
	n    BIGINT NOT NULL,
	PRIMARY KEY (lang, term)
);

ALTER TABLE stats DROP COLUMN passages;
ALTER TABLE stats DROP COLUMN tokens;
ALTER TABLE stats DROP COLUMN title_tokens;
