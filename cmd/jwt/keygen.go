package main

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/jwtkit/jwt"
)

var keygenCommand = &command{
	name:     "keygen",
	synopsis: "keygen --alg ALG [--kid KID] [--format jwk|pem] [--out FILE] [--bits BITS] [--force]",
	summary:  "make a new key",
	about: `
Keygen makes a new random key for ALG and writes the private key to FILE, or
to standard output without --out. With --out it also writes the public key
to FILE.pub (an HS* secret has no public form, so there is none for it).
Files are created with mode 0600 (FILE.pub 0644) and are not replaced unless
--force is given.

A JWK carries "alg", "use":"sig" and a "kid", so that jwt sign and jwt verify
need no --alg. A PEM file holds PKCS #8 (private) and PKIX (public) keys,
with no algorithm: give --alg when using them. Key sizes: HS256/384/512 32,
48 or 64 random bytes; RS* and PS* 2048 bits for *256, 3072 for *384 and 4096
for *512 (see --bits); ES256/384/512 P-256, P-384 or P-521; EdDSA Ed25519.`,
	examples: []string{
		`jwt keygen --alg ES256 --out es256.jwk          # writes es256.jwk and es256.jwk.pub`,
		`jwt keygen --alg RS256 --bits 3072 --format pem --out rsa.pem --force`,
		`jwt keygen --alg HS256 --kid 2024-01 > secret.jwk`,
	},
	flags: func(flags *flag.FlagSet) func(*env, []string) error {
		var (
			algName = flags.String("alg", "", "the algorithm `ALG` the key is for, one of "+algorithmNames())
			kid     = flags.String("kid", "", "the JWK's \"kid\" `KID` (default: the RFC 7638 thumbprint of a public key; none for HS*)")
			format  = flags.String("format", "jwk", "the output `FORMAT`: jwk or pem")
			out     = flags.String("out", "", "write the private key to `FILE` and the public key to FILE.pub")
			bits    = flags.Int("bits", 0, "the RSA modulus size in `BITS`, 2048 or more (default: 2048 for RS256 and PS256, 3072 for *384, 4096 for *512)")
			force   = flags.Bool("force", false, "replace FILE and FILE.pub if they exist")
		)
		return func(e *env, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected argument %s", quote(pos[0]))
			}
			if *algName == "" {
				return usageError("--alg is required (one of %s)", algorithmNames())
			}
			alg, err := algorithmByName(*algName)
			if err != nil {
				return err
			}
			kidSet := false
			flags.Visit(func(f *flag.Flag) { kidSet = kidSet || f.Name == "kid" })
			if *format != "jwk" && *format != "pem" {
				return usageError("--format %s: want jwk or pem", quote(*format))
			}
			_, isHMAC := alg.(jwt.HMACAlgorithm)
			if *format == "pem" && isHMAC {
				return usageError("an %s secret has no PEM form: use --format jwk", alg.Name())
			}
			if *format == "pem" && kidSet {
				return usageError("a PEM file has no place for --kid: give --kid to jwt sign instead")
			}
			_, isRSA := alg.(jwt.RSAAlgorithm)
			_, isPSS := alg.(jwt.RSAPSSAlgorithm)
			if *bits != 0 && !isRSA && !isPSS {
				return usageError("--bits is for RS* and PS* keys only")
			}
			if *bits != 0 && (*bits < jwt.MinRSABits || *bits > jwt.MaxRSABits) {
				return usageError("--bits %d is outside %d to %d", *bits, jwt.MinRSABits, jwt.MaxRSABits)
			}
			if *out != "" && !*force {
				for _, p := range []string{*out, *out + ".pub"} {
					if _, err := os.Lstat(p); err == nil {
						return usageError("%s exists; remove it or give --force", quote(p))
					}
				}
			}

			var key any
			if *bits != 0 {
				key, err = rsa.GenerateKey(rand.Reader, *bits)
			} else {
				key, err = jwt.GenerateKey(alg)
			}
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("generating a key: %s", message(err))}
			}
			var private, public []byte
			if *format == "pem" {
				if private, err = jwt.EncodePrivateKeyPEM(key); err == nil {
					public, err = jwt.EncodePublicKeyPEM(key)
				}
			} else {
				private, public, err = keygenJWK(key, alg, *kid, kidSet)
			}
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("encoding the key: %s", message(err))}
			}
			if *out == "" {
				_, err := e.stdout.Write(private)
				return err
			}
			if err := writeFile(*out, private, 0o600, *force); err != nil {
				return err
			}
			if public == nil {
				fmt.Fprintf(e.stderr, "jwt: wrote the %s secret key to %s\n", alg.Name(), oneLine(*out))
				return nil
			}
			if err := writeFile(*out+".pub", public, 0o644, *force); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "jwt: wrote the %s private key to %s and its public key to %s.pub\n", alg.Name(), oneLine(*out), oneLine(*out))
			return nil
		}
	},
}

// keygenJWK returns the private and public JWK of key, each with a newline;
// public is nil for a secret.
func keygenJWK(key any, alg jwt.Algorithm, kid string, kidSet bool) (private, public []byte, err error) {
	k, err := jwt.NewJWK(key)
	if err != nil {
		return nil, nil, err
	}
	k.Algorithm = alg.Name()
	k.Use = "sig"
	_, isHMAC := alg.(jwt.HMACAlgorithm)
	switch {
	case kidSet:
		k.KeyID = kid
	case !isHMAC:
		if err := k.SetThumbprintKeyID(); err != nil {
			return nil, nil, err
		}
	}
	if private, err = k.MarshalPrivateJSON(); err != nil {
		return nil, nil, err
	}
	private = append(private, '\n')
	if pub := k.Public(); pub != nil {
		if public, err = pub.MarshalJSON(); err != nil {
			return nil, nil, err
		}
		public = append(public, '\n')
	}
	return private, public, nil
}

// writeFile writes data to a new file at path, or replaces it if force.
func writeFile(path string, data []byte, mode fs.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, mode)
	if errors.Is(err, fs.ErrExist) {
		return usageError("%s exists; remove it or give --force", quote(path))
	}
	if err != nil {
		return usageError("writing the key: %v", err)
	}
	if force {
		// An existing file keeps its mode; a private key must not be readable by others.
		if err := f.Chmod(mode); err != nil {
			f.Close()
			return usageError("writing the key: %v", err)
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return usageError("writing the key: %v", err)
	}
	if err := f.Close(); err != nil {
		return usageError("writing the key: %v", err)
	}
	return nil
}
