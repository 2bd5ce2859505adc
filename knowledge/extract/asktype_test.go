package extract

import (
	"reflect"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

func TestDetectAskedFor(t *testing.T) {
	tests := []struct {
		q     string
		lang  string
		kind  answerKind
		units unitClass
		focus []string
	}{
		{"Who leads the German army?", "en", askPerson, unitAny, nil},
		// Who someone named is: a description, not another name.
		{"Who is Liz Truss?", "en", askOther, unitAny, nil},
		{"Who is the new leader of the Tories?", "en", askPerson, unitAny, nil},
		{"Which German chancellor resigned?", "en", askPerson, unitAny, []string{"german", "chancellor"}},
		{"What is the name of the new prime minister of New Zealand?", "en", askPerson, unitAny, []string{"prime", "minister"}},
		{"The GOP's critic lost her seat. What is her name?", "en", askPerson, unitAny, nil},
		{"Where was the event?", "en", askPlace, unitAny, nil},
		{"Which country is now bankrupt?", "en", askPlace, unitAny, []string{"country"}},
		{"Which region of the US faces water cuts?", "en", askPlace, unitAny, []string{"region"}},
		{"Which major US retailer is slashing prices?", "en", askOrganisation, unitAny, []string{"us", "retailer"}},
		{"Which team won the Stanley Cup?", "en", askOrganisation, unitAny, []string{"team"}},
		// The focus ends at the verb after it.
		{"Which show received the most nominations?", "en", askOther, unitAny, []string{"show"}},
		{"How many Taurus missiles has Germany delivered?", "en", askNumber, unitAny, []string{"taurus", "missiles"}},
		{"How many months was her detention extended?", "en", askNumber, unitAny, []string{"months"}},
		{"How far can Taurus missiles reach?", "en", askNumber, unitDistance, nil},
		{"What was the magnitude of the quake?", "en", askNumber, unitAny, []string{"magnitude"}},
		{"How long did the recording last?", "en", askNumber, unitDuration, nil},
		{"How old is he?", "en", askNumber, unitAge, nil},
		{"How much does a gallon of gas cost?", "en", askMoney, unitAny, nil},
		{"What is the price of a Taurus missile?", "en", askMoney, unitAny, []string{"price"}},
		{"How many dollars did he pay?", "en", askMoney, unitAny, []string{"dollars"}},
		{"How much have gas prices increased?", "en", askNumber, unitAmount, nil},
		{"What percentage of voters backed him?", "en", askPercent, unitAny, nil},
		{"When are loan payments set to restart?", "en", askDate, unitAny, nil},
		{"In which year did the war start?", "en", askDate, unitAny, []string{"year"}},
		{"How soon could vaccines be available?", "en", askDate, unitAny, nil},
		{"Why hasn't Scholz approved Taurus deliveries?", "en", askReason, unitAny, nil},
		{"What caused the leak?", "en", askReason, unitAny, nil},
		{"What does Pistorius say caused the leak?", "en", askReason, unitAny, nil},
		{"How did the recording get intercepted, according to the defence minister?", "en", askManner, unitAny, nil},
		{"What does PSL stand for?", "en", askExpansion, unitAny, nil},
		{"Did Germany deliver Taurus missiles?", "en", askYesNo, unitAny, nil},
		{"Which meeting platform did the officers use?", "en", askOther, unitAny, []string{"meeting", "platform"}},
		{"What did Pope Francis name his first cat?", "en", askOther, unitAny, nil},
		{"Which type of extreme weather swept through Europe?", "en", askOther, unitAny, []string{"extreme", "weather", "swept"}},
		{"Covid-19 vaccinations began for which age group?", "en", askOther, unitAny, []string{"age"}},
		{"Taco Bell has brought back which much-loved menu item?", "en", askOther, unitAny, []string{"menu", "item"}},
		// A statement, then the question: the question decides.
		{"Police arrested 31 men who planned to riot at a Pride event. Where was the event?", "en", askPlace, unitAny, nil},
		{"Wer führt die Bundeswehr?", "de", askPerson, unitAny, nil},
		{"Wie viele Taurus hat Deutschland geliefert?", "de", askNumber, unitAny, []string{"taurus"}},
		{"Warum genehmigt Scholz keine Lieferung?", "de", askReason, unitAny, nil},
		{"Welches Land hat gewählt?", "de", askPlace, unitAny, []string{"land"}},
		{"Wann beginnt der Streik?", "de", askDate, unitAny, nil},
		{"Was kostet ein Taurus?", "de", askMoney, unitAny, nil},
		{"Hat Deutschland Taurus geliefert?", "de", askYesNo, unitAny, nil},
		{"Wie viele Stunden dauert der Lokführerstreik?", "de", askNumber, unitAny, []string{"stunden"}},
		{"Wie viel Prozent der Fernzüge fallen aus?", "de", askPercent, unitAmount, []string{"prozent"}},
		{"Wie viel kostet die neue Brücke?", "de", askMoney, unitAny, []string{"kostet"}},
		{"Wie viel verdient Trainer Dirk Hallmann?", "de", askMoney, unitAny, []string{"verdient", "trainer"}},
		{"Wie stark sind die Verbraucherpreise gestiegen?", "de", askNumber, unitAmount, nil},
		{"Wie hoch ist der Schaden?", "de", askNumber, unitAmount, nil},
		{"Wie lange dauert die Aufnahme?", "de", askNumber, unitDuration, nil},
		{"Wie weit reichen Taurus-Marschflugkörper?", "de", askNumber, unitDistance, nil},
		{"Wie erklärt Pistorius das Abhören der Offiziere?", "de", askReason, unitAny, nil},
		{"Wie konnte das Gespräch abgehört werden?", "de", askManner, unitAny, nil},
		{"Von wo aus hatte sich der Offizier eingewählt?", "de", askPlace, unitAny, nil},
		{"Ab wann gilt das Fahrverbot?", "de", askDate, unitAny, nil},
		{"Welcher Stürmer traf zweimal?", "de", askPerson, unitAny, []string{"sturmer"}},
		{"Welche Verteidigungsministerin sprach?", "de", askPerson, unitAny, []string{"verteidigungsministerin"}},
		{"Welche Hauptstadt wurde gewählt?", "de", askPlace, unitAny, []string{"hauptstadt"}},
		{"Welche Gewerkschaft ruft zum Streik auf?", "de", askOrganisation, unitAny, []string{"gewerkschaft"}},
		{"Welches Bauwerk nennen die Offiziere?", "de", askOther, unitAny, []string{"bauwerk"}},
		{"Auf welchen Schlichter haben sich beide geeinigt?", "de", askPerson, unitAny, []string{"schlichter"}},
	}
	for _, tt := range tests {
		got := detectAskedFor(tt.q, tt.lang)
		if got.kind != tt.kind || got.units != tt.units || !reflect.DeepEqual(got.focus, tt.focus) {
			t.Errorf("%q: kind %v units %d focus %q; want %v %d %q", tt.q, got.kind, got.units, got.focus, tt.kind, tt.units, tt.focus)
		}
	}
	if a := detectAskedFor("What does PSL stand for?", "en"); a.acronym != "PSL" {
		t.Errorf("acronym = %q", a.acronym)
	}
}

func TestScanPlainWords(t *testing.T) {
	got := []string{}
	for _, w := range scanPlainWords("Scholz's aide, in Coeur d'Alene, paid $4.96 (2,000 times) — we’ve seen it; didn't we?") {
		got = append(got, w.orig)
	}
	want := []string{"Scholz", "s", "aide", "in", "Coeur", "d'Alene", "paid", "4.96", "2,000", "times", "we", "ve", "seen", "it", "didn", "t", "we"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("words = %q\nwant    %q", got, want)
	}
}

func TestAttributedTerms(t *testing.T) {
	for _, tt := range []struct {
		q, lang        string
		phrase, source []string
	}{
		{"How did the recording get intercepted, according to the defence minister?", "en", []string{"accord"}, []string{"defens", "minist"}},
		{"Wie wurde das Gespräch laut dem Verteidigungsminister abgehört?", "de", []string{"laut"}, []string{"verteidigungsminist", "abgehort"}},
		{"Was ist nach Angaben der Polizei passiert, und wann?", "de", []string{"nach", "angab"}, []string{"polizei", "passiert"}},
		{"Why hasn't Scholz approved Taurus deliveries?", "en", nil, nil},
	} {
		var cache text.StemCache
		an := text.AnalyzerFor(tt.lang)
		got := attributedTerms(tt.q, cuesFor(tt.lang), an, &cache)
		for _, p := range tt.phrase {
			if !got.phrase[p] {
				t.Errorf("%q: phrase lacks %q: %v", tt.q, p, got.phrase)
			}
		}
		for _, s := range tt.source {
			if !got.named[s] {
				t.Errorf("%q: source lacks %q: %v", tt.q, s, got.named)
			}
		}
		if len(got.named) != len(tt.source) {
			t.Errorf("%q: source %v, want %v", tt.q, got.named, tt.source)
		}
	}
}
