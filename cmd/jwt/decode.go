package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/jwtkit/jwt"
)

var decodeCommand = &command{
	name:     "decode",
	synopsis: "decode [--indent] [--max-size BYTES] [TOKEN]",
	summary:  "print a token's header and payload WITHOUT verifying anything",
	about: `
Decode prints the header and payload of TOKEN, the argument or standard input
(surrounding whitespace trimmed) when it is absent or "-", as one JSON object:
{"header":{...},"payload":...}. The payload is embedded as JSON when it is
JSON, and otherwise as a JSON string. Bytes that are not UTF-8 are shown as
\ufffd, and control characters as escapes. NOTHING is verified, neither the
signature nor the claims, and standard error says so: anyone can write a
token that says anything. Use jwt verify to trust a token.

Exit status 0: decoded. 1: the token is malformed, or longer than --max-size.
2: usage error.`,
	examples: []string{
		`jwt decode "$TOKEN"`,
		`echo "$TOKEN" | jwt decode --indent --max-size 65536`,
	},
	run: runDecode,
}

// runDecode runs jwt decode.
func runDecode(e *env, args []string) error {
	fs := newFlagSet("decode")
	indent := fs.Bool("indent", false, "indent the output for reading")
	maxSize := byteSize(jwt.DefaultMaxSize)
	fs.Var(&maxSize, "max-size", maxSizeUsage)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	token, err := readToken(e, pos)
	if err != nil {
		return err
	}
	u, err := jwt.ParseUnverified(token, int(maxSize))
	if err != nil {
		return &exitError{code: exitRejected, msg: libText(err) + sizeHint(err), err: err}
	}
	var out bytes.Buffer
	out.WriteString(`{"header":`)
	if err := json.Compact(&out, u.HeaderJSON); err != nil {
		return &exitError{code: exitRejected, msg: "malformed token: header is not JSON", err: jwt.ErrMalformed} // cannot happen: ParseUnverified read it
	}
	out.WriteString(`,"payload":`)
	if json.Valid(u.Payload) {
		json.Compact(&out, u.Payload)
	} else {
		out.Write(appendJSONString(nil, u.Payload))
	}
	out.WriteString("}")
	text := escapeUnprintable(nil, out.Bytes())
	if *indent {
		var b bytes.Buffer
		json.Indent(&b, text, "", "  ")
		text = b.Bytes()
	}
	text = append(text, '\n')
	if _, err := e.stdout.Write(text); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "jwt: decoded only: NOTHING was verified, neither the signature nor the claims")
	return nil
}

// The output of decode is defined here rather than by encoding/json, whose
// handling of invalid UTF-8 differs between Go releases: Go 1.26 writes the
// escape \ufffd, Go 1.27 the character itself. json.Compact and json.Indent
// copy the contents of strings byte for byte, so they are used only for
// layout.

// appendJSONString appends b as a JSON string. Quotes and backslashes are
// escaped; control characters are written as \b, \f, \n, \r, \t or \u00XX;
// '<', '>' and '&' as \u003c, \u003e and \u0026, as encoding/json writes
// them. Bytes from 0x7f up are copied, for escapeUnprintable to deal with.
// It is not strictjson.AppendString, the writer of tokens, because decode's
// output is fixed by its tests and the short escapes read better: that one
// writes \u0008 for \b, and replaces invalid UTF-8 itself.
func appendJSONString(dst, b []byte) []byte {
	const hexd = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
