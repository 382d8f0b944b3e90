// Package benchmarks compares jwtkit with the standard library doing the same
// work directly and with other Go JWT libraries. It holds no code of its own:
// the benchmarks and the sanity test that guards them are in the _test.go
// files. See README.md for the latest results and run.sh to reproduce them.
package benchmarks
