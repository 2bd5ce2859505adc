package knowledge

import "testing"

func TestCanonicalURLInvalid(t *testing.T) {
	for _, in := range []string{"", "example.com/a", "ftp://example.com/a", "mailto:a@example.com", "javascript:alert(1)", "https://", "http://%zz/", "/relative/path"} {
		_, err := CanonicalURL(in)
		if ErrorCode(err) != EINVALID {
			t.Errorf("CanonicalURL(%q) error = %v, want EINVALID", in, err)
		}
	}
}
