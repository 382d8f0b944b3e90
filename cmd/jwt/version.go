package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

var versionCommand = &command{
	name:     "version",
	synopsis: "version",
	summary:  "print the version of jwt and of the Go release that built it",
	about: `
Version prints the module version of jwt, or "(devel)" when it was built
from a checkout; the version control revision and commit time it was built
from, when the build recorded them, with "(modified)" if the checkout had
uncommitted changes; and the Go release that built it. jwt --version does
the same.`,
	examples: []string{
		"jwt version",
		"jwt --version",
	},
	run: runVersion,
}

// runVersion runs jwt version.
func runVersion(e *env, args []string) error {
	pos, err := parseArgs(newFlagSet("version"), args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("version takes no arguments")
	}
	bi, _ := debug.ReadBuildInfo()
	_, err = io.WriteString(e.stdout, versionText(bi))
	return err
}

// versionText describes the build bi, which may be nil when the binary
// holds no build information.
func versionText(bi *debug.BuildInfo) string {
	version, goVersion := "(unknown)", runtime.Version()
	var revision, modified, at string
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "jwt %s\n", oneLine(version))
	if revision != "" {
		fmt.Fprintf(&b, "revision: %s%s\n", oneLine(revision), modified)
	}
	if at != "" {
		fmt.Fprintf(&b, "time: %s\n", oneLine(at))
	}
	fmt.Fprintf(&b, "go: %s %s/%s\n", oneLine(goVersion), runtime.GOOS, runtime.GOARCH)
	return b.String()
}
