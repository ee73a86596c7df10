package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// versionInfo is what zkpoc version prints: the build's module version and
// VCS state, and the versions of the Go toolchain and of gnark.
type versionInfo struct {
	Version     string `json:"version"`
	Revision    string `json:"vcs_revision,omitempty"`
	Time        string `json:"vcs_time,omitempty"`
	Modified    bool   `json:"vcs_modified,omitempty"`
	Go          string `json:"go"`
	Gnark       string `json:"gnark"`
	GnarkCrypto string `json:"gnark_crypto"`
}

const (
	gnarkPath       = "github.com/consensys/gnark"
	gnarkCryptoPath = "github.com/consensys/gnark-crypto"
)

// buildVersion reads the version record Go embeds in the binary
// (runtime/debug.ReadBuildInfo).
func buildVersion() versionInfo {
	v := versionInfo{Version: "(unknown)", Go: runtime.Version(), Gnark: "(unknown)", GnarkCrypto: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		switch d.Path {
		case gnarkPath:
			v.Gnark = m.Version
		case gnarkCryptoPath:
			v.GnarkCrypto = m.Version
		}
	}
	return v
}

func runVersion(env *cliEnv, args []string) error {
	fs := newFlags(env, "version", "version [--json]", `
Prints the module version (a tagged release, or "(devel)" for a build from a
checkout), the VCS revision it was built from (with "+modified" when the tree
had uncommitted changes), the Go toolchain, and the gnark and gnark-crypto
versions the binary links. zkpoc --version prints the same.`)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments, have %q", pos)
	}
	v := buildVersion()
	if *asJSON {
		return printJSON(env, v)
	}
	rev := "unknown (not stamped: built without VCS information, e.g. by go test or go run)"
	if v.Revision != "" {
		rev = v.Revision
		if v.Modified {
			rev += "+modified"
		}
		if v.Time != "" {
			rev += " (" + v.Time + ")"
		}
	}
	fmt.Fprintf(env.stdout, "zkpoc %s\nrevision %s\ngo %s\ngnark %s\ngnark-crypto %s\n", v.Version, rev, v.Go, v.Gnark, v.GnarkCrypto)
	return nil
}
