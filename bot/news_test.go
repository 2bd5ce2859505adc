package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

// withNews adds the news commands over the harness's database.
func withNews(t *testing.T) func(*bot.Bot, *discordtest.Fake) {
	return func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		news := &bot.News{
			Feeds:      db,
			Summarizer: &knowledge.Summarizer{DB: db, Logger: discardLogger()},
			Articles:   db,
			Digests:    &knowledge.Digester{DB: db, Logger: discardLogger()},
			Schedules:  db,
		}
		b.Commands = append(b.Commands, news.Commands()...)
	}
}

func (h *harness) slash(perms int64, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) string {
	id, _ := h.fd.SendInteraction(h.fd.SlashCommand(h.fd.GuildID(), h.fd.ChannelID(), nil, perms, name, opts...))
	return id
}

func (h *harness) complete(t *testing.T, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) []*discordgo.ApplicationCommandOptionChoice {
	id, _ := h.fd.SendInteraction(h.fd.Autocomplete(h.fd.GuildID(), h.fd.ChannelID(), nil, discordgo.PermissionManageGuild, name, opts...))
	var res *discordtest.InteractionResult
	h.fd.WaitUntil(t, func() bool {
		res = h.fd.InteractionResponse(id)
		return res != nil && res.Acknowledged
	}, wait)
	return res.Choices
}

func (h *harness) privateText(t *testing.T, id string) string {
	t.Helper()
	_, m := h.waitPrivate(t, id)
	return m.Content + embedText(m.Embeds)
}

func embedText(embeds []*discordgo.MessageEmbed) string {
	var b strings.Builder
	for _, e := range embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	return b.String()
}

func TestFeedCommand(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withNews(t))
	admin := int64(discordgo.PermissionManageGuild)
	sub := discordtest.SubCommandOpt

	// Members without Manage Server are refused, on the server side too.
	if got := h.privateText(t, h.slash(discordgo.PermissionSendMessages, "feed", sub("list"))); !strings.Contains(got, "Manage Server") {
		t.Errorf("non-admin: %q", got)
	}
	got := h.privateText(t, h.slash(admin, "feed", sub("add", discordtest.StringOpt("url", "https://gazette.example/rss.xml"), discordtest.StringOpt("name", "Harbour *Gazette*"))))
	if !strings.Contains(got, "Following <https://gazette.example/rss.xml> (feed 1).") {
		t.Errorf("add: %q", got)
	}
	feeds, err := h.db.Feeds(context.Background(), h.fd.GuildID())
	if err != nil || len(feeds) != 1 || feeds[0].GuildID != h.fd.GuildID() || feeds[0].Name != "Harbour *Gazette*" || feeds[0].CreatedBy != h.fd.UserID() {
		t.Fatalf("stored feeds = %+v, %v", feeds, err)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("add", discordtest.StringOpt("url", "file:///etc/passwd")))); !strings.Contains(got, "not a valid web address") {
		t.Errorf("bad URL: %q", got)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("add", discordtest.StringOpt("url", "https://gazette.example/rss.xml")))); !strings.Contains(got, "already follows <https://gazette.example/rss.xml> here.") {
		t.Errorf("duplicate: %q", got)
	}
	got = h.privateText(t, h.slash(admin, "feed", sub("list")))
	if !strings.Contains(got, `1. Harbour \*Gazette\*** · ok`) || !strings.Contains(got, "0 articles · not polled yet · next poll <t:") {
		t.Errorf("list: %q", got)
	}
	// Another server's feed is neither listed nor offered nor reachable.
	other, err := h.db.AddFeed(context.Background(), knowledge.FeedSpec{URL: "https://other.example/rss", GuildID: "999"})
	if err != nil {
		t.Fatal(err)
	}
	choices := h.complete(t, "feed", sub("remove", discordtest.FocusedOpt("feed", "")))
	if len(choices) != 1 || choices[0].Value != "#1" || !strings.Contains(choices[0].Name, "Harbour *Gazette* — https://gazette.example/rss.xml") {
		t.Errorf("choices = %+v", choices)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("pause", discordtest.StringOpt("feed", fmt.Sprintf("#%d", other.ID))))); !strings.Contains(got, "no feed") {
		t.Errorf("pausing another server's feed: %q", got)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("pause", discordtest.StringOpt("feed", "#1")))); !strings.Contains(got, "Paused") {
		t.Errorf("pause: %q", got)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("resume", discordtest.StringOpt("feed", "https://gazette.example/rss.xml")))); !strings.Contains(got, "Resumed") {
		t.Errorf("resume: %q", got)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("remove", discordtest.StringOpt("feed", "#1")))); !strings.Contains(got, "No longer following") {
		t.Errorf("remove: %q", got)
	}
	if got := h.privateText(t, h.slash(admin, "feed", sub("list"))); !strings.Contains(got, "follows no feed") {
		t.Errorf("list after remove: %q", got)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestSummaryCommand(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withNews(t))
	a := putSample(t, h.db)
	choices := h.complete(t, "summary", discordtest.FocusedOpt("of", "germany leak"))
	if len(choices) != 1 || choices[0].Value != fmt.Sprintf("#%d", a.ID) || !strings.HasSuffix(choices[0].Name, "— Defense News, 2024-03-05") {
		t.Fatalf("choices = %+v", choices)
	}
	id := h.slash(0, "summary", discordtest.StringOpt("of", choices[0].Value.(string)))
	res := h.waitResult(t, id, answered)
	if res.Ephemeral || !strings.HasPrefix(res.Original.Content, "**Summary: Germany Blames Ukraine War Talks Leak on ‘Individual Error’**") ||
		!strings.Contains(res.Original.Content, "[1]") {
		t.Errorf("summary = %q (ephemeral %v)", res.Original.Content, res.Ephemeral)
	}
	if len(res.Original.Embeds) != 1 || !strings.HasPrefix(res.Original.Embeds[0].Title, "[1] Germany Blames") || !strings.HasPrefix(res.Original.Embeds[0].Description, "> “") {
		t.Errorf("sources = %+v", res.Original.Embeds)
	}
	// A topic the articles do not cover is answered privately.
	id = h.slash(0, "summary", discordtest.StringOpt("of", "volcano eruption in Iceland"))
	if got := h.privateText(t, id); !strings.Contains(got, knowledge.AbstainText) {
		t.Errorf("unknown topic: %q", got)
	}
	id = h.slash(0, "summary", discordtest.StringOpt("of", "#4242"))
	if got := h.privateText(t, id); !strings.Contains(got, "There is no article 4242.") {
		t.Errorf("unknown article: %q", got)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestDigestCommand(t *testing.T) {
	t.Parallel()
	asker := answerWith("x")
	h := start(t, bot.Config{}, asker, withNews(t))
	ctx := context.Background()
	now := time.Now().UTC()
	for i, src := range []string{"Wire", "Daily"} {
		if _, err := h.db.PutArticle(ctx, &knowledge.Article{URL: fmt.Sprintf("https://%s.example/ferry", strings.ToLower(src)), Source: src,
			PublishedAt: now.Add(-time.Duration(i+1) * time.Hour), Title: "Harbour council approves new ferry terminal",
			Text: "The harbour council approved a new ferry terminal on Wednesday after a two-hour debate, ending a dispute that had lasted three years. The terminal will cost 42 million euros, " + src + " reports."}); err != nil {
			t.Fatal(err)
		}
	}
	id := h.slash(0, "digest", discordtest.SubCommandOpt("show"))
	res := h.waitResult(t, id, answered)
	if res.Ephemeral || !strings.HasPrefix(res.Original.Content, "**News digest** · 1 story since <t:") || len(res.Original.Embeds) != 1 {
		t.Fatalf("digest = %q, %d embeds", res.Original.Content, len(res.Original.Embeds))
	}
	e := res.Original.Embeds[0]
	if e.Title != "1. Harbour council approves new ferry terminal" || e.URL != "https://daily.example/ferry" || !strings.Contains(e.Description, "Also: [Wire](https://wire.example/ferry)") || e.Footer == nil || e.Footer.Text != "2 outlets" ||
		!strings.Contains(e.Description, "The harbour council approved a new ferry terminal on Wednesday") {
		t.Errorf("story embed = %+v", e)
	}
	// A member picks the story from the digest's menu and asks about it:
	// the story's headline is the conversation so far.
	var menu *discordgo.SelectMenu
	for _, row := range res.Original.Components {
		if ar, ok := row.(*discordgo.ActionsRow); ok {
			for _, c := range ar.Components {
				if sm, ok := c.(*discordgo.SelectMenu); ok {
					menu = sm
				}
			}
		}
	}
	if menu == nil || menu.CustomID != "story:pick" || menu.Placeholder != "Ask about a story…" || len(menu.Options) != 1 ||
		menu.Options[0].Label != "1. Harbour council approves new ferry terminal" || menu.Options[0].Description != "Daily, Wire" {
		t.Fatalf("story picker = %+v", menu)
	}
	pid, _ := h.fd.SendInteraction(h.fd.SelectOption(res.Original, nil, 0, menu.CustomID, menu.Options[0].Value))
	picked := h.waitResult(t, pid, func(r *discordtest.InteractionResult) bool {
		return r.Modal != nil || (r.Original != nil && !r.Loading)
	})
	if picked.Modal == nil || picked.Modal.Title != "Ask about this story" || picked.Modal.CustomID != "story:ask:Harbour council approves new ferry terminal" {
		t.Fatalf("story form = %+v", picked)
	}
	if in := h.fd.ModalInputs(pid); len(in) != 1 || in[0].CustomID != "question" || in[0].Placeholder != "Harbour council approves new ferry terminal" {
		t.Errorf("story form inputs = %+v", in)
	}
	asked := len(asker.questions())
	sid, _ := h.fd.SendInteraction(h.fd.ModalSubmit(h.fd.ChannelID(), res.Original, nil, 0, picked.Modal.CustomID, map[string]string{"question": "How much will it cost?"}))
	if ans := h.waitResult(t, sid, answered); ans.Ephemeral || !strings.HasSuffix(ans.Original.Content, "asked: How much will it cost?") {
		t.Errorf("answer about the story = %+v", ans.Original)
	}
	if qs := asker.questions(); len(qs) != asked+1 || qs[asked].Text != "How much will it cost?" || len(qs[asked].History) != 1 ||
		qs[asked].History[0].Question != "Harbour council approves new ferry terminal" {
		t.Errorf("question about the story = %+v", qs[len(qs)-1])
	}
	if got := h.privateText(t, h.slash(0, "digest", discordtest.SubCommandOpt("show", discordtest.StringOpt("since", "30m")))); !strings.HasPrefix(got, "No news since <t:") {
		t.Errorf("empty digest: %q", got)
	}

	// Scheduling needs Manage Server.
	schedule := discordtest.SubCommandOpt("set", discordtest.ChannelOpt("channel", h.fd.ChannelID()),
		discordtest.StringOpt("time", "08:00"), discordtest.StringOpt("timezone", "Europe/Berlin"))
	if got := h.privateText(t, h.slash(discordgo.PermissionSendMessages, "digest-schedule", schedule)); !strings.Contains(got, "Manage Server") {
		t.Errorf("non-admin schedule: %q", got)
	}
	got := h.privateText(t, h.slash(discordgo.PermissionManageGuild, "digest-schedule", schedule))
	if !strings.Contains(got, "Every day at 08:00 (Europe/Berlin) the digest will be posted in <#"+h.fd.ChannelID()+">. Next: <t:") {
		t.Errorf("schedule: %q", got)
	}
	scheds, _ := h.db.DigestSchedules(ctx, h.fd.GuildID())
	if len(scheds) != 1 || !scheds[0].Enabled || scheds[0].ChannelID != h.fd.ChannelID() || scheds[0].TimeZone != "Europe/Berlin" {
		t.Errorf("schedules = %+v", scheds)
	}
	bad := discordtest.SubCommandOpt("set", discordtest.ChannelOpt("channel", h.fd.ChannelID()),
		discordtest.StringOpt("time", "8 am"), discordtest.StringOpt("timezone", "Europe/Berlin"))
	if got := h.privateText(t, h.slash(discordgo.PermissionManageGuild, "digest-schedule", bad)); !strings.Contains(got, "is not a time of day") {
		t.Errorf("bad time: %q", got)
	}
	if choices := h.complete(t, "digest-schedule", discordtest.SubCommandOpt("set", discordtest.FocusedOpt("timezone", "berl"))); len(choices) != 1 || choices[0].Value != "Europe/Berlin" {
		t.Errorf("time zone choices = %+v", choices)
	}
	if got := h.privateText(t, h.slash(discordgo.PermissionSendMessages, "digest-schedule", discordtest.SubCommandOpt("off"))); !strings.Contains(got, "Manage Server") {
		t.Errorf("non-admin off: %q", got)
	}
	if got := h.privateText(t, h.slash(discordgo.PermissionManageGuild, "digest-schedule", discordtest.SubCommandOpt("off"))); !strings.Contains(got, "The daily digest is off (1 channel).") {
		t.Errorf("off: %q", got)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())
}

func TestPostDigestSplitsAndReportsNothingSent(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"))
	d := &knowledge.Digest{Since: time.Now().Add(-24 * time.Hour), Until: time.Now()}
	for i := 0; i < 14; i++ {
		d.Stories = append(d.Stories, knowledge.DigestStory{
			Headline: fmt.Sprintf("Story %d @everyone", i+1), Summary: fmt.Sprintf("Something happened, said <@%s> [1].", h.fd.UserID()), Outlets: 2,
			Citations: []knowledge.Citation{{N: 1, ArticleID: int64(i + 1), Title: "Report", Source: "Wire", URL: "https://wire.example/" + fmt.Sprint(i), Quote: "Something happened.", Verified: true}},
			Articles:  []knowledge.DigestArticle{{ID: int64(i + 1), Title: "Report", Source: "Wire", URL: "https://wire.example/" + fmt.Sprint(i)}, {ID: 100, Title: "Other", Source: "Daily", URL: "https://daily.example/x"}},
		})
	}
	ctx := context.Background()
	if err := h.b.PostDigest(ctx, h.fd.ChannelID(), d); err != nil {
		t.Fatal(err)
	}
	msgs := botMessages(h.fd, h.fd.ChannelID())
	embeds := 0
	for _, m := range msgs {
		embeds += len(m.Embeds)
		if len(m.Embeds) > 10 {
			t.Errorf("a message has %d embeds", len(m.Embeds))
		}
	}
	if len(msgs) != 2 || embeds != 14 || !strings.HasPrefix(msgs[0].Content, "**News digest** · 14 stories") {
		t.Errorf("%d messages, %d embeds: %q", len(msgs), embeds, msgs[0].Content)
	}
	if !strings.Contains(msgs[0].Embeds[0].Description, "Also: [Daily](https://daily.example/x)") {
		t.Errorf("story = %q", msgs[0].Embeds[0].Description)
	}
	assertNoPings(t, h.fd, h.fd.ChannelID())

	// Discord refuses the first message: nothing was posted, try again.
	h.fd.FailNext("POST", "/channels/"+h.fd.ChannelID()+"/messages", http.StatusForbidden, `{"message": "Missing Access", "code": 50001}`)
	err := h.b.PostDigest(ctx, h.fd.ChannelID(), d)
	if !errors.Is(err, knowledge.ErrDigestNotSent) {
		t.Errorf("refused first message: %v, want ErrDigestNotSent", err)
	}
}
