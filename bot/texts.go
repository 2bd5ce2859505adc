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
	// locale is the Discord locale the texts are written for ("" for
	// English): /help describes the commands in its language.
	locale discordgo.Locale

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
	digestHead, digestStory, digestStories, digestNoNews, digestBudget, digestPick string
	digestAlso, digestOutlets, digestFailed, scheduleSet, scheduleNext             string
	scheduleStop, scheduleOffOne, scheduleOffAll, scheduleChannel, scheduleChans   string
	scheduleListEmpty, scheduleListTitle, scheduleLine, scheduleOffLine            string
	digestUseSubcommand, scheduleUseSubcommand                                     string

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

// textsFor returns the sentences for a Discord locale: German for a
// German locale, English for every other one and for "".
func textsFor(locale discordgo.Locale) *serverTexts {
	if isGerman(locale) {
		return germanTexts()
	}
	return englishTexts()
}

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
		digestPick:            "Ask about a story…",
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

// germanTexts are the German sentences. Option names in them (`adresse:`,
// `kanal:`, `frage:`) are the German names the commands are registered
// with (commands_de.go).
func germanTexts() *serverTexts {
	return &serverTexts{
		locale:              discordgo.German,
		welcomeTitle:        "Hallo, ich bin Herald",
		welcomeIntro:        "Ich beantworte Fragen zu den Nachrichten, mit nummerierten Quellen, die du prüfen kannst.",
		welcomeAskHeading:   "Frag mich",
		welcomeAsk:          "%s mit deiner Frage, zum Beispiel *Warum liefert Deutschland keine Taurus-Marschflugkörper?*, oder erwähne %s. Antworte auf meine Antwort, um nachzufragen.",
		welcomeDigestShow:   "%s zeigt die Nachrichten des Tages in wenigen Geschichten.",
		welcomeSummary:      "%s fasst einen Artikel oder ein Thema zusammen.",
		welcomeHelp:         "%s zeigt alles, was ich kann.",
		welcomeAdminHeading: "Für Admins („Server verwalten“)",
		welcomeFeeds:        "Einem Newsfeed folgen und seine neuen Artikel in einem Kanal posten: %s `adresse:` `kanal:#news`",
		welcomeDigest:       "Jeden Morgen einen Überblick über die Nachrichten des Tages posten: %s `kanal:#news` `uhrzeit:08:00` `zeitzone:Europe/Berlin`",

		helpTitle:       "Was Herald kann",
		helpIntro:       "Herald beantwortet Fragen zu den Nachrichten, mit nummerierten Quellen, die du prüfen kannst.",
		helpMembers:     "Befehle",
		helpAdmins:      "Für Admins („Server verwalten“)",
		helpAdminsExist: "Server-Admins haben außerdem Befehle, um Newsfeeds zu folgen und einen täglichen Überblick zu planen.",
		helpFollowUp:    "Erwähne %s mit einer Frage, um im Kanal eine Antwort zu bekommen; antworte auf eine Antwort, um nachzufragen.",

		needPermission: "Du brauchst die Berechtigung „%s“, um %s zu nutzen.",
		serverOnly:     "%s kann nur auf einem Server genutzt werden.",
		cannotPost:     "Ich kann in <#%s> nicht posten: Ich brauche dort %s. Gib Herald (oder seiner Rolle) diese Berechtigungen in den Einstellungen des Kanals und versuch es dann noch einmal.",
		discordRefused: "Discord hat die Nachricht nicht angenommen.",
		restarting:     "Herald startet gerade neu. Bitte versuch es in einer Minute noch einmal.",
		unknownCommand: "/%s kenne ich nicht mehr. Vielleicht aktualisiert Discord noch die Liste der Befehle; versuch es in einer Minute noch einmal.",

		feedServerOnly:     "Feeds gehören zu einem Server: Nutze /feed auf einem Server.",
		feedFollowing:      "Ich folge jetzt %s (Feed %d).",
		feedWillPost:       " Seine neuen Artikel erscheinen in <#%s>, sobald sie kommen; die bisherigen nicht.",
		feedWillArrive:     " Seine aktuellen Artikel kommen in wenigen Minuten zu den Nachrichten dieses Servers.",
		feedListHint:       " %s zeigt, wie es ihm geht.",
		feedRemoved:        "Ich folge %s nicht mehr; die %d %s, die er gebracht hat, bleiben.",
		feedPaused:         "%s ist pausiert. %s ruft ihn wieder ab.",
		feedResumed:        "%s läuft wieder; er wird in wenigen Minuten wieder abgerufen.",
		feedChannelSet:     "Neue Artikel von %s erscheinen ab dem nächsten Abruf in <#%s>.",
		feedChannelCleared: "Neue Artikel von %s werden nicht mehr in einem Kanal gepostet.",
		feedAlertsSet:      "Wenn einer der Feeds dieses Servers nicht mehr funktioniert, sage ich es in <#%s>.",
		feedAlertsCleared:  "Warnungen zu Feeds gehen jetzt in den Kanal des Feeds, sonst in den des Überblicks.",
		feedListEmpty:      "Dieser Server folgt noch keinem Feed. Füge einen mit %s hinzu.",
		feedListTitle:      "Feeds dieses Servers (%d)",
		feedMore:           "… und %d weitere.",
		feedOK:             "ok",
		feedFailing:        "schlägt %d %s in Folge fehl: %s",
		feedDisabled:       "abgeschaltet: %s",
		feedPausedState:    "pausiert",
		feedResumeHint:     "%s ruft ihn wieder ab.",
		feedNote:           "Hinweis: %s",
		feedNextPoll:       "nächster Abruf <t:%d:R>",
		feedPolled:         "abgerufen <t:%d:R>",
		feedNotPolled:      "noch nicht abgerufen",
		feedPostsTo:        "postet in <#%s>",
		feedArticle:        "Artikel",
		feedArticles:       "Artikel",
		feedTime:           "Mal",
		feedTimes:          "Mal",
		feedUseSubcommand:  "Nutze /feed hinzufügen, kanal, warnungen, liste, pausieren, fortsetzen oder entfernen.",
		feedPublished:      "Veröffentlicht %s",
		feedAlert:          "⚠️ Der Feed %s (Feed %d) wird nicht mehr abgerufen: %s\nSobald er repariert ist, ruft %s `feed:#%d` ihn wieder ab, und %s beendet das Folgen.",
		feedChannelFor:     "%s, in dem neue Artikel erscheinen",

		digestHead:            "**Nachrichtenüberblick** · %d %s seit <t:%d:f>",
		digestStory:           "Geschichte",
		digestStories:         "Geschichten",
		digestNoNews:          "Keine Nachrichten seit <t:%d:f>.",
		digestBudget:          "Dieser Server hat das heutige Budget für das Sprachmodell aufgebraucht, deshalb zitieren diese Zusammenfassungen die Artikel direkt.",
		digestPick:            "Zu einer Meldung fragen …",
		digestAlso:            "Außerdem: %s",
		digestOutlets:         "%d Medien",
		digestFailed:          "Ich habe den Überblick erstellt, aber Discord hat ihn nicht angenommen. Bitte versuch es noch einmal.",
		scheduleSet:           "Jeden Tag um %s (%s) erscheint der Überblick in <#%s>.",
		scheduleNext:          " Nächster: <t:%d:F>.",
		scheduleStop:          " %s beendet ihn.",
		scheduleOffOne:        "Der tägliche Überblick in <#%s> ist aus.",
		scheduleOffAll:        "Der tägliche Überblick ist aus (%d %s).",
		scheduleChannel:       "Kanal",
		scheduleChans:         "Kanäle",
		scheduleListEmpty:     "Auf diesem Server ist kein täglicher Überblick geplant. %s plant einen.",
		scheduleListTitle:     "Tägliche Überblicke dieses Servers (%d)",
		scheduleLine:          "<#%s> · jeden Tag um %s (%s) · nächster <t:%d:R>",
		scheduleOffLine:       "<#%s> · aus (war %s, %s)",
		digestUseSubcommand:   "Nutze /überblick zeigen.",
		scheduleUseSubcommand: "Nutze /überblick-plan festlegen, aus oder liste.",

		summaryNeedTarget:     "Sag, was ich zusammenfassen soll: Wähle einen Artikel, füge seine Adresse ein oder nenne ein Thema.",
		summaryHeading:        "**Zusammenfassung: %s**",
		summaryNotStored:      "Dieser Artikel ist nicht in Heralds Wissensbasis. Ein Server-Admin kann ihn hinzufügen.",
		summaryNotStoredAdmin: "Dieser Artikel ist noch nicht in Heralds Wissensbasis. %s `adresse:%s` ruft ihn ab und fasst ihn zusammen; %s folgt dem Feed seiner Website.",
		summaryFailed:         "Ich habe die Zusammenfassung geschrieben, aber Discord hat sie nicht angenommen. Bitte versuch es noch einmal.",
		articleUseSubcommand:  "Nutze /artikel hinzufügen.",
		articleNoFetcher:      "Webseiten abzurufen ist hier nicht möglich.",

		searchUnavailable:  "Die Suche ist nicht verfügbar.",
		searchNoQuery:      "Bitte gib ein paar Wörter an, nach denen ich suchen soll.",
		searchNone:         "Kein gespeicherter Artikel passt zu „%s“.",
		searchTitle:        "Artikel zu „%s“",
		untitled:           "Ohne Titel",
		libraryUnavailable: "Die Bibliothek ist nicht verfügbar.",
		sourcesTitle:       "Was ich weiß",
		sourcesArticles:    "Artikel",
		sourcesNewest:      "Neuester",
		sourcesFeeds:       "Abonnierte Feeds",
		sourcesOutlets:     "Medien (%d, die mit den meisten Artikeln zuerst)",
		sourcesEmpty:       "Ich habe noch keine Artikel. Ein Server-Admin kann mit %s Newsfeeds folgen.",
		unknownSource:      "Herald hat keine Artikel von %s.",
		unknownSourceOr:    " oder ",
		knownOutlets:       " Herald kennt diese Medien: %s.",
		noOutlets:          " Herald hat noch keine Artikel.",
		andMore:            "%s und %d weitere",
		undated:            "undatiert",
		firstSeen:          "gesehen %s",
	}
}

// germanPermissions are Discord's German names of the permissions Herald
// names in refusals.
var germanPermissions = strings.NewReplacer(
	"View Channel", "Kanäle ansehen", "Send Messages", "Nachrichten senden", "Embed Links", "Links einbetten",
	"Manage Server", "Server verwalten", "Manage Channels", "Kanäle verwalten", "Manage Messages", "Nachrichten verwalten",
	"Manage Webhooks", "Webhooks verwalten", " and ", " und ",
)

// permissions returns names, a list of permissions in Discord's English
// words (see permissionList and permissionNames), in the texts' language.
func (t *serverTexts) permissions(names string) string {
	if isGerman(t.locale) {
		return germanPermissions.Replace(names)
	}
	return names
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
