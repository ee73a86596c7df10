package protocol

import (
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"

	"github.com/zkpoc/zkpoc/workload"
)

// NodeID is SHA-256 of the 32 raw bytes of an Ed25519 public key.
func NodeID(pub ed25519.PublicKey) [32]byte { return sha256.Sum256(pub) }

// PoE is the proof-of-execution binding SHA-256(request_id ‖ output_digest ‖ node_id).
func PoE(requestID, outputDigest, nodeID [32]byte) [32]byte {
	var msg [96]byte
	copy(msg[:32], requestID[:])
	copy(msg[32:64], outputDigest[:])
	copy(msg[64:], nodeID[:])
	return sha256.Sum256(msg[:])
}

// Public is the statement's public part, with the values the PoE binds.
// request_id and node_id are private to the circuit (the PoE binds them);
// PublicInputs lists the circuit's public inputs.
type Public struct {
	RequestID       [32]byte
	NodeID          [32]byte
	InputCommitment [32]byte // canonical field value, big-endian
	OutputDigest    [32]byte // canonical field value, big-endian
	PoE             [32]byte
}

// Halves splits a 32-byte value into its big-endian (hi, lo) 128-bit halves,
// the form in which 256-bit values enter the circuit.
func Halves(b [32]byte) [2]*big.Int {
	return [2]*big.Int{new(big.Int).SetBytes(b[:16]), new(big.Int).SetBytes(b[16:])}
}

// NbPublicInputs is the number of public inputs of the statement.
const NbPublicInputs = 4

// PoEInputIndex is the index of the PoE's high half among the public inputs
// (the low half follows).
const PoEInputIndex = 2

// PublicInputs lists the statement's public inputs as field elements, in
// exactly the order of the circuit's public witness (circuits.MatMul's
// public fields in declaration order): input_commitment; output_digest;
// PoE hi, lo. A digest is its 32 bytes as a big-endian integer, a PoE half
// its 16 bytes; none is reduced here (the digests are canonical, the halves
// below 2^128). TestPublicWitnessAgrees in package circuits checks this
// order against gnark's own schema of the circuit, on both curves.
func PublicInputs(p Public) []*big.Int {
	poe := Halves(p.PoE)
	return []*big.Int{
		new(big.Int).SetBytes(p.InputCommitment[:]),
		new(big.Int).SetBytes(p.OutputDigest[:]),
		poe[0], poe[1],
	}
}

// PublicInputStrings is PublicInputs as decimal strings, the form a
// receipt's proof.public_inputs lists.
func PublicInputStrings(p Public) []string { return decimal(PublicInputs(p)) }

// SyntheticPublicInputStrings are SyntheticPublicInputs in decimal, as a
// freivalds-s2 proof box lists them.
func SyntheticPublicInputStrings(p Public, s *big.Int) []string {
	return decimal(SyntheticPublicInputs(p, s))
}

func decimal(in []*big.Int) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.String()
	}
	return out
}

// PublicValues computes request_id, node_id, both digests over the curve
// and the PoE of the task's product c of a and b by the node with key nodePub.
func PublicValues(curve Curve, t workload.ComputeTask, nodePub ed25519.PublicKey, a, b []int16, c []int64) (Public, error) {
	var p Public
	var err error
	n, f := t.Payload.MatrixSize, t.Payload.FracBits
	if p.RequestID, err = t.RequestID(); err != nil {
		return p, err
	}
	p.NodeID = NodeID(nodePub)
	if p.InputCommitment, err = InputCommitmentOn(curve, a, b, n, f); err != nil {
		return p, err
	}
	if p.OutputDigest, err = OutputDigestOn(curve, c, n, f); err != nil {
		return p, err
	}
	p.PoE = PoE(p.RequestID, p.OutputDigest, p.NodeID)
	return p, nil
}
