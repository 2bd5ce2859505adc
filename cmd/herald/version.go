package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func runVersion(_ context.Context, e *env) error {
	fs := newFlags(e, "version", "", "Prints Herald's version: the module version and the commit it was built from.")
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprint(e.stdout, versionText(info, runtime.GOOS+"/"+runtime.GOARCH))
	return nil
}

// versionText is what `herald --version` prints, from the build
// information the Go toolchain embeds: the module version (a tag, or a
// pseudo-version, or "(devel)"), the VCS revision, its time and whether
// the tree had changes, and the Go version.
func versionText(info *debug.BuildInfo, platform string) string {
	if info == nil {
		return "herald (version unknown: built without module information)\n"
	}
	version := info.Main.Version
	if version == "" || version == "(devel)" {
		version = "(development build)"
	}
	var revision, at string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "herald %s\n", version)
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		fmt.Fprintf(&b, "commit %s", revision)
		if at != "" {
			fmt.Fprintf(&b, " (%s)", at)
		}
		if modified {
			b.WriteString(" with uncommitted changes")
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "built with %s for %s\n", info.GoVersion, platform)
	return b.String()
}
