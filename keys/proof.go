package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
)

// Bounds of gnark's compressed BN254 Groth16 proof encoding: Ar (32), Bs
// (64), Krs (32), a 4-byte commitment count, 32 bytes per commitment, and
// the commitments' proof of knowledge (32).
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
func ParseProof(raw []byte) (proof groth16.Proof, err error) {
	if err := CheckProofFraming(raw); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			proof, err = nil, fmt.Errorf("%w: decoding panicked: %v", ErrProof, r)
		}
	}()
	proof = groth16.NewProof(ecc.BN254)
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
// proof without decoding its points.
func CheckProofFraming(raw []byte) error {
	if len(raw) < minProofBytes || len(raw) > MaxProofBytes {
		return fmt.Errorf("%w: %d bytes (want %d..%d)", ErrProof, len(raw), minProofBytes, MaxProofBytes)
	}
	c := binary.BigEndian.Uint32(raw[128:132])
	if c > MaxProofCommitments {
		return fmt.Errorf("%w: claims %d commitments (at most %d)", ErrProof, c, MaxProofCommitments)
	}
	if want := minProofBytes + 32*int(c); len(raw) != want {
		return fmt.Errorf("%w: with %d commitments it must have %d bytes, has %d", ErrProof, c, want, len(raw))
	}
	return nil
}
