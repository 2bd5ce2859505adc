package extract

import (
	"math"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

// candidatesOf returns the candidates of sentence for question, those
// fitting at least 0.5, as text.
func candidatesOf(question, sentence string, lowercase ...string) []string {
	var cache text.StemCache
	an := text.AnalyzerFor("en")
	q := newQuestionFacts(question, detectAskedFor(question, "en"), an, &cache)
	for _, l := range lowercase {
		q.noteCase(scanPlainWords(l))
	}
	q.noteCase(scanPlainWords(sentence))
	var out []string
	for _, c := range findCandidates(sentence, scanPlainWords(sentence), q) {
		if c.fit >= 0.5 {
			out = append(out, c.text)
		}
	}
	return out
}

func TestFindCandidates(t *testing.T) {
	tests := []struct {
		question, sentence string
		want               []string // each must be among the candidates
		not                []string // none may be
	}{
		// Names, with person, place and organisation hints.
		{"Which German chancellor refused?", "Chancellor Olaf Scholz, however, has refrained from approving the deliveries.",
			[]string{"Olaf Scholz"}, []string{"Chancellor Olaf Scholz", "Chancellor"}},
		{"Who became the first lady?", "The award went to First lady Dr. Jill Biden on Monday.", []string{"Jill Biden"}, []string{"Monday"}},
		{"Which popular singer returns?", "Pop star Adele is returning to Las Vegas.", []string{"Adele"}, nil},
		{"Where was the event?", "Police arrested the men near a Pride event in Coeur d'Alene, Idaho, on Saturday.",
			[]string{"Idaho", "Coeur d'Alene"}, []string{"Police", "Pride", "Saturday"}},
		{"Which country is now bankrupt?", "Sri Lanka is bankrupt, Prime Minister Ranil Wickremesinghe said Tuesday.",
			[]string{"Sri Lanka"}, []string{"Ranil Wickremesinghe", "Tuesday"}},
		{"Which company is accused of turning off the AC?", "The company said it would remodel 450 Bed Bath & Beyond shops.",
			[]string{"Bed Bath & Beyond"}, nil},
		{"Which German foundation was designated undesirable?", "Moscow designated the German Friedrich Ebert Foundation as undesirable.",
			[]string{"Friedrich Ebert Foundation"}, []string{"Moscow"}},
		// What the question holds is no answer.
		{"What did Olaf Scholz say about Pistorius?", "Olaf Scholz praised Pistorius on Tuesday.", nil, []string{"Olaf Scholz", "Pistorius"}},
		// A sentence's first word is a name only when the evidence
		// capitalises it elsewhere.
		{"Who won?", "Chances are the favourite won.", nil, []string{"Chances"}},
		// Numbers with units, counted things and amounts.
		{"How far can Taurus missiles reach?", "Taurus missiles are capable of reaching targets up to 500 kilometers away.",
			[]string{"500 kilometers"}, nil},
		{"How far can Taurus missiles reach?", "The leaked 38-minute recording was posted last Friday.", nil, []string{"38-minute"}},
		{"How many months was her detention extended?", "The court ruled her detention be extended six months pending its outcome.",
			[]string{"six months"}, nil},
		{"How many baby swings were recalled?", "The recall affects 2 million MamaRoo swings, according to the agency.",
			[]string{"2 million"}, nil},
		// A name's generic head is not what the question holds.
		{"Where are many Americans fleeing expensive cities moving?", "A growing number of Americans make Mexico City their new home.",
			[]string{"Mexico City"}, nil},
		// The measure may be named before its value; a time of day is no
		// count.
		{"What was the magnitude of the quake?", "A magnitude 5.9 earthquake struck the east at 1:24 a.m. local time.",
			[]string{"5.9"}, []string{"1", "24"}},
		{"How many Taurus missiles has Germany delivered?", "Moscow designated three other German entities on March 5.", nil, []string{"three", "5"}},
		{"How old is he?", "A 17-year-old has become the youngest person to fly around the world solo.", []string{"17-year-old"}, nil},
		{"How much does a gallon of gas cost?", "The national average hit $4.96 a gallon on Wednesday, up 60% in a year.",
			[]string{"$4.96"}, []string{"60%"}},
		{"What is the price of a Taurus missile?", "Taurus missiles can reach targets up to 500 kilometers away.", nil, []string{"500 kilometers"}},
		{"What percentage of voters backed him?", "He won 52.4% of the vote, or 2.1 million votes.", []string{"52.4%"}, []string{"2.1 million"}},
		{"How much have gas prices increased over the past year?", "Gas prices are up nearly 60 percent over the past year.", []string{"60 percent"}, nil},
		// Dates.
		{"When are loan payments set to restart?", "Currently, payments are set to resume after August 31, 2022.", []string{"August 31, 2022"}, nil},
		{"When will the boosters be available?", "Updated boosters will be available early next month.", []string{"next month"}, nil},
		// Reasons and means.
		{"Why hasn't Scholz approved Taurus deliveries?", "Scholz has refrained from approving them, expressing concerns about potential entanglement in the conflict.",
			[]string{"concerns about potential entanglement in the conflict"}, nil},
		{"Why did some cities cancel their fireworks?", "Another town cancelled its fireworks show because of the current wildfire danger.",
			[]string{"because of the current wildfire danger"}, nil},
		{"How did the recording get intercepted?", "An attendee had connected via an unauthorized connection, leading to the interception.",
			[]string{"via an unauthorized connection"}, nil},
		// Expansions.
		{"What does PSL stand for?", "The Professional Squash League (PSL) opens its season in May.", []string{"Professional Squash League"}, nil},
		// Quoted titles for questions about things.
		{"Which show was green lit for a new season?", "“Squid Game” will return for a second season, Netflix said.", []string{"Squid Game"}, nil},
	}
	for _, tt := range tests {
		got := candidatesOf(tt.question, tt.sentence, "the chances are good")
		for _, w := range tt.want {
			if !containsString(got, w) {
				t.Errorf("%q in %q: no candidate %q among %q", tt.question, tt.sentence, w, got)
			}
		}
		for _, n := range tt.not {
			if containsString(got, n) {
				t.Errorf("%q in %q: %q should be no candidate: %q", tt.question, tt.sentence, n, got)
			}
		}
	}
}

func TestFindCandidatesGerman(t *testing.T) {
	tests := []struct {
		question, sentence string
		want, not          []string
	}{
		// Names: a noun after a determiner is no name, a title before a
		// name says it is a person's.
		{"Wer verbreitete den Mitschnitt?", "Die Chefredakteurin des russischen Staatssenders RT, Margarita Simonjan, hatte die Aufnahme verbreitet.",
			[]string{"Margarita Simonjan"}, []string{"Chefredakteurin", "Staatssenders", "Aufnahme"}},
		{"Welcher Stürmer traf zweimal?", "Matchwinner war Stürmer Lukas Brenner, der in der 23. und in der 67. Minute traf.",
			[]string{"Lukas Brenner"}, []string{"Stürmer Lukas Brenner", "Minute"}},
		{"Wer leitet die Gewerkschaft?", "GDT-Chef Harald Brunnmeier begründete den Streik mit dem Stillstand der Verhandlungen.",
			[]string{"Harald Brunnmeier"}, []string{"Streik", "Stillstand", "Verhandlungen"}},
		{"Wer ist Verteidigungsminister?", "Das sagte Verteidigungsminister Boris Pistorius am Dienstag in Berlin.", []string{"Boris Pistorius"}, []string{"Dienstag"}},
		{"Von wo aus hatte sich der Offizier eingewählt?", "Einer der Teilnehmer habe sich aus einem Hotel in Singapur über eine ungesicherte Verbindung eingewählt.",
			[]string{"Singapur"}, []string{"Hotel", "Verbindung", "Teilnehmer"}},
		// Numbers as German writes them, with German units and amounts.
		{"Wie viele Stunden dauert der Streik?", "Von Donnerstag an sollen 35 Stunden lang keine Züge fahren.", []string{"35 Stunden"}, nil},
		{"Wie viel Prozent der Fernzüge fallen aus?", "Die Bahn rechnet damit, dass rund 80 Prozent der Fernzüge ausfallen.", []string{"80 Prozent"}, nil},
		{"Wie viel kostet die neue Brücke?", "Die Kosten sind von zunächst 128 auf 182 Millionen Euro gestiegen.", []string{"182 Millionen Euro"}, []string{"128"}},
		{"Was kostet der Speicher?", "Ein Speicher kostet 4.500 € und hält 3.000 Ladezyklen.", []string{"4.500 €"}, []string{"3.000"}},
		{"Wie weit reichen die Marschflugkörper?", "Eine Waffe mit einer Reichweite von 500 Kilometern.", []string{"500 Kilometern"}, nil},
		{"Wie lange dauert die Aufnahme?", "In der etwa 38 Minuten langen Aufnahme besprechen die Offiziere den Einsatz.", []string{"38 Minuten"}, nil},
		{"Wie alt ist der Angeklagte?", "Nach Überzeugung der Kammer hatte der 61-Jährige Kredite vergeben.", []string{"61-Jährige"}, nil},
		// Dates: the day before its month.
		{"Wann öffnet die Brücke?", "Die Brücke soll am 18. April für den Verkehr freigegeben werden.", []string{"18. April"}, nil},
		{"Ab wann gilt das Fahrverbot?", "Die Stadt darf Dieselautos vom 1. Juni an aussperren.", []string{"1. Juni"}, nil},
		{"Wann wird die alte Brücke abgerissen?", "Der Abriss dauert voraussichtlich bis Herbst 2025.", []string{"Herbst 2025"}, nil},
		// Reasons and means.
		{"Warum genehmigt Scholz keine Lieferung?", "Scholz lehnt eine Lieferung ab, weil er fürchtet, Deutschland könne in den Krieg hineingezogen werden.",
			[]string{"weil er fürchtet"}, nil},
		{"Wie konnte das Gespräch abgehört werden?", "Ein Teilnehmer hatte sich über eine ungesicherte Verbindung eingewählt.",
			[]string{"über eine ungesicherte Verbindung eingewählt"}, nil},
		// German quotes around titles.
		{"Welche Übung hat begonnen?", "Die Luftwaffe hat ihre Großübung „Nordwind“ begonnen.", []string{"Nordwind"}, nil},
	}
	for _, tt := range tests {
		var cache text.StemCache
		an := text.AnalyzerFor("de")
		q := newQuestionFacts(tt.question, detectAskedFor(tt.question, "de"), an, &cache)
		q.noteCase(scanPlainWords(tt.sentence))
		var got []string
		for _, c := range findCandidates(tt.sentence, scanPlainWords(tt.sentence), q) {
			if c.fit >= 0.5 {
				got = append(got, c.text)
			}
		}
		for _, w := range tt.want {
			if !containsPrefix(got, w) {
				t.Errorf("%q in %q: no candidate %q among %q", tt.question, tt.sentence, w, got)
			}
		}
		for _, n := range tt.not {
			if containsString(got, n) {
				t.Errorf("%q in %q: %q should be no candidate: %q", tt.question, tt.sentence, n, got)
			}
		}
	}
}

// containsPrefix reports whether one of xs starts with s (a reason clause
// runs on).
func containsPrefix(xs []string, s string) bool {
	for _, x := range xs {
		if strings.HasPrefix(strings.TrimRight(x, ","), s) {
			return true
		}
	}
	return false
}

func TestGermanNumbers(t *testing.T) {
	de, en := lexiconFor("de"), lexiconFor("en")
	for _, tt := range []struct {
		lex  *lexicon
		word string
		want float64
	}{
		{de, "41.200", 41200}, {de, "2,5", 2.5}, {de, "14,7", 14.7}, {de, "sechs", 6}, {de, "zwölf", 12},
		{en, "2,000", 2000}, {en, "4.96", 4.96}, {en, "six", 6},
	} {
		w := scanPlainWords(tt.word)[0]
		if got, ok := tt.lex.numberValue(w); !ok || got != tt.want {
			t.Errorf("%s %q = %v, %v; want %v", tt.lex.lang, tt.word, got, ok, tt.want)
		}
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if strings.TrimRight(x, ",") == s {
			return true
		}
	}
	return false
}

func TestCreditsAreNoCandidates(t *testing.T) {
	e := &extractor{docs: []Document{{Outlet: "Harbour Gazette"}}}
	s := "PORTLAND, Maine (AP) — Harbour Gazette reported that Maine Ferries won the contract."
	cands := []answerCandidate{
		{start: 17, end: 19, text: "AP"}, {start: 25, end: 40, text: "Harbour Gazette"}, {start: 55, end: 68, text: "Maine Ferries"},
	}
	got := e.dropCredits(s, cands)
	if len(got) != 1 || got[0].text != "Maine Ferries" {
		t.Errorf("candidates %+v, want only Maine Ferries", got)
	}
}

// TestCandidatesOfWordsThatFoldToNothing: a "word" the tokenizer folds to
// nothing (a lone combining accent, as synthetic or broken text holds)
// is no word, and reading candidates of any kind never fails on it.
func TestCandidatesOfWordsThatFoldToNothing(t *testing.T) {
	marks := []string{"\u0301", "\u0300\u0301", "\u0308"}
	for _, m := range marks {
		sentences := []string{
			"On March " + m + " the vote was held in " + m + " Berlin.",
			m + " The court met in May " + m + " 2022 and ruled.",
			"Prices rose " + m + " 12 percent, costing $" + m + "5 more " + m,
			m,
			"Why " + m + " because of " + m + " the rain " + m + ".",
		}
		for _, s := range sentences {
			for _, w := range scanPlainWords(s) {
				if w.orig == "" || w.fold == "" {
					t.Fatalf("scanPlainWords(%q) holds an empty word %+v", s, w)
				}
			}
			for _, q := range []string{"Who won?", "Where was it?", "When did the court meet?", "How many percent?",
				"How much did it cost?", "Why did it happen?", "What does " + m + " PSL stand for?", "Which show won?", "Did it rain?"} {
				candidatesOf(q, s)
				detectAskedFor(q+" "+s, "en")
				detectAskedFor(q+" "+s, "de")
			}
		}
	}
}

func TestQuotedSpans(t *testing.T) {
	tests := []struct {
		s    string
		want []string
	}{
		{"'Squid Game': Netflix green lights season 2", []string{"Squid Game"}},
		{"Emmys 2022: Full list; 'Succession,' 'Ted Lasso' lead", []string{"Succession", "Ted Lasso"}},
		{"“Thor: Love and Thunder,” the latest film, opened.", []string{"Thor: Love and Thunder"}},
		{"Scholz's party and the allies' view", nil},
		{`He said "no" twice`, []string{"no"}},
		{"an unclosed 'quote", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range quotedSpans(tt.s) {
			got = append(got, tt.s[sp.Start:sp.End])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("quotedSpans(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestFutureDates(t *testing.T) {
	for _, tt := range []struct {
		q      string
		future bool
	}{
		{"How soon could vaccines be available for children?", true},
		{"When will the bridge reopen?", true},
		{"When are loan payments set to restart?", true},
		{"When did the bridge close?", false},
		{"When was the treaty signed?", false},
	} {
		if got := detectAskedFor(tt.q, "en"); got.kind != askDate || got.future != tt.future {
			t.Errorf("detectAskedFor(%q) = %+v, want a date, future %v", tt.q, got, tt.future)
		}
	}
	got := candidatesOf("When will the bridge reopen?", "Officials said on Wednesday the bridge will reopen next month.")
	if strings.Join(got, "|") != "next month" {
		t.Errorf("a question about what is to come: candidates %q, want only %q", got, "next month")
	}
}

// TestSentenceStartNamedByHeadline: a word opening a sentence is a name
// when the evidence never writes it in lowercase and a headline opens
// with it too.
func TestSentenceStartNamedByHeadline(t *testing.T) {
	var cache text.StemCache
	question := "Which retailer is slashing prices on clothing?"
	sentence := "Walmart is slashing prices on clothing and other products."
	q := newQuestionFacts(question, detectAskedFor(question, "en"), text.AnalyzerFor("en"), &cache)
	names := func() []string {
		var out []string
		for _, c := range findCandidates(sentence, scanPlainWords(sentence), q) {
			out = append(out, c.text)
		}
		return out
	}
	if got := names(); len(got) != 0 {
		t.Errorf("without a headline: %q, want none", got)
	}
	q.headSeen["walmart"] = true
	if got := names(); strings.Join(got, "|") != "Walmart" {
		t.Errorf("with a headline opening with it: %q, want Walmart", got)
	}
}

// TestAttachedReasons: a reason fits less when its own clause holds none
// of the question's words, for then it is the reason of something else;
// a means does not.
func TestAttachedReasons(t *testing.T) {
	const why = "Why did the town close its harbour this week?"
	tests := []struct {
		question, sentence string
		attached           bool
	}{
		{why, "The town closed the harbour because of the storm surge.", true},
		{why, "Because of the storm surge, the town closed the harbour.", true},
		// The reason of the rebuilding, not of the closing.
		{why, "The ferry still sails from the harbour, a quay rebuilt in May because of the storm surge.", false},
		// Too far before the cue.
		{why, "The town said on Monday that boats would wait in the bay for several more days due to the storm surge.", false},
		// A means names what the question asks about in other words.
		{"How did the smugglers enter the harbour?", "The crews had sailed in via a disused channel.", true},
	}
	var cache text.StemCache
	an := text.AnalyzerFor("en")
	for _, tt := range tests {
		q := newQuestionFacts(tt.question, detectAskedFor(tt.question, "en"), an, &cache)
		ws := scanPlainWords(tt.sentence)
		var fit float64
		for _, c := range findCandidates(tt.sentence, ws, q) {
			if strings.HasPrefix(c.key, "c:") {
				fit = math.Max(fit, c.fit)
			}
		}
		if !tt.attached {
			if fit >= 0.9 || fit == 0 {
				t.Errorf("%q: clause fit %.2f, want it lowered", tt.sentence, fit)
			}
		} else if fit < 0.9 {
			t.Errorf("%q: clause fit %.2f, want it whole", tt.sentence, fit)
		}
	}
}

// TestAgeOwners: asked how old someone is, an age in apposition to the
// name asked about ("Roe, 67,") answers; the age of someone else ("the
// 41-year-old challenger") fits less.
func TestAgeOwners(t *testing.T) {
	const question = "How old is Mayor Dana Roe?"
	const sentence = "Roe, 67, won again on Sunday, and the 41-year-old challenger conceded."
	docs := []Document{{Title: "Roe re-elected", Full: sentence}}
	e := newExtractor(question, "en", docs, nil, map[string]float64{"mayor": 1, "dana": 1, "roe": 1}, DefaultParams())
	e.prepare(docs)
	fits := map[string]float64{}
	for _, c := range findCandidates(sentence, scanPlainWords(sentence), e.facts) {
		fits[c.text] = c.fit
	}
	// Below 0.5, the suspect's age can be no answer's best candidate.
	if fits["67"] != 1 || fits["41-year-old"] >= 0.5 {
		t.Errorf("fits %v, want 67 at 1 and 41-year-old below 0.5", fits)
	}
}

func TestAgeWords(t *testing.T) {
	for _, tt := range []struct{ lang, question, sentence, want string }{
		{"en", "How old was Dana Roe?", "Dana Roe died at the age of 67 on Friday after a long illness.", "67"},
		{"en", "How old was Dana Roe?", "Dana Roe, aged 67, died on Friday after a long illness.", "67"},
		{"de", "Wie alt war Dana Roe?", "Dana Roe ist im Alter von 67 Jahren gestorben.", "67"},
	} {
		docs := []Document{{Title: "Dana Roe", Full: tt.sentence}}
		e := newExtractor(tt.question, tt.lang, docs, nil, map[string]float64{"dana": 1, "roe": 1}, DefaultParams())
		e.prepare(docs)
		found := false
		for _, c := range findCandidates(tt.sentence, scanPlainWords(tt.sentence), e.facts) {
			found = found || strings.HasPrefix(c.text, tt.want) && c.fit == 1
		}
		if !found {
			t.Errorf("%q: no age %s fitting 1 in %q", tt.question, tt.want, tt.sentence)
		}
	}
}
