package extract

import "strings"

// germanLexicon is the German lexicon. German capitalises every noun, so
// a capitalised word is a name only when nothing says it is a common
// noun: a determiner before it, or a noun's ending (see germanNoun).
func germanLexicon() *lexicon {
	l := &lexicon{
		lang:           "de",
		nameConnectors: map[string]bool{"von": true, "van": true, "de": true, "del": true, "la": true, "le": true, "zu": true, "al": true, "bin": true, "&": true},
		personTitles: foldedSet(`herr frau dr prof präsident präsidentin kanzler kanzlerin bundeskanzler bundeskanzlerin
			minister ministerin chef chefin trainer trainerin stürmer stürmerin kapitän kapitänin torwart torhüter
			sprecher sprecherin richter richterin abgeordnete abgeordneter politiker politikerin bürgermeister
			bürgermeisterin oberbürgermeister oberbürgermeisterin regisseur regisseurin schauspieler schauspielerin
			sänger sängerin autor autorin kämmerer vorsitzende vorsitzender general generalin kommandeur kommandeurin
			papst könig königin prinz prinzessin vorstand unternehmer unternehmerin anwalt anwältin experte expertin
			professor professorin direktor direktorin intendant intendantin moderator moderatorin`),
		titleSuffixes: foldedList(`minister ministerin kanzler kanzlerin präsident präsidentin chef chefin trainer
			trainerin sprecher sprecherin führer führerin leiter leiterin richter richterin abgeordnete abgeordneter
			politiker politikerin meister meisterin direktor direktorin vorsitzende vorsitzender general generalin
			redakteur redakteurin volkswirt volkswirtin regisseur regisseurin spieler spielerin stürmer stürmerin
			jäger kapitän kapitänin vorstand unternehmer unternehmerin anwalt anwältin sänger sängerin schauspieler
			schauspielerin autor autorin expertin experte kommandeur kommandeurin sekretär sekretärin`),
		personCues: foldedSet(`herr frau dr prof star sängerin sänger schauspieler schauspielerin rapper rapperin
			trainer trainerin spieler spielerin stürmer kapitän sprecher sprecherin chef chefin`),
		speechVerbs: foldedSet(`sagte sagt sagten erklärte erklärt betonte betont kündigte teilte kritisierte
			forderte forderten nannte sprach warnte schrieb räumte verteidigte lobte bestätigte meinte`),
		placePrepositions: foldedSet(`in aus nach bei nahe`),
		orgWords: foldedSet(`gmbh ag se kg ev bank partei verein gewerkschaft verband ministerium amt gericht
			behörde konzern unternehmen universität institut stiftung agentur kommission rat fraktion bundestag
			bundesrat bundeswehr luftwaffe marine polizei feuerwehr klub club fc sv tus vfb vfl werke gruppe holding
			systems energie zeitung sender`),
		orgSuffixes: foldedList(`gericht gewerkschaft verband ministerium bank partei behörde konzern unternehmen
			universität institut stiftung agentur kommission fraktion verein bundesamt amt dienst`),
		placeWords: foldedSet(`stadt insel inseln see fluss ufer küste tal berg gebirge region kreis landkreis
			bundesland platz straße brücke bahnhof flughafen hafen fliegerhorst stützpunkt kaserne stadion hotel
			gemeinde dorf ortsteil viertel`),
		placeSuffixList: foldedList(`stadt insel see ufer küste platz straße brücke bahnhof flughafen hafen fliegerhorst stadion hotel dorf`),
		months: foldedSet(`januar jänner februar märz april mai juni juli august september oktober november dezember
			jan feb mär apr jun jul aug sep sept okt nov dez`),
		weekdays: foldedSet(`montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag heute gestern
			vorgestern morgen übermorgen`),
		weekdayPrefixes: true,
		periods:         foldedSet(`woche wochen wochenende monat monats jahr jahres jahrzehnt sommer herbst winter frühjahr frühling`),
		seasons:         foldedSet(`frühjahr frühling sommer herbst winter`),
		nextWords:       foldedSet(`nächste nächsten nächster nächstes kommende kommenden kommender kommendes`),
		thisWords:       foldedSet(`diese diesen dieser dieses`),
		lastWords:       foldedSet(`letzte letzten letzter letztes vergangene vergangenen vergangener vergangenes`),
		dateLeads:       foldedSet(`anfang mitte ende`),
		currencies:      foldedSet(`euro dollar franken pfund cent rubel yen yuan kronen`),
		percentWords:    foldedSet(`prozent prozentpunkte prozentpunkt`),
		vagueNumbers:    foldedSet(`dutzende hunderte tausende millionen milliarden`),
		scale: map[string]float64{"tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio": 1e6, "milliarde": 1e9,
			"milliarden": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12},
		numbers: map[string]float64{"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7,
			"acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12, "zwanzig": 20, "dreissig": 30, "dreißig": 30,
			"vierzig": 40, "funfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90, "hundert": 100,
			"tausend": 1e3, "dutzend": 12, "dutzende": 24, "hunderte": 200, "tausende": 2e3, "halbe": 0.5},
		decimalComma:  true,
		currencyAfter: true,
		determiners: foldedSet(`der die das des dem den ein eine einer eines einem einen kein keine keiner keines
			keinem keinen dieser diese dieses diesem diesen jener jene jenes jedem jeden jeder jede jedes welcher
			welche welches alle allen aller viele vielen wenige wenigen einige einigen mehrere mehreren beide beiden
			manche manchen solche solchen sein seine seiner seinem seinen seines ihr ihre ihrer ihrem ihren ihres
			unser unsere unserem unseren am im zum zur vom beim ins ans aufs durchs fürs übers ums`),
		nounCaps:   true,
		strictLead: true,
		genericRoles: foldedSet(`person personen mann männer frau frauen leute politiker politikerin politikern land länder
			stadt städte staat staaten ort orte region firma firmen unternehmen organisation partei parteien gruppe verein
			team mannschaft`),
		oneOf:     [2]string{"einer", "der"},
		referring: foldedSet("der die das dieser diese dieses"),
		ageWords:  foldedSet("alter"),
	}
	l.units = map[string]unitClass{}
	for unit, words := range map[unitClass]string{
		unitDistance: `km kilometer kilometern meter metern zentimeter cm millimeter mm meile meilen seemeilen`,
		unitDuration: `sekunde sekunden minute minuten stunde stunden tag tage tagen woche wochen monat monate monaten
			jahr jahre jahren jahrzehnt jahrzehnte jahrzehnten jahrhundert jahrhunderte`,
		unitAge: `jährige jähriger jährigen jährig`,
		unitSize: `kilogramm kilo kg gramm milligramm mikrogramm tonne tonnen liter kubikmeter grad stockwerke etagen
			hektar quadratmeter quadratkilometer kilowattstunde kilowattstunden megawatt gigawatt watt volt`,
	} {
		for _, w := range foldedList(words) {
			l.units[w] = unit
		}
	}
	l.places = foldedNames(`deutschland österreich schweiz frankreich großbritannien england schottland irland
		russland ukraine polen italien spanien portugal niederlande holland belgien luxemburg dänemark schweden
		norwegen finnland island türkei griechenland tschechien slowakei ungarn rumänien bulgarien kroatien
		serbien litauen lettland estland usa amerika kanada mexiko brasilien argentinien china japan indien
		südkorea nordkorea taiwan singapur israel iran irak syrien libanon ägypten benin senegal nigeria kenia
		südafrika australien krim europa asien afrika arktis nahost
		berlin hamburg münchen köln frankfurt stuttgart düsseldorf dortmund essen leipzig dresden hannover
		nürnberg bremen bremerhaven kiel rostock flensburg lübeck cuxhaven helgoland husum wiesbaden mainz bonn
		erfurt jena weimar potsdam magdeburg schwerin saarbrücken freiburg heidelberg karlsruhe augsburg
		regensburg würzburg münster aachen wien zürich genf basel bern paris london rom madrid brüssel warschau
		prag budapest kiew moskau washington peking tokio jerusalem
		bayern sachsen thüringen hessen niedersachsen brandenburg saarland schleswig-holstein nordsee ostsee
		rhein elbe donau weser alpen ruhrgebiet`)
	for p := range places {
		l.places[p] = true // English names (New York, Gaza) are German too
	}
	l.reasons = []clauseCue{
		{[]string{"weil"}, 1}, {[]string{"denn"}, 0.8}, {[]string{"da"}, 0.4}, {[]string{"wegen"}, 0.9},
		{[]string{"aufgrund"}, 1}, {[]string{"infolge"}, 0.9}, {[]string{"dank"}, 0.8}, {[]string{"angesichts"}, 0.8},
		{[]string{"aus", "sorge"}, 1}, {[]string{"aus", "angst"}, 1}, {[]string{"aus", "furcht"}, 1},
		{[]string{"als", "grund"}, 1}, {[]string{"grund"}, 0.8}, {[]string{"grunde"}, 0.8}, {[]string{"sorge"}, 0.8},
		{[]string{"sorgen"}, 0.7}, {[]string{"angst"}, 0.7}, {[]string{"befurchtet"}, 0.8}, {[]string{"furchtet"}, 0.8},
		{[]string{"befurchtung"}, 0.8}, {[]string{"begrundete"}, 0.9}, {[]string{"begrundet"}, 0.9},
		{[]string{"begrundung"}, 0.8}, {[]string{"zuruckzufuhren"}, 0.9}, {[]string{"zuruckgefuhrt"}, 0.9},
		{[]string{"zuruck"}, 0.5}, {[]string{"verursacht"}, 0.9}, {[]string{"ausgelost"}, 0.8},
		{[]string{"damit"}, 0.6}, {[]string{"sodass"}, 0.6}, {[]string{"um"}, 0.3}, {[]string{"nachdem"}, 0.5},
		{[]string{"seit"}, 0.3}, {[]string{"deshalb"}, 0.5}, {[]string{"daher"}, 0.5}, {[]string{"darum"}, 0.5},
		{[]string{"folge"}, 0.6}, {[]string{"verantwortlich"}, 0.6}, {[]string{"schuld"}, 0.6},
		{[]string{"risiko"}, 0.5}, {[]string{"gefahr"}, 0.5}, {[]string{"mangel"}, 0.5}, {[]string{"nach"}, 0.3},
	}
	l.manners = []clauseCue{
		{[]string{"uber"}, 0.9}, {[]string{"durch"}, 0.8}, {[]string{"per"}, 0.8}, {[]string{"mittels"}, 1},
		{[]string{"mithilfe"}, 0.9}, {[]string{"mit", "hilfe"}, 0.9}, {[]string{"indem"}, 1}, {[]string{"dadurch"}, 0.7},
		{[]string{"mit"}, 0.4}, {[]string{"nachdem"}, 0.6}, {[]string{"als"}, 0.4}, {[]string{"weil"}, 0.7},
		{[]string{"wegen"}, 0.6}, {[]string{"zuruck"}, 0.6}, {[]string{"zuruckgefuhrt"}, 0.8}, {[]string{"aufgrund"}, 0.7},
	}
	return l
}

// germanNounEndings are the endings of German common nouns: a capitalised
// word ending so is no name ("Verbindung", "Wirtschaft", "Zeitung").
var germanNounEndings = []string{"ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "tion",
	"tionen", "itat", "itaten", "ismus", "nis", "nisse", "tum", "chen", "lein", "ment", "mente", "ling", "linge",
	"enz", "anz", "ik", "ur", "ie", "ien", "ei", "eien", "sion", "sionen", "ose", "ade", "age", "ette"}

// germanNoun reports whether a capitalised German word (folded) ends like
// a common noun.
func germanNoun(f string) bool {
	for _, e := range germanNounEndings {
		if len(f) > len(e)+2 && strings.HasSuffix(f, e) {
			return true
		}
	}
	return false
}
