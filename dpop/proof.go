package dpop

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	jwt "github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/oauth"
)

// ProofType is the header "typ" of a DPoP proof (RFC 9449 §4.2).
const ProofType = "dpop+jwt"

// Claims are the claims of a DPoP proof (RFC 9449 §4.2).
type Claims struct {
	// ID is "jti", a unique identifier of the proof.
	ID string `json:"jti"`
	// Method is "htm", the HTTP method of the request.
	Method string `json:"htm"`
	// URI is "htu", the target URI of the request, without query and
	// fragment.
	URI string `json:"htu"`
	// IssuedAt is "iat", when the proof was made.
	IssuedAt jwt.NumericDate `json:"iat"`
	// AccessTokenHash is "ath", the base64url SHA-256 hash of the access
	// token sent with the proof (see [AccessTokenHash]), or "".
	AccessTokenHash string `json:"ath,omitempty"`
	// Nonce is "nonce", a value the server gave in a DPoP-Nonce header, or "".
	Nonce string `json:"nonce,omitempty"`
}

// Prover makes DPoP proofs with one key. It is safe for concurrent use.
// The private key never leaves its crypto.Signer: a proof's header carries
// the public key only.
type Prover struct {
	signer jwt.Signer
	jwk    *jwt.JWK
	jkt    string
	header string // base64url of the header, with the "." after it
}

// NewProver returns a Prover that signs proofs with key under alg, which
// must be one of the asymmetric algorithms of package jwt (RS*, PS*, ES*,
// EdDSA, and ML-DSA-* when built with Go 1.27) and fit the key. The key may be any crypto.Signer, such as a key
// held in an HSM or a cloud KMS. An HMAC algorithm, or any other
// algorithm, is an error wrapping jwt.ErrUnsupportedAlgorithm; a key that
// does not fit alg, one wrapping jwt.ErrInvalidKey.
func NewProver(alg jwt.Algorithm, key crypto.Signer) (*Prover, error) {
	if !isAsymmetric(alg) {
		return nil, errorf(jwt.ErrUnsupportedAlgorithm, "DPoP needs an asymmetric algorithm of package jwt")
	}
	if key == nil {
		return nil, errorf(jwt.ErrInvalidKey, "nil key")
	}
	signer, err := alg.NewSigner(key)
	if err != nil {
		return nil, err
	}
	jwk, err := jwt.NewJWK(key.Public())
	if err != nil {
		return nil, err
	}
	jkt, err := Thumbprint(jwk)
	if err != nil {
		return nil, err
	}
	jwkJSON, err := json.Marshal(jwk) // the public form: JWK.MarshalJSON never writes private members
	if err != nil {
		return nil, wrap(jwt.ErrInvalidKey, "", err)
	}
	h := []byte(`{"typ":"` + ProofType + `","alg":`)
	h = appendPlain(h, alg.Name()) // a name of package jwt's, such as "ES256"
	h = append(h, `,"jwk":`...)
	h = append(h, jwkJSON...)
	h = append(h, '}')
	return &Prover{
		signer: signer,
		jwk:    jwk,
		jkt:    jkt,
		header: base64.RawURLEncoding.EncodeToString(h) + ".",
	}, nil
}

// Algorithm returns the "alg" of the proofs p makes.
func (p *Prover) Algorithm() string { return p.signer.Algorithm() }

// JKT returns the JWK SHA-256 thumbprint of p's public key (RFC 7638), the
// value an access token bound to p's key carries as "cnf"."jkt".
func (p *Prover) JKT() string { return p.jkt }

// PublicKey returns a copy of p's public key, as put in every proof.
func (p *Prover) PublicKey() *jwt.JWK { return p.jwk.Public() }

// ProofOptions sets the optional claims of a proof. A nil pointer means
// none.
type ProofOptions struct {
	// AccessToken is the access token sent with the proof; its hash
	// becomes "ath". Empty for requests without one, such as token
	// requests.
	AccessToken string
	// Nonce is the last nonce the server gave in a DPoP-Nonce header, or "".
	Nonce string
	// IssuedAt is the proof's "iat"; the zero time means now.
	IssuedAt time.Time
}

// NewProof returns a DPoP proof for a request with method to uri (RFC
// 9449 §4.2): a JWT whose header has "typ" dpop+jwt, p's algorithm and
// public key as "jwk", and whose claims are a random "jti", "htm" method,
// "htu" uri normalized without its query and fragment (see NormalizeURI),
// "iat", and "ath" and "nonce" if opts sets them. ctx is passed to the key's
// Signer.
//
// A method that is not an HTTP token or a nonce with characters RFC 9449
// §8.1 does not allow is an error wrapping jwt.ErrInvalidClaims; a uri
// that is not an absolute http or https URI, one wrapping ErrInvalidURI.
func (p *Prover) NewProof(ctx context.Context, method, uri string, opts *ProofOptions) (string, error) {
	if opts == nil {
		opts = &ProofOptions{}
	}
	if !oauth.IsToken(method) {
		return "", errorf(jwt.ErrInvalidClaims, "DPoP htm is not an HTTP method")
	}
	if opts.Nonce != "" && !isNonce(opts.Nonce) {
		return "", errorf(jwt.ErrInvalidClaims, "DPoP nonce has characters RFC 9449 does not allow")
	}
	htu, err := NormalizeURI(uri)
	if err != nil {
		return "", err
	}
	if !isPlain(htu) { // NormalizeURI percent-encodes any other character
		return "", errorf(ErrInvalidURI, "a normalized URI with a character JSON escapes")
	}
	iat := opts.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	var id [16]byte
	rand.Read(id[:]) // never fails (crypto/rand)

	c := make([]byte, 0, 160+len(htu)+len(opts.Nonce))
	c = append(c, `{"jti":"`...)
	c = base64.RawURLEncoding.AppendEncode(c, id[:])
	c = append(c, `","htm":`...)
	c = appendPlain(c, method)
	c = append(c, `,"htu":`...)
	c = appendPlain(c, htu)
	c = append(c, `,"iat":`...)
	c = strconv.AppendInt(c, iat.Unix(), 10)
	if opts.AccessToken != "" {
		c = append(c, `,"ath":"`...)
		c = append(c, AccessTokenHash(opts.AccessToken)...)
		c = append(c, '"')
	}
	if opts.Nonce != "" {
		c = append(c, `,"nonce":`...)
		c = appendPlain(c, opts.Nonce)
	}
	c = append(c, '}')

	enc := base64.RawURLEncoding
	b := make([]byte, 0, len(p.header)+enc.EncodedLen(len(c))+1+enc.EncodedLen(520))
	b = append(b, p.header...)
	b = enc.AppendEncode(b, c)
	sig, err := p.signer.Sign(ctx, b)
	if err != nil {
		return "", wrap(jwt.ErrSigning, "", err)
	}
	b = append(b, '.')
	b = enc.AppendEncode(b, sig)
	return string(b), nil
}

// AccessTokenHash returns the "ath" of a proof sent with token: the
// base64url SHA-256 hash of its ASCII bytes (RFC 9449 §4.2).
func AccessTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// Thumbprint returns the base64url JWK SHA-256 thumbprint of key (RFC 7638),
// the "jkt" that binds a token to key (RFC 9449 §6.1). Errors wrap
// jwt.ErrInvalidKey.
func Thumbprint(key *jwt.JWK) (string, error) {
	if key == nil {
		return "", errorf(jwt.ErrInvalidKey, "nil JWK")
	}
	t, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

// isAsymmetric reports whether alg is one of package jwt's asymmetric
// algorithms.
func isAsymmetric(alg jwt.Algorithm) bool {
	switch alg.(type) {
	case jwt.RSAAlgorithm, jwt.RSAPSSAlgorithm, jwt.ECDSAAlgorithm, jwt.EdDSAAlgorithm, jwt.MLDSAAlgorithm:
	default:
		return false
	}
	known, err := jwt.AlgorithmByName(alg.Name())
	return err == nil && known == alg
}

// appendPlain appends s, of which isPlain reports true (a method, a
// normalized URI, a nonce or an algorithm's name, all checked), as a JSON
// string: JSON escapes none of its characters.
func appendPlain(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// isPlain reports whether s is not empty and all printable ASCII other than
// '"' and '\', which a JSON string holds as they are.
func isPlain(s string) bool { return isNonce(s) }

// isNonce reports whether s is a nonce as RFC 9449 §8.1 defines it:
// 1*NQCHAR, the printable ASCII characters other than '"' and '\'.
func isNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNQChar(s[i]) {
			return false
		}
	}
	return true
}

func isNQChar(c byte) bool { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\' }
