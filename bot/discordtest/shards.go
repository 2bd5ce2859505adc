package discordtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Sharding: a bot in many servers connects several gateway sessions, each
// IDENTIFYing with [shard_id, num_shards]; Discord sends each server's
// events to the shard (guild_id >> 22) % num_shards, and direct messages
// to shard 0. The fake does the same: READY and GUILD_CREATE of a shard
// name only its servers, and Dispatch, SendMessage, SendInteraction and the
// echoes of the bot's own messages go to the session that owns the server.
// A test may also require sharding (SetShardLimit): an IDENTIFY whose
// shard would hold more servers than the limit is closed with 4011, as
// Discord closes an unsharded bot in 2,500 servers or more.

// CloseInvalidShard is close code 4010, sent for an IDENTIFY whose shard
// is not within [0, num_shards).
const CloseInvalidShard = 4010

// ShardOf returns the shard that receives the events of a server among
// shards: (guild_id >> 22) % shards, as Discord computes it. Direct
// messages (guildID "") and IDs that are not snowflakes belong to shard 0.
func ShardOf(guildID string, shards int) int {
	if shards <= 1 || guildID == "" {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(shards))
}

// SetShardLimit makes the gateway require sharding: an IDENTIFY whose
// shard would hold more than max servers is closed with 4011 ("Sharding
// required."), and GET /gateway/bot recommends enough shards for max
// servers each (unless SetRecommendedShards says otherwise). Zero, the
// default, sets no limit.
func (f *Fake) SetShardLimit(max int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shardLimit = max
}

// SetRecommendedShards sets the shard count GET /gateway/bot recommends
// (by default 1, or what SetShardLimit requires).
func (f *Fake) SetRecommendedShards(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recommendedShards = n
}

// SetMaxConcurrency sets the session_start_limit.max_concurrency of GET
// /gateway/bot: how many shards may IDENTIFY in the same 5 seconds
// (default 1, as for most bots). The fake does not enforce it.
func (f *Fake) SetMaxConcurrency(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.maxConcurrency = n
}

// recommendedShardsLocked is the shard count /gateway/bot answers; f.mu
// must be held.
func (f *Fake) recommendedShardsLocked() int {
	if f.recommendedShards > 0 {
		return f.recommendedShards
	}
	if f.shardLimit > 0 && len(f.guildOrder) > f.shardLimit {
		return (len(f.guildOrder) + f.shardLimit - 1) / f.shardLimit
	}
	return 1
}

// gatewayBotLocked is the body of GET /gateway/bot; f.mu must be held.
func (f *Fake) gatewayBotLocked() map[string]any {
	return map[string]any{"url": f.wsURL, "shards": f.recommendedShardsLocked(), "session_start_limit": map[string]any{
		"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": max(f.maxConcurrency, 1)}}
}

// shardGuildsLocked counts the servers of a shard; f.mu must be held.
func (f *Fake) shardGuildsLocked(shard, shards int) int {
	n := 0
	for _, id := range f.guildOrder {
		if ShardOf(id, shards) == shard {
			n++
		}
	}
	return n
}

// ShardConnected reports whether a session of the shard is connected and
// ready (an unsharded session is shard 0).
func (f *Fake) ShardConnected(shard int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		if c.ready && c.session != nil && c.session.shard == shard {
			return true
		}
	}
	return false
}

// WaitShards waits until each of shards 0 to shards-1 has a ready session
// that has heartbeated, and fails the test on timeout.
func (f *Fake) WaitShards(t testing.TB, shards int, timeout time.Duration) {
	t.Helper()
	ok := f.waitLocked(timeout, func() bool {
		for i := 0; i < shards; i++ {
			if !f.shardReadyLocked(i) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("discordtest: %d shards not all connected within %v", shards, timeout)
	}
}

// WaitShardGone waits until no session of the shard is connected (for
// instance after the process running it was killed), and fails the test on
// timeout.
func (f *Fake) WaitShardGone(t testing.TB, shard int, timeout time.Duration) {
	t.Helper()
	ok := f.waitLocked(timeout, func() bool {
		for c := range f.conns {
			if c.ready && c.session != nil && c.session.shard == shard {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("discordtest: shard %d still connected after %v", shard, timeout)
	}
}

// HoldShard keeps a shard off the gateway until ReleaseShard: its IDENTIFY
// and RESUME are closed with 4000 (Unknown error), after which discordgo
// tries again later (after 1, 2, 4… seconds). With DropShard it makes a
// shard stay down long enough to be seen down.
func (f *Fake) HoldShard(shard int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heldShards[shard] = true
}

// ReleaseShard lets a held shard connect again.
func (f *Fake) ReleaseShard(shard int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.heldShards, shard)
}

// shardOfSession returns the shard a session identifies as: Identify.Shard
// when set, else ShardID when ShardCount > 1 (as discordgo sends it), else 0.
func shardOfSession(s *discordgo.Session) (shard, shards int) {
	if s.Identify.Shard != nil {
		return s.Identify.Shard[0], s.Identify.Shard[1]
	}
	if s.ShardCount > 1 {
		return s.ShardID, s.ShardCount
	}
	return 0, 1
}

// URL returns the fake's base URL, http://127.0.0.1:port. A bot in another
// process reaches the fake by sending its REST requests there (whatever
// host discordgo addresses, keeping path and query, as HTTPClient does);
// GET /gateway then names the fake's websocket URL.
func (f *Fake) URL() string { return "http://" + f.addr }
