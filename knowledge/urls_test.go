package knowledge

import "testing"

func TestCanonicalURLForms(t *testing.T) {
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
		got, err := CanonicalURL(tt.in)
		if err != nil {
			t.Errorf("CanonicalURL(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := CanonicalURL(got)
		if err != nil || again != got {
			t.Errorf("CanonicalURL(%q) = %q, %v; not idempotent", got, again, err)
		}
	}
}

func TestCanonicalURLInvalid(t *testing.T) {
	for _, in := range []string{"", "example.com/a", "ftp://example.com/a", "mailto:a@example.com", "javascript:alert(1)", "https://", "http://%zz/", "/relative/path"} {
		_, err := CanonicalURL(in)
		if ErrorCode(err) != EINVALID {
			t.Errorf("CanonicalURL(%q) error = %v, want EINVALID", in, err)
		}
	}
}
