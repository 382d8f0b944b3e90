// Package typ compares JOSE "typ" header values, the one rule for the root
// package and its subpackages.
package typ

import "strings"

// Matches reports whether the "typ" value got names the media type want, as
// RFC 7515 §4.1.9 compares them: case-insensitively, with the
// "application/" prefix optional on either side, so "at+jwt" matches
// "application/at+jwt".
func Matches(got, want string) bool {
	return strings.EqualFold(trimApplication(got), trimApplication(want))
}

func trimApplication(t string) string {
	const p = "application/"
	if len(t) >= len(p) && strings.EqualFold(t[:len(p)], p) {
		return t[len(p):]
	}
	return t
}
