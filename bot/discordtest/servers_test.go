package discordtest_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/herald-bot/herald/bot/discordtest"
)

func TestJoinGuildAndOverwritesReachTheState(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)
	const guild, channel = "1302402938060931073", "1302402938060931074"
	fd.JoinGuild(&discordgo.Guild{ID: guild, Name: "New", OwnerID: fd.UserID(), SystemChannelID: channel,
		Channels: []*discordgo.Channel{{ID: channel, Name: "general", Type: discordgo.ChannelTypeGuildText}}})
	fd.WaitUntil(t, func() bool { _, err := s.State.Channel(channel); return err == nil }, wait)
	g, _ := s.State.Guild(guild)
	s.State.RLock()
	joined, system := g.JoinedAt, g.SystemChannelID
	s.State.RUnlock()
	if time.Since(joined) > time.Minute || system != channel {
		t.Errorf("joined %v, system channel %q", joined, system)
	}
	if _, err := s.State.Member(guild, fd.BotUserID()); err != nil {
		t.Errorf("the bot is not a member of the new guild: %v", err)
	}
	fd.SetPermissionOverwrites(channel, fd.DenyBot(discordgo.PermissionSendMessages))
	// The state updates channels in place: read them under its lock.
	fd.WaitUntil(t, func() bool {
		ch, err := s.State.Channel(channel)
		if err != nil {
			return false
		}
		s.State.RLock()
		defer s.State.RUnlock()
		ow := ch.PermissionOverwrites
		return len(ow) == 1 && ow[0].ID == fd.BotUserID() && ow[0].Deny == discordgo.PermissionSendMessages
	}, wait)
	// Announced again, as on every connect.
	seen := make(chan string, 4)
	s.AddHandler(func(_ *discordgo.Session, gc *discordgo.GuildCreate) { seen <- gc.ID })
	fd.AnnounceGuild(guild)
	select {
	case id := <-seen:
		if id != guild {
			t.Errorf("GUILD_CREATE for %s", id)
		}
	case <-time.After(wait):
		t.Fatal("no GUILD_CREATE")
	}
}

func TestRefuseIdentifyClosesWithTheCode(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	fd.RefuseIdentify(discordtest.CloseShardingRequired, "Sharding required.")
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	err := s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4011 || ce.Text != "Sharding required." {
		t.Fatalf("Open = %v", err)
	}
}

func TestPresencesAreRecorded(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)
	if err := s.UpdateListeningStatus("/ask"); err != nil {
		t.Fatal(err)
	}
	fd.WaitUntil(t, func() bool { return len(fd.Presences()) == 1 }, wait)
	var p struct {
		Activities []struct {
			Name string `json:"name"`
			Type int    `json:"type"`
		} `json:"activities"`
	}
	if err := json.Unmarshal(fd.Presences()[0], &p); err != nil || len(p.Activities) != 1 || p.Activities[0].Name != "/ask" || p.Activities[0].Type != 2 {
		t.Errorf("presence = %s, %v", fd.Presences()[0], err)
	}
}
