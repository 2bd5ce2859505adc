package knowledge

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestIngesterIngestURLStoresInTheServersScope(t *testing.T) {
	forEachBackend(t, testIngesterIngestURLStoresInTheServersScope)
}

func testIngesterIngestURLStoresInTheServersScope(t *testing.T, db *DB) {
	ctx := context.Background()
	in := &Ingester{DB: db,
		Fetcher: fakeFetcher{func(ctx context.Context, u string) (*Document, error) {
			if strings.Contains(u, "private") {
				return nil, WrapError(EINVALID, "Herald does not fetch private addresses.", errors.New("10.0.0.1"))
			}
			return &Document{URL: u, ContentType: "text/html", Body: []byte("<p>x</p>")}, nil
		}},
		Extractor: fakeExtractor{func(html []byte, u string) (*Extracted, error) {
			return &Extracted{Title: "Ferry terminal approved", Text: "The harbour council approved a new ferry terminal on Wednesday."}, nil
		}},
	}
	a, err := in.IngestURL(ctx, "G", "<https://harbour.example/ferry>")
	if err != nil {
		t.Fatal(err)
	}
	if a.GuildID != "G" || a.Title != "Ferry terminal approved" || !strings.Contains(a.Text, "ferry terminal") || in.GuildID != "" {
		t.Errorf("article = %+v (ingester scope %q)", a, in.GuildID)
	}
	if _, err := db.article(ctx, a.ID, "H"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("another server sees the article: %v", err)
	}
	for raw, want := range map[string]string{
		"ftp://harbour.example/x":       "is not an address Herald can fetch",
		"https://private.example/x":     "private addresses",
		"https://harbour.example/ferry": "",
	} {
		_, err := in.IngestURL(ctx, "G", raw)
		if want == "" {
			if err != nil {
				t.Errorf("%s again: %v", raw, err)
			}
			continue
		}
		if err == nil || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
	if _, err := (&Ingester{DB: db}).IngestURL(ctx, "G", "https://harbour.example/x"); ErrorCode(err) != EINVALID {
		t.Errorf("without a fetcher: %v", err)
	}
}
