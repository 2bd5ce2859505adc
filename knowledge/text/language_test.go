package text

import (
	"strings"
	"testing"
)

// frenchSample is a French news paragraph, for detecting a language whose
// stop words are known but that is neither English nor German.
const frenchSample = `Le conseil municipal a approuvé mardi soir la construction d'une digue de 2,4 milliards d'euros à l'embouchure de la baie. Les opposants, dont la coopérative des pêcheurs, ont annoncé qu'ils contesteraient la décision devant le tribunal administratif. « Nous avons tout perdu deux fois », a déclaré une habitante dont la maison avait été inondée en 2021.`

// swedishSample is a Swedish news paragraph: a language Herald stems but
// has no stop words for, so only the trigram model can tell it.
const swedishSample = `Kommunfullmäktige i Hamnstaden beslutade på tisdagskvällen att bygga en stormflodsbarriär för 2,4 miljarder euro vid buktens mynning. Motståndarna, bland dem fiskarnas kooperativ, meddelade att de kommer att överklaga beslutet till förvaltningsrätten. Vi har förlorat allt två gånger, sa en kvinna vars hus översvämmades år 2021.`

func TestDetectLanguage(t *testing.T) {
	en, de := articleText(t), germanText(t)
	tests := []struct {
		name, text, fallback, want string
	}{
		{"English article", en, "de", "en"},
		{"German article", de, "en", "de"},
		{"French text", frenchSample, "en", "fr"},
		{"Swedish text", swedishSample, "en", "sv"},
		{"German question", "Wer ist Pistorius?", "en", "de"},
		{"English question", "Who is Pistorius?", "de", "en"},
		{"German price question", "Was kostet ein Taurus?", "en", "de"},
		{"German question with a compound", "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?", "en", "de"},
		{"English question with British spelling", "How did the recording get intercepted, according to the defence minister?", "de", "en"},
		{"German how many", "Wie viele?", "en", "de"},
		{"German and Dutch stop words, a German letter", "Wie weit reichen Taurus-Marschflugkörper?", "en", "de"},
		{"tied stop words, no telling letter", "Wie weit reichen Taurus-Raketen?", "en", "en"},
		{"one English word", "What?", "de", "en"},
		{"names only", "Olaf Scholz Boris Pistorius", "en", "en"},
		{"names only, other fallback", "Olaf Scholz Boris Pistorius", "de", "de"},
		{"one name", "Scholz?", "xx", "xx"},
		{"ambiguous word", "Was Scholz right?", "de", "de"}, // "was" is a stop word of both
		{"digits", "2024 12 7", "en", "en"},
		{"empty", "", "de", "de"},
		{"punctuation", "?!… — ", "en", "en"},
		{"Russian question", "Кто такой Писториус?", "en", "ru"},
		{"German article quoting English",
			"Der Verteidigungsminister sagte am Montag, das Gespräch sei über eine unsichere Verbindung abgehört worden. " +
				"Die Offiziere hätten sich nicht an die Vorschriften gehalten, und die Bundeswehr prüfe nun alle Konferenzen. " +
				`Ein britischer Sprecher erklärte: "We are confident in our own systems." Die Opposition fordert Aufklärung.`, "en", "de"},
		{"English article quoting German",
			"The defence minister said on Monday that the call had been intercepted through an insecure connection. " +
				"The officers had not followed the rules, and the armed forces are now checking all of their conferences. " +
				"A spokesman in Berlin said: „Wir prüfen das.“ The opposition wants answers.", "de", "en"},
		{"headline of names and a preposition", "Scholz trifft Macron in Paris", "fr", "fr"},
	}
	for _, tt := range tests {
		if got := DetectLanguage(tt.text, tt.fallback); got != tt.want {
			t.Errorf("%s: DetectLanguage(%.40q, %q) = %q, want %q", tt.name, tt.text, tt.fallback, got, tt.want)
		}
	}
}

// TestDetectLanguageReadsASample checks that a long text is judged by its
// beginning and cut on a character boundary.
func TestDetectLanguageReadsASample(t *testing.T) {
	s := strings.Repeat("Die Offiziere der Luftwaffe sprachen über den Einsatz. ", 40) + strings.Repeat("The officers of the air force talked about it. ", 400)
	if got := DetectLanguage(s, "en"); got != "de" {
		t.Errorf("DetectLanguage = %q, want de from the beginning", got)
	}
	for cut := detectionSample - 3; cut <= detectionSample+3; cut++ {
		s := strings.Repeat("a", cut) + strings.Repeat("ü", 1000)
		_ = DetectLanguage(s, "en") // must not split a rune into invalid UTF-8 and panic
	}
}
