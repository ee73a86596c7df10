// Package proofsystem is zkpoc's one interface over gnark's Groth16 and
// PLONK (KZG) on BN254 and BLS12-381, verify side: a VerifyingKey and a
// Proof, in the shape of gnark's own backend/groth16 VerifyingKey
// interface, read with bounds from untrusted bytes (ReadVerifyingKey,
// ReadProof: one argument order, the system and curve last), fingerprinted,
// verified, written and exported as a Solidity contract, whichever system
// they are. It also holds the gnark prover and verifier options zkpoc
// always uses (ProverOptions, VerifierOptions): the single source both
// sides take, since a proof verifies only under the hash-to-field it was
// made with.
//
// The proving side (setup, proving keys, Prove) is package setup's, so a
// verifier that imports this package pulls in no proving code.
package proofsystem

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"

	"github.com/zkpoc/zkpoc/internal/format"
	"github.com/zkpoc/zkpoc/protocol"
)

// MaxVKBytes bounds a serialized verifying key of either system.
const MaxVKBytes = format.MaxVKBytes

// Groth16 proof encoding bounds (the zk_compute_proof format of package
// chain embeds them).
const (
	MaxGroth16ProofBytes = format.MaxProofBytes
	MaxProofCommitments  = format.MaxProofCommitments
)

// ErrProof is wrapped by every error about the bytes of a Groth16 proof,
// ErrPlonkProof by those of a PLONK proof.
var (
	ErrProof      = format.ErrProof
	ErrPlonkProof = format.ErrPlonkProof
)

// VerifyingKey is a verifying key of either system. Its Fingerprint is the
// SHA-256 of its canonical (compressed, WriteTo) encoding, the key_fingerprint
// receipts carry.
type VerifyingKey interface {
	// System is protocol.Groth16 or protocol.Plonk; Curve the key's curve.
	System() protocol.System
	Curve() protocol.Curve
	// NbPublic is the number of public inputs a proof is verified for
	// (the public witness's length).
	NbPublic() int
	Fingerprint() [32]byte
	// FingerprintHex is Fingerprint as lower-case hex.
	FingerprintHex() string
	// Verify verifies proof for the public witness with VerifierOptions. A
	// proof of another system or curve, a PLONK proof without the key's
	// commitment and opening counts, and a gnark panic are errors.
	Verify(proof Proof, publicWitness witness.Witness) error
	// ExportSolidity writes gnark's Solidity verifier contract for the key.
	ExportSolidity(w io.Writer) error
	// WriteTo writes the canonical (fingerprinted) encoding.
	io.WriterTo
	// Gnark is the gnark key (groth16.VerifyingKey or plonk.VerifyingKey,
	// of its curve-specific type), for code that needs the concrete type.
	Gnark() any
}

// Proof is a proof of either system.
type Proof interface {
	System() protocol.System
	Curve() protocol.Curve
	// WriteTo writes gnark's compressed encoding (receipt proof.bytes).
	io.WriterTo
	// Gnark is the gnark proof (groth16.Proof or plonk.Proof).
	Gnark() any
}

// CheckSystem refuses a proof system zkpoc does not know.
func CheckSystem(system protocol.System) error {
	switch system {
	case protocol.Groth16, protocol.Plonk:
		return nil
	}
	return fmt.Errorf("unsupported proof system %q (want groth16 or plonk)", system)
}

// ProverOptions are the gnark prover options zkpoc always uses for system:
// the Solidity-compatible hash-to-field (for PLONK gnark's default
// transcript hash already matches; the option is kept so a change in gnark
// reaches zkpoc), so the same proof verifies on an EVM.
func ProverOptions(system protocol.System) []backend.ProverOption {
	return []backend.ProverOption{solidity.WithProverTargetSolidityVerifier(backendID(system))}
}

// VerifierOptions mirror ProverOptions.
func VerifierOptions(system protocol.System) []backend.VerifierOption {
	return []backend.VerifierOption{solidity.WithVerifierTargetSolidityVerifier(backendID(system))}
}

func backendID(system protocol.System) backend.ID {
	if system == protocol.Plonk {
		return backend.PLONK
	}
	return backend.GROTH16
}

// Fingerprint is the SHA-256 of an encodable value's WriteTo bytes: for a
// gnark verifying key, its fingerprint.
func Fingerprint(vk io.WriterTo) ([32]byte, error) {
	var out [32]byte
	if vk == nil {
		return out, fmt.Errorf("fingerprint: nil verifying key")
	}
	h := sha256.New()
	if _, err := vk.WriteTo(h); err != nil {
		return out, fmt.Errorf("fingerprint: serialize verifying key: %w", err)
	}
	h.Sum(out[:0])
	return out, nil
}

// KeyName names a system's verifying key in errors: "verifying key" for
// Groth16 (as zkpoc always called it), "PLONK verifying key".
func KeyName(system protocol.System) string {
	if system == protocol.Plonk {
		return "PLONK verifying key"
	}
	return "verifying key"
}

func hexOf(fp [32]byte) string { return hex.EncodeToString(fp[:]) }
