package jwthttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/internal/oauth"
)

// DefaultMaxFormBytes is the largest form body searched for a token when
// [Options.FormBody] is set and [Options.MaxFormBytes] is zero.
const DefaultMaxFormBytes = 64 << 10

// Options configures the middleware returned by [New]. The zero value reads
// tokens from the Authorization header only, verifies them with the secure
// defaults of [jwt.VerifyOptions], and answers without a realm.
type Options struct {
	// Verify says what a token must satisfy beyond a valid signature. It is
	// passed to jwt.Verify for every request; New copies it. Use
	// [AccessTokenOptions] for JWT access tokens (RFC 9068), or
	// [ProviderOptions] for the default access tokens of identity
	// providers. A refusal for a missing claim or another "typ" says so
	// in its cause (Error.Err, and the OnResult hook).
	Verify jwt.VerifyOptions

	// Realm is the "realm" of every challenge; "" leaves it out. It must
	// be printable ASCII without '"' or '\'.
	Realm string
	// Scope is the "scope" of 401 challenges: the scopes, separated by
	// single spaces, a client should ask for to use the API; "" leaves it
	// out. A 403 challenge names the scopes the handler requires instead.
	Scope string
	// ResourceMetadata is the absolute http or https URL of the protected
	// resource metadata (RFC 9728), sent as "resource_metadata" in every
	// challenge; "" leaves it out.
	ResourceMetadata string

	// FormBody accepts the token as the "access_token" member of a form
	// body (RFC 6750 §2.2): only for requests of a method whose body has a
	// meaning (not GET, HEAD, DELETE, CONNECT or TRACE) and whose
	// Content-Type is application/x-www-form-urlencoded. The body is read,
	// up to MaxFormBytes, and put back, so the next handler reads it
	// unchanged. A larger form body is refused with invalid_request.
	FormBody bool
	// MaxFormBytes bounds the form body read when FormBody is set; 0 means
	// DefaultMaxFormBytes.
	MaxFormBytes int64
	// QueryParameter names the URI query parameter that may carry the token
	// (RFC 6750 §2.3 names it "access_token"); "" never reads the query.
	// Tokens in URIs end up in logs and Referer headers: use it only for
	// clients that can do nothing else.
	QueryParameter string
	// Cookie names a cookie that may carry the token, for browser
	// applications; "" never reads cookies. A cookie with an empty value
	// counts as absent.
	Cookie string

	// Optional lets a request without any token through to the next
	// handler, with no token in its context; Claims then reports false. A
	// request with a token that fails is still refused.
	Optional bool
	// SkipPaths lists paths that are served without any token, as
	// http.ServeMux matches paths: "/healthz" only that path, "/public/"
	// the whole subtree. A request is skipped only if both its decoded
	// path and its escaped path, read segment by segment as ServeMux reads
	// it, name the entry: "/public%2Fsecret", which ServeMux routes as the
	// single segment "public/secret", is not under "/public/". A request
	// whose path is not clean (".." or "//" or a trailing "/." segment, a
	// backslash, or a dot segment before ";") is never skipped. Each entry
	// must start with "/" and be clean.
	SkipPaths []string

	// Check, if set, is called for every token that passed jwt.Verify,
	// before the next handler, with the request, the token's header and
	// its registered claims (a copy). It is the place for revocation and
	// other checks of the caller's own, such as a session store lookup.
	//
	// An error makes the answer 401 invalid_token, except an error that
	// wraps jwt.ErrUnavailable (or context.Canceled or context.DeadlineExceeded),
	// which means the check could not be made: the answer is then 503, and
	// the token is not accepted. An error wrapping jwt.ErrInvalidOption is
	// a configuration error: 500. The error is never sent to the client;
	// Options.ErrorBody receives it in Error.Err.
	Check func(r *http.Request, h jwt.Header, rc *jwt.RegisteredClaims) error

	// Confirmation, if set, checks the confirmation methods of the "cnf"
	// claim (RFC 7800) other than "jkt", which DPoP checks: such as
	// "x5t#S256", the thumbprint of the client certificate of RFC 8705
	// (mutual TLS), or "jwk". It is called, after jwt.Verify and before the
	// DPoP proof and Check, for every token whose "cnf" has a member other
	// than "jkt", with the request and every member of "cnf", undecoded;
	// it returns nil only if the request proves possession of the key
	// they name. Errors are answered as Check's are.
	//
	// Without Confirmation, such a token is refused (401 invalid_token,
	// with a cause wrapping ErrUnsupportedConfirmation): it is bound to a
	// key the middleware cannot check, and is never taken for a bearer
	// token.
	Confirmation func(r *http.Request, cnf map[string]json.RawMessage) error

	// DPoP, if set, accepts access tokens bound to a client's key (RFC
	// 9449): "Authorization: DPoP <token>" with a proof in the DPoP header,
	// which DPoP verifies (VerifyRequest) for the request, the token, and
	// the token's "cnf"."jkt" after the token itself has passed. Bearer
	// tokens are then refused, unless AllowBearer is set.
	//
	// For services behind a proxy, set the verifier's ExternalURL; for
	// several instances, give them one shared ReplayCache (such as the
	// session store), so that a proof used on one is refused on all.
	DPoP *dpop.Verifier
	// AllowBearer, with DPoP set, accepts bearer tokens as well as DPoP
	// ones: each refusal then carries both challenges. A token bound to a
	// key ("cnf" with "jkt") is still refused as a bearer token; one bound
	// otherwise is accepted only as Confirmation says. Without
	// DPoP, AllowBearer is an error: bearer tokens are the only kind.
	AllowBearer bool

	// ErrorBody, if set, makes the body of every refusal in place of the
	// default JSON one: it returns the body and its Content-Type ("" means
	// text/plain; charset=utf-8). It may log e. It cannot change the status
	// code or the WWW-Authenticate header, which the middleware writes.
	ErrorBody func(r *http.Request, e *Error) (contentType string, body []byte)

	// OnResult, if set, is called once for every request the middleware
	// judges (all but those of SkipPaths), for logs and metrics: with the
	// status and error code of the refusal, and its cause (Error.Err, or
	// nil), after the answer is written; or, for a request let through,
	// with status 0, code "" and a nil error, after the next handler
	// returns. A refusal by RequireScopes or RequireAnyScope is reported
	// in place of the request let through. The cause may quote claims of
	// the token, escaped, but never the token, a proof or a key. OnResult
	// must not write to the response.
	OnResult func(r *http.Request, status int, code string, err error)
}

// New returns a middleware that admits a request to next only with a token
// that keys and opts.Verify accept, and puts the verified token in the
// request's context for [Claims], [Token] and [Scopes]. T is the claims type,
// as for [jwt.Verify]: [jwt.RegisteredClaims], a struct that embeds it, or
// map[string]any. A nil opts means the zero Options.
//
// Every request's context is passed to keys, so a key source that fetches
// (a remote JWK Set) does so within the request's deadline, and stops when
// the client goes away.
//
// New checks the options once: a nil key source, options jwt.Verify would
// refuse, a realm, scope or URL that cannot be sent, or a "typ" of "at+jwt"
// without the issuer and audience RFC 9068 §4 requires are errors wrapping
// [jwt.ErrInvalidOption].
func New[T any](keys jwt.KeySource, opts *Options) (func(http.Handler) http.Handler, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if keys == nil {
		return nil, invalidOption("nil KeySource")
	}
	if err := checkOptions(&o, keys); err != nil {
		return nil, err
	}
	v := o.Verify
	v.Audience = slices.Clone(v.Audience)
	v.Required = slices.Clone(v.Required)
	v.Critical = slices.Clone(v.Critical)
	if err := probe(&v); err != nil {
		return nil, err
	}
	m := &middleware[T]{
		dpop:     o.DPoP,
		keys:     keys,
		verify:   v,
		form:     o.FormBody,
		maxForm:  o.MaxFormBytes,
		query:    o.QueryParameter,
		cookie:   o.Cookie,
		optional: o.Optional,
		skip:     slices.Clone(o.SkipPaths),
		check:    o.Check,
		confirm:  o.Confirmation,
		cfg: &config{
			res: oauth.Resource{
				Realm:            o.Realm,
				Scope:            o.Scope,
				ResourceMetadata: o.ResourceMetadata,
				Bearer:           o.DPoP == nil || o.AllowBearer,
			},
			body:     o.ErrorBody,
			onResult: o.OnResult,
			bound:    issuerBound(keys),
		},
	}
	if o.DPoP != nil {
		m.cfg.res.Algorithms = o.DPoP.Algorithms()
	}
	if m.maxForm == 0 {
		m.maxForm = DefaultMaxFormBytes
	}
	m.anonymous = &credential{cfg: m.cfg}
	m.cfg.precompute()
	m.deferSyntax = !m.form && m.query == "" && m.cookie == ""
	return m.wrap, nil
}

// probe asks jwt.Verify whether it accepts v, so that options it would
// refuse on every request are refused once, here. The empty token fails
// after the options are checked and before the key source is asked.
func probe(v *jwt.VerifyOptions) error {
	_, err := jwt.Verify[jwt.RegisteredClaims](context.Background(), "", noKeys{}, v)
	if errors.Is(err, jwt.ErrInvalidOption) {
		return fmt.Errorf("jwthttp: Options.Verify: %w", err)
	}
	return nil
}

// noKeys is the key source of probe; it is never asked.
type noKeys struct{}

var _ jwt.KeySource = noKeys{}

func (noKeys) Lookup(context.Context, jwt.Header) ([]jwt.Verifier, error) {
	return nil, jwt.ErrKeyNotFound
}

// issuerBound reports whether keys binds the issuer of the tokens it
// verifies (see jwt.IssuerKeySource and jwt.IssuerResolver).
func issuerBound(keys jwt.KeySource) bool {
	if _, ok := keys.(jwt.IssuerResolver); ok {
		return true
	}
	ik, ok := keys.(jwt.IssuerKeySource)
	return ok && ik.Issuer() != ""
}

// checkOptions reports options that cannot be honoured.
func checkOptions(o *Options, keys jwt.KeySource) error {
	bad := func(format string, args ...any) error {
		return invalidOption(fmt.Sprintf(format, args...))
	}
	if !oauth.IsQuotable(o.Realm) {
		return bad("Realm holds a character that cannot be sent in a challenge")
	}
	if o.Scope != "" && !oauth.IsScopeList(o.Scope) {
		return bad("Scope is not a list of scopes separated by single spaces")
	}
	if o.ResourceMetadata != "" {
		u, err := url.Parse(o.ResourceMetadata)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" || !oauth.IsQuotable(o.ResourceMetadata) {
			return bad("ResourceMetadata is not an absolute http or https URL without a fragment")
		}
	}
	if o.MaxFormBytes < 0 {
		return bad("negative MaxFormBytes")
	}
	if o.Cookie != "" && !oauth.IsToken(o.Cookie) {
		return bad("Cookie is not a valid cookie name")
	}
	for _, p := range o.SkipPaths {
		if !strings.HasPrefix(p, "/") || !isCleanPath(p) {
			return bad("SkipPaths entry %q is not a clean absolute path", p)
		}
	}
	if isAccessTokenType(o.Verify.Type) && (o.Verify.Issuer == "" && !issuerBound(keys) || len(o.Verify.Audience) == 0) {
		return bad("an RFC 9068 access token (typ at+jwt) needs Verify.Audience, and Verify.Issuer or a key source bound to an issuer")
	}
	if ik, ok := keys.(jwt.IssuerKeySource); ok && ik.Issuer() != "" && o.Verify.Issuer != "" && o.Verify.Issuer != ik.Issuer() {
		return bad("Verify.Issuer is not the issuer the key source is bound to")
	}
	if _, ok := keys.(jwt.IssuerResolver); ok && o.Verify.Issuer != "" {
		return bad("Verify.Issuer is set, but the key source chooses the issuer")
	}
	if o.AllowBearer && o.DPoP == nil {
		return bad("AllowBearer without DPoP")
	}
	if o.DPoP != nil && !o.AllowBearer && (o.FormBody || o.QueryParameter != "" || o.Cookie != "") {
		return bad("FormBody, QueryParameter and Cookie carry bearer tokens, which DPoP without AllowBearer refuses")
	}
	return nil
}

// middleware is what New builds; wrap is the func(http.Handler) http.Handler.
type middleware[T any] struct {
	dpop      *dpop.Verifier
	keys      jwt.KeySource
	verify    jwt.VerifyOptions
	cfg       *config
	form      bool
	maxForm   int64
	query     string
	cookie    string
	optional  bool
	skip      []string
	check     func(*http.Request, jwt.Header, *jwt.RegisteredClaims) error
	confirm   func(*http.Request, map[string]json.RawMessage) error
	anonymous *credential // the context value of a request without a token
	// deferSyntax: the token can only come from the Authorization header,
	// and its syntax is checked only when it is refused (see badSyntax).
	deferSyntax bool
}

func (m *middleware[T]) wrap(next http.Handler) http.Handler {
	if next == nil {
		panic("jwthttp: nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(next, w, r)
	})
}

func (m *middleware[T]) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	if len(m.skip) > 0 && m.skipped(r.URL) {
		next.ServeHTTP(w, r)
		return
	}
	token, src, r, e := m.extract(r)
	if e != nil {
		m.cfg.refuse(w, r, e)
		return
	}
	ctx := r.Context()
	if token == "" {
		if m.optional {
			if m.cfg.onResult == nil {
				next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, m.anonymous)))
				return
			}
			// A credential of this request alone, so that RequireScopes
			// can say it reported a refusal.
			c := &credential{Context: ctx, cfg: m.cfg}
			m.admit(next, w, r.WithContext(c), c)
			return
		}
		m.cfg.refuse(w, r, m.cfg.noToken())
		return
	}
	sch := oauth.Bearer
	if src == fromDPoP {
		sch = oauth.DPoP
	}
	refuse := func(e *Error) {
		if bad := m.badSyntax(token, src); bad != nil {
			e = bad // as extract would have refused it
		} else {
			e.scheme = sch
		}
		m.cfg.refuse(w, r, e)
	}
	if src != fromDPoP && !m.cfg.res.Bearer {
		refuse(m.cfg.invalidToken(descDPoPOnly, nil))
		return
	}
	t, err := jwt.Verify[T](ctx, token, m.keys, &m.verify)
	if err == nil && notAccessToken(t.Header.Type) {
		err = errNotAccessToken
	}
	if err == nil && isIDToken(t) {
		err = errIDToken
	}
	if err != nil {
		refuse(m.cfg.verdict(ctx, err, false))
		return
	}
	a := &admission{cred: credential{Context: ctx, token: t, scheme: sch, cfg: m.cfg}}
	c := &a.cred
	// The binding is read from the verified claims set whatever T is: a
	// token bound to a key must come with a proof by that key (RFC 9449
	// §7.2), never as a bearer token.
	jkt, others, err := confirmationOf(t)
	if err != nil {
		refuse(m.cfg.invalidToken(descConfirmation, err))
		return
	}
	if others != nil {
		if e := m.confirmed(r, t, others); e != nil {
			refuse(e)
			return
		}
	}
	if sch == oauth.DPoP {
		if c.proof, err = m.dpop.VerifyRequest(ctx, r, token, jkt); err != nil {
			refuse(m.cfg.proofVerdict(ctx, err, m.dpop.Nonces()))
			return
		}
	} else if jkt != "" {
		refuse(m.cfg.invalidToken(descBoundAsBearer, dpop.ErrTokenBinding))
		return
	}
	if m.check != nil {
		// rc is a copy: the hook cannot change what handlers see.
		rc := t.Registered()
		if err := m.check(r, t.Header, &rc); err != nil {
			refuse(m.cfg.verdict(ctx, err, true))
			return
		}
	}
	if src == fromQuery {
		// RFC 6750 §2.3: successful answers to a request with the token
		// in its URI should be private.
		w.Header().Set("Cache-Control", "private")
	}
	m.admit(next, w, a.request(r), c)
}

// confirmed checks, with the Confirmation hook, the confirmation methods
// others of the "cnf" claim of t, which the middleware cannot check
// itself; without the hook, they are a refusal.
func (m *middleware[T]) confirmed(r *http.Request, t *jwt.Token[T], others []string) *Error {
	if m.confirm == nil {
		return m.cfg.invalidToken(descUnsupportedConfirmation,
			fmt.Errorf("%w: cnf has %s", ErrUnsupportedConfirmation, quoteNames(others)))
	}
	var cnf map[string]json.RawMessage
	if _, err := t.Claim("cnf", &cnf); err != nil {
		return m.cfg.invalidToken(descConfirmation, fmt.Errorf("%w: %w", errConfirmation, err))
	}
	if err := m.confirm(r, cnf); err != nil {
		e := m.cfg.verdict(r.Context(), err, true)
		if e.Status == http.StatusUnauthorized {
			e.Description = descNotConfirmed
		}
		return e
	}
	return nil
}

// quoteNames returns names quoted and escaped, separated by commas.
func quoteNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}

// admit serves r, whose context is c, with next, and reports the request
// let through, unless RequireScopes reported a refusal.
func (m *middleware[T]) admit(next http.Handler, w http.ResponseWriter, r *http.Request, c *credential) {
	next.ServeHTTP(w, r)
	if !c.reported {
		m.cfg.report(r, 0, "", nil)
	}
}

// proofVerdict turns an error of dpop.Verifier.VerifyRequest into a
// refusal (RFC 9449 §7.1, §9), as oauth.ProofRefusal says: it fails
// closed.
func (c *config) proofVerdict(ctx context.Context, err error, nonces dpop.NonceSource) *Error {
	v := oauth.ProofRefusal(ctx, err, nonces, http.StatusUnauthorized)
	switch v.Status {
	case http.StatusUnauthorized:
		e := c.invalidToken(v.Description, v.Err)
		e.Code, e.nonce = v.Code, v.Nonce
		return e
	case http.StatusServiceUnavailable:
		return &Error{Status: v.Status, Code: v.Code, Description: descUnavailable, Err: v.Err}
	}
	return &Error{Status: v.Status, Code: v.Code, Err: v.Err}
}

// invalidOption returns an error wrapping jwt.ErrInvalidOption, whose
// message says what is wrong after this package's name.
func invalidOption(what string) error {
	return fmt.Errorf("jwthttp: %s: %w", what, jwt.ErrInvalidOption)
}

// ErrUnsupportedConfirmation is the cause of the refusal of a token whose
// "cnf" claim names a confirmation method other than "jkt" (such as
// "x5t#S256" or "jwk") when Options.Confirmation is not set to check it.
var ErrUnsupportedConfirmation = errors.New("jwthttp: the cnf claim names a confirmation method that Options.Confirmation is not set to check")

// errNotAccessToken is the verdict on a token whose header "typ" names a
// JWT of another kind.
var errNotAccessToken = fmt.Errorf("jwthttp: the header \"typ\" names another kind of JWT: %w", jwt.ErrTypeMismatch)

// skipped reports whether the request for u is served without a token: only
// if its path, read both ways a router may read it, is under an entry of
// SkipPaths. http.ServeMux matches the escaped path, segment by segment,
// each segment unescaped on its own, so that "/public%2Fsecret" is one
// segment, not two, and not under "/public/"; other routers match the
// decoded path. Both must name the entry, so that the skip decision never
// disagrees with the router that serves the request.
func (m *middleware[T]) skipped(u *url.URL) bool {
	p, e := u.Path, u.EscapedPath()
	if !isCleanPath(p) || !isCleanPath(e) {
		return false
	}
	for _, s := range m.skip {
		if isUnder(p, s) && isUnderEscaped(e, s) {
			return true
		}
	}
	return false
}

// isUnder reports whether the path p is the entry s of SkipPaths, or in its
// subtree if s ends in "/", as http.ServeMux matches a pattern without
// wildcards.
func isUnder(p, s string) bool {
	return p == s || (strings.HasSuffix(s, "/") && strings.HasPrefix(p, s))
}

// isUnderEscaped is isUnder for an escaped path e, read as http.ServeMux
// reads it: each segment between slashes of e, unescaped, must be the
// segment of s at its place; an escaped slash ("%2F") is part of its
// segment, never a separator.
func isUnderEscaped(e, s string) bool {
	for s != "" {
		if e == "" || e[0] != '/' {
			return false
		}
		if s == "/" {
			return true // the subtree of an entry that ends in "/"
		}
		s, e = s[1:], e[1:]
		ls, es := s, e
		if i := strings.IndexByte(s, '/'); i >= 0 {
			ls, s = s[:i], s[i:]
		} else {
			s = ""
		}
		if i := strings.IndexByte(e, '/'); i >= 0 {
			es, e = e[:i], e[i:]
		} else {
			e = ""
		}
		if v, err := url.PathUnescape(es); err != nil || v != ls {
			return false
		}
	}
	return e == ""
}

// isCleanPath reports whether p is an absolute path that path.Clean leaves
// as it is, apart from a trailing slash, and whose segments are not dot
// segments under another router's reading: a backslash is a separator for
// some servers, and ";" ends a segment for others ("..;" is "..").
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if c != p && c+"/" != p {
		return false
	}
	if strings.IndexByte(p, '\\') >= 0 {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if before, _, ok := strings.Cut(seg, ";"); ok && (before == "." || before == "..") {
			return false
		}
	}
	return true
}
