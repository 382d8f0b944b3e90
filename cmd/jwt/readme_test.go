package main

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEIsTrue checks the manual in README.md against the commands: it
// has a section for every command, and every "jwt COMMAND --flag" it shows
// (in code, examples and synopses) names a command jwt has and flags that
// command defines, so that the manual cannot drift from `jwt help`.
func TestREADMEIsTrue(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	text := string(readme)
	byName := map[string]*command{}
	for _, c := range commands {
		byName[c.name] = c
		assert.Contains(t, text, "\n## jwt "+c.name+"\n", "a section for jwt %s", c.name)
	}
	// A command line runs to the end of its line, its code span, or a
	// shell pipe or list.
	use := regexp.MustCompile(`\bjwt ([a-z]+)([^` + "`" + `\n]*)`)
	flagRE := regexp.MustCompile(`(?:^|[\s\[|])(--?[a-z][a-z-]*)`)
	checked := 0
	for _, piece := range regexp.MustCompile(` \| | && |; `).Split(text, -1) {
		for _, m := range use.FindAllStringSubmatch(piece, -1) {
			c, ok := byName[m[1]]
			if !ok {
				// Prose such as "jwt stops", or "jwt help".
				continue
			}
			var help *helpRequest
			require.True(t, errors.As(c.run(nil, []string{"--help"}), &help))
			for _, f := range flagRE.FindAllStringSubmatch(m[2], -1) {
				name := strings.TrimLeft(f[1], "-")
				if name == "help" {
					continue
				}
				assert.NotNil(t, help.flags.Lookup(name), "README: %q: jwt %s has no flag --%s", m[0], c.name, name)
				checked++
			}
		}
	}
	// In a command's own section, every flag named is one of that command's.
	for _, section := range strings.Split(text, "\n## jwt ")[1:] {
		name, body, _ := strings.Cut(section, "\n")
		c, ok := byName[name]
		require.True(t, ok, "a section for jwt %s, which does not exist", name)
		var help *helpRequest
		require.True(t, errors.As(c.run(nil, []string{"--help"}), &help))
		for _, f := range flagRE.FindAllStringSubmatch(strings.ReplaceAll(body, "`", " "), -1) {
			if name := strings.TrimLeft(f[1], "-"); name != "help" && name != "version" {
				assert.NotNil(t, help.flags.Lookup(name), "README section jwt %s names --%s, which it does not have", c.name, name)
				checked++
			}
		}
	}
	require.Greater(t, checked, 50, "the README's command lines were found")
	t.Logf("%d flags of the README's command lines checked", checked)
}
