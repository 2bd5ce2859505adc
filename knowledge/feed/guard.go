package feed

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/herald-bot/herald/knowledge"
)

// msgPrivate is what a user reads when a URL points at an address Herald
// refuses to reach. It names no setting: the command line adds how the
// operator allows such addresses (errors.Is(err, ErrPrivateAddress)).
const msgPrivate = "Herald does not fetch private or local addresses."

// ErrPrivateAddress is in the chain of every refusal of a private, local or
// otherwise non-public address, so that an edge can say how to allow them.
var ErrPrivateAddress = errors.New("a private or local address")

// Guard decides which IP addresses Herald may connect to. The zero value
// refuses loopback, private, link-local, multicast, reserved and other
// non-public addresses, including their IPv4-mapped, NAT64 and 6to4 forms.
type Guard struct {
	// AllowPrivate allows loopback, private (RFC 1918, unique local IPv6)
	// and shared (100.64.0.0/10) addresses, for self-hosters who want
	// Herald to read pages on their own network. Link-local addresses
	// (and with them cloud metadata services) stay refused.
	AllowPrivate bool
}

// addrRange is one refused block of addresses. Private ranges are allowed
// when Guard.AllowPrivate is set.
type addrRange struct {
	prefix  netip.Prefix
	what    string
	private bool
}

// refusedRanges lists the blocks Guard refuses, most specific first.
var refusedRanges = []addrRange{
	// IPv4.
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified", false},
	{netip.MustParsePrefix("10.0.0.0/8"), "private", true},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)", true},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", true},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local", false},
	{netip.MustParsePrefix("172.16.0.0/12"), "private", true},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment", false},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation", false},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay", false},
	{netip.MustParsePrefix("192.168.0.0/16"), "private", true},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", false},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation", false},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation", false},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", false},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast", false},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", false},
	// IPv6.
	{netip.MustParsePrefix("::/128"), "unspecified", false},
	{netip.MustParsePrefix("::1/128"), "loopback", true},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)", false},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated", false},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64", false},
	{netip.MustParsePrefix("100::/64"), "discard-only", false},
	{netip.MustParsePrefix("2001::/32"), "Teredo", false},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking", false},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation", false},
	{netip.MustParsePrefix("3fff::/20"), "documentation", false},
	{netip.MustParsePrefix("fc00::/7"), "unique local", true},
	{netip.MustParsePrefix("fe80::/10"), "link-local", false},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)", false},
	{netip.MustParsePrefix("ff00::/8"), "multicast", false},
}

var (
	nat64Prefix   = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour     = netip.MustParsePrefix("2002::/16")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// CheckIP returns nil when Herald may connect to ip, and otherwise a
// *knowledge.Error with code EINVALID whose cause names the kind of address.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry, and
// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses as their embedded
// IPv4 address; IPv6 addresses outside global unicast space are refused.
func (g Guard) CheckIP(ip netip.Addr) error {
	if !ip.IsValid() {
		return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: invalid IP address", ErrPrivateAddress))
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		var embedded netip.Addr
		var via string
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			embedded, via = netip.AddrFrom4([4]byte(b[12:16])), "NAT64"
		case sixToFour.Contains(ip):
			embedded, via = netip.AddrFrom4([4]byte(b[2:6])), "6to4"
		}
		if embedded.IsValid() {
			if err := g.CheckIP(embedded); err != nil {
				return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: %s is a %s address embedding %w", ErrPrivateAddress, ip, via, unwrapCause(err)))
			}
			return nil
		}
	}
	for _, r := range refusedRanges {
		if !r.prefix.Contains(ip) {
			continue
		}
		if r.private && g.AllowPrivate {
			return nil
		}
		return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: %s is a %s address", ErrPrivateAddress, ip, r.what))
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: %s is a reserved IPv6 address", ErrPrivateAddress, ip))
	}
	return nil
}

// unwrapCause returns the cause kept in a *knowledge.Error, or err itself.
func unwrapCause(err error) error {
	if ke, ok := err.(*knowledge.Error); ok && ke.Err != nil {
		return ke.Err
	}
	return err
}

// Control checks the address a socket is about to connect to; it has the
// signature of net.Dialer.Control, so that the last check happens on the
// very address being dialled, after any DNS resolution.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: dial %s %q: %w", ErrPrivateAddress, network, address, err))
	}
	return g.CheckIP(ap.Addr())
}

// checkHost refuses host names that need no DNS to be judged: IP literals
// the guard refuses, "localhost" names, and numbers written in the legacy
// forms (2130706433, 0x7f.1, 0177.0.0.1) that some resolvers turn into
// addresses. host is a URL's Hostname, without brackets or port.
func (g Guard) checkHost(host string) error {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "" {
		return knowledge.Errorf(knowledge.EINVALID, "that is not a valid web address")
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		return g.CheckIP(ip)
	}
	if looksNumeric(h) {
		if ip, ok := parseLegacyIPv4(h); ok {
			if err := g.CheckIP(ip); err != nil {
				return err
			}
		}
		return knowledge.WrapError(knowledge.EINVALID, "the URL's host is not a valid address",
			fmt.Errorf("host %q is a number in a non-standard form", host))
	}
	if !g.AllowPrivate && (h == "localhost" || strings.HasSuffix(h, ".localhost")) {
		return knowledge.WrapError(knowledge.EINVALID, msgPrivate, fmt.Errorf("%w: host %q is local", ErrPrivateAddress, host))
	}
	return nil
}

// looksNumeric reports whether the last label of host is a number (decimal
// or 0x hexadecimal), which makes the whole host an IPv4 address attempt in
// the WHATWG URL standard rather than a domain name.
func looksNumeric(host string) bool {
	last := host
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		last = host[i+1:]
	}
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		for _, c := range last[2:] {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseLegacyIPv4 parses host the way inet_aton does: one to four parts,
// each decimal, octal (leading 0) or hexadecimal (0x), the last part
// filling the remaining bytes.
func parseLegacyIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		base := 10
		switch {
		case strings.HasPrefix(p, "0x"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
