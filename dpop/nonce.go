package dpop

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/oauth"
)

// NonceSource issues and checks the nonces a server requires in DPoP
// proofs (RFC 9449 §8 for an authorization server, §9 for a resource
// server). It must be safe for concurrent use.
//
// Nonce returns a nonce to send to a client in a DPoP-Nonce header: a
// server sends one with every use_dpop_nonce error, and may send a fresh
// one with any response, so that clients keep up with its rotation.
//
// CheckNonce returns nil if the source issued nonce and still accepts it,
// and otherwise an error, which should wrap ErrInvalidNonce; Verifier
// reports any error as ErrUseNonce, so that the client retries with the
// nonce of the response.
type NonceSource interface {
	Nonce(ctx context.Context) (string, error)
	CheckNonce(ctx context.Context, nonce string) error
}

// defaultNoncePeriod is the rotation period of HMACNonces unless told
// otherwise.
const defaultNoncePeriod = 5 * time.Minute

// HMACNonceOptions configures HMACNonces. The zero value means the
// defaults.
type HMACNonceOptions struct {
	// Period is the rotation period: a nonce is accepted during the
	// period it was issued in and the next one, so for at least Period
	// and at most twice Period. 0 means 5 minutes; it must be at
	// least a second.
	Period time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// HMACNonces is a stateless NonceSource: each nonce carries the period it
// was issued in and random bytes, authenticated with HMAC-SHA-256 under a
// secret. Every server instance given the same secret accepts the nonces
// of the others, with nothing stored. Nonces are unpredictable (RFC 9449
// §8) and rotate every period.
type HMACNonces struct {
	secret []byte
	period int64 // seconds
	now    func() time.Time
}

const (
	nonceRandom = 8
	nonceMAC    = 16
	nonceLen    = 8 + nonceRandom + nonceMAC
)

// NewHMACNonces returns an HMACNonces keyed with secret, which must have at
// least 32 bytes and is copied; a shorter one is an error wrapping
// jwt.ErrInvalidKey, and a period shorter than a second one wrapping
// jwt.ErrInvalidOption.
func NewHMACNonces(secret []byte, opts *HMACNonceOptions) (*HMACNonces, error) {
	if opts == nil {
		opts = &HMACNonceOptions{}
	}
	if len(secret) < 32 {
		return nil, errorf(jwt.ErrInvalidKey, "a DPoP nonce secret needs at least 32 bytes")
	}
	period := opts.Period
	if period == 0 {
		period = defaultNoncePeriod
	}
	if period < time.Second {
		return nil, errorf(jwt.ErrInvalidOption, "DPoP nonce period %v is shorter than a second", period)
	}
	n := &HMACNonces{secret: append([]byte(nil), secret...), period: int64(period / time.Second), now: opts.Now}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Nonce implements NonceSource. It never fails.
func (n *HMACNonces) Nonce(context.Context) (string, error) {
	var b [nonceLen]byte
	binary.BigEndian.PutUint64(b[:8], uint64(n.index()))
	rand.Read(b[8 : 8+nonceRandom]) // never fails (crypto/rand)
	copy(b[8+nonceRandom:], n.mac(b[:8+nonceRandom]))
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

var _ NonceSource = (*HMACNonces)(nil)

// CheckNonce implements NonceSource: it accepts a nonce it made, issued
// in the current period or the previous one (or the next, for an
// instance whose clock is slightly ahead). Any other is an error wrapping
// ErrInvalidNonce.
func (n *HMACNonces) CheckNonce(_ context.Context, nonce string) error {
	if len(nonce) != base64.RawURLEncoding.EncodedLen(nonceLen) {
		return fmt.Errorf("%w: wrong length", ErrInvalidNonce)
	}
	var b [nonceLen]byte
	// The length is a multiple of 4 characters plus 3, so no trailing
	// bits; DecodeString rejects any byte outside the alphabet except
	// '\r' and '\n', which the length check then catches.
	if k, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(nonce)); err != nil || k != nonceLen {
		return fmt.Errorf("%w: not base64url", ErrInvalidNonce)
	}
	if !hmac.Equal(b[8+nonceRandom:], n.mac(b[:8+nonceRandom])) {
		return fmt.Errorf("%w: not issued here", ErrInvalidNonce)
	}
	issued := int64(binary.BigEndian.Uint64(b[:8]))
	if d := n.index() - issued; d < -1 || d > 1 {
		return fmt.Errorf("%w: expired", ErrInvalidNonce)
	}
	return nil
}

func (n *HMACNonces) index() int64 {
	s := n.now().Unix()
	i := s / n.period
	if s < 0 && s%n.period != 0 {
		i--
	}
	return i
}

func (n *HMACNonces) mac(msg []byte) []byte {
	m := hmac.New(sha256.New, n.secret)
	m.Write([]byte("jwtkit DPoP nonce\x00"))
	m.Write(msg)
	return m.Sum(nil)[:nonceMAC]
}

// NonceHeader is the response header that carries a server nonce. A
// response carries at most one (RFC 9449 §8): set it with Header.Set.
const NonceHeader = oauth.NonceHeader
