package dpop_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

// resourceServer is a real HTTP server that requires DPoP-bound access
// tokens and server nonces, as a resource server of RFC 9449 §7 and §9.
type resourceServer struct {
	*httptest.Server
	verifier *dpop.Verifier
	nonces   *dpop.HMACNonces
	clock    *clock // the nonces' clock; proofs use the real one
	jkt      string // the key the access token is bound to
	requests atomic.Int32

	mu     sync.Mutex
	bodies []string // the request bodies, in order
}

func newResourceServer(t *testing.T, jkt string) *resourceServer {
	t.Helper()
	s := &resourceServer{clock: &clock{t: time.Now()}, jkt: jkt}
	var err error
	s.nonces, err = dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Period: time.Minute, Now: s.clock.Now})
	require.NoError(t, err)
	s.verifier, err = dpop.NewVerifier(&dpop.Options{Nonces: s.nonces})
	require.NoError(t, err)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *resourceServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	nonce, _ := s.verifier.Nonces().Nonce(r.Context())
	w.Header().Set(dpop.NonceHeader, nonce)
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if scheme != "DPoP" || token == "" {
		w.Header().Set("WWW-Authenticate", challengeFor(nil, s.verifier.Algorithms()))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	p, err := s.verifier.VerifyRequest(r.Context(), r, token, s.jkt)
	if err != nil {
		w.Header().Add("WWW-Authenticate", `Bearer realm="api"`)
		w.Header().Add("WWW-Authenticate", challengeFor(err, s.verifier.Algorithms()))
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, err.Error())
		return
	}
	io.WriteString(w, "hello "+p.JKT)
}

func (s *resourceServer) lastBody() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies[len(s.bodies)-1]
}

func newClient(t *testing.T, tr http.RoundTripper) *http.Client {
	t.Helper()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func do(t *testing.T, c *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestTransportNonceFlow(t *testing.T) {
	prover := newProver(t, jwt.ES256, key("P-256"))
	srv := newResourceServer(t, prover.JKT())
	client := newClient(t, &dpop.Transport{
		Prover: prover,
		Token:  func(*http.Request) (string, error) { return testToken, nil },
	})
	get := func() *http.Request {
		req, err := http.NewRequest("GET", srv.URL+"/me?x=1", nil)
		require.NoError(t, err)
		return req
	}

	// The first request has no nonce: the server asks for one, the
	// transport retries once with it.
	req := get()
	code, body := do(t, client, req)
	assert.Equal(t, 200, code, body)
	assert.Equal(t, "hello "+prover.JKT(), body)
	assert.Equal(t, int32(2), srv.requests.Load())
	assert.Empty(t, req.Header.Values("DPoP"), "the caller's request is not modified")
	assert.Empty(t, req.Header.Values("Authorization"))

	// The nonce is remembered: one request.
	code, _ = do(t, client, get())
	assert.Equal(t, 200, code)
	assert.Equal(t, int32(3), srv.requests.Load())

	// A body that can be sent again is sent again.
	post, err := http.NewRequest("POST", srv.URL+"/items", strings.NewReader(`{"name":"x"}`))
	require.NoError(t, err)
	srv.clock.Add(2 * time.Minute) // the nonce the client holds expires
	code, body = do(t, client, post)
	assert.Equal(t, 200, code, body)
	assert.Equal(t, int32(5), srv.requests.Load(), "refused once, then retried")
	assert.Equal(t, `{"name":"x"}`, srv.lastBody())

	// The server rotates its nonce with every response: the client follows.
	srv.clock.Add(30 * time.Second)
	code, _ = do(t, client, get())
	assert.Equal(t, 200, code)
	srv.clock.Add(45 * time.Second)
	code, _ = do(t, client, get())
	assert.Equal(t, 200, code)
	assert.Equal(t, int32(7), srv.requests.Load(), "no retry: each response brought a fresh nonce")
}

func TestTransportNoRetry(t *testing.T) {
	prover := newProver(t, jwt.ES256, key("P-256"))
	t.Run("a body that cannot be sent again", func(t *testing.T) {
		srv := newResourceServer(t, prover.JKT())
		client := newClient(t, &dpop.Transport{Prover: prover})
		req, err := http.NewRequest("POST", srv.URL+"/items", io.NopCloser(strings.NewReader("once")))
		require.NoError(t, err)
		require.Nil(t, req.GetBody)
		req.Header.Set("Authorization", "DPoP "+testToken)
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode)
		assert.Contains(t, resp.Header.Values("WWW-Authenticate"), `DPoP error="use_dpop_nonce", error_description="DPoP proof requires a fresh server nonce", algs="ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512"`)
		assert.Equal(t, int32(1), srv.requests.Load())

		// The nonce was remembered all the same: the next request succeeds.
		req, err = http.NewRequest("POST", srv.URL+"/items", io.NopCloser(strings.NewReader("twice")))
		require.NoError(t, err)
		req.Header.Set("Authorization", "DPoP "+testToken)
		code, body := do(t, client, req)
		assert.Equal(t, 200, code, body)
		assert.Equal(t, "twice", srv.lastBody())
	})
	t.Run("retried once only", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := n.Add(1)
			w.Header().Set(dpop.NonceHeader, "nonce-"+string(rune('0'+i)))
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		t.Cleanup(srv.Close)
		client := newClient(t, &dpop.Transport{Prover: prover})
		code, _ := do(t, client, mustRequest(t, "GET", srv.URL))
		assert.Equal(t, 401, code)
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("a 401 of another error", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set(dpop.NonceHeader, "fresh")
			w.Header().Set("WWW-Authenticate", `DPoP error="invalid_dpop_proof"`)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		t.Cleanup(srv.Close)
		code, _ := do(t, newClient(t, &dpop.Transport{Prover: prover}), mustRequest(t, "GET", srv.URL))
		assert.Equal(t, 401, code)
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("use_dpop_nonce without a nonce", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
		}))
		t.Cleanup(srv.Close)
		code, _ := do(t, newClient(t, &dpop.Transport{Prover: prover}), mustRequest(t, "GET", srv.URL))
		assert.Equal(t, 401, code)
		assert.Equal(t, int32(1), n.Load())
	})
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

// TestTransportTokenEndpoint runs the nonce flow of RFC 9449 §8 against a
// token endpoint: a 400 with a JSON error body.
func TestTransportTokenEndpoint(t *testing.T) {
	prover := newProver(t, jwt.EdDSA, key("Ed25519"))
	c := &clock{t: time.Now()}
	nonces, err := dpop.NewHMACNonces(nonceSecret, &dpop.HMACNonceOptions{Now: c.Now})
	require.NoError(t, err)
	v, err := dpop.NewVerifier(&dpop.Options{Nonces: nonces})
	require.NoError(t, err)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			(&oauth.TokenError{Status: http.StatusBadRequest, Code: oauth.InvalidRequest, Description: "bad form"}).Write(w)
			return
		}
		nonce, _ := nonces.Nonce(r.Context())
		p, err := v.VerifyRequest(r.Context(), r, "", "")
		if err != nil {
			code, desc := oauth.Describe(err)
			(&oauth.TokenError{Status: http.StatusBadRequest, Code: code, Description: desc, Nonce: nonce}).Write(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at","token_type":"DPoP","jkt":"`+p.JKT+`"}`)
	}))
	t.Cleanup(srv.Close)
	client := newClient(t, &dpop.Transport{Prover: prover})

	resp, err := client.PostForm(srv.URL+"/token", map[string][]string{"grant_type": {"client_credentials"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, string(b))
	assert.JSONEq(t, `{"access_token":"at","token_type":"DPoP","jkt":"`+prover.JKT()+`"}`, string(b))
	assert.Equal(t, int32(2), n.Load())

	// A 400 of another error reaches the caller with its body whole.
	resp, err = client.PostForm(srv.URL+"/token", map[string][]string{"grant_type": {"password"}})
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	assert.JSONEq(t, `{"error":"invalid_request","error_description":"bad form"}`, string(b))
	assert.Equal(t, int32(3), n.Load())
}

// TestTransportProofs checks the proofs the transport sends: one per
// request, for its method and URL, with ath for the token, without the
// private key, and never a replay.
func TestTransportProofs(t *testing.T) {
	prover := newProver(t, jwt.ES256, key("P-256"))
	type seen struct{ proof, auth, method, url string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, seen{r.Header.Get("DPoP"), r.Header.Get("Authorization"), r.Method, r.URL.String()})
	}))
	t.Cleanup(srv.Close)
	client := newClient(t, &dpop.Transport{Prover: prover})

	req := mustRequest(t, "PUT", srv.URL+"/a/b?c=d")
	req.Header.Set("Authorization", "DPoP "+testToken)
	code, _ := do(t, client, req)
	require.Equal(t, 200, code)
	code, _ = do(t, client, mustRequest(t, "GET", srv.URL+"/a/b"))
	require.Equal(t, 200, code)

	require.Len(t, got, 2)
	v := newVerifier(t, &clock{t: time.Now()}, nil)
	p, err := v.Verify(context.Background(), got[0].proof, &dpop.Request{Method: "PUT", URI: srv.URL + "/a/b", AccessToken: testToken, JKT: prover.JKT()})
	require.NoError(t, err)
	assert.Equal(t, "DPoP "+testToken, got[0].auth)
	assert.Equal(t, dpop.AccessTokenHash(testToken), p.Claims.AccessTokenHash)
	assert.NotContains(t, decodeSegment(t, got[0].proof, 0)["jwk"], "d")

	p, err = v.Verify(context.Background(), got[1].proof, &dpop.Request{Method: "GET", URI: srv.URL + "/a/b"})
	require.NoError(t, err)
	assert.Empty(t, p.Claims.AccessTokenHash)
	assert.Empty(t, got[1].auth)
}

func TestTransportErrors(t *testing.T) {
	prover := newProver(t, jwt.ES256, key("P-256"))
	t.Run("no prover", func(t *testing.T) {
		body := &closeTracker{Reader: strings.NewReader("x")}
		req, err := http.NewRequest("POST", "http://127.0.0.1:1/", body)
		require.NoError(t, err)
		_, err = (&dpop.Transport{}).RoundTrip(req)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption)
		assert.True(t, body.closed, "the body is closed on errors")
	})
	t.Run("token source fails", func(t *testing.T) {
		errNoToken := errors.New("no token")
		tr := &dpop.Transport{Prover: prover, Token: func(*http.Request) (string, error) { return "", errNoToken }}
		_, err := tr.RoundTrip(mustRequest(t, "GET", "http://127.0.0.1:1/"))
		assert.ErrorIs(t, err, errNoToken)
	})
	t.Run("not http", func(t *testing.T) {
		_, err := (&dpop.Transport{Prover: prover}).RoundTrip(mustRequest(t, "GET", "ftp://127.0.0.1/"))
		assert.ErrorIs(t, err, dpop.ErrInvalidURI)
	})
	t.Run("the base transport's error", func(t *testing.T) {
		errDown := errors.New("down")
		tr := &dpop.Transport{Prover: prover, Base: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errDown })}
		_, err := tr.RoundTrip(mustRequest(t, "GET", "http://127.0.0.1:1/"))
		assert.ErrorIs(t, err, errDown)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }
