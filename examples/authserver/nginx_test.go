package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runNginxScript runs nginx/run.sh with args and a stand-in for nginx
// that records its calls in DIR/called and exits 0, and returns run.sh's
// exit status, its standard error and the stand-in's calls.
func runNginxScript(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	stub := filepath.Join(t.TempDir(), "nginx")
	called := stub + ".called"
	require.NoError(t, os.WriteFile(stub, []byte("#!/bin/sh\necho \"$@\" >> "+called+"\n"), 0o755))
	cmd := exec.Command(bash, append([]string{"nginx/run.sh"}, args...)...)
	cmd.Env = append(os.Environ(), "NGINX="+stub)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	calls, _ := os.ReadFile(called)
	return code, stderr.String(), string(calls)
}

// TestNginxRunArguments is the regression test of run.sh pasting its
// arguments into nginx's configuration unchecked, and checks the class
// (a value that could end a directive, start a variable or a comment, or
// break the substitution): every such value is refused with status 2
// before anything is written or nginx runs.
func TestNginxRunArguments(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "nginx")
	for name, args := range map[string][]string{
		"port 0":             {dir, "0", "8081"},
		"port too big":       {dir, "65536", "8081"},
		"port leading zero":  {dir, "08080", "8081"},
		"port sign":          {dir, "+8080", "8081"},
		"port empty":         {dir, "", "8081"},
		"upstream directive": {dir, "8080", "8081; include /etc/passwd"},
		"upstream spaces":    {dir, "8080", " 8081"},
		"upstream 99999":     {dir, "8080", "8081", "99999"},
		"relative dir":       {"nginx-dir", "8080", "8081"},
		"dir with ;":         {dir + ";error_log /tmp/x", "8080", "8081"},
		"dir with space":     {dir + " x", "8080", "8081"},
		"dir with quote":     {dir + "'", "8080", "8081"},
		"dir with brace":     {dir + "}", "8080", "8081"},
		"dir with $":         {dir + "$host", "8080", "8081"},
		"dir with #":         {dir + "#", "8080", "8081"},
		"dir with |":         {dir + "|", "8080", "8081"},
		"dir with &":         {dir + "&", "8080", "8081"},
		"dir with newline":   {dir + "\nuser root;", "8080", "8081"},
		"dir with backslash": {dir + `\`, "8080", "8081"},
		"too few":            {dir, "8080"},
	} {
		code, stderr, calls := runNginxScript(t, args...)
		assert.Equal(t, 2, code, "%s: %s", name, stderr)
		assert.Empty(t, calls, "%s: nginx is not run", name)
		entries, err := os.ReadDir(base)
		require.NoError(t, err)
		assert.Empty(t, entries, "%s: nothing is written", name)
	}

	// Valid values, the highest port included, and a path through a
	// symbolic link: nginx is run on the rendered configuration.
	code, stderr, calls := runNginxScript(t, dir, "65535", "1", "8081")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, calls, "-t -q -e "+dir+"/error.log")
	conf, err := os.ReadFile(filepath.Join(dir, "nginx.conf"))
	require.NoError(t, err)
	assert.Contains(t, string(conf), "listen 127.0.0.1:65535;")
	assert.Contains(t, string(conf), "server 127.0.0.1:1; server 127.0.0.1:8081;")
	assert.NotRegexp(t, `@[A-Z]+@`, string(conf), "every placeholder is replaced")
}

// directive is one directive of an nginx configuration, with its block's
// directives if it has one.
type directive struct {
	args  []string
	block []*directive
}

// parseNginx parses an nginx configuration: directives separated by ';',
// blocks in braces, '#' comments, quoted strings. It expands include
// directives, whose files are read from disk.
func parseNginx(t *testing.T, text string) []*directive {
	t.Helper()
	var tokens []string
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ';':
			tokens = append(tokens, string(c))
			i++
		case c == '\'' || c == '"':
			j := strings.IndexByte(text[i+1:], c)
			require.GreaterOrEqual(t, j, 0, "unterminated string")
			tokens = append(tokens, text[i+1:i+1+j])
			i += j + 2
		default:
			j := i
			for j < len(text) && !strings.ContainsRune(" \t\r\n{};", rune(text[j])) {
				j++
			}
			tokens = append(tokens, text[i:j])
			i = j
		}
	}
	var parse func() []*directive
	parse = func() []*directive {
		var out []*directive
		var args []string
		for len(tokens) > 0 {
			tok := tokens[0]
			tokens = tokens[1:]
			switch tok {
			case ";":
				if args[0] == "include" {
					b, err := os.ReadFile(args[1])
					require.NoError(t, err)
					out = append(out, parseNginx(t, string(b))...)
				} else {
					out = append(out, &directive{args: args})
				}
				args = nil
			case "{":
				out = append(out, &directive{args: args, block: parse()})
				args = nil
			case "}":
				return out
			default:
				args = append(args, tok)
			}
		}
		return out
	}
	return parse()
}

// renderNginx renders the configuration with run.sh and parses it.
func renderNginx(t *testing.T) []*directive {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "nginx")
	code, stderr, _ := runNginxScript(t, dir, "8080", "8081", "8082")
	require.Equal(t, 0, code, stderr)
	conf, err := os.ReadFile(filepath.Join(dir, "nginx.conf"))
	require.NoError(t, err)
	return parseNginx(t, string(conf))
}

// headers returns the names of the headers that the directives name
// sets in block (its own, not inherited), lower case.
func headers(block []*directive, name string) []string {
	var out []string
	for _, d := range block {
		if d.args[0] == name && len(d.args) > 1 {
			out = append(out, strings.ToLower(d.args[1]))
		}
	}
	return out
}

// TestNginxHeadersInherited is the regression test of /_auth losing the
// server's proxy headers (Host became the upstream's name) and checks the
// class: nginx inherits an array directive such as proxy_set_header or
// add_header into a block only if the block sets none of its own, so every
// block that sets one must set again every header the enclosing level
// sets.
func TestNginxHeadersInherited(t *testing.T) {
	conf := renderNginx(t)
	checked := 0
	var walk func(block []*directive, inherited map[string][]string)
	walk = func(block []*directive, inherited map[string][]string) {
		own := map[string][]string{}
		for _, name := range []string{"proxy_set_header", "add_header"} {
			h := headers(block, name)
			if len(h) == 0 {
				own[name] = inherited[name]
				continue
			}
			for _, want := range inherited[name] {
				assert.Contains(t, h, want, "a block that sets %s sets %s again", name, want)
			}
			own[name] = h
			checked++
		}
		for _, d := range block {
			if d.block != nil {
				walk(d.block, own)
			}
		}
	}
	walk(conf, map[string][]string{})
	assert.GreaterOrEqual(t, checked, 5, "the walk saw the blocks that set headers")

	auth := find(conf, "location", "=", "/_auth")
	require.NotNil(t, auth)
	for _, d := range auth.block {
		if d.args[0] == "proxy_set_header" && strings.EqualFold(d.args[1], "Host") {
			assert.Equal(t, "$http_host", d.args[2], "/_auth passes the client's Host on")
		}
	}
	assert.Contains(t, headers(auth.block, "proxy_set_header"), "host")
}

// find returns the first directive, at any depth, whose arguments are args.
func find(conf []*directive, args ...string) *directive {
	for _, d := range conf {
		if slices.Equal(d.args, args) {
			return d
		}
		if f := find(d.block, args...); f != nil {
			return f
		}
	}
	return nil
}

// TestNginxLogsNoSecrets checks the configuration behind the end-to-end
// log check: no log format holds a variable that can carry a credential
// (the query, the request line, Authorization, DPoP, Cookie, Referer, a
// body), requests are logged to the error log at "crit" only (nginx's
// error messages quote the request line, Host and Referer), and requests
// with a query are refused at the server level, before any location.
func TestNginxLogsNoSecrets(t *testing.T) {
	conf := renderNginx(t)
	http := find(conf, "http")
	require.NotNil(t, http)
	secret := regexp.MustCompile(`\$(request|request_uri|args|arg_\w+|query_string|is_args|http_authorization|http_dpop|http_cookie|cookie_\w+|http_referer|request_body\w*|http_x_original_uri)\b`)
	formats := 0
	for _, d := range http.block {
		switch d.args[0] {
		case "log_format":
			formats++
			for _, a := range d.args[2:] {
				assert.NotRegexp(t, secret, a, "log_format %s", d.args[1])
			}
		case "error_log":
			require.Len(t, d.args, 3)
			assert.Contains(t, []string{"crit", "alert", "emerg"}, d.args[2], "requests logged at crit or above")
		}
	}
	assert.Equal(t, 1, formats)
	server := find(http.block, "server")
	require.NotNil(t, server)
	ifArgs := find(server.block, "if", "($args)")
	require.NotNil(t, ifArgs, "queries are refused")
	require.NotEmpty(t, ifArgs.block)
	assert.Equal(t, []string{"return", "400"}, ifArgs.block[0].args[:2])
	assert.Contains(t, ifArgs.block[0].args[2], `"invalid_request"`)
}
