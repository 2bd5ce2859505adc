package knowledge

import "github.com/herald-bot/herald/knowledge/text"

// answerTexts are the fixed sentences of answers and summaries in one
// language: what Herald says when it abstains, and its notes.
type answerTexts struct {
	abstain            string // the articles do not answer
	needWords          string // the question has no words to search for
	modelUnavailable   string // an answer quotes because the model failed
	summaryUnavailable string // a summary quotes because the model failed
}

// answerCatalogue holds the fixed sentences by language; English is the
// fallback for every other one.
var answerCatalogue = map[string]answerTexts{
	"en": {
		abstain:            AbstainText,
		needWords:          "I need a few more specific words (a name, a place, a topic) to search the articles.",
		modelUnavailable:   modelUnavailableNote,
		summaryUnavailable: summaryUnavailableNote,
	},
	"de": {
		abstain:            "Dazu finde ich nichts in meinen Artikeln.",
		needWords:          "Ich brauche ein paar genauere Wörter (einen Namen, einen Ort, ein Thema), um in den Artikeln zu suchen.",
		modelUnavailable:   "Das Sprachmodell war nicht erreichbar, deshalb zitiert diese Antwort die Artikel direkt.",
		summaryUnavailable: "Das Sprachmodell war nicht erreichbar, deshalb zitiert diese Zusammenfassung die Artikel direkt.",
	},
}

// textsIn returns the fixed sentences of answers in lang (an ISO 639-1
// code or a tag such as "de-AT"), English when Herald has none in it.
func textsIn(lang string) answerTexts {
	if t, ok := answerCatalogue[text.LanguageCode(lang)]; ok {
		return t
	}
	return answerCatalogue["en"]
}

// AbstainTextIn returns what Herald says, in the language lang, when its
// articles do not answer a question: AbstainText in English and in every
// language Herald has no sentence in, "Dazu finde ich nichts in meinen
// Artikeln." in German.
func AbstainTextIn(lang string) string { return textsIn(lang).abstain }
