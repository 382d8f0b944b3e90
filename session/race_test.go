//go:build race

package session_test

// raceEnabled: the race detector changes allocation counts.
const raceEnabled = true
