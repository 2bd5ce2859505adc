package weburl

import (
	"errors"
	"testing"
)

func TestCanonicalForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a", "https://example.com/a"},
		{"HTTPS://Example.COM/Path/Case", "https://example.com/Path/Case"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com?b=1", "https://example.com/?b=1"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:80/a", "https://example.com:80/a"},
		{"http://example.com:8080/a", "http://example.com:8080/a"},
		{"https://example.com./a", "https://example.com/a"},
		{"https://www.example.com/a", "https://www.example.com/a"},
		{"https://example.com/a/", "https://example.com/a/"},
		{"https://example.com/a#section-2", "https://example.com/a"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x&id=7", "https://example.com/a?id=7"},
		{"https://example.com/a?UTM_Source=x", "https://example.com/a"},
		{"https://example.com/a?fbclid=abc&gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6&_ga=7", "https://example.com/a"},
		{"https://example.com/a?ref=twitter&ref_src=twsrc&cmpid=x&smid=tw&ocid=y&at_medium=rss&at_campaign=z&CMP=share&mbid=m&rss=1", "https://example.com/a"},
		{"https://example.com/a?xtor=RSS-1&at_custom1=a&pk_campaign=b&ns_source=c&guccounter=1", "https://example.com/a"},
		{"https://example.com/a?z=1&a=2&m=3", "https://example.com/a?a=2&m=3&z=1"},
		{"https://example.com/a?tag=b&tag=a&page=2", "https://example.com/a?page=2&tag=b&tag=a"},
		{"https://example.com/a?q=caf%C3%A9+au+lait&utm_term=x", "https://example.com/a?q=caf%C3%A9+au+lait"},
		{"https://example.com/a?amp&&x=1&", "https://example.com/a?amp&x=1"},
		{"https://example.com/a?", "https://example.com/a"},
		{"https://example.com/a?utm_source=x", "https://example.com/a"},
		{"https://example.com/a%2Fb/c", "https://example.com/a%2Fb/c"},
		{"https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"},
		{"https://[2001:db8::1]:8443/a", "https://[2001:db8::1]:8443/a"},
		{"https://example.com/story?id=1&reference=keep", "https://example.com/story?id=1&reference=keep"},
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err != nil {
			t.Errorf("Canonical(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := Canonical(got)
		if err != nil || again != got {
			t.Errorf("Canonical(%q) = %q, %v; not idempotent", got, again, err)
		}
	}
}

func TestCanonicalInvalid(t *testing.T) {
	tests := []struct {
		in   string
		kind error
	}{
		{"", ErrNotWeb},
		{"example.com/a", ErrNotWeb},
		{"ftp://example.com/a", ErrNotWeb},
		{"mailto:a@example.com", ErrNotWeb},
		{"javascript:alert(1)", ErrNotWeb},
		{"/relative/path", ErrNotWeb},
		{"https://", ErrInvalid},
		{"http://%zz/", ErrInvalid},
	}
	for _, tt := range tests {
		_, err := Canonical(tt.in)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tt.kind) {
			t.Errorf("Canonical(%q) error = %v, want %v", tt.in, err, tt.kind)
		}
	}
}
