package text

// Stop words of the other languages Herald stems, shorter than the English
// and German lists: the articles, pronouns, prepositions, conjunctions,
// auxiliaries and particles that make up most of running text, and the
// interrogatives (listed apart, and also stop words). Languages not listed
// here are stemmed without stop words beyond single characters.

const frenchFunctionWords = `
le la les un une des du de au aux ce cet cette ces mon ma mes ton ta tes son sa ses
notre nos votre vos leur leurs je tu il elle on nous vous ils elles me te se lui eux
moi toi y en et ou mais donc or ni car que qu si ne pas plus dans par pour sur sous
avec sans chez entre vers depuis pendant avant après contre selon comme est sont
était étaient été être avoir ai as avons avez ont avait avaient eu sera seront serait
fait faire peut peuvent doit tout tous toute toutes aussi très bien déjà encore
alors ainsi cela ça ceci celui celle ceux celles dont même autre autres
`

const frenchQuestionWords = `qui quoi quand où pourquoi comment combien quel quelle quels quelles lequel laquelle`

const spanishFunctionWords = `
el la los las un una unos unas lo al del de en y e o u ni pero sino que si no se su sus
mi mis tu tus nuestro nuestra nuestros nuestras yo tú él ella ello nosotros vosotros
ellos ellas me te le les nos os con sin por para entre hacia hasta desde sobre contra
según durante ante bajo tras es son era eran fue fueron ser sido está están estaba
estar ha han había habían haber he hemos hay muy más menos ya también así este esta
estos estas ese esa esos esas aquel aquella otro otra otros otras todo toda todos todas
`

const spanishQuestionWords = `qué quién quiénes cuándo dónde por qué cómo cuánto cuánta cuántos cuántas cuál cuáles`

const italianFunctionWords = `
il lo la i gli le un uno una di a da in con su per tra fra del dello della dei degli
delle al allo alla ai agli alle dal dallo dalla dai dagli dalle nel nello nella nei
negli nelle sul sullo sulla sui sugli sulle e ed o ma però anche non che se ci si ne
mi ti vi io tu lui lei noi voi loro suo sua suoi sue mio mia miei mie è sono era erano
stato stata essere ha hanno aveva avere ho abbiamo più molto già come questo questa
questi queste quello quella quelli quelle altro altra altri altre tutto tutti tutta tutte
`

const italianQuestionWords = `chi cosa quando dove perché come quanto quanta quanti quante quale quali`

const dutchFunctionWords = `
de het een en of maar want dat die dit deze van in op te aan met voor door over bij
naar uit tot om onder tegen tussen zonder na sinds is zijn was waren ben bent wordt
worden werd werden heeft hebben had hadden heb kan kunnen kon zal zullen zou zouden
moet moeten mag wil niet geen ook nog al er hier daar dan toen nu zo heel meer veel
ik jij je hij zij ze wij we jullie u mij me hem haar ons hun mijn jouw uw zich
`

const dutchQuestionWords = `wie wat wanneer waar waarom hoe welk welke hoeveel`

const portugueseFunctionWords = `
o a os as um uma uns umas de do da dos das em no na nos nas ao aos à às por pelo pela
pelos pelas para com sem sobre entre até desde contra e ou mas nem que se não é são
era eram foi foram ser sido está estão estava estar tem têm tinha ter há muito mais
menos já também assim este esta estes estas esse essa esses essas aquele aquela isso
isto eu tu ele ela nós vós eles elas me te lhe lhes seu sua seus suas meu minha
`

const portugueseQuestionWords = `quem quando onde porque porquê como quanto quanta quantos quantas qual quais`
