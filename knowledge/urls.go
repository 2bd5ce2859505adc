package knowledge

import (
	"errors"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
	"github.com/herald-bot/herald/knowledge/weburl"
)

// CanonicalURL returns the form of an http or https URL under which Herald
// stores and deduplicates an article (see weburl.Canonical): scheme and
// host in lower case, default ports, user info and fragment removed,
// tracking parameters dropped, the remaining query parameters sorted by
// key. Other URLs are a *Error with code EINVALID.
func CanonicalURL(raw string) (string, error) {
	u, err := weburl.Canonical(raw)
	var e *weburl.Error
	if errors.As(err, &e) {
		msg := "that is not a valid web address"
		if e.Kind == weburl.ErrNotWeb {
			msg = "that is not a web address (http or https)"
		}
		return "", WrapError(EINVALID, msg, e.Err)
	}
	return u, err
}

// dateFromURL reads a publication date from a news URL's path, as many
// outlets put one there (/2022/06/16/…); see text.DateFromURL. It returns
// the zero time when the path holds no plausible date.
func dateFromURL(raw string) time.Time { return text.DateFromURL(raw) }
