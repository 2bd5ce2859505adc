package bot

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// localised is the name and description of a command, an option or a
// choice in one language.
type localised struct {
	name, desc string
}

// germanCommands are the German names and descriptions of the commands
// and their options, by path: the command's name, then each sub-command's
// and option's name ("ask", "ask question", "feed pause feed"); a choice
// is its option's path, "=" and the choice's value ("digest show since=7d").
// Discord shows a member whose client is in German these instead of the
// English ones; interactions still carry the English names, so handlers
// never see the German ones. Names follow Discord's rule (lower case, no
// spaces, 1 to 32 characters); descriptions have 1 to 100 characters. A
// command or option missing here stays English (a test checks that none
// is missing).
var germanCommands = map[string]localised{
	"ask":          {"frage", "Stell eine Frage zu den Nachrichten; die Antwort nennt die Artikel, aus denen sie stammt."},
	"ask question": {"frage", "Deine Frage, z. B. Warum liefert Deutschland keine Taurus-Marschflugkörper?"},
	"ask since":    {"seit", "Nur Artikel seit einem Datum (2024-03-01) oder aus einem Zeitraum (7d, 48h)"},
	"ask source":   {"quelle", "Nur Artikel dieser Medien, durch Kommas getrennt"},

	"search":        {"suche", "Finde die gespeicherten Artikel, die zu einigen Wörtern passen."},
	"search query":  {"begriffe", "Die gesuchten Wörter, z. B. Taurus Abhöraffäre"},
	"search source": {"quelle", "Nur Artikel dieser Medien, durch Kommas getrennt"},

	"sources": {"quellen", "Was Herald weiß: wie viele Artikel, von welchen Medien, wie aktuell."},
	"help":    {"hilfe", "Was Herald kann und wie man es fragt."},

	"digest":             {"überblick", "Die Nachrichten in wenigen Geschichten, jede mit ihren Quellen."},
	"digest show":        {"zeigen", "Zeig jetzt den Überblick über die Nachrichten des letzten Tages."},
	"digest show since":  {"seit", "Einen längeren oder kürzeren Zeitraum: 48h, 7d oder ein Datum wie 2024-03-01"},
	"digest show source": {"quelle", "Nur Geschichten dieser Medien, durch Kommas getrennt"},

	"digest-schedule":              {"überblick-plan", "Den Überblick jeden Tag in einem Kanal posten oder damit aufhören."},
	"digest-schedule set":          {"festlegen", "Den Überblick jeden Tag zu einer Ortszeit in einem Kanal posten."},
	"digest-schedule set channel":  {"kanal", "Der Kanal, in dem er erscheint"},
	"digest-schedule set time":     {"uhrzeit", "Ortszeit im 24-Stunden-Format, z. B. 08:00"},
	"digest-schedule set timezone": {"zeitzone", "Zeitzone, z. B. Europe/Berlin oder America/New_York"},
	"digest-schedule off":          {"aus", "Den täglichen Überblick nicht mehr posten."},
	"digest-schedule off channel":  {"kanal", "Nur der Überblick dieses Kanals (sonst alle)"},
	"digest-schedule list":         {"liste", "Die täglichen Überblicke dieses Servers."},

	"feed":                 {"feed", "Newsfeeds (RSS, Atom, JSON Feed) für diesen Server folgen."},
	"feed add":             {"hinzufügen", "Einem Feed folgen: Seine Artikel kommen zu den Nachrichten dieses Servers."},
	"feed add url":         {"adresse", "Die Adresse des Feeds, z. B. https://example.com/rss.xml"},
	"feed add name":        {"name", "Name des Mediums für seine Artikel (sonst der Titel des Feeds)"},
	"feed add channel":     {"kanal", "Seine neuen Artikel in diesem Kanal posten"},
	"feed channel":         {"kanal", "Die neuen Artikel eines Feeds in einem Kanal posten oder damit aufhören."},
	"feed channel feed":    {"feed", "Der Feed"},
	"feed channel channel": {"kanal", "Der Kanal (weglassen, um nicht mehr zu posten)"},
	"feed alerts":          {"warnungen", "Wo Admins erfahren, dass ein Feed nicht mehr funktioniert."},
	"feed alerts channel":  {"kanal", "Der Kanal (weglassen: der des Feeds oder des Überblicks)"},
	"feed list":            {"liste", "Die Feeds dieses Servers und wie es ihnen geht."},
	"feed pause":           {"pausieren", "Einen Feed vorerst nicht mehr abrufen."},
	"feed pause feed":      {"feed", "Der Feed, der pausieren soll"},
	"feed resume":          {"fortsetzen", "Einen pausierten oder gestoppten Feed wieder abrufen."},
	"feed resume feed":     {"feed", "Der Feed, der wieder abgerufen werden soll"},
	"feed remove":          {"entfernen", "Einem Feed nicht mehr folgen (seine Artikel bleiben)."},
	"feed remove feed":     {"feed", "Der Feed, dem ich nicht mehr folgen soll"},

	"summary":    {"zusammenfassung", "Einen Artikel oder ein Thema zusammenfassen, mit Belegen."},
	"summary of": {"von", "Ein Artikel (nach Überschrift wählen oder Adresse einfügen) oder ein Thema"},

	"article":         {"artikel", "Einen Artikel über seine Adresse zu den Nachrichten dieses Servers hinzufügen."},
	"article add":     {"hinzufügen", "Einen Artikel abrufen, zu den Nachrichten dieses Servers hinzufügen und zusammenfassen."},
	"article add url": {"adresse", "Die Adresse des Artikels, z. B. https://example.com/news/story"},
}

// commandLocales are the translations of the commands by Discord locale.
var commandLocales = map[discordgo.Locale]map[string]localised{
	discordgo.German: germanCommands,
}

// localise adds the translations of commandLocales to a command's
// definition, its options and their choices, copying the options so that
// the command table is never changed.
func localise(def *discordgo.ApplicationCommand) {
	names, descs := localisations(def.Name)
	if len(names) > 0 {
		def.NameLocalizations = &names
	}
	if len(descs) > 0 {
		def.DescriptionLocalizations = &descs
	}
	def.Options = localiseOptions(def.Name, def.Options)
}

func localiseOptions(parent string, opts []*discordgo.ApplicationCommandOption) []*discordgo.ApplicationCommandOption {
	if opts == nil {
		return nil
	}
	out := make([]*discordgo.ApplicationCommandOption, len(opts))
	for i, o := range opts {
		c := *o
		path := parent + " " + o.Name
		c.NameLocalizations, c.DescriptionLocalizations = localisations(path)
		c.Options = localiseOptions(path, o.Options)
		if o.Choices != nil {
			c.Choices = make([]*discordgo.ApplicationCommandOptionChoice, len(o.Choices))
			for j, ch := range o.Choices {
				cc := *ch
				names, _ := localisations(path + "=" + choiceValue(ch))
				cc.NameLocalizations = names
				c.Choices[j] = &cc
			}
		}
		out[i] = &c
	}
	return out
}

// localisations returns the names and descriptions of path in every
// locale that translates it (nil maps when none does).
func localisations(path string) (names, descs map[discordgo.Locale]string) {
	for loc, table := range commandLocales {
		l, ok := table[path]
		if !ok {
			continue
		}
		if l.name != "" {
			if names == nil {
				names = map[discordgo.Locale]string{}
			}
			names[loc] = l.name
		}
		if l.desc != "" {
			if descs == nil {
				descs = map[discordgo.Locale]string{}
			}
			descs[loc] = l.desc
		}
	}
	return names, descs
}

// choiceValue is a choice's value as a path element.
func choiceValue(ch *discordgo.ApplicationCommandOptionChoice) string {
	return fmt.Sprint(ch.Value)
}

// commandName returns a command's name as a member whose Discord is in
// the language of locale sees it ("frage" for "ask" in German).
func commandName(locale discordgo.Locale, name string) string {
	if isGerman(locale) {
		if l, ok := germanCommands[name]; ok && l.name != "" {
			return l.name
		}
	}
	return name
}

// describe returns the description of the command or option at path in
// the language of locale: its translation, or english.
func describe(locale discordgo.Locale, path, english string) string {
	if isGerman(locale) {
		if l, ok := germanCommands[path]; ok && l.desc != "" {
			return l.desc
		}
	}
	return english
}
