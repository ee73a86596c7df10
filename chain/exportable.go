package chain

import (
	"errors"
	"fmt"

	"github.com/zkpoc/zkpoc/protocol"
	"github.com/zkpoc/zkpoc/receipt"
)

// ErrNotExportable is wrapped by CheckExportable's errors: the receipt has
// no proof the EVM or a block header can carry.
var ErrNotExportable = errors.New("receipt not exportable")

// Export is what a receipt is exported as.
type Export int

const (
	// ExportCalldata is the EVM calldata of the proof (Groth16's
	// verifyProof(bytes,uint256[4]) or PLONK's Verify(bytes,uint256[])).
	ExportCalldata Export = iota
	// ExportComputeProof is the zk_compute_proof bytes a block header carries (Groth16 only).
	ExportComputeProof
)

// CheckExportable says whether receipt r may be exported as what: a SNARK
// receipt (groth16 or plonk) over BN254, Groth16 for a zk_compute_proof,
// whose proof is bound to its task and node (CheckReceipt). Errors wrap
// ErrNotExportable, or CheckReceipt's. It does not verify the receipt.
func CheckExportable(r *receipt.Receipt, what Export) error {
	if !r.Mode.SNARK() || r.Proof == nil {
		return fmt.Errorf("%w: a %s receipt: only groth16 and plonk receipts carry a proof", ErrNotExportable, r.Mode)
	}
	if r.Proof.Curve != protocol.BN254 {
		return fmt.Errorf("%w: a %s proof over %s: EVM calldata and zk_compute_proof are for BN254 proofs only (the EVM's pairing precompiles are BN254's)", ErrNotExportable, r.Mode, r.Proof.Curve)
	}
	if r.Mode == protocol.ModePlonk && what == ExportComputeProof {
		return fmt.Errorf("%w: a plonk receipt: zk_compute_proof carries Groth16 proofs only (EVM calldata goes to the PLONK verifier)", ErrNotExportable)
	}
	return CheckReceipt(r)
}

// offChain refuses a proof of a statement a chain verifier cannot check:
// freivalds-s2 (protocol.Synthetic) has no input commitment, and its s is
// computed from the A and B an offline verifier regenerates.
func offChain(r *receipt.Receipt) error {
	if r.Proof != nil && protocol.IsSynthetic(r.Proof.Circuit) {
		return fmt.Errorf("%w: receipt %s proves %s, whose verifier regenerates A and B and has no input commitment to compare: it verifies offline only (prove with --circuit %s for the chain)",
			ErrNotExportable, r.ReceiptID, r.Proof.Circuit, protocol.Freivalds.Name())
	}
	return nil
}
