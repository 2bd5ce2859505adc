package text

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Boilerplate removal: the lines and sentences of a page that are the
// site's furniture rather than the article. The rules describe kinds of
// text, not the strings of particular sites:
//
//   - calls to action addressed to the reader: sign up, subscribe, follow,
//     share, download the app, support our journalism;
//   - advertisement markers and sponsor labels;
//   - bylines, timestamps, datelines standing alone on a line, agency and
//     reporting credits, a line that only names the outlet or a wire
//     service, author contact lines;
//   - video-player and gallery controls, ad-feedback prompts, photo credits
//     and agency captions;
//   - cookie, privacy, consent and registration notices;
//   - share toolbars, navigation labels, "most read" and "related" headings
//     with the headlines listed under them, links to other stories.
//
// A sentence that sits in a paragraph quoting someone (quotation marks and
// a speech verb such as "said") is never taken for a call to action or a
// notice: reported speech is the article.

// bflag marks what a line or sentence mentions; set by scanFlags.
type bflag uint32

const (
	fStrongCTA  bflag = 1 << iota // newsletter, inbox
	fWeakCTA                      // follow, share, join, click, download, support, app
	fAd                           // advertisement, sponsored
	fPrivacy                      // cookies, privacy, consent, registration, terms
	fPlayer                       // video, player, caption, replay
	fContact                      // contact, reach, email, twitter
	fCredit                       // reporting, contributed, photo, getty
	fYou                          // you, your
	fWe                           // we, our, us
	fHere                         // here
	fSpeech                       // said, says, told, according
	fSocial                       // twitter, facebook, instagram, tiktok
	fJournalism                   // journalism, reporting (as something to support)
	fPromoNoun                    // newsletter, roundup, podcast, briefing: what a promotion offers
	fAt                           // an @handle or e-mail address
	fQuote                        // a quotation mark
	fSubNoun                      // subscribe, sign up, subscription: also what articles report on
	fToolbar                      // print, tweet, comments, link: share toolbar words
	fDigit                        // a digit
	fPlayerUI                     // replay, player, caption, playback: the words of player controls
)

// triggers are the lower-case words that set flags.
var triggers = map[string]bflag{
	"subscribe": fSubNoun, "subscribing": fSubNoun, "subscriber": fSubNoun, "subscribers": fSubNoun,
	"subscription": fSubNoun, "subscriptions": fSubNoun, "unsubscribe": fStrongCTA | fPrivacy,
	"newsletter": fStrongCTA | fPromoNoun, "newsletters": fStrongCTA | fPromoNoun, "inbox": fStrongCTA,
	"signup": fSubNoun, "sign-up": fSubNoun, "abonnieren": fSubNoun, "abonnement": fSubNoun, "abonnent": fSubNoun,
	"follow": fWeakCTA | fContact, "share": fWeakCTA, "sharing": fWeakCTA | fPrivacy, "join": fWeakCTA,
	"click": fWeakCTA, "clicking": fWeakCTA | fPrivacy, "tap": fWeakCTA, "download": fWeakCTA, "app": fWeakCTA | fPromoNoun,
	"support": fWeakCTA, "supporting": fWeakCTA, "donate": fWeakCTA, "register": fWeakCTA | fPrivacy,
	"alerts": fWeakCTA | fPromoNoun, "folgen": fWeakCTA, "teilen": fWeakCTA,
	"advertisement": fAd, "advertising": fAd, "advert": fAd, "adverts": fAd, "ad": fAd | fPlayer, "ads": fAd, "sponsored": fAd, "promoted": fAd,
	"anzeige": fAd, "werbung": fAd,
	"cookie": fPrivacy, "cookies": fPrivacy, "privacy": fPrivacy, "consent": fPrivacy, "gdpr": fPrivacy,
	"terms": fPrivacy, "personal": fPrivacy, "processing": fPrivacy, "recaptcha": fPrivacy, "registration": fPrivacy,
	"agree": fPrivacy, "datenschutz": fPrivacy, "einwilligung": fPrivacy, "datenschutzerklärung": fPrivacy,
	"video": fPlayer, "videos": fPlayer, "player": fPlayer | fPlayerUI, "caption": fPlayer | fPlayerUI, "replay": fPlayer | fPlayerUI,
	"watched": fPlayer, "watch": fPlayer, "playing": fPlayer, "loaded": fPlayer | fPlayerUI, "loading": fPlayer | fPlayerUI,
	"playback": fPlayer | fPlayerUI, "autoplay": fPlayer | fPlayerUI, "feedback": fPlayer | fPlayerUI, "captions": fPlayer | fPlayerUI,
	"browser": fPlayerUI, "javascript": fPlayerUI, "play": fPlayerUI, "played": fPlayerUI,
	"contact": fContact, "reach": fContact, "reached": fContact, "email": fContact, "e-mail": fContact, "tips": fContact,
	"twitter": fContact | fSocial, "facebook": fContact | fSocial, "instagram": fContact | fSocial, "tiktok": fSocial,
	"linkedin": fSocial, "youtube": fSocial, "whatsapp": fSocial, "threads": fSocial, "bluesky": fSocial, "mastodon": fSocial,
	"reporting": fCredit, "contributed": fCredit, "contributing": fCredit, "photo": fCredit, "photos": fCredit,
	"getty": fCredit, "images": fCredit, "credit": fCredit, "editing": fCredit, "foto": fCredit,
	"you": fYou, "your": fYou, "you're": fYou, "youre": fYou, "you'll": fYou, "you've": fYou, "yours": fYou, "you’re": fYou, "you’ll": fYou, "you’ve": fYou,
	"we": fWe, "our": fWe, "us": fWe, "we're": fWe, "we’re": fWe, "we'll": fWe, "we’ll": fWe, "we've": fWe, "we’ve": fWe,
	"here": fHere, "hier": fHere,
	"said": fSpeech, "says": fSpeech, "told": fSpeech, "asked": fSpeech, "according": fSpeech, "wrote": fSpeech,
	"added": fSpeech, "explained": fSpeech, "sagte": fSpeech, "sagt": fSpeech, "erklärte": fSpeech,
	"journalism": fJournalism, "journalismus": fJournalism,
	"print": fToolbar, "tweet": fToolbar, "comments": fToolbar, "comment": fToolbar, "link": fToolbar,
	"copy": fToolbar, "drucken": fToolbar, "kommentare": fToolbar,
	"sign": 0, "signing": 0, "up": 0, // for "sign up" (see scanFlags)
	"roundup": fPromoNoun, "podcast": fPromoNoun, "briefing": fPromoNoun, "digest": fPromoNoun, "edition": fPromoNoun,
}

// triggerFilter has, for each first and last letter of a trigger word,
// a bit for each length (in bytes) such a trigger has: most words of a
// text are not triggers, and the filter spares them the map lookup.
var triggerFilter = func() (t [26 * 26]uint32) {
	for w := range triggers {
		a, z := w[0], w[len(w)-1]
		if a < 'a' || a > 'z' || z < 'a' || z > 'z' || len(w) > 31 {
			panic("text: trigger " + w + " must start and end with a letter a-z and be short")
		}
		t[int(a-'a')*26+int(z-'a')] |= 1 << len(w)
	}
	return t
}()

// flagClass classifies ASCII bytes for scanFlags: letters, digits and the
// apostrophe and hyphen inside words; 0 for the rest.
var flagClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = clsLetter, clsLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	t['\''], t['-'] = clsJoin, clsJoin
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = clsHigh
	}
	return t
}()

const (
	clsLetter uint8 = 1 << iota
	clsDigit
	clsJoin
	clsHigh // a byte of a character beyond ASCII

	clsASCIIWord = clsLetter | clsDigit | clsJoin
)

// scanFlags returns the flags of s and how many words it has, in one pass
// over its bytes; it does not allocate.
func scanFlags(s string) (bflag, int) {
	var f bflag
	var seen uint8
	words := 0
	prevSign := false
	for i := 0; i < len(s); {
		c := s[i]
		k := flagClass[c]
		if k == 0 {
			switch c {
			case '@':
				f |= fAt
			case '"':
				f |= fQuote
			}
			i++
			continue
		}
		if k == clsHigh {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != '’' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if r == '“' || r == '”' || r == '„' || r == '«' || r == '»' {
					f |= fQuote
				}
				i += size
				continue
			}
		}
		// A word: ASCII letters, digits, apostrophes and hyphens, and
		// letters beyond ASCII (the German triggers are written in lower
		// case, so such words are looked up by their bytes).
		start := i
		for i < len(s) {
			k := flagClass[s[i]]
			if k&clsASCIIWord != 0 {
				seen |= k
				i++
				continue
			}
			if k == 0 {
				break
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != '’' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			i += size
		}
		words++
		w := s[start:i]
		n := len(w)
		a, z := w[0]|0x20, w[n-1]|0x20
		if n > 31 || a < 'a' || a > 'z' || z < 'a' || z > 'z' || triggerFilter[int(a-'a')*26+int(z-'a')]&(1<<n) == 0 {
			prevSign = false
			continue
		}
		var buf [31]byte
		for k := 0; k < n; k++ {
			c := w[k]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[k] = c
		}
		lw := buf[:n]
		if prevSign && n == 2 && lw[0] == 'u' && lw[1] == 'p' {
			f |= fSubNoun
		}
		f |= triggers[string(lw)]
		prevSign = string(lw) == "sign" || string(lw) == "signing"
	}
	if seen&clsDigit != 0 {
		f |= fDigit
	}
	return f, words
}

// lineKind is what lineShape recognises a line as.
type lineKind int

const (
	shapeNone        lineKind = iota
	shapeAd                   // "Advertisement", "Story continues below advertisement"
	shapeShare                // "Share this story", "Share  Tweet  Email"
	shapeNav                  // "Skip to main content", "Menu"
	shapeListHeading          // "Most read", "Related stories": headlines follow
	shapeRelated              // "Read more: …", "► …": a link to another story
	shapeByline               // "By Dana Whitfield | 2024-01-24 |"
	shapeTimestamp            // "Updated 10:32 AM EDT, Thu June 16, 2022"
	shapeDateOnly             // "June 16, 2022"
	shapeDateline             // "Washington (Reuters) —" with nothing after it
	shapeCredit               // "Contributing: …", "Reporting by …; Editing by …"
	shapeOutlet               // a line that only names the outlet or a wire service
	shapeSignature            // "— David Jackson"
	shapePlayer               // video player and gallery controls
	shapeCaption              // "CITY - MONTH 21: …" agency photo captions
)

// connectors are the lower-case words names, places and bylines may hold.
var connectors = map[string]bool{
	"and": true, "&": true, "of": true, "the": true, "de": true, "da": true, "del": true, "della": true, "di": true,
	"van": true, "von": true, "der": true, "den": true, "la": true, "le": true, "el": true, "al": true, "bin": true,
	"und": true, "y": true, "e": true, "du": true, "des": true, "dos": true, "ten": true, "ter": true, "in": true,
	"for": true, "at": true, "on": true, "with": true, "to": true, "für": true, "aus": true,
}

// roleWords are the lower-case words of a reporter's role in a byline.
var roleWords = map[string]bool{
	"staff": true, "writer": true, "reporter": true, "correspondent": true, "editor": true, "contributor": true,
	"columnist": true, "special": true, "senior": true, "chief": true, "political": true, "foreign": true,
	"news": true, "sports": true, "business": true, "analyst": true, "producer": true, "photographer": true,
	"redakteur": true, "redakteurin": true, "korrespondent": true, "korrespondentin": true,
}

// timeWords may stand in a timestamp line beside dates and times.
var timeWords = map[string]bool{
	"updated": true, "published": true, "posted": true, "last": true, "first": true, "modified": true,
	"originally": true, "on": true, "at": true, "date": true, "dated": true, "am": true, "um": true,
	"aktualisiert": true, "veröffentlicht": true, "stand": true, "erschienen": true, "zuletzt": true,
	"uhr": true, "a.m.": true, "p.m.": true, "a.m": true, "p.m": true, "pm": true, "ago": true,
	"hours": true, "hour": true, "minutes": true, "mins": true, "min": true, "days": true, "day": true,
}

// timeLead are the words that open a timestamp line.
var timeLead = map[string]bool{
	"updated": true, "published": true, "posted": true, "last": true, "first": true, "modified": true,
	"originally": true, "aktualisiert": true, "veröffentlicht": true, "stand": true, "erschienen": true, "zuletzt": true,
}

// wireServices are news agencies whose name alone on a line is a credit.
var wireServices = map[string]bool{
	"associatedpress": true, "ap": true, "reuters": true, "afp": true, "agencefrancepresse": true, "dpa": true,
	"upi": true, "pamedia": true, "pa": true, "pressassociation": true, "efe": true, "ansa": true, "kyodo": true,
	"kyodonews": true, "xinhua": true, "tass": true, "epd": true, "kna": true, "apa": true, "sda": true,
	"theassociatedpress": true, "cnnwire": true, "reutersstaff": true,
}

// adVocabulary are the words an advertisement marker consists of; adCore
// the ones it must hold.
var adVocabulary = map[string]bool{
	"advertisement": true, "advertising": true, "ad": true, "ads": true, "sponsored": true, "sponsor": true,
	"sponsors": true, "paid": true, "promoted": true, "partner": true, "content": true, "story": true, "article": true,
	"continues": true, "continue": true, "reading": true, "below": true, "after": true, "the": true, "this": true,
	"post": true, "message": true, "by": true, "from": true, "our": true, "anzeige": true, "werbung": true,
	"weiterlesen": true, "nach": true, "der": true, "artikel": true, "geht": true, "weiter": true, "unten": true,
}

var adCore = map[string]bool{
	"advertisement": true, "advertising": true, "ad": true, "ads": true, "sponsored": true, "promoted": true,
	"anzeige": true, "werbung": true,
}

// shareVocabulary are the words of a share toolbar; shareCore the ones it
// must hold.
var shareVocabulary = map[string]bool{
	"share": true, "shares": true, "sharing": true, "this": true, "story": true, "article": true, "page": true, "post": true,
	"on": true, "via": true, "with": true, "facebook": true, "twitter": true, "x": true, "linkedin": true, "whatsapp": true,
	"reddit": true, "pinterest": true, "flipboard": true, "telegram": true, "messenger": true, "email": true,
	"e-mail": true, "mail": true, "print": true, "copy": true, "link": true, "copied": true, "tweet": true, "pin": true,
	"save": true, "comment": true, "comments": true, "options": true, "the": true, "a": true, "friend": true,
	"gift": true, "bluesky": true, "threads": true, "mastodon": true, "teilen": true, "drucken": true,
	"kommentare": true, "artikel": true, "link kopieren": true, "kopieren": true, "sms": true, "text": true,
}

var shareCore = map[string]bool{
	"share": true, "sharing": true, "tweet": true, "print": true, "email": true, "e-mail": true, "comments": true,
	"comment": true, "link": true, "teilen": true, "drucken": true, "kommentare": true,
}

// listHeadings introduce lists of other stories' headlines.
var listHeadings = map[string]bool{
	"most read": true, "most popular": true, "most viewed": true, "most shared": true, "most emailed": true,
	"most commented": true, "most read stories": true, "most read articles": true, "most watched": true,
	"trending": true, "trending now": true, "trending stories": true, "popular": true, "popular now": true,
	"popular stories": true, "related": true, "related stories": true, "related articles": true,
	"related coverage": true, "related content": true, "related links": true, "related news": true,
	"related topics": true, "recommended": true, "recommended for you": true, "recommended stories": true,
	"you may also like": true, "you might also like": true, "you may be interested in": true,
	"you might be interested in": true, "more stories": true, "more news": true, "more on this story": true,
	"top stories": true, "latest stories": true, "latest news": true, "editors picks": true, "editor's picks": true,
	"editor’s picks": true, "don't miss": true, "don’t miss": true, "read next": true, "what to read next": true,
	"further reading": true, "also read": true, "more to read": true, "in other news": false,
	"meistgelesen": true, "meistgelesene artikel": true, "mehr zum thema": true, "lesen sie auch": true,
	"das könnte sie auch interessieren": true, "weitere artikel": true, "auch interessant": true, "top-themen": true,
}

// navLines are navigation and account controls that readability may leave.
var navLines = map[string]bool{
	"skip to main content": true, "skip to content": true, "skip to navigation": true, "back to top": true,
	"menu": true, "main menu": true, "open menu": true, "close menu": true, "toggle navigation": true,
	"search": true, "close": true, "log in": true, "login": true, "sign in": true, "sign out": true,
	"log out": true, "my account": true, "account": true, "home": true, "jump to comments": true,
	"print this page": true, "read more": true, "read full story": true, "continue reading": true,
	"show more": true, "load more": true, "see more": true, "view comments": true, "zum inhalt springen": true,
	"weiterlesen": true, "mehr lesen": true, "anmelden": true, "abmelden": true, "suche": true, "startseite": true,
}

// relatedPrefixes label a link to another story at the start of a line.
var relatedPrefixes = []string{
	"read more:", "read also:", "also read:", "related:", "more:", "see also:", "watch:", "listen:",
	"recommended:", "read next:", "read:", "related story:", "related article:", "lesen sie auch:",
	"mehr zum thema:", "auch interessant:", "lesen sie mehr:",
}

// prefixWords are the first words of creditPrefixes and relatedPrefixes
// (see leadWord).
var prefixWords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]string{creditPrefixes, relatedPrefixes} {
		for _, p := range list {
			w, _, _ := strings.Cut(p, " ")
			w, _, _ = strings.Cut(w, ":")
			m[strings.TrimPrefix(w, "(")] = true
		}
	}
	return m
}()

// leadWord returns the first word of line in lower case (ASCII letters
// only, after an opening bracket), or "".
func leadWord(line string) string {
	line = strings.TrimPrefix(line, "(")
	var buf [16]byte
	n := 0
	for n < len(line) && n < len(buf) {
		c := line[n]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		} else if c < 'a' || c > 'z' {
			break
		}
		buf[n] = c
		n++
	}
	return string(buf[:n])
}

// creditPrefixes open a reporting or agency credit.
var creditPrefixes = []string{
	"contributing:", "contributors:", "contributor:", "reporting by ", "additional reporting by ",
	"reporting and writing by ", "writing by ", "editing by ", "edited by ", "compiled by ",
	"with reporting by ", "(reporting by ", "(additional reporting by ", "(writing by ", "(editing by ",
	"produced by ", "mitarbeit:", "mit material von ", "mit material der ", "(mit material von ",
}

// playerPhrases are the text of video players and galleries, lower case.
var playerPhrases = []string{
	"how relevant is this ad", "ad feedback", "video player was slow", "video content never loaded",
	"ad froze or did not finish loading", "did not finish loading", "audio on ad was too loud",
	"video content did not start", "replay more videos", "more videos ...", "more videos …",
	"hide caption", "your browser does not support the video",
	"click to play", "tap to play", "press play to", "video will play", "playback speed",
	"turn on captions", "close captions", "enable javascript to play", "watch the full video",
	"the video player", "this video can not be played", "this video cannot be played",
}

// playerCaps are player labels written in capitals.
var playerCaps = []string{"JUST WATCHED", "MUST WATCH", "NOW PLAYING"}

var (
	reGallery = regexp.MustCompile(`(?i)\b(?:caption|photo|image|slide)s?\s+\d+\s+of\s+\d+\b`)
	// Agency photo captions: "WASHINGTON, DC - DECEMBER 21: People pass …"
	reAgencyCaption = regexp.MustCompile(`^\p{Lu}[\p{Lu}.'’ -]+(?:, \p{Lu}[\p{L}.'’ -]+)? [-–—] (?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]* \d{1,2}(?:, \d{4})?: `)
	// A photo's caption standing as a paragraph: "An aerial photo shows the
	// quay on Tuesday.", "A handout image released by the council shows..."
	rePhotoCaption = regexp.MustCompile(`^(?:(?:An?|This|The) (?:aerial |undated |file |handout |satellite |drone |video )?(?:photo|photograph|image|picture|screengrab|screenshot|still)(?: [\p{L}\p{N},'’ -]{0,60})? (?:shows|showing|depicts)\b|In this (?:aerial |undated |file |handout |satellite |drone )?(?:photo|photograph|image|picture|screengrab|screenshot|still)\b)`)
	// Photo credits: "(Photo by Jane Roe/Getty Images)", "Photo: Harbour Council"
	rePhotoCredit = regexp.MustCompile(`(?i)^(?:\((?:photo|photos|photograph|image|images|picture|credit|foto|fotos|bild|source)\b[^)]{0,80}\)|(?:photo|photos|photograph|image|images|picture|pictures|credit|foto|fotos|bild|bilder)(?:\s+credit)?\s*:\s*[^.]{1,60}|(?:photo|photos|photograph|image|images|picture)s?\s+(?:by|courtesy of)\s+[^.]{1,60}|[^.]{0,60}/\s*(?:getty images|afp|reuters|ap|shutterstock|dpa|imago|epa|picture alliance)\)?)\.?$`)
	reEmail       = regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.-]+`)
	reHandle      = regexp.MustCompile(`(?:^|[\s(])@\w{2,}`)
	rePhone       = regexp.MustCompile(`\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}`)
	// "Jane Roe covers the White House for …", "Jane Roe is a reporter at …"
	reReporterBio = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?: \p{Lu}[\p{L}.'’-]*){0,3} (?:is an? |covers |writes |reports |has covered |has been |joined |was )`)
)

// imperatives open a call to action.
var imperatives = map[string]bool{
	"sign": true, "subscribe": true, "get": true, "follow": true, "join": true, "share": true, "click": true,
	"tap": true, "download": true, "support": true, "consider": true, "read": true, "watch": true, "listen": true,
	"like": true, "register": true, "become": true, "try": true, "don't": true, "don’t": true, "never": true,
	"stay": true, "keep": true, "want": true, "enter": true, "check": true, "visit": true, "see": true, "find": true,
	"discover": true, "explore": true, "contact": true, "send": true, "reach": true, "email": true, "give": true,
	"help": true, "start": true, "grab": true, "receive": true, "opt": true, "learn": true,
	"thank": true, "thanks": true, "would": true, "do": true, "jetzt": true, "abonnieren": true, "folgen": true,
	"teilen": true, "melden": true, "hier": true, "unlock": true, "upgrade": true, "sign-up": true, "signup": true,
	"text": true, "tell": true, "submit": true, "please": true,
}

// journalistWords name a reporter's work in a biography line.
var journalistWords = []string{"reporter", "correspondent", "editor", "writer", "columnist", "covers", "producer",
	"journalist", "contributor", "intern", "photographer", "critic", "analyst"}

// fold turns a name into lower-case letters and digits only, for comparing
// outlet names ("USA TODAY" = "USA Today", "cnn.com" ~ "CNN").
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// outletKey folds an outlet name and drops a leading "www." and a final
// domain ending, so that "cnn.com", "www.cnn.com" and "CNN" compare alike.
func outletKey(outlet string) string {
	o := strings.ToLower(strings.TrimSpace(outlet))
	o = strings.TrimPrefix(o, "www.")
	for _, tld := range []string{".co.uk", ".com", ".org", ".net", ".de", ".co", ".news", ".uk", ".us", ".eu", ".at", ".ch"} {
		if strings.HasSuffix(o, tld) && len(o) > len(tld)+1 {
			o = strings.TrimSuffix(o, tld)
			break
		}
	}
	return foldName(o)
}

// trimToken strips the punctuation that surrounds a word.
func trimToken(tok string) string {
	return strings.TrimFunc(tok, func(r rune) bool {
		return unicode.IsPunct(r) && r != '&' && r != '@' || unicode.IsSymbol(r) && r != '&'
	})
}

func isCapitalized(tok string) bool {
	t := strings.TrimLeft(tok, "(\"“‘'[")
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r)
}

func isSeparatorToken(tok string) bool {
	switch tok {
	case "|", "·", "•", "/", "-", "—", "–", "--", ",", ":", "&", "+":
		return true
	}
	return false
}

// dateToken reports whether tok is part of a written date or time; core is
// set when it is a date by itself (a month name, an ISO or dotted date, a
// clock time).
func dateToken(tok string) (ok, core bool) {
	t := strings.ToLower(strings.Trim(tok, ",;()[]|"))
	t = strings.TrimSuffix(t, ".")
	switch {
	case t == "":
		return false, false
	case months[t] != 0:
		return true, true
	case weekdays[t]:
		return true, false
	case reISODate.MatchString(t) || reDottedDate.MatchString(t):
		return true, true
	case strings.Contains(t, ":") && allDigits(strings.ReplaceAll(strings.TrimRight(t, "apm."), ":", "")):
		return true, true
	case allDigits(t) && len(t) <= 4:
		return true, false
	case len(t) > 2 && allDigits(t[:len(t)-2]) && (strings.HasSuffix(t, "st") || strings.HasSuffix(t, "nd") || strings.HasSuffix(t, "rd") || strings.HasSuffix(t, "th")):
		return true, false
	case timeWords[t] || timeWords[t+"."] || zones[t] != 0 || t == "utc" || t == "gmt" || seasonalZones[t] != 0:
		return true, false
	}
	return false, false
}

// nameToken reports whether tok may be part of a name, place, outlet or
// role in a byline or dateline.
func nameToken(tok string) bool {
	if isCapitalized(tok) {
		return true
	}
	t := strings.ToLower(trimToken(tok))
	return connectors[t] || roleWords[t] || t == "" && tok != ""
}

// lineShape recognises the lines that are furniture by their shape alone.
// outlet is the article's known outlet ("" when unknown).
func lineShape(line, outlet string) lineKind {
	f, words := scanFlags(line)
	return shapeOf(line, words, f, outletKey(outlet))
}

// shapeOf is lineShape for a line whose flags and word count are known;
// okey is the outlet's folded name (see outletKey).
func shapeOf(line string, words int, fl bflag, okey string) lineKind {
	if words == 0 && strings.TrimSpace(line) == "" {
		return shapeNone
	}
	if words > 40 {
		return shapeNone
	}
	if prefixWords[leadWord(line)] {
		lowHead := strings.ToLower(line[:min(len(line), 48)])
		for _, p := range creditPrefixes {
			if strings.HasPrefix(lowHead, p) {
				return shapeCredit
			}
		}
		if words <= 30 {
			for _, p := range relatedPrefixes {
				if strings.HasPrefix(lowHead, p) {
					return shapeRelated
				}
			}
		}
	}
	if words <= 30 {
		// An arrow opens a link to another story ("►Recalls: …"), or an
		// item of the article's own list, which ends like a sentence.
		if r, _ := utf8.DecodeRuneInString(line); strings.ContainsRune("►▶»▸→➤", r) {
			if c := strings.IndexByte(line, ':'); c > 0 && c < 50 || isHeadline(line) {
				return shapeRelated
			}
		}
		if capsStart(line) && isKickerLink(line) {
			return shapeRelated
		}
	}
	if words > 20 {
		return shapeNone
	}
	low := strings.ToLower(line)
	var f []string
	fields := func() []string {
		if f == nil {
			f = strings.Fields(line)
		}
		return f
	}
	if (fl&fAd != 0 || strings.Contains(low, "continue") || strings.Contains(low, "geht")) && isAdMarker(fields(), low) {
		return shapeAd
	}
	if words <= 10 && fl&(fWeakCTA|fContact|fToolbar) != 0 && isShareToolbar(fields()) {
		return shapeShare
	}
	if words <= 8 && !strings.HasSuffix(line, ".") {
		key := headingKey(low)
		switch {
		case listHeadings[key]:
			return shapeListHeading
		case navLines[key]:
			return shapeNav
		case strings.HasPrefix(key, "more from ") && words <= 6, strings.HasPrefix(key, "more stories from ") && words <= 7,
			strings.HasPrefix(key, "latest from ") && words <= 6, strings.HasPrefix(key, "mehr von ") && words <= 6:
			return shapeListHeading
		}
	}
	if words <= 5 {
		if k := outletKey(line); k != "" && (wireServices[k] || k == okey) {
			return shapeOutlet
		}
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	if (last == ')' || isDashRune(last)) && isDatelineOnly(fields(), line) {
		return shapeDateline
	}
	if fl&fDigit != 0 {
		if k := timestampShape(fields()); k != shapeNone {
			return k
		}
	}
	if first, _ := utf8.DecodeRuneInString(line); first == 'B' || first == 'V' || first == 'T' {
		if isByline(fields(), line) {
			return shapeByline
		}
	}
	if strings.ContainsAny(line, "|·•") && isMetaSegments(line, okey) {
		return shapeByline
	}
	if first, _ := utf8.DecodeRuneInString(line); (isDashRune(first) || first == '-') && isSignature(fields(), line) {
		return shapeSignature
	}
	if words <= 14 && (strings.HasSuffix(low, "wire reports") || strings.HasSuffix(low, "wire services") ||
		strings.HasSuffix(low, "news services") || strings.HasSuffix(low, "staff reports") ||
		strings.HasSuffix(low, "news agencies") || strings.HasSuffix(low, "wire reports.")) &&
		(strings.HasPrefix(low, "from ") || strings.HasPrefix(low, "with ") || strings.HasPrefix(low, "compiled from ") || strings.HasPrefix(low, "compiled by ")) {
		return shapeCredit
	}
	return shapeNone
}

func isDashRune(r rune) bool { return r == '—' || r == '–' || r == '-' || r == '―' }

// headingKey is a short line in lower case with only letters, digits,
// apostrophes and single spaces, for looking headings up.
func headingKey(low string) string {
	var b strings.Builder
	space := false
	for _, r := range low {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

func isAdMarker(f []string, low string) bool {
	if len(f) > 12 {
		return false
	}
	for _, p := range []string{"sponsored by ", "paid for by ", "presented by ", "brought to you by ", "paid content", "promoted content", "anzeige", "werbung"} {
		if strings.HasPrefix(low, p) && len(f) <= 8 {
			return true
		}
	}
	core, continues, below := false, false, false
	for _, tok := range f {
		t := strings.ToLower(trimToken(tok))
		if t == "" {
			continue
		}
		if !adVocabulary[t] {
			return false
		}
		core = core || adCore[t]
		continues = continues || t == "continues" || t == "continue" || t == "geht"
		below = below || t == "below" || t == "weiter" || t == "unten"
	}
	return core || continues && below
}

func isShareToolbar(f []string) bool {
	core := false
	for _, tok := range f {
		t := strings.ToLower(trimToken(tok))
		if t == "" || allDigits(t) {
			continue
		}
		if !shareVocabulary[t] {
			return false
		}
		core = core || shareCore[t]
	}
	return core
}

// isDatelineOnly: "Washington CNN —", "BERLIN, Jan 24 (Reuters) -",
// "(CNN)": a place, a date or an agency, ending in a dash or wholly in
// brackets, and nothing else.
func isDatelineOnly(f []string, line string) bool {
	if strings.HasPrefix(line, "(") && strings.HasSuffix(line, ")") && len(f) <= 4 {
		for _, tok := range f {
			if !nameToken(tok) {
				return false
			}
		}
		return true
	}
	trimmed := strings.TrimRight(line, " —–-―")
	if trimmed == line || trimmed == "" {
		return false
	}
	g := strings.Fields(trimmed)
	if len(g) > 8 || !isCapitalized(g[0]) {
		return false
	}
	for _, tok := range g {
		if nameToken(tok) || isSeparatorToken(tok) || strings.HasPrefix(tok, "(") && strings.HasSuffix(tok, ")") {
			continue
		}
		if ok, _ := dateToken(tok); ok {
			continue
		}
		return false
	}
	return true
}

// timestampShape: "Updated 10:32 AM EDT, Thu June 16, 2022" is a
// timestamp; "June 16, 2022" alone a date-only line.
func timestampShape(f []string) lineKind {
	if len(f) > 20 {
		return shapeNone
	}
	lead := timeLead[strings.ToLower(trimToken(f[0]))]
	core := false
	for _, tok := range f {
		if isSeparatorToken(tok) {
			continue
		}
		ok, c := dateToken(tok)
		if !ok {
			if t := strings.ToLower(trimToken(tok)); !(lead && (timeWords[t] || t == "by" || t == "and")) {
				return shapeNone
			}
		}
		core = core || c
	}
	switch {
	case !core:
		return shapeNone
	case lead:
		return shapeTimestamp
	}
	return shapeDateOnly
}

// isByline: "By Dana Whitfield | 2024-01-24 |", "By Maria Okafor, Local
// Affairs Correspondent", "BY JANE ROE Associated Press".
func isByline(f []string, line string) bool {
	if len(f) < 2 || len(f) > 20 {
		return false
	}
	switch f[0] {
	case "By", "BY", "By:", "Von", "VON", "Text:", "Von:":
	default:
		return false
	}
	if !isCapitalized(f[1]) {
		return false
	}
	if ok, _ := dateToken(f[1]); ok {
		return false // "By June 2024, …"
	}
	if strings.HasSuffix(line, "?") || strings.HasSuffix(line, "!") {
		return false
	}
	names := 0
	for _, tok := range f[1:] {
		switch {
		case isSeparatorToken(tok):
		case strings.HasPrefix(tok, "@") || reEmail.MatchString(tok):
		case nameToken(tok):
			if isCapitalized(tok) {
				names++
			}
		default:
			if ok, _ := dateToken(tok); !ok && !timeWords[strings.ToLower(trimToken(tok))] {
				return false
			}
		}
	}
	if strings.HasSuffix(line, ".") {
		last := trimToken(f[len(f)-1])
		if utf8.RuneCountInString(last) > 3 {
			return false
		}
	}
	return names > 0
}

// isMetaSegments: "Dana Whitfield | Reuters | 24 Jan 2024": segments of
// names, outlets, roles and dates between bars or middle dots, one of them
// a date, a byline or the outlet.
func isMetaSegments(line, okey string) bool {
	if strings.HasPrefix(line, "|") || !strings.ContainsAny(line, "|·•") {
		return false
	}
	segs := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '·' || r == '•' })
	if len(segs) < 2 {
		return false
	}
	anchor := false
	for _, seg := range segs {
		g := strings.Fields(seg)
		if len(g) == 0 {
			continue
		}
		if len(g) > 7 {
			return false
		}
		if g[0] == "By" || g[0] == "BY" || (okey != "" && outletKey(seg) == okey) {
			anchor = true
		}
		for _, tok := range g {
			if tok == "By" || tok == "BY" || isSeparatorToken(tok) || strings.HasPrefix(tok, "@") {
				continue
			}
			ok, core := dateToken(tok)
			if core {
				anchor = true
			}
			if !ok && !nameToken(tok) {
				return false
			}
		}
	}
	return anchor
}

// isSignature: "— David Jackson", "– Associated Press".
func isSignature(f []string, line string) bool {
	rest := line
	switch {
	case strings.HasPrefix(line, "—"), strings.HasPrefix(line, "–"), strings.HasPrefix(line, "―"):
		_, size := utf8.DecodeRuneInString(line)
		rest = line[size:]
	case strings.HasPrefix(line, "--"):
		rest = line[2:]
	case strings.HasPrefix(line, "- "):
		rest = line[1:]
	default:
		return false
	}
	g := strings.Fields(rest)
	if len(g) == 0 || len(g) > 5 || !isCapitalized(g[0]) {
		return false
	}
	for _, tok := range g {
		if !nameToken(tok) || strings.IndexFunc(tok, unicode.IsDigit) >= 0 {
			return false
		}
	}
	return !strings.HasSuffix(rest, "?") && !strings.HasSuffix(rest, "!")
}

// isPlayerText reports whether a line is the text of a video player or a
// photo gallery.
func isPlayerText(line string, f bflag) bool {
	if f&(fPlayer|fPlayerUI|fAd|fCredit) == 0 {
		return false
	}
	for _, p := range playerCaps {
		if strings.Contains(line, p) {
			return true
		}
	}
	low := strings.ToLower(line)
	for _, p := range playerPhrases {
		if strings.Contains(low, p) {
			return true
		}
	}
	return (strings.Contains(low, "photos:") || strings.Contains(low, "caption") || strings.Contains(low, "gallery")) && reGallery.MatchString(line)
}

// capsStart reports whether line starts with two capital letters.
func capsStart(line string) bool {
	return len(line) > 1 && line[0] >= 'A' && line[0] <= 'Z' && line[1] >= 'A' && line[1] <= 'Z'
}

// isKickerLink reports whether a line is a link to another story under
// a capitalised kicker run into the headline, without a space after its
// colon ("RIP:Farrah Forke, actor on 'Wings', dies at 54",
// "SAVE MONEY:How to save at the pump"): a label of capitals without
// digits (a live blog's "11:33 AM: …" is the article), then a headline
// without a closing full stop.
func isKickerLink(line string) bool {
	i := strings.IndexByte(line, ':')
	if i < 2 || i > 40 || i+1 >= len(line) {
		return false
	}
	label := line[:i]
	if strings.IndexFunc(label, func(r rune) bool { return unicode.IsLower(r) || unicode.IsDigit(r) }) >= 0 {
		return false
	}
	next, _ := utf8.DecodeRuneInString(line[i+1:])
	if !unicode.IsUpper(next) && !strings.ContainsRune("\"“‘'", next) {
		return false
	}
	return isHeadline(line[i+1:])
}

// isGallery reports whether a line is a photo gallery's captions and
// controls ("Photos: … Hide Caption 3 of 16 …") or a video playlist
// ("JUST WATCHED … Replay More Videos … MUST WATCH …").
func isGallery(line string) bool {
	for _, p := range playerCaps {
		if strings.Contains(line, p) {
			return true
		}
	}
	if strings.Contains(line, "Hide Caption") || strings.Contains(line, "hide caption") {
		return true
	}
	return strings.Contains(line, "Photos:") && reGallery.MatchString(line)
}

// adLeads are advertisement markers that run into the sentence after them
// ("Skip advert The agency …"), lower case.
var adLeads = []string{
	"skip advert", "skip advertisement", "skip ad", "advertisement", "story continues below advertisement",
	"article continues below advertisement", "story continues below", "article continues below",
	"continue reading below", "anzeige", "werbung",
}

// adLead returns the length of an advertisement marker that opens sent and
// runs into a sentence after it, or 0.
func adLead(sent string) int {
	if len(sent) < 12 {
		return 0
	}
	low := strings.ToLower(sent[:min(len(sent), 48)])
	for _, p := range adLeads {
		if !strings.HasPrefix(low, p) || len(sent) <= len(p)+1 {
			continue
		}
		rest := sent[len(p):]
		if rest[0] != ' ' {
			continue
		}
		rest = strings.TrimLeft(rest, " —–-:")
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) && countWords(rest) >= 4 {
			return len(sent) - len(rest)
		}
	}
	return 0
}

// newsAgencies are the agencies whose name in brackets makes a dateline
// whatever the article's outlet ("WASHINGTON (AP) —"), folded.
var newsAgencies = map[string]bool{"ap": true, "reuters": true, "afp": true, "dpa": true, "upi": true, "ansa": true,
	"efe": true, "bloomberg": true, "kyodo": true, "xinhua": true, "apa": true, "epd": true, "kna": true}

// openingDateline returns the length of the dateline a paragraph opens
// with, spaces and dash after it included, when prose follows it: "(CNN)",
// "London (CNN Business)", "Rome, Italy (CNN)", "WASHINGTON (AP) —",
// "BERLIN, Jan 24 (Reuters) -". The bracket must name the article's outlet
// (okey, see outletKey) or a news agency, and the words before it be a
// place or a date; otherwise, or when less than six words follow, it
// returns 0 ("Apple (AAPL) shares rose" keeps its ticker).
func openingDateline(line, okey string) int {
	if lead := datelineLead(line); lead != "" && isCapsWord(strings.Fields(lead)[0]) && !strings.Contains(lead, "(") {
		// "LONDON —", "KYIV, Ukraine —": a place in capitals and a dash.
		return proseAfter(line, len(lead))
	}
	open := strings.IndexByte(line, '(')
	if open < 0 || open > 60 {
		return 0
	}
	shut := strings.IndexByte(line[open:], ')')
	if shut < 0 || shut > 40 {
		return 0
	}
	shut += open
	inside := foldName(line[open+1 : shut])
	named := newsAgencies[inside] || okey != "" && strings.HasPrefix(inside, okey)
	if !named {
		return 0
	}
	before := strings.Fields(strings.ReplaceAll(line[:open], ",", " , "))
	if len(before) > 6 {
		return 0
	}
	for _, tok := range before {
		if ok, _ := dateToken(tok); ok || tok == "," || isCapitalized(tok) {
			continue
		}
		return 0
	}
	return proseAfter(line, shut+1)
}

// proseAfter returns the length of line's dateline, which ends at byte i,
// with the spaces and dash after it, when a paragraph of six words or more
// follows it; else 0.
func proseAfter(line string, i int) int {
	rest := strings.TrimLeft(line[i:], " \t—–-―")
	if r, _ := utf8.DecodeRuneInString(rest); !(unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“‘'", r)) ||
		countWords(rest) < 6 {
		return 0
	}
	return len(line) - len(rest)
}

// isCapsWord reports whether tok, its punctuation trimmed, is a word of
// three letters or more in capitals ("LONDON,").
func isCapsWord(tok string) bool {
	t := trimToken(tok)
	n := 0
	for _, r := range t {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 3
}

// isBareName: "Jane Roe", "J.R. Smith": a reporter's name alone on a line.
func isBareName(line string) bool {
	f := strings.Fields(line)
	if len(f) < 2 || len(f) > 4 {
		return false
	}
	for _, tok := range f {
		if !isCapitalized(tok) && !connectors[tok] {
			return false
		}
		for _, r := range tok {
			if !unicode.IsLetter(r) && !strings.ContainsRune(".'’-", r) {
				return false
			}
		}
		if ok, _ := dateToken(tok); ok {
			return false
		}
	}
	return true
}

// isAffiliation: the line after a reporter's name in a head byline block:
// the outlet or another publication ("Detroit Free Press", "USA TODAY
// Sports", "@jroe, USA TODAY").
func isAffiliation(line, okey string) bool {
	f := strings.Fields(line)
	if len(f) == 0 || len(f) > 6 || strings.ContainsAny(line, ".!?") && !strings.Contains(line, "@") {
		return false
	}
	if okey != "" && strings.HasPrefix(foldName(line), okey) {
		return true
	}
	if wireServices[foldName(line)] {
		return true
	}
	handle, publication := false, false
	for _, tok := range f {
		if strings.HasPrefix(tok, "@") {
			handle = true
			continue
		}
		if isSeparatorToken(tok) {
			continue
		}
		if !isCapitalized(tok) && !connectors[strings.ToLower(tok)] {
			return false
		}
		publication = publication || publicationWords[strings.ToLower(trimToken(tok))]
	}
	return handle || publication
}

// publicationWords are the words newspapers, agencies and broadcasters are
// named with.
var publicationWords = map[string]bool{
	"press": true, "times": true, "post": true, "news": true, "journal": true, "herald": true, "tribune": true,
	"gazette": true, "daily": true, "today": true, "magazine": true, "chronicle": true, "courier": true,
	"register": true, "star": true, "sun": true, "guardian": true, "telegraph": true, "observer": true,
	"independent": true, "review": true, "wire": true, "network": true, "sports": true, "express": true,
	"mirror": true, "standard": true, "record": true, "dispatch": true, "enquirer": true, "bulletin": true,
	"inquirer": true, "examiner": true, "sentinel": true, "republic": true, "democrat": true, "citizen": true,
	"free": true, "mail": true, "radio": true, "tv": true, "television": true, "broadcasting": true,
	"zeitung": true, "rundschau": true, "allgemeine": true, "kurier": true, "blatt": true, "nachrichten": true,
	"anzeiger": true, "tagesspiegel": true, "spiegel": true, "stern": true, "welt": true, "presse": true,
	"agency": true, "agentur": true, "media": true, "reporter": true, "correspondent": true, "staff": true,
}

// isHeadline reports whether a line looks like an entry of a headline
// list: short, without a closing full stop.
func isHeadline(line string) bool {
	if countWords(line) > 22 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, "\"”’')"))
	return r != '.' && r != '!' && r != ':' && r != ';'
}

// textLine is one line of the text being cleaned.
type textLine struct {
	start, end int // byte range in the text, without surrounding space
	flags      bflag
	words      int
	drop       bool
	dropped    []Span // sentences dropped from a kept line
}

// Boilerplate returns the byte ranges of s that are not the article (see
// the kinds above): each sentence of a line that goes, or single
// sentences of a line that stays. s is article text as Normalize leaves
// it (a line per paragraph or list item); outlet is the article's known
// outlet name, "" when unknown. The spans are in order and do not overlap.
func Boilerplate(s, outlet string) []Span {
	lines := boilerplateLines(s, outlet)
	var out []Span
	for i := range lines {
		l := &lines[i]
		switch {
		case l.drop:
			for _, sp := range Sentences(s[l.start:l.end]) {
				out = append(out, Span{l.start + sp.Start, l.start + sp.End})
			}
		default:
			out = append(out, l.dropped...)
		}
	}
	return out
}

// StripBoilerplate returns s without the lines and sentences Boilerplate
// finds, keeping the paragraph structure (a line that loses some
// sentences keeps the others, in order). Text without boilerplate is
// returned as it is.
func StripBoilerplate(s, outlet string) string {
	lines := boilerplateLines(s, outlet)
	changed := false
	for i := range lines {
		if lines[i].drop || len(lines[i].dropped) > 0 {
			changed = true
			break
		}
	}
	if !changed {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prevEnd := -1
	for i := range lines {
		l := &lines[i]
		if l.drop {
			continue
		}
		var kept string
		if len(l.dropped) == 0 {
			kept = s[l.start:l.end]
		} else {
			kept = keepSentences(s, l)
			if kept == "" {
				continue
			}
		}
		if prevEnd >= 0 {
			if strings.Contains(s[prevEnd:l.start], "\n\n") {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(kept)
		prevEnd = l.end
	}
	return b.String()
}

// keepSentences joins the sentences of a line that are not dropped, with
// the original text between neighbours and one space across a gap.
func keepSentences(s string, l *textLine) string {
	var b strings.Builder
	pos := l.start
	for _, d := range l.dropped {
		if part := strings.TrimSpace(s[pos:d.Start]); part != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(part)
		}
		pos = d.End
	}
	if part := strings.TrimSpace(s[pos:l.end]); part != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(part)
	}
	return b.String()
}

// headLines is how many lines at the start of a text may hold its byline
// block and publication stamp.
const headLines = 4

// boilerplateLines splits s into lines and marks what goes.
func boilerplateLines(s, outlet string) []textLine {
	lines := make([]textLine, 0, strings.Count(s, "\n")/2+1)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\n')
		end := len(s)
		if j >= 0 {
			end = i + j
		}
		a, b := i, end
		for a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r') {
			a++
		}
		for b > a && (s[b-1] == ' ' || s[b-1] == '\t' || s[b-1] == '\r') {
			b--
		}
		if a < b {
			lines = append(lines, textLine{start: a, end: b})
		}
		i = end + 1
	}
	okey := outletKey(outlet)
	listLeft := 0 // headlines still expected under a list heading
	prose := false
	for i := range lines {
		l := &lines[i]
		line := s[l.start:l.end]
		l.flags, l.words = scanFlags(line)
		head := i < headLines && !prose
		if listLeft > 0 {
			if isHeadline(line) {
				l.drop = true
				listLeft--
				continue
			}
			listLeft = 0
		}
		kind := shapeOf(line, l.words, l.flags, okey)
		if kind == shapeNone && (l.flags&(fPlayer|fCredit) != 0 && isGallery(line) || capsStart(line) && reAgencyCaption.MatchString(line) ||
			l.words <= 40 && isPlayerText(line, l.flags) || l.words <= 50 && l.flags&fSpeech == 0 && rePhotoCaption.MatchString(line)) {
			kind = shapePlayer
		}
		switch kind {
		case shapeListHeading:
			l.drop = true
			listLeft = 15
			continue
		case shapeDateOnly:
			// A date alone heads a timeline's entries further down; at the
			// head of the text it is the article's stamp.
			l.drop = head
			continue
		case shapeNone:
		default:
			l.drop = true
			continue
		}
		if head && i+1 < len(lines) && isBareName(line) {
			next := s[lines[i+1].start:lines[i+1].end]
			if isAffiliation(next, okey) || lineShape(next, outlet) == shapeOutlet {
				l.drop = true
				lines[i+1].drop = true
				lines[i+1].flags, lines[i+1].words = scanFlags(next)
				continue
			}
		}
		if head && okey != "" && l.words <= 5 && isAffiliation(line, okey) && strings.HasPrefix(foldName(line), okey) {
			l.drop = true
			continue
		}
		if needsSentenceRules(line, l.flags) {
			sentenceRules(s, l)
		}
		if head && !l.drop && (len(l.dropped) == 0 || l.dropped[0].Start > l.start) {
			// "London (CNN Business) UK inflation has...": the dateline
			// run into the first paragraph goes, the paragraph stays.
			if n := openingDateline(line, okey); n > 0 {
				l.dropped = append([]Span{{l.start, l.start + n}}, l.dropped...)
			}
		}
		if l.words >= 12 && !l.drop {
			prose = true
		}
	}
	return lines
}

// needsSentenceRules reports whether a line with flags f may hold a
// sentence that sentenceRules drops: most lines of an article cannot, and
// are spared splitting and a second scan.
func needsSentenceRules(line string, f bflag) bool {
	switch {
	case f&(fStrongCTA|fSubNoun|fAt|fCredit|fAd|fPlayerUI) != 0:
		return true
	case f&fWeakCTA != 0 && (f&(fYou|fHere|fWe|fSocial|fPromoNoun|fJournalism) != 0 || strings.Contains(line, "hare ")):
		return true
	case f&fPrivacy != 0 && (f&(fYou|fWe) != 0 || strings.Contains(line, "Sie ")):
		return true
	case f&fDigit != 0 && f&fContact != 0:
		return true
	}
	return false
}

// sentenceRules marks the sentences of a line that are calls to action,
// notices, contact lines or credits; a line whose every sentence goes is
// dropped whole.
func sentenceRules(s string, l *textLine) {
	line := s[l.start:l.end]
	protected := l.flags&fQuote != 0 && l.flags&fSpeech != 0
	sents := Sentences(line)
	if len(sents) == 0 {
		return
	}
	drop := make([]bool, len(sents))
	lead := make([]int, len(sents)) // an advertisement marker run into the sentence
	any, contact := false, false
	for i, sp := range sents {
		sent := line[sp.Start:sp.End]
		f, words := scanFlags(sent)
		switch {
		case isContact(sent, f):
			drop[i], contact = true, true
		case f&(fPlayerUI|fAd) != 0 && isPlayerText(sent, f):
			drop[i] = true
		case protected:
		case isCallToAction(sent, f, words), isNotice(sent, f), isCreditSentence(sent, f, words):
			drop[i] = true
		case f&fAd != 0:
			lead[i] = adLead(sent)
		}
		any = any || drop[i] || lead[i] > 0
	}
	if !any {
		return
	}
	for i, sp := range sents {
		if drop[i] {
			continue
		}
		sent := line[sp.Start:sp.End]
		f, words := scanFlags(sent)
		// What is left of a promotion: its description ("The Daily Brief is
		// a morning roundup."), its pitch right after the call to action
		// ("Sign up for our science newsletter. Explore the universe with
		// news on discoveries and more."), or the reporter's biography
		// next to a contact line.
		pitch := i > 0 && drop[i-1] && !contact && imperatives[firstWord(sent)]
		if f&fSpeech == 0 && !protected && (words <= 20 && (promotes(sent) || pitch) || contact && isBio(sent)) {
			drop[i] = true
		}
	}
	all := true
	for i, sp := range sents {
		switch {
		case drop[i]:
			l.dropped = append(l.dropped, Span{l.start + sp.Start, l.start + sp.End})
		case lead[i] > 0:
			l.dropped = append(l.dropped, Span{l.start + sp.Start, l.start + sp.Start + lead[i]})
			all = false
		default:
			all = false
		}
	}
	if all {
		l.drop, l.dropped = true, nil
	}
}

// promotes reports whether a sentence names what a promotion offers (a
// newsletter, a roundup, a briefing, a podcast).
func promotes(sent string) bool {
	low := strings.ToLower(sent)
	for _, w := range []string{"newsletter", "roundup", "briefing", "podcast", "digest"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// firstWord returns the first word of a sentence in lower case, without
// the bullets, brackets and quotes before it.
func firstWord(sent string) string {
	t := strings.TrimLeftFunc(sent, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	end := strings.IndexFunc(t, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '-'
	})
	if end >= 0 {
		t = t[:end]
	}
	return strings.ToLower(t)
}

// isCapsLabel: "SPORTS NEWSLETTER: …", "NEVER MISS A MOMENT: …".
func isCapsLabel(sent string) bool {
	i := strings.IndexByte(sent, ':')
	if i <= 0 || i > 40 {
		return false
	}
	label := sent[:i]
	return strings.IndexFunc(label, unicode.IsLower) < 0 && strings.IndexFunc(label, unicode.IsUpper) >= 0
}

// isCallToAction: a sentence asking the reader to subscribe, sign up,
// follow, share, download or support.
func isCallToAction(sent string, f bflag, words int) bool {
	if words > 60 || f&(fStrongCTA|fWeakCTA|fSubNoun) == 0 {
		return false
	}
	imperative := imperatives[firstWord(sent)]
	low := strings.ToLower(sent)
	// "we" alone is the writer speaking; the outlet addressing its readers
	// offers "our newsletter", "our journalism".
	our := f&fWe != 0 && ourOffer(low)
	reader := f&(fYou|fHere) != 0 || our || isCapsLabel(sent) || strings.IndexFunc(sent, unicode.IsLower) < 0
	if !imperative && words > 35 {
		return false // a call to action is short, or starts with its verb
	}
	if f&fStrongCTA != 0 && (imperative || reader) {
		return true
	}
	// Subscribing and signing up are also what articles report on ("you
	// can sign up for Medicare from October"): only the outlet's own offer
	// counts.
	if f&fSubNoun != 0 && (imperative || our || f&fHere != 0 || isCapsLabel(sent) || strings.IndexFunc(sent, unicode.IsLower) < 0) {
		return true
	}
	if f&fWeakCTA == 0 {
		return false
	}
	switch {
	case f&fJournalism != 0 && (imperative || reader) && (strings.Contains(low, "support") || strings.Contains(low, "donat")):
		return true // "Support local journalism."
	case reShareThis.MatchString(low):
		return true
	case imperative && (reader || f&(fSocial|fPromoNoun) != 0):
		return true // "Follow us on Instagram", "Download the app", "Click here"
	}
	return false
}

// reShareThis matches share prompts: "share this story", "share this
// article with a friend", "share on Facebook".
var reShareThis = regexp.MustCompile(`\bshare (?:this (?:story|article|page|post|link|video)|on (?:facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|social media|bluesky|threads))\b`)

// ourOffer reports whether a lower-case sentence offers the outlet's own
// product: "our newsletter", "our journalism", "our free app".
func ourOffer(low string) bool {
	for i := strings.Index(low, "our "); i >= 0; {
		if i == 0 || !unicode.IsLetter(rune(low[i-1])) {
			rest := low[i+4:]
			rest = strings.TrimPrefix(rest, "free ")
			rest = strings.TrimPrefix(rest, "daily ")
			rest = strings.TrimPrefix(rest, "weekly ")
			for _, w := range []string{"newsletter", "journalism", "reporting", "subscri", "print edition", "digital",
				"app", "site", "website", "work", "podcast", "briefing", "alerts", "team", "coverage", "e-edition", "inbox", "facebook", "page"} {
				if strings.HasPrefix(rest, w) {
					return true
				}
			}
		}
		j := strings.Index(low[i+4:], "our ")
		if j < 0 {
			break
		}
		i += 4 + j
	}
	return false
}

// noticePhrases are the phrases only a site's own cookie, privacy,
// consent and registration notices use, lower case; noticeWords are
// phrases of such notices that an article about privacy may use too.
var (
	noticePhrases = []string{
		"cookie", "privacy policy", "privacy notice", "privacy statement", "privacy settings", "terms of service",
		"terms of use", "terms and conditions", "details you have shared", "information you have shared",
		"details you provided", "information you provided", "manage your registration", "manage your subscription",
		"manage your preferences", "recaptcha", "you agree to", "by clicking", "by registering", "by signing up",
		"by continuing", "by subscribing", "legitimate interest", "datenschutzerklärung", "ihre daten",
		"nutzungsbedingungen", "sie stimmen",
	}
	noticeWords = []string{
		"personal data", "personal information", "your data", "processing", "consent", "opt out", "opt-out",
		"unsubscribe", "data protection", "datenschutz", "einwilligung", "storage", "third parties", "partners",
	}
)

// isNotice: cookie, privacy, consent and registration notices addressed to
// the reader.
func isNotice(sent string, f bflag) bool {
	if f&fPrivacy == 0 || f&(fYou|fWe) == 0 && !strings.Contains(sent, "Sie ") {
		return false
	}
	low := strings.ToLower(sent)
	for _, p := range noticePhrases {
		if strings.Contains(low, p) {
			return true
		}
	}
	if f&fYou == 0 || f&fWe == 0 {
		return false
	}
	n := 0
	for _, p := range noticeWords {
		if strings.Contains(low, p) {
			n++
		}
	}
	return n >= 2
}

// isContact: "Contact Jane Roe at jroe@example.com.", "Follow him on
// Twitter @jroe.", "Jane Roe can be reached at (555) 123-4567."
func isContact(sent string, f bflag) bool {
	if f&(fContact|fAt) == 0 {
		return false
	}
	if f&(fAt|fDigit) == 0 {
		return false
	}
	hasAddr := f&fAt != 0 && (reEmail.MatchString(sent) || reHandle.MatchString(sent))
	if !hasAddr && !rePhone.MatchString(sent) {
		return false
	}
	switch firstWord(sent) {
	case "contact", "reach", "follow", "email", "e-mail", "send", "write", "tips", "call", "tweet", "you":
		return true
	}
	low := strings.ToLower(sent)
	for _, p := range []string{"can be reached", "reach her", "reach him", "reach them", "follow her", "follow him",
		"follow them", "email her", "email him", "email them", "reach the reporter", "reach the writer"} {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// isBio: "Jane Roe covers the courts for the Daily Example."
func isBio(sent string) bool {
	if !reReporterBio.MatchString(sent) {
		return false
	}
	low := strings.ToLower(sent)
	for _, w := range journalistWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// isCreditSentence: "The Associated Press contributed to this report.",
// "(Photo by Jane Roe/Getty Images)".
func isCreditSentence(sent string, f bflag, words int) bool {
	if f&fCredit == 0 || words > 25 {
		return false
	}
	low := strings.ToLower(sent)
	if strings.Contains(low, "contributed to this report") || strings.Contains(low, "contributed to this story") ||
		strings.Contains(low, "contributed to this article") || strings.Contains(low, "contributed reporting") {
		return true
	}
	return words <= 14 && rePhotoCredit.MatchString(sent)
}
