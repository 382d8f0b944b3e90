package jwt

import "errors"

// Unverified is a token read by [ParseUnverified]. NOTHING in it has been
// verified: anyone can make a token that says anything.
type Unverified struct {
	Header       Header
	HeaderJSON   []byte // the decoded header
	Payload      []byte // the decoded payload
	Signature    []byte // the decoded signature
	SigningInput string // the first two segments, as signed
}

// ParseUnverified reads a compact JWS of at most maxSize bytes (0 means
// DefaultMaxSize) without verifying its signature or its claims. It applies
// the format checks of [Verify] (size, segments, strict base64url, a header
// that is a JSON object with unique members and an "alg") and nothing else.
//
// It is unsafe for any trust decision. Use it only to display a token or to
// read a hint, such as "iss", that selects which keys to verify with.
func ParseUnverified(token string, maxSize int) (*Unverified, error) {
	d1, d2, err := split(token, maxSize)
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
