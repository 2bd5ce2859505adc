package text

import (
	"reflect"
	"strings"
	"testing"
)

// sentenceTexts returns the text of each sentence span.
func sentenceTexts(s string, spans []Span) []string {
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = s[sp.Start:sp.End]
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", []string{}},
		{"only spaces", "  \n\t \n", []string{}},
		{"simple", "The vote passed. It was close! Was it fair? Nobody knows.",
			[]string{"The vote passed.", "It was close!", "Was it fair?", "Nobody knows."}},
		{"surrounding whitespace", "  First one.   Second one.  ",
			[]string{"First one.", "Second one."}},
		{"U.S. mid sentence", "The U.S. Army said it would help. Officials agreed.",
			[]string{"The U.S. Army said it would help.", "Officials agreed."}},
		{"U.S. at the end before a capital is not split", "He returned to the U.S. The trip was long.",
			[]string{"He returned to the U.S. The trip was long."}},
		{"U.S. at the end of a line", "He returned to the U.S.\nThe trip was long.",
			[]string{"He returned to the U.S.", "The trip was long."}},
		{"initialisms", "The U.K. and the E.U. met at the U.N. in Washington, D.C. on Monday.",
			[]string{"The U.K. and the E.U. met at the U.N. in Washington, D.C. on Monday."}},
		{"titles", "Gen. Mark Milley met Sen. Jane Doe and Dr. Lee. Then they left.",
			[]string{"Gen. Mark Milley met Sen. Jane Doe and Dr. Lee.", "Then they left."}},
		{"more titles", "Mr. Smith, Mrs. Jones, Ms. Brown, Prof. White, Lt. Col. Green and Gov. Black spoke. St. Louis waited.",
			[]string{"Mr. Smith, Mrs. Jones, Ms. Brown, Prof. White, Lt. Col. Green and Gov. Black spoke.", "St. Louis waited."}},
		{"Jr. and company suffixes", "Martin Luther King Jr. Day is a holiday. Apple Inc. Chief Tim Cook and Acme Corp. Ltd. agreed.",
			[]string{"Martin Luther King Jr. Day is a holiday.", "Apple Inc. Chief Tim Cook and Acme Corp. Ltd. agreed."}},
		{"months", "It began on Jan. 6 and ended Sept. 30. Aug. 12 was quiet.",
			[]string{"It began on Jan. 6 and ended Sept. 30.", "Aug. 12 was quiet."}},
		{"a.m. and p.m.", "The blast came at 3 a.m. on Friday, and the fire was out by 5 p.m. Police said so.",
			[]string{"The blast came at 3 a.m. on Friday, and the fire was out by 5 p.m. Police said so."}},
		{"e.g. and i.e.", "Some states, e.g. Texas, i.e. the big ones, voted. Others did not.",
			[]string{"Some states, e.g. Texas, i.e. the big ones, voted.", "Others did not."}},
		{"run together", "Police traced the car to Crimo.Lake County officials confirmed it.",
			[]string{"Police traced the car to Crimo.", "Lake County officials confirmed it."}},
		{"run together not split", "He moved to St.Louis in 2020 and read cnn.com daily, e.g.The Lead.",
			[]string{"He moved to St.Louis in 2020 and read cnn.com daily, e.g.The Lead."}},
		{"vs.", "It was Smith vs. Jones. Jones won.",
			[]string{"It was Smith vs. Jones.", "Jones won."}},
		{"No. before a digit", "He was ranked No. 5 in the world. No. He was not.",
			[]string{"He was ranked No. 5 in the world.", "No.", "He was not."}},
		{"initials", "John F. Kennedy and George W. Bush were presidents. J. K. Rowling wrote books.",
			[]string{"John F. Kennedy and George W. Bush were presidents.", "J. K. Rowling wrote books."}},
		{"decimals and big numbers", "Growth was 3.5 percent. The debt hit 1.000.000 euros. Shares rose 0.7.",
			[]string{"Growth was 3.5 percent.", "The debt hit 1.000.000 euros.", "Shares rose 0.7."}},
		{"quotation closes the sentence", `He said "no." Then he left.`,
			[]string{`He said "no."`, "Then he left."}},
		{"question inside a quotation", `"Why now?" she asked. "Because," he said.`,
			[]string{`"Why now?" she asked.`, `"Because," he said.`}},
		{"curly quotes", "“We won,” she said. “It’s over.” They cheered.",
			[]string{"“We won,” she said.", "“It’s over.”", "They cheered."}},
		{"closing bracket", "The plan failed (again.) Critics were furious.",
			[]string{"The plan failed (again.)", "Critics were furious."}},
		{"opening quote after the stop", `It ended. "Nobody expected it," he said.`,
			[]string{"It ended.", `"Nobody expected it," he said.`}},
		{"digit after the stop", "It rose in 2023. 2024 was worse.",
			[]string{"It rose in 2023.", "2024 was worse."}},
		{"lowercase after the stop", "See the figure. it was small.",
			[]string{"See the figure. it was small."}},
		{"headline without a stop", "Storm hits coast\nThousands lose power. Repairs begin.",
			[]string{"Storm hits coast", "Thousands lose power.", "Repairs begin."}},
		{"paragraphs and list", "What next\n\n- Vote in May\n- Count in June\n\nThe end.",
			[]string{"What next", "- Vote in May", "- Count in June", "The end."}},
		{"numbered list", "1. The first point\n2. The second point",
			[]string{"1. The first point", "2. The second point"}},
		{"no punctuation at all", "just some words without any stop",
			[]string{"just some words without any stop"}},
		{"no punctuation, several lines", "alpha beta\ngamma delta",
			[]string{"alpha beta", "gamma delta"}},
		{"ellipsis before lowercase", "He paused... and then he spoke. The room went quiet.",
			[]string{"He paused... and then he spoke.", "The room went quiet."}},
		{"ellipsis char", "Well… maybe. Wait… Then what?",
			[]string{"Well… maybe.", "Wait…", "Then what?"}},
		{"ellipsis before a capital", "It was over... The crowd left.",
			[]string{"It was over...", "The crowd left."}},
		{"leading ellipsis", "... And then there were none.",
			[]string{"... And then there were none."}},
		{"repeated punctuation", "Really?! Yes!!! Fine.",
			[]string{"Really?!", "Yes!!!", "Fine."}},
		{"no space after the stop", "Visit example.com.It is fine.",
			[]string{"Visit example.com.It is fine."}},
		{"domain at the end", "Read it on example.com. The site is new.",
			[]string{"Read it on example.com.", "The site is new."}},
		{"etc. ends a sentence", "They sold apples, pears, etc. The market closed.",
			[]string{"They sold apples, pears, etc.", "The market closed."}},
		{"state abbreviation", "He lives in Fresno, Calif. The city is hot.",
			[]string{"He lives in Fresno, Calif. The city is hot."}},
		{"non-ASCII capitals", "Die Regierung tagte. Über das Budget wurde gestritten. Ärger folgte.",
			[]string{"Die Regierung tagte.", "Über das Budget wurde gestritten.", "Ärger folgte."}},
		{"Cyrillic", "Москва заявила. Президент ответил.",
			[]string{"Москва заявила.", "Президент ответил."}},
		{"caseless script", "הממשלה החליטה. השרים הסכימו.",
			[]string{"הממשלה החליטה.", "השרים הסכימו."}},
		{"CJK full stops", "他说了。然后走了！为什么？",
			[]string{"他说了。", "然后走了！", "为什么？"}},
		{"accented lowercase continues", "Il a dit. été chaud.",
			[]string{"Il a dit. été chaud."}},
		{"CRLF and CR", "One.\r\nTwo\rThree.",
			[]string{"One.", "Two", "Three."}},
		{"no-break space", "It ended.\u00a0Then it began.",
			[]string{"It ended.", "Then it began."}},
		{"currency after the stop", "Prices rose. $5 buys less now.",
			[]string{"Prices rose.", "$5 buys less now."}},
		{"only punctuation", "...", []string{"..."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentenceTexts(tt.in, Sentences(tt.in))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSentencesGerman(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"z. B. and u. a.", "Die Gegner, u. a. die Fischer, warnten z. B. vor Schäden. Sie klagen.",
			[]string{"Die Gegner, u. a. die Fischer, warnten z. B. vor Schäden.", "Sie klagen."}},
		{"u. a. before a capital", "Beteiligt sind u. a. Deutschland und Frankreich. Polen fehlt.",
			[]string{"Beteiligt sind u. a. Deutschland und Frankreich.", "Polen fehlt."}},
		{"d. h. before a capital", "Der Vertrag gilt ab sofort, d. h. Bund und Länder zahlen. Das ist neu.",
			[]string{"Der Vertrag gilt ab sofort, d. h. Bund und Länder zahlen.", "Das ist neu."}},
		{"unspaced z.B.", "Manche, z.B. Bayern, sind dagegen. Andere nicht.",
			[]string{"Manche, z.B. Bayern, sind dagegen.", "Andere nicht."}},
		{"Nr. and Dr.", "Laut Drucksache Nr. 17 sprach Dr. Okafor zuerst. Dann folgte Prof. Weber.",
			[]string{"Laut Drucksache Nr. 17 sprach Dr. Okafor zuerst.", "Dann folgte Prof. Weber."}},
		{"bzw. and ca.", "Es kostet ca. 300 Euro bzw. Franken. Das ist viel.",
			[]string{"Es kostet ca. 300 Euro bzw. Franken.", "Das ist viel."}},
		{"Mio. and Mrd.", "Die Stadt zahlt 600 Mio. Euro, das Land 1,1 Mrd. Euro. Der Bund den Rest.",
			[]string{"Die Stadt zahlt 600 Mio. Euro, das Land 1,1 Mrd. Euro.", "Der Bund den Rest."}},
		{"sog. before a noun", "Die sog. Marschflugkörper fliegen weit. Sie sind teuer.",
			[]string{"Die sog. Marschflugkörper fliegen weit.", "Sie sind teuer."}},
		{"S. 12", "Das steht auf S. 12 des Gutachtens. Es ist eindeutig.",
			[]string{"Das steht auf S. 12 des Gutachtens.", "Es ist eindeutig."}},
		{"3. März", "Die Sitzung ist am 3. März in Berlin. Sie beginnt früh.",
			[]string{"Die Sitzung ist am 3. März in Berlin.", "Sie beginnt früh."}},
		{"ordinal day before a month", "Frist ist der 14. Oktober 2021. Danach nicht mehr.",
			[]string{"Frist ist der 14. Oktober 2021.", "Danach nicht mehr."}},
		{"am 1. Januar", "Am 1. Januar tritt das Gesetz in Kraft. Es gilt bundesweit.",
			[]string{"Am 1. Januar tritt das Gesetz in Kraft.", "Es gilt bundesweit."}},
		{"der 2. Weltkrieg", "Der 2. Weltkrieg endete 1945. Europa lag in Trümmern.",
			[]string{"Der 2. Weltkrieg endete 1945.", "Europa lag in Trümmern."}},
		{"zum 100. Geburtstag", "Sie gratulierten zum 100. Geburtstag. Alle kamen.",
			[]string{"Sie gratulierten zum 100. Geburtstag.", "Alle kamen."}},
		{"am 3. August", "Die Wahl ist am 3. August. Dann zählt jede Stimme.",
			[]string{"Die Wahl ist am 3. August.", "Dann zählt jede Stimme."}},
		{"a year ends the sentence", "Das war im Jahr 2023. Danach wurde es ruhiger.",
			[]string{"Das war im Jahr 2023.", "Danach wurde es ruhiger."}},
		{"a number ends the sentence", "Das Ergebnis lautete 3. Die Gäste jubelten.",
			[]string{"Das Ergebnis lautete 3.", "Die Gäste jubelten."}},
		{"low quotes", "„Wir warten nicht“, sagte sie. „Nie wieder.“ Dann ging sie.",
			[]string{"„Wir warten nicht“, sagte sie.", "„Nie wieder.“", "Dann ging sie."}},
		{"guillemets", "»Wir haben alles verloren.« Andere blieben skeptisch. »Warum?« fragte er.",
			[]string{"»Wir haben alles verloren.«", "Andere blieben skeptisch.", "»Warum?« fragte er."}},
		{"a sentence opens with a guillemet", "Sie schwieg. »Jetzt nicht«, sagte sie.",
			[]string{"Sie schwieg.", "»Jetzt nicht«, sagte sie."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentenceTexts(tt.in, Sentences(tt.in))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSentencesGermanArticle checks the German article in testdata: no
// sentence starts with a lowercase word or right after an abbreviation.
func TestSentencesGermanArticle(t *testing.T) {
	s := germanText(t)
	spans := Sentences(s)
	for k, sp := range spans {
		text := s[sp.Start:sp.End]
		for _, bad := range []string{"B.", "a.", "Nr.", "Mrd.", "Mio.", "ca.", "bzw.", "14.", "1.", "2.", "3.", "S.", "Dr.", "Sept."} {
			if strings.HasSuffix(text, " "+bad) {
				t.Errorf("sentence %d ends after %q: %q", k, bad, text)
			}
		}
	}
	if len(spans) != 31 {
		t.Errorf("%d sentences in the German article, want 31", len(spans))
	}
}

// TestSentencesSpans checks the structural promises on real-looking text:
// ordered, non-overlapping spans with no surrounding whitespace, and every
// non-space byte inside some sentence.
func TestSentencesSpans(t *testing.T) {
	for _, s := range []string{articleText(t), strings.Repeat("No stop here ", 50), "a\n\n\nb. C d.\u2028e"} {
		spans := Sentences(s)
		covered := make([]bool, len(s))
		prev := 0
		for _, sp := range spans {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("bad span %v after %d in %q", sp, prev, s)
			}
			text := s[sp.Start:sp.End]
			if strings.TrimSpace(text) != text {
				t.Errorf("span %q has surrounding whitespace", text)
			}
			for i := sp.Start; i < sp.End; i++ {
				covered[i] = true
			}
			prev = sp.End
		}
		for i, r := range s {
			if !covered[i] && !strings.ContainsRune(" \t\n\r\u2028", r) {
				t.Errorf("byte %d (%q) of %q is in no sentence", i, r, s[:min(len(s), 40)])
				break
			}
		}
	}
}
