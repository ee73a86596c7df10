package chain

import (
	"errors"
	"testing"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

func TestCheckExportableRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    receipt.Receipt
		what Export
	}{
		{"binding", receipt.Receipt{Mode: protocol.ModeBinding}, ExportCalldata},
		{"sampled", receipt.Receipt{Mode: protocol.ModeSampled}, ExportCalldata},
		{"no proof", receipt.Receipt{Mode: protocol.ModeGroth16}, ExportCalldata},
		{"bls12-381", receipt.Receipt{Mode: protocol.ModeGroth16, Proof: &receipt.Proof{Curve: "bls12-381"}}, ExportCalldata},
		{"plonk compute-proof", receipt.Receipt{Mode: protocol.ModePlonk, Proof: &receipt.Proof{Curve: "bn254"}}, ExportComputeProof},
	} {
		if err := CheckExportable(&tc.r, tc.what); !errors.Is(err, ErrNotExportable) {
			t.Errorf("%s: %v, want ErrNotExportable", tc.name, err)
		}
	}
	// A BN254 SNARK receipt goes on to the binding check.
	r := receipt.Receipt{Mode: protocol.ModePlonk, Proof: &receipt.Proof{Curve: "bn254"}}
	if err := CheckExportable(&r, ExportCalldata); err == nil || errors.Is(err, ErrNotExportable) {
		t.Fatalf("an unbound plonk receipt for calldata: %v, want the binding check's error", err)
	}
}
