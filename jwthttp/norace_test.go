//go:build !race

package jwthttp_test

// raceEnabled: the race detector changes allocation counts.
const raceEnabled = false
