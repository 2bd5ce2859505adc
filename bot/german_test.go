package bot_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
)

// sendAs sends an interaction with the member's client in locale.
func (h *harness) sendAs(locale discordgo.Locale, ic *discordgo.InteractionCreate) string {
	ic.Locale = locale
	id, _ := h.fd.SendInteraction(ic)
	return id
}

func TestRegisteredCommandsCarryGermanLocalisations(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, adderFunc(nil)))
	cmds := h.fd.Commands(h.fd.GuildID())
	if len(cmds) < 9 {
		t.Fatalf("%d commands registered", len(cmds))
	}
	// Discord's rule for names, lower case.
	nameRule := regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)
	checkName := func(path, name string) {
		if !nameRule.MatchString(name) || strings.ToLower(name) != name {
			t.Errorf("%s: German name %q is not a valid Discord name", path, name)
		}
	}
	var walk func(path string, opts []*discordgo.ApplicationCommandOption)
	walk = func(path string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			p := path + " " + o.Name
			checkName(p, o.NameLocalizations[discordgo.German])
			if d := o.DescriptionLocalizations[discordgo.German]; d == "" || len([]rune(d)) > 100 {
				t.Errorf("%s: German description %q", p, d)
			}
			walk(p, o.Options)
		}
	}
	names := map[string]string{}
	for _, c := range cmds {
		if c.NameLocalizations == nil || c.DescriptionLocalizations == nil {
			t.Errorf("/%s has no localisations", c.Name)
			continue
		}
		de := (*c.NameLocalizations)[discordgo.German]
		checkName(c.Name, de)
		names[c.Name] = de
		if d := (*c.DescriptionLocalizations)[discordgo.German]; d == "" {
			t.Errorf("/%s has no German description", c.Name)
		}
		walk(c.Name, c.Options)
	}
	if names["ask"] != "frage" || names["help"] != "hilfe" || names["summary"] != "zusammenfassung" {
		t.Errorf("German names = %v", names)
	}
}

func TestGermanLocaleGetsGermanReplies(t *testing.T) {
	t.Parallel()
	asker := answerWith("Scholz hat die Lieferung nicht genehmigt [1].")
	h := start(t, bot.Config{Cooldown: time.Hour}, asker, withServer(nil, adderFunc(nil)))
	de := discordgo.German
	guild, channel := h.fd.GuildID(), h.fd.ChannelID()

	// /help describes the commands in German.
	help := h.privateText(t, h.sendAs(de, h.fd.SlashCommand(guild, channel, nil, discordgo.PermissionSendMessages, "help")))
	for _, want := range []string{"Was Herald kann", "</ask:", "Stell eine Frage zu den Nachrichten", "Erwähne <@" + h.fd.BotUserID() + ">",
		"Server-Admins haben außerdem Befehle"} {
		if !strings.Contains(help, want) {
			t.Errorf("German help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "Ask a question") || strings.Contains(help, "Commands") {
		t.Errorf("German help has English in it:\n%s", help)
	}

	// A command a member may not use, refused in German with the names
	// the member sees.
	refused := h.privateText(t, h.sendAs(de, h.fd.SlashCommand(guild, channel, nil, discordgo.PermissionSendMessages, "article",
		discordtest.SubCommandOpt("add", discordtest.StringOpt("url", "https://example.com/a")))))
	if refused != "Du brauchst die Berechtigung „Server verwalten“, um /artikel zu nutzen." {
		t.Errorf("refusal = %q", refused)
	}

	// A refused option, in German.
	bad := h.privateText(t, h.sendAs(de, h.fd.SlashCommand(guild, channel, nil, 0, "ask",
		discordtest.StringOpt("question", "Warum kein Taurus?"), discordtest.StringOpt("since", "letzten Dienstag"))))
	if !strings.Contains(bad, "„seit“ muss ein Datum wie 2024-03-01") {
		t.Errorf("bad since = %q", bad)
	}

	// The answer's fixed parts are German: the question line, the sources,
	// the footer and the buttons.
	id := h.sendAs(de, h.fd.SlashCommand(guild, channel, nil, 0, "ask", discordtest.StringOpt("question", "Warum kein Taurus?")))
	res := h.waitResult(t, id, func(r *discordtest.InteractionResult) bool {
		return r.Original != nil && !r.Loading && len(buttons(r.Original)) == 5
	})
	m := res.Original
	if !strings.Contains(m.Content, "fragte: Warum kein Taurus?") {
		t.Errorf("question line = %q", m.Content)
	}
	var titles, footers []string
	for _, e := range m.Embeds {
		titles = append(titles, e.Title)
		if e.Footer != nil {
			footers = append(footers, e.Footer.Text)
		}
	}
	if !strings.Contains(strings.Join(titles, "|"), "Quellen") || !strings.Contains(strings.Join(footers, "|"), "vom Sprachmodell geschrieben") {
		t.Errorf("embed titles %q, footers %q", titles, footers)
	}
	var labels []string
	for _, b := range buttons(m) {
		if b.Label != "" {
			labels = append(labels, b.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "Quellen,Nachfragen,Löschen" {
		t.Errorf("button labels = %q", got)
	}

	// A German client's question is taken in German when too short to
	// tell its language.
	if qs := asker.questions(); len(qs) != 1 || qs[0].Filter.Language != "de" {
		t.Errorf("questions = %+v", qs)
	}

	// Asking again at once: the cooldown, in German.
	again := h.privateText(t, h.sendAs(de, h.fd.SlashCommand(guild, channel, nil, 0, "ask", discordtest.StringOpt("question", "Und jetzt?"))))
	if !strings.HasPrefix(again, "Bitte warte noch ") || !strings.HasSuffix(again, "Sekunden, bevor du wieder fragst.") {
		t.Errorf("cooldown = %q", again)
	}
	// The same in English for an English client.
	en := h.privateText(t, h.ask("And now?", nil))
	if !strings.Contains(en, "Please wait") {
		t.Errorf("English cooldown = %q", en)
	}
}

func TestGermanServerGetsGermanMessages(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, nil))
	const guild, general = "1302402938060931081", "1302402938060931082"
	h.fd.JoinGuild(&discordgo.Guild{ID: guild, Name: "Stammtisch", OwnerID: h.fd.UserID(), PreferredLocale: string(discordgo.German),
		Channels: []*discordgo.Channel{{ID: general, Name: "allgemein", Type: discordgo.ChannelTypeGuildText}}})
	// The welcome follows the server's language, with the German option names.
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, general)) == 1 }, wait)
	w := botMessages(h.fd, general)[0]
	welcome := embedText(w.Embeds)
	for _, want := range []string{"Hallo, ich bin Herald", "</ask:", "mit deiner Frage", "</feed add:", "`adresse:`", "`zeitzone:Europe/Berlin`"} {
		if !strings.Contains(welcome, want) {
			t.Errorf("German welcome lacks %q:\n%s", want, welcome)
		}
	}
	// A bare mention gets the German help.
	h.fd.SendMessage(h.fd.Mention(general, nil, ""))
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, general)) == 2 }, wait)
	if got := botMessages(h.fd, general)[1].Content; !strings.HasPrefix(got, "Frag mich zu den Nachrichten") {
		t.Errorf("mention help = %q", got)
	}
	assertNoPings(t, h.fd, general)
}
