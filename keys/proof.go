package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
)

// Bounds of gnark's compressed Groth16 proof encoding: Ar (G1), Bs (G2), Krs
// (G1), a 4-byte commitment count, one G1 per commitment, and the
// commitments' proof of knowledge (G1) — 164 + 32·c bytes on BN254, 244 +
// 48·c on BLS12-381.
const (
	MaxProofBytes       = 1024
	MaxProofCommitments = 8
	minProofBytes       = 32 + 64 + 32 + 4 + 32
)

// ErrProof is wrapped by ParseProof's errors.
var ErrProof = errors.New("malformed Groth16 proof")

// ParseProof decodes a BN254 Groth16 proof in gnark's compressed encoding
// from untrusted bytes: the framing is checked before gnark's decoder sees
// it (that decoder allocates from an unchecked commitment count), points are
// checked to be on the curve and in the subgroup, and every byte must be used.
func ParseProof(raw []byte) (proof groth16.Proof, err error) { return ParseProofFor(ecc.BN254, raw) }

// ParseProofFor is ParseProof for a proof on curve (BN254 or BLS12-381).
func ParseProofFor(curve ecc.ID, raw []byte) (proof groth16.Proof, err error) {
	enc, err := encodingOf(curve)
	if err != nil {
		return nil, err
	}
	if err := checkProofFraming(raw, enc); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			proof, err = nil, fmt.Errorf("%w: decoding panicked: %v", ErrProof, r)
		}
	}()
	proof = groth16.NewProof(curve)
	n, err := proof.ReadFrom(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProof, err)
	}
	if int(n) != len(raw) {
		return nil, fmt.Errorf("%w: decoder used %d of %d bytes (points must be compressed)", ErrProof, n, len(raw))
	}
	return proof, nil
}

// CheckProofFraming checks the length and commitment count of a compressed
// BN254 proof without decoding its points.
func CheckProofFraming(raw []byte) error { return checkProofFraming(raw, encBN254) }

func checkProofFraming(raw []byte, enc encoding) error {
	countAt := 2*enc.g1c + enc.g2c
	minBytes := countAt + 4 + enc.g1c
	if len(raw) < minBytes || len(raw) > MaxProofBytes {
		return fmt.Errorf("%w: %d bytes (want %d..%d)", ErrProof, len(raw), minBytes, MaxProofBytes)
	}
	c := binary.BigEndian.Uint32(raw[countAt : countAt+4])
	if c > MaxProofCommitments {
		return fmt.Errorf("%w: claims %d commitments (at most %d)", ErrProof, c, MaxProofCommitments)
	}
	if want := minBytes + enc.g1c*int(c); len(raw) != want {
		return fmt.Errorf("%w: with %d commitments it must have %d bytes, has %d", ErrProof, c, want, len(raw))
	}
	return nil
}
