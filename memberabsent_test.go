package jwt

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMemberAbsent checks that memberAbsent never reports a member absent
// that the claims reader finds, and that it does see the plain absences.
func TestMemberAbsent(t *testing.T) {
	for _, tc := range []struct {
		name, payload, member string
		absent                bool
	}{
		{name: "no such name", payload: `{"sub":"a","scope":"x"}`, member: "cnf", absent: true},
		{name: "present", payload: `{"sub":"a","cnf":{"jkt":"x"}}`, member: "cnf"},
		{name: "present first", payload: `{"cnf":1}`, member: "cnf"},
		{name: "as a value only", payload: `{"sub":"cnf"}`, member: "cnf"},
		{name: "inside another name", payload: `{"xcnf":1,"cnfx":2}`, member: "cnf", absent: true},
		{name: "escaped name", payload: `{"\u0063nf":{"jkt":"x"}}`, member: "cnf"},
		{name: "escape elsewhere", payload: `{"sub":"a\"b"}`, member: "cnf"},
		{name: "nested", payload: `{"a":{"cnf":1}}`, member: "cnf"},
		{name: "name with a quote", payload: `{"a":1}`, member: `a"`},
		{name: "empty name", payload: `{"":1}`, member: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.absent, memberAbsent(tc.payload, tc.member))
			found, err := decodeMember(tc.payload, tc.member, nil)
			assert.NoError(t, err)
			if tc.absent {
				assert.False(t, found, "memberAbsent said absent, the reader found it")
			}
		})
	}
	// The escaped name is a member the reader finds: the case memberAbsent
	// must leave to it.
	found, err := decodeMember(`{"\u0063nf":{"jkt":"x"}}`, "cnf", nil)
	assert.NoError(t, err)
	assert.True(t, found)
}
