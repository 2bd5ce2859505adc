package discordtest

import (
	"encoding/json"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Servers, channels, permissions and presence: what a bot sees of the
// servers it is in, and what it tells the gateway about itself.

// Gateway close codes a test may make IDENTIFY fail with (see
// RefuseIdentify), as documented by Discord.
const (
	// CloseShardingRequired: the bot is in too many servers for one
	// connection.
	CloseShardingRequired = 4011
	// CloseInvalidIntents: the intents value is not valid.
	CloseInvalidIntents = 4013
)

type closeCode struct {
	code   int
	reason string
}

// RefuseIdentify makes every later IDENTIFY fail: the gateway closes the
// connection with code and reason (for example 4004 "Authentication
// failed.", 4011 "Sharding required.", 4013 "Invalid intent(s)."), and the
// session may not resume.
func (f *Fake) RefuseIdentify(code int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuseIdentify = &closeCode{code: code, reason: reason}
}

// JoinGuild adds a server as AddGuild does and announces it on the
// connected session with GUILD_CREATE, as Discord does when the bot is
// added to a server while it runs. The bot's joined_at is now unless g
// sets it. It waits for a session to be connected, like Dispatch.
func (f *Fake) JoinGuild(g *discordgo.Guild) {
	f.t.Helper()
	gc := clone(g)
	if gc.JoinedAt.IsZero() {
		gc.JoinedAt = time.Now().UTC().Truncate(time.Second)
	}
	f.mu.Lock()
	f.addGuildLocked(gc)
	payload := f.guildCreateLocked(gc.ID)
	f.mu.Unlock()
	f.Dispatch("GUILD_CREATE", payload)
}

// AnnounceGuild sends GUILD_CREATE again for a server the bot is in, as
// Discord does for every server on each new gateway session.
func (f *Fake) AnnounceGuild(guildID string) {
	f.t.Helper()
	f.mu.Lock()
	if f.guilds[guildID] == nil {
		f.mu.Unlock()
		f.t.Errorf("discordtest: AnnounceGuild: unknown guild %s", guildID)
		return
	}
	payload := f.guildCreateLocked(guildID)
	f.mu.Unlock()
	f.Dispatch("GUILD_CREATE", payload)
}

// SetPermissionOverwrites replaces a channel's permission overwrites and
// announces the change with CHANNEL_UPDATE when a session is connected.
// Discord does not enforce them on the fake's REST API: tests check what
// the bot computes from them.
func (f *Fake) SetPermissionOverwrites(channelID string, overwrites ...*discordgo.PermissionOverwrite) {
	f.t.Helper()
	f.mu.Lock()
	ch := f.channels[channelID]
	if ch == nil {
		f.mu.Unlock()
		f.t.Errorf("discordtest: SetPermissionOverwrites: unknown channel %s", channelID)
		return
	}
	if overwrites == nil {
		overwrites = []*discordgo.PermissionOverwrite{}
	}
	ch.PermissionOverwrites = clone(overwrites)
	payload := clone(ch)
	f.broadcastLocked()
	f.mu.Unlock()
	f.dispatchIfConnected("CHANNEL_UPDATE", payload, payload.GuildID, discordgo.IntentGuilds)
}

// DenyBot returns an overwrite that denies the bot perms in a channel.
func (f *Fake) DenyBot(perms int64) *discordgo.PermissionOverwrite {
	return &discordgo.PermissionOverwrite{ID: f.bot.ID, Type: discordgo.PermissionOverwriteTypeMember, Deny: perms}
}

// Presences returns the presence updates (op 3) the gateway received, in
// order, each as its raw "d" payload.
func (f *Fake) Presences() []json.RawMessage {
	var out []json.RawMessage
	for _, fr := range f.Frames() {
		if fr.Op == 3 {
			out = append(out, fr.Data)
		}
	}
	return out
}
