// Command jwt signs, verifies, decodes and makes keys for JSON Web Tokens
// with the jwtkit library (github.com/jwtkit/jwt).
//
// Usage:
//
//	jwt sign --alg ALG --key FILE [--kid KID] [--typ TYP] [--iat] [--exp DURATION] [--nbf DURATION] [--time UNIX] [CLAIMS]
//	jwt verify --key FILE [--alg ALG] [--iss ISS] [--aud AUD] [--sub SUB] [--typ TYP] [--leeway DURATION]
//	           [--require NAME,NAME...] [--no-exp] [--ignore-aud] [--time UNIX] [--jws] [TOKEN]
//	jwt decode [TOKEN]
//	jwt keygen --alg ALG [--kid KID] [--format jwk|pem] [--out FILE]
//	jwt thumbprint --key FILE
//	jwt version
//
// A key file holds one JWK, a JWK Set, a PEM key or certificate, or, for the
// HS algorithms, a raw secret. The algorithm always comes from --alg or from
// the key's own "alg" member, never from a token.
//
// Exit status: 0 on success; 1 when a token is rejected or malformed; 2 on a
// usage error, an unreadable file or a key that cannot be used. Run
// "jwt --help" for the full manual.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwt"
)

// Exit codes.
const (
	exitOK       = 0
	exitRejected = 1 // the token was rejected or is malformed
	exitUsage    = 2 // usage error, unreadable file, unusable key
)

// maxInput bounds what is read from standard input or a file.
const maxInput = 1 << 20

// command is a subcommand of jwt.
type command struct {
	name     string
	synopsis string   // the usage line after "jwt "
	summary  string   // one line, for the overview
	about    string   // what the command does, a paragraph
	examples []string // example command lines
	flags    func(fs *flag.FlagSet) func(env *env, args []string) error
}

var commands []*command

func init() {
	commands = []*command{signCommand, verifyCommand, decodeCommand, keygenCommand, thumbprintCommand, versionCommand}
}

// env is what a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// exitError is an error with the exit status it causes.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError returns an error that exits with status 2.
func usageError(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

// keyError returns err, about a key or key file, as an error exiting with status 2.
func keyError(err error) error {
	return &exitError{exitUsage, err}
}

// rejected returns err, the reason a token was refused, as an error exiting
// with status 1 and reading "token rejected: ...".
func rejected(err error) error {
	return &exitError{exitRejected, fmt.Errorf("token rejected: %s", message(err))}
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
	fs := flag.NewFlagSet("jwt "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	do := c.flags(fs)
	pos, err := parseFlags(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(e.stdout, c)
		return exitOK
	}
	if err != nil {
		err = usageError("%s: %s (see jwt %s --help)", c.name, message(err), c.name)
	} else {
		err = do(e, pos)
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
	msg := message(err)
	fmt.Fprintln(e.stderr, "jwt: "+msg)
	return code
}

var versionCommand = &command{
	name:     "version",
	synopsis: "version",
	summary:  "print the version of jwt and of the Go release that built it",
	about: `
Version prints the module version of jwt, or "(devel)" when it was built
from a checkout; the version control revision and commit time it was built
from, when the build recorded them, with "(modified)" if the checkout had
uncommitted changes; and the Go release that built it. jwt --version does
the same.`,
	examples: []string{
		"jwt version",
		"jwt --version",
	},
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		return func(e *env, pos []string) error {
			if len(pos) > 0 {
				return usageError("version takes no arguments")
			}
			bi, _ := debug.ReadBuildInfo()
			_, err := io.WriteString(e.stdout, versionText(bi))
			return err
		}
	},
}

// versionText describes the build bi, which may be nil when the binary
// holds no build information.
func versionText(bi *debug.BuildInfo) string {
	version, goVersion := "(unknown)", runtime.Version()
	var revision, modified, at string
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "jwt %s\n", oneLine(version))
	if revision != "" {
		fmt.Fprintf(&b, "revision: %s%s\n", oneLine(revision), modified)
	}
	if at != "" {
		fmt.Fprintf(&b, "time: %s\n", oneLine(at))
	}
	fmt.Fprintf(&b, "go: %s %s/%s\n", oneLine(goVersion), runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// parseFlags parses args with fs, allowing flags after positional
// arguments, and returns the positional arguments. "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
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

// message returns err's text without the "jwt: " prefixes of the library's
// sentinel errors, on one line.
func message(err error) string {
	var ve *jwt.ValidationError
	if errors.As(err, &ve) && ve.Error() == err.Error() {
		parts := make([]string, len(ve.Errors))
		for i, e := range ve.Errors {
			parts[i] = message(e)
		}
		return strings.Join(parts, "; ")
	}
	var xe *exitError
	if errors.As(err, &xe) && xe.Error() == err.Error() {
		err = xe.err
	}
	s := err.Error()
	for strings.HasPrefix(s, "jwt: ") {
		s = s[len("jwt: "):]
	}
	s = strings.ReplaceAll(s, ": jwt: ", ": ")
	return oneLine(s)
}

// oneLine escapes control characters so that s prints as one line.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) {
		return s
	}
	q := strconv.QuoteToASCII(s)
	return q[1 : len(q)-1]
}

// quote quotes s for a message.
func quote(s string) string { return strconv.QuoteToASCII(s) }

// readInput returns the single positional argument, or standard input if
// there is none or it is "-". what names it in errors.
func readInput(e *env, pos []string, what string) ([]byte, error) {
	switch {
	case len(pos) > 1:
		return nil, usageError("too many arguments: want at most one %s", what)
	case len(pos) == 1 && pos[0] != "-":
		return []byte(pos[0]), nil
	}
	if f, ok := e.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			// A terminal or /dev/null: do not wait for typing.
			return nil, usageError("no %s given, as an argument or on standard input", what)
		}
	}
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxInput+1))
	if err != nil {
		return nil, usageError("reading %s from standard input: %v", what, err)
	}
	if len(b) > maxInput {
		return nil, usageError("%s on standard input is larger than %d bytes", what, maxInput)
	}
	return b, nil
}

// readToken reads a token as readInput does, without surrounding whitespace.
func readToken(e *env, pos []string) (string, error) {
	b, err := readInput(e, pos, "token")
	if err != nil {
		return "", err
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", usageError("no token given, as an argument or on standard input")
	}
	return string(b), nil
}

// readFile reads a file of at most maxInput bytes; what names it in errors.
func readFile(path, what string) ([]byte, error) {
	if path == "" {
		return nil, usageError("no %s file given", what)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("reading %s: %v", what, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, usageError("reading %s: %v", what, err)
	}
	if len(b) > maxInput {
		return nil, usageError("%s file %s is larger than %d bytes", what, quote(path), maxInput)
	}
	return b, nil
}

// unixTime is a flag.Value holding a Unix time in seconds.
type unixTime struct {
	t   time.Time
	set bool
}

func (u *unixTime) String() string {
	if !u.set {
		return ""
	}
	return strconv.FormatInt(u.t.Unix(), 10)
}

func (u *unixTime) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 253402300799 { // 9999-12-31T23:59:59Z
		return errors.New("want seconds since 1970-01-01T00:00:00Z, such as 1300819380")
	}
	u.t, u.set = time.Unix(n, 0), true
	return nil
}

// now returns the fixed time, or the current time.
func (u *unixTime) now() time.Time {
	if u.set {
		return u.t
	}
	return time.Now()
}

// listFlag is a flag.Value collecting values from repeated flags, each
// optionally a comma-separated list.
type listFlag struct {
	values []string
	split  bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(s string) error {
	parts := []string{s}
	if l.split {
		parts = strings.Split(s, ",")
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p == "" {
			return errors.New("empty value")
		}
		l.values = append(l.values, p)
	}
	return nil
}

// algorithmNames lists the algorithms for messages and help.
func algorithmNames() string {
	var names []string
	for _, a := range jwt.Algorithms() {
		names = append(names, a.Name())
	}
	return strings.Join(names, ", ")
}

// algorithmByName returns the named algorithm or a usage error.
func algorithmByName(name string) (jwt.Algorithm, error) {
	a, err := jwt.AlgorithmByName(name)
	if err != nil {
		return nil, usageError("unknown algorithm %s (want one of %s)", quote(name), algorithmNames())
	}
	return a, nil
}
