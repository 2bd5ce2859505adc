package bot

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// AnswerStore keeps the answers Herald posts and the members' votes on
// them, so that the buttons of an answer work after a restart (their state
// is the answer's ID in the button and its row in the database) and the
// operator can read the feedback with the evidence it judged;
// *knowledge.DB satisfies it.
type AnswerStore interface {
	SavePostedAnswer(ctx context.Context, a *knowledge.PostedAnswer) error
	SetPostedAnswerMessages(ctx context.Context, id int64, channelID, conversationID string, messageIDs []string) error
	PostedAnswer(ctx context.Context, id int64) (*knowledge.PostedAnswer, error)
	MarkPostedAnswerDeleted(ctx context.Context, id int64) error
	Vote(ctx context.Context, answerID int64, userID string, vote int) (previous int, err error)
}

// The actions of an answer's buttons and its follow-up form. A custom ID
// is "answer:" + action + ":" + the answer's ID.
const (
	customPrefix   = "answer:"
	actionUp       = "up"
	actionDown     = "down"
	actionSources  = "sources"
	actionFollowUp = "follow-up"
	actionDelete   = "delete"
	actionAsk      = "ask" // the follow-up form's submission
	// questionInput is the custom ID of the follow-up form's text field.
	questionInput = "question"
)

// Votes as members see them.
const (
	thumbsUp   = "👍"
	thumbsDown = "👎"
)

func customID(action string, answerID int64) string {
	return customPrefix + action + ":" + strconv.FormatInt(answerID, 10)
}

// parseCustomID reads "answer:action:id".
func parseCustomID(s string) (action string, id int64, ok bool) {
	rest, found := strings.CutPrefix(s, customPrefix)
	if !found {
		return "", 0, false
	}
	action, num, found := strings.Cut(rest, ":")
	if !found {
		return "", 0, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return action, id, true
}

// button is a button that sends a label only when it has one (discordgo's
// Button always sends "label", empty for an emoji-only button).
type button struct {
	Label    string
	Emoji    string
	Style    discordgo.ButtonStyle
	CustomID string
}

// Type implements discordgo.MessageComponent.
func (button) Type() discordgo.ComponentType { return discordgo.ButtonComponent }

// MarshalJSON implements json.Marshaler.
func (b button) MarshalJSON() ([]byte, error) {
	out := map[string]any{"type": discordgo.ButtonComponent, "style": b.Style, "custom_id": b.CustomID}
	if b.Label != "" {
		out["label"] = b.Label
	}
	if b.Emoji != "" {
		out["emoji"] = map[string]string{"name": b.Emoji}
	}
	return json.Marshal(out)
}

// answerButtons are the buttons of a final answer: 👍, 👎, Sources,
// Follow up and Delete, in one row.
func answerButtons(locale discordgo.Locale, answerID int64) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		button{Emoji: thumbsUp, Style: discordgo.SecondaryButton, CustomID: customID(actionUp, answerID)},
		button{Emoji: thumbsDown, Style: discordgo.SecondaryButton, CustomID: customID(actionDown, answerID)},
		button{Label: tr(locale, txtButtonSources), Style: discordgo.SecondaryButton, CustomID: customID(actionSources, answerID)},
		button{Label: tr(locale, txtButtonFollowUp), Style: discordgo.PrimaryButton, CustomID: customID(actionFollowUp, answerID)},
		button{Label: tr(locale, txtButtonDelete), Style: discordgo.DangerButton, CustomID: customID(actionDelete, answerID)},
	}}}
}

// onComponent serves the buttons of answers, the follow-up form and a
// digest's story picker with its form: once
// per interaction ID, never after Discord's deadline, recovering from
// panics.
func (b *Bot) onComponent(i *discordgo.Interaction) {
	if i.Type != discordgo.InteractionMessageComponent && i.Type != discordgo.InteractionModalSubmit {
		return
	}
	log := b.Logger.With("interaction", i.ID)
	if !b.seen.add("i:"+i.ID, b.now()) {
		log.Info("duplicate interaction ignored")
		return
	}
	deadline := b.deadline
	if deadline <= 0 {
		deadline = interactionDeadline
	}
	if age := b.snowflakeAge(i.ID); age > deadline {
		log.Warn("interaction is older than Discord's 3 s deadline, not answered (check the system clock if this repeats)", "age", age.Round(1e6))
		return
	}
	r := newRequest(b, i, nil)
	if !b.begin() {
		_ = r.Reply(context.Background(), Message{Content: tr(i.Locale, txtRestarting), Ephemeral: true})
		return
	}
	defer b.end()
	ctx := b.workCtx
	var custom string
	if i.Type == discordgo.InteractionMessageComponent {
		custom = i.MessageComponentData().CustomID
	} else {
		custom = i.ModalSubmitData().CustomID
	}
	log = log.With("component", custom, "guild", r.GuildID, "user", r.UserID)
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic in a component handler", "panic", p, "stack", string(debug.Stack()))
			b.metrics.errors.WithLabelValues(knowledge.EINTERNAL).Inc()
			if err := r.Reply(ctx, Message{Content: tr(i.Locale, txtPanic), Ephemeral: true}); err != nil {
				log.Warn("cannot tell the user about a failure", "err", err)
			}
		}
	}()
	action, id, ok := parseCustomID(custom)
	var err error
	switch {
	case strings.HasPrefix(custom, storyPrefix):
		err = b.onStoryComponent(ctx, r, custom)
	case !ok || b.Answers == nil:
		err = knowledge.Errorf(knowledge.ENOTFOUND, "%s", tr(i.Locale, txtButtonsUnavailable))
	case i.Type == discordgo.InteractionModalSubmit && action == actionAsk:
		err = b.submitFollowUp(ctx, r, id)
	case i.Type == discordgo.InteractionModalSubmit:
		err = knowledge.Errorf(knowledge.ENOTFOUND, "%s", tr(i.Locale, txtButtonsUnavailable))
	case action == actionUp:
		err = b.vote(ctx, r, id, knowledge.VoteUp)
	case action == actionDown:
		err = b.vote(ctx, r, id, knowledge.VoteDown)
	case action == actionSources:
		err = b.showSources(ctx, r, id)
	case action == actionFollowUp:
		err = b.openFollowUp(ctx, r, id)
	case action == actionDelete:
		err = b.deleteAnswer(ctx, r, id)
	default:
		err = knowledge.Errorf(knowledge.ENOTFOUND, "%s", tr(i.Locale, txtButtonsUnavailable))
	}
	if err != nil {
		r.b.logError(err, "interaction", i.ID, "component", custom, "guild", r.GuildID, "user", r.UserID)
		if rerr := r.Reply(ctx, Message{Content: knowledge.ErrorMessage(err), Ephemeral: true}); rerr != nil {
			log.Warn("cannot tell the user about an error", "err", rerr)
		}
	}
}

// postedAnswer loads the answer a button belongs to; a deleted or unknown
// one is a polite ENOTFOUND.
func (b *Bot) postedAnswer(ctx context.Context, r *Request, id int64) (*knowledge.PostedAnswer, error) {
	a, err := b.Answers.PostedAnswer(ctx, id)
	if knowledge.ErrorCode(err) == knowledge.ENOTFOUND {
		return nil, knowledge.WrapError(knowledge.ENOTFOUND, tr(r.Interaction.Locale, txtAnswerGone), err)
	}
	if err != nil {
		return nil, err
	}
	if a.Deleted {
		return nil, knowledge.Errorf(knowledge.ENOTFOUND, "%s", tr(r.Interaction.Locale, txtAnswerDeleted))
	}
	return a, nil
}

// vote records a member's 👍 or 👎; anyone may vote once on an answer and
// change their vote later. The reply is private.
func (b *Bot) vote(ctx context.Context, r *Request, id int64, vote int) error {
	loc := r.Interaction.Locale
	prev, err := b.Answers.Vote(ctx, id, r.UserID, vote)
	if knowledge.ErrorCode(err) == knowledge.ENOTFOUND {
		return knowledge.WrapError(knowledge.ENOTFOUND, tr(loc, txtAnswerGone), err)
	}
	if err != nil {
		return err
	}
	emoji := thumbsUp
	if vote == knowledge.VoteDown {
		emoji = thumbsDown
	}
	var text string
	switch prev {
	case 0:
		text = tr(loc, txtVoteThanks, emoji)
	case vote:
		text = tr(loc, txtVoteSame, emoji)
	default:
		text = tr(loc, txtVoteChanged, emoji)
	}
	if prev != vote {
		b.metrics.vote(vote, prev != 0)
	}
	b.Logger.Info("vote recorded", "answer", id, "user", r.UserID, "vote", vote, "previous", prev)
	return r.Reply(ctx, Message{Content: text, Ephemeral: true})
}

// showSources shows the full quotes of an answer's sources, privately.
func (b *Bot) showSources(ctx context.Context, r *Request, id int64) error {
	a, err := b.postedAnswer(ctx, r, id)
	if err != nil {
		return err
	}
	return r.Reply(ctx, renderSourceDetails(r.Interaction.Locale, a.Question, a.Sources))
}

// openFollowUp opens the follow-up form of an answer.
func (b *Bot) openFollowUp(ctx context.Context, r *Request, id int64) error {
	if _, err := b.postedAnswer(ctx, r, id); err != nil {
		return err
	}
	loc := r.Interaction.Locale
	rows := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.TextInput{CustomID: questionInput, Label: tr(loc, txtModalLabel), Style: discordgo.TextInputParagraph,
			Placeholder: tr(loc, txtModalPlaceholder), Required: true, MinLength: 2, MaxLength: knowledge.MaxQuestionRunes},
	}}}
	return r.showModal(ctx, customID(actionAsk, id), tr(loc, txtModalTitle), rows)
}

// showModal answers the interaction with a form.
func (r *Request) showModal(ctx context.Context, customID, title string, rows []discordgo.MessageComponent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.b.send.modal(ctx, r.Interaction, customID, title, rows); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, tr(r.Interaction.Locale, txtFormRefused), err)
	}
	r.state = stateReplied
	return nil
}

// submitFollowUp answers the question of a follow-up form in the
// conversation of the answer it was opened from, as a new answer in the
// channel.
func (b *Bot) submitFollowUp(ctx context.Context, r *Request, id int64) error {
	question, err := formQuestion(r)
	if err != nil {
		return err
	}
	a, err := b.postedAnswer(ctx, r, id)
	if err != nil {
		return err
	}
	return b.answerForm(ctx, r, question, a.ConversationID, b.history(ctx, a.ConversationID))
}

// formQuestion reads the question field of a submitted form, cut to the
// longest question Herald takes.
func formQuestion(r *Request) (string, error) {
	question := ""
	for _, row := range r.Interaction.ModalSubmitData().Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok && ti.CustomID == questionInput {
				question = strings.TrimSpace(ti.Value)
			}
		}
	}
	if question == "" {
		return "", knowledge.Errorf(knowledge.EINVALID, "%s", tr(r.Interaction.Locale, txtNoQuestion))
	}
	if runeLen(question) > knowledge.MaxQuestionRunes {
		question = cutContent(question, knowledge.MaxQuestionRunes)
	}
	return question, nil
}

// answerForm answers a form's question as a new answer in the channel,
// within the server's limits, continuing conversation conv ("" starts one)
// after history.
func (b *Bot) answerForm(ctx context.Context, r *Request, question, conv string, history []knowledge.Turn) error {
	release, err := b.limits.admit(ctx, r.Interaction.Locale, r.GuildID, r.UserID, b.now())
	if err != nil {
		b.metrics.question(modeNone, outcomeRefused)
		return err
	}
	defer release()
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	j := job{kind: "follow-up", guildID: r.GuildID, userID: r.UserID, channelID: r.Interaction.ChannelID, question: question,
		filter: knowledge.Filter{GuildID: r.GuildID}, locale: r.Interaction.Locale, asker: displayName(r.Interaction), convID: conv,
		history: history}
	if err := b.answer(ctx, j, b.interactionOutput(r, j)); err != nil {
		r.reopen()
		return err
	}
	return nil
}

// deleteAnswer deletes an answer's messages for its asker or a member who
// may manage messages; others are refused politely. The reply is private.
func (b *Bot) deleteAnswer(ctx context.Context, r *Request, id int64) error {
	loc := r.Interaction.Locale
	a, err := b.postedAnswer(ctx, r, id)
	if err != nil {
		return err
	}
	if !mayDelete(r, a) {
		return knowledge.Errorf(knowledge.EFORBIDDEN, "%s", tr(loc, txtDeleteRefused))
	}
	if err := r.Defer(ctx, true); err != nil {
		return err
	}
	channel := a.ChannelID
	if channel == "" {
		channel = r.Interaction.ChannelID
	}
	ids := a.MessageIDs
	if len(ids) == 0 && r.Interaction.Message != nil {
		ids = []string{r.Interaction.Message.ID}
	}
	for _, mid := range ids {
		if err := b.send.deleteMessage(ctx, channel, mid); err != nil {
			var re *discordgo.RESTError
			if !errors.As(err, &re) || re.Response == nil || re.Response.StatusCode != 404 {
				return knowledge.WrapError(knowledge.EUNAVAILABLE, tr(loc, txtDeleteFailed), err)
			}
		}
	}
	if err := b.Answers.MarkPostedAnswerDeleted(ctx, id); err != nil {
		b.Logger.Warn("cannot mark the answer deleted", "answer", id, "err", err)
	}
	b.Logger.Info("answer deleted", "answer", id, "by", r.UserID, "asker", a.AskerID == r.UserID)
	return r.Reply(ctx, Message{Content: tr(loc, txtDeleted), Ephemeral: true})
}

// mayDelete reports whether the member using r may delete answer a: its
// asker, or a member with Manage Messages (or Administrator) in the channel.
func mayDelete(r *Request, a *knowledge.PostedAnswer) bool {
	if r.UserID != "" && r.UserID == a.AskerID {
		return true
	}
	if m := r.Interaction.Member; m != nil {
		return m.Permissions&(discordgo.PermissionManageMessages|discordgo.PermissionAdministrator) != 0
	}
	return false
}
