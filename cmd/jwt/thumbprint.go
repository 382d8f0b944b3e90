package main

import (
	"crypto"
	"encoding/base64"
	"flag"
	"fmt"
)

var thumbprintCommand = &command{
	name:     "thumbprint",
	synopsis: "thumbprint --key FILE [--kid KID]",
	summary:  "print a key's RFC 7638 JWK thumbprint",
	about: `
Thumbprint prints the RFC 7638 JWK Thumbprint of the key in FILE: the
SHA-256 digest of its required public members, in base64url, and a newline.
A private key and its public key have the same thumbprint; jwt keygen uses it
as the default "kid". FILE is read as for jwt sign and jwt verify (a raw
secret is taken as a key of type "oct").`,
	examples: []string{
		`jwt thumbprint --key es256.jwk.pub`,
		`jwt thumbprint --key jwks.json --kid 2024-01`,
		`jwt thumbprint --key cert.pem`,
	},
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		keyPath := fs.String("key", "", "the key `FILE` (JWK, JWK Set, PEM key or certificate, or raw secret)")
		kid := fs.String("kid", "", "with a JWK Set, the `KID` of the key to use (needed if the set has several)")
		return func(e *env, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected argument %s", quote(pos[0]))
			}
			kf, err := readKeyFile(*keyPath)
			if err != nil {
				return err
			}
			k, err := kf.thumbprintJWK(*kid)
			if err != nil {
				return err
			}
			t, err := k.Thumbprint(crypto.SHA256)
			if err != nil {
				return keyError(fmt.Errorf("the %s in %s: %s", kf.kind, quote(kf.path), message(err)))
			}
			_, err = fmt.Fprintln(e.stdout, base64.RawURLEncoding.EncodeToString(t))
			return err
		}
	},
}
