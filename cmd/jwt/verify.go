package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"time"

	"github.com/jwtkit/jwt"
)

var verifyCommand = &command{
	name: "verify",
	synopsis: "verify --key FILE|--secret-file FILE [--alg ALG] [--kid KID] [--iss ISS] [--aud AUD] [--sub SUB] [--typ TYP]\n" +
		"                  [--leeway DURATION] [--require NAME,NAME...] [--no-exp] [--ignore-aud] [--time UNIX] [--max-size BYTES] [--jws] [TOKEN]",
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

With --jws it checks the size, form, header and signature only, and prints
the payload exactly as it is, with no newline added: for a JWS whose payload
is not a JSON claims set (RFC 7515 A.4, RFC 7520 section 4). No claim is
checked, so --iss, --aud, --sub, --leeway, --require, --no-exp, --ignore-aud
and --check-iat cannot be used with it.

Exit status 0: valid. 1: rejected, with the reason on standard error, such
as "jwt: token rejected: token is expired: exp 2011-03-22T18:43:00Z". Whatever
the token says, it exits 0 or 1. 2: usage error, unreadable file, or a key
that cannot be used.`,
	examples: []string{
		`jwt verify --key es256.jwk.pub --iss https://issuer.example --aud api --sub alice "$TOKEN"`,
		`echo "$TOKEN" | jwt verify --alg RS256 --key cert.pem --leeway 30s --require sub,jti --check-iat`,
		`jwt verify --alg HS256 --secret-file secret.bin --time 1300819000 --typ JWT "$TOKEN"`,
		`jwt verify --key jwks.json --kid 2024-01 --ignore-aud --no-exp "$TOKEN"`,
		`jwt verify --jws --alg ES512 --key es512.jwk --max-size 65536 "$TOKEN"`,
	},
	run: runVerify,
}

// verifyFlags are the flags of jwt verify.
type verifyFlags struct {
	keys      keyFlags
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
	f := verifyFlags{maxSize: jwt.DefaultMaxSize, require: listFlag{split: true}}
	f.keys.define(fs, "a JWK, JWK Set, PEM key or X.509 certificate; a private key's public part is used")
	fs.StringVar(&f.alg, "alg", "", "the algorithm `ALG`, one of "+algorithmNames()+"; optional if the key has \"alg\" or fits one algorithm only")
	fs.StringVar(&f.kid, "kid", "", "the key ID `KID`: with a JWK Set, the key to use (default: the token's kid); a token naming another kid is rejected")
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
	if f.jws {
		var used []string
		fs.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "iss", "aud", "sub", "leeway", "require", "no-exp", "ignore-aud", "check-iat":
				used = append(used, "--"+fl.Name)
			}
		})
		if len(used) > 0 {
			return usageError("%s checks claims, and --jws checks none", used[0])
		}
	}
	keys, err := f.keySource()
	if err != nil {
		return err
	}
	token, err := readToken(e, pos)
	if err != nil {
		return err
	}
	if f.jws {
		t, err := jwt.VerifyJWS(context.Background(), token, keys, &jwt.VerifyJWSOptions{Type: f.typ, MaxSize: int(f.maxSize)})
		if err != nil {
			return verifyError(err)
		}
		_, err = e.stdout.Write(t.Payload)
		return err
	}
	t, err := jwt.Verify[json.RawMessage](context.Background(), token, keys, &jwt.VerifyOptions{
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
		return verifyError(err)
	}
	// The claims as compact JSON, with what a terminal would act on escaped.
	out := append(escapeUnprintable(nil, compact(string(t.Claims))), '\n')
	_, err = e.stdout.Write(out)
	return err
}

// keySource returns the keys that may verify the token, from the key flags.
// Everything that can fail here is the operator's to fix, and exits with
// status 2; what the token chooses later only accepts or rejects it.
func (f *verifyFlags) keySource() (jwt.KeySource, error) {
	kf, err := f.keys.read()
	if err != nil {
		return nil, err
	}
	if kf.set == nil {
		return kf.verifier(kf.jwk, f.alg, f.kid)
	}
	if f.kid == "" {
		return kf.setKeys(f.alg)
	}
	k, err := kf.pick(f.kid)
	if err != nil {
		return nil, err
	}
	return kf.verifier(k, f.alg, "")
}

// verifyError returns the error of jwt.Verify or jwt.VerifyJWS: a
// rejection, exiting with status 1, unless the options were invalid.
func verifyError(err error) error {
	if errors.Is(err, jwt.ErrInvalidOption) {
		return &exitError{code: exitUsage, msg: libText(err), err: err}
	}
	return rejected(err)
}
