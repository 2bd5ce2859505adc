package text

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: not a date
	}{
		// Meta tags, JSON-LD and <time datetime>.
		{"2024-01-24T09:30:00Z", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"2024-01-24T10:30:00+01:00", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"2024-01-24T10:30:00.123+0100", time.Date(2024, 1, 24, 9, 30, 0, 123000000, time.UTC)},
		{"2024-01-24T09:30", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"2024-01-24 09:30:00", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"2024-01-24", day(2024, 1, 24)},
		{"20240124", day(2024, 1, 24)},
		// Feeds.
		{"Wed, 24 Jan 2024 09:30:00 +0000", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"Wed, 24 Jan 2024 09:30:00 GMT", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		// Unix time.
		{"1706088600", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{"1706088600000", time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		// Written dates.
		{"June 16, 2022", day(2022, 6, 16)},
		{"Jun. 16 2022", day(2022, 6, 16)},
		{"16 June 2022", day(2022, 6, 16)},
		{"Thursday, June 16th, 2022", day(2022, 6, 16)},
		{"10:32 AM EDT, Thu June 16, 2022", time.Date(2022, 6, 16, 14, 32, 0, 0, time.UTC)},
		{"June 16, 2022 3:04 p.m. ET", time.Date(2022, 6, 16, 19, 4, 0, 0, time.UTC)},
		{"Jan 24, 2024 3:04 p.m. ET", time.Date(2024, 1, 24, 20, 4, 0, 0, time.UTC)},
		{"24. Januar 2024, 14:30 Uhr", time.Date(2024, 1, 24, 14, 30, 0, 0, time.UTC)},
		{"3. März 2024", day(2024, 3, 3)},
		{"24.01.2024", day(2024, 1, 24)},
		// Not dates.
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"June 16", time.Time{}}, // no year
		{"31 June 2022", time.Time{}},
		{"0001-01-01T00:00:00Z", time.Time{}},
		{"12345", time.Time{}},
		{"06/16/2022", time.Time{}}, // ambiguous between US and European order
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

func TestDateFromURL(t *testing.T) {
	tests := []struct {
		url  string
		want time.Time
	}{
		{"https://www.cnn.com/2022/06/16/weather/yellowstone-flooding/index.html", day(2022, 6, 16)},
		{"https://news.example/story/news/2021/08/31/monument/", day(2021, 8, 31)},
		{"https://news.example/2022-06-16-yellowstone-flooding", day(2022, 6, 16)},
		{"https://news.example/world/2022/jun/16/yellowstone-flooding", day(2022, 6, 16)},
		{"https://news.example/articles/20220616/yellowstone", day(2022, 6, 16)},
		{"https://news.example/2022/6/1/story", day(2022, 6, 1)},
		{"https://news.example/2022/02/31/story", time.Time{}},
		{"https://news.example/news/953853/how-much-will-it-cost", time.Time{}},
		{"https://news.example/2022/06/report", time.Time{}}, // a month is not a day
		{"https://news.example/story?date=2022/06/16", time.Time{}},
		{"://bad", time.Time{}},
	}
	for _, tt := range tests {
		if got := DateFromURL(tt.url); !got.Equal(tt.want) {
			t.Errorf("DateFromURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestDatelineDate(t *testing.T) {
	ref := time.Date(2024, 1, 25, 8, 0, 0, 0, time.UTC) // when the page was fetched
	tests := []struct {
		name string
		text string
		ref  time.Time
		want time.Time
	}{
		{"byline with date", "By Dana Whitfield | 2024-01-24 |\n\nThe council voted on Wednesday.", time.Time{}, day(2024, 1, 24)},
		{"published stamp", "Published 3:04 p.m. ET Jan. 24, 2024\n\nThe council voted on Wednesday.", time.Time{}, time.Date(2024, 1, 24, 20, 4, 0, 0, time.UTC)},
		{"updated then published", "Updated Jan. 25, 2024 Published Jan. 24, 2024\n\nThe council voted.", time.Time{}, day(2024, 1, 24)},
		{"date line at the head", "Harbour council votes\n\nWednesday, January 24, 2024\n\nThe council voted on Wednesday.", time.Time{}, day(2024, 1, 24)},
		{"dateline with year", "WASHINGTON, Jan. 24, 2024 (AP) — The Senate voted on Wednesday to extend the program.", time.Time{}, day(2024, 1, 24)},
		{"dateline without year", "BERLIN, Jan 24 (Reuters) - Germany's cabinet approved the budget on Wednesday.", ref, day(2024, 1, 24)},
		{"dateline without year, last year", "BERLIN, Dec 30 (Reuters) - Germany's cabinet met on Saturday.", ref, day(2023, 12, 30)},
		{"German dateline", "Berlin, 24. Januar (dpa) - Das Kabinett hat am Mittwoch den Haushalt beschlossen.", ref, day(2024, 1, 24)},
		{"dateline without year, no fetch time", "BERLIN, Jan 24 (Reuters) - Germany's cabinet approved the budget.", time.Time{}, time.Time{}},
		{"date in a sentence", "The council voted on Wednesday, January 24, 2024, to build the barrier.", time.Time{}, time.Time{}},
		{"date after the story began", "The council voted on Wednesday to build a tidal barrier across the estuary, ending a decade of argument.\n\nJanuary 24, 2024\n\nMore text.", time.Time{}, time.Time{}},
		{"agency caption", "WASHINGTON, DC - DECEMBER 21: People pass a sign on December 21, 2021 in Washington, DC.\n\nThe city voted.", time.Time{}, time.Time{}},
		{"no date", "Washington CNN —\n\nThe Senate voted on Wednesday.", ref, time.Time{}},
		{"dateline in the future", "BERLIN, Jan. 30, 2024 (Reuters) - The cabinet will meet.", ref, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DatelineDate(tt.text, tt.ref); !got.Equal(tt.want) {
				t.Errorf("DatelineDate = %v, want %v", got, tt.want)
			}
		})
	}
}
