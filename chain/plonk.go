package chain

import (
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark/backend/plonk"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"

	"github.com/zkpoc/zkpoc/keys"
)

// PLONK EVM path. ExportPlonkSolidity writes gnark's PLONK verifier contract
// ("PlonkVerifier") for a BN254 PLONK verifying key. Its entry point is
//
//	function Verify(bytes calldata proof, uint256[] calldata public_inputs) public view returns (bool success)
//
// which reverts on malformed input and returns false or true otherwise. proof
// is gnark's MarshalSolidity layout of the proof (uncompressed points, the
// opened values, the BSB22 commitments and their openings); PlonkCalldata
// builds the ABI call from receipt proof.bytes and proof.public_inputs.

// PlonkVerifySignature is the Solidity signature of the PLONK contract's Verify.
const PlonkVerifySignature = "Verify(bytes,uint256[])"

// ErrNotBN254 is returned for keys and proofs on other curves: the EVM's
// pairing precompiles (EIP-196/197) are BN254's.
var ErrNotBN254 = errors.New("EVM verifiers exist for BN254 keys and proofs only (the EVM's pairing precompiles are BN254's)")

// ExportPlonkSolidity writes the Solidity PLONK verifier contract for vk.
func ExportPlonkSolidity(vk plonk.VerifyingKey, w io.Writer) error {
	if vk == nil {
		return errors.New("export PLONK solidity verifier: nil verifying key")
	}
	if _, ok := vk.(*plonkbn254.VerifyingKey); !ok {
		return fmt.Errorf("export PLONK solidity verifier: %w", ErrNotBN254)
	}
	if err := vk.ExportSolidity(w); err != nil {
		return fmt.Errorf("export PLONK solidity verifier: %w", err)
	}
	return nil
}

// PlonkSolidityProof converts gnark's compressed PLONK proof bytes (receipt
// proof.bytes) into the contract's MarshalSolidity layout. vk gives the
// expected commitment count, checked first so that MarshalSolidity cannot
// index past the proof's opened values.
func PlonkSolidityProof(proofBytes []byte, vk plonk.VerifyingKey) ([]byte, error) {
	p, err := keys.ParsePlonkProof(proofBytes)
	if err != nil {
		return nil, fmt.Errorf("plonk solidity proof: %w", err)
	}
	if err := keys.CheckPlonkProofShape(p, vk); err != nil {
		return nil, fmt.Errorf("plonk solidity proof: %w", err)
	}
	bp, ok := p.(*plonkbn254.Proof)
	if !ok {
		return nil, fmt.Errorf("plonk solidity proof: unexpected proof type %T", p)
	}
	return bp.MarshalSolidity(), nil
}

// PlonkCalldata returns the ABI calldata of Verify(bytes,uint256[]) for
// gnark's compressed PLONK proof bytes and the public inputs as canonical
// decimal field elements. As with Calldata, the binding of those inputs to
// the task and node is the caller's to check (CheckReceipt).
func PlonkCalldata(proofBytes []byte, publicInputs []string, vk plonk.VerifyingKey) ([]byte, error) {
	if len(publicInputs) < 1 || len(publicInputs) > MaxPublicInputs {
		return nil, fmt.Errorf("plonk calldata: %d public inputs (want 1..%d)", len(publicInputs), MaxPublicInputs)
	}
	sol, err := PlonkSolidityProof(proofBytes, vk)
	if err != nil {
		return nil, fmt.Errorf("plonk calldata: %w", err)
	}
	padded := (len(sol) + 31) / 32 * 32
	sel := Selector(PlonkVerifySignature)
	out := make([]byte, 0, 4+64+32+padded+32+32*len(publicInputs))
	out = append(out, sel[:]...)
	out = append(out, word(64)...)                   // offset of proof
	out = append(out, word(uint64(64+32+padded))...) // offset of public_inputs
	out = append(out, word(uint64(len(sol)))...)
	out = append(out, sol...)
	out = append(out, make([]byte, padded-len(sol))...)
	out = append(out, word(uint64(len(publicInputs)))...)
	for i, s := range publicInputs {
		x, err := ParseFieldElement(s)
		if err != nil {
			return nil, fmt.Errorf("plonk calldata: public input %d: %w", i, err)
		}
		var w [32]byte
		x.FillBytes(w[:])
		out = append(out, w[:]...)
	}
	return out, nil
}
