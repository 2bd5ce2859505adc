package knowledge

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Conversation limits: what one conversation keeps, so the table stays
// bounded whatever users do.
const (
	// maxConversationTurns is how many of its latest turns a conversation
	// keeps; older ones are deleted when a new one is added.
	maxConversationTurns = 20
	// maxTurnRunes bounds the stored question and the stored answer of a
	// turn; longer text is cut.
	maxTurnRunes = 4000
	// maxTurnMessages bounds how many message IDs one turn can attach to its
	// conversation.
	maxTurnMessages = 20
)

// AppendTurn adds a turn to the conversation convID (a thread ID, or the ID
// of the message that started it) and attaches messageIDs (the messages
// that carry the answer) to the conversation, so that a reply to any of
// them continues it. Only the latest maxConversationTurns turns are kept.
func (db *DB) AppendTurn(ctx context.Context, convID string, t Turn, messageIDs ...string) error {
	if convID == "" {
		return Errorf(EINVALID, "A conversation needs an ID.")
	}
	now := db.Now().Unix()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("append a turn to conversation %s: begin: %w", convID, err)
	}
	defer db.endWrite(tx)
	if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_turns(conv_id, question, answer, created_at) VALUES (?, ?, ?, ?)`,
		convID, cutRunes(t.Question, maxTurnRunes), cutRunes(t.Answer, maxTurnRunes), now); err != nil {
		return fmt.Errorf("append a turn to conversation %s: insert: %w", convID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_turns WHERE conv_id = ? AND id NOT IN
		(SELECT id FROM conversation_turns WHERE conv_id = ? ORDER BY id DESC LIMIT ?)`, convID, convID, maxConversationTurns); err != nil {
		return fmt.Errorf("append a turn to conversation %s: drop old turns: %w", convID, err)
	}
	if len(messageIDs) > maxTurnMessages {
		messageIDs = messageIDs[:maxTurnMessages]
	}
	for _, id := range messageIDs {
		if id == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_messages(message_id, conv_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT(message_id) DO UPDATE SET conv_id = excluded.conv_id, created_at = excluded.created_at`, id, convID, now); err != nil {
			return fmt.Errorf("append a turn to conversation %s: link message %s: %w", convID, id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append a turn to conversation %s: commit: %w", convID, err)
	}
	return nil
}

// Turns returns the latest max turns of a conversation, oldest first; none
// (and no error) for an unknown or expired conversation. A max of zero or
// less means maxConversationTurns.
func (db *DB) Turns(ctx context.Context, convID string, max int) ([]Turn, error) {
	if max <= 0 || max > maxConversationTurns {
		max = maxConversationTurns
	}
	rows, err := db.db.QueryContext(ctx, `SELECT question, answer FROM
		(SELECT id, question, answer FROM conversation_turns WHERE conv_id = ? ORDER BY id DESC LIMIT ?) t ORDER BY id`, convID, max)
	if err != nil {
		return nil, fmt.Errorf("read turns of conversation %s: %w", convID, err)
	}
	defer rows.Close()
	var out []Turn
	for rows.Next() {
		var t Turn
		if err := rows.Scan(&t.Question, &t.Answer); err != nil {
			return nil, fmt.Errorf("read turns of conversation %s: %w", convID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read turns of conversation %s: %w", convID, err)
	}
	return out, nil
}

// ConversationOf returns the conversation a message belongs to (one of the
// messageIDs given to AppendTurn), or "" when it belongs to none.
func (db *DB) ConversationOf(ctx context.Context, messageID string) (string, error) {
	var convID string
	err := db.db.QueryRowContext(ctx, `SELECT conv_id FROM conversation_messages WHERE message_id = ?`, messageID).Scan(&convID)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the conversation of message %s: %w", messageID, err)
	}
	return convID, nil
}

// PruneConversations deletes the turns and message links created before
// olderThan and returns how many turns it deleted.
func (db *DB) PruneConversations(ctx context.Context, olderThan time.Time) (int64, error) {
	cutoff := olderThan.Unix()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("prune conversations: begin: %w", err)
	}
	defer db.endWrite(tx)
	res, err := tx.ExecContext(ctx, `DELETE FROM conversation_turns WHERE created_at < ?`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("prune conversations: delete turns: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune conversations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_messages WHERE created_at < ?`, cutoff); err != nil {
		return 0, fmt.Errorf("prune conversations: delete message links: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune conversations: commit: %w", err)
	}
	return n, nil
}

// cutRunes cuts s to at most max runes, marking a cut with "…".
func cutRunes(s string, max int) string {
	s = strings.TrimSpace(s)
	n := 0
	for i := range s {
		if n == max-1 {
			if utf8.RuneCountInString(s[i:]) > 1 {
				return s[:i] + "…"
			}
			return s
		}
		n++
	}
	return s
}
