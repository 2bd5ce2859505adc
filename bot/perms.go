package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// postPermissions is what Herald needs to post its embeds in a channel.
const postPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// channelPermissions computes a member's permissions in a channel from the
// state of the shard that knows it, as Discord does: the server owner and Administrator get
// everything; otherwise @everyone's and the member's roles, then the
// channel's overwrites for @everyone, for the member's roles and for the
// member. A thread has its parent's permissions. known is false when the
// state lacks the channel, its server or the member.
func (b *Bot) channelPermissions(userID, channelID string) (perms int64, known bool) {
	st := b.channelState(channelID)
	if st == nil || userID == "" {
		return 0, false
	}
	ch, err := st.Channel(channelID)
	if err != nil {
		return 0, false
	}
	st.RLock()
	isThread, parentID, guildID := ch.IsThread(), ch.ParentID, ch.GuildID
	st.RUnlock()
	if isThread {
		if ch, err = st.Channel(parentID); err != nil {
			return 0, false
		}
	}
	g, err := st.Guild(guildID)
	if err != nil {
		return 0, false
	}
	m, err := st.Member(guildID, userID)
	if err != nil {
		return 0, false
	}
	// The state updates these objects in place; read them under its lock.
	st.RLock()
	defer st.RUnlock()
	return memberChannelPermissions(g, ch, userID, m.Roles), true
}

// memberChannelPermissions is Discord's permission computation for a
// member with roles in a channel of guild g.
func memberChannelPermissions(g *discordgo.Guild, ch *discordgo.Channel, userID string, roles []string) int64 {
	if userID == g.OwnerID {
		return discordgo.PermissionAll
	}
	has := make(map[string]bool, len(roles))
	for _, r := range roles {
		has[r] = true
	}
	var perms int64
	for _, r := range g.Roles {
		if r.ID == g.ID || has[r.ID] {
			perms |= r.Permissions
		}
	}
	if perms&discordgo.PermissionAdministrator != 0 {
		return discordgo.PermissionAll
	}
	var roleAllow, roleDeny int64
	var member, everyone *discordgo.PermissionOverwrite
	for _, o := range ch.PermissionOverwrites {
		switch {
		case o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == g.ID:
			everyone = o
		case o.Type == discordgo.PermissionOverwriteTypeRole && has[o.ID]:
			roleAllow |= o.Allow
			roleDeny |= o.Deny
		case o.Type == discordgo.PermissionOverwriteTypeMember && o.ID == userID:
			member = o
		}
	}
	if everyone != nil {
		perms = perms&^everyone.Deny | everyone.Allow
	}
	perms = perms&^roleDeny | roleAllow
	if member != nil {
		perms = perms&^member.Deny | member.Allow
	}
	// Without View Channel, nothing else counts in it.
	if perms&discordgo.PermissionViewChannel == 0 {
		return 0
	}
	return perms
}

// missingToPost names what Herald lacks to post in a channel ("" when it
// lacks nothing); known is false when the state cannot tell.
func (b *Bot) missingToPost(channelID string) (missing string, known bool) {
	perms, known := b.channelPermissions(b.botUserID(), channelID)
	if !known {
		return "", false
	}
	return permissionList(postPermissions &^ perms), true
}

// freshMissingToPost is missingToPost computed from what Discord answers
// now rather than from the session's state, which may lag behind (a role
// given to Herald a moment ago); known is false when Discord cannot tell.
func (b *Bot) freshMissingToPost(ctx context.Context, channelID string) (missing string, known bool) {
	o, cancel := b.send.opts(ctx)
	defer cancel()
	s, botID := b.rest(), b.botUserID()
	ch, err := s.Channel(channelID, o...)
	if err != nil || botID == "" {
		return "", false
	}
	if ch.IsThread() {
		if ch, err = s.Channel(ch.ParentID, o...); err != nil {
			return "", false
		}
	}
	g, err := s.Guild(ch.GuildID, o...)
	if err != nil {
		return "", false
	}
	m, err := s.GuildMember(ch.GuildID, botID, o...)
	if err != nil {
		return "", false
	}
	return permissionList(postPermissions &^ memberChannelPermissions(g, ch, botID, m.Roles)), true
}

// permissionList names the permissions in mask, in Discord's words.
func permissionList(mask int64) string {
	var names []string
	for _, p := range []struct {
		bit  int64
		name string
	}{
		{discordgo.PermissionViewChannel, "View Channel"},
		{discordgo.PermissionSendMessages, "Send Messages"},
		{discordgo.PermissionEmbedLinks, "Embed Links"},
	} {
		if mask&p.bit != 0 {
			names = append(names, p.name)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isAdmin reports whether the member of an interaction holds Manage Server
// (or Administrator), as Discord computed it for the channel.
func isAdmin(i *discordgo.Interaction) bool {
	if i == nil || i.Member == nil {
		return false
	}
	p := i.Member.Permissions
	return p&discordgo.PermissionAdministrator != 0 || p&discordgo.PermissionManageGuild != 0
}
