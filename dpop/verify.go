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
	"strings"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/strictjson"
	"github.com/jwtkit/jwt/internal/typ"
)

// Limits and defaults of a Verifier.
const (
	// DefaultWindow is how far a proof's "iat" may be from the verifier's
	// clock, in the past or the future, unless Options.Window is set.
	DefaultWindow = 60 * time.Second
	// MaxWindow is the largest Options.Window.
	MaxWindow = 10 * time.Minute
	// DefaultMaxSize is the largest proof, in bytes, unless
	// Options.MaxSize is set: enough for an RSA key of 8192 bits.
	DefaultMaxSize = 4 << 10
)

// Options configures a Verifier. The zero value means the defaults.
type Options struct {
	// Algorithms lists the algorithms a proof may use; nil means
	// DefaultAlgorithms. Each must be an asymmetric algorithm of package
	// jwt: an HMAC algorithm is an error.
	Algorithms []jwt.Algorithm
	// Window bounds how far a proof's "iat" may be from now, in either
	// direction; 0 means DefaultWindow, and it may be at most MaxWindow.
	// A proof is remembered by the replay cache for twice this long, and a
	// second.
	Window time.Duration
	// MaxSize is the largest proof, in bytes; 0 means DefaultMaxSize.
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
// otherwise, in a new slice: every asymmetric algorithm of package jwt.
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
		v.window = DefaultWindow
	}
	if v.window < 0 || v.window > MaxWindow {
		return nil, errorf(jwt.ErrInvalidOption, "DPoP window %v is not between 0 and %v", opts.Window, MaxWindow)
	}
	if v.maxSize == 0 {
		v.maxSize = DefaultMaxSize
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
	return v.Verify(ctx, proof, &Request{
		Method:      r.Method,
		URI:         requestURI(r, v.base),
		AccessToken: accessToken,
		JKT:         jkt,
	})
}

// Verify checks proof against req with every check of RFC 9449 §4.3 and
// returns it. In this order, it checks: that the proof is at most MaxSize
// bytes and a well-formed JWT; that its "typ" is dpop+jwt; that its "alg"
// is in the allow-list; that its "jwk" is a public key (any private member
// refused) that the algorithm accepts; the signature, with that key; the
// claims "jti", "htm", "htu" and "iat", all required ("exp" and "nbf" are
// checked if present, "aud" ignored); that "htm" equals req.Method; that
// "htu" equals req.URI after normalization; that "iat" is within the
// window of now; the server nonce, if Options.Nonces is set; "ath", if
// req.AccessToken is set; that req.JKT equals the key's thumbprint, if set
// or if req.AccessToken is; and last, so that only proofs that passed every
// other check are remembered, that no proof with the same "jti" and "htu"
// was seen within twice the window (and a second).
//
// Each failure is an error wrapping ErrInvalidProof and the sentinel of the
// check, such as ErrURIMismatch, except a binding failure (ErrTokenBinding)
// and a replay cache failure (ErrReplayCache). Packages jwthttp and session
// answer them with the error codes of RFC 9449.
func (v *Verifier) Verify(ctx context.Context, proof string, req *Request) (*Proof, error) {
	if req == nil {
		return nil, errorf(jwt.ErrInvalidOption, "no request to check the DPoP proof against")
	}
	if proof == "" {
		return nil, ErrMissingProof
	}
	if len(proof) > v.maxSize {
		return nil, &chainError{msg: fmt.Sprintf("%v: %d bytes, limit %d", ErrProofTooLarge, len(proof), v.maxSize), errs: []error{ErrProofTooLarge, jwt.ErrTooLarge}}
	}
	u, err := jwt.ParseUnverified(proof, v.maxSize)
	if err != nil {
		return nil, wrap(ErrInvalidProof, "", err)
	}
	if !typeIsDPoP(u.Header.Type) {
		return nil, fmt.Errorf("%w: typ %s", ErrProofType, strictjson.Quote(u.Header.Type))
	}
	alg := v.algorithm(u.Header.Algorithm)
	if alg == nil {
		return nil, fmt.Errorf("%w: alg %s", ErrProofAlgorithm, strictjson.Quote(u.Header.Algorithm))
	}
	key, err := headerKey(u.HeaderJSON)
	if err != nil {
		return nil, err
	}
	verifier, err := key.Verifier(alg)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	tok, err := jwt.Verify[json.RawMessage](ctx, proof, verifier, &jwt.VerifyOptions{
		Type:                   ProofType,
		Now:                    v.now,
		AllowMissingExpiration: true,
		IgnoreAudience:         true,
		Required:               []string{"jti", "htm", "htu", "iat"},
		MaxSize:                v.maxSize,
	})
	if err != nil {
		return nil, wrap(ErrInvalidProof, "", err)
	}
	c, err := readClaims(tok.Claims)
	if err != nil {
		return nil, err
	}
	if c.Method != req.Method {
		return nil, fmt.Errorf("%w: htm %s, request %s", ErrMethodMismatch, strictjson.Quote(c.Method), strictjson.Quote(req.Method))
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
		return nil, fmt.Errorf("%w: htu %s, request %s", ErrURIMismatch, strictjson.Quote(htu), strictjson.Quote(want))
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
	jkt, err := Thumbprint(key)
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	p := &Proof{Claims: c, Algorithm: alg.Name(), Key: key, JKT: jkt}
	if req.JKT != "" || req.AccessToken != "" {
		if err := p.CheckBinding(req.JKT); err != nil {
			return nil, err
		}
	}
	// A proof is accepted while now is within the window of its iat, so
	// for at most twice the window after its first use, both ends
	// included: a second more covers the last instant.
	fresh, err := v.replay.Remember(ctx, replayKey(htu, c.ID), 2*v.window+time.Second)
	if err != nil {
		return nil, wrap(ErrReplayCache, "", err)
	}
	if !fresh {
		return nil, ErrReplay
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

// privateMembers are the JWK members that hold private or secret key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// headerKey returns the public key of the header's "jwk" member.
func headerKey(header []byte) (*jwt.JWK, error) {
	var raw string
	err := eachMember(string(header), func(name, value string) error {
		if name == "jwk" {
			raw = value
		}
		return nil
	})
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	if raw == "" {
		return nil, fmt.Errorf("%w: the header has no jwk", ErrProofKey)
	}
	// Refuse private members by name before parsing, whatever the key type:
	// a client that sends its private key has lost it. (A jwk that is not a
	// valid object is left to ParseJWK to report.)
	err = eachMember(raw, func(name, _ string) error {
		for _, p := range privateMembers {
			if name == p {
				return fmt.Errorf("%w: jwk has the private member %q", ErrProofKey, name)
			}
		}
		return nil
	})
	if errors.Is(err, ErrProofKey) {
		return nil, err
	}
	key, err := jwt.ParseJWK([]byte(raw))
	if err != nil {
		return nil, wrap(ErrProofKey, "", err)
	}
	if key.IsPrivate() {
		return nil, fmt.Errorf("%w: jwk is not a public key", ErrProofKey)
	}
	return key, nil
}

// eachMember calls f with the name and raw JSON value of each member of
// the JSON object obj, read with the strict reader, and stops at f's first
// error.
func eachMember(obj string, f func(name, value string) error) error {
	r := strictjson.NewReader(obj)
	if err := r.ObjectStart(); err != nil {
		return err
	}
	var names strictjson.NameSet
	n, ok, err := r.FirstMember()
	for ; ok && err == nil; n, ok, err = r.NextMember() {
		if err = names.Add(n); err != nil {
			return err
		}
		r.Peek()
		start := r.Offset()
		if err = r.Skip(); err != nil {
			return err
		}
		if err = f(n, r.Slice(start)); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return r.End()
}

// readClaims reads the claims of a proof whose signature and registered
// claims jwt.Verify has checked. Member names are matched exactly: "HTM"
// is not "htm".
func readClaims(payload []byte) (Claims, error) {
	var c Claims
	r := strictjson.NewReader(string(payload))
	if err := r.ObjectStart(); err != nil {
		return c, wrap(ErrInvalidProof, "", err)
	}
	bad := func(err error) (Claims, error) { return Claims{}, wrap(ErrInvalidProof, "", err) }
	n, ok, err := r.FirstMember()
	for ; ok && err == nil; n, ok, err = r.NextMember() {
		var dst *string
		switch n {
		case "jti":
			dst = &c.ID
		case "htm":
			dst = &c.Method
		case "htu":
			dst = &c.URI
		case "ath":
			dst = &c.AccessTokenHash
		case "nonce":
			dst = &c.Nonce
		case "iat":
			num, err := r.Number()
			if err != nil {
				return bad(err)
			}
			if err := c.IssuedAt.UnmarshalJSON([]byte(num)); err != nil {
				return bad(err)
			}
			continue
		default:
			if err := r.Skip(); err != nil {
				return bad(err)
			}
			continue
		}
		if r.Peek() != '"' {
			return bad(strictjson.Errorf("claim %q is not a string", n))
		}
		if *dst, err = r.String(); err != nil {
			return bad(err)
		}
	}
	if err != nil {
		return bad(err)
	}
	for _, m := range []struct{ name, v string }{{"jti", c.ID}, {"htm", c.Method}, {"htu", c.URI}} {
		if m.v == "" {
			return Claims{}, wrap(ErrInvalidProof, "", fmt.Errorf("%w: %q is empty", jwt.ErrMissingClaim, m.name))
		}
	}
	return c, nil
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
