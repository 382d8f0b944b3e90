package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits on verification options.
const (
	// DefaultMaxSize is the largest token, in bytes, that Verify reads when
	// VerifyOptions.MaxSize is zero.
	DefaultMaxSize = 8 << 10
	// MaxLeeway is the largest VerifyOptions.Leeway allowed.
	MaxLeeway = 5 * time.Minute
)

// VerifyOptions says what [Verify] requires of a token beyond a valid
// signature. The zero value (or a nil pointer) means the secure defaults:
// "exp" required and in the future, "nbf" if present in the past, no
// leeway, tokens carrying "aud" rejected, tokens up to DefaultMaxSize bytes.
type VerifyOptions struct {
	// Issuer, if set, must equal the token's "iss".
	Issuer string
	// Audience, if set, must share at least one value with the token's
	// "aud" (compared case-sensitively); a token without "aud" fails.
	Audience []string
	// Subject, if set, must equal the token's "sub".
	Subject string
	// Type, if set, must match the header "typ" as RFC 7515 §4.1.9 says:
	// case-insensitively, with "application/" optional, so "at+jwt"
	// matches "application/at+jwt". A token without "typ" fails.
	Type string
	// Leeway is the clock skew allowed on "exp", "nbf" and "iat", from 0
	// to MaxLeeway.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// AllowMissingExpiration accepts tokens without "exp". Without it,
	// such tokens fail with ErrMissingClaim.
	AllowMissingExpiration bool
	// IgnoreAudience accepts a token carrying "aud" when Audience is empty.
	// Without it, such a token fails with ErrAudienceMismatch, as RFC 7519
	// §4.1.3 requires of a recipient that does not identify itself.
	IgnoreAudience bool
	// CheckIssuedAt rejects tokens whose "iat" is in the future.
	CheckIssuedAt bool
	// Required lists claim names that must be present.
	Required []string
	// Critical lists the header extensions the caller understands and
	// checks itself; a token whose "crit" names any other is rejected.
	Critical []string
	// MaxSize is the largest token, in bytes; 0 means DefaultMaxSize.
	MaxSize int
}

// SignOptions sets the header of a token made by [Sign]. A nil pointer
// means the defaults.
type SignOptions struct {
	// Type is the header "typ"; "" means "JWT". Use explicit types such as
	// "at+jwt" (RFC 9068) to keep kinds of tokens apart (RFC 8725 §3.11).
	Type string
	// KeyID is the header "kid"; "" means the signer's own key ID, if it
	// has one (see [KeyIdentifier]).
	KeyID string
	// ContentType is the header "cty"; usually empty.
	ContentType string
}

// Token is a verified token: its signature was valid and its claims passed
// every check that the VerifyOptions asked for.
type Token[T any] struct {
	Header Header
	Claims T
	aud    [1]string // backing array for a single audience
}

// JWS is a verified JWS whose payload need not be a claims set.
type JWS struct {
	Header  Header
	Payload []byte
}

// Sign returns a compact JWT whose payload is claims encoded with
// encoding/json, signed by s. Claims given as []byte or json.RawMessage are
// used as they are, after a check that they hold one JSON object with unique
// member names.
func Sign(s Signer, claims any, opts *SignOptions) (string, error) {
	return SignContext(context.Background(), s, claims, opts)
}

// SignContext is like [Sign] and passes ctx to the Signer, for signers that
// call out to a KMS or an HSM.
func SignContext(ctx context.Context, s Signer, claims any, opts *SignOptions) (string, error) {
	var payload []byte
	switch c := claims.(type) {
	case RegisteredClaims:
		return signRegistered(ctx, s, &c, opts)
	case *RegisteredClaims:
		if c != nil {
			return signRegistered(ctx, s, c, opts)
		}
		payload = []byte("null")
	case []byte:
		payload = c
	case json.RawMessage:
		payload = c
	default:
		var err error
		if payload, err = json.Marshal(claims); err != nil {
			return "", fmt.Errorf("jwt: encoding claims: %w", err)
		}
	}
	var cs claimSet
	if err := readClaims(string(payload), &cs); err != nil {
		return "", fmt.Errorf("jwt: claims are not a valid claims set: %w", err)
	}
	return signPayload(ctx, s, payload, opts)
}

// signRegistered signs RegisteredClaims encoded without reflection.
func signRegistered(ctx context.Context, s Signer, c *RegisteredClaims, opts *SignOptions) (string, error) {
	for _, d := range [...]NumericDate{c.ExpiresAt, c.NotBefore, c.IssuedAt} {
		if !d.IsZero() && (d.Unix() < 0 || d.Unix() > maxNumericDate) {
			return "", fmt.Errorf("jwt: claims are not a valid claims set: %w: NumericDate %d out of range", ErrMalformed, d.Unix())
		}
	}
	var stack [512]byte
	return signPayload(ctx, s, c.appendJSON(stack[:0]), opts)
}

// appendJSON appends c as JSON, with the members encoding/json would write.
func (c *RegisteredClaims) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	sep := func(dst []byte, name string) []byte {
		if len(dst) > 1 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, name...)
		return append(dst, '"', ':')
	}
	if c.Issuer != "" {
		dst = appendJSONString(sep(dst, "iss"), c.Issuer)
	}
	if c.Subject != "" {
		dst = appendJSONString(sep(dst, "sub"), c.Subject)
	}
	switch {
	case len(c.Audience) == 1:
		dst = appendJSONString(sep(dst, "aud"), c.Audience[0])
	case len(c.Audience) > 1:
		dst = append(sep(dst, "aud"), '[')
		for i, a := range c.Audience {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, a)
		}
		dst = append(dst, ']')
	}
	if !c.ExpiresAt.IsZero() {
		dst = c.ExpiresAt.appendJSON(sep(dst, "exp"))
	}
	if !c.NotBefore.IsZero() {
		dst = c.NotBefore.appendJSON(sep(dst, "nbf"))
	}
	if !c.IssuedAt.IsZero() {
		dst = c.IssuedAt.appendJSON(sep(dst, "iat"))
	}
	if c.ID != "" {
		dst = appendJSONString(sep(dst, "jti"), c.ID)
	}
	return append(dst, '}')
}

// SignJWS returns a compact JWS over payload, which need not be JSON.
func SignJWS(ctx context.Context, s Signer, payload []byte, opts *SignOptions) (string, error) {
	return signPayload(ctx, s, payload, opts)
}

func signPayload(ctx context.Context, s Signer, payload []byte, opts *SignOptions) (string, error) {
	var o SignOptions
	if opts != nil {
		o = *opts
	}
	if o.Type == "" {
		o.Type = "JWT"
	}
	if o.KeyID == "" {
		o.KeyID = keyIDOf(s)
	}
	alg := s.Algorithm()
	if alg == "" || strings.EqualFold(alg, "none") {
		return "", fmt.Errorf("%w: signer algorithm %q", ErrUnsupportedAlgorithm, alg)
	}
	var hj [256]byte
	hdr := appendHeader(hj[:0], alg, o.KeyID, o.Type, o.ContentType)
	buf := getBuf()
	defer putBuf(buf)
	b := appendEncode(buf.b[:0], hdr)
	b = append(b, '.')
	b = appendEncode(b, payload)
	var sig []byte
	if hs, ok := s.(*hmacSigner); ok {
		var mac [64]byte
		sig = hs.appendSign(mac[:0], b) // no allocation for the MAC
	} else {
		var err error
		if sig, err = s.Sign(ctx, b[:len(b):len(b)]); err != nil {
			return "", fmt.Errorf("jwt: signing: %w", err)
		}
	}
	b = append(b, '.')
	b = appendEncode(b, sig)
	buf.b = b
	return string(b), nil
}

// Verify checks token and returns its header and claims. It checks, in
// this order: the size and the compact form; the header (see [Header]);
// the algorithm, which must equal the key's; the signature, with the key
// chosen by keys; and only then the claims, with the rules of opts (nil
// means the defaults of [VerifyOptions]). A token with a bad signature gets
// an error wrapping ErrInvalidSignature whatever its claims say. A claims
// failure is a *ValidationError listing every failed check.
//
// T is the claims type: [RegisteredClaims], a struct that embeds it (read
// with encoding/json), or map[string]any. The registered claims are always
// read and checked by this package's own strict reader, whatever T is.
func Verify[T any](token string, v Verifier, opts *VerifyOptions) (*Token[T], error) {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	var p parsed
	if err := p.verify(token, v, &o); err != nil {
		return nil, err
	}
	var cs claimSet
	if err := readClaims(p.payload, &cs); err != nil {
		return nil, err
	}
	if err := validate(&cs, &p.header, &o); err != nil {
		return nil, err
	}
	t := &Token[T]{Header: p.header}
	if cs.rc.Audience == nil && cs.names.has("aud") {
		t.aud[0] = cs.aud1
		cs.rc.Audience = t.aud[:]
	}
	switch c := any(&t.Claims).(type) {
	case *RegisteredClaims:
		*c = cs.rc
	default:
		if err := json.Unmarshal([]byte(p.payload), &t.Claims); err != nil {
			return nil, fmt.Errorf("%w: claims do not fit %T: %v", ErrMalformed, t.Claims, err)
		}
		if r, ok := any(&t.Claims).(interface{ registered() *RegisteredClaims }); ok {
			*r.registered() = cs.rc
		}
	}
	return t, nil
}

// VerifyJWS checks a compact JWS like [Verify] but does not read its
// payload as claims: it checks the size, form, header, algorithm and
// signature, and returns the payload bytes as they are. Nothing about
// expiry or audience is checked; use it only for payloads that are not JWT
// claims sets. Of opts, only Type, Critical and MaxSize are used.
func VerifyJWS(token string, v Verifier, opts *VerifyOptions) (*JWS, error) {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	var p parsed
	p.rawPayload = true
	if err := p.verify(token, v, &o); err != nil {
		return nil, err
	}
	if o.Type != "" && !typeMatches(p.header.Type, o.Type) {
		return nil, fmt.Errorf("%w: typ %q, want %q", ErrTypeMismatch, p.header.Type, o.Type)
	}
	return &JWS{Header: p.header, Payload: []byte(p.payload)}, nil
}

// Unverified is a token read by [ParseUnverified]. NOTHING in it has been
// verified: anyone can make a token that says anything.
type Unverified struct {
	Header       Header
	HeaderJSON   []byte // the decoded header
	Payload      []byte // the decoded payload
	Signature    []byte // the decoded signature
	SigningInput string // the first two segments, as signed
}

// ParseUnverified reads a compact JWS without verifying its signature or
// its claims. It applies the format checks of [Verify] (size, segments,
// strict base64url, a header that is a JSON object with unique members) and
// nothing else.
//
// It is unsafe for any trust decision. Use it only to display a token or to
// read a hint, such as "iss", that selects which Keys to verify with.
func ParseUnverified(token string) (*Unverified, error) {
	d1, d2, err := split(token, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	u := &Unverified{SigningInput: token[:d2]}
	if u.HeaderJSON, err = decodeSegment(nil, token[:d1]); err != nil {
		return nil, err
	}
	if err := readHeader(string(u.HeaderJSON), &u.Header, nil); err != nil && !errors.Is(err, ErrUnsupportedCritical) {
		return nil, err
	}
	if u.Payload, err = decodeSegment(nil, token[d1+1:d2]); err != nil {
		return nil, err
	}
	if u.Signature, err = decodeSegment(nil, token[d2+1:]); err != nil {
		return nil, err
	}
	return u, nil
}

// split checks the size of a compact JWS and finds its two dots, without
// allocating (CVE-2025-30204: no slice per segment).
func split(token string, max int) (d1, d2 int, err error) {
	if len(token) > max {
		return 0, 0, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(token), max)
	}
	d1 = strings.IndexByte(token, '.')
	if d1 < 0 {
		return 0, 0, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	d2 = strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return 0, 0, fmt.Errorf("%w: not three segments", ErrMalformed)
	}
	d2 += d1 + 1
	if strings.IndexByte(token[d2+1:], '.') >= 0 {
		return 0, 0, fmt.Errorf("%w: more than three segments", ErrMalformed)
	}
	if d1 == 0 {
		return 0, 0, fmt.Errorf("%w: empty header", ErrMalformed)
	}
	return d1, d2, nil
}

// parsed is a token whose signature verify has checked.
type parsed struct {
	header     Header
	payload    string // decoded payload
	rawPayload bool   // payload need not be JSON
}

// verify checks everything up to and including the signature.
func (p *parsed) verify(token string, key Verifier, o *VerifyOptions) error {
	max := o.MaxSize
	if max == 0 {
		max = DefaultMaxSize
	}
	if max < 0 {
		return fmt.Errorf("%w: negative MaxSize", ErrInvalidOption)
	}
	if o.Leeway < 0 || o.Leeway > MaxLeeway {
		return fmt.Errorf("%w: leeway %v outside [0, %v]", ErrInvalidOption, o.Leeway, MaxLeeway)
	}
	if key == nil {
		return fmt.Errorf("%w: no key", ErrKeyNotFound)
	}
	d1, d2, err := split(token, max)
	if err != nil {
		return err
	}
	buf := getBuf()
	defer putBuf(buf)
	var hc *headerCache
	if c, ok := key.(interface{ cache() *headerCache }); ok {
		hc = c.cache()
	}
	var b []byte
	if h, ok := hc.lookup(token[:d1]); ok {
		// The same header bytes as the last token: the same header.
		p.header = h
		if b, err = decodeSegment(buf.b[:0], token[d1+1:d2]); err != nil {
			return err
		}
		p.payload = string(b)
	} else {
		// One decoded copy of header and payload, as a single string that
		// the header and claims are substrings of.
		if b, err = decodeSegment(buf.b[:0], token[:d1]); err != nil {
			return err
		}
		hlen := len(b)
		if b, err = decodeSegment(b, token[d1+1:d2]); err != nil {
			return err
		}
		decoded := string(b)
		if err := readHeader(decoded[:hlen], &p.header, o.Critical); err != nil {
			return err
		}
		p.payload = decoded[hlen:]
		hc.store(token[:d1], &p.header)
	}
	alg := p.header.Algorithm
	if alg == "" || strings.EqualFold(alg, "none") {
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	one := [1]Verifier{key}
	verifiers := one[:]
	if ks, ok := key.(Keys); ok {
		if verifiers, err = ks.Lookup(alg, p.header.KeyID); err != nil {
			return err
		}
	}
	// The signing input and the signature, in the scratch buffer.
	b = append(b[:0], token[:d2]...)
	if b, err = decodeSegment(b, token[d2+1:]); err != nil {
		return err
	}
	buf.b = b
	input, sig := b[:d2], b[d2:]
	for _, v := range verifiers {
		if v.Algorithm() != alg {
			return fmt.Errorf("%w: token has %q, key is bound to %q", ErrAlgorithmMismatch, alg, v.Algorithm())
		}
		if err := v.Verify(input, sig); err == nil {
			return nil
		}
	}
	return ErrInvalidSignature
}

// validate applies the claim checks of o and reports every failure.
func validate(cs *claimSet, h *Header, o *VerifyOptions) error {
	var errs []error
	var now time.Time
	if o.Now != nil {
		now = o.Now()
	} else {
		now = time.Now()
	}
	rc := &cs.rc
	switch {
	case !rc.ExpiresAt.IsZero():
		if !now.Before(rc.ExpiresAt.Add(o.Leeway)) {
			errs = append(errs, fmt.Errorf("%w: exp %s", ErrExpired, rc.ExpiresAt.UTC().Format(time.RFC3339)))
		}
	case !o.AllowMissingExpiration:
		errs = append(errs, fmt.Errorf("%w: exp", ErrMissingClaim))
	}
	if !rc.NotBefore.IsZero() && now.Add(o.Leeway).Before(rc.NotBefore.Time) {
		errs = append(errs, fmt.Errorf("%w: nbf %s", ErrNotYetValid, rc.NotBefore.UTC().Format(time.RFC3339)))
	}
	if o.CheckIssuedAt && !rc.IssuedAt.IsZero() && now.Add(o.Leeway).Before(rc.IssuedAt.Time) {
		errs = append(errs, fmt.Errorf("%w: iat %s", ErrIssuedInFuture, rc.IssuedAt.UTC().Format(time.RFC3339)))
	}
	if o.Issuer != "" && rc.Issuer != o.Issuer {
		errs = append(errs, fmt.Errorf("%w: iss %q, want %q", ErrIssuerMismatch, rc.Issuer, o.Issuer))
	}
	if o.Subject != "" && rc.Subject != o.Subject {
		errs = append(errs, fmt.Errorf("%w: sub %q, want %q", ErrSubjectMismatch, rc.Subject, o.Subject))
	}
	hasAud := cs.names.has("aud")
	switch {
	case len(o.Audience) > 0:
		if !audienceMatches(cs, o.Audience) {
			errs = append(errs, fmt.Errorf("%w: token is not for %q", ErrAudienceMismatch, o.Audience))
		}
	case hasAud && !o.IgnoreAudience:
		errs = append(errs, fmt.Errorf("%w: token has \"aud\" and no audience is expected", ErrAudienceMismatch))
	}
	if o.Type != "" && !typeMatches(h.Type, o.Type) {
		errs = append(errs, fmt.Errorf("%w: typ %q, want %q", ErrTypeMismatch, h.Type, o.Type))
	}
	for _, name := range o.Required {
		if !cs.names.has(name) {
			errs = append(errs, fmt.Errorf("%w: %q", ErrMissingClaim, name))
		}
	}
	if errs != nil {
		return &ValidationError{Errors: errs}
	}
	return nil
}

func audienceMatches(cs *claimSet, want []string) bool {
	if cs.rc.Audience == nil {
		return cs.names.has("aud") && contains(want, cs.aud1)
	}
	for _, w := range want {
		if cs.rc.Audience.Contains(w) {
			return true
		}
	}
	return false
}

// headerCache remembers the last header a built-in Verifier read. Tokens
// from one issuer carry byte-for-byte the same header, so a match on the
// encoded header skips decoding and reading it again. Only headers without
// "crit" are kept, since what "crit" may name depends on the call's options.
// A nil *headerCache caches nothing.
type headerCache struct {
	last atomic.Pointer[cachedHeader]
}

type cachedHeader struct {
	enc string // the base64url header segment
	h   Header
}

func (c *headerCache) cache() *headerCache { return c }

func (c *headerCache) lookup(enc string) (Header, bool) {
	if c == nil {
		return Header{}, false
	}
	if last := c.last.Load(); last != nil && last.enc == enc {
		return last.h, true
	}
	return Header{}, false
}

func (c *headerCache) store(enc string, h *Header) {
	if c == nil || h.Critical != nil || len(enc) > 512 {
		return
	}
	c.last.Store(&cachedHeader{
		enc: strings.Clone(enc),
		h: Header{
			Algorithm:   strings.Clone(h.Algorithm),
			KeyID:       strings.Clone(h.KeyID),
			Type:        strings.Clone(h.Type),
			ContentType: strings.Clone(h.ContentType),
		},
	})
}

// scratch is a reusable buffer for decoding and signing.
type scratch struct{ b []byte }

// bufPool holds scratch buffers; it is a cache with no visible state.
var bufPool = sync.Pool{New: func() any { return &scratch{b: make([]byte, 0, 2048)} }}

func getBuf() *scratch { return bufPool.Get().(*scratch) }

func putBuf(s *scratch) {
	if cap(s.b) <= 64<<10 {
		bufPool.Put(s)
	}
}
