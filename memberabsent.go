package jwt

import "strings"

// memberAbsent reports, without reading the JSON, whether the claims set
// s, which Verify read, certainly has no member named name: s holds no
// escape sequence, so that every string in it is written as it is, and
// nowhere holds name between quotes. It reports false whenever it cannot
// tell, and the member is then looked for by reading s.
func memberAbsent(s, name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == '"' || c == '\\' {
			return false // a name JSON writes escaped
		}
	}
	if strings.IndexByte(s, '\\') >= 0 {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return true
		}
		i += j
		if i > 0 && s[i-1] == '"' && i+len(name) < len(s) && s[i+len(name)] == '"' {
			return false
		}
		i++
	}
}
