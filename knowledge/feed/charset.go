package feed

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// ToUTF8 returns body decoded to UTF-8. The encoding comes from a byte
// order mark, then the charset parameter of contentType, then an HTML
// <meta> charset declaration, then sniffing (windows-1252 when nothing
// else fits). Bytes that are already valid UTF-8 are returned unchanged
// whatever the labels say: mislabelled UTF-8 is far more common than legacy
// text that happens to be valid UTF-8, and it makes ToUTF8 safe to apply
// twice. Invalid UTF-8 sequences in a page labelled UTF-8 become U+FFFD.
func ToUTF8(body []byte, contentType string) ([]byte, error) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return bytes.ToValidUTF8(body[3:], []byte("\uFFFD")), nil
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return decode(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), body[2:])
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return decode(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), body[2:])
	}
	// ESC and NUL bytes are valid UTF-8 but signal ISO-2022 or UTF-16
	// text, which must be decoded by its label.
	if utf8.Valid(body) && bytes.IndexByte(body, 0x1B) < 0 && bytes.IndexByte(body, 0) < 0 {
		return body, nil
	}
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" || enc == encoding.Nop {
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), nil
	}
	return decode(enc, body)
}

func decode(enc encoding.Encoding, body []byte) ([]byte, error) {
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("decode text: %w", err)
	}
	return out, nil
}
