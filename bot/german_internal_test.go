package bot

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/knowledge"
)

// fmtVerbs are the formatting verbs of a text, in order.
var fmtVerbs = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

func verbsOf(s string) string { return strings.Join(fmtVerbs.FindAllString(s, -1), " ") }

func TestGermanAnswerCatalogueIsComplete(t *testing.T) {
	for k := txtMentionHelp; k <= txtPanic; k++ {
		en, de := english(k), german(k)
		if en == "" || de == "" {
			t.Errorf("text %d: english %q, german %q", k, en, de)
			continue
		}
		if verbsOf(en) != verbsOf(de) {
			t.Errorf("text %d: verbs %q in %q, %q in %q", k, verbsOf(en), en, verbsOf(de), de)
		}
	}
	for _, tc := range []struct {
		locale discordgo.Locale
		want   string
	}{
		{discordgo.German, "Bitte warte noch 3 Sekunden, bevor du wieder fragst."},
		{"de-AT", "Bitte warte noch 3 Sekunden, bevor du wieder fragst."},
		{discordgo.EnglishUS, "Please wait 3 more seconds before asking again."},
		{discordgo.French, "Please wait 3 more seconds before asking again."},
		{"", "Please wait 3 more seconds before asking again."},
	} {
		if got := trCount(tc.locale, txtCooldownOne, txtCooldownMany, 3); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.locale, got, tc.want)
		}
	}
	if got := formatTook(discordgo.German, 400e6); got != "0,4 s" {
		t.Errorf("German 0.4 s = %q", got)
	}
}

func TestGermanServerTextsAreComplete(t *testing.T) {
	en, de := reflect.ValueOf(*englishTexts()), reflect.ValueOf(*germanTexts())
	for i := 0; i < en.NumField(); i++ {
		f := en.Type().Field(i)
		if f.Type.Kind() != reflect.String || f.Name == "locale" {
			continue
		}
		e, d := en.Field(i).String(), de.Field(i).String()
		if e == "" || d == "" {
			t.Errorf("%s: english %q, german %q", f.Name, e, d)
			continue
		}
		if verbsOf(e) != verbsOf(d) {
			t.Errorf("%s: verbs %q in %q, %q in %q", f.Name, verbsOf(e), e, verbsOf(d), d)
		}
	}
	if textsFor(discordgo.German).helpTitle != "Was Herald kann" || textsFor(discordgo.EnglishGB).helpTitle != "What Herald can do" {
		t.Error("textsFor picks the wrong language")
	}
	if got := germanTexts().permissions("View Channel, Send Messages and Embed Links"); got != "Kanäle ansehen, Nachrichten senden und Links einbetten" {
		t.Errorf("permissions = %q", got)
	}
}

// allCommands is every command Herald can register, all news features on.
func allCommands() []Command {
	b := &Bot{}
	var db *knowledge.DB // never called: only the command table is built
	n := &News{Feeds: db, Posts: db, Summarizer: &knowledge.Summarizer{}, Adder: &knowledge.Ingester{},
		Digests: &knowledge.Digester{}, Schedules: db}
	return append(append(b.builtinCommands(), b.serverCommands()...), n.Commands()...)
}

func TestEveryCommandHasGermanNamesAndDescriptions(t *testing.T) {
	used := map[string]bool{}
	lower := regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)
	var walk func(path string, names, descs map[discordgo.Locale]string, opts []*discordgo.ApplicationCommandOption)
	check := func(path string, names, descs map[discordgo.Locale]string) {
		used[path] = true
		name, desc := names[discordgo.German], descs[discordgo.German]
		if !lower.MatchString(name) || strings.ToLower(name) != name {
			t.Errorf("%s: German name %q breaks Discord's rule", path, name)
		}
		if n := utf8.RuneCountInString(desc); n < 1 || n > 100 {
			t.Errorf("%s: German description of %d characters: %q", path, n, desc)
		}
	}
	walk = func(path string, names, descs map[discordgo.Locale]string, opts []*discordgo.ApplicationCommandOption) {
		check(path, names, descs)
		seen := map[string]string{}
		for _, o := range opts {
			if other, dup := seen[o.NameLocalizations[discordgo.German]]; dup {
				t.Errorf("%s: options %s and %s have the same German name", path, other, o.Name)
			}
			seen[o.NameLocalizations[discordgo.German]] = o.Name
			walk(path+" "+o.Name, o.NameLocalizations, o.DescriptionLocalizations, o.Options)
			for _, ch := range o.Choices {
				if ch.NameLocalizations[discordgo.German] == "" {
					t.Errorf("%s: choice %v has no German name", path+" "+o.Name, ch.Value)
				}
				used[path+" "+o.Name+"="+choiceValue(ch)] = true
			}
		}
	}
	top := map[string]string{}
	for _, c := range allCommands() {
		def := c.definition(true)
		var names, descs map[discordgo.Locale]string
		if def.NameLocalizations != nil {
			names = *def.NameLocalizations
		}
		if def.DescriptionLocalizations != nil {
			descs = *def.DescriptionLocalizations
		}
		if other, dup := top[names[discordgo.German]]; dup {
			t.Errorf("commands %s and %s have the same German name", other, c.Name)
		}
		top[names[discordgo.German]] = c.Name
		walk(c.Name, names, descs, def.Options)
		if len(c.Options) > 0 && c.Options[0].NameLocalizations != nil {
			t.Errorf("%s: definition changed the command table's options", c.Name)
		}
	}
	for path := range germanCommands {
		if !used[path] {
			t.Errorf("germanCommands has %q, which no command has", path)
		}
	}
}
