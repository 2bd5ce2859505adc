package knowledge

import (
	"context"
	"fmt"
	"strings"
)

// IngestURL fetches one web page through the Ingester's Fetcher (the
// guarded client), stores its article in guildID's scope ("" for the
// operator's) and returns it with its text. It is how a Discord server's
// admin adds a single article.
func (in *Ingester) IngestURL(ctx context.Context, guildID, rawURL string) (*Article, error) {
	u, err := checkFeedURL(rawURL)
	if err != nil {
		return nil, WrapError(EINVALID, fmt.Sprintf("%q is not an address Herald can fetch: give the article's http or https address.",
			truncateRunes(strings.TrimSpace(rawURL), 100)), err)
	}
	if in.Fetcher == nil {
		return nil, Errorf(EINVALID, "Fetching web pages is not available here.")
	}
	if guildID == "*" {
		return nil, Errorf(EINVALID, "An article belongs to one server or to the operator.")
	}
	one := *in
	one.GuildID = strings.TrimSpace(guildID)
	var ev IngestEvent
	if _, err := one.Ingest(ctx, []string{u}, func(e IngestEvent) { ev = e }); err != nil {
		return nil, err
	}
	if ev.Err != nil {
		return nil, ev.Err
	}
	if ev.ArticleID == 0 {
		return nil, Errorf(EINTERNAL, "The article was not stored.")
	}
	return in.DB.article(ctx, ev.ArticleID, one.GuildID)
}
