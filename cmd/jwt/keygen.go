package main

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
Files are new files created by jwt with mode 0600 (FILE.pub 0644), and are
not replaced unless --force is given. With --force each is written to a new
file beside it and renamed over it: a symbolic link at FILE is replaced, not
followed, and nothing of the file it replaces (owner, mode, other links)
carries over.

A JWK carries "alg", "use":"sig" and a "kid", so that jwt sign and jwt verify
need no --alg. A PEM file holds PKCS #8 (private) and PKIX (public) keys,
with no algorithm: jwt sign and verify take EdDSA and ES* from the key, and
need --alg for RS* and PS*. Key sizes: HS256/384/512 32, 48 or 64 random
bytes; RS* and PS* 2048 bits for *256, 3072 for *384 and 4096 for *512 (see
--bits); ES256/384/512 P-256, P-384 or P-521; EdDSA Ed25519; ML-DSA-44/65/87
a 32-byte seed of that parameter set (kty "AKP"; needs a jwt built with Go
1.27 or later). jwt sign and verify take ML-DSA-* from the key too.`,
	examples: []string{
		`jwt keygen --alg ES256 --out es256.jwk          # writes es256.jwk and es256.jwk.pub`,
		`jwt keygen --alg RS256 --bits 3072 --format pem --out rsa.pem --force`,
		`jwt keygen --alg HS256 --kid 2024-01 > secret.jwk`,
		`jwt keygen --alg ML-DSA-65 --out pq.jwk        # Go 1.27 builds`,
	},
	run: runKeygen,
}

// runKeygen runs jwt keygen.
func runKeygen(e *env, args []string) error {
	flags := newFlagSet("keygen")
	var (
		algName = flags.String("alg", "", "the algorithm `ALG` the key is for, one of "+algorithmNames())
		kid     = flags.String("kid", "", "the JWK's \"kid\" `KID` (default: the RFC 7638 thumbprint of a public key; none for HS*)")
		format  = flags.String("format", "jwk", "the output `FORMAT`: jwk or pem")
		out     = flags.String("out", "", "write the private key to `FILE` and the public key to FILE.pub")
		bits    = flags.Int("bits", 0, "the RSA modulus size in `BITS`, 2048 or more (default: 2048 for RS256 and PS256, 3072 for *384, 4096 for *512)")
		force   = flags.Bool("force", false, "replace FILE and FILE.pub if they exist")
	)
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
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
	kidSet := isSet(flags, "kid")
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
		var k *jwt.JWK
		if k, err = jwt.GenerateKey(alg); err == nil {
			key = k.Key
		}
	}
	if err != nil {
		return &exitError{code: exitUsage, msg: "generating a key: " + libText(err), err: err}
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
		return &exitError{code: exitUsage, msg: "encoding the key: " + libText(err), err: err}
	}
	if *out == "" {
		_, err := e.stdout.Write(private)
		return err
	}
	if err := writeKeyFile(*out, private, 0o600, *force); err != nil {
		return err
	}
	if public == nil {
		fmt.Fprintf(e.stderr, "jwt: wrote the %s secret key to %s\n", alg.Name(), oneLine(*out))
		return nil
	}
	if err := writeKeyFile(*out+".pub", public, 0o644, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "jwt: wrote the %s private key to %s and its public key to %s.pub\n", alg.Name(), oneLine(*out), oneLine(*out))
	return nil
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

// writeKeyFile writes data to a new file at path with mode. Without force,
// a file, directory or symbolic link at path is an error (O_EXCL: a link is
// not followed). With force, data goes to a new file in the same directory,
// created 0600 with O_EXCL, which is then renamed over path: the rename
// replaces whatever is at path, a symbolic link itself rather than its
// target, and the new file has jwt's owner and mode, not the old file's.
func writeKeyFile(path string, data []byte, mode fs.FileMode, force bool) error {
	fail := func(err error) error {
		return usageError("writing %s: %v", quote(path), err)
	}
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			return usageError("%s exists; remove it or give --force", quote(path))
		}
		if err != nil {
			return fail(err)
		}
		return finish(f, data, mode, fail)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fail(err)
	}
	tmp := f.Name()
	if err := finish(f, data, mode, fail); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fail(err)
	}
	return nil
}

// finish sets f's mode, writes data to it and closes it.
func finish(f *os.File, data []byte, mode fs.FileMode, fail func(error) error) error {
	// The mode given to open is reduced by the umask; a private key must
	// have 0600 whatever the umask, and chmod ignores it.
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	return nil
}
