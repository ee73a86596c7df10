package prover

import (
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
)

func TestResolveMode(t *testing.T) {
	for _, tc := range []struct {
		mode       protocol.Mode
		system     protocol.System
		wantMode   protocol.Mode
		wantSystem protocol.System
	}{
		{"", "", "auto", "groth16"},
		{"auto", "plonk", "auto", "plonk"},
		{"groth16", "", "groth16", "groth16"},
		{"plonk", "", "groth16", "plonk"},
		{"plonk", "plonk", "groth16", "plonk"},
		{"sampled", "", "sampled", "groth16"},
		{"binding", "groth16", "binding", "groth16"},
	} {
		m, s, err := ResolveMode(tc.mode, tc.system)
		if err != nil || m != tc.wantMode || s != tc.wantSystem {
			t.Errorf("ResolveMode(%q, %q) = %q, %q, %v; want %q, %q", tc.mode, tc.system, m, s, err, tc.wantMode, tc.wantSystem)
		}
	}
	for _, tc := range []struct {
		m protocol.Mode
		s protocol.System
	}{{"bogus", ""}, {"plonk", "groth16"}, {"auto", "stark"}} {
		if _, _, err := ResolveMode(tc.m, tc.s); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("ResolveMode(%q, %q): %v, want ErrInvalidOptions", tc.m, tc.s, err)
		}
	}
}
