package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jwtkit/jwt/internal/codec"
)

// SignOptions sets the header of a token made by [Sign] or [SignJWS]. A nil
// pointer means the defaults. The header "kid" is the Signer's key ID (see
// [SignerWithKeyID]).
type SignOptions struct {
	// Type is the header "typ"; "" means "JWT" for Sign and none for
	// SignJWS. Use explicit types such as "at+jwt" (RFC 9068) to keep kinds
	// of tokens apart (RFC 8725 §3.11).
	Type string
	// ContentType is the header "cty"; usually empty.
	ContentType string
}

// Sign returns a compact JWT whose payload is claims encoded with
// encoding/json, signed by s; ctx is passed to the Signer, for signers that
// call out to a KMS or an HSM. Claims given as []byte or json.RawMessage are
// used as they are. Either way the payload must be a claims set that
// [Verify] accepts (one JSON object, unique member names, registered claims
// of the right types), or Sign returns an error wrapping ErrInvalidClaims
// instead of a token nobody can verify.
func Sign(ctx context.Context, s Signer, claims any, opts *SignOptions) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: nil Signer", ErrInvalidKey)
	}
	var payload []byte
	switch c := claims.(type) {
	case RegisteredClaims:
		return signRegistered(ctx, s, &c, opts)
	case *RegisteredClaims:
		if c == nil {
			return "", fmt.Errorf("%w: nil *RegisteredClaims", ErrInvalidClaims)
		}
		return signRegistered(ctx, s, c, opts)
	case []byte:
		payload = c
	case json.RawMessage:
		payload = c
	default:
		// Per-type encoders (internal/codec) write what json.Marshal would; their
		// output needs the re-read below only if they say so.
		e := codec.NewEncoder(&registered)
		defer e.Release()
		if e.Encode(claims) {
			if !e.Check() {
				return signPayload(ctx, s, e.Bytes(), opts, "JWT")
			}
			payload = e.Bytes()
			break
		}
		var err error
		if payload, err = json.Marshal(claims); err != nil {
			return "", fmt.Errorf("%w: encoding: %w", ErrInvalidClaims, err)
		}
	}
	var cs claimSet
	err := readClaims(string(payload), &cs)
	cs.names.Release()
	if err != nil {
		return "", &multiError{
			msg:  ErrInvalidClaims.Error() + ": not a claims set that Verify accepts: " + syntaxDetail(err),
			errs: []error{ErrInvalidClaims, err},
		}
	}
	return signPayload(ctx, s, payload, opts, "JWT")
}

// signRegistered signs RegisteredClaims encoded without reflection.
func signRegistered(ctx context.Context, s Signer, c *RegisteredClaims, opts *SignOptions) (string, error) {
	for _, d := range [...]NumericDate{c.ExpiresAt, c.NotBefore, c.IssuedAt} {
		if !d.IsZero() && (d.Unix() < 0 || d.Unix() > maxNumericDate) {
			return "", fmt.Errorf("%w: NumericDate %d out of range", ErrInvalidClaims, d.Unix())
		}
	}
	var stack [512]byte
	return signPayload(ctx, s, c.appendJSON(stack[:0]), opts, "JWT")
}

// SignJWS returns a compact JWS over payload, which need not be JSON, signed
// by s. Its header has no "typ" unless opts sets one.
func SignJWS(ctx context.Context, s Signer, payload []byte, opts *SignOptions) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: nil Signer", ErrInvalidKey)
	}
	return signPayload(ctx, s, payload, opts, "")
}

func signPayload(ctx context.Context, s Signer, payload []byte, opts *SignOptions, defaultType string) (string, error) {
	var o SignOptions
	if opts != nil {
		o = *opts
	}
	if o.Type == "" {
		o.Type = defaultType
	}
	alg := s.Algorithm()
	if alg == "" || strings.EqualFold(alg, "none") {
		return "", fmt.Errorf("%w: signer algorithm %s", ErrUnsupportedAlgorithm, quote(alg))
	}
	var hj [256]byte
	hdr := appendHeader(hj[:0], alg, keyIDOf(s), o.Type, o.ContentType)
	buf := getBuf()
	defer putBuf(buf)
	b := appendEncode(buf.b[:0], hdr)
	b = append(b, '.')
	b = appendEncode(b, payload)
	var sig []byte
	inner := s
	if ks, ok := s.(keyedSigner); ok {
		inner = ks.Signer
	}
	if hs, ok := inner.(*hmacSigner); ok {
		var mac [64]byte
		sig = hs.appendSign(mac[:0], b) // no allocation for the MAC
	} else {
		var err error
		if sig, err = s.Sign(ctx, b[:len(b):len(b)]); err != nil {
			if !errors.Is(err, ErrSigning) {
				err = fmt.Errorf("%w: %w", ErrSigning, err)
			}
			return "", err
		}
	}
	b = append(b, '.')
	b = appendEncode(b, sig)
	buf.b = b
	return string(b), nil
}
