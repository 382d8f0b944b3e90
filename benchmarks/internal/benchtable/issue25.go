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

	ts.ratio("JWK Set of 100 EC keys, parse and KeySet vs parse alone", g("ParseJWKSet/jwtkit/keyset"), g("ParseJWKSet/jwtkit"), 1.1)

	const mw = "Middleware/HS256/jwtkit/"
	valid, verify := g(mw+"middleware/valid"), g(mw+"verify/valid")
	added := target{what: "Middleware, valid token: cpu-ns added to jwt.Verify", limit: 150, unit: " ns"}
	addedAllocs := target{what: "Middleware, valid token: allocs/op added to jwt.Verify", limit: 1}
	if valid != nil && verify != nil {
		added.got, added.ok = roundwise(byCost, func(v []float64) float64 { return v[0] - v[1] }, valid, verify), true
		addedAllocs.got, addedAllocs.ok = valid.allocs-verify.allocs, true
	}
	ts.list = append(ts.list, added, addedAllocs)
	for _, c := range []string{"forged", "expired"} {
		ts.ratio("Middleware 401 answer, "+c+" token, vs a direct failed jwt.Verify", g(mw+"middleware/"+c), g(mw+"verify/"+c), 1.3)
	}
}
