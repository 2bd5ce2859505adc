package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

const admin = int64(discordgo.PermissionManageGuild)

// adderFunc is an ArticleAdder with a function.
type adderFunc func(ctx context.Context, guildID, rawURL string) (*knowledge.Article, error)

func (f adderFunc) IngestURL(ctx context.Context, guildID, rawURL string) (*knowledge.Article, error) {
	return f(ctx, guildID, rawURL)
}

// withServer gives the bot the whole server side over the harness's
// database: the news commands, feed posting (its worker polling hourly,
// so tests run passes with PostFeedsNow), welcomes. *news receives the
// News for PostFeedsNow.
func withServer(news **bot.News, adder bot.ArticleAdder) func(*bot.Bot, *discordtest.Fake) {
	return func(b *bot.Bot, _ *discordtest.Fake) {
		db := b.Library.(*knowledge.DB)
		n := &bot.News{
			Feeds: db, Posts: db, Articles: db, Schedules: db, Adder: adder,
			Summarizer:   &knowledge.Summarizer{DB: db, Logger: discardLogger()},
			Digests:      &knowledge.Digester{DB: db, Logger: discardLogger()},
			PostInterval: time.Hour,
		}
		n.Attach(b)
		b.Guilds = db
		if news != nil {
			*news = n
		}
	}
}

// pollFeed records a successful poll of feed at "at" that took arts (stored
// in the feed's server) as new items, as the feed poller does.
func pollFeed(t *testing.T, db *knowledge.DB, feedID int64, at time.Time, arts ...*knowledge.Article) {
	t.Helper()
	ctx := context.Background()
	f, err := db.Feed(ctx, feedID)
	if err != nil {
		t.Fatal(err)
	}
	var seen []knowledge.SeenItem
	for _, a := range arts {
		a.GuildID, a.FeedID = f.GuildID, f.ID
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, knowledge.SeenItem{Key: a.URL, ArticleID: a.ID})
	}
	if _, err := db.RecordFeedPoll(ctx, feedID, knowledge.FeedPoll{At: at, Seen: seen, Added: len(arts), NextPollAt: at.Add(30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
}

func gazette(n int, published time.Time) *knowledge.Article {
	return &knowledge.Article{URL: fmt.Sprintf("https://gazette.example/news/%d", n), Title: fmt.Sprintf("Harbour story number %d", n),
		Source: "Harbour Gazette", PublishedAt: published,
		Text: fmt.Sprintf("Harbour story number %d\n\nThe harbour council voted on item %d of its agenda on Tuesday evening. Nothing else happened.", n, n)}
}

// countLogs counts the log lines holding every one of parts.
func countLogs(h *harness, parts ...string) int {
	n := 0
	for _, l := range strings.Split(h.logs.String(), "\n") {
		all := l != ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			n++
		}
	}
	return n
}

func TestWelcomeOnJoiningANewServer(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, nil))
	// The default server, joined long ago, is remembered without a welcome.
	h.fd.WaitUntil(t, func() bool { return countLogs(h, "no welcome", "guild="+h.fd.GuildID()) == 1 }, wait)
	if n := len(botMessages(h.fd, h.fd.ChannelID())); n != 0 {
		t.Errorf("%d welcomes in a server joined long ago", n)
	}

	const guild, system, rules, general = "1302402938060931073", "1302402938060931074", "1302402938060931075", "1302402938060931076"
	text := discordgo.ChannelTypeGuildText
	h.fd.JoinGuild(&discordgo.Guild{ID: guild, Name: "Harbour Town", OwnerID: h.fd.UserID(), SystemChannelID: system,
		Channels: []*discordgo.Channel{
			{ID: system, Name: "welcome", Type: text, Position: 0, PermissionOverwrites: []*discordgo.PermissionOverwrite{h.fd.DenyBot(discordgo.PermissionSendMessages)}},
			{ID: rules, Name: "rules", Type: text, Position: 1, PermissionOverwrites: []*discordgo.PermissionOverwrite{
				{ID: guild, Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel}}},
			{ID: general, Name: "general", Type: text, Position: 2},
		}})
	h.fd.WaitUntil(t, func() bool { return len(botMessages(h.fd, general)) == 1 }, wait)
	for _, ch := range []string{system, rules} {
		if n := len(h.fd.Messages(ch)); n != 0 {
			t.Errorf("%d messages in channel %s, where Herald may not write", n, ch)
		}
	}
	w := botMessages(h.fd, general)[0]
	if len(w.Embeds) != 1 {
		t.Fatalf("welcome = %+v", w)
	}
	e := w.Embeds[0]
	for _, want := range []string{"Hello, I'm Herald", "</ask:", "with your question", "<@" + h.fd.BotUserID() + ">", "</help:",
		"For admins (Manage Server)", "</feed add:", "`channel:#news`", "</digest-schedule set:", "`timezone:Europe/Berlin`"} {
		if !strings.Contains(e.Title+"\n"+e.Description, want) {
			t.Errorf("welcome lacks %q:\n%s\n%s", want, e.Title, e.Description)
		}
	}

	// GUILD_CREATE comes again on every connect: no second welcome.
	h.fd.AnnounceGuild(guild)
	h.fd.WaitUntil(t, func() bool { return countLogs(h, "server already known", "guild="+guild) == 1 }, wait)
	if n := len(botMessages(h.fd, general)); n != 1 {
		t.Errorf("%d welcomes after the server was announced again", n)
	}

	// A server where Herald may write nowhere gets no welcome.
	const closed, closedChan = "1302402938060931077", "1302402938060931078"
	h.fd.JoinGuild(&discordgo.Guild{ID: closed, Name: "Closed", OwnerID: h.fd.UserID(),
		Roles:    []*discordgo.Role{{ID: closed, Name: "@everyone", Permissions: discordgo.PermissionViewChannel}},
		Channels: []*discordgo.Channel{{ID: closedChan, Name: "general", Type: text}}})
	h.fd.WaitUntil(t, func() bool { return countLogs(h, "may write in none", "guild="+closed) == 1 }, wait)
	if n := len(h.fd.Messages(closedChan)); n != 0 {
		t.Errorf("%d messages in a server where Herald may not write", n)
	}
	assertNoPings(t, h.fd, general)

	// Restarted on the same database: known, no welcome.
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	h2 := startOn(t, h.fd, h.db, bot.Config{}, answerWith("x"), withServer(nil, nil))
	h2.fd.WaitUntil(t, func() bool { return countLogs(h2, "server already known", "guild="+guild) == 1 }, wait)
	if n := len(botMessages(h.fd, general)); n != 1 {
		t.Errorf("%d welcomes after a restart", n)
	}
}

func TestHelpForMembersAndAdmins(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, adderFunc(nil)))
	member := h.privateText(t, h.slash(discordgo.PermissionSendMessages, "help"))
	for _, want := range []string{"What Herald can do", "</ask:", "</search:", "</sources:", "</summary:", "</digest show:", "</help:",
		"Mention <@" + h.fd.BotUserID() + ">", "Server admins also have commands"} {
		if !strings.Contains(member, want) {
			t.Errorf("member's help lacks %q:\n%s", want, member)
		}
	}
	for _, not := range []string{"</feed", "</digest-schedule", "</article", "For admins"} {
		if strings.Contains(member, not) {
			t.Errorf("member's help shows %q:\n%s", not, member)
		}
	}
	adm := h.privateText(t, h.slash(admin, "help"))
	for _, want := range []string{"</ask:", "For admins (Manage Server)", "</feed add:", "</feed channel:", "</feed alerts:", "</feed list:",
		"</digest-schedule set:", "</digest-schedule off:", "</digest-schedule list:", "</article add:"} {
		if !strings.Contains(adm, want) {
			t.Errorf("admin's help lacks %q:\n%s", want, adm)
		}
	}
	// Mentions carry the registered commands' ids.
	ids := map[string]string{}
	for _, c := range h.fd.Commands(h.fd.GuildID()) {
		ids[c.Name] = c.ID
	}
	if !strings.Contains(adm, "</feed add:"+ids["feed"]+">") || !strings.Contains(adm, "</ask:"+ids["ask"]+">") {
		t.Errorf("command mentions do not carry the ids %v:\n%s", ids, adm)
	}
	// The presence says what to use.
	h.fd.WaitUntil(t, func() bool { return len(h.fd.Presences()) > 0 }, wait)
	var p struct {
		Status     string `json:"status"`
		Activities []struct {
			Name string `json:"name"`
			Type int    `json:"type"`
		} `json:"activities"`
	}
	if err := json.Unmarshal(h.fd.Presences()[0], &p); err != nil || p.Status != "online" || len(p.Activities) != 1 ||
		p.Activities[0].Name != "/ask" || p.Activities[0].Type != int(discordgo.ActivityTypeListening) {
		t.Errorf("presence = %+v, %v", p, err)
	}
}

func TestStateChangingCommandsNeedManageServer(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, adderFunc(nil)))
	perms := map[string]*int64{}
	for _, c := range h.fd.Commands(h.fd.GuildID()) {
		perms[c.Name] = c.DefaultMemberPermissions
	}
	for name, p := range perms {
		switch name {
		case "feed", "digest-schedule", "article":
			if p == nil || *p != discordgo.PermissionManageGuild {
				t.Errorf("/%s default_member_permissions = %v, want Manage Server", name, p)
			}
		default:
			if p != nil {
				t.Errorf("/%s (for everyone) requires %d", name, *p)
			}
		}
	}
	if len(perms) != 9 {
		t.Errorf("registered %d commands: %v", len(perms), perms)
	}
	// Discord lets server admins change who sees a command: Herald checks
	// again, for every sub-command.
	for _, tc := range []struct {
		name string
		opt  *discordgo.ApplicationCommandInteractionDataOption
	}{
		{"feed", discordtest.SubCommandOpt("add", discordtest.StringOpt("url", "https://gazette.example/rss"))},
		{"feed", discordtest.SubCommandOpt("channel", discordtest.StringOpt("feed", "#1"))},
		{"feed", discordtest.SubCommandOpt("alerts")},
		{"feed", discordtest.SubCommandOpt("list")},
		{"feed", discordtest.SubCommandOpt("pause", discordtest.StringOpt("feed", "#1"))},
		{"feed", discordtest.SubCommandOpt("resume", discordtest.StringOpt("feed", "#1"))},
		{"feed", discordtest.SubCommandOpt("remove", discordtest.StringOpt("feed", "#1"))},
		{"digest-schedule", discordtest.SubCommandOpt("set", discordtest.ChannelOpt("channel", h.fd.ChannelID()),
			discordtest.StringOpt("time", "08:00"), discordtest.StringOpt("timezone", "UTC"))},
		{"digest-schedule", discordtest.SubCommandOpt("off")},
		{"digest-schedule", discordtest.SubCommandOpt("list")},
		{"article", discordtest.SubCommandOpt("add", discordtest.StringOpt("url", "https://gazette.example/a"))},
	} {
		got := h.privateText(t, h.slash(discordgo.PermissionSendMessages|discordgo.PermissionManageMessages, tc.name, tc.opt))
		if want := "You need the Manage Server permission to use /" + tc.name + "."; got != want {
			t.Errorf("/%s %s by a member: %q, want %q", tc.name, tc.opt.Name, got, want)
		}
	}
	if feeds, _ := h.db.Feeds(context.Background(), h.fd.GuildID()); len(feeds) != 0 {
		t.Errorf("a member added feeds: %+v", feeds)
	}
	if s, _ := h.db.DigestSchedules(context.Background(), h.fd.GuildID()); len(s) != 0 {
		t.Errorf("a member scheduled digests: %+v", s)
	}
}

func TestFeedPostsNewArticlesToItsChannelOnce(t *testing.T) {
	t.Parallel()
	var news *bot.News
	fd := discordtest.New(t)
	news1 := fd.AddChannel(&discordgo.Channel{GuildID: fd.GuildID(), Name: "news", Type: discordgo.ChannelTypeGuildText, Position: 1})
	h := startOn(t, fd, mustOpenDB(t), bot.Config{}, answerWith("x"), withServer(&news, nil))
	ctx := context.Background()
	got := h.privateText(t, h.slash(admin, "feed", discordtest.SubCommandOpt("add",
		discordtest.StringOpt("url", "https://gazette.example/rss"), discordtest.ChannelOpt("channel", news1))))
	if !strings.Contains(got, "Following <https://gazette.example/rss> (feed 1). Its new articles will be posted in <#"+news1+"> as they come") {
		t.Errorf("add = %q", got)
	}
	// The first poll is the backlog: nothing is posted.
	now := time.Now().UTC().Truncate(time.Second)
	pollFeed(t, h.db, 1, now.Add(-3*time.Hour), gazette(1, now.Add(-5*time.Hour)), gazette(2, now.Add(-4*time.Hour)))
	if res := bot.PostFeedsNow(ctx, news, h.b); res.Posted != 0 {
		t.Fatalf("posted %d backlog articles", res.Posted)
	}
	// The next poll's articles are posted, oldest first.
	pollFeed(t, h.db, 1, now.Add(-time.Hour), gazette(4, now.Add(-90*time.Minute)), gazette(3, now.Add(-2*time.Hour)))
	if res := bot.PostFeedsNow(ctx, news, h.b); res.Posted != 2 {
		t.Fatalf("pass = %+v, want 2 posted", res)
	}
	msgs := botMessages(h.fd, news1)
	if len(msgs) != 2 || len(msgs[0].Embeds) != 1 || len(msgs[1].Embeds) != 1 {
		t.Fatalf("posts = %+v", msgs)
	}
	e := msgs[0].Embeds[0]
	if e.Title != "Harbour story number 3" || e.URL != "https://gazette.example/news/3" || e.Author == nil || e.Author.Name != "Harbour Gazette" ||
		e.Description != fmt.Sprintf("The harbour council voted on item 3 of its agenda on Tuesday evening.\n\nPublished <t:%d:f>", now.Add(-2*time.Hour).Unix()) {
		t.Errorf("first post = %+v (author %+v)", e, e.Author)
	}
	if msgs[1].Embeds[0].Title != "Harbour story number 4" {
		t.Errorf("second post = %q", msgs[1].Embeds[0].Title)
	}
	if res := bot.PostFeedsNow(ctx, news, h.b); res.Posted != 0 {
		t.Errorf("a second pass posted %d", res.Posted)
	}
	assertNoPings(t, h.fd, news1)

	// Restarted on the same database: nothing again, then the next article.
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	h2 := startOn(t, fd, h.db, bot.Config{}, answerWith("x"), withServer(&news, nil))
	if res := bot.PostFeedsNow(ctx, news, h2.b); res.Posted != 0 {
		t.Errorf("after a restart a pass posted %d", res.Posted)
	}
	pollFeed(t, h.db, 1, now.Add(-time.Minute), gazette(5, time.Time{}))
	bot.PostFeedsNow(ctx, news, h2.b)
	h2.fd.WaitUntil(t, func() bool { return len(botMessages(fd, news1)) == 3 }, wait)
	last := botMessages(fd, news1)[2].Embeds[0]
	if last.Title != "Harbour story number 5" || strings.Contains(last.Description, "Published") {
		t.Errorf("undated post = %+v", last)
	}
	states, _ := h.db.FeedPostStates(ctx, news1)
	if states[knowledge.FeedPostPosted] != 3 || len(states) != 1 {
		t.Errorf("records = %v", states)
	}
	if n := len(botMessages(fd, news1)); n != 3 {
		t.Errorf("%d posts in all, want 3", n)
	}
}

func TestFeedListShowsHealthAndDisabledFeedsAlertOnce(t *testing.T) {
	t.Parallel()
	var news *bot.News
	fd := discordtest.New(t)
	alerts := fd.AddChannel(&discordgo.Channel{GuildID: fd.GuildID(), Name: "mods", Type: discordgo.ChannelTypeGuildText, Position: 2})
	h := startOn(t, fd, mustOpenDB(t), bot.Config{}, answerWith("x"), withServer(&news, nil))
	ctx := context.Background()
	for _, u := range []string{"https://ok.example/rss", "https://flaky.example/rss", "https://gone.example/rss"} {
		h.privateText(t, h.slash(admin, "feed", discordtest.SubCommandOpt("add", discordtest.StringOpt("url", u))))
	}
	if got := h.privateText(t, h.slash(admin, "feed", discordtest.SubCommandOpt("alerts", discordtest.ChannelOpt("channel", alerts)))); !strings.Contains(got, "<#"+alerts+">") {
		t.Errorf("alerts = %q", got)
	}
	now := time.Now().UTC().Truncate(time.Second)
	pollFeed(t, h.db, 1, now.Add(-time.Minute), gazette(1, now))
	fail := func(id int64, disableAfter int) {
		if _, err := h.db.RecordFeedPoll(ctx, id, knowledge.FeedPoll{At: now, Err: knowledge.Errorf(knowledge.EUNAVAILABLE, "The site answered 404 Not Found."),
			NextPollAt: now.Add(time.Hour), DisableAfter: disableAfter}); err != nil {
			t.Fatal(err)
		}
	}
	fail(2, 10)
	fail(2, 10)
	fail(3, 1)
	list := h.privateText(t, h.slash(admin, "feed", discordtest.SubCommandOpt("list")))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\*\*1\. ok\.example\*\* · ok\n1 article · polled <t:\d+:R> · next poll <t:\d+:R>\n<https://ok\.example/rss>`),
		regexp.MustCompile(`\*\*2\. flaky\.example\*\* · failing 2 times in a row: The site answered 404 Not Found\.\n0 articles · polled <t:\d+:R> · next poll <t:\d+:R>`),
		regexp.MustCompile(`\*\*3\. gone\.example\*\* · disabled: stopped after 1 failed polls in a row; last: The site answered 404 Not Found\. </feed resume:\d+> polls it again\.\n0 articles · polled <t:\d+:R>\n`),
	} {
		if !want.MatchString(list) {
			t.Errorf("list does not match %s:\n%s", want, list)
		}
	}

	res := bot.PostFeedsNow(ctx, news, h.b)
	if res.Alerts != 1 {
		t.Fatalf("pass = %+v, want one alert", res)
	}
	msgs := botMessages(fd, alerts)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Content, "The feed **gone.example** (<https://gone.example/rss>) (feed 3) is no longer polled: stopped after 1 failed polls") ||
		!strings.Contains(msgs[0].Content, "`feed:#3` polls it again") {
		t.Fatalf("alerts = %+v", msgs)
	}
	if res := bot.PostFeedsNow(ctx, news, h.b); res.Alerts != 0 {
		t.Errorf("a second pass alerted %d times", res.Alerts)
	}
	if err := h.stop(t); err != nil {
		t.Fatal(err)
	}
	h2 := startOn(t, fd, h.db, bot.Config{}, answerWith("x"), withServer(&news, nil))
	if res := bot.PostFeedsNow(ctx, news, h2.b); res.Alerts != 0 {
		t.Errorf("after a restart a pass alerted %d times", res.Alerts)
	}
	if n := len(botMessages(fd, alerts)); n != 1 {
		t.Errorf("%d alerts, want 1", n)
	}
	assertNoPings(t, fd, alerts)
}

func TestPostingNeedsPermissionInTheChannel(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	noEmbeds := fd.AddChannel(&discordgo.Channel{GuildID: fd.GuildID(), Name: "chat", Type: discordgo.ChannelTypeGuildText, Position: 1,
		PermissionOverwrites: []*discordgo.PermissionOverwrite{fd.DenyBot(discordgo.PermissionEmbedLinks)}})
	hidden := fd.AddChannel(&discordgo.Channel{GuildID: fd.GuildID(), Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 2,
		PermissionOverwrites: []*discordgo.PermissionOverwrite{{ID: fd.GuildID(), Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel}}})
	h := startOn(t, fd, mustOpenDB(t), bot.Config{}, answerWith("x"), withServer(nil, nil))
	for _, tc := range []struct {
		name, want string
		opt        *discordgo.ApplicationCommandInteractionDataOption
	}{
		{"digest-schedule", "I can't post in <#" + noEmbeds + ">: I need Embed Links there.", discordtest.SubCommandOpt("set", discordtest.ChannelOpt("channel", noEmbeds),
			discordtest.StringOpt("time", "08:00"), discordtest.StringOpt("timezone", "Europe/Berlin"))},
		{"digest-schedule", "I can't post in <#" + hidden + ">: I need View Channel, Send Messages and Embed Links there.", discordtest.SubCommandOpt("set",
			discordtest.ChannelOpt("channel", hidden), discordtest.StringOpt("time", "08:00"), discordtest.StringOpt("timezone", "Europe/Berlin"))},
		{"feed", "I can't post in <#" + noEmbeds + ">: I need Embed Links there.", discordtest.SubCommandOpt("add",
			discordtest.StringOpt("url", "https://gazette.example/rss"), discordtest.ChannelOpt("channel", noEmbeds))},
		{"feed", "I can't post in <#" + hidden + ">", discordtest.SubCommandOpt("alerts", discordtest.ChannelOpt("channel", hidden))},
	} {
		if got := h.privateText(t, h.slash(admin, tc.name, tc.opt)); !strings.HasPrefix(got, tc.want) {
			t.Errorf("/%s %s: %q, want %q", tc.name, tc.opt.Name, got, tc.want)
		}
	}
	ctx := context.Background()
	if feeds, _ := h.db.Feeds(ctx, fd.GuildID()); len(feeds) != 0 {
		t.Errorf("feed added despite the refusal: %+v", feeds)
	}
	if s, _ := h.db.DigestSchedules(ctx, fd.GuildID()); len(s) != 0 {
		t.Errorf("digest scheduled despite the refusal: %+v", s)
	}
	// The channel it may post in is accepted, and admins can list it.
	got := h.privateText(t, h.slash(admin, "digest-schedule", discordtest.SubCommandOpt("set", discordtest.ChannelOpt("channel", fd.ChannelID()),
		discordtest.StringOpt("time", "08:00"), discordtest.StringOpt("timezone", "Europe/Berlin"))))
	if !strings.HasPrefix(got, "Every day at 08:00 (Europe/Berlin) the digest will be posted in <#"+fd.ChannelID()+">.") {
		t.Errorf("schedule = %q", got)
	}
	list := h.privateText(t, h.slash(admin, "digest-schedule", discordtest.SubCommandOpt("list")))
	if !regexp.MustCompile(`Daily digests of this server \(1\)\n<#` + fd.ChannelID() + `> · every day at 08:00 \(Europe/Berlin\) · next <t:\d+:R>`).MatchString(list) {
		t.Errorf("list = %q", list)
	}
}

func TestUnknownSourceNamesTheOutlets(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, nil), func(b *bot.Bot, _ *discordtest.Fake) { putSample(t, b.Library.(*knowledge.DB)) })
	const want = "Herald has no articles from “BBC”. The outlets it has: Defense News."
	for _, tc := range []struct {
		name string
		opts []*discordgo.ApplicationCommandInteractionDataOption
	}{
		{"ask", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOpt("question", "Who leaked the call?"), discordtest.StringOpt("source", "BBC")}},
		{"search", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOpt("query", "Taurus"), discordtest.StringOpt("source", "BBC")}},
		{"digest", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommandOpt("show", discordtest.StringOpt("source", "BBC"))}},
	} {
		if got := h.privateText(t, h.slash(0, tc.name, tc.opts...)); got != want {
			t.Errorf("/%s source:BBC = %q, want %q", tc.name, got, want)
		}
	}
	got := h.privateText(t, h.slash(0, "search", discordtest.StringOpt("query", "Taurus"), discordtest.StringOpt("source", "defense news, CNN")))
	if got != "Herald has no articles from “CNN”. The outlets it has: Defense News." {
		t.Errorf("one of two unknown: %q", got)
	}
	// A known outlet, in any case, passes.
	got = h.privateText(t, h.slash(0, "search", discordtest.StringOpt("query", "Taurus"), discordtest.StringOpt("source", "defense NEWS")))
	if !strings.Contains(got, "Germany Blames Ukraine War Talks Leak") {
		t.Errorf("search with a known source = %q", got)
	}
}

func TestSummaryOfAnUnknownURLAndArticleAdd(t *testing.T) {
	t.Parallel()
	var fetched []string
	var db *knowledge.DB
	adder := adderFunc(func(ctx context.Context, guildID, raw string) (*knowledge.Article, error) {
		fetched = append(fetched, guildID+" "+raw)
		a := gazette(7, time.Now().Add(-time.Hour))
		a.URL, a.GuildID = raw, guildID
		if _, err := db.PutArticle(ctx, a); err != nil {
			return nil, err
		}
		return a, nil
	})
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, adder))
	db = h.db
	const u = "https://gazette.example/news/7"
	member := h.privateText(t, h.slash(discordgo.PermissionSendMessages, "summary", discordtest.StringOpt("of", u)))
	if member != "That article is not in Herald's knowledge base. A server admin can add it." {
		t.Errorf("member = %q", member)
	}
	adm := h.privateText(t, h.slash(admin, "summary", discordtest.StringOpt("of", u)))
	if !regexp.MustCompile("^That article is not in Herald's knowledge base yet\\. </article add:\\d+> `url:" + regexp.QuoteMeta(u) + "` fetches and summarises it; </feed add:\\d+> follows its site's feed\\.$").MatchString(adm) {
		t.Errorf("admin = %q", adm)
	}
	if strings.Contains(member+adm, "herald ") {
		t.Error("a member-facing text mentions the command line")
	}
	id := h.slash(admin, "article", discordtest.SubCommandOpt("add", discordtest.StringOpt("url", u)))
	res := h.waitResult(t, id, answered)
	if res.Ephemeral || !strings.HasPrefix(res.Original.Content, "**Summary: Harbour story number 7**") {
		t.Errorf("article add = %q (ephemeral %v)", res.Original.Content, res.Ephemeral)
	}
	if len(fetched) != 1 || fetched[0] != h.fd.GuildID()+" "+u {
		t.Errorf("fetched = %v", fetched)
	}
	// Now stored: /summary of the URL works for everyone.
	res = h.waitResult(t, h.slash(0, "summary", discordtest.StringOpt("of", u)), answered)
	if !strings.HasPrefix(res.Original.Content, "**Summary: Harbour story number 7**") {
		t.Errorf("summary = %q", res.Original.Content)
	}
}

func TestSourcesWhenEmptyNeedsNoCommandLine(t *testing.T) {
	t.Parallel()
	h := start(t, bot.Config{}, answerWith("x"), withServer(nil, nil))
	got := h.privateText(t, h.slash(0, "sources"))
	if !regexp.MustCompile(`^I don't have any articles yet\. A server admin can follow news feeds with </feed add:\d+>\.$`).MatchString(got) {
		t.Errorf("sources = %q", got)
	}
}

func TestGatewayCloseCodesAreExplained(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code    int
		reason  string
		errs    string
		setting error // in the chain, for the command line to name the setting
	}{
		{4004, "Authentication failed.", "Reset Token", bot.ErrToken},
		{discordtest.CloseShardingRequired, "Sharding required.", "connect in shards", bot.ErrShardsRequired},
		{discordtest.CloseInvalidIntents, "Invalid intent(s).", "a bug in Herald", nil},
		{discordtest.CloseDisallowedIntents, "Disallowed intent(s).", "Privileged Gateway Intents", nil},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			t.Parallel()
			fd := discordtest.New(t)
			fd.RefuseIdentify(tc.code, tc.reason)
			s, _ := discordgo.New("Bot test-token")
			fd.Attach(s)
			logs := &logBuffer{}
			b := &bot.Bot{Session: s, Asker: answerWith("x"), Logger: newLogger(logs)}
			err := b.Run(context.Background())
			if knowledge.ErrorCode(err) != knowledge.EINVALID || !strings.Contains(knowledge.ErrorMessage(err), tc.errs) {
				t.Fatalf("Run = %v", err)
			}
			if tc.setting != nil && !errors.Is(err, tc.setting) {
				t.Errorf("Run = %v, without %v in its chain", err, tc.setting)
			}
			if msg := knowledge.ErrorMessage(err); strings.Contains(msg, "HERALD_") || strings.Contains(msg, "DISCORD_TOKEN") {
				t.Errorf("the bot's message names an environment variable: %q", msg)
			}
			if msg := knowledge.ErrorMessage(err); !strings.Contains(msg, fmt.Sprintf("close code %d", tc.code)) {
				t.Errorf("the close code is not named: %q", msg)
			}
			// The error is the one line serve prints; the bot does not log it too.
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("the refusal is logged besides being returned:\n%s", logs.String())
			}
		})
	}
}
