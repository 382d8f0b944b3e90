package session_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestREADMEServer builds the server program of the README's section
// "Access and refresh tokens", runs it, and drives it through login, an API
// call, a refresh, reuse detection and logout.
func TestREADMEServer(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the README's server with")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(readme), "\n## Access and refresh tokens\n")
	require.True(t, found, "the README has no section \"Access and refresh tokens\"")
	section, _, _ = strings.Cut(section, "\n## ")
	_, code, found := strings.Cut(section, "```go\n")
	require.True(t, found, "the section has no Go code")
	code, _, _ = strings.Cut(code, "\n```")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	require.Contains(t, code, `"127.0.0.1:8080"`)
	code = strings.Replace(code, `"127.0.0.1:8080"`, `"`+addr+`"`, 1)

	dir := t.TempDir()
	goMod := "module readmeserver\n\ngo 1.26\n\nrequire github.com/jwtkit/jwt v0.0.0\n\nreplace github.com/jwtkit/jwt => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	build := exec.Command(goBin, "build", "-o", "server", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building the README's server:\n%s", out)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server := exec.CommandContext(ctx, filepath.Join(dir, "server"))
	require.NoError(t, server.Start())
	defer func() {
		server.Process.Kill()
		server.Wait()
	}()
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "the README's server did not start")
		time.Sleep(20 * time.Millisecond)
	}

	requireError(t, postForm(t, base+"/login", url.Values{"username": {"alice"}, "password": {"wrong"}}), 401, "invalid_grant")
	r := postForm(t, base+"/login", url.Values{"username": {"alice"}, "password": {"wonderland"}})
	access, refresh := requirePair(t, r)

	me := do(t, "GET", base+"/api/me", "", "", bearer(access))
	require.Equal(t, http.StatusOK, me.status)
	require.Equal(t, "user-1", me.body["sub"])
	require.Equal(t, http.StatusUnauthorized, do(t, "GET", base+"/api/me", "", "", bearer(refresh)).status)

	access2, refresh2 := requirePair(t, postForm(t, base+"/token/refresh", url.Values{"refresh_token": {refresh}}))
	requireError(t, do(t, "POST", base+"/token/refresh", "", "", bearer(refresh2)), 400, "invalid_request")
	requireError(t, postForm(t, base+"/token/refresh", url.Values{"refresh_token": {refresh}}), 401, "invalid_grant")
	require.Equal(t, http.StatusUnauthorized, do(t, "GET", base+"/api/me", "", "", bearer(access2)).status, "reuse did not revoke the session")

	access3, refresh3 := requirePair(t, postForm(t, base+"/login", url.Values{"username": {"alice"}, "password": {"wonderland"}}))
	require.Equal(t, http.StatusNoContent, do(t, "POST", base+"/logout", "", "", bearer(access3)).status)
	require.Equal(t, http.StatusUnauthorized, do(t, "GET", base+"/api/me", "", "", bearer(access3)).status)
	requireError(t, postForm(t, base+"/token/refresh", url.Values{"refresh_token": {refresh3}}), 401, "invalid_grant")
}
