package main

// issue25Targets adds the goals of issue 25: the session's Issue and
// Refresh against the signing and verifying they cannot avoid, the
// middleware's answers against jwt.Verify, and a key set from a JWK Set
// against parsing it.
func issue25Targets(ts *targets) {
	g := func(name string) *row { return get(ts.rows, name) }
	parts := g("Session/HS256/jwtkit/parts")
	for _, op := range []string{"refresh", "issue"} {
		name := "Session/HS256/jwtkit/" + op
		ts.ratio("Session "+op+" (memory store, HS256) vs two signs and a verify", g(name), parts, 1.5)
		ts.allocs("Session "+op+" allocs/op", name, 12)
	}
}
