package discordtest_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/herald-bot/herald/bot/discordtest"
)

const wait = 3 * time.Second

// openSession attaches a new session to fd, lets setup add handlers, opens
// it and waits until discordgo has processed READY and GUILD_CREATE.
func openSession(t *testing.T, fd *discordtest.Fake, setup func(s *discordgo.Session)) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	fd.Attach(s)
	if setup != nil {
		setup(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	fd.WaitSessionReady(t, s, wait)
	return s
}

func restError(t *testing.T, err error) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want *discordgo.RESTError", err, err)
	}
	return re
}

func TestOpenReceivesReadyAndGuild(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)

	if s.State.User == nil || s.State.User.ID != fd.BotUserID() || !s.State.User.Bot || s.State.User.Username != "Herald" {
		t.Errorf("State.User = %+v, want the bot", s.State.User)
	}
	if s.State.Application == nil || s.State.Application.ID != fd.AppID() {
		t.Errorf("State.Application = %+v, want app %s", s.State.Application, fd.AppID())
	}
	g, err := s.State.Guild(fd.GuildID())
	if err != nil || g.Name != "Herald Test" {
		t.Fatalf("State.Guild = %+v, %v", g, err)
	}
	ch, err := s.State.Channel(fd.ChannelID())
	if err != nil || ch.Name != "general" || ch.GuildID != fd.GuildID() {
		t.Errorf("State.Channel = %+v, %v", ch, err)
	}
	if m, err := s.State.Member(fd.GuildID(), fd.BotUserID()); err != nil || m.User.ID != fd.BotUserID() {
		t.Errorf("bot member = %+v, %v", m, err)
	}

	ids := fd.Identifies()
	if len(ids) != 1 || ids[0].Token != "Bot test-token" || ids[0].Intents != discordgo.IntentsAllWithoutPrivileged {
		t.Errorf("Identifies = %+v", ids)
	}
	gw := fd.WaitFor(t, discordtest.Match("GET", "/gateway"), wait)
	if gw.APIVersion != discordgo.APIVersion || gw.Host != "discord.com" || gw.Header.Get("Authorization") != "Bot test-token" {
		t.Errorf("GET /gateway call = %+v", gw)
	}
	// discordgo sends a heartbeat as soon as it is connected; the fake ACKs it.
	fd.WaitUntil(t, func() bool { return fd.Heartbeats() >= 1 }, wait)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestInteractionDeferredThenEdited(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	errs := make(chan error, 4)
	s := openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			if i.Type != discordgo.InteractionApplicationCommand || i.ApplicationCommandData().Name != "ask" {
				return
			}
			err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			if err != nil {
				errs <- err
				return
			}
			q := i.ApplicationCommandData().GetOption("question").StringValue()
			content := "You asked: " + q
			embeds := []*discordgo.MessageEmbed{{Title: "Sources", Description: "[1] Example"}}
			_, err = s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &content, Embeds: &embeds,
				AllowedMentions: &discordgo.MessageAllowedMentions{}})
			errs <- err
		})
	})

	in := fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, discordgo.PermissionManageGuild, "ask",
		discordtest.StringOpt("question", "what happened <@"+fd.UserID()+">?"))
	if p := in.Member.Permissions; p != discordgo.PermissionManageGuild {
		t.Fatalf("member permissions = %d", p)
	}
	id, token := fd.SendInteraction(in)
	if id == "" || token == "" {
		t.Fatal("no interaction id or token")
	}
	fd.WaitFor(t, discordtest.Match("PATCH", "/webhooks/"+fd.AppID()+"/"+token+"/messages/@original"), wait)
	if err := <-errs; err != nil {
		t.Fatalf("handler: %v", err)
	}

	res := fd.InteractionResponse(id)
	if res == nil || !res.Acknowledged || res.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !res.Deferred {
		t.Fatalf("result = %+v", res)
	}
	if res.Loading || res.Edits != 1 || res.Ephemeral {
		t.Errorf("Loading=%v Edits=%d Ephemeral=%v", res.Loading, res.Edits, res.Ephemeral)
	}
	o := res.Original
	if o.Content != "You asked: what happened <@"+fd.UserID()+">?" || len(o.Embeds) != 1 || o.Embeds[0].Title != "Sources" {
		t.Errorf("original = %q %+v", o.Content, o.Embeds)
	}
	if o.Flags&discordgo.MessageFlagsLoading != 0 || o.Author.ID != fd.BotUserID() || o.Type != discordgo.MessageTypeChatInputCommand {
		t.Errorf("original flags=%d author=%v type=%d", o.Flags, o.Author, o.Type)
	}
	if len(o.Mentions) != 0 {
		t.Errorf("empty allowed mentions still pinged %v", o.Mentions)
	}
	// The response is an ordinary (non-ephemeral) message of the channel.
	if msgs := fd.Messages(fd.ChannelID()); len(msgs) != 1 || msgs[0].ID != o.ID {
		t.Errorf("channel messages = %v", msgs)
	}
	_ = s
}

func TestFollowupReplacesDeferredLoadingMessage(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	type result struct {
		first, second *discordgo.Message
		err           error
	}
	done := make(chan result, 1)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			var r result
			defer func() { done <- r }()
			if r.err = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
			}); r.err != nil {
				return
			}
			if r.first, r.err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "part 1"}); r.err != nil {
				return
			}
			r.second, r.err = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "part 2"})
		})
	})
	id, _ := fd.SendInteraction(fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "digest"))
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	res := fd.InteractionResponse(id)
	if res.Original == nil || res.Original.ID != r.first.ID || res.Original.Content != "part 1" || !res.Ephemeral {
		t.Errorf("original = %+v, ephemeral %v; first follow-up %s", res.Original, res.Ephemeral, r.first.ID)
	}
	if len(res.Followups) != 1 || res.Followups[0].Content != "part 2" || res.Followups[0].ID != r.second.ID {
		t.Errorf("followups = %+v", res.Followups)
	}
}

func TestAutocomplete(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	errs := make(chan error, 1)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			if i.Type != discordgo.InteractionApplicationCommandAutocomplete {
				return
			}
			var focused string
			for _, o := range i.ApplicationCommandData().Options {
				if o.Focused {
					focused = o.StringValue()
				}
			}
			errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionApplicationCommandAutocompleteResult,
				Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: focused + " news", Value: focused}}},
			})
		})
	})
	id, _ := fd.SendInteraction(fd.Autocomplete(fd.GuildID(), fd.ChannelID(), nil, 0, "feed", discordtest.FocusedOpt("url", "bbc")))
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	res := fd.InteractionResponse(id)
	if len(res.Choices) != 1 || res.Choices[0].Name != "bbc news" || res.Original != nil {
		t.Errorf("result = %+v", res)
	}
}

func TestInteractionAnsweredTooLate(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	fd.SetInteractionDeadline(3 * time.Second)
	var late atomic.Int64
	fd.SetClock(func() time.Time { return time.Now().Add(time.Duration(late.Load())) })
	errs := make(chan error, 1)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			late.Store(int64(4 * time.Second)) // the handler took too long
			errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
		})
	})
	fd.SendInteraction(fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask"))
	re := restError(t, <-errs)
	if re.Response.StatusCode != 404 || re.Message == nil || re.Message.Code != 10062 {
		t.Errorf("late callback error = %v", re)
	}
}

func TestBulkOverwriteCommands(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)
	perm := int64(discordgo.PermissionManageGuild)
	cmds := []*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask about the news", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true},
		}},
		{Name: "feeds", Description: "Manage feeds", DefaultMemberPermissions: &perm, Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a feed", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Feed URL", Required: true, Autocomplete: true},
			}},
		}},
	}
	got, err := s.ApplicationCommandBulkOverwrite(s.State.Application.ID, fd.GuildID(), cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID == "" || got[0].GuildID != fd.GuildID() || got[0].ApplicationID != fd.AppID() || got[1].Name != "feeds" {
		t.Fatalf("created = %+v", got)
	}
	if reg := fd.Commands(fd.GuildID()); len(reg) != 2 || reg[1].DefaultMemberPermissions == nil || *reg[1].DefaultMemberPermissions != perm {
		t.Errorf("registered = %+v", reg)
	}
	// An overwrite keeps the IDs of commands that stay, as Discord does.
	again, err := s.ApplicationCommandBulkOverwrite(fd.AppID(), fd.GuildID(), cmds[:1])
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID {
		t.Errorf("second overwrite = %+v, %v", again, err)
	}
	// Slash command interactions carry the registered command's ID.
	if in := fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask"); in.ApplicationCommandData().ID != got[0].ID {
		t.Errorf("interaction command id = %s, want %s", in.ApplicationCommandData().ID, got[0].ID)
	}

	bad := []*discordgo.ApplicationCommand{
		{Name: "Ask", Description: "Upper case is not allowed"},
		{Name: "digest", Description: strings.Repeat("x", 101)},
	}
	_, err = s.ApplicationCommandBulkOverwrite(fd.AppID(), "", bad)
	re := restError(t, err)
	if re.Response.StatusCode != 400 || re.Message == nil || re.Message.Code != 50035 {
		t.Fatalf("error = %v", re)
	}
	body := string(re.ResponseBody)
	for _, want := range []string{`"0":{"name":{"_errors":[{"code":"APPLICATION_COMMAND_INVALID_NAME"`, `"1":{"description":{"_errors":[{"code":"BASE_TYPE_BAD_LENGTH"`} {
		if !strings.Contains(body, want) {
			t.Errorf("error body %s lacks %s", body, want)
		}
	}
	if reg := fd.Commands(""); len(reg) != 0 {
		t.Errorf("a rejected overwrite registered %v", reg)
	}

	tooMany := &discordgo.ApplicationCommand{Name: "many", Description: "Too many options"}
	for i := 0; i < 26; i++ {
		tooMany.Options = append(tooMany.Options, &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: "o" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Description: "d"})
	}
	tooMany.Options[25].Name = "zz"
	if _, err := s.ApplicationCommandBulkOverwrite(fd.AppID(), "", []*discordgo.ApplicationCommand{tooMany}); err == nil ||
		!strings.Contains(string(restError(t, err).ResponseBody), `"options":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`) {
		t.Errorf("26 options: err = %v", err)
	}
}

func TestChannelMessageLimits(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)

	_, err := s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{Content: strings.Repeat("a", 2001)})
	re := restError(t, err)
	if re.Response.StatusCode != 400 || re.Message.Code != 50035 || !strings.Contains(string(re.ResponseBody), `"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"`) {
		t.Errorf("too long: %v", re)
	}
	fields := make([]*discordgo.MessageEmbedField, 26)
	for i := range fields {
		fields[i] = &discordgo.MessageEmbedField{Name: "n", Value: "v"}
	}
	_, err = s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
		{Title: strings.Repeat("t", 257), Fields: fields},
		{Description: strings.Repeat("d", 4096)},
		{Description: strings.Repeat("d", 2000)},
	}})
	body := string(restError(t, err).ResponseBody)
	for _, want := range []string{`"title":{"_errors"`, `"fields":{"_errors"`, `MAX_EMBED_SIZE_EXCEEDED`} {
		if !strings.Contains(body, want) {
			t.Errorf("embed errors %s lack %s", body, want)
		}
	}
	if _, err = s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{Content: "  "}); restError(t, err).Message.Code != 50006 {
		t.Errorf("empty message: %v", err)
	}

	content := strings.Repeat("a", 2000)
	m, err := s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{
		Content: content, Embeds: []*discordgo.MessageEmbed{{Title: "Sources", Footer: &discordgo.MessageEmbedFooter{Text: "Herald"}}},
		AllowedMentions: &discordgo.MessageAllowedMentions{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || m.ChannelID != fd.ChannelID() || m.Content != content || len(m.Embeds) != 1 || m.Embeds[0].Type != discordgo.EmbedTypeRich {
		t.Errorf("created = %+v", m)
	}
	if _, err := s.ChannelMessageEdit(fd.ChannelID(), m.ID, "edited"); err != nil {
		t.Fatal(err)
	}
	msgs := fd.Messages(fd.ChannelID())
	if len(msgs) != 1 || msgs[0].Content != "edited" || msgs[0].EditedTimestamp == nil || len(msgs[0].Embeds) != 1 {
		t.Errorf("stored = %+v", msgs)
	}
	got, err := s.ChannelMessage(fd.ChannelID(), m.ID)
	if err != nil || got.Content != "edited" {
		t.Errorf("ChannelMessage = %+v, %v", got, err)
	}
	if _, err := s.ChannelMessage(fd.ChannelID(), "1"); restError(t, err).Message.Code != 10008 {
		t.Errorf("unknown message: %v", err)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)
	limited := make(chan *discordgo.RateLimit, 1)
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) { limited <- rl })

	fd.FailNext("POST", "/channels/"+fd.ChannelID()+"/messages", http.StatusTooManyRequests, "")
	m, err := s.ChannelMessageSend(fd.ChannelID(), "hello")
	if err != nil {
		t.Fatalf("discordgo did not retry the 429: %v", err)
	}
	calls := fd.CallsMatching(discordtest.Match("POST", "/channels/"))
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Errorf("calls = %v", calls)
	}
	if msgs := fd.Messages(fd.ChannelID()); len(msgs) != 1 || msgs[0].ID != m.ID {
		t.Errorf("messages = %v", msgs)
	}
	select {
	case rl := <-limited:
		if rl.RetryAfter != 10*time.Millisecond {
			t.Errorf("RetryAfter = %v", rl.RetryAfter)
		}
	case <-time.After(wait):
		t.Error("no RateLimit event")
	}

	fd.FailNext("", "/channels/", 500, "")
	_, err = s.ChannelMessageSend(fd.ChannelID(), "again")
	if re := restError(t, err); re.Response.StatusCode != 500 {
		t.Errorf("500: %v", re)
	}
}

func TestDisallowedIntentsCloseOpen(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	fd.RejectIntents(discordgo.IntentMessageContent | discordgo.IntentGuildMembers)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	s.Identify.Intents |= discordgo.IntentMessageContent

	err := s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != discordtest.CloseDisallowedIntents || ce.Text != "Disallowed intent(s)." {
		t.Fatalf("Open error = %v (%T), want close 4014", err, err)
	}
	if ids := fd.Identifies(); len(ids) != 1 || ids[0].Intents&discordgo.IntentMessageContent == 0 {
		t.Errorf("identifies = %+v", ids)
	}
	// Without the privileged intent the same session identifies fine.
	s.Identify.Intents &^= discordgo.IntentMessageContent
	if err := s.Open(); err != nil {
		t.Fatalf("second Open: %v", err)
	}
}

func TestCloseCodeMidSessionReconnects(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	disconnects := make(chan struct{}, 4)
	s := openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { disconnects <- struct{}{} })
	})
	first := fd.SessionID()

	// 4014 after READY is not resumable: discordgo only sees a read error,
	// emits Disconnect, reconnects, its RESUME is refused and it identifies again.
	fd.CloseGateway(discordtest.CloseDisallowedIntents, "Disallowed intent(s).")
	select {
	case <-disconnects:
	case <-time.After(wait):
		t.Fatal("no Disconnect event")
	}
	fd.WaitUntil(t, func() bool { return len(fd.Identifies()) == 2 && fd.Connected() }, wait)
	if r := fd.Resumes(); len(r) != 1 || r[0].Accepted || r[0].SessionID != first {
		t.Errorf("resumes = %+v", r)
	}
	if fd.SessionID() == first {
		t.Error("no new session")
	}
	if _, err := s.ChannelMessageSend(fd.ChannelID(), "still here"); err != nil {
		t.Error(err)
	}
}

func TestDropConnectionResumesAndDuplicateIsRejected(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	errs := make(chan error, 4)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
			errs <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseChannelMessageWithSource,
				Data: &discordgo.InteractionResponseData{Content: "answer"},
			})
		})
	})
	in := fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask")
	id, _ := fd.SendInteraction(in)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	session := fd.SessionID()

	fd.DropConnection()
	fd.WaitConnected(t, wait)
	if r := fd.Resumes(); len(r) != 1 || !r[0].Accepted || r[0].SessionID != session {
		t.Fatalf("resumes = %+v", r)
	}
	// Discord may deliver an event twice around a resume.
	fd.SendInteraction(in)
	re := restError(t, <-errs)
	if re.Message == nil || re.Message.Code != 40060 {
		t.Errorf("duplicate answer: %v", re)
	}
	if res := fd.InteractionResponse(id); res.Original.Content != "answer" {
		t.Errorf("original = %+v", res.Original)
	}
}

func TestMentionReplyAndThread(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	type result struct {
		content string
		reply   *discordgo.Message
		thread  *discordgo.Channel
		err     error
	}
	done := make(chan result, 4)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
			if m.Author.ID == s.State.User.ID {
				return // the fake echoes the bot's own messages, as Discord does
			}
			r := result{content: m.Content}
			defer func() { done <- r }()
			mentioned := false
			for _, u := range m.Mentions {
				mentioned = mentioned || u.ID == s.State.User.ID
			}
			if !mentioned {
				r.err = errors.New("bot not mentioned")
				return
			}
			channel := m.ChannelID
			if ch, err := s.State.Channel(m.ChannelID); err == nil && !ch.IsThread() {
				if r.thread, r.err = s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{Name: "Answer", AutoArchiveDuration: 60}); r.err != nil {
					return
				}
				channel = r.thread.ID
			}
			_ = s.ChannelTyping(channel)
			send := &discordgo.MessageSend{Content: "Here is what I found, <@" + m.Author.ID + ">", AllowedMentions: &discordgo.MessageAllowedMentions{}}
			if r.thread == nil {
				send.Reference = m.Reference()
			}
			r.reply, r.err = s.ChannelMessageSendComplex(channel, send)
		})
	})
	id := fd.SendMessage(fd.Mention(fd.ChannelID(), nil, "what happened today?"))
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.content != "<@"+fd.BotUserID()+"> what happened today?" {
		t.Errorf("content = %q", r.content)
	}
	if r.thread.Type != discordgo.ChannelTypeGuildPublicThread || r.thread.ID != id || r.thread.ParentID != fd.ChannelID() {
		t.Errorf("thread = %+v", r.thread)
	}
	if len(r.reply.Mentions) != 0 {
		t.Errorf("reply pinged %v", r.reply.Mentions)
	}
	if msgs := fd.Messages(r.thread.ID); len(msgs) != 1 || msgs[0].Content != r.reply.Content {
		t.Errorf("thread messages = %v", msgs)
	}
	if orig := fd.Message(id); orig == nil || orig.Thread == nil || orig.Flags&discordgo.MessageFlagsHasThread == 0 {
		t.Errorf("question after thread = %+v", orig)
	}
	fd.WaitFor(t, discordtest.Match("POST", "/channels/"+r.thread.ID+"/typing"), wait)

	// A reply to the bot's message pings the bot, so it arrives with its
	// content even without the MESSAGE_CONTENT intent; the bot answers in place.
	fd.SendMessage(discordtest.ReplyTo(fd.UserMessage(r.thread.ID, nil, "and yesterday?"), r.reply, true))
	r2 := <-done
	if r2.err != nil {
		t.Fatal(r2.err)
	}
	if r2.content != "and yesterday?" || r2.reply.Type != discordgo.MessageTypeReply || r2.reply.ReferencedMessage == nil {
		t.Errorf("second answer: content %q, reply %+v", r2.content, r2.reply)
	}
}

func TestMessageContentNeedsIntent(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	got := make(chan *discordgo.MessageCreate, 4)
	openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m })
	})
	fd.SendMessage(fd.UserMessage(fd.ChannelID(), nil, "no mention here"))
	m := <-got
	if m.Content != "" || m.Author.ID != fd.UserID() || m.GuildID != fd.GuildID() {
		t.Errorf("without MESSAGE_CONTENT: %+v", m.Message)
	}
	if stored := fd.Message(m.ID); stored.Content != "no mention here" {
		t.Errorf("stored = %q", stored.Content)
	}
}

func TestUnknownEndpointAndForeignHostStayLocal(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	_, err := s.Request("GET", "https://example.com/api/v9/nothing/here?x=1", nil)
	re := restError(t, err)
	if re.Response.StatusCode != 404 || re.Message == nil || re.Message.Code != 0 {
		t.Errorf("error = %v", re)
	}
	c := fd.WaitFor(t, discordtest.Match("GET", "/nothing/here"), wait)
	if c.Host != "example.com" || c.Query.Get("x") != "1" || c.Status != 404 {
		t.Errorf("call = %+v", c)
	}
	u, err := s.User("@me")
	if err != nil || u.ID != fd.BotUserID() {
		t.Errorf("User(@me) = %+v, %v", u, err)
	}
	mem, err := s.GuildMember(fd.GuildID(), fd.UserID())
	if err != nil || mem.User.Username != "alice" {
		t.Errorf("GuildMember = %+v, %v", mem, err)
	}
	g, err := s.Guild(fd.GuildID())
	if err != nil || g.Name != "Herald Test" {
		t.Errorf("Guild = %+v, %v", g, err)
	}
	ch, err := s.Channel(fd.ChannelID())
	if err != nil || ch.Name != "general" {
		t.Errorf("Channel = %+v, %v", ch, err)
	}
}
