package knowledge

import (
	"context"
	"fmt"
	"time"
)

// The limits the bot enforces, kept in the store so that they hold across
// every process serving the bot: a user's cooldown, the questions a server
// has being answered at once, and a server's daily model tokens. Times
// are kept in milliseconds; every operation is one statement or one short
// transaction, atomic on SQLite and PostgreSQL alike.

// TakeCooldown starts a cooldown for userID in scope (a server, or "" for
// one across servers) that ends at until, unless one is running: ok
// reports whether it was taken, and when it was not, ends is when the
// running one ends. Of several processes taking one at once, exactly one
// gets ok.
func (db *DB) TakeCooldown(ctx context.Context, scope, userID string, until time.Time) (ok bool, ends time.Time, err error) {
	now := db.Now()
	var got int64
	err = db.db.QueryRowContext(ctx, `INSERT INTO limit_cooldowns(scope, user_id, until) VALUES (?, ?, ?)
		ON CONFLICT(scope, user_id) DO UPDATE SET until = excluded.until WHERE limit_cooldowns.until <= ?
		RETURNING until`, scope, userID, until.UnixMilli(), now.UnixMilli()).Scan(&got)
	if err == nil {
		return true, until, nil
	}
	if !isNoRows(err) {
		return false, time.Time{}, fmt.Errorf("take cooldown of %s: %w", userID, err)
	}
	if err := db.db.QueryRowContext(ctx, `SELECT until FROM limit_cooldowns WHERE scope = ? AND user_id = ?`, scope, userID).Scan(&got); err != nil {
		return false, time.Time{}, fmt.Errorf("read cooldown of %s: %w", userID, err)
	}
	return false, time.UnixMilli(got).UTC(), nil
}

// Slot is a place taken among a scope's concurrent questions; give it
// back with ReleaseSlot. It expires on its own at Expires (unless renewed
// with RenewSlot), so that the slots of a process that died are freed.
type Slot struct {
	ID      int64
	Scope   string
	Expires time.Time
}

// AcquireSlot takes one of the limit places of scope (a server) for ttl,
// unless all are held: ok reports whether it did, and held is how many
// live slots the scope had before. Processes acquiring at once never
// take more than limit between them.
func (db *DB) AcquireSlot(ctx context.Context, scope, holder string, limit int, ttl time.Duration) (slot Slot, held int, ok bool, err error) {
	fail := func(err error) (Slot, int, bool, error) {
		return Slot{}, 0, false, fmt.Errorf("acquire a slot of %s: %w", scope, err)
	}
	now := db.Now()
	tx, err := db.beginLocked(ctx, "slots:"+scope)
	if err != nil {
		return fail(err)
	}
	defer db.endLocked(tx)
	if _, err := tx.ExecContext(ctx, `DELETE FROM limit_slots WHERE scope = ? AND expires_at <= ?`, scope, now.UnixMilli()); err != nil {
		return fail(err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM limit_slots WHERE scope = ?`, scope).Scan(&held); err != nil {
		return fail(err)
	}
	if limit > 0 && held >= limit {
		return Slot{}, held, false, nil
	}
	slot = Slot{Scope: scope, Expires: now.Add(ttl)}
	if err := tx.QueryRowContext(ctx, `INSERT INTO limit_slots(scope, holder, expires_at) VALUES (?, ?, ?) RETURNING id`,
		scope, holder, slot.Expires.UnixMilli()).Scan(&slot.ID); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return slot, held, true, nil
}

// RenewSlot extends a held slot to expire at until: ok is false when it
// expired (or was released) before, so that the place may be someone
// else's now.
func (db *DB) RenewSlot(ctx context.Context, slot Slot, until time.Time) (ok bool, err error) {
	res, err := db.db.ExecContext(ctx, `UPDATE limit_slots SET expires_at = ? WHERE id = ? AND expires_at > ?`,
		until.UnixMilli(), slot.ID, db.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("renew slot %d: %w", slot.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("renew slot %d: %w", slot.ID, err)
	}
	return n == 1, nil
}

// ReleaseSlot gives a slot back; releasing one that expired or was
// released does nothing.
func (db *DB) ReleaseSlot(ctx context.Context, slot Slot) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM limit_slots WHERE id = ?`, slot.ID); err != nil {
		return fmt.Errorf("release slot %d: %w", slot.ID, err)
	}
	return nil
}

// SpendTokens adds tokens to what scope (a server) spent on the UTC day of
// at, and returns the day's total.
func (db *DB) SpendTokens(ctx context.Context, scope string, tokens int, at time.Time) (int, error) {
	var total int
	err := db.db.QueryRowContext(ctx, `INSERT INTO limit_tokens(scope, day, tokens) VALUES (?, ?, ?)
		ON CONFLICT(scope, day) DO UPDATE SET tokens = limit_tokens.tokens + excluded.tokens RETURNING tokens`,
		scope, utcDate(at), max(tokens, 0)).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("spend tokens of %s: %w", scope, err)
	}
	return total, nil
}

// TokensSpent returns what scope spent on the UTC day of at.
func (db *DB) TokensSpent(ctx context.Context, scope string, at time.Time) (int, error) {
	var total int
	err := db.db.QueryRowContext(ctx, `SELECT tokens FROM limit_tokens WHERE scope = ? AND day = ?`, scope, utcDate(at)).Scan(&total)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read tokens of %s: %w", scope, err)
	}
	return total, nil
}

// SweepLimits forgets cooldowns that ended and slots that expired before
// now, and token counts of days before yesterday.
func (db *DB) SweepLimits(ctx context.Context, now time.Time) error {
	for _, q := range []struct {
		sql string
		arg any
	}{
		{`DELETE FROM limit_cooldowns WHERE until <= ?`, now.UnixMilli()},
		{`DELETE FROM limit_slots WHERE expires_at <= ?`, now.UnixMilli()},
		{`DELETE FROM limit_tokens WHERE day < ?`, utcDate(now.AddDate(0, 0, -1))},
	} {
		if _, err := db.db.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("sweep limits: %w", err)
		}
	}
	return nil
}

func utcDate(t time.Time) string { return t.UTC().Format("2006-01-02") }
