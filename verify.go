package jwt

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// Limits on verification options.
const (
	// DefaultMaxSize is the largest token, in bytes, that Verify,
	// VerifyJWS and ParseUnverified read unless told otherwise.
	DefaultMaxSize = 8 << 10
	// MaxLeeway is the largest VerifyOptions.Leeway allowed.
	MaxLeeway = 5 * time.Minute
)

// VerifyOptions says what [Verify] requires of a token beyond a valid
// signature. The zero value (or a nil pointer) means the secure defaults:
// "exp" required and in the future, "nbf" if present in the past, no
// leeway, tokens carrying "aud" rejected, tokens up to DefaultMaxSize bytes.
// Options that contradict each other or are out of range make Verify return
// an error wrapping ErrInvalidOption.
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
	// §4.1.3 requires of a recipient that does not identify itself. Setting
	// both IgnoreAudience and Audience is an error.
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

// VerifyJWSOptions says what [VerifyJWS] requires of a JWS beyond a valid
// signature. A nil pointer means the defaults.
type VerifyJWSOptions struct {
	// Type, if set, must match the header "typ" as for VerifyOptions.Type.
	Type string
	// Critical lists the header extensions the caller understands and
	// checks itself; a JWS whose "crit" names any other is rejected.
	Critical []string
	// MaxSize is the largest JWS, in bytes; 0 means DefaultMaxSize.
	MaxSize int
}

// Verify checks token and returns its header and claims. It checks, in
// this order: the size and the compact form; the header (see [Header]);
// the signature, with a key that keys chooses and that must be bound to the
// header's algorithm; and only then the claims, with the rules of opts (nil
// means the defaults of [VerifyOptions]). ctx is passed to keys, which may
// fetch keys within its deadline. A token with a bad signature gets an
// error wrapping ErrInvalidSignature whatever its claims say. A claims
// failure is a *ValidationError listing every failed check.
//
// T is the claims type: [RegisteredClaims], a struct that embeds it or a
// pointer to it at any depth, map[string]any, or any other type
// encoding/json can decode a JSON object into; claims that do not fit T
// are an error wrapping ErrMalformed. T receives what json.Unmarshal would
// store in it, decoded in the strict reader's one pass over the claims
// (fields and values whose types have their own UnmarshalJSON or
// UnmarshalText are handed to encoding/json). The registered claims are
// always read and checked by this package's own strict reader, whatever T
// is, and written into the embedded RegisteredClaims.
func Verify[T any](ctx context.Context, token string, keys KeySource, opts *VerifyOptions) (*Token[T], error) {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	if o.Leeway < 0 || o.Leeway > MaxLeeway {
		return nil, fmt.Errorf("%w: leeway %v outside [0, %v]", ErrInvalidOption, o.Leeway, MaxLeeway)
	}
	if o.IgnoreAudience && len(o.Audience) > 0 {
		return nil, fmt.Errorf("%w: both Audience and IgnoreAudience are set", ErrInvalidOption)
	}
	if ik, ok := keys.(IssuerKeySource); ok {
		switch iss := ik.Issuer(); {
		case iss == "":
		case o.Issuer == "":
			o.Issuer = iss
		case o.Issuer != iss:
			return nil, fmt.Errorf("%w: VerifyOptions.Issuer is %s, but the key source holds the keys of %s", ErrInvalidOption, quote(o.Issuer), quote(iss))
		}
	}
	if _, ok := keys.(IssuerResolver); ok && o.Issuer != "" {
		return nil, fmt.Errorf("%w: VerifyOptions.Issuer is set, but the key source chooses the issuer", ErrInvalidOption)
	}
	var p parsed
	if err := p.verify(ctx, token, keys, o.MaxSize, o.Critical, isRegistered[T]()); err != nil {
		return nil, err
	}
	defer p.release()
	if p.issuer != "" {
		o.Issuer = p.issuer // the token's "iss" must be the issuer whose keys verified it
	}
	// The claims are read in one pass: for T other than RegisteredClaims,
	// the pass also decodes them into T (see decode.go). A member that does
	// not fit T is reported after the claims checks.
	var cs claimSet
	var t *Token[T]
	var fit error
	switch any((*T)(nil)).(type) {
	case *RegisteredClaims, **RegisteredClaims:
		if err := readClaims(p.payload, &cs); err != nil {
			return nil, err
		}
	default:
		t = new(Token[T])
		var err error
		if fit, err = decodeClaims(p.payload, &cs, &t.Claims); err != nil {
			return nil, err
		}
	}
	err := validate(&cs, &p.header, &o)
	cs.names.Release() // no name is looked up past validation
	if err != nil {
		return nil, err
	}
	switch {
	case t != nil:
	case p.buf != nil:
		// The payload and the strings read from it are views of the
		// pooled buffer: copy them into a Token of their own.
		t = any(detachedToken(&cs, p.payload)).(*Token[T])
	default:
		t = new(Token[T])
	}
	if p.buf == nil {
		t.payload = p.payload // a string of its own
	}
	t.Header = p.header
	if cs.rc.Audience == nil && cs.has("aud") {
		t.aud[0] = cs.aud1
		cs.rc.Audience = t.aud[:]
	}
	switch c := any(&t.Claims).(type) {
	case *RegisteredClaims:
		*c = cs.rc
	case **RegisteredClaims:
		rc := cs.rc
		*c = &rc
	default:
		if fit != nil {
			return nil, fmt.Errorf("%w: claims do not fit %T: %w", ErrMalformed, t.Claims, fit)
		}
		if err := fillRegistered(&t.Claims, &cs.rc); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// VerifyJWS checks a compact JWS like [Verify] but does not read its
// payload as claims: it checks the size, form, header, algorithm and
// signature, and the header "typ" if opts asks, and returns the payload
// bytes as they are. Nothing about expiry or audience is checked: use it
// only for payloads that are not JWT claims sets.
func VerifyJWS(ctx context.Context, token string, keys KeySource, opts *VerifyJWSOptions) (*JWS, error) {
	var o VerifyJWSOptions
	if opts != nil {
		o = *opts
	}
	var p parsed
	if err := p.verify(ctx, token, keys, o.MaxSize, o.Critical, true); err != nil {
		return nil, err
	}
	defer p.release()
	if o.Type != "" && !typeMatches(p.header.Type, o.Type) {
		return nil, fmt.Errorf("%w: typ %s, want %s", ErrTypeMismatch, quote(p.header.Type), quote(o.Type))
	}
	// One copy of the payload, out of the buffer it may be a view of.
	return &JWS{Header: p.header, Payload: []byte(p.payload)}, nil
}

// split checks the size of a compact JWS and finds its two dots, without
// allocating (CVE-2025-30204: no slice per segment).
func split(token string, max int) (d1, d2 int, err error) {
	if max == 0 {
		max = DefaultMaxSize
	}
	if max < 0 {
		return 0, 0, fmt.Errorf("%w: negative MaxSize", ErrInvalidOption)
	}
	if len(token) > max {
		return 0, 0, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(token), max)
	}
	d1 = strings.IndexByte(token, '.')
	if d1 < 0 {
		return 0, 0, malformedForm(token, "not three segments")
	}
	d2 = strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return 0, 0, malformedForm(token, "not three segments")
	}
	d2 += d1 + 1
	if strings.IndexByte(token[d2+1:], '.') >= 0 {
		return 0, 0, malformedForm(token, "more than three segments")
	}
	if d1 == 0 {
		return 0, 0, fmt.Errorf("%w: empty header", ErrMalformed)
	}
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		return 0, 0, malformedForm(token, "")
	}
	return d1, d2, nil
}

// malformedForm reports a token that is not compact JWS, with a hint for
// the common mistake of passing an Authorization header's value.
func malformedForm(token, why string) error {
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		return fmt.Errorf("%w: the token starts with %s: pass the token without the authorization scheme", ErrMalformed, quote(token[:7]))
	}
	return fmt.Errorf("%w: %s", ErrMalformed, why)
}

// parsed is a token whose signature verify has checked.
type parsed struct {
	header  Header
	payload string // decoded payload
	issuer  string // the issuer an IssuerResolver chose keys for, or ""
	// buf, when not nil, holds the bytes payload is a view of: payload and
	// every substring of it are valid only until release, and must be
	// copied to outlive it.
	buf *scratch
}

// release returns the buffer payload may be a view of.
func (p *parsed) release() {
	if p.buf != nil {
		putBuf(p.buf)
		p.buf, p.payload = nil, ""
	}
}

// verify checks everything up to and including the signature. With view,
// the payload may be left in a pooled buffer (see parsed.buf) instead of
// copied; the caller then calls release.
func (p *parsed) verify(ctx context.Context, token string, keys KeySource, maxSize int, critical []string, view bool) (err error) {
	if keys == nil {
		return fmt.Errorf("%w: nil KeySource", ErrKeyNotFound)
	}
	d1, d2, err := split(token, maxSize)
	if err != nil {
		return err
	}
	buf := getBuf()
	kept := false
	defer func() {
		if !kept {
			putBuf(buf)
		} else if err != nil {
			p.release()
		}
	}()
	// One decoded copy of header and payload, as a single string that the
	// header and claims are substrings of.
	b, err := decodeSegment(buf.b[:0], token[:d1])
	if err != nil {
		return err
	}
	// With a common header, the payload stays in the buffer, before the
	// signing input, until the signature is good: a forged token costs no
	// allocation. at is where the signing input goes.
	at := 0
	common := readCommonHeader(b, &p.header)
	if common {
		p.header.segment = token[:d1]
		// The header's strings are constants.
		if b, err = decodeSegment(b[:0], token[d1+1:d2]); err != nil {
			return err
		}
		at = len(b)
	} else {
		hlen := len(b)
		if b, err = decodeSegment(b, token[d1+1:d2]); err != nil {
			return err
		}
		decoded := string(b)
		if err := readHeader(decoded[:hlen], &p.header, critical); err != nil {
			return err
		}
		p.payload = decoded[hlen:]
	}
	alg := p.header.Algorithm
	if alg == "" || strings.EqualFold(alg, "none") {
		return fmt.Errorf("%w: %s", ErrUnsupportedAlgorithm, quote(alg))
	}
	var verifiers []Verifier
	if r, ok := keys.(IssuerResolver); ok {
		payload := p.payload
		if common {
			payload = string(b[:at])
		}
		verifiers, err = p.lookupIssuer(ctx, r, payload)
	} else {
		verifiers, err = keys.Lookup(ctx, p.header)
	}
	if err != nil {
		return err
	}
	if len(verifiers) == 0 {
		return fmt.Errorf("%w: the key source returned no key", ErrKeyNotFound)
	}
	// The signing input and the signature, in the scratch buffer (append
	// keeps b[:at] if it moves it).
	b = append(b[:at], token[:d2]...)
	if b, err = decodeSegment(b, token[d2+1:]); err != nil {
		return err
	}
	buf.b = b
	input, sig := b[at:at+d2], b[at+d2:]
	for _, v := range verifiers {
		if v == nil {
			return fmt.Errorf("%w: the key source returned a nil Verifier", ErrKeyNotFound)
		}
		if got := v.Algorithm(); got != alg {
			return fmt.Errorf("%w: token has alg %s, key is bound to %s", ErrAlgorithmMismatch, quote(alg), quote(got))
		}
		if err := v.Verify(input, sig); err != nil {
			continue
		}
		switch {
		case !common:
		case view:
			// The buffer is not written again until release.
			p.payload = unsafe.String(unsafe.SliceData(b), at)
			p.buf, kept = buf, true
		default:
			p.payload = string(b[:at])
		}
		return nil
	}
	return ErrInvalidSignature
}

// isRegistered reports whether T is RegisteredClaims, whose Verify reads a
// view of the payload and copies out only the strings it keeps.
func isRegistered[T any]() bool {
	_, ok := any((*T)(nil)).(*RegisteredClaims)
	return ok
}

// detachedToken returns a new Token for cs's registered claims, read from
// payload, with a copy of payload; payload and cs's strings (cs.rc and
// cs.aud1) are views of memory about to be reused. It points cs's strings at
// the copy of payload, or, for strings that are not substrings of it (those
// with escapes), at copies of their own; the caller copies cs.rc into the
// Token. The bytes are allocated with the Token when they fit one of a few
// sizes (one allocation instead of two); they are never written after they
// are copied, which is what unsafe.String requires.
func detachedToken(cs *claimSet, payload string) *Token[RegisteredClaims] {
	rc := &cs.rc
	start := uintptr(unsafe.Pointer(unsafe.StringData(payload)))
	end := start + uintptr(len(payload))
	inPayload := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return p >= start && p+uintptr(len(s)) <= end
	}
	n := len(payload)
	for _, s := range [...]string{rc.Issuer, rc.Subject, rc.ID, cs.aud1} {
		if !inPayload(s) {
			n += len(s)
		}
	}
	for _, a := range rc.Audience {
		if !inPayload(a) {
			n += len(a)
		}
	}
	var t *Token[RegisteredClaims]
	var b []byte
	// Each size makes the whole a size class of the allocator.
	switch {
	case n <= 384-tokenSize:
		t, b = tokenWith[[384 - tokenSize]byte]()
	case n <= 512-tokenSize:
		t, b = tokenWith[[512 - tokenSize]byte]()
	case n <= 768-tokenSize:
		t, b = tokenWith[[768 - tokenSize]byte]()
	case n <= 1024-tokenSize:
		t, b = tokenWith[[1024 - tokenSize]byte]()
	case n <= 2048-tokenSize:
		t, b = tokenWith[[2048 - tokenSize]byte]()
	default:
		t, b = new(Token[RegisteredClaims]), make([]byte, n)
	}
	c := copy(b, payload)
	t.payload, b = unsafe.String(&b[0], c), b[c:]
	own := func(s *string) {
		switch {
		case *s == "":
			*s = "" // not a view of the buffer, even of no bytes
		case inPayload(*s):
			off := uintptr(unsafe.Pointer(unsafe.StringData(*s))) - start
			*s = t.payload[off : off+uintptr(len(*s))]
		default:
			c := copy(b, *s)
			*s, b = unsafe.String(&b[0], c), b[c:]
		}
	}
	own(&rc.Issuer)
	own(&rc.Subject)
	own(&rc.ID)
	own(&cs.aud1)
	for i := range rc.Audience {
		own(&rc.Audience[i])
	}
	return t
}

// tokenSize is the size of a Token of registered claims.
const tokenSize = int(unsafe.Sizeof(Token[RegisteredClaims]{}))

// tokenWith allocates a Token and an array of type B together, and returns
// the Token and the array's bytes.
func tokenWith[B any]() (*Token[RegisteredClaims], []byte) {
	h := new(struct {
		t Token[RegisteredClaims]
		b B
	})
	return &h.t, unsafe.Slice((*byte)(unsafe.Pointer(&h.b)), unsafe.Sizeof(h.b))
}
