package main

import (
	"crypto"
	"encoding/base64"
	"fmt"
)

var thumbprintCommand = &command{
	name:     "thumbprint",
	synopsis: "thumbprint --key FILE|--secret-file FILE [--kid KID]",
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
		`jwt thumbprint --secret-file secret.bin`,
	},
	run: runThumbprint,
}

// runThumbprint runs jwt thumbprint.
func runThumbprint(e *env, args []string) error {
	fs := newFlagSet("thumbprint")
	var keys keyFlags
	keys.define(fs, "a JWK, JWK Set, PEM key or X.509 certificate")
	kid := fs.String("kid", "", "with a JWK Set, the `KID` of the key to use (needed if the set has several)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected argument %s", quote(pos[0]))
	}
	kf, err := keys.read()
	if err != nil {
		return err
	}
	k, err := kf.thumbprintJWK(*kid)
	if err != nil {
		return err
	}
	t, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return keyError(err, "the %s in %s", kf.kind, quote(kf.path))
	}
	_, err = fmt.Fprintln(e.stdout, base64.RawURLEncoding.EncodeToString(t))
	return err
}
