package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/jwtkit/jwt/session"
	"golang.org/x/crypto/bcrypt"
)

// maxPassword is the longest password bcrypt hashes, in bytes.
const maxPassword = 72

// maxPasswordInput bounds what hash-password reads from standard input.
const maxPasswordInput = 4 << 10

// user is one line of the users file.
type user struct {
	hash  []byte // bcrypt
	cost  int    // the hash's bcrypt cost
	scope string // space-separated, or ""
}

// users checks passwords against the users file.
//
// Every login does the same bcrypt work, that of one comparison at cost:
// the file's highest cost, and at least bcrypt.DefaultCost. An unknown user
// is compared with dummy, a hash at cost; a user whose hash costs less is
// compared with it and then with pad[c] for each c from the user's cost up
// to cost, since 2^c + 2^c + 2^(c+1) + … + 2^(cost-1) = 2^cost. (Without
// the padding, a user hashed at cost 4 answers a hundred times faster than
// an unknown one at cost 12.) Rehash such users at cost to save the work.
type users struct {
	byName map[string]user
	cost   int
	dummy  []byte   // a random password nobody knows, hashed at cost
	pad    [][]byte // pad[c]: a random password hashed at cost c, for the costs below cost that users have
	// compare is bcrypt.CompareHashAndPassword (tests count its work).
	compare func(hash, password []byte) error
	// slots bounds the concurrent comparisons to the number of CPUs, so
	// that a flood of logins queues instead of starving everything else.
	slots chan struct{}
}

// loadUsers reads the users file at path.
func loadUsers(path string) (*users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	u, err := parseUsers(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// parseUsers reads lines "name:hash" or "name:hash:scope1 scope2". Blank
// lines and lines beginning with "#" are skipped.
func parseUsers(r io.Reader) (*users, error) {
	u := &users{
		byName:  make(map[string]user),
		compare: bcrypt.CompareHashAndPassword,
		slots:   make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	cost, lowest := bcrypt.DefaultCost, bcrypt.MaxCost
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, ":", 3)
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want name:hash[:scopes]", n)
		}
		name, hash := fields[0], []byte(fields[1])
		if !validName(name) {
			return nil, fmt.Errorf("line %d: a user name is printable ASCII without spaces or colons", n)
		}
		if _, dup := u.byName[name]; dup {
			return nil, fmt.Errorf("line %d: user %s listed twice", n, name)
		}
		c, err := bcrypt.Cost(hash)
		if err != nil {
			return nil, fmt.Errorf("line %d: user %s: not a bcrypt hash (make one with hash-password): %w", n, name, err)
		}
		cost, lowest = max(cost, c), min(lowest, c)
		var scope string
		if len(fields) == 3 {
			scopes := strings.Fields(fields[2])
			for _, s := range scopes {
				if !validScope(s) {
					return nil, fmt.Errorf("line %d: user %s: a scope is printable ASCII without spaces, '\"' or '\\'", n, name)
				}
			}
			scope = strings.Join(scopes, " ")
		}
		u.byName[name] = user{hash: hash, cost: c, scope: scope}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	u.cost = cost
	var err error
	if u.dummy, err = randomHash(cost); err != nil {
		return nil, err
	}
	u.pad = make([][]byte, cost)
	for c := lowest; c < cost; c++ {
		if u.pad[c], err = randomHash(c); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// randomHash returns the hash at cost of a random password.
func randomHash(cost int) ([]byte, error) {
	var pw [16]byte
	rand.Read(pw[:])
	return bcrypt.GenerateFromPassword(pw[:], cost)
}

// authenticate checks a user's password. It does the same bcrypt work
// whatever the user, existing or not, and whatever the cost of the user's
// hash (see users), so that every refusal takes the same time, and refuses
// with an error wrapping session.ErrDenied.
func (u *users) authenticate(ctx context.Context, name, password string) (session.Grant, error) {
	select {
	case u.slots <- struct{}{}:
		defer func() { <-u.slots }()
	case <-ctx.Done():
		return session.Grant{}, ctx.Err()
	}
	usr, ok := u.byName[name]
	// bcrypt reads the first 72 bytes only: a longer password is refused
	// (hash-password never hashed one), after the same work.
	ok = ok && len(password) <= maxPassword
	hash, cost := usr.hash, usr.cost
	if !ok {
		hash, cost = u.dummy, u.cost
	}
	err := u.compare(hash, []byte(password))
	for c := cost; c < u.cost; c++ {
		u.compare(u.pad[c], []byte(password)) // never matches: work only
	}
	if !ok || err != nil {
		return session.Grant{}, fmt.Errorf("%w: wrong user name or password", session.ErrDenied)
	}
	return session.Grant{Subject: name, Scope: usr.scope}, nil
}

// belowCost returns the number of users whose hashes cost less than a
// login's work.
func (u *users) belowCost() int {
	n := 0
	for _, usr := range u.byName {
		if usr.cost < u.cost {
			n++
		}
	}
	return n
}

// validName reports whether name can be a user name: printable ASCII,
// without spaces or colons, at most 256 bytes.
func validName(name string) bool {
	if name == "" || len(name) > 256 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// validScope reports whether s is a scope-token of RFC 6749 §3.3.
func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// hashPasswordCommand is the hash-password subcommand: it reads a password
// from stdin (up to the first line break) and writes its bcrypt hash.
func hashPasswordCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hash-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: authserver hash-password [--cost N] < password")
		fmt.Fprintln(stderr, "Reads a password from standard input (up to the first line break) and writes its bcrypt hash.")
		fs.PrintDefaults()
	}
	cost := fs.Int("cost", bcrypt.DefaultCost, fmt.Sprintf("the bcrypt cost, %d to %d", bcrypt.MinCost, bcrypt.MaxCost))
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *cost < bcrypt.MinCost || *cost > bcrypt.MaxCost {
		fs.Usage()
		return 2
	}
	hash, err := hashPassword(stdin, *cost)
	if err != nil {
		fmt.Fprintln(stderr, "authserver hash-password:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", hash)
	return 0
}

func hashPassword(stdin io.Reader, cost int) ([]byte, error) {
	in, err := io.ReadAll(io.LimitReader(stdin, maxPasswordInput+1))
	if err != nil {
		return nil, err
	}
	if len(in) > maxPasswordInput {
		return nil, errors.New("standard input is too long for a password")
	}
	pw, _, _ := bytes.Cut(in, []byte("\n"))
	pw = bytes.TrimSuffix(pw, []byte("\r"))
	if len(pw) == 0 {
		return nil, errors.New("no password on standard input")
	}
	// bcrypt refuses passwords over 72 bytes rather than cut them.
	return bcrypt.GenerateFromPassword(pw, cost)
}
