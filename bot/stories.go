package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// A digest's story picker and the form it opens. The picker's options
// carry the story's headline as their value and the form carries it in
// its custom ID ("story:ask:" + headline), so both work after a restart
// and on any shard without a lookup; a forged value is only words the
// member could have typed themselves.
const (
	storyPrefix = "story:"
	storyPick   = storyPrefix + "pick"
	storyAsk    = storyPrefix + "ask:"
	// storyRef is the most characters of a headline a picker's value and
	// the form's custom ID carry (Discord allows 100 in either).
	storyRef = 80
	// maxSelectOptions is the most options a select menu may offer.
	maxSelectOptions = 25
	// maxOptionText is the most characters of an option's label, value
	// or description, and of a text input's placeholder.
	maxOptionText = 100
)

// storyMenu is a string select menu that sends only what it holds
// (discordgo's SelectMenu sends "disabled" and empty descriptions).
type storyMenu struct {
	CustomID    string
	Placeholder string
	Options     []storyOption
}

// storyOption is one story a member can pick.
type storyOption struct {
	Label, Value, Description string
}

// Type implements discordgo.MessageComponent.
func (storyMenu) Type() discordgo.ComponentType { return discordgo.SelectMenuComponent }

// MarshalJSON implements json.Marshaler.
func (m storyMenu) MarshalJSON() ([]byte, error) {
	opts := make([]map[string]string, len(m.Options))
	for i, o := range m.Options {
		opts[i] = map[string]string{"label": o.Label, "value": o.Value}
		if o.Description != "" {
			opts[i]["description"] = o.Description
		}
	}
	out := map[string]any{"type": discordgo.SelectMenuComponent, "custom_id": m.CustomID, "options": opts}
	if m.Placeholder != "" {
		out["placeholder"] = m.Placeholder
	}
	return json.Marshal(out)
}

// storyPicker is the row under a digest from which a member picks a story
// to ask about: one option per story (at most 25), labelled with its
// number and headline and described by its outlets. A digest without
// headlines gets none.
func storyPicker(t *serverTexts, stories []knowledge.DigestStory) []discordgo.MessageComponent {
	var opts []storyOption
	seen := map[string]bool{}
	for i, st := range stories {
		headline := strings.Join(strings.Fields(st.Headline), " ")
		ref := storyHeadline(headline)
		if ref == "" || seen[ref] || len(opts) == maxSelectOptions {
			continue
		}
		seen[ref] = true
		var outlets []string
		have := map[string]bool{}
		for _, a := range st.Articles {
			if o := strings.TrimSpace(a.Source); o != "" && !have[o] {
				have[o] = true
				outlets = append(outlets, o)
			}
		}
		opts = append(opts, storyOption{
			Label:       cutContent(fmt.Sprintf("%d. %s", i+1, headline), maxOptionText),
			Value:       ref,
			Description: cutContent(strings.Join(outlets, ", "), maxOptionText),
		})
	}
	if len(opts) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		storyMenu{CustomID: storyPick, Placeholder: t.digestPick, Options: opts},
	}}}
}

// storyHeadline is a headline as a picker's value and a form's custom ID
// carry it: one line, at most storyRef characters, cut at a rune.
func storyHeadline(h string) string {
	h = strings.TrimSpace(strings.Join(strings.Fields(h), " "))
	if r := []rune(h); len(r) > storyRef {
		h = strings.TrimSpace(string(r[:storyRef]))
	}
	return h
}

// onStoryComponent serves the story picker and the form it opens.
func (b *Bot) onStoryComponent(ctx context.Context, r *Request, custom string) error {
	loc := r.Interaction.Locale
	switch {
	case r.Interaction.Type == discordgo.InteractionMessageComponent && custom == storyPick:
		vals := r.Interaction.MessageComponentData().Values
		if len(vals) != 1 || storyHeadline(vals[0]) == "" {
			return knowledge.Errorf(knowledge.EINVALID, "%s", tr(loc, txtButtonsUnavailable))
		}
		return b.openStoryQuestion(ctx, r, storyHeadline(vals[0]))
	case r.Interaction.Type == discordgo.InteractionModalSubmit && strings.HasPrefix(custom, storyAsk):
		headline := storyHeadline(strings.TrimPrefix(custom, storyAsk))
		if headline == "" {
			return knowledge.Errorf(knowledge.EINVALID, "%s", tr(loc, txtButtonsUnavailable))
		}
		question, err := formQuestion(r)
		if err != nil {
			return err
		}
		// The story is the conversation so far: a follow-up's rules make
		// the question standalone (the model rewrites it, or the
		// headline's key terms are carried over), so "what happens next?"
		// finds the story.
		return b.answerForm(ctx, r, question, "", []knowledge.Turn{{Question: headline}})
	default:
		return knowledge.Errorf(knowledge.ENOTFOUND, "%s", tr(loc, txtButtonsUnavailable))
	}
}

// openStoryQuestion opens the form asking about a digest's story, its
// headline shown as the field's placeholder.
func (b *Bot) openStoryQuestion(ctx context.Context, r *Request, headline string) error {
	loc := r.Interaction.Locale
	rows := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.TextInput{CustomID: questionInput, Label: tr(loc, txtModalLabel), Style: discordgo.TextInputParagraph,
			Placeholder: cutContent(headline, maxOptionText), Required: true, MinLength: 2, MaxLength: knowledge.MaxQuestionRunes},
	}}}
	return r.showModal(ctx, storyAsk+headline, tr(loc, txtStoryModalTitle), rows)
}
