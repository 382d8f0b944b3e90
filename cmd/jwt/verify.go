package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"time"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/jwks"
)

var verifyCommand = &command{
	name: "verify",
	synopsis: "verify --key FILE|--secret-file FILE|--jwks URL|--oidc ISSUER [--timeout DURATION] [--alg ALG] [--kid KID]\n" +
		"                  [--iss ISS] [--aud AUD] [--sub SUB] [--typ TYP] [--leeway DURATION] [--require NAME,NAME...] [--no-exp]\n" +
		"                  [--ignore-aud] [--time UNIX] [--max-size BYTES] [--jws] [TOKEN]",
	summary: "verify a token's signature and claims, and print its claims",
	about: `
Verify checks TOKEN, the argument or standard input (surrounding whitespace
trimmed) when it is absent or "-": its size and form, its header, its
signature with the key in FILE, and then its claims. The defaults are strict:
"exp" is required and must be in the future, "nbf" if present must be in the
past, and a token carrying "aud" is rejected unless --aud names one of its
audiences or --ignore-aud is given. On success it prints the claims, as
compact JSON with control characters escaped, and a newline.

With a JWK Set, the token's "kid" chooses the key, among the keys that can
verify: those bound to --alg or, without --alg, to their own "alg" or to the
one algorithm they fit. A token naming a key left out is rejected. --kid
chooses the key instead, and a token naming another kid is rejected.

With --jwks URL the keys are those of the JWK Set at URL, an https URL or
http to a loopback address, fetched before the token is checked. With --oidc
ISSUER they are those of the JWK Set named by "jwks_uri" in the OpenID
Connect discovery document at ISSUER/.well-known/openid-configuration, whose
"issuer" must be ISSUER exactly, and the token's "iss" must be ISSUER too.
The token's "kid" chooses the key; for a kid the set lacks, jwt fetches the
set once more, and rejects the token if the kid is still missing. Keys are
bound to --alg, and keys with another "alg" are left out; without --alg,
each key is bound to its own "alg" or, if it has none (as Entra ID and many
Keycloak realms publish keys), to every algorithm that fits it: RS256 to
PS512 for an RSA key, ES256, ES384 or ES512 by an EC key's curve, EdDSA and
Ed25519 for an Ed25519 key. Such a set never holds HMAC secrets. --kid
chooses the key instead: a token naming another kid is rejected, and a set
without that kid exits with status 2. --timeout bounds each request (the
discovery document, the set, and the one refresh a token may cause).

With --jws it checks the size, form, header and signature only, and prints
the payload exactly as it is, with no newline added: for a JWS whose payload
is not a JSON claims set (RFC 7515 A.4, RFC 7520 section 4). No claim is
checked, so --iss, --aud, --sub, --leeway, --require, --no-exp, --ignore-aud,
--check-iat and --oidc cannot be used with it.

Exit status 0: valid. 1: rejected, with the reason on standard error, such
as "jwt: token rejected: token is expired: exp 2011-03-22T18:43:00Z". Whatever
the token says, it exits 0 or 1. 2: usage error, unreadable file, a key
that cannot be used, or a JWK Set or discovery document that cannot be
fetched or used (such as a set with no usable key).`,
	examples: []string{
		`jwt verify --key es256.jwk.pub --iss https://issuer.example --aud api --sub alice "$TOKEN"`,
		`echo "$TOKEN" | jwt verify --alg RS256 --key cert.pem --leeway 30s --require sub,jti --check-iat`,
		`jwt verify --alg HS256 --secret-file secret.bin --time 1300819000 --typ JWT "$TOKEN"`,
		`jwt verify --key jwks.json --kid 2024-01 --ignore-aud --no-exp "$TOKEN"`,
		`jwt verify --jws --alg ES512 --key es512.jwk --max-size 65536 "$TOKEN"`,
		`jwt verify --oidc https://login.example.com/realms/main --aud api "$TOKEN"`,
		`jwt verify --jwks https://login.example.com/keys --alg RS256 --timeout 5s --iss https://login.example.com "$TOKEN"`,
	},
	run: runVerify,
}

// verifyFlags are the flags of jwt verify.
type verifyFlags struct {
	keys      keyFlags
	jwksURL   string   // --jwks
	oidc      string   // --oidc
	timeout   duration // --timeout, for --jwks and --oidc
	alg, kid  string
	iss, sub  string
	typ       string
	aud       listFlag
	require   listFlag
	leeway    duration
	noExp     bool
	ignoreAud bool
	checkIat  bool
	now       unixTime
	maxSize   byteSize
	jws       bool
}

// runVerify runs jwt verify.
func runVerify(e *env, args []string) error {
	fs := newFlagSet("verify")
	f := verifyFlags{maxSize: jwt.DefaultMaxSize, require: listFlag{split: true}, timeout: duration{d: jwks.DefaultTimeout}}
	f.keys.define(fs, "a JWK, JWK Set, PEM key or X.509 certificate; a private key's public part is used")
	fs.StringVar(&f.jwksURL, "jwks", "", "verify with the keys of the JWK Set at `URL` (https, or http to a loopback address), fetched first")
	fs.StringVar(&f.oidc, "oidc", "", "verify with the JWK Set of the OpenID Connect provider `ISSUER`, found through its discovery document, and require \"iss\" to be ISSUER")
	fs.Var(&f.timeout, "timeout", "give up each request of --jwks or --oidc after `DURATION`")
	fs.StringVar(&f.alg, "alg", "", "the algorithm `ALG`, one of "+algorithmNames()+"; optional if the key has \"alg\" or fits one algorithm only")
	fs.StringVar(&f.kid, "kid", "", "the key ID `KID`: with a JWK Set, local or remote, the key to use (default: the token's kid); a token naming another kid is rejected")
	fs.StringVar(&f.iss, "iss", "", "require the issuer \"iss\" to be `ISS`")
	fs.Var(&f.aud, "aud", "require \"aud\" to hold the audience `AUD`; repeat the flag to accept any of several")
	fs.StringVar(&f.sub, "sub", "", "require the subject \"sub\" to be `SUB`")
	fs.StringVar(&f.typ, "typ", "", "require the header \"typ\" to be `TYP` (compared as RFC 7515 says: \"at+jwt\" matches \"application/at+jwt\")")
	fs.Var(&f.leeway, "leeway", "allow `DURATION` of clock skew on exp, nbf and iat, at most 5m")
	fs.Var(&f.require, "require", "require the claims `NAME,NAME...` to be present; the flag may be repeated")
	fs.BoolVar(&f.noExp, "no-exp", false, "accept a token without \"exp\" (an \"exp\" that is present is still checked)")
	fs.BoolVar(&f.ignoreAud, "ignore-aud", false, "accept a token carrying \"aud\" without checking it (when no --aud is given)")
	fs.BoolVar(&f.checkIat, "check-iat", false, "reject a token whose \"iat\" is in the future")
	fs.Var(&f.now, "time", "use the Unix time `UNIX` as the current time, such as 1300819000")
	fs.Var(&f.maxSize, "max-size", maxSizeUsage)
	fs.BoolVar(&f.jws, "jws", false, "check the signature only and print the payload bytes as they are")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if f.leeway.d < 0 || f.leeway.d > jwt.MaxLeeway {
		return usageError("--leeway %v is outside 0s to %v", f.leeway.d, jwt.MaxLeeway)
	}
	if isSet(fs, "timeout") && f.jwksURL == "" && f.oidc == "" {
		return usageError("--timeout bounds the requests of --jwks or --oidc, and neither is given")
	}
	if f.timeout.d <= 0 {
		return usageError("--timeout %v is not positive", f.timeout.d)
	}
	if f.jws {
		var used []string
		fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "iss", "aud", "sub", "leeway", "require", "no-exp", "ignore-aud", "check-iat", "oidc":
				used = append(used, "--"+fl.Name)
			}
		})
		if len(used) > 0 {
			return usageError("%s checks claims, and --jws checks none", used[0])
		}
	}
	// The token first, so that a missing one fetches nothing.
	token, err := readToken(e, pos)
	if err != nil {
		return err
	}
	out, err := f.verify(context.Background(), token)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

// verify verifies token with the keys and options of f, and returns what
// jwt verify prints for a valid token, or the error it exits with. jwt
// serve calls it too, so that its page gives the verdict and reason of jwt
// verify.
func (f *verifyFlags) verify(ctx context.Context, token string) ([]byte, error) {
	keys, closeKeys, err := f.keySource(ctx)
	if err != nil {
		return nil, err
	}
	defer closeKeys()
	if f.jws {
		t, err := jwt.VerifyJWS(ctx, token, keys, &jwt.VerifyJWSOptions{Type: f.typ, MaxSize: int(f.maxSize)})
		if err != nil {
			return nil, verifyError(err)
		}
		return t.Payload, nil
	}
	t, err := jwt.Verify[json.RawMessage](ctx, token, keys, &jwt.VerifyOptions{
		Issuer:                 f.iss,
		Audience:               f.aud.values,
		Subject:                f.sub,
		Type:                   f.typ,
		Leeway:                 f.leeway.d,
		Now:                    func() time.Time { return f.now.now() },
		AllowMissingExpiration: f.noExp,
		IgnoreAudience:         f.ignoreAud && len(f.aud.values) == 0, // --aud wins, as documented
		CheckIssuedAt:          f.checkIat,
		Required:               f.require.values,
		MaxSize:                int(f.maxSize),
	})
	if err != nil {
		return nil, verifyError(err)
	}
	// The claims as compact JSON, with what a terminal would act on escaped.
	return append(escapeUnprintable(nil, compact(string(t.Claims))), '\n'), nil
}

// keySource returns the keys that may verify the token, from the key flags
// or, fetched within ctx, from --jwks or --oidc (see remoteKeys), and the
// function that releases them. Everything that can fail here is the
// operator's to fix, and exits with status 2; what the token chooses later
// only accepts or rejects it.
func (f *verifyFlags) keySource(ctx context.Context) (keys jwt.KeySource, closeKeys func(), err error) {
	var given []string
	for _, s := range []struct{ flag, value string }{
		{"--key", f.keys.key}, {"--secret-file", f.keys.secret}, {"--jwks", f.jwksURL}, {"--oidc", f.oidc},
	} {
		if s.value != "" {
			given = append(given, s.flag)
		}
	}
	switch {
	case len(given) == 0:
		return nil, nil, usageError("no key given: give --key FILE, --secret-file FILE for a raw HMAC secret, --jwks URL or --oidc ISSUER")
	case len(given) > 1:
		return nil, nil, usageError("give one of --key, --secret-file, --jwks and --oidc, not %s and %s", given[0], given[1])
	case f.jwksURL != "" || f.oidc != "":
		return f.remoteKeys(ctx)
	}
	nothing := func() {}
	kf, err := f.keys.read()
	if err != nil {
		return nil, nil, err
	}
	if kf.set == nil {
		v, err := kf.verifier(kf.jwk, f.alg, f.kid)
		return v, nothing, err
	}
	if f.kid == "" {
		ks, err := kf.setKeys(f.alg)
		return ks, nothing, err
	}
	k, err := kf.pick(f.kid)
	if err != nil {
		return nil, nil, err
	}
	v, err := kf.verifier(k, f.alg, "")
	return v, nothing, err
}

// verifyError returns the error of jwt.Verify or jwt.VerifyJWS: a
// rejection, exiting with status 1, unless the options were invalid, the
// keys could not be fetched (jwt.ErrUnavailable), or the key source said
// otherwise with an *exitError.
func verifyError(err error) error {
	var xe *exitError
	switch {
	case errors.As(err, &xe):
		return xe
	case errors.Is(err, jwt.ErrInvalidOption), errors.Is(err, jwt.ErrUnavailable):
		return &exitError{code: exitUsage, msg: libText(err), err: err}
	}
	return rejected(err)
}
