package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// jsonTime is a time in every --json output: RFC 3339 in UTC
// ("2024-06-11T00:00:00Z"), or null when unknown.
type jsonTime time.Time

// MarshalJSON writes the time as RFC 3339 UTC, or null for the zero time.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).UTC().Format(time.RFC3339))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = jsonTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	*t = jsonTime(v)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonCitation is one numbered source in the JSON of ask, summarize and
// digest.
type jsonCitation struct {
	N           int      `json:"n"`
	ArticleID   int64    `json:"article_id"`
	Title       string   `json:"title"`
	Source      string   `json:"source"`
	URL         string   `json:"url"`
	PublishedAt jsonTime `json:"published_at"`
	Quote       string   `json:"quote"`
	// Quotes are all the quoted sentences of the article, Quote first.
	Quotes   []string `json:"quotes"`
	Verified bool     `json:"verified"`
}

func citationsJSON(cs []knowledge.Citation) []jsonCitation {
	out := []jsonCitation{}
	for _, c := range cs {
		out = append(out, jsonCitation{N: c.N, ArticleID: c.ArticleID, Title: c.Title, Source: c.Source,
			URL: c.URL, PublishedAt: jsonTime(c.PublishedAt), Quote: c.Quote, Quotes: append([]string{}, citationQuotes(c)...), Verified: c.Verified})
	}
	return out
}

// jsonAnswer is the `ask --json` contract.
type jsonAnswer struct {
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Mode      string         `json:"mode"`
	Abstained bool           `json:"abstained"`
	Note      string         `json:"note,omitempty"`
	Language  string         `json:"language,omitempty"` // the question's, ISO 639-1
	Citations []jsonCitation `json:"citations"`
}

func answerJSON(a *knowledge.Answer) jsonAnswer {
	return jsonAnswer{Question: a.Question, Answer: a.Text, Mode: a.Mode, Abstained: a.Abstained, Note: a.Note, Language: a.Language,
		Citations: citationsJSON(a.Citations)}
}

// jsonSummary is the `summarize --json` contract: subject is the
// article's headline or the topic summarised.
type jsonSummary struct {
	Subject   string         `json:"subject"`
	Summary   string         `json:"summary"`
	Mode      string         `json:"mode"`
	Abstained bool           `json:"abstained"`
	Note      string         `json:"note,omitempty"`
	Language  string         `json:"language,omitempty"` // the summary's, ISO 639-1
	Citations []jsonCitation `json:"citations"`
}

func summaryJSON(a *knowledge.Answer) jsonSummary {
	return jsonSummary{Subject: a.Question, Summary: a.Text, Mode: a.Mode, Abstained: a.Abstained, Note: a.Note, Language: a.Language,
		Citations: citationsJSON(a.Citations)}
}

// jsonArticle is one element of `herald articles --json`: url is the
// article's main address, urls every address (the main one first) with
// the outlet and date of the record found there.
type jsonArticle struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	PublishedAt jsonTime  `json:"published_at"`
	URLs        []jsonURL `json:"urls"`
	Language    string    `json:"language,omitempty"` // ISO 639-1, declared or detected
}

// jsonURL is one address of an article.
type jsonURL struct {
	URL         string   `json:"url"`
	Source      string   `json:"source"`
	PublishedAt jsonTime `json:"published_at"`
}

// urlsJSON lists every address of an article, its main one first.
func urlsJSON(a knowledge.Article) []jsonURL {
	out := []jsonURL{}
	if a.URL != "" {
		out = append(out, jsonURL{URL: a.URL, Source: a.Source, PublishedAt: jsonTime(a.PublishedAt)})
	}
	for _, u := range a.OtherURLs {
		out = append(out, jsonURL{URL: u.URL, Source: u.Source, PublishedAt: jsonTime(u.PublishedAt)})
	}
	return out
}

// jsonHit is one element of `herald search --json`.
type jsonHit struct {
	Rank        int      `json:"rank"`
	Score       float64  `json:"score"`
	ArticleID   int64    `json:"article_id"`
	Title       string   `json:"title"`
	Source      string   `json:"source"`
	URL         string   `json:"url"`
	PublishedAt jsonTime `json:"published_at"`
	PassageID   int64    `json:"passage_id"`
	Text        string   `json:"text"`
}

// jsonDigest is the `digest --json` contract.
type jsonDigest struct {
	Since   jsonTime          `json:"since"`
	Until   jsonTime          `json:"until"`
	Mode    string            `json:"mode"`
	Note    string            `json:"note,omitempty"`
	Stories []jsonDigestStory `json:"stories"`
}

type jsonDigestStory struct {
	Headline  string              `json:"headline"`
	Summary   string              `json:"summary"`
	Outlets   int                 `json:"outlets"`
	Citations []jsonCitation      `json:"citations"`
	Articles  []jsonDigestArticle `json:"articles"`
}

// jsonDigestArticle is one report of a digest story: published_at is
// null for an undated feed item, whose seen_at (when a feed first brought
// it) stands in; urls are its other addresses.
type jsonDigestArticle struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Source      string    `json:"source"`
	URL         string    `json:"url"`
	PublishedAt jsonTime  `json:"published_at"`
	SeenAt      *jsonTime `json:"seen_at,omitempty"`
	URLs        []jsonURL `json:"urls,omitempty"`
}

func digestJSON(d *knowledge.Digest) jsonDigest {
	out := jsonDigest{Since: jsonTime(d.Since), Until: jsonTime(d.Until), Mode: d.Mode, Note: d.Note, Stories: []jsonDigestStory{}}
	for _, st := range d.Stories {
		js := jsonDigestStory{Headline: st.Headline, Summary: st.Summary, Outlets: st.Outlets, Citations: citationsJSON(st.Citations), Articles: []jsonDigestArticle{}}
		for _, a := range st.Articles {
			ja := jsonDigestArticle{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, PublishedAt: jsonTime(a.PublishedAt)}
			if !a.SeenAt.IsZero() {
				seen := jsonTime(a.SeenAt)
				ja.SeenAt = &seen
			}
			for _, u := range a.OtherURLs {
				ja.URLs = append(ja.URLs, jsonURL{URL: u.URL, Source: u.Source, PublishedAt: jsonTime(u.PublishedAt)})
			}
			js.Articles = append(js.Articles, ja)
		}
		out.Stories = append(out.Stories, js)
	}
	return out
}

// jsonFeed is one element of `herald feed list --json`.
type jsonFeed struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	GuildID        string   `json:"guild_id,omitempty"`
	Title          string   `json:"title,omitempty"`
	Name           string   `json:"name,omitempty"`
	Outlet         string   `json:"outlet"`
	Status         string   `json:"status"`
	Interval       string   `json:"interval"`
	Paused         bool     `json:"paused"`
	LastPolledAt   jsonTime `json:"last_polled_at"`
	LastSuccessAt  jsonTime `json:"last_success_at"`
	NextPollAt     jsonTime `json:"next_poll_at"`
	Failures       int      `json:"failures"`
	LastError      string   `json:"last_error,omitempty"`
	Warning        string   `json:"warning,omitempty"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
	Items          int      `json:"items"`
	CreatedBy      string   `json:"created_by,omitempty"`
	CreatedAt      jsonTime `json:"created_at"`
}

func feedJSON(f knowledge.Feed, defaultInterval time.Duration) jsonFeed {
	iv := f.Interval
	if iv == 0 {
		iv = defaultInterval
	}
	return jsonFeed{ID: f.ID, URL: f.URL, GuildID: f.GuildID, Title: f.Title, Name: f.Name, Outlet: f.Outlet(), Status: f.Status(),
		Interval: shortDuration(iv), Paused: f.Paused, LastPolledAt: jsonTime(f.LastPolledAt), LastSuccessAt: jsonTime(f.LastSuccessAt),
		NextPollAt: jsonTime(f.NextPollAt), Failures: f.Failures, LastError: f.LastError, Warning: f.Warning,
		DisabledReason: f.DisabledReason, Items: f.Items, CreatedBy: f.CreatedBy, CreatedAt: jsonTime(f.CreatedAt)}
}
