package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jwtkit/jwt"
)

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

// duration is a flag.Value holding a Go duration, such as 90s or 5m. A
// number without a unit is an error that suggests one.
type duration struct {
	d   time.Duration
	set bool
}

func (d *duration) String() string { return d.d.String() }

func (d *duration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err == nil {
		d.d, d.set = v, true
		return nil
	}
	if _, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		hint := s + "s"
		if secs, err := time.ParseDuration(hint); err == nil {
			if short := shortDuration(secs); short != hint {
				hint += ", " + short
			}
		}
		return fmt.Errorf("add a unit: %s", hint)
	}
	return errors.New("want a duration such as 90s, 5m or 1h30m")
}

// shortDuration returns d as time.Duration.String does, without zero
// minutes and seconds at the end: 5m rather than 5m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// byteSize is the flag.Value of --max-size: a token size in bytes, from 1
// to maxInput.
type byteSize int

func (n *byteSize) String() string { return strconv.Itoa(int(*n)) }

func (n *byteSize) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > maxInput {
		return fmt.Errorf("--max-size takes a number of bytes from 1 to %d", maxInput)
	}
	*n = byteSize(v)
	return nil
}

// maxSizeUsage is the usage of --max-size in verify and decode.
const maxSizeUsage = "read tokens of up to `BYTES` bytes; jwt sign refuses to print a larger one unless given the same flag"

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
	if err != nil && strings.HasPrefix(name, "ML-DSA-") && errors.Is(err, jwt.ErrUnsupportedAlgorithm) && strings.Contains(err.Error(), "Go 1.27") {
		return nil, usageError("%s needs a jwt built with Go 1.27 or later; this one was built with %s", name, runtime.Version())
	}
	if err != nil {
		return nil, usageError("unknown algorithm %s (want one of %s)", quote(name), algorithmNames())
	}
	return a, nil
}
