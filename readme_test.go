package jwt

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeFree are the names README fragments use without declaring them,
// with their types: a fragment is compiled as the body of a function that
// takes those it uses as parameters.
var readmeFree = map[string]string{
	"ctx":            "context.Context",
	"secret":         "[]byte",
	"token":          "string",
	"claims":         "jwt.RegisteredClaims",
	"mux":            "*http.ServeMux",
	"jwksJSON":       "[]byte",
	"data":           "[]byte",
	"pemBytes":       "[]byte",
	"pubPEM":         "[]byte",
	"certPEMorDER":   "[]byte",
	"key":            "crypto.Signer",
	"keys":           "jwt.KeySource",
	"accessTokenFor": "func(*http.Request) (string, error)",
	"store":          "*session.MemoryStore",
	"logger":         "*slog.Logger",
	"m":              "*session.Manager",
	"ring":           "*jwks.KeyRing",
	"registry":       "jwks.Registry",
	"saved":          "[]byte",
}

// readmeFiles are the READMEs whose Go blocks TestREADMECompiles builds:
// the front door and the pages of the packages it links to.
var readmeFiles = []string{
	"README.md",
	"cmd/jwt/README.md",
	"jwks/README.md",
	"clientauth/README.md",
	"idtoken/README.md",
}

// readmeImports are the packages a fragment may use by name.
var readmeImports = map[string]string{
	"jwt":        "github.com/jwtkit/jwt",
	"jwks":       "github.com/jwtkit/jwt/jwks",
	"jwthttp":    "github.com/jwtkit/jwt/jwthttp",
	"clientauth": "github.com/jwtkit/jwt/clientauth",
	"idtoken":    "github.com/jwtkit/jwt/idtoken",
	"session":    "github.com/jwtkit/jwt/session",
	"dpop":       "github.com/jwtkit/jwt/dpop",
	"context":    "context",
	"crypto":     "crypto",
	"errors":     "errors",
	"fmt":        "fmt",
	"http":       "net/http",
	"json":       "encoding/json",
	"log":        "log",
	"slog":       "log/slog",
	"time":       "time",
	"os":         "os",
	"strings":    "strings",
	"ed25519":    "crypto/ed25519",
	"ecdsa":      "crypto/ecdsa",
	"elliptic":   "crypto/elliptic",
	"rand":       "crypto/rand",
}

// TestREADMECompiles builds every Go block of the READMEs (readmeFiles) as pasted: each
// complete program (package main) on its own, and each fragment as the
// body of a function whose parameters are the names it uses without
// declaring them (readmeFree). A block that imports a module other than
// this one (redisstore) is skipped, and said so.
func TestREADMECompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the README's code with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	var blocks [][]string
	for _, f := range readmeFiles {
		readme, err := os.ReadFile(f)
		require.NoError(t, err)
		found := regexp.MustCompile("(?s)\n```go\n(.*?)\n```").FindAllStringSubmatch(string(readme), -1)
		if f == "README.md" {
			require.NotEmpty(t, found, "no Go block in %s", f)
		}
		t.Logf("%s: %d Go blocks", f, len(found))
		blocks = append(blocks, found...)
	}

	dir := t.TempDir()
	write := func(path, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	}
	write(filepath.Join(dir, "go.mod"), "module readme\n\ngo 1.26\n\nrequire github.com/jwtkit/jwt v0.0.0\n\nreplace github.com/jwtkit/jwt => "+root+"\n")
	write(filepath.Join(dir, "go.sum"), string(sum))

	importLine := regexp.MustCompile(`(?m)^import (?:\w+ )?"([^"]+)".*$`)
	var programs, fragments, skipped int
	var fragmentFiles []string
	for i, b := range blocks {
		code := b[1]
		if strings.Contains(code, `"github.com/jwtkit/jwt/redisstore"`) || regexp.MustCompile(`(?m)^[^/]*\bredisstore\.`).MatchString(code) {
			skipped++
			t.Logf("block %d uses the redisstore module: not built here, it needs the redisstore module", i)
			continue
		}
		if strings.HasPrefix(code, "package main") {
			programs++
			write(filepath.Join(dir, fmt.Sprintf("program%d", i), "main.go"), code)
			continue
		}
		fragments++
		imports := map[string]bool{}
		for _, m := range importLine.FindAllStringSubmatch(code, -1) {
			imports[m[1]] = true
		}
		code = importLine.ReplaceAllString(code, "")
		for name, path := range readmeImports {
			if regexp.MustCompile(`\b` + name + `\.`).MatchString(code) {
				imports[path] = true
			}
		}
		var params []string
		for name, typ := range readmeFree {
			if regexp.MustCompile(`\b`+name+`\b`).MatchString(code) && !declares(code, name) {
				params = append(params, name+" "+typ)
				for pkg, path := range readmeImports {
					if strings.Contains(typ, pkg+".") {
						imports[path] = true
					}
				}
			}
		}
		slices.Sort(params)
		var src strings.Builder
		src.WriteString("package main\n\nimport (\n")
		for path := range imports {
			fmt.Fprintf(&src, "\t%q\n", path)
		}
		fmt.Fprintf(&src, ")\n\n// README block %d\nfunc fragment%d(%s) error {\n%s\n\treturn nil\n}\n", i, i, strings.Join(params, ", "), code)
		name := fmt.Sprintf("fragment%d.go", i)
		fragmentFiles = append(fragmentFiles, name)
		write(filepath.Join(dir, "fragments", name), src.String())
	}
	if fragments > 0 {
		write(filepath.Join(dir, "fragments", "main.go"), "package main\n\nfunc main() {}\n")
	}

	// One build: -e reports every error. A fragment's variables may be
	// left unused (it is a fragment), and so may an import its words
	// matched; nothing else may fail.
	build := exec.Command(goBin, "build", "-gcflags=-e", "-o", os.DevNull, "./...")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=mod")
	out, _ := build.CombinedOutput()
	var failures []string
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case line == "", strings.HasPrefix(line, "#"),
			strings.Contains(line, "declared and not used"),
			strings.Contains(line, "imported and not used"):
		default:
			failures = append(failures, line)
		}
	}
	if len(failures) > 0 {
		for _, f := range fragmentFiles {
			src, _ := os.ReadFile(filepath.Join(dir, "fragments", f))
			t.Logf("%s:\n%s", f, src)
		}
	}
	require.Empty(t, failures, "the README's Go code does not build as pasted")
	t.Logf("built %d programs and %d fragments of the README (%d skipped)", programs, fragments, skipped)
}

// declares reports whether code declares name itself (name := or var name).
func declares(code, name string) bool {
	return regexp.MustCompile(`(?m)(^|[\s,(])` + name + `(,\s*\w+)*\s*:=|var ` + name + `\b|\b` + name + `\s+:=`).MatchString(code)
}
