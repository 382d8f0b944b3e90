package idtoken

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/typ"
)

// Sentinel errors. Every error of Verify wraps one of them or a sentinel
// of package jwt (jwt.ErrInvalidSignature, jwt.ErrExpired,
// jwt.ErrAudienceMismatch, jwt.ErrIssuerMismatch...).
var (
	// ErrNonce reports a "nonce" other than the one sent, a missing one,
	// or one present when none was sent.
	ErrNonce = errors.New("idtoken: nonce mismatch")
	// ErrAuthorizedParty reports an "azp" other than the client, or none in
	// a token of several audiences.
	ErrAuthorizedParty = errors.New("idtoken: authorized party mismatch")
	// ErrAuthTime reports a missing "auth_time" where one is needed, or an
	// authentication older than the max_age requested.
	ErrAuthTime = errors.New("idtoken: authentication too old or its time missing")
	// ErrACR reports an "acr" not among those accepted.
	ErrACR = errors.New("idtoken: authentication context class not accepted")
	// ErrHash reports an "at_hash" or "c_hash" that does not match the
	// access token or code, or is missing where required.
	ErrHash = errors.New("idtoken: at_hash or c_hash mismatch")
	// ErrNotIDToken reports a JWT whose header "typ" names another kind of
	// token, such as an access token (at+jwt).
	ErrNotIDToken = errors.New("idtoken: not an ID token")
)

// Claims are the claims of an ID token that Verify checks (OpenID Connect
// Core §2). Read others, such as "email", with the Token's Claim method.
type Claims struct {
	jwt.RegisteredClaims
	// Nonce is the "nonce" claim.
	Nonce string `json:"nonce,omitempty"`
	// AuthorizedParty is the "azp" claim.
	AuthorizedParty string `json:"azp,omitempty"`
	// AuthTime is the "auth_time" claim: when the user authenticated.
	AuthTime jwt.NumericDate `json:"auth_time,omitzero"`
	// ACR is the "acr" claim.
	ACR string `json:"acr,omitempty"`
	// AMR is the "amr" claim.
	AMR []string `json:"amr,omitempty"`
	// AccessTokenHash is the "at_hash" claim.
	AccessTokenHash string `json:"at_hash,omitempty"`
	// CodeHash is the "c_hash" claim.
	CodeHash string `json:"c_hash,omitempty"`
}

// Options say what Verify requires of an ID token. ClientID is required,
// and so is Nonce unless NoNonce is set; contradicting or out-of-range
// options are an error wrapping jwt.ErrInvalidOption.
type Options struct {
	// ClientID is the relying party's client_id: the token's "aud" must
	// contain it.
	ClientID string
	// Issuer is the provider's issuer identifier, compared exactly with
	// "iss". It may be empty only when the key source is bound to the
	// issuer (a jwt.IssuerKeySource such as jwks.NewOIDC's Remote, or a
	// jwt.IssuerResolver such as jwks.Issuers).
	Issuer string
	// TrustedAudiences are the audiences other than ClientID a token may
	// also carry; any other is refused (OpenID Connect Core §3.1.3.7 step
	// 3).
	TrustedAudiences []string
	// Nonce is the "nonce" sent in the authentication request; the token
	// must carry it.
	Nonce string
	// NoNonce says no nonce was sent (a code flow may do without): the
	// token must then carry none. Setting it with Nonce is an error.
	NoNonce bool
	// MaxAge, if positive, is the max_age of the authentication request:
	// "auth_time" is required and must be no older.
	MaxAge time.Duration
	// RequireAuthTime requires "auth_time" (when the request asked for it
	// as an essential claim).
	RequireAuthTime bool
	// ACRValues, if set, are the "acr" values accepted; the token must
	// carry one of them.
	ACRValues []string
	// AccessToken, if set, is the access token issued with the ID token:
	// the token's "at_hash", if present, must match it.
	AccessToken string
	// RequireAccessTokenHash requires "at_hash", as the implicit and hybrid
	// flows do when the access token comes from the authorization
	// endpoint; it needs AccessToken.
	RequireAccessTokenHash bool
	// Code, if set, is the authorization code issued with the ID token:
	// the token's "c_hash", if present, must match it.
	Code string
	// RequireCodeHash requires "c_hash", as the hybrid flow does for the
	// ID token from the authorization endpoint; it needs Code.
	RequireCodeHash bool
	// MaxIssuedAtAge, if positive, refuses tokens whose "iat" is older.
	MaxIssuedAtAge time.Duration
	// Leeway is the clock skew allowed, up to jwt.MaxLeeway.
	Leeway time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// notIDTokenTypes are header "typ" values of other kinds of JWT.
var notIDTokenTypes = []string{"at+jwt", "refresh+jwt", "dpop+jwt", "logout+jwt", "secevent+jwt", "client-authentication+jwt"}

// Verify verifies an ID token with keys, as the package documentation's
// Security section lists, and returns it.
func Verify(ctx context.Context, token string, keys jwt.KeySource, opts *Options) (*jwt.Token[Claims], error) {
	if opts == nil {
		opts = &Options{}
	}
	o := *opts
	bad := func(format string, args ...any) error {
		return fmt.Errorf("idtoken: %s: %w", fmt.Sprintf(format, args...), jwt.ErrInvalidOption)
	}
	switch {
	case o.ClientID == "":
		return nil, bad("no ClientID")
	case o.Nonce == "" && !o.NoNonce:
		return nil, bad("no Nonce: set the nonce sent, or NoNonce if none was")
	case o.Nonce != "" && o.NoNonce:
		return nil, bad("both Nonce and NoNonce")
	case o.MaxAge < 0 || o.MaxIssuedAtAge < 0:
		return nil, bad("negative MaxAge or MaxIssuedAtAge")
	case (o.RequireAccessTokenHash && o.AccessToken == "") || (o.RequireCodeHash && o.Code == ""):
		return nil, bad("a hash required without the access token or code to check it against")
	case o.Issuer == "" && !issuerBound(keys):
		return nil, bad("no Issuer, and the key source binds none")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	tok, err := jwt.Verify[Claims](ctx, token, keys, &jwt.VerifyOptions{
		Issuer:        o.Issuer,
		Audience:      []string{o.ClientID},
		Required:      []string{"iss", "sub", "aud", "exp", "iat"},
		CheckIssuedAt: true,
		Leeway:        o.Leeway,
		Now:           func() time.Time { return t },
	})
	if err != nil {
		return nil, fmt.Errorf("idtoken: %w", err)
	}
	if err := check(tok, &o, t); err != nil {
		return nil, err
	}
	return tok, nil
}

// issuerBound reports whether keys binds the issuer of what it verifies.
func issuerBound(keys jwt.KeySource) bool {
	if _, ok := keys.(jwt.IssuerResolver); ok {
		return true
	}
	ik, ok := keys.(jwt.IssuerKeySource)
	return ok && ik.Issuer() != ""
}

// check makes the checks of OpenID Connect Core that jwt.Verify does not.
func check(tok *jwt.Token[Claims], o *Options, now time.Time) error {
	c := &tok.Claims
	for _, other := range notIDTokenTypes {
		if tok.Header.Type != "" && typ.Matches(tok.Header.Type, other) {
			return fmt.Errorf("%w: header typ %q: %w", ErrNotIDToken, tok.Header.Type, jwt.ErrTypeMismatch)
		}
	}
	for _, a := range c.Audience {
		if a != o.ClientID && !slices.Contains(o.TrustedAudiences, a) {
			return fmt.Errorf("idtoken: untrusted audience %q beside the client: %w", a, jwt.ErrAudienceMismatch)
		}
	}
	switch {
	case len(c.Audience) > 1 && c.AuthorizedParty == "":
		return fmt.Errorf("%w: several audiences and no azp", ErrAuthorizedParty)
	case c.AuthorizedParty != "" && c.AuthorizedParty != o.ClientID:
		return fmt.Errorf("%w: azp %q is not the client", ErrAuthorizedParty, c.AuthorizedParty)
	}
	present, _ := tok.Claim("nonce", nil)
	switch {
	case o.NoNonce && present:
		return fmt.Errorf("%w: the token has a nonce, and none was sent", ErrNonce)
	case !o.NoNonce && !present:
		return fmt.Errorf("%w: the token has no nonce", ErrNonce)
	case !o.NoNonce && subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(o.Nonce)) != 1:
		return fmt.Errorf("%w: the token's nonce is not the one sent", ErrNonce)
	}
	if o.MaxAge > 0 || o.RequireAuthTime {
		if c.AuthTime.IsZero() {
			return fmt.Errorf("%w: no auth_time", ErrAuthTime)
		}
		if o.MaxAge > 0 && now.Sub(c.AuthTime.Time) > o.MaxAge+o.Leeway {
			return fmt.Errorf("%w: authenticated %v ago, max_age %v", ErrAuthTime, now.Sub(c.AuthTime.Time).Round(time.Second), o.MaxAge)
		}
	}
	if o.MaxIssuedAtAge > 0 && now.Sub(c.IssuedAt.Time) > o.MaxIssuedAtAge+o.Leeway {
		return fmt.Errorf("idtoken: issued %v ago, more than %v: %w", now.Sub(c.IssuedAt.Time).Round(time.Second), o.MaxIssuedAtAge, jwt.ErrExpired)
	}
	if len(o.ACRValues) > 0 && !slices.Contains(o.ACRValues, c.ACR) {
		return fmt.Errorf("%w: acr %q", ErrACR, c.ACR)
	}
	if err := checkHash("at_hash", c.AccessTokenHash, o.AccessToken, o.RequireAccessTokenHash, tok.Header.Algorithm); err != nil {
		return err
	}
	return checkHash("c_hash", c.CodeHash, o.Code, o.RequireCodeHash, tok.Header.Algorithm)
}

// checkHash checks the claim name, whose value is got, against value: a
// claim present is checked whenever value is given.
func checkHash(name, got, value string, required bool, alg string) error {
	switch {
	case got == "" && required:
		return fmt.Errorf("%w: no %s", ErrHash, name)
	case got == "" || value == "":
		return nil
	}
	want, err := HalfHash(alg, value)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrHash, name, err)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fmt.Errorf("%w: %s does not match", ErrHash, name)
	}
	return nil
}

// HalfHash returns the value of an "at_hash" or "c_hash" claim for value
// (an access token or a code) in a token signed with the algorithm alg:
// the base64url encoding of the left half of the hash of value's ASCII
// octets, with the hash of alg (OpenID Connect Core §3.1.3.6, §3.3.2.11):
// SHA-256 for HS256, RS256, PS256 and ES256, SHA-384 and SHA-512 for the
// 384 and 512 variants, and SHA-512 for EdDSA and Ed25519 (Ed25519's own
// hash). Another alg is an error wrapping jwt.ErrUnsupportedAlgorithm.
func HalfHash(alg, value string) (string, error) {
	var h crypto.Hash
	switch {
	case strings.HasSuffix(alg, "256") && len(alg) == 5:
		h = crypto.SHA256
	case strings.HasSuffix(alg, "384") && len(alg) == 5:
		h = crypto.SHA384
	case strings.HasSuffix(alg, "512") && len(alg) == 5, alg == "EdDSA", alg == "Ed25519":
		h = crypto.SHA512
	default:
		return "", fmt.Errorf("idtoken: no hash for alg %q: %w", alg, jwt.ErrUnsupportedAlgorithm)
	}
	if _, err := jwt.AlgorithmByName(alg); err != nil {
		return "", fmt.Errorf("idtoken: no hash for alg %q: %w", alg, err)
	}
	var sum []byte
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256([]byte(value))
		sum = s[:]
	case crypto.SHA384:
		s := sha512.Sum384([]byte(value))
		sum = s[:]
	default:
		s := sha512.Sum512([]byte(value))
		sum = s[:]
	}
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}
