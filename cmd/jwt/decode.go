package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/jwtkit/jwt"
)

var decodeCommand = &command{
	name:     "decode",
	synopsis: "decode [--indent] [TOKEN]",
	summary:  "print a token's header and payload WITHOUT verifying anything",
	about: `
Decode prints the header and payload of TOKEN, the argument or standard input
(surrounding whitespace trimmed) when it is absent or "-", as one JSON object:
{"header":{...},"payload":...}. The payload is embedded as JSON when it is
JSON, and otherwise as a JSON string. NOTHING is verified, neither the
signature nor the claims, and standard error says so: anyone can write a
token that says anything. Use jwt verify to trust a token.

Exit status 0: decoded. 1: the token is malformed. 2: usage error.`,
	examples: []string{
		`jwt decode "$TOKEN"`,
		`echo "$TOKEN" | jwt decode --indent`,
	},
	flags: func(fs *flag.FlagSet) func(*env, []string) error {
		indent := fs.Bool("indent", false, "indent the output for reading")
		return func(e *env, pos []string) error {
			token, err := readToken(e, pos)
			if err != nil {
				return err
			}
			u, err := jwt.ParseUnverified(token, 0)
			if err != nil {
				return &exitError{exitRejected, err}
			}
			var out bytes.Buffer
			out.WriteString(`{"header":`)
			if err := json.Compact(&out, u.HeaderJSON); err != nil {
				return &exitError{exitRejected, fmt.Errorf("%w: header: %v", jwt.ErrMalformed, err)}
			}
			out.WriteString(`,"payload":`)
			if json.Valid(u.Payload) {
				json.Compact(&out, u.Payload)
			} else {
				s, _ := json.Marshal(string(u.Payload)) // invalid UTF-8 becomes U+FFFD
				out.Write(s)
			}
			out.WriteString("}")
			if *indent {
				var b bytes.Buffer
				json.Indent(&b, out.Bytes(), "", "  ")
				out = b
			}
			out.WriteByte('\n')
			if _, err := e.stdout.Write(out.Bytes()); err != nil {
				return err
			}
			fmt.Fprintln(e.stderr, "jwt: decoded only: NOTHING was verified, neither the signature nor the claims")
			return nil
		}
	},
}
