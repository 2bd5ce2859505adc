package feed

import (
	"net/netip"
	"testing"

	"github.com/herald-bot/herald/knowledge"
)

func TestGuardCheckIP(t *testing.T) {
	tests := []struct {
		ip           string
		refused      bool // by the zero Guard
		allowPrivate bool // allowed when AllowPrivate is set
	}{
		{"127.0.0.1", true, true},
		{"127.255.0.9", true, true},
		{"::1", true, true},
		{"10.0.0.1", true, true},
		{"172.16.5.4", true, true},
		{"172.31.255.255", true, true},
		{"192.168.1.1", true, true},
		{"169.254.169.254", true, false},
		{"169.254.0.1", true, false},
		{"0.0.0.0", true, false},
		{"0.1.2.3", true, false},
		{"::", true, false},
		{"::ffff:127.0.0.1", true, true},
		{"::ffff:10.0.0.1", true, true},
		{"::ffff:169.254.169.254", true, false},
		{"64:ff9b::a00:1", true, true},
		{"64:ff9b::7f00:1", true, true},
		{"64:ff9b::a9fe:a9fe", true, false},
		{"2002:7f00:1::1", true, true},
		{"2002:a00:1::5", true, true},
		{"2002:c0a8:101::1", true, true},
		{"fc00::1", true, true},
		{"fd12:3456::1", true, true},
		{"fe80::1", true, false},
		{"fe80::1%eth0", true, false},
		{"100.64.0.1", true, true},
		{"100.127.255.254", true, true},
		{"224.0.0.1", true, false},
		{"239.255.255.250", true, false},
		{"ff02::1", true, false},
		{"255.255.255.255", true, false},
		{"240.0.0.1", true, false},
		{"192.0.0.8", true, false},
		{"192.0.2.10", true, false},
		{"198.18.0.1", true, false},
		{"198.19.255.1", true, false},
		{"198.51.100.7", true, false},
		{"203.0.113.9", true, false},
		{"2001:db8::1", true, false},
		{"2001::1", true, false},
		{"::127.0.0.1", true, false},
		{"100::1", true, false},
		{"4000::1", true, false},
		// Public addresses.
		{"93.184.216.34", false, true},
		{"2606:4700::1111", false, true},
		{"8.8.8.8", false, true},
		{"172.32.0.1", false, true},
		{"100.128.0.1", false, true},
		{"::ffff:93.184.216.34", false, true},
		{"64:ff9b::5db8:d822", false, true},
		{"2002:5db8:d822::1", false, true},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		err := Guard{}.CheckIP(ip)
		if (err != nil) != tt.refused {
			t.Errorf("Guard{}.CheckIP(%s) = %v, want refused=%v", tt.ip, err, tt.refused)
		}
		if err != nil {
			if code := knowledge.ErrorCode(err); code != knowledge.EINVALID {
				t.Errorf("CheckIP(%s) code = %q, want %q", tt.ip, code, knowledge.EINVALID)
			}
			if msg := knowledge.ErrorMessage(err); msg != msgPrivate {
				t.Errorf("CheckIP(%s) message = %q", tt.ip, msg)
			}
		}
		err = Guard{AllowPrivate: true}.CheckIP(ip)
		if (err == nil) != tt.allowPrivate {
			t.Errorf("Guard{AllowPrivate: true}.CheckIP(%s) = %v, want allowed=%v", tt.ip, err, tt.allowPrivate)
		}
	}
	if err := (Guard{}).CheckIP(netip.Addr{}); err == nil {
		t.Error("CheckIP(zero Addr) = nil, want an error")
	}
}

func TestGuardControl(t *testing.T) {
	tests := []struct {
		addr    string
		refused bool
	}{
		{"127.0.0.1:80", true},
		{"[::1]:443", true},
		{"[::ffff:10.1.2.3]:80", true},
		{"169.254.169.254:80", true},
		{"93.184.216.34:443", false},
		{"[2606:4700::1111]:443", false},
		{"not-an-address:80", true},
	}
	for _, tt := range tests {
		err := Guard{}.Control("tcp", tt.addr, nil)
		if (err != nil) != tt.refused {
			t.Errorf("Control(%q) = %v, want refused=%v", tt.addr, err, tt.refused)
		}
	}
}

func TestParseLegacyIPv4(t *testing.T) {
	tests := []struct {
		host string
		want string // "" when not an address
	}{
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"10.0x10.1", "10.16.0.1"},
		{"017700000001", "127.0.0.1"},
		{"1.2.3.4", "1.2.3.4"},
		{"256.1.1.1", ""},
		{"1.2.3.4.5", ""},
		{"4294967296", ""},
		{"08.1.1.1", ""},
		{"0xg.1", ""},
	}
	for _, tt := range tests {
		ip, ok := parseLegacyIPv4(tt.host)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != tt.want {
			t.Errorf("parseLegacyIPv4(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestGuardCheckHost(t *testing.T) {
	tests := []struct {
		host         string
		refused      bool
		allowPrivate bool // allowed when AllowPrivate is set
	}{
		{"example.com", false, true},
		{"news.example.co.uk", false, true},
		{"1password.com", false, true},
		{"example.123abc", false, true},
		{"localhost", true, true},
		{"LOCALHOST.", true, true},
		{"app.localhost", true, true},
		{"127.0.0.1", true, true},
		{"::1", true, true},
		{"169.254.169.254", true, false},
		{"2130706433", true, false},
		{"0x7f.1", true, false},
		{"0177.0.0.1", true, false},
		{"127.1", true, false},
		{"1.2.3.4.5", true, false},
		{"example.0x10", true, false},
		{"", true, false},
	}
	for _, tt := range tests {
		err := Guard{}.checkHost(tt.host)
		if (err != nil) != tt.refused {
			t.Errorf("checkHost(%q) = %v, want refused=%v", tt.host, err, tt.refused)
		}
		err = Guard{AllowPrivate: true}.checkHost(tt.host)
		if (err == nil) != tt.allowPrivate {
			t.Errorf("AllowPrivate checkHost(%q) = %v, want allowed=%v", tt.host, err, tt.allowPrivate)
		}
	}
}
