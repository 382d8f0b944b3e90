package jwks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tenantPattern = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// tenants is a multi-tenant OpenID Connect provider on a real HTTP server,
// laid out as Microsoft Entra ID is: the issuer of tenant T is
// base/T/v2.0. Tenants it does not know answer 404.
type tenants struct {
	*server
	mu    sync.Mutex
	keys  map[string]testKey
	paths []string // every path requested
}

func newTenants(t *testing.T, names ...string) *tenants {
	p := &tenants{keys: make(map[string]testKey)}
	for _, n := range names {
		p.keys[n] = newKey(t, jwt.EdDSA, "k-"+n[:8], false)
	}
	p.server = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.Path)
		p.mu.Unlock()
		tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		k, ok := p.keys[tenant]
		switch {
		case !ok:
			http.NotFound(w, r)
		case rest == "v2.0/.well-known/openid-configuration":
			fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, p.issuer(tenant), p.URL+"/"+tenant+"/keys")
		case rest == "keys":
			w.Write(setJSON(t, k))
		default:
			http.NotFound(w, r)
		}
	})
	return p
}

func (p *tenants) issuer(tenant string) string { return p.URL + "/" + tenant + "/v2.0" }
func (p *tenants) template() string            { return p.URL + "/{tenantid}/v2.0" }
func (p *tenants) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.paths)
}

// token returns a token signed by tenant's key claiming issuer iss.
func (p *tenants) token(t *testing.T, tenant, iss string, now time.Time) string {
	t.Helper()
	tok, err := jwt.Sign(context.Background(), p.keys[tenant].signer, jwt.RegisteredClaims{
		Issuer: iss, Subject: "user-1", ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}, nil)
	require.NoError(t, err)
	return tok
}

const (
	tenantA = "11111111-1111-1111-1111-111111111111"
	tenantB = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
	tenantC = "33333333-3333-3333-3333-333333333333"
	tenantD = "44444444-4444-4444-4444-444444444444"
)

func newTestIssuers(t *testing.T, p *tenants, c *clock, o IssuersOptions) *Issuers {
	t.Helper()
	if o.Template == "" {
		o.Template = p.template()
	}
	if o.TenantPattern == "" {
		o.TenantPattern = tenantPattern
	}
	o.Remote = &Options{Now: c.Now, Jitter: noJitter}
	m, err := NewIssuers(&o)
	require.NoError(t, err)
	t.Cleanup(m.Close)
	return m
}

func TestIssuers(t *testing.T) {
	c := newClock()
	p := newTenants(t, tenantA, tenantB)
	m := newTestIssuers(t, p, c, IssuersOptions{})

	t.Run("each tenant with its own keys", func(t *testing.T) {
		for _, tn := range []string{tenantA, tenantB} {
			got, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), p.token(t, tn, p.issuer(tn), c.Now()), m, c.verifyOptions())
			require.NoError(t, err)
			assert.Equal(t, p.issuer(tn), got.Claims.Issuer)
			tenant, ok := m.Tenant(got.Claims.Issuer)
			assert.True(t, ok)
			assert.Equal(t, tn, tenant)
		}
		assert.Equal(t, 2, m.Len())
	})
	t.Run("issuer confusion across tenants", func(t *testing.T) {
		// Signed by tenant A, claiming tenant B: B's keys are asked, and
		// A's kid is not among them.
		err := verify(m, c, p.token(t, tenantA, p.issuer(tenantB), c.Now()))
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
		// Same without a kid to tell them apart: B's keys do not verify it.
		tok, err := jwt.Sign(context.Background(), jwt.SignerWithKeyID(p.keys[tenantA].signer, "k-"+tenantB[:8]), jwt.RegisteredClaims{
			Issuer: p.issuer(tenantB), ExpiresAt: jwt.NewNumericDate(c.Now().Add(time.Hour)),
		}, nil)
		require.NoError(t, err)
		assert.ErrorIs(t, verify(m, c, tok), jwt.ErrInvalidSignature)
	})
	t.Run("issuers not allowed cost no fetch", func(t *testing.T) {
		before := p.requests()
		for _, iss := range []string{
			p.issuer(tenantA) + "/",                          // suffix
			p.issuer(tenantA) + "x",                          // longer
			strings.ToUpper(p.issuer(tenantA)),               // case
			p.URL + "/" + strings.ToUpper(tenantB) + "/v2.0", // tenant's case
			p.URL + "/" + tenantA + "/x/v2.0",                // extra segment
			p.URL + "/" + tenantA + "%2F/v2.0",               // escaped slash
			p.URL + "/common/v2.0",                           // not a GUID
			p.URL + "//v2.0",                                 // empty tenant
			p.URL + "/" + tenantA + "/v2.0?x=1",              // query
			"https://evil.example/" + tenantA + "/v2.0",      // another host
			"",
		} {
			err := verify(m, c, p.token(t, tenantA, iss, c.Now()))
			assert.ErrorIs(t, err, jwt.ErrKeyNotFound, iss)
			assert.False(t, m.Allowed(iss), iss)
		}
		assert.Equal(t, before, p.requests(), "a disallowed issuer made a request")
	})
	t.Run("Lookup without an issuer", func(t *testing.T) {
		_, err := jwt.VerifyJWS(context.Background(), "e30.e30.AA", m, nil)
		assert.Error(t, err)
		_, err = m.Lookup(context.Background(), jwt.Header{Algorithm: "EdDSA"})
		assert.ErrorIs(t, err, jwt.ErrKeyNotFound)
	})
}

func TestIssuersExact(t *testing.T) {
	c := newClock()
	p := newTenants(t, tenantA, tenantB)
	m, err := NewIssuers(&IssuersOptions{Issuers: []string{p.issuer(tenantA)}, Remote: &Options{Now: c.Now}})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, verify(m, c, p.token(t, tenantA, p.issuer(tenantA), c.Now())))
	before := p.requests()
	assert.ErrorIs(t, verify(m, c, p.token(t, tenantB, p.issuer(tenantB), c.Now())), jwt.ErrKeyNotFound)
	assert.Equal(t, before, p.requests())
	_, ok := m.Tenant(p.issuer(tenantA))
	assert.False(t, ok, "an exact issuer has no tenant")
}

func TestIssuersBounded(t *testing.T) {
	c := newClock()
	p := newTenants(t, tenantA, tenantB, tenantC, tenantD)
	t.Run("least recently used evicted", func(t *testing.T) {
		m := newTestIssuers(t, p, c, IssuersOptions{MaxIssuers: 2})
		for _, tn := range []string{tenantA, tenantB, tenantA, tenantC} {
			require.NoError(t, verify(m, c, p.token(t, tn, p.issuer(tn), c.Now())))
		}
		assert.Equal(t, 2, m.Len())
		// B was least recently used: asking again costs two requests; A
		// is kept and costs none.
		before := p.requests()
		require.NoError(t, verify(m, c, p.token(t, tenantA, p.issuer(tenantA), c.Now())))
		assert.Equal(t, before, p.requests())
		require.NoError(t, verify(m, c, p.token(t, tenantB, p.issuer(tenantB), c.Now())))
		assert.Equal(t, before+2, p.requests())
		assert.Equal(t, 2, m.Len())
	})
	t.Run("global fetch budget", func(t *testing.T) {
		m := newTestIssuers(t, p, c, IssuersOptions{FetchBudget: 2, FetchInterval: time.Minute})
		require.NoError(t, verify(m, c, p.token(t, tenantA, p.issuer(tenantA), c.Now())))
		require.NoError(t, verify(m, c, p.token(t, tenantB, p.issuer(tenantB), c.Now())))
		before := p.requests()
		err := verify(m, c, p.token(t, tenantC, p.issuer(tenantC), c.Now()))
		assert.ErrorIs(t, err, jwt.ErrUnavailable)
		assert.ErrorIs(t, err, ErrFetchBudget)
		assert.Equal(t, before, p.requests(), "past the budget, a new issuer made a request")
		// Issuers kept are not affected.
		require.NoError(t, verify(m, c, p.token(t, tenantA, p.issuer(tenantA), c.Now())))
		c.Add(time.Minute)
		require.NoError(t, verify(m, c, p.token(t, tenantC, p.issuer(tenantC), c.Now())))
	})
	t.Run("negative cache of unknown tenants", func(t *testing.T) {
		m := newTestIssuers(t, p, c, IssuersOptions{NegativeTTL: time.Minute})
		const unknown = "99999999-9999-9999-9999-999999999999"
		iss := p.URL + "/" + unknown + "/v2.0"
		tok := p.token(t, tenantA, iss, c.Now())
		before := p.requests()
		assert.ErrorIs(t, verify(m, c, tok), jwt.ErrUnavailable)
		assert.Equal(t, before+1, p.requests(), "one discovery request")
		assert.Equal(t, 0, m.Len(), "a tenant whose first fetch failed is not kept")
		for range 10 {
			assert.ErrorIs(t, verify(m, c, tok), jwt.ErrUnavailable)
		}
		assert.Equal(t, before+1, p.requests(), "the negative cache let a request through")
		c.Add(time.Minute)
		assert.ErrorIs(t, verify(m, c, tok), jwt.ErrUnavailable)
		assert.Equal(t, before+2, p.requests(), "tried again after NegativeTTL")
	})
}

func TestIssuersOptions(t *testing.T) {
	for name, o := range map[string]IssuersOptions{
		"nothing":              {},
		"no pattern":           {Template: "https://idp.example/{tenant}/v2.0"},
		"two placeholders":     {Template: "https://idp.example/{a}/{b}", TenantPattern: "x"},
		"no placeholder":       {Template: "https://idp.example/v2.0", TenantPattern: "x"},
		"empty placeholder":    {Template: "https://idp.example/{}/v2.0", TenantPattern: "x"},
		"placeholder in host":  {Template: "{tenant}", TenantPattern: "x"},
		"plain http":           {Template: "http://idp.example/{tenant}", TenantPattern: "x"},
		"bad pattern":          {Template: "https://idp.example/{tenant}", TenantPattern: "("},
		"the whole host":       {Template: "https://{tenant}/v2.0", TenantPattern: "x"},
		"host and a TLD":       {Template: "https://{tenant}.com/", TenantPattern: "x"},
		"host before a port":   {Template: "https://{tenant}:8443/", TenantPattern: "x"},
		"pattern only":         {Issuers: []string{"https://idp.example"}, TenantPattern: "x"},
		"duplicate issuer":     {Issuers: []string{"https://idp.example", "https://idp.example"}},
		"negative size":        {Issuers: []string{"https://idp.example"}, MaxIssuers: -1},
		"remote bound":         {Issuers: []string{"https://idp.example"}, Remote: &Options{Issuer: "https://idp.example"}},
		"remote option broken": {Issuers: []string{"https://idp.example"}, Remote: &Options{Timeout: -1}},
	} {
		_, err := NewIssuers(&o)
		assert.ErrorIs(t, err, jwt.ErrInvalidOption, name)
	}
	requireNoGoroutines(t)
}

func TestIssuersTemplateInHost(t *testing.T) {
	m, err := NewIssuers(&IssuersOptions{Template: "https://{org}.okta.example/oauth2/default", TenantPattern: `[a-z0-9-]+`})
	require.NoError(t, err)
	defer m.Close()
	tenant, ok := m.Tenant("https://acme.okta.example/oauth2/default")
	assert.True(t, ok)
	assert.Equal(t, "acme", tenant)
	for _, iss := range []string{
		"https://evil.example/x.okta.example/oauth2/default",
		"https://acme.evil.example#.okta.example/oauth2/default",
		"https://a@b.okta.example/oauth2/default",
	} {
		assert.False(t, m.Allowed(iss), iss)
	}
}

func TestIssuersClose(t *testing.T) {
	c := newClock()
	p := newTenants(t, tenantA, tenantB)
	m := newTestIssuers(t, p, c, IssuersOptions{MaxIssuers: 1})
	require.NoError(t, verify(m, c, p.token(t, tenantA, p.issuer(tenantA), c.Now())))
	require.NoError(t, verify(m, c, p.token(t, tenantB, p.issuer(tenantB), c.Now())))
	m.Close()
	err := verify(m, c, p.token(t, tenantA, p.URL+"/"+tenantC+"/v2.0", c.Now()))
	assert.ErrorIs(t, err, ErrClosed)
	requireNoGoroutines(t)
}
