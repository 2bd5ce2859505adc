package discordtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/herald-bot/herald/bot/discordtest"
)

// A second server whose events go to shard 1 of 2 (the default one is on
// shard 0).
const (
	shard1Guild   = "1202402938065125377"
	shard1Channel = "1202402938065125378"
)

func addShard1Guild(fd *discordtest.Fake) {
	fd.AddGuild(&discordgo.Guild{ID: shard1Guild, Name: "Second", OwnerID: fd.UserID(),
		Channels: []*discordgo.Channel{{ID: shard1Channel, Name: "news", Type: discordgo.ChannelTypeGuildText}},
		Members:  []*discordgo.Member{{User: fd.User()}}})
}

func openShard(t *testing.T, fd *discordtest.Fake, shard, shards int) *discordgo.Session {
	t.Helper()
	return openSession(t, fd, func(s *discordgo.Session) { s.ShardID, s.ShardCount = shard, shards })
}

func TestShardOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		guild  string
		shards int
		want   int
	}{
		{discordtest.DefaultGuildID, 2, 0},
		{shard1Guild, 2, 1},
		{shard1Guild, 1, 0},
		{"", 4, 0},
		{"not-a-snowflake", 4, 0},
		{"41771983423143936", 3, 41771983423143936 >> 22 % 3},
	} {
		if got := discordtest.ShardOf(tc.guild, tc.shards); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.guild, tc.shards, got, tc.want)
		}
	}
}

// TestShardsReceiveTheirOwnServers connects two shards: each READY and
// GUILD_CREATE names only the shard's servers, each server's events reach
// its shard only, and direct messages go to shard 0.
func TestShardsReceiveTheirOwnServers(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	addShard1Guild(fd)
	s0 := openShard(t, fd, 0, 2)
	s1 := openShard(t, fd, 1, 2)
	fd.WaitShards(t, 2, wait)

	for _, tc := range []struct {
		s          *discordgo.Session
		has, lacks string
	}{{s0, fd.GuildID(), shard1Guild}, {s1, shard1Guild, fd.GuildID()}} {
		if _, err := tc.s.State.Guild(tc.has); err != nil {
			t.Errorf("shard %d lacks its server %s", tc.s.ShardID, tc.has)
		}
		if _, err := tc.s.State.Guild(tc.lacks); err == nil {
			t.Errorf("shard %d was told of server %s of the other shard", tc.s.ShardID, tc.lacks)
		}
	}
	var shards [][2]int
	for _, id := range fd.Identifies() {
		if id.Shard != nil {
			shards = append(shards, *id.Shard)
		}
	}
	if len(shards) != 2 || shards[0] != [2]int{0, 2} || shards[1] != [2]int{1, 2} {
		t.Errorf("identified shards %v", shards)
	}

	got := make(chan [2]string, 8)
	for _, s := range []*discordgo.Session{s0, s1} {
		s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
			got <- [2]string{string(rune('0' + s.ShardID)), m.ChannelID}
		})
	}
	dm := fd.AddChannel(&discordgo.Channel{Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{fd.User()}})
	for _, tc := range []struct{ channel, guild, shard string }{
		{fd.ChannelID(), fd.GuildID(), "0"},
		{shard1Channel, shard1Guild, "1"},
		{dm, "", "0"},
	} {
		m := fd.UserMessage(tc.channel, fd.User(), "hello")
		m.GuildID = tc.guild
		fd.SendMessage(m)
		select {
		case g := <-got:
			if g != [2]string{tc.shard, tc.channel} {
				t.Errorf("message in %s reached shard %s, want %s", tc.channel, g[0], tc.shard)
			}
		case <-time.After(wait):
			t.Fatalf("message in %s reached no shard", tc.channel)
		}
	}
	select {
	case g := <-got:
		t.Errorf("a message reached two shards: %v", g)
	default:
	}

	// One shard dropped: the other keeps receiving its events.
	fd.DropShard(1)
	if !fd.ShardConnected(0) {
		t.Error("shard 0 went down with shard 1")
	}
	fd.WaitShards(t, 2, 10*time.Second)
}

func TestGatewayBotRecommendsShardsAndUnshardedIsRefused(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	addShard1Guild(fd)
	fd.SetShardLimit(1)
	fd.SetMaxConcurrency(4)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	gb, err := s.GatewayBot()
	if err != nil {
		t.Fatal(err)
	}
	if gb.Shards != 2 || gb.SessionStartLimit.MaxConcurrency != 4 {
		t.Errorf("GET /gateway/bot = %+v", gb)
	}
	// Unsharded, the bot holds two servers, more than one shard may.
	err = s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != discordtest.CloseShardingRequired {
		t.Fatalf("unsharded Open = %v, want close code 4011", err)
	}
	// As two shards, it connects.
	openShard(t, fd, 0, 2)
	openShard(t, fd, 1, 2)
	fd.SetRecommendedShards(5)
	if gb, err := s.GatewayBot(); err != nil || gb.Shards != 5 {
		t.Errorf("GET /gateway/bot = %+v, %v", gb, err)
	}
}

func TestInvalidShardIsRefused(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	s.Identify.Shard = &[2]int{2, 2}
	err := s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != discordtest.CloseInvalidShard {
		t.Fatalf("Open = %v, want close code 4010", err)
	}
}
