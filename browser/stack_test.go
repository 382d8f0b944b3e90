package browser

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startTimeout bounds the start of each server of the reference stack.
const startTimeout = 20 * time.Second

// stack is the reference stack: a throw-away redis-server, two instances
// of the reference auth service sharing it and one key, and the reference
// nginx in front of them, serving the web client at /.
type stack struct {
	base     string // nginx's URL, the instances' --external-url
	password map[string]string
}

// tool finds a program: $env, else name on PATH, else fallback; without
// it the test skips, or fails when JWTKIT_BROWSER_REQUIRED is set.
func tool(t *testing.T, env, name, fallback, pkg string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); fallback != "" && err == nil {
		return fallback
	}
	msg := fmt.Sprintf("%s not found: install it (Debian package %s) or set %s", name, pkg, env)
	if os.Getenv("JWTKIT_BROWSER_REQUIRED") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startProc starts args with its output in dir/name.log, killed when the
// test ends (or the test binary dies).
func startProc(t *testing.T, dir, name string, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	log := filepath.Join(dir, name+".log")
	f, err := os.Create(log)
	require.NoError(t, err)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start(), "starting %s", name)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		f.Close()
	})
	return cmd, log
}

// waitUntil polls ready until it reports true, or fails the test after
// startTimeout, showing the log.
func waitUntil(t *testing.T, name, log string, ready func() bool) {
	t.Helper()
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if ready() {
			return
		}
	}
	out, _ := os.ReadFile(log)
	t.Fatalf("%s did not start within %v:\n%s", name, startTimeout, out)
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

var listening = regexp.MustCompile(`msg=listening addr=\S+:(\d+)`)

// startStack builds and starts the reference stack with the service's
// flags args (such as --access-ttl).
func startStack(t *testing.T, args ...string) *stack {
	t.Helper()
	nginx := tool(t, "JWTKIT_NGINX", "nginx", "/usr/sbin/nginx", "nginx")
	redisServer := tool(t, "JWTKIT_REDIS_SERVER", "redis-server", "", "redis-server")
	dir := t.TempDir()

	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "github.com/jwtkit/jwt/examples/authserver", "github.com/jwtkit/jwt/cmd/jwt")
	build.Dir = filepath.Join("..", "examples", "authserver")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	authserver, jwtCmd := filepath.Join(bin, "authserver"), filepath.Join(bin, "jwt")

	st := &stack{password: map[string]string{"alice": "alice's password", "bob": "bob's password"}}
	var users strings.Builder
	for _, name := range []string{"alice", "bob"} {
		cmd := exec.Command(authserver, "hash-password")
		cmd.Stdin = strings.NewReader(st.password[name] + "\n")
		hash, err := cmd.Output()
		require.NoError(t, err)
		fmt.Fprintf(&users, "%s:%s:read\n", name, strings.TrimSpace(string(hash)))
	}
	usersFile, keyFile := filepath.Join(dir, "users"), filepath.Join(dir, "key.jwk")
	require.NoError(t, os.WriteFile(usersFile, []byte(users.String()), 0o600))
	out, err = exec.Command(jwtCmd, "keygen", "--alg", "ES256", "--out", keyFile).CombinedOutput()
	require.NoError(t, err, "jwt keygen: %s", out)

	redisPort := freePort(t)
	_, log := startProc(t, dir, "redis", nil, redisServer, "--port", redisPort, "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	waitUntil(t, "redis-server", log, func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+redisPort, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	nginxPort := freePort(t)
	st.base = "http://127.0.0.1:" + nginxPort
	var upstreams []string
	for _, name := range []string{"a", "b"} {
		_, log := startProc(t, dir, "authserver-"+name, nil, append([]string{authserver, "--addr", "127.0.0.1:0",
			"--users", usersFile, "--key", keyFile, "--store", "redis://127.0.0.1:" + redisPort,
			"--external-url", st.base, "--trusted-proxy", "127.0.0.1"}, args...)...)
		var port string
		waitUntil(t, "authserver-"+name, log, func() bool {
			b, _ := os.ReadFile(log)
			if m := listening.FindSubmatch(b); m != nil {
				port = string(m[1])
				return true
			}
			return false
		})
		upstreams = append(upstreams, port)
	}
	runSh, err := filepath.Abs(filepath.Join("..", "examples", "authserver", "nginx", "run.sh"))
	require.NoError(t, err)
	_, log = startProc(t, dir, "nginx", []string{"NGINX=" + nginx}, append([]string{"bash", runSh, filepath.Join(dir, "nginx"), nginxPort}, upstreams...)...)
	waitUntil(t, "nginx", log, func() bool {
		res, err := http.Get(st.base + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return st
}
