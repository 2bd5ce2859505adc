package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Digest post states, as digest_posts records them.
const (
	// digestClaimed: claimed by an instance, being posted, under a lease
	// the instance renews; once the lease ends (the instance died), another
	// takes the claim over (see DigestScheduler).
	digestClaimed = "claimed"
	// digestPosted: posted and confirmed.
	digestPosted = "posted"
	// digestEmpty: nothing new in the period; nothing was posted.
	digestEmpty = "empty"
	// digestRetry: the poster said nothing reached the channel; it may be
	// claimed again while within the catch-up window.
	digestRetry = "retry"
	// digestFailed: posting failed, possibly after part of the digest was
	// sent; never tried again.
	digestFailed = "failed"
	// digestUnconfirmed: a claim left by a version without leases (see
	// migration 0012); it may or may not have been posted and is not tried
	// again.
	digestUnconfirmed = "unconfirmed"
)

// DefaultDigestLease is how long a digest claim holds without renewal: a
// process that dies while posting delays the digest by at most this.
const DefaultDigestLease = 2 * time.Minute

// ErrDigestNotSent is what a DigestScheduler.Post hook wraps into its error
// when it knows that nothing reached the channel (say, Discord was down
// before the first message), so the digest may be tried again. Any other
// error counts as a possibly partial post and is never retried.
var ErrDigestNotSent = errors.New("digest not sent")

// DigestSchedule posts a digest to a channel every day at a local time.
type DigestSchedule struct {
	ID        int64     `json:"id"`
	GuildID   string    `json:"guild_id"`
	ChannelID string    `json:"channel_id"`
	Time      string    `json:"time"`     // HH:MM, 24-hour clock
	TimeZone  string    `json:"timezone"` // IANA name, e.g. Europe/Berlin
	Enabled   bool      `json:"enabled"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the schedule was last set; occurrences before it
	// are never posted, so setting a time that has just passed today does
	// not post at once.
	UpdatedAt time.Time `json:"updated_at"`
}

// parseClock reads a time of day, "8:00", "08:00" or "20:30", and returns
// it as HH:MM with its hour and minute.
func parseClock(s string) (string, int, int, error) {
	s = strings.TrimSpace(s)
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || len(ms) != 2 || len(hs) > 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return "", 0, 0, Errorf(EINVALID, "%q is not a time of day: use HH:MM on a 24-hour clock, e.g. 08:00.", truncateRunes(s, 20))
	}
	return fmt.Sprintf("%02d:%02d", h, m), h, m, nil
}

// loadTimeZone returns the IANA time zone name, or an EINVALID error
// naming it.
func loadTimeZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") {
		return nil, Errorf(EINVALID, "Please give a time zone such as Europe/Berlin or America/New_York.")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, WrapError(EINVALID, fmt.Sprintf("%q is not a time zone Herald knows: use an IANA name such as Europe/Berlin.", truncateRunes(name, 60)), err)
	}
	return loc, nil
}

// occurrence returns the moment of the schedule on the local date of day
// (in the schedule's time zone). On a day when clocks go forward past the
// time, or go back over it, the schedule still falls once that day, at
// the moment time.Date picks (in practice, the later offset).
func (s *DigestSchedule) occurrence(day time.Time) (time.Time, error) {
	loc, err := loadTimeZone(s.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	_, h, m, err := parseClock(s.Time)
	if err != nil {
		return time.Time{}, err
	}
	d := day.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), nil
}

// NextOccurrence returns the schedule's first moment strictly after t.
func (s *DigestSchedule) NextOccurrence(t time.Time) (time.Time, error) {
	at, err := s.occurrence(t)
	if err != nil {
		return time.Time{}, err
	}
	for i := 0; !at.After(t) && i < 3; i++ {
		loc := at.Location()
		d := at.In(loc)
		// The next local date, at noon to stay clear of DST transitions.
		next := time.Date(d.Year(), d.Month(), d.Day()+1, 12, 0, 0, 0, loc)
		if at, err = s.occurrence(next); err != nil {
			return time.Time{}, err
		}
	}
	return at, nil
}

const scheduleColumns = `id, guild_id, channel_id, local_time, timezone, enabled, created_by, created_at, updated_at`

func scanSchedule(r rowScanner) (*DigestSchedule, error) {
	var s DigestSchedule
	var created, updated int64
	if err := r.Scan(&s.ID, &s.GuildID, &s.ChannelID, &s.Time, &s.TimeZone, &s.Enabled, &s.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	s.CreatedAt = time.Unix(created, 0).UTC()
	s.UpdatedAt = time.Unix(updated, 0).UTC()
	return &s, nil
}

// SetDigestSchedule creates or replaces the schedule of s.ChannelID: post
// the digest of s.GuildID's articles there every day at s.Time in
// s.TimeZone. It enables the schedule. A channel scheduled by another
// server is an ECONFLICT.
func (db *DB) SetDigestSchedule(ctx context.Context, s DigestSchedule) (*DigestSchedule, error) {
	hhmm, _, _, err := parseClock(s.Time)
	if err != nil {
		return nil, err
	}
	loc, err := loadTimeZone(s.TimeZone)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.ChannelID) == "" {
		return nil, Errorf(EINVALID, "Please name the channel to post the digest in.")
	}
	if s.GuildID == "*" {
		return nil, Errorf(EINVALID, "A digest schedule belongs to one server or to the operator.")
	}
	now := db.Now().Unix()
	var id int64
	err = db.db.QueryRowContext(ctx, `INSERT INTO digest_schedules(guild_id, channel_id, local_time, timezone, enabled, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT(channel_id) DO UPDATE SET local_time = excluded.local_time, timezone = excluded.timezone, enabled = 1, updated_at = excluded.updated_at
			WHERE digest_schedules.guild_id = excluded.guild_id
		RETURNING id`, s.GuildID, s.ChannelID, hhmm, loc.String(), s.CreatedBy, now, now).Scan(&id)
	if isNoRows(err) {
		return nil, Errorf(ECONFLICT, "That channel's digest is managed by another server.")
	}
	if err != nil {
		return nil, fmt.Errorf("set the digest schedule of channel %s: %w", s.ChannelID, err)
	}
	return scanScheduleRow(db.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM digest_schedules WHERE id = ?`, id))
}

func scanScheduleRow(r rowScanner) (*DigestSchedule, error) {
	s, err := scanSchedule(r)
	if isNoRows(err) {
		return nil, Errorf(ENOTFOUND, "There is no such digest schedule.")
	}
	if err != nil {
		return nil, fmt.Errorf("read digest schedule: %w", err)
	}
	return s, nil
}

// DisableDigestSchedules turns off the digest of channelID in guildID, or
// every digest of guildID when channelID is empty, and returns how many
// schedules it turned off. None is an ENOTFOUND.
func (db *DB) DisableDigestSchedules(ctx context.Context, guildID, channelID string) (int, error) {
	q := `UPDATE digest_schedules SET enabled = 0, updated_at = ? WHERE guild_id = ? AND enabled = 1`
	args := []any{db.Now().Unix(), guildID}
	if channelID != "" {
		q += ` AND channel_id = ?`
		args = append(args, channelID)
	}
	res, err := db.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("disable digest schedules of guild %q: %w", guildID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("disable digest schedules of guild %q: %w", guildID, err)
	}
	if n == 0 {
		return 0, Errorf(ENOTFOUND, "No daily digest is scheduled there.")
	}
	return int(n), nil
}

// DigestSchedules lists the schedules of guildID ("*" for every server's),
// enabled or not.
func (db *DB) DigestSchedules(ctx context.Context, guildID string) ([]DigestSchedule, error) {
	q := `SELECT ` + scheduleColumns + ` FROM digest_schedules`
	var args []any
	if guildID != "*" {
		q += ` WHERE guild_id = ?`
		args = append(args, guildID)
	}
	out, err := queryAll(ctx, db.db, deref(scanSchedule), q+` ORDER BY guild_id, channel_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list digest schedules of guild %q: %w", guildID, err)
	}
	return out, nil
}

// digestPost is the record of one day's digest in one channel.
type digestPost struct {
	ID          int64
	ScheduleID  int64
	ChannelID   string
	LocalDate   string // YYYY-MM-DD in the schedule's time zone
	State       string // digestClaimed, digestPosted, ...
	Attempts    int
	Owner       string
	PeriodStart time.Time
	PeriodEnd   time.Time
	Stories     int
	Error       string
	ClaimedAt   time.Time
	PostedAt    time.Time
}

const postColumns = `id, coalesce(schedule_id, 0), channel_id, local_date, state, attempts, owner, period_start, period_end, stories, error, claimed_at, posted_at`

func scanPost(r rowScanner) (*digestPost, error) {
	var p digestPost
	var ps, pe, posted sql.NullInt64
	var claimed int64
	if err := r.Scan(&p.ID, &p.ScheduleID, &p.ChannelID, &p.LocalDate, &p.State, &p.Attempts, &p.Owner, &ps, &pe, &p.Stories, &p.Error, &claimed, &posted); err != nil {
		return nil, err
	}
	p.PeriodStart, p.PeriodEnd, p.PostedAt = timeFromNull(ps), timeFromNull(pe), timeFromNull(posted)
	p.ClaimedAt = time.Unix(claimed, 0).UTC()
	return &p, nil
}

// claimDigestPost records, before anything is posted, that owner is
// posting the digest of p.ChannelID for p.LocalDate, under a lease that
// ends at leaseUntil. Exactly one caller at a time gets ok for a channel
// and date, across restarts and instances sharing the database (the row's
// unique key decides, in one statement): a row is claimed again only when
// it is in state digestRetry, or claimed by an instance whose lease ended
// before now (it died), at most maxAttempts times in all. The returned
// post carries its id and attempt for finishDigestPost.
func (db *DB) claimDigestPost(ctx context.Context, p digestPost, maxAttempts int, now, leaseUntil time.Time) (*digestPost, bool, error) {
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO digest_posts(schedule_id, channel_id, local_date, state, owner, period_start, period_end, claimed_at, lease_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(channel_id, local_date) DO UPDATE SET state = excluded.state, owner = excluded.owner, attempts = digest_posts.attempts + 1,
			period_start = excluded.period_start, period_end = excluded.period_end, claimed_at = excluded.claimed_at,
			lease_until = excluded.lease_until, error = ''
			WHERE (digest_posts.state = ? OR (digest_posts.state = ? AND digest_posts.lease_until <= ?)) AND digest_posts.attempts < ?
		RETURNING id`, nullID(p.ScheduleID), p.ChannelID, p.LocalDate, digestClaimed, p.Owner, unixOrNull(p.PeriodStart), unixOrNull(p.PeriodEnd), p.ClaimedAt.Unix(),
		leaseUntil.Unix(), digestRetry, digestClaimed, now.Unix(), maxAttempts).Scan(&id)
	if isNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim the digest of channel %s for %s: %w", p.ChannelID, p.LocalDate, err)
	}
	got, err := scanPost(db.db.QueryRowContext(ctx, `SELECT `+postColumns+` FROM digest_posts WHERE id = ?`, id))
	if err != nil {
		return nil, false, fmt.Errorf("claim the digest of channel %s for %s: read the claim: %w", p.ChannelID, p.LocalDate, err)
	}
	return got, true, nil
}

// renewDigestClaim moves the lease of a claim this instance holds to
// until; it reports false when the claim is no longer this attempt's (its
// lease ended and another instance took it over).
func (db *DB) renewDigestClaim(ctx context.Context, claim *digestPost, until time.Time) (bool, error) {
	res, err := db.db.ExecContext(ctx, `UPDATE digest_posts SET lease_until = ? WHERE id = ? AND owner = ? AND attempts = ? AND state = ?`,
		until.Unix(), claim.ID, claim.Owner, claim.Attempts, digestClaimed)
	if err != nil {
		return false, fmt.Errorf("renew digest claim %d: %w", claim.ID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// finishDigestPost records how a claimed post ended: digestPosted,
// digestEmpty, digestRetry or digestFailed, with the number of stories and
// the reason of a failure. An attempt that was taken over (its lease ended
// while it worked) records nothing: the attempt that took it over does.
func (db *DB) finishDigestPost(ctx context.Context, claim *digestPost, state string, stories int, reason string, at time.Time) error {
	var posted any
	if state == digestPosted {
		posted = at.Unix()
	}
	_, err := db.db.ExecContext(ctx, `UPDATE digest_posts SET state = ?, stories = ?, error = ?, posted_at = ?, lease_until = 0
		WHERE id = ? AND owner = ? AND attempts = ?`, state, stories, reason, posted, claim.ID, claim.Owner, claim.Attempts)
	if err != nil {
		return fmt.Errorf("record digest post %d as %s: %w", claim.ID, state, err)
	}
	return nil
}

// digestPosts returns the records of a channel's digests, newest first.
func (db *DB) digestPosts(ctx context.Context, channelID string, limit int) ([]digestPost, error) {
	if limit <= 0 {
		limit = 30
	}
	out, err := queryAll(ctx, db.db, deref(scanPost),
		`SELECT `+postColumns+` FROM digest_posts WHERE channel_id = ? ORDER BY local_date DESC, id DESC LIMIT ?`, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("list digest posts of channel %s: %w", channelID, err)
	}
	return out, nil
}

// lastDigestEnd returns the end of the period of the channel's last digest
// that was posted or found empty, or the zero time.
func (db *DB) lastDigestEnd(ctx context.Context, channelID string) (time.Time, error) {
	var end sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT max(period_end) FROM digest_posts WHERE channel_id = ? AND state IN (?, ?, ?, ?)`,
		channelID, digestPosted, digestEmpty, digestUnconfirmed, digestFailed).Scan(&end)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the last digest of channel %s: %w", channelID, err)
	}
	return timeFromNull(end), nil
}

// DigestScheduler posts each scheduled digest once a day at its local
// time.
//
// Exactly once: before posting, the scheduler claims the channel's day by
// inserting a row whose (channel, local date) key is unique, under a lease
// (Lease) that it renews while it builds and posts, and it records the
// outcome on that row after posting. A second instance, or this one after
// a restart, finds the row and does not post, unless the lease ended: the
// instance that claimed it died, and the one that finds it takes the
// claim over and posts, so that nothing is lost. Every attempt carries the
// same Digest.PostKey, which the poster hands to Discord as the messages'
// nonce, so that an instance that died after sending leaves no second
// copy. A Post error that wraps ErrDigestNotSent releases the day for
// another attempt (at most MaxAttempts); any other error is final.
//
// Catching up: an occurrence missed while Herald was down is posted once
// when it comes back within CatchUp of it, not later.
type DigestScheduler struct {
	DB       *DB
	Digester *Digester
	// Post sends a digest to a channel; the Discord adapter supplies it.
	Post func(ctx context.Context, channelID string, d *Digest) error
	// Now is the clock (default time.Now); After waits in Run (default
	// time.After).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// CatchUp is how late a missed digest may still be posted (default
	// 6h).
	CatchUp time.Duration
	// MaxPeriod bounds the period a digest covers when the channel's last
	// digest is long ago (default 7 days); a channel's first digest
	// covers 24 hours.
	MaxPeriod time.Duration
	// MaxAttempts bounds the attempts for one day after ErrDigestNotSent
	// (default 3).
	MaxAttempts int
	// Tick is the longest Run sleeps, so new schedules are noticed
	// (default 1m).
	Tick time.Duration
	// Owner names this instance in the records (default host:pid).
	Owner string
	// Lease is how long a claim holds without renewal (default
	// DefaultDigestLease); the scheduler renews it every third of it.
	Lease  time.Duration
	Logger *slog.Logger
}

func (s *DigestScheduler) now() time.Time { return NowOr(s.Now) }

func (s *DigestScheduler) logger() *slog.Logger { return loggerOr(s.Logger) }

func (s *DigestScheduler) catchUp() time.Duration {
	if s.CatchUp > 0 {
		return s.CatchUp
	}
	return 6 * time.Hour
}

func (s *DigestScheduler) owner() string {
	if s.Owner != "" {
		return s.Owner
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// digestRun is one digest the scheduler handled.
type digestRun struct {
	Schedule  DigestSchedule
	LocalDate string
	At        time.Time // the scheduled moment
	State     string    // the state recorded
	Stories   int
	Err       error
}

// runDue posts every digest due now: for each enabled schedule, today's
// and yesterday's occurrences (in its time zone) that have passed, are
// not older than CatchUp, and were not claimed before. It returns what it
// did; one channel's failure never stops the others.
func (s *DigestScheduler) runDue(ctx context.Context) ([]digestRun, error) {
	now := s.now()
	scheds, err := s.DB.DigestSchedules(ctx, "*")
	if err != nil {
		return nil, err
	}
	var runs []digestRun
	for _, sc := range scheds {
		if !sc.Enabled {
			continue
		}
		loc, err := loadTimeZone(sc.TimeZone)
		if err != nil {
			s.logger().Error("bad digest schedule", "channel", sc.ChannelID, "err", err)
			continue
		}
		// Yesterday's and today's local dates, at noon to stay clear of
		// DST transitions.
		l := now.In(loc)
		for _, day := range []time.Time{
			time.Date(l.Year(), l.Month(), l.Day()-1, 12, 0, 0, 0, loc),
			time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, loc),
		} {
			at, err := sc.occurrence(day)
			if err != nil {
				s.logger().Error("bad digest schedule", "channel", sc.ChannelID, "err", err)
				break
			}
			if at.After(now) || at.Before(sc.UpdatedAt) || now.Sub(at) > s.catchUp() {
				continue
			}
			run, ok := s.post(ctx, sc, loc, at, now)
			if ok {
				runs = append(runs, run)
			}
			if ctx.Err() != nil {
				return runs, ctx.Err()
			}
		}
	}
	return runs, nil
}

// post claims and posts one occurrence; ok is false when the day was
// already claimed.
func (s *DigestScheduler) post(ctx context.Context, sc DigestSchedule, loc *time.Location, at, now time.Time) (digestRun, bool) {
	run := digestRun{Schedule: sc, LocalDate: at.In(loc).Format("2006-01-02"), At: at}
	log := s.logger().With("guild", sc.GuildID, "channel", sc.ChannelID, "date", run.LocalDate)
	maxPeriod := s.MaxPeriod
	if maxPeriod <= 0 {
		maxPeriod = 7 * 24 * time.Hour
	}
	since := now.Add(-24 * time.Hour)
	last, err := s.DB.lastDigestEnd(ctx, sc.ChannelID)
	if err != nil {
		// Without it the period is unknown; nothing is claimed, so the
		// next run tries again.
		log.Error("cannot read the channel's last digest", "err", err)
		run.Err = err
		return run, true
	}
	if !last.IsZero() && last.Before(now) {
		since = last
		if now.Sub(since) > maxPeriod {
			since = now.Add(-maxPeriod)
		}
	}
	maxAttempts := s.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 3
	}
	lease := s.Lease
	if lease <= 0 {
		lease = DefaultDigestLease
	}
	claim, ok, err := s.DB.claimDigestPost(ctx, digestPost{ScheduleID: sc.ID, ChannelID: sc.ChannelID, LocalDate: run.LocalDate,
		Owner: s.owner(), PeriodStart: since, PeriodEnd: now, ClaimedAt: now}, maxAttempts, now, now.Add(lease))
	if err != nil {
		log.Error("cannot claim the digest", "err", err)
		run.Err = err
		return run, true
	}
	if !ok {
		return run, false
	}
	if claim.Attempts > 1 {
		log.Info("posting the digest again", "attempt", claim.Attempts)
	}
	stopRenewing := s.renew(ctx, claim, lease, log)
	defer stopRenewing()
	finish := func(state string, stories int, reason string) {
		stopRenewing()
		run.State, run.Stories = state, stories
		if err := s.DB.finishDigestPost(context.WithoutCancel(ctx), claim, state, stories, reason, s.now()); err != nil {
			log.Error("cannot record the digest", "state", state, "err", err)
		}
	}
	d, err := s.Digester.Build(ctx, DigestRequest{GuildID: sc.GuildID, Since: since, Until: now})
	if err != nil {
		// Nothing was sent: the day may be tried again.
		run.Err = err
		log.Error("cannot make the digest", "err", err)
		finish(digestRetry, 0, ErrorMessage(err))
		return run, true
	}
	if len(d.Stories) == 0 {
		log.Info("no new stories for the digest; nothing posted")
		finish(digestEmpty, 0, "")
		return run, true
	}
	if s.Post == nil {
		run.Err = errors.New("digest scheduler has no Post hook")
		finish(digestRetry, len(d.Stories), ErrorMessage(run.Err))
		return run, true
	}
	d.PostKey = fmt.Sprintf("digest-%d", claim.ID)
	if err := s.Post(ctx, sc.ChannelID, d); err != nil {
		run.Err = err
		if errors.Is(err, ErrDigestNotSent) {
			log.Warn("digest not sent; it may be tried again", "err", err)
			finish(digestRetry, len(d.Stories), ErrorMessage(err))
		} else {
			log.Error("posting the digest failed; it is not tried again", "err", err)
			finish(digestFailed, len(d.Stories), ErrorMessage(err))
		}
		return run, true
	}
	log.Info("digest posted", "stories", len(d.Stories))
	finish(digestPosted, len(d.Stories), "")
	return run, true
}

// renew keeps a claim's lease from ending while the digest is built and
// posted, renewing it every third of the lease (in wall time: the work is
// real), until the returned function is called; that function waits for
// the renewing goroutine and may be called more than once.
func (s *DigestScheduler) renew(ctx context.Context, claim *digestPost, lease time.Duration, log *slog.Logger) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(max(lease/3, time.Second))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				ok, err := s.DB.renewDigestClaim(ctx, claim, s.now().Add(lease))
				if err != nil {
					log.Warn("cannot renew the digest's claim", "err", err)
				} else if !ok {
					log.Warn("the digest's claim was taken over by another instance")
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(stop); wg.Wait() })
	}
}

// next returns when the next digest is due: the earliest upcoming
// occurrence of any enabled schedule, or the zero time when none is
// enabled.
func (s *DigestScheduler) next(ctx context.Context) (time.Time, error) {
	scheds, err := s.DB.DigestSchedules(ctx, "*")
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	var next time.Time
	for _, sc := range scheds {
		if !sc.Enabled {
			continue
		}
		at, err := sc.NextOccurrence(now)
		if err != nil {
			continue // a bad schedule: runDue logs it
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, nil
}

// Run posts digests as they fall due until ctx is cancelled; it sleeps
// until the next occurrence (at most Tick, so new schedules are noticed).
// It returns nil once ctx is done.
func (s *DigestScheduler) Run(ctx context.Context) error {
	after := s.After
	if after == nil {
		after = time.After
	}
	tick := s.Tick
	if tick <= 0 {
		tick = time.Minute
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		if _, err := s.runDue(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("cannot run the digest schedules", "err", err)
		}
		wait := tick
		next, err := s.next(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger().Warn("cannot read the digest schedules; trying again shortly", "err", err)
		case err == nil && !next.IsZero():
			wait = min(max(next.Sub(s.now()), time.Second), tick)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
	}
}
