package discordtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot/discordtest"
)

// TestHeldRequestWaitsAndADroppedOneChangesNothing: a held request is
// answered only once released; one whose client gives up while held
// creates nothing.
func TestHeldRequestWaitsAndADroppedOneChangesNothing(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)

	h := fd.HoldNext("POST", "/channels/"+fd.ChannelID()+"/messages")
	done := make(chan error, 1)
	go func() {
		_, err := s.ChannelMessageSend(fd.ChannelID(), "first")
		done <- err
	}()
	if c := h.WaitArrived(t, wait); !strings.Contains(string(c.Body), "first") {
		t.Errorf("held call = %s", c.Body)
	}
	select {
	case err := <-done:
		t.Fatalf("a held request was answered: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if n := len(fd.Messages(fd.ChannelID())); n != 0 {
		t.Errorf("%d messages while the request is held", n)
	}
	h.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(fd.Messages(fd.ChannelID())); n != 1 {
		t.Errorf("%d messages after release", n)
	}

	// The client gives up while held: nothing is created.
	h = fd.HoldNext("POST", "/channels/")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := s.ChannelMessageSend(fd.ChannelID(), "second", discordgo.WithContext(ctx))
		done <- err
	}()
	h.WaitArrived(t, wait)
	cancel()
	<-done
	fd.WaitUntil(t, h.Dropped, wait)
	h.Release()
	if n := len(fd.Messages(fd.ChannelID())); n != 1 {
		t.Errorf("%d messages after a dropped request", n)
	}
	if got := fd.CallsMatching(func(c discordtest.Call) bool { return c.Status == 499 }); len(got) != 1 {
		t.Errorf("dropped calls recorded: %v", got)
	}
}

// TestEnforcedNonceCreatesOnce: a second message with the same nonce and
// enforce_nonce returns the first; without enforce_nonce, or with another
// nonce, a new one is made; a nonce over 25 characters is refused.
func TestEnforcedNonceCreatesOnce(t *testing.T) {
	t.Parallel()
	fd := discordtest.New(t)
	s, _ := discordgo.New("Bot test-token")
	fd.Attach(s)
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := s.RequestRaw("POST", discordgo.EndpointChannelMessages(fd.ChannelID()), "application/json", []byte(body), discordgo.EndpointChannelMessages(fd.ChannelID()), 0)
		if err != nil {
			if re, ok := err.(*discordgo.RESTError); ok {
				return re.Response.StatusCode, string(re.ResponseBody)
			}
			t.Fatal(err)
		}
		return http.StatusOK, string(resp)
	}
	_, first := post(`{"content": "digest", "nonce": "digest-7.0", "enforce_nonce": true}`)
	_, again := post(`{"content": "digest", "nonce": "digest-7.0", "enforce_nonce": true}`)
	if first != again {
		t.Errorf("the repeat made a new message:\n%s\n%s", first, again)
	}
	post(`{"content": "other", "nonce": "digest-7.1", "enforce_nonce": true}`)
	post(`{"content": "loose", "nonce": "digest-7.0"}`)
	if n := len(fd.Messages(fd.ChannelID())); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
	if code, body := post(`{"content": "x", "nonce": "abcdefghijklmnopqrstuvwxyz", "enforce_nonce": true}`); code != 400 || !strings.Contains(body, "nonce") {
		t.Errorf("a 26-character nonce: %d %s", code, body)
	}
}
