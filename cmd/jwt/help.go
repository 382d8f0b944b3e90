package main

import (
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

const keyHelp = `Key files (--key FILE):
  A key file is read, by its content, as one of:
  - a JWK (RFC 7517): UTF-8 text starting with "{";
  - a JWK Set, {"keys":[...]}: jwt verify takes the key named by the token's
    "kid" or by --kid; jwt sign and jwt thumbprint take the key named by --kid,
    or the only key of the set;
  - PEM: a private key (PKCS #8 "PRIVATE KEY", PKCS #1 "RSA PRIVATE KEY",
    SEC 1 "EC PRIVATE KEY"), a public key (PKIX "PUBLIC KEY", PKCS #1 "RSA
    PUBLIC KEY") or an X.509 "CERTIFICATE", whose public key is used (the
    certificate itself is not checked);
  - anything else is a raw secret for HS256, HS384 or HS512, whose bytes are
    used exactly as they are, a trailing newline included (write it with
    printf, not echo). It must be at least 32, 48 or 64 bytes long.
  The algorithm is never taken from a token: it comes from --alg or from the
  key's own "alg" member, and if they disagree jwt stops.

Times and durations:
  DURATION is a Go duration such as 90s, 5m, 1h30m or -1m. UNIX is a time in
  seconds since 1970-01-01T00:00:00Z, such as 1300819380.

Exit status:
  0  success (for verify: the token is valid)
  1  the token was rejected or is malformed; one line on standard error says why
  2  usage error, unreadable file, or a key that cannot be used
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

// printCommandHelp writes the help of one command: usage, description,
// every flag, and examples.
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: jwt %s\n\n", c.synopsis)
	fmt.Fprintf(w, "%s\n", strings.TrimSpace(c.about))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
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
