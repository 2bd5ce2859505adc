package discordtest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot/discordtest"
)

func TestRateLimitSendsDiscordsHeadersAndRefusesBeyondTheLimit(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s := openSession(t, fd, nil)
	m, err := s.ChannelMessageSend(fd.ChannelID(), "v0")
	if err != nil {
		t.Fatal(err)
	}
	fd.SetRateLimit("PATCH", "channels/*/messages/*", discordtest.RateLimit{Limit: 2, Window: time.Minute})

	// A client that ignores the headers: the third edit in the window is refused.
	client := fd.HTTPClient()
	edit := func(content string) *http.Response {
		body, _ := json.Marshal(map[string]string{"content": content})
		req, _ := http.NewRequest("PATCH", "https://discord.com/api/v9/channels/"+fd.ChannelID()+"/messages/"+m.ID, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bot test-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i, want := range []string{"1", "0"} {
		resp := edit("v" + want)
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != want ||
			h.Get("X-RateLimit-Bucket") == "" || h.Get("X-RateLimit-Reset-After") == "" || h.Get("X-RateLimit-Reset") == "" {
			t.Errorf("edit %d: %d %v", i, resp.StatusCode, h)
		}
	}
	resp := edit("v3")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("third edit: %d %v", resp.StatusCode, resp.Header)
	}
	if got := fd.Message(m.ID).Content; got != "v0" || fd.RateLimited() != 1 {
		t.Errorf("content %q after a refused edit, %d refused", got, fd.RateLimited())
	}
	// Buckets are per channel: another channel's edits are not limited by these.
	other := fd.AddChannel(&discordgo.Channel{GuildID: fd.GuildID(), Name: "other", Type: discordgo.ChannelTypeGuildText})
	om, err := s.ChannelMessageSend(other, "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelMessageEdit(other, om.ID, "y"); err != nil {
		t.Errorf("edit in another channel: %v", err)
	}

	// discordgo reads the headers and waits for the window instead of
	// getting refused.
	fd.SetRateLimit("PATCH", "channels/*/messages/*", discordtest.RateLimit{Limit: 2, Window: 150 * time.Millisecond})
	for i := 0; i < 5; i++ {
		if _, err := s.ChannelMessageEdit(other, om.ID, strings.Repeat("z", i+1)); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	if n := fd.RateLimited(); n != 1 {
		t.Errorf("%d requests refused; discordgo should have waited", n)
	}
}

func TestButtonsModalsAndReactions(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	got := make(chan *discordgo.Interaction, 4)
	s := openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { got <- i.Interaction })
	})
	row := discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Vote", Style: discordgo.PrimaryButton, CustomID: "vote:1"},
		discordgo.Button{Label: "Site", Style: discordgo.LinkButton, URL: "https://example.com"},
	}}
	m, err := s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{Content: "pick", Components: []discordgo.MessageComponent{row}})
	if err != nil {
		t.Fatal(err)
	}
	// Discord's rules on components are checked.
	for name, bad := range map[string]discordgo.MessageComponent{
		"no label or emoji": discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Style: discordgo.PrimaryButton, CustomID: "a"}}},
		"duplicate id": discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "a", Style: discordgo.PrimaryButton, CustomID: "x"}, discordgo.Button{Label: "b", Style: discordgo.PrimaryButton, CustomID: "x"}}},
		"custom id too long": discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "a", Style: discordgo.PrimaryButton, CustomID: strings.Repeat("x", 101)}}},
		"bare button":        discordgo.Button{Label: "a", Style: discordgo.PrimaryButton, CustomID: "a"},
	} {
		_, err := s.ChannelMessageSendComplex(fd.ChannelID(), &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{bad}})
		if re := restError(t, err); re.Response.StatusCode != 400 || re.Message.Code != 50035 {
			t.Errorf("%s: %v", name, err)
		}
	}
	msg := fd.Message(m.ID)
	bob := &discordgo.User{ID: "1212912186163331555", Username: "bob"}
	id, _ := fd.SendInteraction(fd.ButtonClick(msg, bob, discordgo.PermissionManageMessages, "vote:1"))
	i := <-got
	if i.Type != discordgo.InteractionMessageComponent || i.MessageComponentData().CustomID != "vote:1" || i.Message == nil || i.Message.ID != m.ID ||
		i.Member == nil || i.Member.User.ID != bob.ID || i.Member.Permissions != discordgo.PermissionManageMessages || i.GuildID != fd.GuildID() {
		t.Fatalf("click = %+v", i)
	}
	modal := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.TextInput{CustomID: "question", Label: "Your question", Style: discordgo.TextInputParagraph, Required: true, MaxLength: 500},
	}}}
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{CustomID: "ask:1", Title: "Follow up", Components: modal}}); err != nil {
		t.Fatal(err)
	}
	res := fd.InteractionResponse(id)
	inputs := fd.ModalInputs(id)
	if res.Modal == nil || res.Modal.CustomID != "ask:1" || len(inputs) != 1 || inputs[0].CustomID != "question" || inputs[0].MaxLength != 500 {
		t.Errorf("modal = %+v, inputs %+v", res.Modal, inputs)
	}
	fd.SendInteraction(fd.ModalSubmit(fd.ChannelID(), msg, bob, 0, "ask:1", map[string]string{"question": "and then?"}))
	i = <-got
	data := i.ModalSubmitData()
	if i.Type != discordgo.InteractionModalSubmit || data.CustomID != "ask:1" || len(data.Components) != 1 ||
		data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput).Value != "and then?" {
		t.Errorf("submission = %+v", data)
	}

	if err := s.MessageReactionAdd(fd.ChannelID(), m.ID, "⏳"); err != nil {
		t.Fatal(err)
	}
	if r := fd.Reactions(m.ID); len(r) != 1 || r[0] != "⏳" {
		t.Errorf("reactions = %v", r)
	}
}

func TestInteractionTokenExpiresAfterFifteenMinutes(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	var later atomic.Int64
	fd.SetClock(func() time.Time { return time.Now().Add(time.Duration(later.Load())) })
	got := make(chan *discordgo.Interaction, 1)
	s := openSession(t, fd, func(s *discordgo.Session) {
		s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { got <- i.Interaction })
	})
	fd.SendInteraction(fd.SlashCommand(fd.GuildID(), fd.ChannelID(), nil, 0, "ask"))
	i := <-got
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	content := "still alive"
	if _, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content}); err != nil {
		t.Fatal(err)
	}
	later.Store(int64(16 * time.Minute))
	_, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &content})
	if re := restError(t, err); re.Response.StatusCode != 401 || re.Message.Code != 50027 {
		t.Errorf("edit with a dead token: %v", err)
	}
}
