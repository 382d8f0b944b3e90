package jwt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageDoc checks the package comment of doc.go: it has the
// sections the style guide asks for, and each of its doc links to this
// package ([Name] or [Name.Method]) names an exported identifier, so that
// none is left dangling by a rename.
func TestPackageDoc(t *testing.T) {
	fset := token.NewFileSet()
	names := map[string]bool{}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var doc string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		require.NoError(t, err)
		if name == "doc.go" {
			doc = f.Doc.Text()
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
					continue
				}
				recv := d.Recv.List[0].Type
				if s, ok := recv.(*ast.StarExpr); ok {
					recv = s.X
				}
				if ix, ok := recv.(*ast.IndexExpr); ok {
					recv = ix.X
				}
				names[recv.(*ast.Ident).Name+"."+d.Name.Name] = true
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	require.NotEmpty(t, doc, "doc.go holds the package comment")
	for _, heading := range []string{"Security", "Choosing an algorithm", "Compatibility"} {
		assert.Contains(t, doc, "\n# "+heading+"\n", "the section %q", heading)
	}
	var prose []string // the lines outside code blocks
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "\t") {
			prose = append(prose, line)
		}
	}
	links := regexp.MustCompile(`\[([A-Z]\w*(?:\.\w+)?)\]`).FindAllStringSubmatch(strings.Join(prose, "\n"), -1)
	require.NotEmpty(t, links)
	for _, l := range links {
		assert.True(t, names[l[1]], "doc link [%s] names nothing in the package", l[1])
	}
	t.Logf("%d doc links checked", len(links))
}
