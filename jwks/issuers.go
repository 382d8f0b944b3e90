package jwks

import (
	"container/list"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtkit/jwt"
)

// Defaults of [IssuersOptions].
const (
	DefaultMaxIssuers         = 100
	DefaultFetchBudget        = 10
	DefaultFetchInterval      = time.Minute
	DefaultIssuerNegativeTTL  = 5 * time.Minute
	DefaultIssuerNegativeSize = 1024
)

// IssuersOptions configure [Issuers]. At least one of Issuers and Template
// must be set; an invalid field is an error wrapping jwt.ErrInvalidOption.
type IssuersOptions struct {
	// Issuers are issuers allowed exactly, such as the custom domains of one
	// service: each is an OpenID Connect issuer URL, as for NewOIDC. Their
	// Remotes are made by NewIssuers (without I/O), never evicted, and
	// not charged to FetchBudget.
	Issuers []string
	// Template is an issuer URL with one placeholder, a name in braces,
	// for the tenants of a multi-tenant provider, such as Microsoft Entra
	// ID's "https://login.microsoftonline.com/{tenantid}/v2.0". A token's
	// "iss" matches it if it is the template with the placeholder replaced
	// by a tenant that TenantPattern matches whole and that holds only
	// letters, digits, '-', '.', '_' and '~' (no '/', '%', '?', '#' or
	// '@', whatever the pattern says). Matching is byte for byte: no
	// prefix match, no case folding, no unescaping. A placeholder in the
	// host needs a fixed parent domain after it, as in Okta's
	// "https://{org}.okta.com/oauth2/default".
	Template string
	// TenantPattern is the regular expression (RE2 syntax) that a tenant
	// must match whole; required with Template. For Entra ID's tenant
	// GUIDs: `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`.
	TenantPattern string
	// MaxIssuers is how many issuers of Template are kept, each with its
	// own Remote (discovery, cache, cooldown), the least recently used
	// evicted first; zero means DefaultMaxIssuers (100).
	MaxIssuers int
	// FetchBudget is how many issuers of Template not kept may be admitted
	// (each costs the provider a discovery and a JWK Set request) per
	// FetchInterval, across all tenants; zero means DefaultFetchBudget
	// (10). Past it, tokens of issuers not kept fail with
	// jwt.ErrUnavailable wrapping ErrFetchBudget until the interval ends;
	// tokens of issuers kept are not affected.
	FetchBudget int
	// FetchInterval is the interval of FetchBudget; zero means
	// DefaultFetchInterval (1 minute).
	FetchInterval time.Duration
	// NegativeTTL is how long an issuer of Template whose first fetch failed
	// (a tenant the provider does not know, say) is refused without any
	// fetch; zero means DefaultIssuerNegativeTTL (5 minutes).
	NegativeTTL time.Duration
	// NegativeCacheSize is how many such issuers are remembered; zero
	// means DefaultIssuerNegativeSize (1024).
	NegativeCacheSize int
	// Remote are the options of each issuer's Remote, made by NewOIDC;
	// nil means the defaults. Remote.Issuer must be empty. Remote.Now is
	// also the clock of FetchInterval and NegativeTTL.
	Remote *Options
}

// Issuers is a [jwt.IssuerResolver]: a key source for the tokens of
// several OpenID Connect issuers, exact ones and the tenants of one
// template. Pass it to jwt.Verify (or jwthttp.New): Verify reads the
// token's "iss", asks Issuers for that issuer's Remote, and accepts the
// token only if its signature is good under that issuer's keys; the "iss"
// of an accepted token is therefore the issuer whose keys verified it.
//
// An issuer neither listed nor matching the template fails with
// jwt.ErrKeyNotFound and costs no fetch. Issuers of the template are kept
// in a bounded cache, least recently used first out; one not kept is
// admitted only within a global budget per interval, and one whose first
// fetch fails is refused, without fetching, for a while (jwt.ErrUnavailable:
// the keys could not be had, which is not the token's fault). So tokens naming
// made-up tenants cannot make the service fetch without bound.
//
// It is safe for concurrent use. Call Close when done with it.
type Issuers struct {
	exact    map[string]*Remote
	prefix   string
	suffix   string
	pattern  *regexp.Regexp // nil without a template
	max      int
	budget   int
	interval time.Duration
	negTTL   time.Duration
	negSize  int
	remote   Options
	now      func() time.Time
	wg       sync.WaitGroup // Remotes being closed after eviction

	mu          sync.Mutex
	lru         *list.List               // of *tenantEntry, most recent first
	kept        map[string]*list.Element // by issuer
	neg         map[string]time.Time     // issuer -> when it may be tried again
	windowStart time.Time
	admitted    int
	closed      bool
}

// tenantEntry is an issuer of the template that Issuers keeps.
type tenantEntry struct {
	issuer  string
	remote  *Remote
	evicted atomic.Bool
}

var (
	_ jwt.IssuerResolver  = (*Issuers)(nil)
	_ jwt.IssuerKeySource = (*tenantSource)(nil)
)

// NewIssuers returns Issuers for opts. Like NewOIDC, it does no I/O.
func NewIssuers(opts *IssuersOptions) (*Issuers, error) {
	if opts == nil {
		opts = &IssuersOptions{}
	}
	o := *opts
	if len(o.Issuers) == 0 && o.Template == "" {
		return nil, wrap(jwt.ErrInvalidOption, nil, "Issuers needs Issuers or Template")
	}
	for name, v := range map[string]int64{
		"MaxIssuers": int64(o.MaxIssuers), "FetchBudget": int64(o.FetchBudget), "FetchInterval": int64(o.FetchInterval),
		"NegativeTTL": int64(o.NegativeTTL), "NegativeCacheSize": int64(o.NegativeCacheSize),
	} {
		if v < 0 {
			return nil, wrap(jwt.ErrInvalidOption, nil, "negative %s", name)
		}
	}
	m := &Issuers{
		exact:    make(map[string]*Remote, len(o.Issuers)),
		max:      orDefault(o.MaxIssuers, DefaultMaxIssuers),
		budget:   orDefault(o.FetchBudget, DefaultFetchBudget),
		interval: orDefault(o.FetchInterval, DefaultFetchInterval),
		negTTL:   orDefault(o.NegativeTTL, DefaultIssuerNegativeTTL),
		negSize:  orDefault(o.NegativeCacheSize, DefaultIssuerNegativeSize),
		lru:      list.New(),
		kept:     make(map[string]*list.Element),
		neg:      make(map[string]time.Time),
	}
	if o.Remote != nil {
		m.remote = *o.Remote
	}
	if m.remote.Issuer != "" {
		return nil, wrap(jwt.ErrInvalidOption, nil, "IssuersOptions.Remote.Issuer must be empty: each Remote is bound to its own issuer")
	}
	if _, err := newConfig(&m.remote); err != nil {
		return nil, err
	}
	m.now = m.remote.Now
	if m.now == nil {
		m.now = time.Now
	}
	if o.Template != "" {
		if err := m.setTemplate(o.Template, o.TenantPattern); err != nil {
			return nil, err
		}
	} else if o.TenantPattern != "" {
		return nil, wrap(jwt.ErrInvalidOption, nil, "TenantPattern without Template")
	}
	for _, iss := range o.Issuers {
		if _, dup := m.exact[iss]; dup {
			m.Close()
			return nil, wrap(jwt.ErrInvalidOption, nil, "issuer %s listed twice", quote(iss))
		}
		r, err := NewOIDC(iss, &m.remote)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.exact[iss] = r
	}
	return m, nil
}

// setTemplate reads the template and the tenant pattern.
func (m *Issuers) setTemplate(template, pattern string) error {
	open := strings.IndexByte(template, '{')
	end := strings.IndexByte(template, '}')
	if open < 0 || end < open || strings.IndexByte(template[end+1:], '{') >= 0 || strings.IndexByte(template[end+1:], '}') >= 0 ||
		strings.IndexByte(template[:open], '}') >= 0 || !isPlaceholderName(template[open+1:end]) {
		return wrap(jwt.ErrInvalidOption, nil, "Template %s does not have exactly one placeholder such as {tenantid}", quote(template))
	}
	m.prefix, m.suffix = template[:open], template[end+1:]
	// A placeholder in the host must leave a fixed parent domain after it
	// ("https://{tenant}.okta.com"), so that no tenant names a host of
	// its own choosing.
	if i := strings.Index(m.prefix, "://"); i >= 0 && !strings.Contains(m.prefix[i+3:], "/") {
		host, _, _ := strings.Cut(m.suffix, "/")
		host, _, _ = strings.Cut(host, ":")
		if !strings.HasPrefix(host, ".") || !strings.Contains(host[1:], ".") || strings.Contains(m.prefix[i+3:], "@") {
			return wrap(jwt.ErrInvalidOption, nil, "Template %s: a placeholder in the host needs a fixed parent domain after it", quote(template))
		}
	}
	// The template with a tenant in place must be an issuer NewOIDC takes.
	if _, err := checkURL(m.prefix + "tenant" + m.suffix); err != nil || !strings.Contains(m.prefix, "://") {
		return wrap(jwt.ErrInvalidOption, err, "Template %s", quote(template))
	}
	if pattern == "" {
		return wrap(jwt.ErrInvalidOption, nil, "Template without TenantPattern")
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return wrap(jwt.ErrInvalidOption, err, "TenantPattern")
	}
	m.pattern = re
	return nil
}

// isPlaceholderName reports whether s is a non-empty run of ASCII letters,
// digits and '_'.
func isPlaceholderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

// isTenant reports whether s is a non-empty run of the unreserved
// characters of RFC 3986 §2.3.
func isTenant(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return s != "" && s != "." && s != ".."
}

// Tenant returns the tenant of issuer, the value of the template's
// placeholder in it, and reports whether issuer matches the template.
// It reports false for the exact issuers, which have no tenant.
func (m *Issuers) Tenant(issuer string) (string, bool) {
	if m.pattern == nil || len(issuer) < len(m.prefix)+len(m.suffix) ||
		!strings.HasPrefix(issuer, m.prefix) || !strings.HasSuffix(issuer, m.suffix) {
		return "", false
	}
	t := issuer[len(m.prefix) : len(issuer)-len(m.suffix)]
	if !isTenant(t) || !m.pattern.MatchString(t) {
		return "", false
	}
	return t, true
}

// Allowed reports whether Issuers serves issuer: one of the exact issuers,
// or the template with a tenant that the pattern matches.
func (m *Issuers) Allowed(issuer string) bool {
	if _, ok := m.exact[issuer]; ok {
		return true
	}
	_, ok := m.Tenant(issuer)
	return ok
}

// Lookup implements [jwt.KeySource]: it fails with an error wrapping
// jwt.ErrKeyNotFound, because Issuers chooses keys by issuer, which a
// header does not name. jwt.Verify asks KeySourceFor instead.
func (m *Issuers) Lookup(context.Context, jwt.Header) ([]jwt.Verifier, error) {
	return nil, wrap(jwt.ErrKeyNotFound, nil, "Issuers chooses keys by the token's issuer: verify with jwt.Verify")
}

// KeySourceFor implements [jwt.IssuerResolver]: it returns the key source of
// issuer, bound to it, or an error wrapping jwt.ErrKeyNotFound for an issuer
// not allowed, or jwt.ErrUnavailable when it cannot serve an allowed issuer
// now: refused for NegativeTTL after its first fetch failed, or not admitted
// (wrapping ErrFetchBudget or ErrClosed). It does no I/O; the source returned fetches
// on its first Lookup.
func (m *Issuers) KeySourceFor(_ context.Context, issuer string) (jwt.IssuerKeySource, error) {
	if r, ok := m.exact[issuer]; ok {
		return r, nil
	}
	if _, ok := m.Tenant(issuer); !ok {
		return nil, wrap(jwt.ErrKeyNotFound, nil, "issuer %s is not allowed", quote(issuer))
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, wrap(jwt.ErrUnavailable, ErrClosed, "")
	}
	if el, ok := m.kept[issuer]; ok {
		m.lru.MoveToFront(el)
		return &tenantSource{m: m, e: el.Value.(*tenantEntry)}, nil
	}
	if until, ok := m.neg[issuer]; ok {
		if now.Before(until) {
			return nil, wrap(jwt.ErrUnavailable, nil, "issuer %s: its keys could not be fetched %v ago; not tried again for %v",
				quote(issuer), m.negTTL-until.Sub(now), until.Sub(now))
		}
		delete(m.neg, issuer)
	}
	if !now.Before(m.windowStart.Add(m.interval)) {
		m.windowStart, m.admitted = now, 0
	}
	if m.admitted >= m.budget {
		return nil, wrap(jwt.ErrUnavailable, ErrFetchBudget, "issuer %s: %d new issuers admitted since %s",
			quote(issuer), m.admitted, m.windowStart.UTC().Format(time.RFC3339))
	}
	r, err := NewOIDC(issuer, &m.remote)
	if err != nil {
		// The template was checked; a tenant of unreserved characters
		// cannot make it invalid.
		return nil, wrap(jwt.ErrKeyNotFound, err, "issuer %s", quote(issuer))
	}
	m.admitted++
	e := &tenantEntry{issuer: issuer, remote: r}
	m.kept[issuer] = m.lru.PushFront(e)
	for m.lru.Len() > m.max {
		m.evictLocked(m.lru.Back())
	}
	return &tenantSource{m: m, e: e}, nil
}

// evictLocked removes el from the cache and closes its Remote in the
// background; m.mu is held.
func (m *Issuers) evictLocked(el *list.Element) {
	e := el.Value.(*tenantEntry)
	m.lru.Remove(el)
	delete(m.kept, e.issuer)
	e.evicted.Store(true)
	// Close waits for the Remote's fetch to end, which must not happen
	// under m.mu; the Remote cancels the fetch at once.
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		e.remote.Close()
	}()
}

// failed records that the first fetch of e's issuer failed: it is evicted
// and refused for NegativeTTL.
func (m *Issuers) failed(e *tenantEntry) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.kept[e.issuer]; ok && el.Value == e {
		m.evictLocked(el)
	}
	if len(m.neg) >= m.negSize {
		for iss, until := range m.neg {
			if !now.Before(until) {
				delete(m.neg, iss)
			}
		}
	}
	if len(m.neg) >= m.negSize {
		for iss := range m.neg { // any one: the cache is full of recent failures
			delete(m.neg, iss)
			break
		}
	}
	m.neg[e.issuer] = now.Add(m.negTTL)
}

// Close closes the Remotes of every issuer. Tokens of issuers not kept
// then fail with jwt.ErrUnavailable; Close may be called more than once.
func (m *Issuers) Close() {
	m.mu.Lock()
	m.closed = true
	var rs []*Remote
	for el := m.lru.Front(); el != nil; el = el.Next() {
		rs = append(rs, el.Value.(*tenantEntry).remote)
	}
	m.mu.Unlock()
	for _, r := range m.exact {
		r.Close()
	}
	for _, r := range rs {
		r.Close()
	}
	m.wg.Wait()
}

// Len returns how many issuers of the template Issuers keeps now.
func (m *Issuers) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// tenantSource is the key source of one issuer of the template.
type tenantSource struct {
	m *Issuers
	e *tenantEntry
}

// Issuer implements jwt.IssuerKeySource.
func (s *tenantSource) Issuer() string { return s.e.issuer }

// Lookup implements jwt.KeySource with the issuer's Remote; a first fetch
// that fails, while the caller still waits, puts the issuer in the
// negative cache.
func (s *tenantSource) Lookup(ctx context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	vs, err := s.e.remote.Lookup(ctx, h)
	if err != nil && errors.Is(err, jwt.ErrUnavailable) && (ctx == nil || ctx.Err() == nil) &&
		!s.e.evicted.Load() && !s.e.remote.Status().Serving {
		s.m.failed(s.e)
	}
	return vs, err
}
