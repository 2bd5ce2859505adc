-- Document frequency of every indexed term (passages holding it, headline
-- included), kept by the writer so that retrieval reads a term's weight
-- with one lookup instead of scanning its posting list.
CREATE TABLE term_df (
	term TEXT PRIMARY KEY,
	df   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO term_df(term, df) SELECT term, doc FROM passages_vocab;
