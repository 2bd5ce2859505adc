package text

import (
	"strings"
	"testing"
)

// articleParas are the real paragraphs of a short article; every
// boilerplate test surrounds its furniture with them and checks that all
// of them survive.
var articleParas = []string{
	"The harbour council voted on Wednesday to build a tidal barrier across the estuary, ending a decade of argument over how to protect the old town.",
	"Councillors approved the £48 million scheme by nine votes to four. The barrier is due to be finished in 2028.",
	"“This is the most important decision this council has taken in a generation,” said the council leader, Tom Reyes.",
}

// withParagraph is the test article with text as a paragraph of its own,
// first when head, else after the first paragraph, normalised.
func withParagraph(text string, head bool) string {
	var paras []string
	if head {
		paras = append(paras, text)
		paras = append(paras, articleParas...)
	} else {
		paras = append(paras, articleParas[0], text)
		paras = append(paras, articleParas[1:]...)
	}
	return Normalize(strings.Join(paras, "\n\n"))
}

func TestBoilerplateRemovesFurniture(t *testing.T) {
	tests := []struct {
		kind string
		text string // placed between the first and second paragraph
		head bool   // placed before the article instead
	}{
		{"byline with date", "By Dana Whitfield | 2024-01-24 |", true},
		{"byline with role", "By Maria Okafor, Local Affairs Correspondent", true},
		{"byline in capitals", "BY JANE ROE Associated Press", true},
		{"byline segments", "Dana Whitfield | The Coastal Courier | 14 March 2024", false},
		{"timestamp", "Updated 10:32 AM EDT, Thu June 16, 2022", false},
		{"published stamp", "Published 3:04 p.m. ET June 16, 2022", true},
		{"date at the head", "Thursday, March 14, 2024", true},
		{"dateline alone", "Brightwater (Coastal Courier) —", true},
		{"dateline with agency", "BERLIN, Jan 24 (Reuters) -", true},
		{"agency in brackets", "(Reuters)", true},
		{"name and paper at the head", "Jane Roe\n\nMillbrook Gazette", true},
		{"outlet alone", "The Coastal Courier", false},
		{"wire service alone", "Associated Press", false},
		{"credit", "Contributing: Associated Press", false},
		{"reporting credit", "Reporting by Jane Roe; Editing by John Doe", false},
		{"wire reports", "From staff and wire reports", false},
		{"signature", "— Ellen Marsh", false},
		{"contributed sentence", "Ellen Marsh contributed to this report.", false},
		{"photo caption", "An aerial photo shows the flooded quay at Harwick harbour on March 14.", false},
		{"handout caption", "A handout image released by the council shows the barrier's six gates.", false},
		{"in-this caption", "In this aerial image, the barrier's six gates stand open at Harwick on March 14.", false},
		{"ad marker", "Advertisement", false},
		{"ad marker with text", "Advertisement — story continues below", false},
		{"continues below", "Story continues below advertisement", false},
		{"sponsor label", "Sponsored by Harbour Bank", false},
		{"German ad marker", "Anzeige", false},
		{"newsletter in capitals", "SIGN UP FOR OUR NEWSLETTER…", false},
		{"newsletter prompt", "Get the morning briefing in your inbox. Sign up here.", false},
		{"newsletter question", "Would you like to receive our Weekday newsletter?", false},
		{"subscribe prompt", "Subscribe to the Coastal Courier today for unlimited access.", false},
		{"support appeal", "Support local journalism.", false},
		{"thanks for support", "Thank you for supporting our journalism. You can subscribe to our print edition here.", false},
		{"caps label", "BUSINESS NEWSLETTER: Get the latest headlines every weekday", false},
		{"share prompt", "Share this story with a friend", false},
		{"share toolbar", "Share  Tweet  Email  Print", false},
		{"follow prompt", "Follow us on Instagram for more photos from the coast.", false},
		{"app prompt", "Download the app for breaking news alerts.", false},
		{"reader form", "Click here to send us your photos of the storm.", false},
		{"contact line", "Contact Jane Roe at jroe@courier.example or follow her on Twitter @janeroe.", false},
		{"contact with phone", "Jane Roe can be reached at (555) 123-4567.", false},
		{"bio and contact", "Jane Roe covers local politics for the Courier. Reach her at jroe@courier.example.", false},
		{"registration notice", "We will use the details you have shared to manage your registration.", false},
		{"consent notice", "You agree to the processing, storage and use of this information as described in our privacy notice.", false},
		{"cookie notice", "We use cookies to improve your experience on our site. By continuing to browse, you agree to our use of cookies.", false},
		{"recaptcha notice", "This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply to you.", false},
		{"German notice", "Mit dem Abonnieren des Newsletters stimmen Sie der Datenschutzerklärung zu.", false},
		{"player feedback", "1. How relevant is this ad to you?", false},
		{"player errors", "Video player was slow to load content Video content never loaded Ad froze or did not finish loading Audio on ad was too loud Other issues", false},
		{"playlist", "JUST WATCHED Storm floods the quay Replay More Videos ... MUST WATCH Storm floods the quay 01:15", false},
		{"gallery", "Photos: The storm The quay under water on Tuesday. Hide Caption 3 of 12", false},
		{"video ad feedback", "Video Ad Feedback 00:59 - Source: Courier TV Watch the barrier gates rise", false},
		{"agency caption", "BRIGHTWATER, ENGLAND - MARCH 13: Sandbags line the quay on March 13, 2024 in Brightwater, England.", false},
		{"photo credit", "(Photo by Jane Roe/Getty Images)", false},
		{"most read list", "Most read\n\nStorm floods the quay again\n\nBarrier vote delayed for a second time\n\nFerry terminal gets approval", false},
		{"related heading", "Related stories\n\nStorm Ciarán floods the quay", false},
		{"related link", "Read more: Barrier vote delayed for a second time", false},
		{"related arrow", "►Storm watch: What the new barrier means for your home", false},
		{"kicker link", "FLOOD WATCH:Barrier vote delayed for a second time", false},
		{"kicker link quoted", "HARBOUR:'A second chance' for the ferry terminal, council says", false},
		{"German related", "Mehr zum Thema\n\nSturmflut erreicht den Hafen", false},
		{"nav", "Skip to main content", true},
		{"read more", "Read More", false},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			in := withParagraph(tt.text, tt.head)
			got := StripBoilerplate(in, "The Coastal Courier")
			want := strings.Join(articleParas, "\n\n")
			if got != want {
				t.Errorf("StripBoilerplate kept furniture or lost the article:\n got: %q\nwant: %q", got, want)
			}
		})
	}
}

func TestBoilerplateKeepsTheArticle(t *testing.T) {
	// Sentences and lines that look like furniture but are the article.
	tests := []struct {
		name string
		text string
		head bool
	}{
		{"subscribers as news", "Netflix added 2.4 million subscribers in the quarter, the company said on Tuesday.", false},
		{"sign up as news", "You can sign up for the council's flood warning service from October, the agency said.", false},
		{"quoted call", "“You have to subscribe to the plan or leave,” Reyes told councillors.", false},
		{"quoted we", "“We need more subscribers and a newsletter strategy,” the editor said.", false},
		{"support as news", "Support for the barrier grew after the floods of 2020.", false},
		{"follow as news", "Follow the money, investigators told the committee, and the picture becomes clear.", false},
		{"share as news", "The company's share price fell 4% after the announcement.", false},
		{"by as a preposition", "By Tuesday night, the water had reached the quay.", true},
		{"by with a year", "By 2030 the council wants every home protected.", true},
		{"privacy as news", "Meta changed its privacy policy on Tuesday, letting users opt out of targeted ads.", false},
		{"consent as news", "The regulator said sites must obtain consent before processing personal data.", false},
		{"video as news", "A video shared on social media shows the gates rising for the first time.", false},
		{"photo in a report", "A photo shows the gates rising for the first time, the council said on Tuesday.", false},
		{"advertising as news", "Advertising revenue at the group fell by a third last year.", false},
		{"timeline date", "June 16, 2022", false},
		{"list of places", "Arkansas", false},
		{"speaker", "Taylor Wilson:", false},
		{"heading", "Fishermen fear for their livelihoods", false},
		{"title-case headings at the head", "Harbour Council Votes\n\nTidal Barrier Approved", true},
		{"list item with an arrow", "► The council will publish the final design in April.", false},
		{"dash in prose", "The barrier — six steel gates — will rise when tides are high.", false},
		{"tweet quoted", "@harbourwatch wrote on Tuesday that the quay was dry for the first time in years.", false},
		{"question", "Should we add this to the list of odd subscription services?", false},
		{"police appeal", "Police asked anyone with information to call 555-123-4567.", false},
		{"caps label with a sentence", "CORRECTION:An earlier version of this story misstated the barrier's height.", false},
		{"live blog entry", "11:33 AM: Barrier gates close as the tide rises", false},
		{"interview label", "BFP: How did the flood change the quay for you", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := withParagraph(tt.text, tt.head)
			if got := StripBoilerplate(in, "The Coastal Courier"); got != in {
				t.Errorf("StripBoilerplate changed the article:\n got: %q\nwant: %q\nspans: %v", got, in, Boilerplate(in, "The Coastal Courier"))
			}
		})
	}
}

func TestStripBoilerplateSentences(t *testing.T) {
	tests := []struct{ in, want string }{
		// A call to action at the end of a paragraph goes; the paragraph stays.
		{"The council voted on Wednesday. Sign up for our newsletter here.\n\nThe barrier opens in 2028.",
			"The council voted on Wednesday.\n\nThe barrier opens in 2028."},
		// In the middle, the sentences around it are joined by one space.
		{"The council voted. Follow us on Instagram for more. The barrier opens in 2028.",
			"The council voted. The barrier opens in 2028."},
		// An advertisement marker run into the next sentence goes alone.
		{"The gates rise at high tide. Skip advert The agency built six of them.",
			"The gates rise at high tide. The agency built six of them."},
		// A promotion's description goes with its call to action.
		{"The Morning Brief is a roundup of the day's news. Subscribe to the newsletter here.\n\nThe council voted.",
			"The council voted."},
		// So does its pitch after it.
		{"Sign up for the Courier's science newsletter. Explore the universe with news on discoveries and more.\n\nThe council voted.",
			"The council voted."},
		// Lines inside a paragraph keep their single line breaks.
		{"Gates: six\nAdvertisement\nCost: £48 million", "Gates: six\nCost: £48 million"},
	}
	for _, tt := range tests {
		if got := StripBoilerplate(tt.in, ""); got != tt.want {
			t.Errorf("StripBoilerplate(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

// TestStripBoilerplateOpeningDatelines: a dateline run into the first
// paragraph goes, the paragraph stays; brackets that name no outlet or
// agency, and datelines later in the text, stay.
func TestStripBoilerplateOpeningDatelines(t *testing.T) {
	const para = "The harbour council approved the tidal barrier on Tuesday after a long debate."
	tests := []struct{ in, outlet, want string }{
		{"(Coast Wire) " + para, "Coast Wire", para},
		{"Harwick (Coast Wire Business) " + para, "Coast Wire", para},
		{"Harwick, England (Coast Wire) " + para, "Coast Wire", para},
		{"HARWICK (AP) — " + para, "Coast Wire", para},
		{"HARWICK, Jan 24 (Reuters) - " + para, "", para},
		{"HARWICK — " + para, "", para},
		{"HARWICK, England — " + para, "", para},
		// A name and a dash in prose is no dateline.
		{"Joe Biden — who turns 80 this year — said the barrier was approved by the council.", "", ""},
		// No outlet or agency in the brackets: a ticker, a party.
		{"Apple (AAPL) shares rose 4% on Tuesday after the results beat forecasts.", "Coast Wire", ""},
		{"Smith (D) said the barrier would be approved on Tuesday by the council.", "Coast Wire", ""},
		// Further down, the text is the article's own.
		{para + "\n\nThe next day (Coast Wire) reporters visited the quay with the mayor.", "Coast Wire", ""},
	}
	for _, tt := range tests {
		want := tt.want
		if want == "" {
			want = tt.in
		}
		if got := StripBoilerplate(tt.in, tt.outlet); got != want {
			t.Errorf("StripBoilerplate(%q, %q) = %q, want %q", tt.in, tt.outlet, got, want)
		}
	}
}

func TestStripBoilerplateKeepsTheTestArticle(t *testing.T) {
	// The synthetic article of testdata has a byline under its headline;
	// that line goes, every other line stays as it is.
	in := articleText(t)
	const byline = "By Maria Delgado and Tom O'Neill"
	want := strings.Replace(in, byline+"\n\n", "", 1)
	if got := StripBoilerplate(in, "Herald Wire"); got != want {
		t.Errorf("the test article lost text:\n%s", diffLines(want, got))
	}
	if spans := Boilerplate(in, "Herald Wire"); len(spans) != 1 || in[spans[0].Start:spans[0].End] != byline {
		t.Errorf("Boilerplate(article) = %v", spans)
	}
	if got := StripBoilerplate("", ""); got != "" {
		t.Errorf("StripBoilerplate(\"\") = %q", got)
	}
}

func TestBoilerplateSpans(t *testing.T) {
	in := "Advertisement\n\nThe council voted. Follow us on Instagram for more.\n\nThe barrier opens in 2028."
	got := Boilerplate(in, "")
	var texts []string
	for _, sp := range got {
		texts = append(texts, in[sp.Start:sp.End])
	}
	want := []string{"Advertisement", "Follow us on Instagram for more."}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("Boilerplate spans = %q, want %q", texts, want)
	}
}

// diffLines lists the lines of a that b lacks.
func diffLines(a, b string) string {
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !strings.Contains(b, l) {
			out = append(out, "- "+l)
		}
	}
	return strings.Join(out, "\n")
}

func BenchmarkStripBoilerplate(b *testing.B) {
	s := articleText(b) + "\n\nAdvertisement\n\nSign up for our newsletter here.\n\nBy Jane Roe | 2024-01-24"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		StripBoilerplate(s, "Defense News")
	}
}
