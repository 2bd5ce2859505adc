package text

// German word lists, written as German is spelled; newWordSet folds them
// the way tokens are folded ("für" -> "fur", "daß" stays "daß").

// germanFunctionWords are the German grammar words: articles and other
// determiners, pronouns, prepositions and their contractions, conjunctions,
// auxiliary and modal verbs, and common adverbs and particles.
const germanFunctionWords = `
der die das des dem den ein eine einer eines einem einen
kein keine keiner keines keinem keinen
dieser diese dieses diesem diesen jener jene jenes jenem jenen
jeder jede jedes jedem jeden mancher manche manches manchem manchen
solcher solche solches solchem solchen alle aller alles allem allen
beide beiden beider einige einiger einigen einiges mehrere mehreren
viel viele vielen vieler vieles wenig wenige wenigen anderer andere anderes anderem anderen

ich du er sie es wir ihr mich dich sich uns euch mir dir ihm ihn ihnen
ihre ihrer ihres ihrem ihren mein meine meiner meines meinem meinen
dein deine deiner deines deinem deinen sein seine seiner seines seinem seinen
unser unsere unserer unseres unserem unseren euer eure eurer eures eurem euren
man jemand jemanden jemandem niemand niemanden niemandem nichts etwas selbst selber einander

ab an am ans auf aufs aus außer bei beim bis durch durchs für fürs gegen gegenüber
hinter hinterm in im ins mit nach neben ohne seit statt anstatt trotz über überm übers
um ums unter unterm von vom vor vorm während wegen zu zum zur zwischen entlang
innerhalb außerhalb oberhalb unterhalb laut gemäß dank per pro samt via

und oder aber denn sondern doch dass daß ob weil da wenn als wie falls obwohl obgleich
damit sodass bevor nachdem sobald solange indem sowie sowohl weder noch entweder
bzw beziehungsweise sprich

sein bin bist ist sind seid war warst waren wart gewesen wäre wären wärst
habe hast hat haben habt hatte hattest hatten hattet gehabt hätte hätten hättest
werde wirst wird werden werdet wurde wurden wurdest geworden worden würde würden würdest
kann kannst können könnt konnte konnten könnte könnten muss musst müssen müsst musste mussten müsste müssten
darf darfst dürfen dürft durfte durften dürfte dürften soll sollst sollen sollt sollte sollten
will willst wollen wollt wollte wollten mag magst mögen möchte möchten

nicht auch noch schon nur sehr so dann dort hier jetzt nun immer wieder mehr weniger
ganz gar eben etwa ja nein mal halt wohl bereits zwar also dabei dafür dagegen daher
danach daneben darauf daran darin darum davon dazu deshalb deswegen dennoch trotzdem
sonst jedoch allerdings bisher zudem außerdem ebenfalls ebenso sogar oft eher kaum
`

// germanQuestionWords are the German interrogatives.
const germanQuestionWords = `
wer wen wem wessen was wann wo woher wohin warum wieso weshalb weswegen wie
welcher welche welches welchem welchen wofür womit wodurch worüber worauf woran
wovon wozu worum wogegen wieviel wieviele
`

// germanOtherStopwords are the honorifics, which name no one by themselves.
const germanOtherStopwords = `herr herrn frau hr fr dr prof`

// germanGenericWords are content words too common in questions about news
// to show what a German question is specifically about (see KeyTerms).
const germanGenericWords = `
jahr jahre jahren jahres woche wochen wochenende monat monate monaten tag tage tagen
heute gestern morgen vorgestern zeit zeiten aktuell aktuelle aktuellen derzeit kürzlich
zuletzt neulich jüngst neu neue neuen neuer neues letzte letzten letzter erste ersten
erster nächste nächsten leute menschen person personen land länder welt
nachricht nachrichten news sagte sagten sagt sagen gesagt erklärte berichtet bericht
berichte berichten meldung meldungen artikel quelle quellen anzahl zahl passiert
passierte geschehen geht ging gibt gab wissen weiß bekannt sache sachen ding dinge
information informationen details erklären bedeutet bedeutung heißt machen macht
gemacht geben nehmen lage situation stand zusammenfassung überblick thema themen
frage fragen grund gründe ergebnis ergebnisse rolle genau wirklich eigentlich
wichtig wichtigste größte beste gut
`

// germanDeterminers are the words after which a capitalised German word
// is taken for a common noun rather than a name (see Analyzer.Names).
const germanDeterminers = `
der die das des dem den ein eine einer eines einem einen
kein keine keiner keines keinem keinen
dieser diese dieses diesem diesen jener jene jenes jenem jenen
jeder jede jedes jedem jeden welcher welche welches welchem welchen
alle allen aller viele vielen wenige wenigen einige einigen mehrere mehreren
beide beiden manche manchen solche solchen
mein meine meinem meinen meiner sein seine seinem seinen seiner
ihr ihre ihrem ihren ihrer unser unsere unserem unseren unserer
im am zum zur vom beim ins ans aufs
`
