package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

func (n *News) summaryCommand() Command {
	return Command{
		Name:        "summary",
		Description: "Summarise an article or a topic, with citations.",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "of", Description: "An article (pick one by headline, or paste its URL) or a topic",
				Required: true, Autocomplete: n.Articles != nil, MaxLength: 500},
		},
		Handle:       n.handleSummary,
		Autocomplete: n.completeArticle,
	}
}

// articleCommand is /article add (Manage Server): the guarded fetch of one
// page into the server's knowledge base, then its summary.
func (n *News) articleCommand() Command {
	return Command{
		Name:        "article",
		Description: "Add an article to this server's news by its address.",
		Permission:  discordgo.PermissionManageGuild,
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Fetch an article, add it to this server's news and summarise it.",
				Options: []*discordgo.ApplicationCommandOption{
					{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The article's address, e.g. https://example.com/news/story", Required: true, MaxLength: 2048},
				}},
		},
		Handle: n.handleArticle,
	}
}

// isWebAddress reports whether a /summary target is a URL rather than a
// topic or an article number.
func isWebAddress(s string) bool {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "<>"))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// handleSummary summarises publicly, within the same limits and model
// budget as /ask. A URL Herald has not stored is refused with what can be
// done: admins are offered /article add, members told an admin can.
func (n *News) handleSummary(ctx context.Context, r *Request) error {
	t := textsFor(r.Interaction.Locale)
	target := r.String("of")
	if target == "" {
		return knowledge.Errorf(knowledge.EINVALID, "%s", t.summaryNeedTarget)
	}
	err := n.summarize(ctx, r, knowledge.SummaryRequest{Target: target, GuildID: r.GuildID}, nil)
	if knowledge.ErrorCode(err) == knowledge.ENOTFOUND && isWebAddress(target) {
		u := strings.Trim(strings.TrimSpace(target), "<>")
		if n.Adder != nil && isAdmin(r.Interaction) {
			return knowledge.WrapError(knowledge.ENOTFOUND, fmt.Sprintf(t.summaryNotStoredAdmin,
				r.b.commandMention("article add"), strings.ReplaceAll(u, "`", "%60"), r.b.commandMention("feed add")), err)
		}
		return knowledge.WrapError(knowledge.ENOTFOUND, t.summaryNotStored, err)
	}
	return err
}

// handleArticle serves /article add: it fetches the page through the
// guarded client, stores its article for this server and summarises it in
// the channel.
func (n *News) handleArticle(ctx context.Context, r *Request) error {
	t := textsFor(r.Interaction.Locale)
	if err := requireServer(r); err != nil {
		return err
	}
	if r.Subcommand != "add" {
		return knowledge.Errorf(knowledge.EINVALID, "%s", t.articleUseSubcommand)
	}
	if n.Adder == nil {
		return knowledge.Errorf(knowledge.EUNAVAILABLE, "%s", t.articleNoFetcher)
	}
	raw := r.String("url")
	return n.summarize(ctx, r, knowledge.SummaryRequest{GuildID: r.GuildID}, func(ctx context.Context) (int64, error) {
		a, err := n.Adder.IngestURL(ctx, r.GuildID, raw)
		if err != nil {
			return 0, err
		}
		return a.ID, nil
	})
}

// summarize shows the summary req asks for in the channel, within the same
// limits and model budget as /ask; fetch, when set, first provides the
// article to summarise. An abstention or an error found after deferring
// replaces the public "thinking" message with a private one.
func (n *News) summarize(ctx context.Context, r *Request, req knowledge.SummaryRequest, fetch func(context.Context) (int64, error)) error {
	b := r.b
	t := textsFor(r.Interaction.Locale)
	release, err := b.limits.admit(ctx, r.Interaction.Locale, r.GuildID, r.UserID, b.now())
	if err != nil {
		return err
	}
	defer release()
	var notes []string
	if b.limits.overBudget(ctx, r.GuildID, b.now()) {
		req.Mode = knowledge.AskExtractive
		notes = append(notes, tr(r.Interaction.Locale, txtBudgetNote))
	}
	if err := r.Defer(ctx, false); err != nil {
		return err
	}
	if fetch != nil {
		if req.ArticleID, err = fetch(ctx); err != nil {
			r.reopen()
			return err
		}
	}
	ans, err := n.Summarizer.Summarize(ctx, req)
	if err != nil {
		r.reopen()
		return err
	}
	b.limits.spend(ctx, r.GuildID, ans.Tokens, b.now())
	if ans.Abstained {
		r.reopen()
		return r.Reply(ctx, Message{Content: ans.Text, Ephemeral: true})
	}
	if ans.Mode != knowledge.ModeExtractive {
		notes = nil
	}
	shown := *ans
	if q := strings.Join(strings.Fields(ans.Question), " "); q != "" {
		shown.Text = fmt.Sprintf(t.summaryHeading, escapeMarkdown(cutContent(q, 200))) + "\n\n" + ans.Text
	}
	if _, err := (&interactionOutput{r: r}).final(ctx, renderAnswer(r.Interaction.Locale, &shown, notes...)); err != nil {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, t.summaryFailed, err)
	}
	return nil
}

// completeArticle suggests articles whose headline holds the words typed.
func (n *News) completeArticle(ctx context.Context, r *Request, focused *discordgo.ApplicationCommandInteractionDataOption) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if n.Articles == nil || focused.Name != "of" {
		return nil, nil
	}
	typed := strings.TrimSpace(focused.StringValue())
	if strings.HasPrefix(strings.ToLower(typed), "http") || strings.HasPrefix(typed, "#") {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	arts, err := n.Articles.SuggestArticles(ctx, r.GuildID, typed, 25)
	if err != nil {
		return nil, err
	}
	t := textsFor(r.Interaction.Locale)
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, a := range arts {
		meta := a.Source
		if meta != "" {
			meta += ", "
		}
		if !a.PublishedAt.IsZero() {
			meta += a.PublishedAt.UTC().Format("2006-01-02")
		} else {
			meta += t.undated
		}
		label := strings.Join(strings.Fields(a.Title), " ")
		if meta != "" {
			// Keep the outlet and date visible however long the headline.
			label = cutContent(label, 100-runeLen(meta)-3) + " — " + meta
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: cutContent(label, 100), Value: idRef(a.ID)})
	}
	return out, nil
}
