package dpop

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// ErrInvalidURI reports a URI that NormalizeURI cannot normalize: not an
// absolute http or https URI, or one with user information, a bad port, a
// bad percent-encoding or a control character.
var ErrInvalidURI = errors.New("dpop: invalid DPoP URI")

// NormalizeURI returns uri, an absolute http or https URI, in the normal
// form of RFC 3986 §6.2.2 and §6.2.3, without its query and fragment, as
// DPoP compares "htu" values (RFC 9449 §4.3):
//
//   - the scheme and host are lowercased;
//   - the default port (80 for http, 443 for https) and an empty port are
//     removed, and a port's leading zeros too;
//   - percent-encodings of unreserved characters (letters, digits, "-",
//     ".", "_", "~") are decoded, and the others use uppercase hex digits;
//   - characters that a URI cannot hold as they are, such as non-ASCII
//     letters, are percent-encoded as UTF-8 (RFC 3987 §3.1);
//   - dot segments ("." and "..") are removed from the path (RFC 3986
//     §5.2.4), and an empty path becomes "/";
//   - an IPv6 host is written in its canonical form (RFC 5952).
//
// User information ("user@host"), a port above 65535, a malformed
// percent-encoding, a space or a control character is an error wrapping
// ErrInvalidURI. Reserved characters keep their encoding: "/a%2Fb" and
// "/a/b" differ.
func NormalizeURI(uri string) (string, error) {
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	i := strings.Index(uri, "://")
	if i <= 0 {
		return "", fmt.Errorf("%w: not an absolute http or https URI", ErrInvalidURI)
	}
	scheme := strings.ToLower(uri[:i])
	var defaultPort string
	switch scheme {
	case "http":
		defaultPort = "80"
	case "https":
		defaultPort = "443"
	default:
		return "", fmt.Errorf("%w: scheme is not http or https", ErrInvalidURI)
	}
	rest := uri[i+3:]
	authority, path := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		authority, path = rest[:j], rest[j:]
	}
	host, port, err := normalizeAuthority(authority)
	if err != nil {
		return "", err
	}
	b := make([]byte, 0, len(uri)+8)
	b = append(b, scheme...)
	b = append(b, "://"...)
	b = append(b, host...)
	if port != "" && port != defaultPort {
		b = append(b, ':')
		b = append(b, port...)
	}
	p, err := normalizePercent(nil, path, isPathChar, false)
	if err != nil {
		return "", err
	}
	return string(appendWithoutDotSegments(b, string(p))), nil
}

// normalizeAuthority returns the normalized host and port of an authority.
func normalizeAuthority(a string) (host, port string, err error) {
	if strings.IndexByte(a, '@') >= 0 {
		return "", "", fmt.Errorf("%w: user information is not allowed", ErrInvalidURI)
	}
	hostPart, portPart := a, ""
	hasPort := false
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", fmt.Errorf("%w: unterminated IP literal", ErrInvalidURI)
		}
		hostPart = a[:end+1]
		switch after := a[end+1:]; {
		case after == "":
		case after[0] == ':':
			portPart, hasPort = after[1:], true
		default:
			return "", "", fmt.Errorf("%w: bad authority", ErrInvalidURI)
		}
		addr, err := netip.ParseAddr(hostPart[1 : len(hostPart)-1])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", "", fmt.Errorf("%w: bad IPv6 literal", ErrInvalidURI)
		}
		host = "[" + addr.String() + "]"
	} else {
		if j := strings.IndexByte(a, ':'); j >= 0 {
			hostPart, portPart, hasPort = a[:j], a[j+1:], true
		}
		h, err := normalizePercent(nil, hostPart, isRegNameChar, true)
		if err != nil {
			return "", "", err
		}
		host = string(h)
	}
	if host == "" {
		return "", "", fmt.Errorf("%w: no host", ErrInvalidURI)
	}
	if hasPort && portPart != "" {
		n, err := strconv.ParseUint(portPart, 10, 16)
		if err != nil || strings.IndexFunc(portPart, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return "", "", fmt.Errorf("%w: bad port", ErrInvalidURI)
		}
		port = strconv.FormatUint(n, 10)
	}
	return host, port, nil
}

// normalizePercent appends s to dst with percent-encodings normalized:
// unreserved characters decoded, the others in uppercase hex; bytes that
// allowed refuses are percent-encoded. lower lowercases ASCII letters, for
// hosts.
func normalizePercent(dst []byte, s string, allowed func(byte) bool, lower bool) ([]byte, error) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("%w: truncated percent-encoding", ErrInvalidURI)
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%w: bad percent-encoding", ErrInvalidURI)
			}
			d := hi<<4 | lo
			if isUnreserved(d) {
				if lower {
					d = toLower(d)
				}
				dst = append(dst, d)
			} else {
				dst = append(dst, '%', hex[d>>4], hex[d&15])
			}
			i += 2
		case c <= ' ' || c == 0x7f:
			return nil, fmt.Errorf("%w: space or control character", ErrInvalidURI)
		case allowed(c):
			if lower {
				c = toLower(c)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst, nil
}

// appendWithoutDotSegments appends path with its dot segments removed, as
// RFC 3986 §5.2.4 does, or "/" for an empty path.
func appendWithoutDotSegments(dst []byte, in string) []byte {
	if in == "" {
		return append(dst, '/')
	}
	start := len(dst)
	removeLast := func() {
		out := dst[start:]
		if i := lastSlash(out); i >= 0 {
			dst = dst[:start+i]
		} else {
			dst = dst[:start]
		}
	}
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			removeLast()
		case in == "/..":
			in = "/"
			removeLast()
		case in == "." || in == "..":
			in = ""
		default:
			j := 0
			if in[0] == '/' {
				j = 1
			}
			if k := strings.IndexByte(in[j:], '/'); k >= 0 {
				j += k
			} else {
				j = len(in)
			}
			dst = append(dst, in[:j]...)
			in = in[j:]
		}
	}
	if len(dst) == start {
		dst = append(dst, '/')
	}
	return dst
}

func lastSlash(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '/' {
			return i
		}
	}
	return -1
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isUnreserved reports whether c is an unreserved character (RFC 3986 §2.3).
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isSubDelim reports whether c is a sub-delimiter (RFC 3986 §2.2).
func isSubDelim(c byte) bool {
	return strings.IndexByte("!$&'()*+,;=", c) >= 0
}

// isRegNameChar reports whether c may appear as it is in a host name.
func isRegNameChar(c byte) bool { return isUnreserved(c) || isSubDelim(c) }

// isPathChar reports whether c may appear as it is in a path.
func isPathChar(c byte) bool {
	return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' || c == '/'
}

// requestURI returns the target URI of r, without its query: base (a
// normalized URI with no trailing slash) and the request's path, or, if base
// is empty, the scheme of the connection, the Host header and the path.
func requestURI(r *http.Request, base string) string {
	path := r.RequestURI
	if path == "" || path[0] != '/' {
		// A client request, an absolute-form request target, or "*".
		path = r.URL.EscapedPath()
		if path == "" || path[0] != '/' {
			path = "/" + path
		}
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if base != "" {
		return base + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return scheme + "://" + host + path
}
