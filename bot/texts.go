package bot

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// presenceName is what Herald is "Listening to" under its name.
const presenceName = "/ask"

// serverTexts are the member-facing sentences of the server side of the
// bot: the welcome, /help, /feed, /digest, /digest-schedule, /summary,
// /article, feed posts and alerts, and the refusals of commands. They are
// kept here, apart from the answers' texts (messages.go), so that a later
// change can add languages, chosen by the interaction's (or the server's)
// locale. Fields with verbs are fmt formats.
type serverTexts struct {
	// Welcome, when Herald joins a server.
	welcomeTitle, welcomeIntro, welcomeAskHeading, welcomeAsk, welcomeDigestShow  string
	welcomeSummary, welcomeHelp, welcomeAdminHeading, welcomeFeeds, welcomeDigest string

	// /help.
	helpTitle, helpIntro, helpMembers, helpAdmins, helpAdminsExist, helpFollowUp string

	// Commands in general.
	needPermission, serverOnly, cannotPost, discordRefused, restarting, unknownCommand string

	// /feed.
	feedServerOnly, feedFollowing, feedWillPost, feedWillArrive, feedListHint        string
	feedRemoved, feedPaused, feedResumed, feedChannelSet, feedChannelCleared         string
	feedAlertsSet, feedAlertsCleared, feedListEmpty, feedListTitle, feedMore         string
	feedOK, feedFailing, feedDisabled, feedPausedState, feedResumeHint, feedNote     string
	feedNextPoll, feedPolled, feedNotPolled, feedPostsTo, feedArticle, feedArticles  string
	feedUseSubcommand, feedPublished, feedAlert, feedTime, feedTimes, feedChannelFor string

	// /digest and /digest-schedule.
	digestHead, digestStory, digestStories, digestNoNews, digestBudget, digestAsk string
	digestAlso, digestOutlets, digestFailed, scheduleSet, scheduleNext            string
	scheduleStop, scheduleOffOne, scheduleOffAll, scheduleChannel, scheduleChans  string
	scheduleListEmpty, scheduleListTitle, scheduleLine, scheduleOffLine           string
	digestUseSubcommand, scheduleUseSubcommand                                    string

	// /summary and /article.
	summaryNeedTarget, summaryHeading, summaryNotStored, summaryNotStoredAdmin string
	summaryFailed, articleUseSubcommand, articleNoFetcher                      string

	// /search, /sources and source: options.
	searchUnavailable, searchNoQuery, searchNone, searchTitle, untitled            string
	libraryUnavailable, sourcesTitle, sourcesArticles, sourcesNewest, sourcesFeeds string
	sourcesOutlets, sourcesEmpty, unknownSource, unknownSourceOr, knownOutlets     string
	noOutlets, andMore                                                             string

	// undated stands for the date of an article that has none; firstSeen
	// is a relative time an undated feed item was first seen at.
	undated, firstSeen string
}

// textsFor returns the sentences for a Discord locale. Only English exists
// yet; every locale gets it.
func textsFor(discordgo.Locale) *serverTexts { return englishTexts() }

func englishTexts() *serverTexts {
	return &serverTexts{
		welcomeTitle:        "Hello, I'm Herald",
		welcomeIntro:        "I answer questions about the news with numbered sources you can check.",
		welcomeAskHeading:   "Ask me",
		welcomeAsk:          "%s with your question, for example *Why has Germany not sent Taurus missiles?*, or mention %s. Reply to my answer to ask a follow-up.",
		welcomeDigestShow:   "%s shows the day's news in a few stories.",
		welcomeSummary:      "%s summarises an article or a topic.",
		welcomeHelp:         "%s lists everything I can do.",
		welcomeAdminHeading: "For admins (Manage Server)",
		welcomeFeeds:        "Follow a news feed and post its new articles to a channel: %s `url:` `channel:#news`",
		welcomeDigest:       "Post a digest of the day's news every morning: %s `channel:#news` `time:08:00` `timezone:Europe/Berlin`",

		helpTitle:       "What Herald can do",
		helpIntro:       "Herald answers questions about the news with numbered sources you can check.",
		helpMembers:     "Commands",
		helpAdmins:      "For admins (Manage Server)",
		helpAdminsExist: "Server admins also have commands to follow news feeds and to schedule a daily digest.",
		helpFollowUp:    "Mention %s with a question for an answer in the channel; reply to an answer to follow up.",

		needPermission: "You need the %s permission to use %s.",
		serverOnly:     "%s can only be used in a server.",
		cannotPost:     "I can't post in <#%s>: I need %s there. Give Herald (or its role) these permissions in the channel's settings, then try again.",
		discordRefused: "Discord did not accept the message.",
		restarting:     "Herald is restarting. Please try again in a minute.",
		unknownCommand: "I don't know /%s any more. Discord may still be updating the command list; try again in a minute.",

		feedServerOnly:     "Feeds belong to a server: use /feed in one.",
		feedFollowing:      "Following %s (feed %d).",
		feedWillPost:       " Its new articles will be posted in <#%s> as they come; the ones it has now are not.",
		feedWillArrive:     " Its recent articles join this server's news within a few minutes.",
		feedListHint:       " %s shows how it is doing.",
		feedRemoved:        "No longer following %s; the %d %s it brought stay.",
		feedPaused:         "Paused %s. %s polls it again.",
		feedResumed:        "Resumed %s; it is polled again within a few minutes.",
		feedChannelSet:     "New articles of %s will be posted in <#%s>, from its next poll on.",
		feedChannelCleared: "New articles of %s are no longer posted in a channel.",
		feedAlertsSet:      "When one of this server's feeds stops working, I will say so in <#%s>.",
		feedAlertsCleared:  "Alerts about feeds now go to the feed's own channel, or else to the digest's.",
		feedListEmpty:      "This server follows no feed yet. Add one with %s.",
		feedListTitle:      "Feeds of this server (%d)",
		feedMore:           "… and %d more.",
		feedOK:             "ok",
		feedFailing:        "failing %d %s in a row: %s",
		feedDisabled:       "disabled: %s",
		feedPausedState:    "paused",
		feedResumeHint:     "%s polls it again.",
		feedNote:           "Note: %s",
		feedNextPoll:       "next poll <t:%d:R>",
		feedPolled:         "polled <t:%d:R>",
		feedNotPolled:      "not polled yet",
		feedPostsTo:        "posts to <#%s>",
		feedArticle:        "article",
		feedArticles:       "articles",
		feedTime:           "time",
		feedTimes:          "times",
		feedUseSubcommand:  "Use /feed add, channel, alerts, list, pause, resume or remove.",
		feedPublished:      "Published %s",
		feedAlert:          "⚠️ The feed %s (feed %d) is no longer polled: %s\nOnce it is fixed, %s `feed:#%d` polls it again, and %s stops following it.",
		feedChannelFor:     "%s to post new articles in",

		digestHead:            "**News digest** · %d %s since <t:%d:f>",
		digestStory:           "story",
		digestStories:         "stories",
		digestNoNews:          "No news since <t:%d:f>.",
		digestBudget:          "This server has used today's budget for the language model, so these summaries quote the articles directly.",
		digestAsk:             "Ask about it: %s `question:%s`",
		digestAlso:            "Also: %s",
		digestOutlets:         "%d outlets",
		digestFailed:          "I made the digest but Discord did not accept it. Please try again.",
		scheduleSet:           "Every day at %s (%s) the digest will be posted in <#%s>.",
		scheduleNext:          " Next: <t:%d:F>.",
		scheduleStop:          " %s stops it.",
		scheduleOffOne:        "The daily digest in <#%s> is off.",
		scheduleOffAll:        "The daily digest is off (%d %s).",
		scheduleChannel:       "channel",
		scheduleChans:         "channels",
		scheduleListEmpty:     "No daily digest is scheduled in this server. %s schedules one.",
		scheduleListTitle:     "Daily digests of this server (%d)",
		scheduleLine:          "<#%s> · every day at %s (%s) · next <t:%d:R>",
		scheduleOffLine:       "<#%s> · off (was %s, %s)",
		digestUseSubcommand:   "Use /digest show.",
		scheduleUseSubcommand: "Use /digest-schedule set, off or list.",

		summaryNeedTarget:     "Say what to summarise: pick an article, paste its URL, or name a topic.",
		summaryHeading:        "**Summary: %s**",
		summaryNotStored:      "That article is not in Herald's knowledge base. A server admin can add it.",
		summaryNotStoredAdmin: "That article is not in Herald's knowledge base yet. %s `url:%s` fetches and summarises it; %s follows its site's feed.",
		summaryFailed:         "I wrote the summary but Discord did not accept it. Please try again.",
		articleUseSubcommand:  "Use /article add.",
		articleNoFetcher:      "Fetching web pages is not available here.",

		searchUnavailable:  "Search is not available.",
		searchNoQuery:      "Please give some words to search for.",
		searchNone:         "No stored article matches “%s”.",
		searchTitle:        "Articles matching “%s”",
		untitled:           "Untitled",
		undated:            "undated",
		firstSeen:          "seen %s",
		libraryUnavailable: "The library is not available.",
		sourcesTitle:       "What I know",
		sourcesArticles:    "Articles",
		sourcesNewest:      "Newest",
		sourcesFeeds:       "Feeds followed",
		sourcesOutlets:     "Outlets (%d, most articles first)",
		sourcesEmpty:       "I don't have any articles yet. A server admin can follow news feeds with %s.",
		unknownSource:      "Herald has no articles from %s.",
		unknownSourceOr:    " or ",
		knownOutlets:       " The outlets it has: %s.",
		noOutlets:          " It has no articles yet.",
		andMore:            "%s and %d more",
	}
}

// plural picks one or many by k.
func plural(k int, one, many string) string {
	if k == 1 {
		return one
	}
	return many
}

// unknownSources says that Herald has no articles from the outlets asked
// for, and names (up to a dozen of) the outlets it has.
func (t *serverTexts) unknownSources(unknown, names []string) string {
	quoted := make([]string, len(unknown))
	for i, u := range unknown {
		quoted[i] = "“" + escapeMarkdown(cutContent(u, 60)) + "”"
	}
	msg := fmt.Sprintf(t.unknownSource, strings.Join(quoted, t.unknownSourceOr))
	if len(names) == 0 {
		return msg + t.noOutlets
	}
	const shown = 12
	list := make([]string, 0, shown)
	for _, n := range names[:min(shown, len(names))] {
		list = append(list, escapeMarkdown(cutContent(n, 60)))
	}
	joined := strings.Join(list, ", ")
	if len(names) > shown {
		joined = fmt.Sprintf(t.andMore, joined, len(names)-shown)
	}
	return msg + fmt.Sprintf(t.knownOutlets, joined)
}
