package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PostedAnswer is a final answer as Herald posted it in Discord: what was
// asked, what it answered, how, from which articles and passages, and where
// it is shown. It is stored when it is posted, so that its buttons keep
// working after a restart and votes on it keep the evidence they judged.
type PostedAnswer struct {
	ID             int64          `json:"id"`
	GuildID        string         `json:"guild_id,omitempty"`
	ChannelID      string         `json:"channel_id,omitempty"`
	AskerID        string         `json:"asker_id,omitempty"`
	ConversationID string         `json:"conversation_id,omitempty"`
	Question       string         `json:"question"`
	Text           string         `json:"answer"`
	Mode           string         `json:"mode"`
	Sources        []AnswerSource `json:"sources"`
	MessageIDs     []string       `json:"message_ids,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	Deleted        bool           `json:"deleted,omitempty"`
}

// AnswerSource is one article an answer cited: the markers that stand for
// it in the text, the passages its quotes come from, and what is shown of it.
type AnswerSource struct {
	Markers     []int         `json:"markers"`
	ArticleID   int64         `json:"article_id"`
	PassageIDs  []int64       `json:"passage_ids,omitempty"`
	Title       string        `json:"title"`
	Source      string        `json:"source,omitempty"`
	URL         string        `json:"url,omitempty"`
	PublishedAt time.Time     `json:"published_at"`
	Quotes      []SourceQuote `json:"quotes,omitempty"`
}

// SourceQuote is one quoted passage of a source and whether it was found
// word for word in the article.
type SourceQuote struct {
	Text     string `json:"text"`
	Verified bool   `json:"verified"`
}

// GroupSources returns the sources of an answer, one per article in the
// order the articles are first cited: the citations of one article (one
// per quote, or one with several Quotes) are merged, with every marker and
// every distinct quote, and the passages of the evidence that hold those
// quotes (all the article's passages in the evidence when none does).
func GroupSources(ans *Answer) []AnswerSource {
	if ans == nil {
		return nil
	}
	var out []AnswerSource
	index := map[string]int{}
	for _, c := range ans.Citations {
		key := fmt.Sprintf("a%d", c.ArticleID)
		if c.ArticleID == 0 {
			// Not from the store (tests, imports): one entry per link or title.
			key = "u" + c.URL + "\x00" + c.Title
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, AnswerSource{ArticleID: c.ArticleID, Title: c.Title, Source: c.Source, URL: c.URL, PublishedAt: c.PublishedAt})
		}
		s := &out[i]
		if c.N > 0 && !slices.Contains(s.Markers, c.N) {
			s.Markers = append(s.Markers, c.N)
		}
		quotes := c.Quotes
		if len(quotes) == 0 && strings.TrimSpace(c.Quote) != "" {
			quotes = []string{c.Quote}
		}
		for _, q := range quotes {
			q = strings.Join(strings.Fields(q), " ")
			if q == "" || hasQuote(s.Quotes, q) {
				continue
			}
			s.Quotes = append(s.Quotes, SourceQuote{Text: q, Verified: c.Verified})
		}
	}
	for i := range out {
		out[i].PassageIDs = citedPassages(ans.Hits, out[i])
	}
	return out
}

func hasQuote(qs []SourceQuote, q string) bool {
	for _, x := range qs {
		if x.Text == q {
			return true
		}
	}
	return false
}

// citedPassages returns the IDs of the evidence passages of a source's
// article that hold one of its quotes, or of all its passages in the
// evidence when none does.
func citedPassages(hits []Hit, s AnswerSource) []int64 {
	if s.ArticleID == 0 {
		return nil
	}
	var holding, all []int64
	for _, h := range hits {
		if h.Article.ID != s.ArticleID || h.Passage.ID == 0 {
			continue
		}
		all = append(all, h.Passage.ID)
		text := strings.Join(strings.Fields(h.Passage.Text), " ")
		for _, q := range s.Quotes {
			if strings.Contains(text, q.Text) {
				holding = append(holding, h.Passage.ID)
				break
			}
		}
	}
	if len(holding) > 0 {
		return holding
	}
	return all
}

// SavePostedAnswer stores an answer about to be posted and sets its ID and
// creation time; SetPostedAnswerMessages records where it was posted.
func (db *DB) SavePostedAnswer(ctx context.Context, a *PostedAnswer) error {
	sources, err := json.Marshal(nonNil(a.Sources))
	if err != nil {
		return fmt.Errorf("save posted answer: %w", err)
	}
	msgs, err := json.Marshal(nonNil(a.MessageIDs))
	if err != nil {
		return fmt.Errorf("save posted answer: %w", err)
	}
	now := db.Now()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("save posted answer: %w", err)
	}
	defer db.endWrite(tx)
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO posted_answers(guild_id, channel_id, asker_id, conversation_id, question, answer, mode, sources, message_ids, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.GuildID, a.ChannelID, a.AskerID, a.ConversationID, a.Question, a.Text, a.Mode, string(sources), string(msgs), now.Unix()).Scan(&id)
	if err != nil {
		return fmt.Errorf("save posted answer: insert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save posted answer: commit: %w", err)
	}
	a.ID, a.CreatedAt = id, now.Truncate(time.Second)
	return nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// SetPostedAnswerMessages records the channel and the messages that show a
// posted answer, and the conversation it belongs to.
func (db *DB) SetPostedAnswerMessages(ctx context.Context, id int64, channelID, conversationID string, messageIDs []string) error {
	msgs, err := json.Marshal(nonNil(messageIDs))
	if err != nil {
		return fmt.Errorf("set messages of posted answer %d: %w", id, err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("set messages of posted answer %d: %w", id, err)
	}
	defer db.endWrite(tx)
	if _, err := tx.ExecContext(ctx, `UPDATE posted_answers SET channel_id = ?, conversation_id = ?, message_ids = ? WHERE id = ?`,
		channelID, conversationID, string(msgs), id); err != nil {
		return fmt.Errorf("set messages of posted answer %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set messages of posted answer %d: commit: %w", id, err)
	}
	return nil
}

// errNoAnswer is the error for a posted answer that is not stored.
func errNoAnswer(id int64) error {
	return Errorf(ENOTFOUND, "I no longer have this answer (%d).", id)
}

const postedAnswerColumns = `a.id, a.guild_id, a.channel_id, a.asker_id, a.conversation_id, a.question, a.answer, a.mode, a.sources, a.message_ids, a.created_at, a.deleted_at`

func scanPostedAnswer(r rowScanner, extra ...any) (PostedAnswer, error) {
	var a PostedAnswer
	var sources, msgs string
	var created, deleted int64
	dest := append([]any{&a.ID, &a.GuildID, &a.ChannelID, &a.AskerID, &a.ConversationID, &a.Question, &a.Text, &a.Mode,
		&sources, &msgs, &created, &deleted}, extra...)
	if err := r.Scan(dest...); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(sources), &a.Sources); err != nil {
		return a, fmt.Errorf("posted answer %d: sources: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(msgs), &a.MessageIDs); err != nil {
		return a, fmt.Errorf("posted answer %d: message ids: %w", a.ID, err)
	}
	a.CreatedAt = time.Unix(created, 0).UTC()
	a.Deleted = deleted != 0
	return a, nil
}

// PostedAnswer returns a posted answer by ID, deleted ones included; an
// ENOTFOUND error when it is not stored.
func (db *DB) PostedAnswer(ctx context.Context, id int64) (*PostedAnswer, error) {
	a, err := scanPostedAnswer(db.db.QueryRowContext(ctx, `SELECT `+postedAnswerColumns+` FROM posted_answers a WHERE a.id = ?`, id))
	if isNoRows(err) {
		return nil, errNoAnswer(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read posted answer %d: %w", id, err)
	}
	return &a, nil
}

// MarkPostedAnswerDeleted records that a posted answer's messages were
// deleted; its votes stay.
func (db *DB) MarkPostedAnswerDeleted(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("mark posted answer %d deleted: %w", id, err)
	}
	defer db.endWrite(tx)
	res, err := tx.ExecContext(ctx, `UPDATE posted_answers SET deleted_at = ? WHERE id = ? AND deleted_at = 0`, db.Now().Unix(), id)
	if err != nil {
		return fmt.Errorf("mark posted answer %d deleted: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM posted_answers WHERE id = ?`, id).Scan(&one); isNoRows(err) {
			return errNoAnswer(id)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark posted answer %d deleted: commit: %w", id, err)
	}
	return nil
}

// Vote values.
const (
	VoteUp   = 1
	VoteDown = -1
)

// Vote records a member's vote (VoteUp or VoteDown) on a posted answer,
// replacing their earlier vote, and returns that earlier vote (0 when it is
// their first). Everyone votes at most once per answer. A deleted or
// unknown answer is an ENOTFOUND error.
func (db *DB) Vote(ctx context.Context, answerID int64, userID string, vote int) (previous int, err error) {
	if vote != VoteUp && vote != VoteDown {
		return 0, Errorf(EINVALID, "A vote is up or down.")
	}
	if userID == "" {
		return 0, Errorf(EINVALID, "A vote needs a voter.")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("vote on answer %d: %w", answerID, err)
	}
	defer db.endWrite(tx)
	var deleted int64
	err = tx.QueryRowContext(ctx, `SELECT deleted_at FROM posted_answers WHERE id = ?`, answerID).Scan(&deleted)
	if isNoRows(err) || (err == nil && deleted != 0) {
		return 0, errNoAnswer(answerID)
	}
	if err != nil {
		return 0, fmt.Errorf("vote on answer %d: %w", answerID, err)
	}
	err = tx.QueryRowContext(ctx, `SELECT vote FROM answer_votes WHERE answer_id = ? AND user_id = ?`, answerID, userID).Scan(&previous)
	if err != nil && !isNoRows(err) {
		return 0, fmt.Errorf("vote on answer %d: read the earlier vote: %w", answerID, err)
	}
	if previous == vote {
		return previous, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO answer_votes(answer_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(answer_id, user_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`,
		answerID, userID, vote, db.Now().Unix()); err != nil {
		return 0, fmt.Errorf("vote on answer %d: %w", answerID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("vote on answer %d: commit: %w", answerID, err)
	}
	return previous, nil
}

// Feedback is one member's vote on a posted answer, with the answer and the
// evidence it cited.
type Feedback struct {
	Answer  PostedAnswer `json:"answer"`
	UserID  string       `json:"user_id"`
	Vote    int          `json:"vote"`
	VotedAt time.Time    `json:"voted_at"`
}

// FeedbackFilter narrows Feedback. Zero values mean no restriction.
type FeedbackFilter struct {
	// Vote keeps only VoteUp or only VoteDown votes.
	Vote int
	// GuildID keeps the votes of one server.
	GuildID string
	// Limit is the most votes returned, newest first.
	Limit int
}

// Feedback returns the votes on posted answers, newest first.
func (db *DB) Feedback(ctx context.Context, f FeedbackFilter) ([]Feedback, error) {
	q := `SELECT ` + postedAnswerColumns + `, v.user_id, v.vote, v.voted_at FROM answer_votes v JOIN posted_answers a ON a.id = v.answer_id WHERE 1 = 1`
	var args []any
	if f.Vote != 0 {
		q += ` AND v.vote = ?`
		args = append(args, f.Vote)
	}
	if f.GuildID != "" {
		q += ` AND a.guild_id = ?`
		args = append(args, f.GuildID)
	}
	q += ` ORDER BY v.voted_at DESC, v.answer_id DESC, v.user_id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	defer rows.Close()
	out := []Feedback{}
	for rows.Next() {
		var fb Feedback
		var voted int64
		a, err := scanPostedAnswer(rows, &fb.UserID, &fb.Vote, &voted)
		if err != nil {
			return nil, fmt.Errorf("list feedback: %w", err)
		}
		fb.Answer, fb.VotedAt = a, time.Unix(voted, 0).UTC()
		out = append(out, fb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return out, nil
}
