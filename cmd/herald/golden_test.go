package main

import (
	"flag"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestHelpTexts checks every command's --help against its golden file:
// on stdout, status 0, no default said twice.
func TestHelpTexts(t *testing.T) {
	t.Parallel()
	helps := [][]string{{"--help"}, {"help"}}
	for _, c := range commands() {
		helps = append(helps, []string{c.name, "--help"})
	}
	for _, sub := range []string{"add", "remove", "list", "pause", "resume", "poll"} {
		helps = append(helps, []string{"feed", sub, "--help"})
	}
	helps = append(helps, []string{"bench", "corpus", "--help"}, []string{"bench", "run", "--help"}, []string{"help", "ask"}, []string{"ask", "-h"})
	for _, args := range helps {
		out, errOut, err := runHerald(t, testEnv(t), args...)
		if err != nil || errOut != "" {
			t.Errorf("herald %s: exit %d, stderr %q", strings.Join(args, " "), exitCode(err), errOut)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, "default") > 1 {
				t.Errorf("herald %s says a default twice: %q", strings.Join(args, " "), line)
			}
		}
		name := strings.Join(args, "_")
		name = strings.NewReplacer("--help", "", "-h", "", "__", "_").Replace(name)
		name = strings.Trim(name, "_")
		switch name {
		case "", "help":
			name = "herald"
		}
		if args[0] == "help" && len(args) == 2 || args[len(args)-1] == "-h" {
			// Same text as "herald ask --help".
			want, _, _ := runHerald(t, testEnv(t), args[len(args)-1-boolInt(args[0] != "help")], "--help")
			if args[0] == "help" {
				want, _, _ = runHerald(t, testEnv(t), args[1], "--help")
			}
			if out != want {
				t.Errorf("herald %s differs from --help:\n%s", strings.Join(args, " "), out)
			}
			continue
		}
		golden(t, filepath.Join("help", name+".txt"), out)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestBareHeraldPrintsUsageAndExits2(t *testing.T) {
	t.Parallel()
	out, errOut, err := runHerald(t, testEnv(t))
	if exitCode(err) != 2 || out != "" || !strings.Contains(errOut, "Usage: herald COMMAND") {
		t.Errorf("bare herald: exit %d, stdout %q, stderr %q", exitCode(err), out, errOut)
	}
	for _, args := range [][]string{{"feed"}, {"bench"}, {"ask"}, {"ask", "--nosuch", "q"}} {
		_, errOut, err := runHerald(t, testEnv(t), args...)
		if exitCode(err) != 2 || !strings.Contains(errOut, "Usage: herald") {
			t.Errorf("herald %s: exit %d, stderr %q", strings.Join(args, " "), exitCode(err), errOut)
		}
	}
	_, errOut, _ = runHerald(t, testEnv(t), "ask", "--nosuch", "q")
	if !strings.HasPrefix(errOut, "herald ask: flag provided but not defined: -nosuch.\n") {
		t.Errorf("bad flag message: %q", errOut)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/herald-bot/herald", Version: "v0.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "989b297f0c1d2e3f4a5b6c7d8e9f00112233aabb"},
			{Key: "vcs.time", Value: "2026-12-01T10:31:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	golden(t, "version/release.txt", versionText(info, "linux/amd64"))
	golden(t, "version/devel.txt", versionText(&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "linux/amd64"))
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		out, errOut, err := runHerald(t, map[string]string{}, args...)
		if err != nil || errOut != "" || !strings.HasPrefix(out, "herald ") || !strings.Contains(out, "built with go") {
			t.Errorf("herald %s: %v %q %q", args[0], err, out, errOut)
		}
	}
}
