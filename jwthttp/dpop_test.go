package jwthttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
	"github.com/jwtkit/jwt/jwthttp"
)

// dpopEnv is a resource protected with DPoP behind a real server, and a
// client that makes proofs with a dpop.Transport.
type dpopEnv struct {
	*env
	verifier *dpop.Verifier
	prover   *dpop.Prover
	sent     *recorder    // the requests the client's Transport sent
	holder   *http.Client // the key holder's: a dpop.Transport over sent
	token    string       // an access token bound to prover's key
}

// dpopConfig sets up a dpopEnv.
type dpopConfig struct {
	opts    jwthttp.Options // DPoP is set to the env's verifier unless noDPoP
	noDPoP  bool
	dopts   dpop.Options
	handler http.Handler // subHandler(rcSub) if nil; behind New[jwt.RegisteredClaims]
	mw      func(t *testing.T, keys jwt.KeySource, opts *jwthttp.Options) func(http.Handler) http.Handler
}

func newDPoPEnv(t *testing.T, cfg dpopConfig) *dpopEnv {
	t.Helper()
	v, err := dpop.NewVerifier(&cfg.dopts)
	require.NoError(t, err)
	opts := cfg.opts
	if !cfg.noDPoP {
		opts.DPoP = v
	}
	if opts.Verify.Now == nil {
		opts.Verify.Now = nowFunc
	}
	if len(opts.Verify.Audience) == 0 {
		opts.Verify.Audience = []string{testAud}
	}
	h := cfg.handler
	if h == nil {
		h = subHandler(rcSub)
	}
	var mw func(http.Handler) http.Handler
	if cfg.mw != nil {
		mw = cfg.mw(t, hsVerifier(t), &opts)
	} else {
		mw, err = jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &opts)
		require.NoError(t, err)
	}
	e := &dpopEnv{env: newEnv(t, mw(h)), verifier: v}
	e.prover = e.newProver()
	e.sent = &recorder{base: e.srv.Client().Transport}
	e.holder = &http.Client{Transport: &dpop.Transport{Prover: e.prover, Base: e.sent}, Timeout: 10 * time.Second}
	t.Cleanup(e.holder.CloseIdleConnections)
	e.token = e.mint(nil, claimsOf(map[string]any{"cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
	return e
}

// newProver returns a Prover with a new ES256 key, whose every encoding
// (private and public) responses must not contain.
func (e *dpopEnv) newProver() *dpop.Prover {
	e.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(e.t, err)
	p, err := dpop.NewProver(jwt.ES256, key)
	require.NoError(e.t, err)
	ek, err := key.ECDH()
	require.NoError(e.t, err)
	pub := ek.PublicKey().Bytes() // 0x04 || X || Y
	for _, b := range [][]byte{ek.Bytes(), pub[1:33], pub[33:]} {
		e.tokens = append(e.tokens,
			base64.RawURLEncoding.EncodeToString(b), base64.StdEncoding.EncodeToString(b), hex.EncodeToString(b))
	}
	e.tokens = append(e.tokens, p.JKT())
	return p
}

// get sends a GET to path through the client's dpop.Transport, with tok as
// the access token ("Authorization: DPoP tok").
func (e *dpopEnv) get(client *http.Client, path, tok string) *response {
	e.t.Helper()
	req := e.request(http.MethodGet, path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "DPoP "+tok)
	}
	r := e.doWith(client, req)
	for _, p := range e.sent.proofs() {
		e.remember(p) // later responses must not echo a proof either
	}
	return r
}

// raw sends a request with the headers given, as they are, without a
// Transport: for replays and proofs made by hand.
func (e *dpopEnv) raw(method, path string, header map[string]string) *response {
	e.t.Helper()
	req := e.request(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

// recorder is an http.RoundTripper that remembers the DPoP headers of the
// requests it sends.
type recorder struct {
	base http.RoundTripper
	n    atomic.Int32

	mu   sync.Mutex
	sent []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	r.mu.Lock()
	r.sent = append(r.sent, req.Header.Values("DPoP")...)
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recorder) proofs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

func (r *recorder) last() string {
	p := r.proofs()
	if len(p) == 0 {
		return ""
	}
	return p[len(p)-1]
}

// challenges returns the challenges of r, one per WWW-Authenticate field,
// each parsed strictly, by scheme.
func (r *response) challenges(t *testing.T) (schemes []string, params map[string]map[string]string) {
	t.Helper()
	params = map[string]map[string]string{}
	for _, v := range r.header.Values("WWW-Authenticate") {
		ch, err := parseChallenge(v)
		require.NoError(t, err, "challenge %q", v)
		require.NotContains(t, params, ch.scheme, "two %s challenges", ch.scheme)
		schemes = append(schemes, ch.scheme)
		params[ch.scheme] = ch.params
	}
	return schemes, params
}

// refusedWith asserts a refusal with status, exactly the challenges want
// (by scheme, in the order Bearer, DPoP), and a JSON body with the error of
// the challenge that has one.
func (r *response) refusedWith(t *testing.T, status int, want map[string]map[string]string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	schemes, got := r.challenges(t)
	require.Equal(t, want, got)
	var order []string
	for _, s := range []string{"Bearer", "DPoP"} {
		if _, ok := want[s]; ok {
			order = append(order, s)
		}
	}
	require.Equal(t, order, schemes, "one field per scheme, Bearer first")
	code, desc := "", "the request has no access token"
	for _, p := range want {
		if p["error"] != "" {
			code, desc = p["error"], p["error_description"]
		}
	}
	r.jsonBody(t, code, desc)
}

// defaultAlgs is the "algs" of a verifier with the default algorithms.
var defaultAlgs = "ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512"

func dpopErr(code, desc string) map[string]string {
	return map[string]string{"algs": defaultAlgs, "error": code, "error_description": desc}
}

// clientFor returns a client whose Transport makes proofs with p.
func (e *dpopEnv) clientFor(p *dpop.Prover, base http.RoundTripper) *http.Client {
	c := &http.Client{Transport: &dpop.Transport{Prover: p, Base: base}, Timeout: 10 * time.Second}
	e.t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestDPoP(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		var seen *dpop.Proof
		e := newDPoPEnv(t, dpopConfig{handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = jwthttp.Proof(r.Context())
			c, _ := jwthttp.Claims[jwt.RegisteredClaims](r.Context())
			io.WriteString(w, "sub="+c.Subject)
		})})
		e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
		require.NotNil(t, seen, "the handler sees the proof")
		require.Equal(t, e.prover.JKT(), seen.JKT)
		require.Equal(t, "GET", seen.Claims.Method)
		require.Equal(t, e.srv.URL+"/notes", seen.Claims.URI)
		require.Equal(t, dpop.AccessTokenHash(e.token), seen.Claims.AccessTokenHash)
		// The scheme is case-insensitive (RFC 9110 §11.1), and many
		// spaces may follow it.
		proof, err := e.prover.NewProof(context.Background(), "GET", e.srv.URL+"/notes", &dpop.ProofOptions{AccessToken: e.token})
		require.NoError(t, err)
		e.remember(proof)
		e.raw("GET", "/notes", map[string]string{"Authorization": "dpop   " + e.token, "DPoP": proof}).ok(t, "sub=user-1")
	})

	t.Run("replayed proof", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
		proof := e.sent.last()
		require.NotEmpty(t, proof)
		r := e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": proof})
		r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_dpop_proof", "DPoP proof replayed"),
		})
		// The Transport makes a new proof for every request.
		e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
	})

	t.Run("proof for another method or URI", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		for _, tc := range []struct {
			method, uri, desc string
		}{
			{"POST", e.srv.URL + "/notes", "DPoP proof htm does not match the request"},
			{"GET", e.srv.URL + "/admin", "DPoP proof htu does not match the request"},
			{"GET", "http://other.example/notes", "DPoP proof htu does not match the request"},
		} {
			proof, err := e.prover.NewProof(context.Background(), tc.method, tc.uri, &dpop.ProofOptions{AccessToken: e.token})
			require.NoError(t, err)
			e.remember(proof)
			r := e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": proof})
			r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{"DPoP": dpopErr("invalid_dpop_proof", tc.desc)})
		}
	})

	t.Run("proof for another token", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		other := e.mint(nil, claimsOf(map[string]any{"jti": "id-2", "cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
		proof, err := e.prover.NewProof(context.Background(), "GET", e.srv.URL+"/notes", &dpop.ProofOptions{AccessToken: other})
		require.NoError(t, err)
		e.remember(proof)
		r := e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": proof})
		r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_dpop_proof", "DPoP proof ath does not match the access token"),
		})
	})

	t.Run("proof by another key", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		thief := e.clientFor(e.newProver(), e.sent)
		e.get(thief, "/notes", e.token).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "Invalid DPoP key binding"),
		})
	})

	t.Run("token not bound to a key, sent as DPoP", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		unbound := e.mint(nil, claimsOf(nil), "")
		e.get(e.holder, "/notes", unbound).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "Invalid DPoP key binding"),
		})
	})

	t.Run("no proof", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token}).refusedWith(t, http.StatusUnauthorized,
			map[string]map[string]string{"DPoP": dpopErr("invalid_dpop_proof", "DPoP proof required")})
	})

	t.Run("bad token before the proof", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		expired := e.mint(nil, claimsOf(map[string]any{"exp": testNow.Add(-time.Second).Unix(), "cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
		proof, err := e.prover.NewProof(context.Background(), "GET", e.srv.URL+"/notes", &dpop.ProofOptions{AccessToken: e.token})
		require.NoError(t, err)
		e.remember(proof)
		e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + expired, "DPoP": proof}).refusedWith(t, http.StatusUnauthorized,
			map[string]map[string]string{"DPoP": dpopErr("invalid_token", "the access token expired")})
		// The proof was not remembered: the token failed first.
		e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": proof}).ok(t, "sub=user-1")
	})

	t.Run("malformed cnf", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		for _, cnf := range []any{"x", map[string]any{"jkt": 1}, map[string]any{"jkt": ""}, nil} {
			claims := claimsOf(map[string]any{"cnf": cnf})
			if cnf == nil {
				claims["cnf"] = nil // present, as null
			}
			tok := e.mint(nil, claims, "")
			e.get(e.holder, "/notes", tok).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
				"DPoP": dpopErr("invalid_token", "the access token has a malformed cnf claim"),
			})
		}
	})

	t.Run("cnf of another kind", func(t *testing.T) {
		// A token bound otherwise (RFC 8705 mTLS) is refused unless the
		// application checks that binding; and, checked, it is not
		// DPoP-bound: as DPoP, it fails the binding.
		cnf := map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}
		e := newDPoPEnv(t, dpopConfig{})
		tok := e.mint(nil, claimsOf(map[string]any{"cnf": cnf}), "")
		e.get(e.holder, "/notes", tok).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "the access token is bound to a key by a confirmation method this resource cannot check"),
		})
		e = newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{Confirmation: func(*http.Request, map[string]json.RawMessage) error { return nil }}})
		tok = e.mint(nil, claimsOf(map[string]any{"cnf": cnf}), "")
		e.get(e.holder, "/notes", tok).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "Invalid DPoP key binding"),
		})
	})
}

func TestDPoPBoundTokenAsBearer(t *testing.T) {
	bearerErr := func(desc string) map[string]string {
		return map[string]string{"error": "invalid_token", "error_description": desc}
	}
	t.Run("DPoP only", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{})
		e.get(e.srv.Client(), "/notes", "").refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{"DPoP": {"algs": defaultAlgs}})
		r := e.env.get("/notes", "Bearer "+e.token)
		r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "the access token must be sent with the DPoP scheme and a DPoP proof"),
		})
		unbound := e.mint(nil, claimsOf(nil), "")
		e.env.get("/notes", "Bearer "+unbound).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"DPoP": dpopErr("invalid_token", "the access token must be sent with the DPoP scheme and a DPoP proof"),
		})
	})
	t.Run("both schemes", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{AllowBearer: true, Cookie: "at"}})
		r := e.env.get("/notes", "Bearer "+e.token)
		r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"Bearer": bearerErr("the access token is bound to a DPoP key and must be sent with the DPoP scheme"),
			"DPoP":   {"algs": defaultAlgs},
		})
		req := e.request("GET", "/notes", nil)
		req.AddCookie(&http.Cookie{Name: "at", Value: e.token})
		e.do(req).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
			"Bearer": bearerErr("the access token is bound to a DPoP key and must be sent with the DPoP scheme"),
			"DPoP":   {"algs": defaultAlgs},
		})
	})
	t.Run("bearer only", func(t *testing.T) {
		e := newDPoPEnv(t, dpopConfig{noDPoP: true})
		e.env.get("/notes", "Bearer "+e.token).refused(t, http.StatusUnauthorized,
			bearerErr("the access token is bound to a DPoP key and must be sent with the DPoP scheme"))
		// Without DPoP, the DPoP scheme is another scheme: no token.
		e.get(e.holder, "/notes", e.token).refused(t, http.StatusUnauthorized, map[string]string{})
	})
	t.Run("any claims type", func(t *testing.T) {
		for name, mw := range map[string]func(*testing.T, jwt.KeySource, *jwthttp.Options) func(http.Handler) http.Handler{
			"struct": func(t *testing.T, k jwt.KeySource, o *jwthttp.Options) func(http.Handler) http.Handler {
				m, err := jwthttp.New[appClaims](k, o)
				require.NoError(t, err)
				return m
			},
			"map": func(t *testing.T, k jwt.KeySource, o *jwthttp.Options) func(http.Handler) http.Handler {
				m, err := jwthttp.New[map[string]any](k, o)
				require.NoError(t, err)
				return m
			},
		} {
			t.Run(name, func(t *testing.T) {
				ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
				e := newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{AllowBearer: true}, mw: mw, handler: ok})
				e.env.get("/notes", "Bearer "+e.token).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
					"Bearer": bearerErr("the access token is bound to a DPoP key and must be sent with the DPoP scheme"),
					"DPoP":   {"algs": defaultAlgs},
				})
				e.get(e.holder, "/notes", e.token).ok(t, "ok")
			})
		}
	})
}

func TestDPoPAndBearer(t *testing.T) {
	e := newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{AllowBearer: true, Realm: "api", Scope: "notes:read"}})
	unbound := e.mint(nil, claimsOf(nil), "")

	e.env.get("/notes", "Bearer "+unbound).ok(t, "sub=user-1")
	e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
	used := e.sent.last()

	noToken := map[string]map[string]string{
		"Bearer": {"realm": "api", "scope": "notes:read"},
		"DPoP":   {"realm": "api", "scope": "notes:read", "algs": defaultAlgs},
	}
	e.env.get("/notes", "").refusedWith(t, http.StatusUnauthorized, noToken)
	e.env.get("/notes", "Basic dXNlcjpwYXNz").refusedWith(t, http.StatusUnauthorized, noToken)

	// The error is in the challenge of the scheme the request used.
	bad := e.mint(nil, claimsOf(map[string]any{"exp": testNow.Add(-time.Second).Unix(), "cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
	e.env.get("/notes", "Bearer "+bad).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"Bearer": {"realm": "api", "scope": "notes:read", "error": "invalid_token", "error_description": "the access token expired"},
		"DPoP":   {"realm": "api", "scope": "notes:read", "algs": defaultAlgs},
	})
	e.get(e.holder, "/notes", bad).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"Bearer": {"realm": "api", "scope": "notes:read"},
		"DPoP":   {"realm": "api", "scope": "notes:read", "algs": defaultAlgs, "error": "invalid_token", "error_description": "the access token expired"},
	})
	e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": used}).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"Bearer": {"realm": "api", "scope": "notes:read"},
		"DPoP":   {"realm": "api", "scope": "notes:read", "algs": defaultAlgs, "error": "invalid_dpop_proof", "error_description": "DPoP proof replayed"},
	})
	// A malformed DPoP Authorization header: 400 in the DPoP challenge.
	r := e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP "})
	r.refusedWith(t, http.StatusBadRequest, map[string]map[string]string{
		"Bearer": {"realm": "api", "scope": "notes:read"},
		"DPoP":   {"realm": "api", "algs": defaultAlgs, "error": "invalid_request", "error_description": "the Authorization header is malformed"},
	})
}

func TestDPoPScopes(t *testing.T) {
	h := jwthttp.RequireScopes("notes:write")(subHandler(rcSub))
	e := newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{AllowBearer: true}, handler: h})
	tok := e.mint(nil, claimsOf(map[string]any{"scope": "notes:read", "cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
	e.get(e.holder, "/notes", tok).refusedWith(t, http.StatusForbidden, map[string]map[string]string{
		"Bearer": {},
		"DPoP":   {"algs": defaultAlgs, "error": "insufficient_scope", "error_description": "the access token lacks a required scope", "scope": "notes:write"},
	})
	r := e.get(e.holder, "/notes", tok)
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.body), &body))
	require.Equal(t, "notes:write", body["scope"])
	tok = e.mint(nil, claimsOf(map[string]any{"jti": "id-2", "scope": "notes:write", "cnf": map[string]any{"jkt": e.prover.JKT()}}), "")
	e.get(e.holder, "/notes", tok).ok(t, "sub=user-1")
}

func TestDPoPNonce(t *testing.T) {
	secret := []byte("jwthttp DPoP nonce secret, 32+ bytes")
	nonces, err := dpop.NewHMACNonces(secret, nil)
	require.NoError(t, err)
	e := newDPoPEnv(t, dpopConfig{dopts: dpop.Options{Nonces: nonces}})

	// Without the Transport: the answer asks for a nonce and gives one.
	proof, err := e.prover.NewProof(context.Background(), "GET", e.srv.URL+"/notes", &dpop.ProofOptions{AccessToken: e.token})
	require.NoError(t, err)
	e.remember(proof)
	r := e.raw("GET", "/notes", map[string]string{"Authorization": "DPoP " + e.token, "DPoP": proof})
	r.refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"DPoP": dpopErr("use_dpop_nonce", "DPoP proof requires a fresh server nonce"),
	})
	nonce := r.header.Values("DPoP-Nonce")
	require.Len(t, nonce, 1)
	require.NoError(t, nonces.CheckNonce(context.Background(), nonce[0]))

	// The Transport retries once with the nonce, and keeps it.
	e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
	require.Equal(t, int32(2), e.sent.n.Load(), "a use_dpop_nonce answer, then the retry")
	e.get(e.holder, "/notes", e.token).ok(t, "sub=user-1")
	require.Equal(t, int32(3), e.sent.n.Load(), "the nonce kept for the next request")

	// A nonce source that fails: 503, no challenge, the proof refused.
	failing := failingNonces{nonces}
	e2 := newDPoPEnv(t, dpopConfig{dopts: dpop.Options{Nonces: failing}})
	r = e2.get(e2.holder, "/notes", e2.token)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	require.Empty(t, r.header.Values("WWW-Authenticate"))
	require.Empty(t, r.header.Values("DPoP-Nonce"))
}

type failingNonces struct{ *dpop.HMACNonces }

func (failingNonces) Nonce(context.Context) (string, error) {
	return "", errors.New("nonce source down")
}

// failingCache is a replay cache that cannot answer.
type failingCache struct{}

func (failingCache) Remember(context.Context, string, time.Duration) (bool, error) {
	return false, jwt.ErrUnavailable
}

func TestDPoPReplayCacheDown(t *testing.T) {
	e := newDPoPEnv(t, dpopConfig{dopts: dpop.Options{ReplayCache: failingCache{}}})
	r := e.get(e.holder, "/notes", e.token)
	require.Equal(t, http.StatusServiceUnavailable, r.status, "fail closed")
	require.Empty(t, r.header.Values("WWW-Authenticate"))
	r.jsonBody(t, "temporarily_unavailable", "the access token could not be checked, try again later")
}

func TestDPoPCheckAfterProof(t *testing.T) {
	var checked atomic.Int32
	check := func(*http.Request, jwt.Header, *jwt.RegisteredClaims) error {
		checked.Add(1)
		return errors.New("revoked")
	}
	e := newDPoPEnv(t, dpopConfig{opts: jwthttp.Options{Check: check}})
	thief := e.clientFor(e.newProver(), e.sent)
	e.get(thief, "/notes", e.token).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"DPoP": dpopErr("invalid_token", "Invalid DPoP key binding"),
	})
	require.Zero(t, checked.Load(), "no store lookup for a request without a valid proof")
	e.get(e.holder, "/notes", e.token).refusedWith(t, http.StatusUnauthorized, map[string]map[string]string{
		"DPoP": dpopErr("invalid_token", "the access token is revoked or not accepted"),
	})
	require.Equal(t, int32(1), checked.Load())
}

func TestDPoPOptionsRefused(t *testing.T) {
	v, err := dpop.NewVerifier(nil)
	require.NoError(t, err)
	for name, o := range map[string]jwthttp.Options{
		"AllowBearer without DPoP":   {AllowBearer: true},
		"DPoP only with a cookie":    {DPoP: v, Cookie: "at"},
		"DPoP only with a query":     {DPoP: v, QueryParameter: "access_token"},
		"DPoP only with a form body": {DPoP: v, FormBody: true},
	} {
		_, err := jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &o)
		require.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
	_, err = jwthttp.New[jwt.RegisteredClaims](hsVerifier(t), &jwthttp.Options{DPoP: v, AllowBearer: true, Cookie: "at", FormBody: true})
	require.NoError(t, err)
}

// TestDPoPDescriptions checks that every description a DPoP refusal can
// carry may be sent in a challenge as it is.
func TestDPoPDescriptions(t *testing.T) {
	for _, err := range []error{
		dpop.ErrMissingProof, dpop.ErrMultipleProofs, dpop.ErrProofTooLarge, dpop.ErrProofType,
		dpop.ErrProofAlgorithm, dpop.ErrProofKey, dpop.ErrMethodMismatch, dpop.ErrURIMismatch,
		dpop.ErrStaleProof, dpop.ErrReplay, dpop.ErrAccessTokenHash, dpop.ErrUseNonce,
		dpop.ErrTokenBinding, dpop.ErrInvalidProof,
	} {
		_, d := oauth.Describe(err)
		require.NotEmpty(t, d, "%v", err)
		require.NoError(t, checkParam("error_description", d))
		require.False(t, strings.ContainsAny(d, `"\`), d)
	}
}
