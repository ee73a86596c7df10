package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/plonk"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"golang.org/x/crypto/sha3"

	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/proofsystem"
	"github.com/zkpoc/zkpoc/protocol"
)

// EVM path. ExportSolidity writes gnark's Groth16 verifier contract for a
// verifying key (contract "Verifier", pragma ^0.8.0, Keccak-256 hash-to-field
// — the function zkpoc's prover uses via WithProverTargetSolidityVerifier).
// For a key with one commitment and K public inputs its entry point is
//
//	function verifyProof(bytes calldata proof, uint256[K] calldata input) public view
//
// which returns nothing and reverts (ProofInvalid, CommitmentInvalid,
// PublicInputNotInField, or "invalid proof length") unless the proof
// verifies. proof is gnark's MarshalSolidity layout, 256 + 64·(c+1) bytes for
// c commitments (384 for zkpoc):
//
//	Ar.X ‖ Ar.Y ‖ Bs.X1 ‖ Bs.X0 ‖ Bs.Y1 ‖ Bs.Y0 ‖ Krs.X ‖ Krs.Y ‖
//	Commitment_0.X ‖ Commitment_0.Y ‖ … ‖ PoK.X ‖ PoK.Y       (32 bytes each)
//
// Calldata ABI-encodes that call: selector ‖ head (offset of proof = 32·(K+1),
// then the K inputs) ‖ proof length ‖ proof padded to 32 bytes.

// ExportSolidity writes the Solidity verifier contract for vk: gnark's
// Groth16 contract ("Verifier") or its PLONK one ("PlonkVerifier", see
// PlonkCalldata), for BN254 keys only (ErrNotBN254).
func ExportSolidity(vk proofsystem.VerifyingKey, w io.Writer) error {
	what := "export solidity verifier"
	if vk != nil && vk.System() == protocol.Plonk {
		what = "export PLONK solidity verifier"
	}
	switch {
	case vk == nil:
		return fmt.Errorf("%s: nil verifying key", what)
	case vk.Curve() != protocol.BN254:
		return fmt.Errorf("%s: %w", what, ErrNotBN254)
	}
	if err := vk.ExportSolidity(w); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// VerifyProofSignature is the Solidity signature of verifyProof for k public
// inputs, e.g. "verifyProof(bytes,uint256[8])".
func VerifyProofSignature(k int) string { return fmt.Sprintf("verifyProof(bytes,uint256[%d])", k) }

// Selector is the 4-byte ABI selector of a function signature.
func Selector(signature string) [4]byte {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(signature))
	var out [4]byte
	copy(out[:], h.Sum(nil))
	return out
}

// SolidityProof converts gnark's compressed proof bytes (receipt proof.bytes)
// into the exported contract's uncompressed proof layout (MarshalSolidity).
func SolidityProof(proofBytes []byte) ([]byte, error) {
	p, err := parseGnarkProof(proofBytes)
	if err != nil {
		return nil, fmt.Errorf("solidity proof: %w", err)
	}
	bp, ok := p.Gnark().(*groth16bn254.Proof)
	if !ok {
		return nil, fmt.Errorf("solidity proof: unexpected proof type %T", p.Gnark())
	}
	// MarshalSolidity's layout, built here so that nothing can panic:
	// WriteRawTo is Ar ‖ Bs ‖ Krs ‖ u32 count ‖ commitments ‖ PoK, uncompressed.
	var raw bytes.Buffer
	if _, err := bp.WriteRawTo(&raw); err != nil {
		return nil, fmt.Errorf("solidity proof: %w", err)
	}
	base := 8 * fp.Bytes
	b := raw.Bytes()
	if len(b) < base+4 {
		return nil, fmt.Errorf("solidity proof: raw encoding has %d bytes", len(b))
	}
	out := append([]byte(nil), b[:base]...)
	if len(bp.Commitments) > 0 {
		out = append(out, b[base+4:]...)
	}
	return out, nil
}

// CompressSolidityProof is SolidityProof's inverse: gnark's compressed
// proof bytes (receipt proof.bytes, the zk_compute_proof's proof) for a proof
// in the exported contract's uncompressed layout with c ≥ 1 commitments,
// 256 + 64·c + 64 bytes (384 for zkpoc). Every point must be on its curve and
// in its subgroup, and the result must convert back to exactly sol, so the
// two encodings name one proof.
func CompressSolidityProof(sol []byte) ([]byte, error) {
	const base = 8 * fp.Bytes
	if len(sol) < base+128 || (len(sol)-base)%64 != 0 || (len(sol)-base)/64-1 > MaxCommitments {
		return nil, fmt.Errorf("compress solidity proof: %d bytes: want 256 + 64·c + 64 for 1..%d commitments", len(sol), MaxCommitments)
	}
	c := (len(sol)-base)/64 - 1
	raw := make([]byte, 0, len(sol)+4)
	raw = append(raw, sol[:base]...)
	raw = binary.BigEndian.AppendUint32(raw, uint32(c))
	raw = append(raw, sol[base:]...)
	var p groth16bn254.Proof
	n, err := p.ReadFrom(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("compress solidity proof: %w", err)
	}
	if n != int64(len(raw)) {
		return nil, fmt.Errorf("compress solidity proof: %d of %d bytes decoded", n, len(raw))
	}
	var out bytes.Buffer
	if _, err := p.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("compress solidity proof: %w", err)
	}
	back, err := SolidityProof(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("compress solidity proof: %w", err)
	}
	if !bytes.Equal(back, sol) {
		return nil, errors.New("compress solidity proof: the points do not round-trip (a non-canonical encoding)")
	}
	return out.Bytes(), nil
}

// Calldata returns the ABI calldata of verifyProof(bytes,uint256[K]) on the
// exported contract, for gnark's compressed proof bytes and the K public
// inputs as canonical decimal field elements (receipt proof.public_inputs).
//
// The contract checks the proof against the inputs it is given, nothing
// more: check the receipt first (CheckReceipt), and on chain have the
// contract that calls verifyProof take input[0] from the task it issued
// (payload.input_commitment) and compare input[2], input[3] with the halves
// of SHA-256(request_id ‖ input[1] ‖ node_id), never the submitter's word.
func Calldata(proofBytes []byte, publicInputs []string) ([]byte, error) {
	if len(publicInputs) < 1 || len(publicInputs) > MaxPublicInputs {
		return nil, fmt.Errorf("calldata: %d public inputs (want 1..%d)", len(publicInputs), MaxPublicInputs)
	}
	sol, err := SolidityProof(proofBytes)
	if err != nil {
		return nil, fmt.Errorf("calldata: %w", err)
	}
	k := len(publicInputs)
	sel := Selector(VerifyProofSignature(k))
	out := make([]byte, 0, 4+32*(k+2)+len(sol)+31)
	out = append(out, sel[:]...)
	out = append(out, word(uint64(32*(k+1)))...)
	out, err = appendFieldWords(out, publicInputs)
	if err != nil {
		return nil, fmt.Errorf("calldata: %w", err)
	}
	out = append(out, word(uint64(len(sol)))...)
	out = append(out, sol...)
	if pad := len(sol) % 32; pad != 0 {
		out = append(out, make([]byte, 32-pad)...)
	}
	return out, nil
}

// Calldata is Calldata for a decoded zk_compute_proof.
func (cp *ComputeProof) Calldata() ([]byte, error) {
	return Calldata(cp.Proof, cp.PublicInputStrings())
}

// appendFieldWords appends the public inputs, canonical decimal field
// elements, as 32-byte big-endian ABI words.
func appendFieldWords(out []byte, publicInputs []string) ([]byte, error) {
	for i, s := range publicInputs {
		x, err := ParseFieldElement(s)
		if err != nil {
			return nil, fmt.Errorf("public input %d: %w", i, err)
		}
		var w [32]byte
		x.FillBytes(w[:])
		out = append(out, w[:]...)
	}
	return out, nil
}

func word(v uint64) []byte {
	var w [32]byte
	binary.BigEndian.PutUint64(w[24:], v)
	return w[:]
}

// PLONK EVM path. ExportSolidity writes gnark's PLONK verifier contract
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

// PlonkSolidityProof converts gnark's compressed PLONK proof bytes (receipt
// proof.bytes) into the contract's MarshalSolidity layout. vk gives the
// expected commitment count, checked first so that MarshalSolidity cannot
// index past the proof's opened values.
func PlonkSolidityProof(proofBytes []byte, vk proofsystem.VerifyingKey) ([]byte, error) {
	if vk == nil || vk.System() != protocol.Plonk || vk.Curve() != protocol.BN254 {
		return nil, fmt.Errorf("plonk solidity proof: want a BN254 PLONK verifying key, have %s", describeKey(vk))
	}
	p, err := proofsystem.ParseProof(proofBytes, protocol.Plonk, protocol.BN254)
	if err != nil {
		return nil, fmt.Errorf("plonk solidity proof: %w", err)
	}
	if err := format.CheckPlonkProofShape(p.Gnark().(plonk.Proof), vk.Gnark().(plonk.VerifyingKey)); err != nil {
		return nil, fmt.Errorf("plonk solidity proof: %w", err)
	}
	bp, ok := p.Gnark().(*plonkbn254.Proof)
	if !ok {
		return nil, fmt.Errorf("plonk solidity proof: unexpected proof type %T", p.Gnark())
	}
	return bp.MarshalSolidity(), nil
}

// PlonkCalldata returns the ABI calldata of Verify(bytes,uint256[]) for
// gnark's compressed PLONK proof bytes and the public inputs as canonical
// decimal field elements. As with Calldata, the binding of those inputs to
// the task and node is the caller's to check (CheckReceipt).
func PlonkCalldata(proofBytes []byte, publicInputs []string, vk proofsystem.VerifyingKey) ([]byte, error) {
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
	out, err = appendFieldWords(out, publicInputs)
	if err != nil {
		return nil, fmt.Errorf("plonk calldata: %w", err)
	}
	return out, nil
}
