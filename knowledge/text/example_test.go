package text_test

import (
	"fmt"

	"github.com/herald-bot/herald/knowledge/text"
)

// An article and a question in German meet on their stems, whatever the
// inflection, umlaut or hyphenation.
func ExampleAnalyzer() {
	article := "Die Offiziere sprachen über die Lieferung von Taurus-Marschflugkörpern."
	question := "Was sagten die Offizieren über die Taurusmarschflugkörper?"

	a := text.AnalyzerFor(text.DetectLanguage(article, "en"))
	terms, n := a.AppendIndexTokens(nil, article)
	fmt.Println(a.Language(), terms, n)
	for _, t := range a.Query(question) {
		fmt.Printf("%s=%s key=%v name=%v compound=%v\n", t.Word, t.Term, t.Key, t.Name, t.Compound)
	}
	// Output:
	// de [offizi sprach liefer taurus marschflugkorp taurusmarschflugkorp] 9
	// sagten=sagt key=false name=false compound=false
	// offizieren=offizi key=true name=false compound=false
	// taurusmarschflugkorper=taurusmarschflugkorp key=true name=false compound=false
}

func ExampleAnalyzer_Stem() {
	en := text.AnalyzerFor("en-GB")
	fmt.Println(en.Stem("defence"), en.Stem("defense"), en.Stem("organisation"), en.Stem("organization"), en.Stem("intercepted"), en.Stem("interception"))
	// Output: defens defens organ organ intercept intercept
}

func ExampleDetectLanguage() {
	fmt.Println(text.DetectLanguage("Wer ist Pistorius?", "en"))
	fmt.Println(text.DetectLanguage("Who is Pistorius?", "de"))
	fmt.Println(text.DetectLanguage("Olaf Scholz", "de"))
	// Output:
	// de
	// en
	// de
}
