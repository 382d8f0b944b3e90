package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/jwtkit/jwt"
)

var verifyCommand = &command{
	name: "verify",
	synopsis: "verify --key FILE [--alg ALG] [--iss ISS] [--aud AUD] [--sub SUB] [--typ TYP] [--leeway DURATION]\n" +
		"                  [--require NAME,NAME...] [--no-exp] [--ignore-aud] [--time UNIX] [--jws] [TOKEN]",
	summary: "verify a token's signature and claims, and print its claims",
	about: `
Verify checks TOKEN, the argument or standard input (surrounding whitespace
trimmed) when it is absent or "-": its form, its header, its signature with
the key in FILE, and then its claims. The defaults are strict: "exp" is
required and must be in the future, "nbf" if present must be in the past,
and a token carrying "aud" is rejected unless --aud names one of its
audiences or --ignore-aud is given. On success it prints the claims, as
compact JSON, and a newline.

With --jws it checks the form, header and signature only, and prints the
payload exactly as it is, with no newline added: for a JWS whose payload is
not a JSON claims set (RFC 7515 A.4, RFC 7520 section 4). No claim is
checked, so --iss, --aud, --sub, --leeway, --require, --no-exp, --ignore-aud
and --check-iat cannot be used with it.

Exit status 0: valid. 1: rejected, with the reason on standard error, such
as "jwt: token rejected: token is expired: exp 2011-03-22T18:43:00Z".
2: usage error, unreadable file, or a key that cannot be used.`,
	examples: []string{
		`jwt verify --key es256.jwk.pub --iss https://issuer.example --aud api --sub alice "$TOKEN"`,
		`echo "$TOKEN" | jwt verify --alg RS256 --key cert.pem --leeway 30s --require sub,jti --check-iat`,
		`jwt verify --alg HS256 --key secret.bin --time 1300819000 --typ JWT "$TOKEN"`,
		`jwt verify --key jwks.json --kid 2024-01 --ignore-aud --no-exp "$TOKEN"`,
		`jwt verify --jws --alg ES512 --key es512.jwk "$TOKEN"`,
	},
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		var (
			keyPath   = fs.String("key", "", "the key `FILE` (JWK, JWK Set, PEM key or certificate, or raw secret for HS*); a private key's public part is used")
			alg       = fs.String("alg", "", "the algorithm `ALG`, one of "+algorithmNames()+"; optional if the key is a JWK with \"alg\"")
			kid       = fs.String("kid", "", "the key ID `KID`: with a JWK Set, the key to use (default: the token's kid); a token naming another kid is rejected")
			iss       = fs.String("iss", "", "require the issuer \"iss\" to be `ISS`")
			aud       = &listFlag{}
			sub       = fs.String("sub", "", "require the subject \"sub\" to be `SUB`")
			typ       = fs.String("typ", "", "require the header \"typ\" to be `TYP` (compared as RFC 7515 says: \"at+jwt\" matches \"application/at+jwt\")")
			leeway    = fs.Duration("leeway", 0, "allow `DURATION` of clock skew on exp, nbf and iat, at most 5m")
			require   = &listFlag{split: true}
			noExp     = fs.Bool("no-exp", false, "accept a token without \"exp\" (an \"exp\" that is present is still checked)")
			ignoreAud = fs.Bool("ignore-aud", false, "accept a token carrying \"aud\" without checking it (when no --aud is given)")
			checkIat  = fs.Bool("check-iat", false, "reject a token whose \"iat\" is in the future")
			now       unixTime
			jws       = fs.Bool("jws", false, "check the signature only and print the payload bytes as they are")
		)
		fs.Var(aud, "aud", "require \"aud\" to hold the audience `AUD`; repeat the flag to accept any of several")
		fs.Var(require, "require", "require the claims `NAME,NAME...` to be present; the flag may be repeated")
		fs.Var(&now, "time", "use the Unix time `UNIX` as the current time, such as 1300819000")
		return func(e *env, pos []string) error {
			if *leeway < 0 || *leeway > jwt.MaxLeeway {
				return usageError("--leeway %v is outside 0s to %v", *leeway, jwt.MaxLeeway)
			}
			if *jws {
				var used []string
				fs.Visit(func(f *flag.Flag) {
					switch f.Name {
					case "iss", "aud", "sub", "leeway", "require", "no-exp", "ignore-aud", "check-iat":
						used = append(used, "--"+f.Name)
					}
				})
				if len(used) > 0 {
					return usageError("%s checks claims, and --jws checks none", used[0])
				}
			}
			kf, err := readKeyFile(*keyPath)
			if err != nil {
				return err
			}
			token, err := readToken(e, pos)
			if err != nil {
				return err
			}
			tokenKID := ""
			if kf.set != nil && *kid == "" {
				// The kid chooses a key of the set, nothing else.
				u, err := jwt.ParseUnverified(token, 0)
				if err != nil {
					return rejected(err)
				}
				tokenKID = u.Header.KeyID
			}
			v, err := kf.verifier(*alg, *kid, tokenKID)
			if err != nil {
				return err
			}
			opts := &jwt.VerifyOptions{
				Issuer:                 *iss,
				Audience:               aud.values,
				Subject:                *sub,
				Type:                   *typ,
				Leeway:                 *leeway,
				Now:                    func() time.Time { return now.now() },
				AllowMissingExpiration: *noExp,
				IgnoreAudience:         *ignoreAud,
				CheckIssuedAt:          *checkIat,
				Required:               require.values,
			}
			if *jws {
				t, err := jwt.VerifyJWS(context.Background(), token, v, &jwt.VerifyJWSOptions{Type: opts.Type})
				if err != nil {
					return rejected(err)
				}
				_, err = e.stdout.Write(t.Payload)
				return err
			}
			t, err := jwt.Verify[json.RawMessage](context.Background(), token, v, opts)
			if err != nil {
				return rejected(err)
			}
			var b bytes.Buffer
			if err := json.Compact(&b, t.Claims); err != nil {
				return rejected(fmt.Errorf("claims: %v", err)) // cannot happen: Verify read them
			}
			b.WriteByte('\n')
			_, err = e.stdout.Write(b.Bytes())
			return err
		}
	},
}
