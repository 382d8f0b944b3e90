package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jwtkit/jwt"
	"github.com/jwtkit/jwt/internal/strictjson"
)

var signCommand = &command{
	name: "sign",
	synopsis: "sign [--alg ALG] --key FILE|--secret-file FILE [--kid KID] [--typ TYP] [--cty CTY] [--iat] [--exp DURATION]\n" +
		"                [--nbf DURATION] [--time UNIX] [--max-size BYTES] [--jws] [CLAIMS]",
	summary: "sign a claims set and print the compact token",
	about: `
Sign signs CLAIMS, a JSON object, with the private or secret key in FILE and
prints the compact token and a newline. CLAIMS is the argument, or standard
input when it is absent or "-". The claims are written compactly, in their
order; --iat, --exp and --nbf set their claim, replacing one already present.
--alg may be left out when the key is a JWK with an "alg" member, or a key
that fits one algorithm only: Ed25519 (EdDSA), or EC on P-256 (ES256), P-384
(ES384) or P-521 (ES512). RSA keys and secrets fit several: give --alg.

Sign refuses to print a token longer than --max-size, which jwt verify and
jwt decode would refuse unless given the same --max-size.`,
	examples: []string{
		`jwt sign --key es256.jwk --iat --exp 15m '{"sub":"1234567890","name":"John Doe","admin":true}'`,
		`echo '{"iss":"me","aud":"you"}' | jwt sign --key ed25519.pem --kid k1 --typ at+jwt --nbf 0s --exp 1h`,
		`jwt sign --alg HS256 --secret-file secret.bin --time 1300819000 --exp 380s '{"iss":"joe"}'`,
		`printf 'Payload' | jwt sign --jws --cty text/plain --alg ES512 --key es512.jwk --max-size 16384`,
	},
	run: runSign,
}

// runSign runs jwt sign.
func runSign(e *env, args []string) error {
	fs := newFlagSet("sign")
	var (
		keys    keyFlags
		alg     = fs.String("alg", "", "the algorithm `ALG`, one of "+algorithmNames()+"; optional if the key has \"alg\" or fits one algorithm only")
		kid     = fs.String("kid", "", "the header \"kid\" `KID`, in place of the key's own (\"\" for none); with a JWK Set, also the key to sign with")
		typ     = fs.String("typ", "JWT", "the header \"typ\" `TYP`, such as at+jwt")
		cty     = fs.String("cty", "", "the header \"cty\" `CTY`, rarely needed")
		iat     = fs.Bool("iat", false, "set \"iat\" to the current time (see --time)")
		exp     duration
		nbf     duration
		now     unixTime
		maxSize = byteSize(jwt.DefaultMaxSize)
		jws     = fs.Bool("jws", false, "sign the argument or standard input as an opaque payload, byte for byte, not as JSON claims")
	)
	keys.define(fs, "a private key or secret as a JWK or JWK Set, or a PEM private key")
	fs.Var(&exp, "exp", "set \"exp\" to the current time plus `DURATION`, such as 5m or 24h")
	fs.Var(&nbf, "nbf", "set \"nbf\" to the current time plus `DURATION` (0s or negative for \"already valid\")")
	fs.Var(&now, "time", "use the Unix time `UNIX` as the current time, such as 1300819000")
	fs.Var(&maxSize, "max-size", "refuse to print a token longer than `BYTES` bytes")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *jws && (*iat || exp.set || nbf.set) {
		return usageError("--iat, --exp and --nbf set claims, which a --jws payload has not")
	}
	kf, err := keys.read()
	if err != nil {
		return err
	}
	s, err := kf.signer(*alg, *kid, isSet(fs, "kid"))
	if err != nil {
		return err
	}
	in, err := readInput(e, pos, "claims")
	if err != nil {
		return err
	}
	opts := &jwt.SignOptions{Type: *typ, ContentType: *cty}
	var token string
	if *jws {
		token, err = jwt.SignJWS(context.Background(), s, in, opts)
	} else {
		t := now.now()
		var set []member
		if *iat {
			set = append(set, member{"iat", t.Unix()})
		}
		if nbf.set {
			set = append(set, member{"nbf", t.Add(nbf.d).Unix()})
		}
		if exp.set && exp.d != 0 {
			set = append(set, member{"exp", t.Add(exp.d).Unix()})
		}
		var claims []byte
		if claims, err = buildClaims(in, set); err != nil {
			return err
		}
		token, err = jwt.Sign(context.Background(), s, json.RawMessage(claims), opts)
	}
	if err != nil {
		return &exitError{code: exitUsage, msg: "signing: " + libText(err), err: err}
	}
	if len(token) > int(maxSize) {
		return usageError("the token is %d bytes, more than --max-size %d, so jwt verify and jwt decode would refuse it: give them and jwt sign --max-size %d or more, or sign less",
			len(token), maxSize, len(token))
	}
	_, err = fmt.Fprintln(e.stdout, token)
	return err
}

// member is a claim that sign sets.
type member struct {
	name  string
	value int64
}

// buildClaims returns the JSON object in, compacted, with the members of
// set replacing the ones of the same name or appended. The object's members
// keep their order and their values; it is read with the strict reader, so
// a name given twice, or twice in different case, is an error at any depth,
// as jwt verify would find it.
func buildClaims(in []byte, set []member) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return usageError("claims: "+format+`; want a JSON object such as '{"sub":"1234567890"}'`, args...)
	}
	invalid := func(err error) error {
		var se *strictjson.Error
		if errors.As(err, &se) {
			return bad("invalid JSON (%s)", se.Detail)
		}
		return bad("invalid JSON")
	}
	r := strictjson.NewReader(string(in))
	switch r.Peek() {
	case 0:
		return nil, bad("none given, as an argument or on standard input")
	case '{':
	default:
		return nil, bad("not a JSON object")
	}
	r.ObjectStart()
	out := []byte{'{'}
	add := func(name string, value []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = strictjson.AppendString(out, name)
		out = append(out, ':')
		out = append(out, value...)
	}
	var names strictjson.NameSet
	name, ok, err := r.FirstMember()
	for ; ok && err == nil; name, ok, err = r.NextMember() {
		if err := names.Add(name); err != nil {
			return nil, bad("member %s appears twice", quote(name))
		}
		r.Peek() // past whitespace: the value starts here
		start := r.Offset()
		if err := r.Skip(); err != nil {
			return nil, invalid(err)
		}
		value := compact(r.Slice(start))
		for _, m := range set {
			if m.name == name {
				value = strconv.AppendInt(nil, m.value, 10)
			}
		}
		add(name, value)
	}
	if err != nil {
		return nil, invalid(err)
	}
	if err := r.End(); err != nil {
		return nil, bad("data after the JSON object")
	}
	for _, m := range set {
		if names.Has(m.name) {
			continue
		}
		if err := names.Add(m.name); err != nil {
			return nil, bad("a member differs from %s only in case, and --%s sets %s", quote(m.name), m.name, quote(m.name))
		}
		add(m.name, strconv.AppendInt(nil, m.value, 10))
	}
	return append(out, '}'), nil
}

// compact returns the JSON value v, which the strict reader has read,
// without the whitespace between its tokens.
func compact(v string) []byte {
	out := make([]byte, 0, len(v))
	inString, escaped := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		out = append(out, c)
	}
	return out
}
