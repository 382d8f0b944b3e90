package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/jwtkit/jwt"
)

var signCommand = &command{
	name:     "sign",
	synopsis: "sign --alg ALG --key FILE [--kid KID] [--typ TYP] [--iat] [--exp DURATION] [--nbf DURATION] [--time UNIX] [CLAIMS]",
	summary:  "sign a claims set and print the compact token",
	about: `
Sign signs CLAIMS, a JSON object, with the private or secret key in FILE and
prints the compact token and a newline. CLAIMS is the argument, or standard
input when it is absent or "-". The claims are written compactly, in their
order; --iat, --exp and --nbf set their claim, replacing one already present.
--alg may be left out when the key is a JWK with an "alg" member.`,
	examples: []string{
		`jwt sign --key es256.jwk --iat --exp 15m '{"sub":"1234567890","name":"John Doe","admin":true}'`,
		`echo '{"iss":"me","aud":"you"}' | jwt sign --alg EdDSA --key ed25519.pem --kid k1 --typ at+jwt --nbf 0s --exp 1h`,
		`jwt sign --alg HS256 --key secret.bin --time 1300819000 --exp 380s '{"iss":"joe"}'`,
		`printf 'Payload' | jwt sign --jws --cty text/plain --alg ES512 --key es512.jwk`,
	},
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		var (
			alg      = fs.String("alg", "", "the algorithm `ALG`, one of "+algorithmNames()+"; optional if the key is a JWK with \"alg\"")
			keyPath  = fs.String("key", "", "the private or secret key `FILE` (JWK, JWK Set, PEM, or raw secret for HS*)")
			kid      = fs.String("kid", "", "the header \"kid\" `KID`; with a JWK Set, also the key to sign with (default: the key's own kid)")
			typ      = fs.String("typ", "JWT", "the header \"typ\" `TYP`, such as at+jwt")
			cty      = fs.String("cty", "", "the header \"cty\" `CTY`, rarely needed")
			iat      = fs.Bool("iat", false, "set \"iat\" to the current time (see --time)")
			exp      = fs.Duration("exp", 0, "set \"exp\" to the current time plus `DURATION`, such as 5m or 24h")
			nbf      = fs.Duration("nbf", 0, "set \"nbf\" to the current time plus `DURATION` (0s or negative for \"already valid\")")
			now      unixTime
			jws      = fs.Bool("jws", false, "sign the argument or standard input as an opaque payload, byte for byte, not as JSON claims")
			nbfIsSet bool
		)
		fs.Var(&now, "time", "use the Unix time `UNIX` as the current time, such as 1300819000")
		return func(e *env, pos []string) error {
			fs.Visit(func(f *flag.Flag) { nbfIsSet = nbfIsSet || f.Name == "nbf" })
			kf, err := readKeyFile(*keyPath)
			if err != nil {
				return err
			}
			s, keyID, err := kf.signer(*alg, *kid)
			if err != nil {
				return err
			}
			if keyID != "" {
				s = jwt.SignerWithKeyID(s, keyID)
			}
			opts := &jwt.SignOptions{Type: *typ, ContentType: *cty}
			in, err := readInput(e, pos, "claims")
			if err != nil {
				return err
			}
			var token string
			if *jws {
				if *iat || *exp != 0 || nbfIsSet {
					return usageError("--iat, --exp and --nbf set claims, which a --jws payload has not")
				}
				token, err = jwt.SignJWS(context.Background(), s, in, opts)
			} else {
				t := now.now()
				var set []member
				if *iat {
					set = append(set, member{"iat", t.Unix()})
				}
				if nbfIsSet {
					set = append(set, member{"nbf", t.Add(*nbf).Unix()})
				}
				if *exp != 0 {
					set = append(set, member{"exp", t.Add(*exp).Unix()})
				}
				var claims []byte
				if claims, err = buildClaims(in, set); err != nil {
					return err
				}
				token, err = jwt.Sign(context.Background(), s, json.RawMessage(claims), opts)
			}
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("signing: %s", message(err))}
			}
			_, err = fmt.Fprintln(e.stdout, token)
			return err
		}
	},
}

// member is a claim that sign sets.
type member struct {
	name  string
	value int64
}

// buildClaims returns the JSON object in, compacted, with the members of
// set replacing the ones of the same name or appended. The object's members
// keep their order and their values' bytes; a duplicate name is an error.
func buildClaims(in []byte, set []member) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return usageError("claims: "+format+`; want a JSON object such as '{"sub":"1234567890"}'`, args...)
	}
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, bad("none given, as an argument or on standard input")
	}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, bad("not a JSON object")
	}
	out := []byte{'{'}
	seen := make(map[string]bool)
	add := func(name string, value []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		n, _ := json.Marshal(name)
		out = append(out, n...)
		out = append(out, ':')
		out = append(out, value...)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("invalid JSON")
		}
		name := tok.(string) // a key inside an object is always a string
		if seen[name] {
			return nil, bad("member %s appears twice", quote(name))
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, bad("invalid JSON in member %s", quote(name))
		}
		replaced := false
		for _, m := range set {
			if m.name == name {
				add(name, strconv.AppendInt(nil, m.value, 10))
				replaced = true
			}
		}
		if !replaced {
			add(name, raw)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("invalid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("data after the JSON object")
	}
	for _, m := range set {
		if !seen[m.name] {
			add(m.name, strconv.AppendInt(nil, m.value, 10))
		}
	}
	out = append(out, '}')
	var b bytes.Buffer
	if err := json.Compact(&b, out); err != nil {
		return nil, bad("invalid JSON")
	}
	return b.Bytes(), nil
}
