-- The keyword index becomes one index per language (see knowledge/keyword):
-- every passage is indexed with its article's language's analyzer (stop
-- words, Snowball stems), a segment holds passages of one language, and
-- BM25's statistics are kept per language. Removing a passage subtracts
-- its terms from the document frequencies at once (removed_df), so that
-- rankings never count removed passages. The store re-indexes every
-- passage after this migration (detecting the language of articles that
-- have none).
ALTER TABLE segments ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- Per language: live passages, their tokens, their headlines' tokens (a
-- passage counts its headline once), and the removed passages whose
-- postings are still in segments.
CREATE TABLE index_stats (
	lang         TEXT    PRIMARY KEY,
	passages     INTEGER NOT NULL DEFAULT 0,
	tokens       INTEGER NOT NULL DEFAULT 0,
	title_tokens INTEGER NOT NULL DEFAULT 0,
	removed      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Postings of removed passages still in segments, per language and term:
-- a term's document frequency is its postings minus these.
CREATE TABLE removed_df (
	lang TEXT    NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (lang, term)
) WITHOUT ROWID;

-- The corpus counts move to index_stats; stats keeps the passage id mark.
ALTER TABLE stats DROP COLUMN passages;
ALTER TABLE stats DROP COLUMN tokens;
ALTER TABLE stats DROP COLUMN title_tokens;
