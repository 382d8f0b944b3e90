package dpop

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/typ"
)

// Limits and defaults of a Verifier.
const (
	// defaultWindow is how far a proof's "iat" may be from the verifier's
	// clock, in the past or the future, unless Options.Window is set.
	defaultWindow = 60 * time.Second
	// MaxWindow is the largest Options.Window.
	MaxWindow = 10 * time.Minute
	// defaultMaxSize is the largest proof, in bytes, unless
	// Options.MaxSize is set: enough for an RSA key of 8192 bits.
	defaultMaxSize = 4 << 10
)

// Options configures a Verifier. The zero value means the defaults.
type Options struct {
	// Algorithms lists the algorithms a proof may use; nil means
	// DefaultAlgorithms. Each must be an asymmetric algorithm of package
	// jwt: an HMAC algorithm is an error.
	Algorithms []jwt.Algorithm
	// Window bounds how far a proof's "iat" may be from now, in either
	// direction; 0 means 60 seconds, and it may be at most MaxWindow.
	// A proof is remembered by the replay cache for twice this long, and a
	// second.
	Window time.Duration
	// MaxSize is the largest proof, in bytes; 0 means 4 KiB, enough for
	// an RSA key of 8192 bits.
	MaxSize int
	// ReplayCache remembers the proofs seen. nil means a cache of this
	// Verifier alone (a MemoryReplayCache with default options); services
	// of several instances share one, such as the session store's, so that
	// a proof used on one instance is refused on every other.
	ReplayCache ReplayCache
	// Nonces, if set, issues the server nonces that every proof must
	// carry (RFC 9449 §8, §9); a proof without a nonce it accepts fails
	// with ErrUseNonce.
	Nonces NonceSource
	// ExternalURL is the scheme, host and optional path prefix under
	// which clients reach the service, such as "https://api.example.com",
	// for a service behind a reverse proxy: VerifyRequest compares "htu"
	// with ExternalURL followed by the request's path. Empty means the
	// request's own scheme (https if it came over TLS) and Host header,
	// which a client chooses: set ExternalURL in production. Forwarding
	// headers such as X-Forwarded-Host are never read.
	ExternalURL string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// DefaultAlgorithms returns the algorithms a Verifier accepts unless told
// otherwise, in a new slice: every asymmetric algorithm of package jwt but
// ML-DSA. RFC 9449 allows ML-DSA, as it allows any asymmetric JWS
// algorithm, but its proofs carry a public key of 1312 to 2592 bytes and a
// signature of 2420 to 4627: 5 to 11 KB, over the default MaxSize and the
// 8 KB per header line that common proxies accept. A service that wants it
// lists it in Options.Algorithms with a MaxSize that fits (see
// [MinProofSize]).
func DefaultAlgorithms() []jwt.Algorithm {
	return []jwt.Algorithm{
		jwt.ES256, jwt.ES384, jwt.ES512, jwt.EdDSA,
		jwt.PS256, jwt.PS384, jwt.PS512, jwt.RS256, jwt.RS384, jwt.RS512,
	}
}

// Verifier checks DPoP proofs. It is safe for concurrent use.
type Verifier struct {
	algs    []jwt.Algorithm
	window  time.Duration
	maxSize int
	replay  ReplayCache
	nonces  NonceSource
	base    string
	now     func() time.Time
	opts    jwt.VerifyOptions // what jwt.Verify checks of a proof
}

// NewVerifier returns a Verifier with opts (nil means the defaults).
// Options out of range, an algorithm that is not an asymmetric algorithm of
// package jwt, or an ExternalURL that is not an http or https URI without
// query and fragment are errors wrapping jwt.ErrInvalidOption.
func NewVerifier(opts *Options) (*Verifier, error) {
	if opts == nil {
		opts = &Options{}
	}
	v := &Verifier{
		window:  opts.Window,
		maxSize: opts.MaxSize,
		replay:  opts.ReplayCache,
		nonces:  opts.Nonces,
		now:     opts.Now,
	}
	if v.window == 0 {
		v.window = defaultWindow
	}
	if v.window < 0 || v.window > MaxWindow {
		return nil, errorf(jwt.ErrInvalidOption, "DPoP window %v is not between 0 and %v", opts.Window, MaxWindow)
	}
	if v.maxSize == 0 {
		v.maxSize = defaultMaxSize
	}
	if v.maxSize < 0 {
		return nil, errorf(jwt.ErrInvalidOption, "negative DPoP proof size")
	}
	v.algs = opts.Algorithms
	if v.algs == nil {
		v.algs = DefaultAlgorithms()
	} else {
		v.algs = append([]jwt.Algorithm(nil), v.algs...)
	}
	if len(v.algs) == 0 {
		return nil, errorf(jwt.ErrInvalidOption, "no DPoP algorithm allowed")
	}
	for _, a := range v.algs {
		if a == nil || !isAsymmetric(a) {
			return nil, errorf(jwt.ErrInvalidOption, "DPoP algorithms must be asymmetric algorithms of package jwt")
		}
		if m := MinProofSize(a); v.maxSize < m {
			return nil, errorf(jwt.ErrInvalidOption, "DPoP MaxSize %d is below %d, the smallest %s proof", v.maxSize, m, a.Name())
		}
	}
	if opts.ExternalURL != "" {
		if strings.ContainsAny(opts.ExternalURL, "?#") {
			return nil, errorf(jwt.ErrInvalidOption, "DPoP ExternalURL has a query or fragment")
		}
		base, err := NormalizeURI(opts.ExternalURL)
		if err != nil {
			return nil, wrap(jwt.ErrInvalidOption, "DPoP ExternalURL", err)
		}
		v.base = strings.TrimSuffix(base, "/")
	}
	if v.now == nil {
		v.now = time.Now
	}
	// "exp" is not required of a proof, but checked if present; "aud" is
	// not a proof claim. Verify checks the other claims itself.
	v.opts = jwt.VerifyOptions{
		Type:                   ProofType,
		Now:                    v.now,
		AllowMissingExpiration: true,
		IgnoreAudience:         true,
		Required:               []string{"jti", "htm", "htu", "iat"},
		MaxSize:                v.maxSize,
	}
	if v.replay == nil {
		v.replay = NewMemoryReplayCache(&MemoryReplayCacheOptions{Now: v.now})
	}
	return v, nil
}

// Algorithms returns the names of the algorithms v accepts, in order, for
// the "algs" of a challenge and the dpop_signing_alg_values_supported of
// server metadata.
func (v *Verifier) Algorithms() []string {
	names := make([]string, len(v.algs))
	for i, a := range v.algs {
		names[i] = a.Name()
	}
	return names
}

// Nonces returns the NonceSource of v, or nil.
func (v *Verifier) Nonces() NonceSource { return v.nonces }

// Request is what a proof must match.
type Request struct {
	// Method is the request's HTTP method, compared case-sensitively with
	// "htm".
	Method string
	// URI is the request's absolute target URI; its query and fragment are
	// ignored and it is normalized as "htu" is (see NormalizeURI).
	URI string
	// AccessToken is the access token presented with the proof, such as
	// the token of an "Authorization: DPoP" header, or "". When set, the
	// proof's "ath" must be its hash, and the token must be bound to the
	// proof's key: JKT must be set.
	AccessToken string
	// JKT is the "jkt" of the "cnf" claim of the token presented with the
	// proof (an access token, or a refresh token at a token endpoint), or
	// "" for a request without one. When set, it must equal the thumbprint
	// of the proof's key.
	JKT string
}

// Proof is a verified DPoP proof.
type Proof struct {
	// Claims are the proof's claims.
	Claims Claims
	// Algorithm is the proof's "alg".
	Algorithm string
	// Key is the public key of the proof's "jwk".
	Key *jwt.JWK
	// JKT is the base64url SHA-256 thumbprint of Key (RFC 7638): the
	// "jkt" to bind tokens to, as in a Confirmation.
	JKT string
}

// Confirmation is the "cnf" claim of a token bound to a DPoP key (RFC 9449
// §6.1). A token's claims type holds it as a field:
//
//	Confirmation *dpop.Confirmation `json:"cnf,omitempty"`
type Confirmation struct {
	// JKT is the base64url SHA-256 thumbprint of the key.
	JKT string `json:"jkt"`
}

// CheckBinding returns nil if jkt, the "cnf"."jkt" of a token, is the
// thumbprint of p's key, and otherwise an error wrapping ErrTokenBinding;
// an empty jkt (a token not bound to any key) is such an error too.
func (p *Proof) CheckBinding(jkt string) error {
	if jkt == "" {
		return fmt.Errorf("%w: the token has no cnf.jkt", ErrTokenBinding)
	}
	if subtle.ConstantTimeCompare([]byte(jkt), []byte(p.JKT)) != 1 {
		return fmt.Errorf("%w: cnf.jkt differs from the proof key's thumbprint", ErrTokenBinding)
	}
	return nil
}

// headerProof returns the one DPoP proof of h (RFC 9449 §4.3, check 1);
// see singleProof.
func headerProof(h http.Header) (string, error) { return singleProof(h.Values("DPoP")) }

// singleProof returns the proof of values, the values of a request's DPoP
// header fields, which must be exactly one. No value, or an empty one, is
// an error wrapping ErrMissingProof; several values, or one holding a comma
// (several values joined by a proxy), one wrapping ErrMultipleProofs.
func singleProof(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", ErrMissingProof
	case 1:
	default:
		return "", fmt.Errorf("%w: %d values", ErrMultipleProofs, len(values))
	}
	p := strings.Trim(values[0], " \t")
	switch {
	case p == "":
		return "", ErrMissingProof
	case strings.IndexByte(p, ',') >= 0:
		return "", fmt.Errorf("%w: a value holds a comma", ErrMultipleProofs)
	}
	return p, nil
}

// VerifyRequest verifies the proof of r's DPoP header for r, as Verify
// does, with the request's method and its target URI: Options.ExternalURL
// (or r's scheme and Host) followed by the path of r.RequestURI, so that a
// handler under http.StripPrefix still sees the path the client used.
// accessToken and jkt are as in Request: the access token of r's
// Authorization header, if any, and that token's "cnf"."jkt".
func (v *Verifier) VerifyRequest(ctx context.Context, r *http.Request, accessToken, jkt string) (*Proof, error) {
	proof, err := headerProof(r.Header)
	if err != nil {
		return nil, err
	}
	return v.verify(ctx, proof, &Request{
		Method:      r.Method,
		URI:         requestURI(r, v.base),
		AccessToken: accessToken,
		JKT:         jkt,
	}, true)
}

// Verify checks proof against req with every check of RFC 9449 §4.3 and
// returns it. In this order, it checks: that the proof is at most MaxSize
// bytes and a well-formed JWT (whose header has an "alg" other than "none",
// else ErrProofAlgorithm, and no "crit"); that its "typ" is dpop+jwt; that
// its "alg" is in the allow-list; that its "jwk" is a public key (any
// private member refused before the key is parsed) that the algorithm
// accepts; the signature, with that key; the claims "jti", "htm", "htu" and
// "iat", all required, strings but "iat" ("exp" and "nbf" are checked if
// present, "aud" ignored); that "htm" equals req.Method; that
// "htu" equals req.URI after normalization; that "iat" is within the
// window of now; the server nonce, if Options.Nonces is set; "ath", if
// req.AccessToken is set; that req.JKT equals the key's thumbprint, if set
// or if req.AccessToken is; and last, so that only proofs that passed every
// other check are remembered, that no proof with the same "jti" and "htu"
// was seen within twice the window (and a second).
//
// A server should remember only the proofs of requests that are otherwise
// authenticated, so that anonymous requests cannot fill the replay cache:
// see [Verifier.VerifyRequestPending].
//
// Each failure is an error wrapping ErrInvalidProof and the sentinel of the
// check, such as ErrURIMismatch, except a binding failure (ErrTokenBinding)
// and a replay cache failure (ErrReplayCache). Packages jwthttp and session
// answer them with the error codes of RFC 9449.
func (v *Verifier) Verify(ctx context.Context, proof string, req *Request) (*Proof, error) {
	return v.verify(ctx, proof, req, true)
}

// verify is Verify, without the replay check unless remember is set.
func (v *Verifier) verify(ctx context.Context, proof string, req *Request, remember bool) (*Proof, error) {
	if req == nil {
		return nil, errorf(jwt.ErrInvalidOption, "no request to check the DPoP proof against")
	}
	if proof == "" {
		return nil, ErrMissingProof
	}
	if len(proof) > v.maxSize {
		return nil, &chainError{msg: fmt.Sprintf("%v: %d bytes, limit %d", ErrProofTooLarge, len(proof), v.maxSize), errs: []error{ErrProofTooLarge, jwt.ErrTooLarge}}
	}
	// One read of the proof: jwt.Verify reads the header and asks keys,
	// which checks typ, alg and jwk in that order, for the key; then it
	// checks the signature and reads the claims.
	keys := &proofKey{v: v}
	tok, err := jwt.Verify[jwt.RegisteredClaims](ctx, proof, keys, &v.opts)
	if err != nil {
		switch {
		case errors.Is(err, ErrInvalidProof): // from keys.Lookup
			return nil, err
		case !keys.asked && errors.Is(err, jwt.ErrUnsupportedAlgorithm):
			// No "alg", or "none": refused before any key is asked for.
			return nil, wrap(ErrProofAlgorithm, "", err)
		}
		return nil, wrap(ErrInvalidProof, "", err)
	}
	p := &Proof{Algorithm: keys.alg.Name(), Key: keys.key}
	c := &p.Claims // the claims are decoded into p: no allocation of their own
	if err := readClaims(tok, c); err != nil {
		return nil, err
	}
	if c.Method != req.Method {
		return nil, fmt.Errorf("%w: htm %s, request %s", ErrMethodMismatch, quote(c.Method), quote(req.Method))
	}
	htu, err := NormalizeURI(c.URI)
	if err != nil {
		return nil, wrap(ErrURIMismatch, "htu", err)
	}
	want, err := NormalizeURI(req.URI)
	if err != nil {
		return nil, wrap(ErrURIMismatch, "request URI", err)
	}
	if htu != want {
		return nil, fmt.Errorf("%w: htu %s, request %s", ErrURIMismatch, quote(htu), quote(want))
	}
	now := v.now()
	if d := now.Sub(c.IssuedAt.Time); d > v.window || d < -v.window {
		return nil, fmt.Errorf("%w: iat %s, now %s, window ±%v", ErrStaleProof,
			c.IssuedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), v.window)
	}
	if v.nonces != nil {
		if c.Nonce == "" {
			return nil, fmt.Errorf("%w: the proof has no nonce", ErrUseNonce)
		}
		if err := v.nonces.CheckNonce(ctx, c.Nonce); err != nil {
			return nil, wrap(ErrUseNonce, "", err)
		}
	}
	if req.AccessToken != "" {
		if c.AccessTokenHash == "" {
			return nil, fmt.Errorf("%w: the proof has no ath", ErrAccessTokenHash)
		}
		if subtle.ConstantTimeCompare([]byte(c.AccessTokenHash), []byte(AccessTokenHash(req.AccessToken))) != 1 {
			return nil, ErrAccessTokenHash
		}
	}
	jkt, err := Thumbprint(keys.key)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	p.JKT = jkt
	if req.JKT != "" || req.AccessToken != "" {
		if err := p.CheckBinding(req.JKT); err != nil {
			return nil, err
		}
	}
	if !remember {
		return p, nil
	}
	if err := v.remember(ctx, replayKey(htu, c.ID)); err != nil {
		return nil, err
	}
	return p, nil
}

func (v *Verifier) algorithm(name string) jwt.Algorithm {
	for _, a := range v.algs {
		if a.Name() == name {
			return a
		}
	}
	return nil
}

// typeIsDPoP compares the "typ" t with dpop+jwt as RFC 7515 §4.1.9 compares
// media types, as jwt.VerifyOptions.Type does: case-insensitively, with
// "application/" optional.
func typeIsDPoP(t string) bool { return typ.Matches(t, ProofType) }

// proofKey is the jwt.KeySource of one proof: the public key of its own
// header's "jwk", bound to its "alg". Its Lookup makes the checks of the
// header that come before the signature (RFC 9449 §4.3): typ, alg, jwk.
type proofKey struct {
	v     *Verifier
	asked bool          // Lookup was called
	key   *jwt.JWK      // the proof's key, once Lookup accepted it
	alg   jwt.Algorithm // its algorithm
	vs    [1]jwt.Verifier

	// Where the header's "jwk" is decoded, in this struct rather than in
	// values of their own.
	raw     json.RawMessage
	private privateMembers
}

var _ jwt.KeySource = (*proofKey)(nil)

// Lookup returns the verifier of the key of h's "jwk" for h's "alg".
func (k *proofKey) Lookup(_ context.Context, h jwt.Header) ([]jwt.Verifier, error) {
	k.asked = true
	if !typeIsDPoP(h.Type) {
		return nil, fmt.Errorf("%w: typ %s", ErrProofType, quote(h.Type))
	}
	alg := k.v.algorithm(h.Algorithm)
	if alg == nil {
		return nil, fmt.Errorf("%w: alg %s", ErrProofAlgorithm, quote(h.Algorithm))
	}
	key, err := k.headerKey(h)
	if err != nil {
		return nil, err
	}
	verifier, err := key.Verifier(alg)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	k.key, k.alg, k.vs[0] = key, alg, verifier
	return k.vs[:], nil
}

// privateMembers are the members of a JWK that hold private or secret key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2), decoded as
// encoding/json matches names: a member whose name folds to one of them
// ("D") counts too, as it would for a reader that uses encoding/json.
type privateMembers struct {
	D   json.RawMessage `json:"d"`
	P   json.RawMessage `json:"p"`
	Q   json.RawMessage `json:"q"`
	DP  json.RawMessage `json:"dp"`
	DQ  json.RawMessage `json:"dq"`
	QI  json.RawMessage `json:"qi"`
	Oth json.RawMessage `json:"oth"`
	K   json.RawMessage `json:"k"`
	// Priv is the seed of an ML-DSA key (kty "AKP", RFC 9964).
	Priv json.RawMessage `json:"priv"`
}

// headerKey returns the public key of the header's "jwk" member.
func (k *proofKey) headerKey(h jwt.Header) (*jwt.JWK, error) {
	ok, err := h.Member("jwk", &k.raw)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: the header has no jwk", ErrProofKey)
	}
	// Refuse private members by name before parsing, whatever the key
	// type: a client that sends its private key has lost it, and parsing
	// one (an RSA private key is checked at length) is work a forger could
	// make the server do for nothing. (A jwk that is not an object is
	// left to ParseJWK to report.)
	pm := &k.private
	if _, err := h.Member("jwk", pm); err == nil {
		for _, m := range [...]struct {
			name string
			v    json.RawMessage
		}{{"d", pm.D}, {"p", pm.P}, {"q", pm.Q}, {"dp", pm.DP}, {"dq", pm.DQ}, {"qi", pm.QI}, {"oth", pm.Oth}, {"k", pm.K}, {"priv", pm.Priv}} {
			if m.v != nil {
				return nil, fmt.Errorf("%w: jwk has the private member %q", ErrProofKey, m.name)
			}
		}
	}
	key, err := jwt.ParseJWK(k.raw)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	if key.IsPrivate() {
		return nil, fmt.Errorf("%w: jwk is not a public key", ErrProofKey)
	}
	return key, nil
}

// readClaims reads into c the claims of a proof whose signature, registered
// claims ("jti" and "iat" among them) and required claims jwt.Verify has
// checked. The other claims are read from the verified claims set by their
// exact names ("HTM" is not "htm"), and must be strings if present.
func readClaims(tok *jwt.Token[jwt.RegisteredClaims], c *Claims) error {
	c.ID, c.IssuedAt = tok.Claims.ID, tok.Claims.IssuedAt
	for _, m := range [...]struct {
		name string
		dst  *string
	}{{"htm", &c.Method}, {"htu", &c.URI}, {"ath", &c.AccessTokenHash}, {"nonce", &c.Nonce}} {
		if err := stringClaim(tok, m.name, m.dst); err != nil {
			return wrap(ErrInvalidProof, "", err)
		}
	}
	for _, m := range [...]struct{ name, v string }{{"jti", c.ID}, {"htm", c.Method}, {"htu", c.URI}} {
		if m.v == "" {
			return wrap(ErrInvalidProof, "", fmt.Errorf("%w: %q is empty", jwt.ErrMissingClaim, m.name))
		}
	}
	return nil
}

// stringClaim reads the claim name of tok into *dst, which it leaves as it
// is if there is none. A claim that is not a string, null included, is an
// error wrapping jwt.ErrMalformed.
func stringClaim(tok *jwt.Token[jwt.RegisteredClaims], name string, dst *string) error {
	ok, err := tok.Claim(name, dst)
	if err != nil || !ok || *dst != "" {
		return err
	}
	// "" or null, which leaves *dst as it is: tell them apart.
	var p *string
	if _, err = tok.Claim(name, &p); err == nil && p == nil {
		err = fmt.Errorf("%w: claim %q is not a string", jwt.ErrMalformed, name)
	}
	return err
}

// quote quotes s, a value from a proof or a request, for an error message:
// in ASCII, and cut after 64 bytes.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// replayKey returns the replay cache key of a proof: the base64url SHA-256
// of its normalized "htu" and its "jti", separated by a byte that neither
// holds, so that keys are short whatever the proof says.
func replayKey(htu, jti string) string {
	h := sha256.New()
	h.Write([]byte(htu))
	h.Write([]byte{0})
	h.Write([]byte(jti))
	return "dpop-jti:" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
