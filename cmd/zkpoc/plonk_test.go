package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkpoc/zkpoc/keys"
	"github.com/zkpoc/zkpoc/protocol"
)

// TestPlonkFlagErrors checks the PLONK flag combinations refused before any
// work: each is a usage error (exit 2).
func TestPlonkFlagErrors(t *testing.T) {
	cache := keys.Cache{Dir: t.TempDir()}
	srs := filepath.Join(t.TempDir(), "srs.bin")
	if err := os.WriteFile(srs, []byte("not an srs"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, system, srs, srsName, want string
	}{
		{"unknown system", "stark", "", "", "unknown proof system"},
		{"srs without name", "plonk", srs, "", "go together"},
		{"name without srs", "plonk", "", "x", "go together"},
		{"srs for groth16", "groth16", srs, "x", "needs --system plonk"},
		{"bad srs name", "plonk", srs, "Bad Name", "SRS name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := setupKeys(cache, tc.system, protocol.BN254, protocol.Freivalds, 4, 8, tc.srs, tc.srsName, nil)
			var ue usageError
			if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want a usage error containing %q", err, tc.want)
			}
		})
	}
	if err := exportVK(cache, strings.Repeat("ab", 32), filepath.Join(t.TempDir(), "vk.bin")); err == nil || !errors.As(err, new(usageError)) {
		t.Errorf("export of an unknown fingerprint: %v", err)
	}
}
