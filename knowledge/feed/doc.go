// Package feed fetches web pages and news feeds safely and extracts readable articles.
//
// Every URL Herald fetches goes through a Client: only http and https, no
// private or local addresses (checked after DNS resolution, at dial time, on
// every redirect), bounded in time and size. An Extractor turns a fetched
// HTML page into the article's title, metadata and plain-text paragraphs.
package feed
