// Package weburl canonicalises the web addresses of articles: the one
// form under which Herald stores an article and recognises it again,
// whatever campaign, click or port decorated the link it came by.
//
// It is pure work on its argument: no I/O, no package state beyond
// immutable lookup tables (the tracking parameters). The caller classifies
// its errors for users.
package weburl

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The kinds of address Canonical refuses.
var (
	// ErrInvalid is an address that does not parse or names no host.
	ErrInvalid = errors.New("not a valid web address")
	// ErrNotWeb is an address of another scheme than http or https.
	ErrNotWeb = errors.New("not a web address (http or https)")
)

// Error is why Canonical refuses an address: its Kind (ErrInvalid or
// ErrNotWeb) and the cause.
type Error struct {
	Kind error
	Err  error
}

// Error implements error: the cause.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// trackingParams are query parameters that identify a campaign or a click,
// never the page; keys are compared in lower case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "igsh": true, "mkt_tok": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "__hstc": true, "__hssc": true, "__hsfp": true,
	"ref": true, "ref_src": true, "ref_url": true, "referrer": true,
	"cmpid": true, "cmp": true, "smid": true, "smtyp": true, "ocid": true, "ncid": true, "icid": true,
	"at_medium": true, "at_campaign": true, "at_link_id": true, "at_link_type": true, "at_ptr_name": true,
	"at_format": true, "at_bbc_team": true,
	"mbid": true, "rss": true, "xtor": true, "s_cid": true, "wt.mc_id": true, "wt_mc": true,
	"ns_mchannel": true, "ns_source": true, "ns_campaign": true, "ns_linkname": true, "ns_fee": true,
	"guccounter": true, "guce_referrer": true, "guce_referrer_sig": true,
	"oly_enc_id": true, "oly_anon_id": true, "vero_id": true, "vero_conv": true,
	"__twitter_impression": true, "fromrss": true,
}

// trackingPrefixes start the keys of whole families of tracking parameters.
var trackingPrefixes = []string{"utm_", "at_custom", "pk_", "mtm_"}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	if trackingParams[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// Canonical returns the form of an http or https URL under which Herald
// stores and deduplicates an article: scheme and host in lower case,
// default ports, user info and fragment removed, tracking parameters
// (utm_*, fbclid, gclid, ref, ...) dropped, the remaining query parameters
// sorted by key (repeated keys keep their order), and an empty path written
// as "/". The path is otherwise kept as it is. Other URLs are an *Error
// of kind ErrInvalid or ErrNotWeb.
func Canonical(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", &Error{Kind: ErrInvalid, Err: err}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", &Error{Kind: ErrNotWeb, Err: fmt.Errorf("scheme %q in %q", u.Scheme, raw)}
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", &Error{Kind: ErrInvalid, Err: fmt.Errorf("no host in %q", raw)}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" && !(u.Scheme == "http" && port == "80") && !(u.Scheme == "https" && port == "443") {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Opaque = ""
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// cleanQuery drops tracking and empty parameters from a raw query and
// sorts the rest by key, keeping each parameter's original encoding.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type param struct{ key, raw string }
	var params []param
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if k == "" || isTracking(k) {
			continue
		}
		params = append(params, param{k, p})
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}
