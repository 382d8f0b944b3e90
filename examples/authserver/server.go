package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwt/clientauth"
	"github.com/jwtkit/jwt/dpop"
	"github.com/jwtkit/jwt/jwks"
	"github.com/jwtkit/jwt/jwthttp"
	"github.com/jwtkit/jwt/redisstore"
	"github.com/jwtkit/jwt/session"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// healthTimeout bounds the store's answer to /healthz.
const healthTimeout = 2 * time.Second

// service is the auth service: its key ring, session manager and users.
type service struct {
	cfg       *config
	log       *slog.Logger
	ring      signingRing  // see newRing
	jwks      http.Handler // the ring's JWK Set
	manager   *session.Manager
	proofs    *dpop.Verifier // DPoP proofs, at the token endpoints and the API
	users     *users
	limits    *loginLimiter                   // failed logins per user name and client address
	storeName string                          // "memory" or "redis"
	health    func(ctx context.Context) error // whether the store answers
	close     func() error                    // closes the store's client
	clients   *clientauth.Verifier            // client assertions at /token
	remotes   []*jwks.Remote                  // the key sets of clients given by jwks_uri
}

// newService loads the users and the key and connects the store. It does
// no I/O on the network: a Redis server is first asked on the first request.
func newService(cfg *config, log *slog.Logger) (*service, error) {
	u, err := loadUsers(cfg.usersFile)
	if err != nil {
		return nil, fmt.Errorf("--users: %w", err)
	}
	key, alg, err := signingKey(cfg.keyFile, cfg.alg)
	if err != nil {
		return nil, err
	}
	if n := u.belowCost(); n > 0 {
		log.Warn("users hashed below the cost of every login: each login pads their work up to it; rehash them with hash-password --cost", "users", n, "cost", u.cost)
	}
	s := &service{cfg: cfg, log: log, users: u, limits: newLoginLimiter(time.Now)}
	var store session.Store
	var client redis.UniversalClient // nil for the memory store
	switch {
	case cfg.store == "memory":
		store = session.NewMemoryStore(nil)
		s.storeName = "memory"
		s.health = func(context.Context) error { return nil }
		s.close = func() error { return nil }
	case strings.HasPrefix(cfg.store, "redis://") || strings.HasPrefix(cfg.store, "rediss://"):
		opts, err := redis.ParseURL(cfg.store)
		if err != nil {
			return nil, fmt.Errorf("--store: %w", err)
		}
		opts.DialTimeout = time.Second
		opts.ReadTimeout = time.Second
		opts.WriteTimeout = time.Second
		opts.MaxRetries = 1
		opts.DialerRetries = 2
		opts.DialerRetryTimeout = 50 * time.Millisecond
		opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		client = redis.NewClient(opts)
		rs, err := redisstore.New(client, nil)
		if err != nil {
			client.Close()
			return nil, fmt.Errorf("--store: %w", err)
		}
		store = rs
		s.storeName = "redis"
		s.health = func(ctx context.Context) error { return client.Ping(ctx).Err() }
		s.close = client.Close
	case strings.HasPrefix(cfg.store, clusterScheme):
		cc, rs, err := clusterStore(cfg.store)
		if err != nil {
			return nil, fmt.Errorf("--store: %w", err)
		}
		client, store, s.storeName = cc, rs, "redis-cluster"
		s.health = func(ctx context.Context) error { return cc.Ping(ctx).Err() }
		s.close = cc.Close
	default:
		return nil, errors.New("--store must be memory, redis://HOST:PORT or redis-cluster://HOST:PORT")
	}
	var ready func() error
	if s.ring, s.jwks, ready, err = newRing(cfg, key, alg, client); err != nil {
		s.close()
		return nil, err
	}
	if storeHealth := s.health; client != nil {
		s.health = func(ctx context.Context) error { return cmp.Or(storeHealth(ctx), ready()) }
	}
	// One verifier for the token endpoints and the API, remembering proofs
	// in the store, so that a proof used on one instance is refused on
	// every other (both stores are replay caches: Redis with SET NX PX).
	rc, ok := store.(session.ReplayCache)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("--store: the %s store is no DPoP replay cache", s.storeName)
	}
	s.proofs, err = dpop.NewVerifier(&dpop.Options{ExternalURL: cfg.externalURL, ReplayCache: rc})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("--external-url: %w", err)
	}
	var audience []string
	if cfg.audience != "" {
		audience = []string{cfg.audience}
	}
	if err := s.setClients(rc); err != nil {
		s.Close()
		return nil, fmt.Errorf("--clients: %w", err)
	}
	s.manager, err = session.New(session.Options{
		Signer:     s.ring, // its current key signs each new pair
		Keys:       s.ring,
		Store:      store,
		Issuer:     cfg.issuer,
		Audience:   audience,
		AccessTTL:  cfg.accessTTL,
		RefreshTTL: cfg.refreshTTL,
		OnReuse: func(_ context.Context, r session.Reuse) {
			log.Warn("refresh token reused: session revoked", "sub", r.Subject, "sid", r.FamilyID)
		},
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the key ring and closes the store's client.
func (s *service) Close() error {
	s.ring.Close()
	for _, r := range s.remotes {
		r.Close()
	}
	return s.close()
}

// Handler returns the service's routes, with a log line for each request.
func (s *service) Handler() http.Handler {
	token := &session.HandlerOptions{UnauthorizedInvalidGrant: true, DPoP: s.proofs}
	api := s.protect(false)
	verify := s.protect(true)
	mux := http.NewServeMux()
	mux.Handle("/login", s.limitLogins(s.manager.LoginHandler(s.authenticate, token)))
	mux.Handle("/token", s.manager.ClientCredentialsHandler(s.clients.AuthenticateClient, &session.HandlerOptions{}))
	mux.Handle("/token/refresh", s.manager.RefreshHandler(token))
	mux.Handle("/logout", s.manager.LogoutHandler(token))
	mux.Handle("/logout/all", s.manager.LogoutAllHandler(token))
	mux.Handle("GET /api/me", noStore(api(http.HandlerFunc(s.me))))
	mux.Handle("GET /api/admin", noStore(api(jwthttp.RequireScopes("admin")(http.HandlerFunc(s.admin)))))
	mux.Handle("/auth/verify", authRequest(verify(http.HandlerFunc(verified))))
	mux.Handle("/.well-known/jwks.json", s.jwks)
	mux.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	return s.logRequests(mux)
}

// attempt is a login's client address and, once refused for the limit on
// failed logins, how long the client must wait.
type attempt struct {
	addr string
	wait time.Duration
}

// attemptKey is the context key of a login's *attempt.
type attemptKey struct{}

// limitLogins applies the limit on failed logins to the login handler
// next, whose Authenticator must be s.authenticate: a client address at
// its limit is refused at once, before the request is read (no body, no
// DPoP proof, no password hash); otherwise s.authenticate checks the
// limits of the user name and the address, and a refusal for them is
// answered by tooManyLogins in place of next's answer.
func (s *service) limitLogins(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := &attempt{addr: clientAddress(r, s.cfg.trustedProxies)}
		if d := s.limits.addressWait(a.addr); d > 0 {
			tooManyLogins(w, d)
			return
		}
		lw := &limitWriter{ResponseWriter: w, a: a}
		next.ServeHTTP(lw, r.WithContext(context.WithValue(r.Context(), attemptKey{}, a)))
	})
}

// authenticate is the service's session.Authenticator: it counts the
// attempt against the limits on failed logins, then checks the password
// (users.authenticate), and gives the attempt back if it succeeds. An
// attempt over a limit is refused without a password check, with an error
// wrapping session.ErrDenied, and answered by tooManyLogins.
func (s *service) authenticate(ctx context.Context, name, password string) (session.Grant, error) {
	a, ok := ctx.Value(attemptKey{}).(*attempt)
	if !ok {
		return session.Grant{}, errors.New("authserver: a login not through limitLogins")
	}
	if d := s.limits.reserve(name, a.addr); d > 0 {
		a.wait = d
		return session.Grant{}, fmt.Errorf("%w: too many failed logins", session.ErrDenied)
	}
	g, err := s.users.authenticate(ctx, name, password)
	if !errors.Is(err, session.ErrDenied) {
		s.limits.refund(name, a.addr) // a success, or no answer: not a failure
	}
	return g, err
}

// limitWriter answers a login refused for the limit on failed logins with
// tooManyLogins, in place of the login handler's refusal.
type limitWriter struct {
	http.ResponseWriter
	a        *attempt
	replaced bool
}

func (w *limitWriter) WriteHeader(code int) {
	if w.a.wait > 0 && code >= 400 && code < 500 && !w.replaced {
		w.replaced = true
		tooManyLogins(w.ResponseWriter, w.a.wait)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *limitWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil // the login handler's body, replaced
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *limitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// tooManyLogins answers a login refused for the limit on failed logins:
// 429 Too Many Requests, with Retry-After and the error of refused
// credentials, invalid_grant (RFC 6749 §5.2), which every client of the
// password grant understands.
func tooManyLogins(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", retryAfter(wait))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"error":             "invalid_grant",
		"error_description": "too many failed logins: retry later",
	})
}

// claims is what /api verifies tokens into: every claim, as sent.
type claims = map[string]json.RawMessage

// protect returns the middleware of the API: an access token of this
// service (Manager.AccessOptions: signature, "exp" with no leeway, "iss",
// "aud" if configured, the claims the manager always writes),
// not revoked (Manager.CheckRequest, which also requires the access token
// type), with the RFC 6750 and RFC 9449 answers. A token comes as Bearer,
// or, if it is bound to a key ("cnf"."jkt", from a login with a proof),
// only as DPoP with a proof by that key for this request. For
// auth_request, it also sets the header X-Auth-Error to the error code of a
// refusal.
func (s *service) protect(authRequest bool) func(http.Handler) http.Handler {
	verify := s.manager.AccessOptions() // exactly the manager's access tokens
	if len(verify.Audience) == 0 {
		// jwthttp checks "typ" at+jwt only with an audience (RFC 9068
		// §4); CheckRequest checks it in any case.
		verify.Type = ""
	}
	mw, err := jwthttp.New[claims](s.manager.Keys(), &jwthttp.Options{
		Verify: verify,
		Realm:  s.cfg.realm,
		Check:  s.manager.CheckRequest,
		// Sessions begun without a proof stay Bearer; bound tokens are
		// refused as Bearer whatever AllowBearer says.
		DPoP:        s.proofs,
		AllowBearer: true,
		ErrorBody: func(r *http.Request, e *jwthttp.Error) (string, []byte) {
			if authRequest && e.Code != "" {
				if h, ok := r.Context().Value(headerKey{}).(http.Header); ok {
					h.Set("X-Auth-Error", e.Code)
				}
			}
			if e.Status >= 500 {
				s.log.Error("token not checked", "path", r.URL.Path, "status", e.Status, "err", e.Err)
			}
			return "application/json", errorJSON(e)
		},
	})
	if err != nil {
		panic(err) // the options above are constant and valid
	}
	return mw
}

// errorJSON is the body of a refusal, as jwthttp writes it by default.
func errorJSON(e *jwthttp.Error) []byte {
	body := struct {
		Error       string `json:"error,omitempty"`
		Description string `json:"error_description,omitempty"`
		Scope       string `json:"scope,omitempty"`
	}{e.Code, e.Description, ""}
	if e.Code == jwthttp.InsufficientScope {
		body.Scope = e.Scope
	}
	b, _ := json.Marshal(body)
	return b
}

// headerKey is the context key of the response header for ErrorBody.
type headerKey struct{}

// authRequest prepares a request of nginx's auth_request for the API's
// middleware, which then judges the credentials of the request nginx is
// deciding on:
//
//   - the response's header goes into the request's context, where
//     ErrorBody, which sees only the request, can set X-Auth-Error;
//   - a DPoP proof names the request the client made, not this
//     subrequest: the method and URI are taken from the headers
//     X-Original-Method and X-Original-URI that nginx's internal /_auth
//     location sets (see originalRequest);
//   - nginx 1.22 passes only the first WWW-Authenticate field of a 401 on
//     to the client: the challenge holding the error goes first.
//
// No other handler reads X-Original-Method or X-Original-URI.
func authRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orig, err := originalRequest(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
			return
		}
		orig = orig.WithContext(context.WithValue(r.Context(), headerKey{}, w.Header()))
		next.ServeHTTP(errorChallengeFirst{w}, orig)
	})
}

// originalRequest returns r as the request that nginx asks about: with
// the method of X-Original-Method and the URI of X-Original-URI (a path
// and an optional query, as nginx's $request_uri), or r itself when
// neither header is there. One without the other, several of either, or a
// value that is not a method or an origin-form URI is an error.
//
// The headers are trusted here only, and that whoever sends them: when
// nginx proxies /_auth, an internal location, it sets them itself,
// replacing any a client sent. A client that reaches the service directly
// can send them too, but gains nothing: all they change is which request
// a DPoP proof is checked against, and /auth/verify answers only a status
// (200 or a refusal), with nothing of the token; a proof that passes here
// would pass at the URI it names as well, and it is spent either way (the
// replay cache). At /api/, whose answers carry claims, and at the token
// endpoints, which issue tokens, proofs are checked against the request
// itself.
func originalRequest(r *http.Request) (*http.Request, error) {
	methods, uris := r.Header.Values("X-Original-Method"), r.Header.Values("X-Original-URI")
	if len(methods) == 0 && len(uris) == 0 {
		return r, nil
	}
	if len(methods) != 1 || len(uris) != 1 {
		return nil, errors.New("X-Original-Method and X-Original-URI must come together, once each")
	}
	method, uri := methods[0], uris[0]
	if !isToken(method) {
		return nil, errors.New("X-Original-Method is not a method")
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil || !strings.HasPrefix(uri, "/") {
		return nil, errors.New("X-Original-URI is not a path and query")
	}
	o := r.Clone(r.Context())
	o.Method, o.RequestURI, o.URL = method, uri, u
	return o, nil
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2), as a
// method is.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// errorChallengeFirst puts the WWW-Authenticate field that holds an error
// first, before the status is written. The middleware writes the Bearer
// challenge first and the DPoP one second, the error in the challenge of
// the scheme the request used; nginx 1.22's auth_request passes only the
// first field on, which would lose the error of a DPoP request.
type errorChallengeFirst struct{ http.ResponseWriter }

func (w errorChallengeFirst) WriteHeader(code int) {
	h := w.Header()
	if ch := h.Values("WWW-Authenticate"); len(ch) > 1 {
		sorted := slices.Clone(ch)
		slices.SortStableFunc(sorted, func(a, b string) int {
			return cmp.Compare(b2i(hasError(b)), b2i(hasError(a)))
		})
		h["Www-Authenticate"] = sorted
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w errorChallengeFirst) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// hasError reports whether the challenge ch has an "error" parameter.
// Parameters follow the scheme or ", ", and no value holds '"'.
func hasError(ch string) bool { return strings.Contains(ch, ` error="`) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// me answers /api/me with the verified claims.
func (s *service) me(w http.ResponseWriter, r *http.Request) {
	c, _ := jwthttp.Claims[claims](r.Context())
	writeJSON(w, http.StatusOK, c)
}

// admin answers /api/admin, behind RequireScopes("admin").
func (s *service) admin(w http.ResponseWriter, r *http.Request) {
	c, _ := jwthttp.Claims[claims](r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"admin": true, "sub": c["sub"]})
}

// verified answers an auth_request whose token passed.
func verified(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// healthz answers 200 when the store answers, 503 when it does not.
func (s *service) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if err := s.health(ctx); err != nil {
		s.log.Warn("health check failed", "store", s.storeName, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": s.storeName})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "store": s.storeName})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // the client may be gone: nothing to do
}

// logRequests logs one line per request: method, path (never the query,
// which may carry a token), status and duration. Headers and bodies, which
// carry tokens and passwords, are never logged.
func (s *service) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}

// statusWriter records the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
