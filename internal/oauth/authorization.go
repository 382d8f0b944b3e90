package oauth

import "strings"

// ParseAuthorization reads the value of an Authorization header. It
// returns its scheme: Bearer, DPoP (only if withDPoP is set), or Other;
// for Bearer and DPoP, the token, not checked for syntax (see IsB64Token);
// and whether the value is well-formed enough to judge. The grammar is
// RFC 6750 §2.1, "Bearer" 1*SP b64token, and RFC 9449 §7.1, "DPoP" 1*SP
// token68; schemes are compared case-insensitively.
func ParseAuthorization(v string, withDPoP bool) (token string, s Scheme, ok bool) {
	i := 0
	for i < len(v) && IsTchar(v[i]) {
		i++
	}
	if i == 0 {
		return "", Other, false // no scheme
	}
	switch {
	case strings.EqualFold(v[:i], "Bearer"):
		s = Bearer
	case withDPoP && strings.EqualFold(v[:i], "DPoP"):
		s = DPoP
	default:
		return "", Other, true // another scheme: not a token
	}
	j := i
	for j < len(v) && v[j] == ' ' {
		j++
	}
	if j == i || j == len(v) {
		return "", s, false
	}
	return v[j:], s, true
}
