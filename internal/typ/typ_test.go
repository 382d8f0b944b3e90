package typ

import "testing"

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"at+jwt", "at+jwt", true},
		{"application/at+jwt", "at+jwt", true},
		{"AT+JWT", "application/at+jwt", true},
		{"Application/At+JWT", "at+jwt", true},
		{"", "at+jwt", false},
		{"application/", "at+jwt", false},
		{"at+jwt ", "at+jwt", false},
		{"refresh+jwt", "at+jwt", false},
		{"application/application/at+jwt", "at+jwt", false},
		{"dpop+jwt", "dpop+jwt", true},
	} {
		if got := Matches(tc.got, tc.want); got != tc.ok {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.ok)
		}
	}
}
