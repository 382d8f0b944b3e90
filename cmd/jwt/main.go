// Command jwt signs, verifies, decodes and makes keys for JSON Web Tokens
// with the jwtkit library (github.com/jwtkit/jwt).
//
// Usage:
//
//	jwt sign [--alg ALG] --key FILE|--secret-file FILE [--kid KID] [--typ TYP] [--iat] [--exp DURATION]
//	         [--nbf DURATION] [--time UNIX] [--max-size BYTES] [--jws] [CLAIMS]
//	jwt verify --key FILE|--secret-file FILE|--jwks URL|--oidc ISSUER [--timeout DURATION] [--alg ALG]
//	           [--kid KID] [--iss ISS] [--aud AUD] [--sub SUB] [--typ TYP] [--leeway DURATION]
//	           [--require NAME,NAME...] [--no-exp] [--ignore-aud] [--time UNIX] [--max-size BYTES] [--jws] [TOKEN]
//	jwt decode [--indent] [--max-size BYTES] [TOKEN]
//	jwt keygen --alg ALG [--kid KID] [--format jwk|pem] [--out FILE] [--bits BITS] [--force]
//	jwt thumbprint --key FILE|--secret-file FILE [--kid KID]
//	jwt serve [--addr ADDR] [--time UNIX] [--expose-tokens-to-network]
//	jwt version
//
// A key file (--key) holds one JWK, a JWK Set, or a PEM key or certificate;
// a raw HMAC secret is given with --secret-file, or with --key when the file
// cannot be mistaken for any other kind of key. The algorithm comes from
// --alg, from the key's own "alg" member, or from a key that fits only one
// algorithm, never from a token.
//
// jwt verify --jwks URL verifies with the keys of the JWK Set at URL, and
// --oidc ISSUER with those of an OpenID Connect provider, found through its
// discovery document; both fetch the set before looking at the token.
//
// Exit status: 0 on success; 1 when a token is rejected or malformed; 2 on a
// usage error, an unreadable file, a key that cannot be used, or a remote
// JWK Set that cannot be fetched or used. Run
// "jwt --help" for the full manual.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1 // the token was rejected or is malformed
	exitUsage    = 2 // usage error, unreadable file, unusable key, unusable remote JWK Set
)

// maxInput bounds what is read from standard input or a file, and so the
// largest --max-size.
const maxInput = 1 << 20

// A command is a subcommand of jwt: its documentation and the function that
// runs it. The function defines the command's flags on a flag set of its
// own and parses them with parseArgs, which returns a *helpRequest for
// --help, so that the help shows the flags the command really has.
type command struct {
	name     string
	synopsis string   // the usage line after "jwt "
	summary  string   // one line, for the overview
	about    string   // what the command does, a paragraph
	examples []string // example command lines
	run      func(e *env, args []string) error
}

// commands are the commands of jwt, in the order of the manual.
var commands = []*command{signCommand, verifyCommand, decodeCommand, keygenCommand, thumbprintCommand, serveCommand, versionCommand}

// env is what a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run runs jwt with args and returns the exit status.
func run(args []string, e *env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// Never a stack trace, and never the panic value, which could
			// hold anything.
			fmt.Fprintln(e.stderr, "jwt: internal error")
			code = exitUsage
		}
	}()
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "jwt: no command given (see jwt --help)")
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				printCommandHelp(e.stdout, c)
				return exitOK
			}
			fmt.Fprintf(e.stderr, "jwt: unknown command %s (see jwt --help)\n", quote(args[1]))
			return exitUsage
		}
		printHelp(e.stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(e.stderr, "jwt: unknown command %s (see jwt --help)\n", quote(name))
		return exitUsage
	}
	err := c.run(e, args[1:])
	var help *helpRequest
	if errors.As(err, &help) {
		writeCommandHelp(e.stdout, c, help.flags)
		return exitOK
	}
	if err == nil {
		return exitOK
	}
	// Errors without an exit code, such as a failed write to standard
	// output, exit with status 2.
	code = exitUsage
	var xe *exitError
	if errors.As(err, &xe) {
		code = xe.code
	}
	fmt.Fprintln(e.stderr, "jwt: "+oneLine(err.Error()))
	return code
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// helpRequest is the error parseArgs returns for -h or --help. It carries
// the command's flags, for its help.
type helpRequest struct {
	flags *flag.FlagSet
}

func (h *helpRequest) Error() string { return "help requested" }

// newFlagSet returns an empty flag set for the command name that reports
// its errors to the caller only.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, allowing flags after positional
// arguments, and returns the positional arguments. "--" ends the flags.
// For -h or --help it returns a *helpRequest; any other error is a usage
// error.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, &helpRequest{fs}
		} else if err != nil {
			return nil, usageError("%s: %s (see jwt %s --help)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// exitError is an error with the exit status it causes.
type exitError struct {
	code int
	msg  string
	err  error // the cause, if any
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) Unwrap() error { return e.err }

// usageError returns an error that exits with status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// keyError returns an error exiting with status 2 about a key or key file:
// the formatted text, then the library's reason err.
func keyError(err error, format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...) + ": " + libText(err), err: err}
}

// rejected returns err, the reason a token was refused, as an error exiting
// with status 1 and reading "token rejected: ...".
func rejected(err error) error {
	return &exitError{code: exitRejected, msg: "token rejected: " + libText(err) + sizeHint(err), err: err}
}
