package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

const overview = `jwt signs, verifies and decodes JSON Web Tokens (RFC 7519) and makes keys
for them, with the jwtkit library.

Usage:
  jwt COMMAND [FLAGS] [ARGUMENT]
  jwt COMMAND --help
  jwt --version

Commands:
`

const keyHelp = `Key files (--key FILE, --secret-file FILE):
  --key FILE is read, by its content, as one of:
  - a JWK (RFC 7517): a JSON object;
  - a JWK Set, {"keys":[...]}: jwt verify takes the key named by the token's
    "kid" among the keys that can verify, or the key named by --kid; jwt sign
    and jwt thumbprint take the key named by --kid, or the only key of the set;
  - PEM: a private key (PKCS #8 "PRIVATE KEY", PKCS #1 "RSA PRIVATE KEY",
    SEC 1 "EC PRIVATE KEY"), a public key (PKIX "PUBLIC KEY", PKCS #1 "RSA
    PUBLIC KEY") or an X.509 "CERTIFICATE", whose public key is used (the
    certificate itself is not checked).
  A UTF-8 byte-order mark and leading whitespace are ignored.

  A raw secret for HS256, HS384 or HS512 is used byte for byte, a trailing
  newline included (write it with printf, not echo), and must be at least 32,
  48 or 64 bytes long. Give it with --secret-file FILE. --key FILE reads a
  raw secret too, but only a file that cannot be anything else: never one
  with a byte-order mark (UTF-8, UTF-16 or UTF-32), one that looks like JSON
  (starting with {, [ or "), UTF-16 text, PEM or PGP armor, binary data
  starting with 0x30 as DER does, or an OpenSSH key, so that no key of
  another kind, such as a public key, can become an HMAC secret.
  --secret-file refuses a file that is certainly a key of another kind (a
  JWK or JWK Set, PEM, one DER structure, an OpenSSH key).

  The algorithm is never taken from a token: it comes from --alg, from the
  key's own "alg" member, or from a key that fits one algorithm only
  (Ed25519: EdDSA; EC P-256, P-384, P-521: ES256, ES384, ES512; ML-DSA:
  ML-DSA-44, ML-DSA-65, ML-DSA-87 by its parameter set). RSA keys and secrets
  fit several, so they need --alg or "alg". If --alg and "alg" disagree, jwt
  stops.

  ML-DSA (RFC 9964: ML-DSA-44, ML-DSA-65, ML-DSA-87; JWKs of kty "AKP", PEM
  PKCS #8 seed and PKIX keys) needs a jwt built with Go 1.27 or later (jwt
  version prints the Go version). Built with Go 1.26, jwt refuses these
  algorithms, and skips AKP keys in a JWK Set as unsupported.

Times, durations and sizes:
  DURATION is a Go duration such as 90s, 5m, 1h30m or -1m; a number needs a
  unit. UNIX is a time in seconds since 1970-01-01T00:00:00Z, such as
  1300819380. --max-size BYTES is the longest token jwt sign prints and jwt
  verify and jwt decode read, by default 8192 bytes, the library's
  DefaultMaxSize; give the same value to all three.

Exit status:
  0  success (for verify: the token is valid)
  1  the token was rejected or is malformed; one line on standard error says
     why. Whatever a token says, it can only make jwt exit 0 or 1.
  2  usage error, unreadable file, a key that cannot be used, or a JWK Set
     (jwt verify --jwks, --oidc) that cannot be fetched or used
`

// printHelp writes the full manual: the overview and every command.
func printHelp(w io.Writer) {
	io.WriteString(w, overview)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	io.WriteString(w, keyHelp)
	for _, c := range commands {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Repeat("-", 78))
		printCommandHelp(w, c)
	}
}

// printCommandHelp writes the help of c, with the flags its run function
// defines: run with --help, it returns them in a *helpRequest before it
// does anything else.
func printCommandHelp(w io.Writer, c *command) {
	var help *helpRequest
	if !errors.As(c.run(nil, []string{"--help"}), &help) {
		panic("jwt " + c.name + " --help did not ask for help")
	}
	writeCommandHelp(w, c, help.flags)
}

// writeCommandHelp writes the help of c: usage, description, every flag of
// fs, and examples.
func writeCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: jwt %s\n\n", c.synopsis)
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(c.about))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			if name == "value" {
				name = strings.ToUpper(f.Name)
			}
			fmt.Fprintf(w, "  --%s", f.Name)
			if name != "" {
				fmt.Fprintf(w, " %s", name)
			}
			switch f.DefValue {
			case "", "false", "0", "0s":
			default:
				usage += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(w, "\n%s\n", wrap(usage, "      ", 78))
		})
	}
	fmt.Fprintf(w, "\nExamples:\n")
	for _, ex := range c.examples {
		fmt.Fprintf(w, "  %s\n", ex)
	}
}

// wrap breaks text into lines of at most width columns, each starting with
// indent; a word longer than a line gets a line of its own.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
}
