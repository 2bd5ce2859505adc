package bot

import (
	"context"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// drafts paces the edits that show answers while they are written, so that
// under Discord's rate limits a final answer is never late because of
// drafts:
//
//   - the answers streaming in one channel share its pace: one draft edit
//     per interval for the whole channel, so each of n answers is edited
//     about every n intervals;
//   - a message's pending drafts coalesce: only its latest text is sent;
//   - no draft starts while a final edit of the channel is being sent, and a
//     final waits for at most the one draft already in flight;
//   - drafts leave enough of the bucket Discord's rate-limit headers
//     describe (see editBudget) for the final edit of every answer still
//     being written there.
type drafts struct {
	interval time.Duration
	budget   *editBudget
	logf     func(msg string, args ...any)

	mu       sync.Mutex
	channels map[string]*draftChannel
}

func newDrafts(interval time.Duration, s *discordgo.Session, logf func(string, ...any)) *drafts {
	d := &drafts{interval: interval, budget: &editBudget{}, logf: logf, channels: map[string]*draftChannel{}}
	watchBudget(s, d.budget)
	return d
}

// draftChannel is the drafting state of one channel; d.mu guards it.
type draftChannel struct {
	id      string
	streams map[*draftStream]struct{} // answers being written here
	queue   []*draftStream            // those with a draft to show, oldest first
	finals  int                       // final edits being sent
	sending bool                      // a draft edit is in flight
	next    time.Time                 // no draft starts before
	changed chan struct{}             // closed and replaced on every change
}

func (c *draftChannel) broadcast() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *draftChannel) dequeue(s *draftStream) {
	for i, q := range c.queue {
		if q == s {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			break
		}
	}
	s.queued = false
}

// activeIn counts the answers of the channel still to be finished whose
// edits go to bucket key.
func (c *draftChannel) activeIn(key string) int {
	n := 0
	for s := range c.streams {
		if s.key == key {
			n++
		}
	}
	return n
}

// draftTarget is where a stream's drafts go.
type draftTarget interface {
	// budgetKey names the rate-limit bucket of the draft's edits (see
	// editBudget), "" when none applies yet.
	budgetKey() string
	// preview shows the text written so far.
	preview(ctx context.Context, text string) error
}

// draftStream is one answer being written: the text to show next and the
// goroutine that shows it when the channel's turn comes.
type draftStream struct {
	d   *drafts
	ch  *draftChannel
	out draftTarget

	// Guarded by d.mu.
	text      string
	dirty     bool
	queued    bool
	stopped   bool
	key       string
	notBefore time.Time

	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	release func()
}

// open starts drafting an answer in channelID; call finish when the
// answer is written.
func (d *drafts) open(ctx context.Context, channelID string, out draftTarget) *draftStream {
	d.mu.Lock()
	ch := d.channels[channelID]
	if ch == nil {
		ch = &draftChannel{id: channelID, streams: map[*draftStream]struct{}{}, changed: make(chan struct{})}
		d.channels[channelID] = ch
	}
	s := &draftStream{d: d, ch: ch, out: out, key: out.budgetKey(), notBefore: time.Now().Add(d.interval),
		stop: make(chan struct{}), done: make(chan struct{})}
	ch.streams[s] = struct{}{}
	ch.broadcast()
	d.mu.Unlock()
	go s.run(ctx)
	return s
}

// delta sets the text to show next; it never waits for Discord.
func (s *draftStream) delta(text string) {
	d := s.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.stopped {
		return
	}
	s.text, s.dirty = text, true
	if !s.queued {
		s.ch.queue = append(s.ch.queue, s)
		s.queued = true
	}
	s.ch.broadcast()
}

// finish stops drafting, waits for a draft in flight (so that no draft can
// land after the final answer), and holds the channel's drafts while the
// final edit is sent; call the release it returns once it is. Calling
// finish again returns the same release.
func (s *draftStream) finish() (release func()) {
	s.once.Do(func() {
		d := s.d
		d.mu.Lock()
		s.stopped = true
		s.ch.dequeue(s)
		s.ch.finals++
		s.ch.broadcast()
		d.mu.Unlock()
		close(s.stop)
		<-s.done
		var once sync.Once
		s.release = func() {
			once.Do(func() {
				d.mu.Lock()
				defer d.mu.Unlock()
				ch := s.ch
				ch.finals--
				delete(ch.streams, s)
				if len(ch.streams) == 0 && ch.finals == 0 && d.channels[ch.id] == ch {
					delete(d.channels, ch.id)
				}
				ch.broadcast()
			})
		}
	})
	return s.release
}

func (s *draftStream) run(ctx context.Context) {
	defer close(s.done)
	for {
		text, ok := s.await()
		if !ok {
			return
		}
		err := s.out.preview(ctx, text)
		if err != nil && s.d.logf != nil {
			s.d.logf("cannot show the answer so far", "channel", s.ch.id, "err", err)
		}
		s.sent()
	}
}

// await waits for this stream's turn to show a draft and returns its
// latest text, or false once the stream is stopped.
func (s *draftStream) await() (string, bool) {
	d, ch := s.d, s.ch
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	d.mu.Lock()
	for {
		if s.stopped {
			d.mu.Unlock()
			return "", false
		}
		now := time.Now()
		wait := time.Duration(-1)
		if s.dirty && ch.finals == 0 && !ch.sending && ch.turn(now) == s {
			at, blocked := ch.next, false
			ok, reset := d.budget.allows(s.key, ch.activeIn(s.key), now)
			switch {
			case ok:
			case reset.After(now):
				at = maxTime(at, reset)
			default:
				// No room until an answer of the channel finishes.
				blocked = true
			}
			if blocked {
				wait = -1
			} else if !at.After(now) {
				text := s.text
				s.dirty = false
				ch.dequeue(s)
				ch.sending = true
				d.mu.Unlock()
				return text, true
			} else {
				wait = at.Sub(now)
			}
		} else if s.dirty && s.notBefore.After(now) {
			wait = s.notBefore.Sub(now)
		}
		changed := ch.changed
		d.mu.Unlock()
		var tick <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-changed:
		case <-tick:
		case <-s.stop:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		d.mu.Lock()
	}
}

// turn returns the stream whose draft goes next: the first in the queue
// whose own interval has passed.
func (c *draftChannel) turn(now time.Time) *draftStream {
	for _, q := range c.queue {
		if !q.notBefore.After(now) {
			return q
		}
	}
	return nil
}

// sent ends a draft edit: the channel's next draft waits an interval, and
// so does this stream's.
func (s *draftStream) sent() {
	d, ch := s.d, s.ch
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	ch.sending = false
	ch.next = now.Add(d.interval)
	s.notBefore = now.Add(d.interval)
	s.key = s.out.budgetKey()
	ch.broadcast()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
