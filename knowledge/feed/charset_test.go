package feed

import (
	"bytes"
	"testing"
)

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		want        string
	}{
		{"windows-1252 by header", "caf\xe9 \x96 \x93quoted\x94 \x80", "text/html; charset=windows-1252", "café – “quoted” €"},
		{"ISO-8859-1 by header", "na\xefve d\xe9j\xe0", "text/plain; charset=ISO-8859-1", "naïve déjà"},
		{"latin1 alias", "\xc5se", "text/html; charset=latin1", "Åse"},
		{"meta charset", `<meta charset="windows-1252"><p>caf` + "\xe9</p>", "", `<meta charset="windows-1252"><p>café</p>`},
		{"meta http-equiv", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>` + "\xa4</p>", "text/html",
			`<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>€</p>`},
		{"header beats meta", `<meta charset="iso-8859-5"><p>` + "\xe9</p>", "text/html; charset=windows-1252", `<meta charset="iso-8859-5"><p>é</p>`},
		{"sniffed as windows-1252", "<p>caf\xe9</p>", "", "<p>café</p>"},
		{"shift_jis by header", "\x93\xfa\x96\x7b", "text/html; charset=shift_jis", "日本"},
		{"valid UTF-8 kept despite label", "déjà – “vu”", "text/html; charset=iso-8859-1", "déjà – “vu”"},
		{"valid UTF-8 kept despite meta", `<meta charset="windows-1252"><p>café</p>`, "", `<meta charset="windows-1252"><p>café</p>`},
		{"ASCII unchanged", "plain ascii", "text/html; charset=windows-1252", "plain ascii"},
		{"UTF-8 BOM stripped", "\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=windows-1252", "café"},
		{"UTF-16LE BOM", "\xff\xfec\x00a\x00f\x00\xe9\x00", "", "café"},
		{"UTF-16BE BOM", "\xfe\xff\x00c\x00a\x00f\x00\xe9", "text/html; charset=windows-1252", "café"},
		{"invalid bytes in UTF-8 page", "caf\xe9 \xc3\xa9", "text/html; charset=utf-8", "caf\uFFFD é"},
		{"ISO-2022-JP by header", "\x1b$BF|K\\\x1b(B", "text/plain; charset=iso-2022-jp", "日本"},
		{"empty", "", "text/html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToUTF8([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ToUTF8(%q, %q) = %q, want %q", tt.body, tt.contentType, got, tt.want)
			}
			// Decoding twice changes nothing.
			again, err := ToUTF8(got, "")
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("ToUTF8 twice = %q, %v; want %q", again, err, got)
			}
		})
	}
}
