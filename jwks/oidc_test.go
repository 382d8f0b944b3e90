package jwks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// provider is an OpenID Connect provider on a real HTTP server. doc, if
// set, writes the discovery document given the server's URL.
type provider struct {
	*server
	discoveries, jwksFetches atomic.Int64
}

func newProvider(t *testing.T, jwks []byte, doc func(base string) string) *provider {
	p := &provider{}
	p.server = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/realms/a/.well-known/openid-configuration":
			p.discoveries.Add(1)
			fmt.Fprint(w, doc(p.URL))
		case "/realms/a/keys":
			p.jwksFetches.Add(1)
			w.Write(jwks)
		default:
			http.NotFound(w, r)
		}
	})
	return p
}

func standardDoc(base string) string {
	return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q,"id_token_signing_alg_values_supported":["EdDSA"]}`,
		base+"/realms/a", base+"/realms/a/keys")
}

func TestOIDC(t *testing.T) {
	c := newClock()
	k := newKey(t, jwt.EdDSA, "k", false)
	p := newProvider(t, setJSON(t, k), standardDoc)
	issuer := p.URL + "/realms/a"

	s, err := NewOIDC(issuer, &Options{Now: c.Now})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, issuer, s.Issuer(), "the Remote carries its issuer")
	assert.Zero(t, p.hits.Load(), "NewOIDC does no I/O")
	assert.Equal(t, "", s.Status().URL)

	// The issuer reaches Verify from the Remote (jwt.IssuerKeySource);
	// options that name it too, as here, agree with it.
	vopts := &jwt.VerifyOptions{Now: c.Now, Issuer: s.Issuer()}
	good, err := jwt.Sign(context.Background(), k.signer, jwt.RegisteredClaims{
		Issuer: issuer, ExpiresAt: jwt.NewNumericDate(c.Now().Add(5 * 60e9)),
	}, nil)
	require.NoError(t, err)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), good, s, vopts)
	require.NoError(t, err)
	st := s.Status()
	assert.Equal(t, issuer+"/keys", st.URL)
	assert.Equal(t, issuer, st.Issuer)

	// Another iss is rejected.
	other, err := jwt.Sign(context.Background(), k.signer, jwt.RegisteredClaims{
		Issuer: "https://evil.example", ExpiresAt: jwt.NewNumericDate(c.Now().Add(5 * 60e9)),
	}, nil)
	require.NoError(t, err)
	_, err = jwt.Verify[jwt.RegisteredClaims](context.Background(), other, s, vopts)
	assert.ErrorIs(t, err, jwt.ErrIssuerMismatch)

	// Discovery happens once; refreshes fetch only the set.
	require.NoError(t, s.Refresh(context.Background()))
	require.NoError(t, s.Refresh(context.Background()))
	assert.EqualValues(t, 1, p.discoveries.Load())
	assert.EqualValues(t, 3, p.jwksFetches.Load())

	// A trailing slash on the issuer is not doubled in the discovery URL,
	// and must then be in the document's issuer too.
	slash := newProvider(t, setJSON(t, k), func(base string) string {
		return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, base+"/realms/a/", base+"/realms/a/keys")
	})
	s2, err := NewOIDC(slash.URL+"/realms/a/", nil)
	require.NoError(t, err)
	defer s2.Close()
	require.NoError(t, s2.Prefetch(context.Background()))
}

func TestOIDCFailures(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	tests := []struct {
		name string
		doc  func(base string) string
		want error
		msg  string
	}{
		{name: "issuer differs", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, base+"/realms/b", base+"/realms/a/keys")
		}, want: ErrDiscovery, msg: "want"},
		{name: "issuer differs by a slash", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":%q,"jwks_uri":%q}`, base+"/realms/a/", base+"/realms/a/keys")
		}, want: ErrDiscovery},
		{name: "no issuer", doc: func(base string) string {
			return fmt.Sprintf(`{"jwks_uri":%q}`, base+"/realms/a/keys")
		}, want: ErrDiscovery, msg: `no "issuer"`},
		{name: "no jwks_uri", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":%q}`, base+"/realms/a")
		}, want: ErrDiscovery, msg: `no "jwks_uri"`},
		{name: "jwks_uri over plain http", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":%q,"jwks_uri":"http://keys.example/a"}`, base+"/realms/a")
		}, want: ErrDiscovery, msg: "loopback"},
		{name: "duplicate issuer", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":%q,"issuer":%q,"jwks_uri":%q}`, base+"/realms/b", base+"/realms/a", base+"/realms/a/keys")
		}, want: ErrDiscovery, msg: "duplicate"},
		{name: "issuer not a string", doc: func(base string) string {
			return fmt.Sprintf(`{"issuer":["x"],"jwks_uri":%q}`, base+"/realms/a/keys")
		}, want: ErrDiscovery},
		{name: "not JSON", doc: func(string) string { return `<html>` }, want: ErrDiscovery},
		{name: "trailing data", doc: func(base string) string { return standardDoc(base) + `{}` }, want: ErrDiscovery},
		{name: "case-folded names are not the names", doc: func(base string) string {
			return fmt.Sprintf(`{"Issuer":%q,"JWKS_URI":%q}`, base+"/realms/a", base+"/realms/a/keys")
		}, want: ErrDiscovery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, setJSON(t, k), tt.doc)
			s, err := NewOIDC(p.URL+"/realms/a", nil)
			require.NoError(t, err)
			defer s.Close()
			err = s.Prefetch(context.Background())
			assert.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "jwks: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error()+" ", "jwks: ")+strings.Count(err.Error(), "jwt:"), err.Error())
			assert.Zero(t, p.jwksFetches.Load())
			_, err = s.Lookup(context.Background(), jwt.Header{Algorithm: "EdDSA", KeyID: "k"})
			assert.ErrorIs(t, err, jwt.ErrUnavailable)
			assert.ErrorIs(t, err, tt.want)
		})
	}

	// A discovery document that cannot be fetched.
	p := newProvider(t, setJSON(t, k), standardDoc)
	s, err := NewOIDC(p.URL+"/realms/missing", nil)
	require.NoError(t, err)
	defer s.Close()
	err = s.Prefetch(context.Background())
	assert.ErrorIs(t, err, ErrFetch)
	assert.Contains(t, err.Error(), "status 404")

	for _, bad := range []string{"http://id.example", "https://id.example/?tenant=1", "id.example"} {
		_, err := NewOIDC(bad, nil)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, bad)
	}
}

// A Remote's issuer is the one NewOIDC was given, or Options.Issuer; a
// Remote made from a bare jwks_uri has none unless Options says one, and
// Options.Issuer cannot disagree with NewOIDC's.
func TestRemoteIssuer(t *testing.T) {
	bare, err := NewRemote("https://id.example/keys", nil)
	require.NoError(t, err)
	defer bare.Close()
	assert.Equal(t, "", bare.Issuer())

	named, err := NewRemote("https://id.example/keys", &Options{Issuer: "https://id.example"})
	require.NoError(t, err)
	defer named.Close()
	assert.Equal(t, "https://id.example", named.Issuer())
	assert.Equal(t, "https://id.example", named.Status().Issuer)

	same, err := NewOIDC("https://id.example", &Options{Issuer: "https://id.example"})
	require.NoError(t, err)
	defer same.Close()
	assert.Equal(t, "https://id.example", same.Issuer())

	_, err = NewOIDC("https://id.example", &Options{Issuer: "https://other.example"})
	assert.ErrorIs(t, err, jwt.ErrInvalidOption)
	assert.ErrorContains(t, err, "jwks: ")
}

// OnFetch reports the discovery document and the JWK Set, each once, with
// the status and, for the set, the number of usable keys.
func TestOIDCOnFetch(t *testing.T) {
	k := newKey(t, jwt.EdDSA, "k", false)
	p := newProvider(t, setJSON(t, k), standardDoc)
	issuer := p.URL + "/realms/a"
	var events []FetchEvent // OnFetch runs on the fetching goroutine; Prefetch waits for it
	s, err := NewOIDC(issuer, &Options{OnFetch: func(e FetchEvent) { events = append(events, e) }})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Prefetch(context.Background()))
	require.Len(t, events, 2)
	assert.Equal(t, issuer+"/.well-known/openid-configuration", events[0].URL)
	assert.Equal(t, 200, events[0].Status)
	assert.Zero(t, events[0].Keys)
	assert.NoError(t, events[0].Err)
	assert.Equal(t, issuer+"/keys", events[1].URL)
	assert.Equal(t, 200, events[1].Status)
	assert.Equal(t, 1, events[1].Keys)
	assert.NoError(t, events[1].Err)
}
