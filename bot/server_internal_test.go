package bot

import (
	"testing"

	"github.com/bwmarrin/discordgo"
)

func TestBracketURLs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Herald already follows https://a.example/rss here.", "Herald already follows <https://a.example/rss> here."},
		{"See https://a.example/x.", "See <https://a.example/x>."},
		{"(https://a.example/wiki/A_(b))", "(https://a.example/wiki/A_(b))"}, // inside parentheses: a masked link's target
		{"already <https://a.example/x> here", "already <https://a.example/x> here"},
		{"[label](https://a.example/x)", "[label](https://a.example/x)"},
		{"code `url:https://a.example/x` stays", "code `url:https://a.example/x` stays"},
		{"two: http://a.example/1, https://b.example/2!", "two: <http://a.example/1>, <https://b.example/2>!"},
		{"quoted “https://a.example/q”", "quoted “<https://a.example/q>”"},
		{"no address at all", "no address at all"},
	} {
		if got := bracketURLs(tc.in); got != tc.want {
			t.Errorf("bracketURLs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMemberChannelPermissions(t *testing.T) {
	const (
		guild, owner, herald, mods = "1", "2", "3", "4"
		view, send, embed          = discordgo.PermissionViewChannel, discordgo.PermissionSendMessages, discordgo.PermissionEmbedLinks
	)
	g := &discordgo.Guild{ID: guild, OwnerID: owner, Roles: []*discordgo.Role{
		{ID: guild, Permissions: view | send | embed},
		{ID: mods, Permissions: discordgo.PermissionManageMessages},
		{ID: "5", Permissions: discordgo.PermissionAdministrator},
	}}
	role := func(id string, allow, deny int64) *discordgo.PermissionOverwrite {
		return &discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeRole, Allow: allow, Deny: deny}
	}
	member := func(id string, allow, deny int64) *discordgo.PermissionOverwrite {
		return &discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeMember, Allow: allow, Deny: deny}
	}
	for _, tc := range []struct {
		name  string
		user  string
		roles []string
		ow    []*discordgo.PermissionOverwrite
		want  int64
	}{
		{"@everyone's permissions", herald, nil, nil, view | send | embed},
		{"the owner has all", owner, nil, []*discordgo.PermissionOverwrite{role(guild, 0, view)}, discordgo.PermissionAll},
		{"Administrator has all", herald, []string{"5"}, []*discordgo.PermissionOverwrite{member(herald, 0, view)}, discordgo.PermissionAll},
		{"@everyone denied embeds", herald, nil, []*discordgo.PermissionOverwrite{role(guild, 0, embed)}, view | send},
		{"a role's allow beats @everyone's deny", herald, []string{mods}, []*discordgo.PermissionOverwrite{role(guild, 0, send), role(mods, send, 0)},
			view | send | embed | discordgo.PermissionManageMessages},
		{"the member's deny beats a role's allow", herald, []string{mods}, []*discordgo.PermissionOverwrite{role(mods, send, 0), member(herald, 0, send)},
			view | embed | discordgo.PermissionManageMessages},
		{"without View Channel nothing counts", herald, nil, []*discordgo.PermissionOverwrite{role(guild, 0, view)}, 0},
		{"another member's overwrite does not count", herald, nil, []*discordgo.PermissionOverwrite{member("9", 0, send)}, view | send | embed},
	} {
		ch := &discordgo.Channel{ID: "10", GuildID: guild, PermissionOverwrites: tc.ow}
		if got := memberChannelPermissions(g, ch, tc.user, tc.roles); got != tc.want {
			t.Errorf("%s: %b, want %b", tc.name, got, tc.want)
		}
	}
	if got := permissionList(postPermissions); got != "View Channel, Send Messages and Embed Links" {
		t.Errorf("permissionList = %q", got)
	}
}

func TestUnknownSourcesText(t *testing.T) {
	tx := englishTexts()
	var many []string
	for i := 0; i < 14; i++ {
		many = append(many, string(rune('A'+i))+" News")
	}
	for _, tc := range []struct {
		unknown, names []string
		want           string
	}{
		{[]string{"BBC"}, []string{"Reuters", "Wire_Daily"}, `Herald has no articles from “BBC”. The outlets it has: Reuters, Wire\_Daily.`},
		{[]string{"BBC", "CNN"}, nil, "Herald has no articles from “BBC” or “CNN”. It has no articles yet."},
		{[]string{"X"}, many, "Herald has no articles from “X”. The outlets it has: A News, B News, C News, D News, E News, F News, G News, H News, I News, J News, K News, L News and 2 more."},
	} {
		if got := tx.unknownSources(tc.unknown, tc.names); got != tc.want {
			t.Errorf("unknownSources(%v) = %q, want %q", tc.unknown, got, tc.want)
		}
	}
}
