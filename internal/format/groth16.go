package format

import (
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
)

// ErrProof is wrapped by ParseGroth16Proof's errors.
var ErrProof = errors.New("malformed Groth16 proof")

// ParseGroth16VK decodes a Groth16 verifying key for curve from data (at
// most MaxVKBytes). The bytes are structurally validated (lengths bounded
// by the data, indices in range, no trailing bytes) before being decoded
// with the checked vk.ReadFrom (points on curve and in the right subgroup),
// so a hostile file yields an error, never a panic or a huge allocation.
// Compressed and uncompressed points are accepted.
func ParseGroth16VK(data []byte, curve ecc.ID) (groth16.VerifyingKey, error) {
	return parseVK(data, curve, "verifying key", checkGroth16VKLayout, groth16.NewVerifyingKey, nil)
}

// ParseGroth16Proof decodes a Groth16 proof on curve (BN254 or BLS12-381)
// in gnark's compressed encoding from untrusted bytes: the framing is
// checked before gnark's decoder sees it (that decoder allocates from an
// unchecked commitment count), points are checked to be on the curve and
// in the subgroup, and every byte must be used.
func ParseGroth16Proof(raw []byte, curve ecc.ID) (groth16.Proof, error) {
	return parseProof(raw, curve, ErrProof, checkProofFraming, groth16.NewProof)
}

// CheckGroth16ProofFraming checks the length and commitment count of a
// compressed BN254 Groth16 proof without decoding its points.
func CheckGroth16ProofFraming(raw []byte) error { return checkProofFraming(raw, encBN254) }

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

// checkGroth16VKLayout walks the gnark v0.16 Groth16 verifying key
// encoding (the same for every curve, with the curve's point sizes),
//
//	[α]1 [β]1 [β]2 [γ]2 [δ]1 [δ]2 u32(len K) [K]1... u32(len C) (u32(len Ci) u64...)... u32(nbCommitments) ([G]2 [GσNeg]2)...
//
// checking that every length prefix is backed by enough bytes (so the decoder
// never allocates from an unbacked length), that commitment indices are valid
// public-input indices (gnark's Verify indexes the public witness with them),
// and that there are no trailing bytes.
func checkGroth16VKLayout(b []byte, enc encoding) error {
	s := newScanner(b, enc)
	for _, f := range []struct {
		g1   bool
		name string
	}{{true, "alpha G1"}, {true, "beta G1"}, {false, "beta G2"}, {false, "gamma G2"}, {true, "delta G1"}, {false, "delta G2"}} {
		var err error
		if f.g1 {
			err = s.g1(f.name)
		} else {
			err = s.g2(f.name)
		}
		if err != nil {
			return err
		}
	}
	nK, err := s.u32("K length")
	if err != nil {
		return err
	}
	if nK < 1 || nK > s.remaining()/s.enc.g1c {
		return fmt.Errorf("K length %d out of range for %d remaining bytes", nK, s.remaining())
	}
	for i := 0; i < nK; i++ {
		if err := s.g1(fmt.Sprintf("K[%d]", i)); err != nil {
			return err
		}
	}
	nC, err := s.u32("commitment index list length")
	if err != nil {
		return err
	}
	if nC > nK-1 {
		return fmt.Errorf("%d commitments but only %d K points", nC, nK)
	}
	nbPublic := nK - nC // includes the constant-one wire
	for i := 0; i < nC; i++ {
		m, err := s.u32(fmt.Sprintf("commitment %d index count", i))
		if err != nil {
			return err
		}
		if m > s.remaining()/8 {
			return fmt.Errorf("commitment %d index count %d: %w", i, m, errTruncated)
		}
		for j := 0; j < m; j++ {
			v, err := s.u64("commitment index")
			if err != nil {
				return err
			}
			if v < 1 || v >= uint64(nbPublic) {
				return fmt.Errorf("commitment %d index %d out of range [1, %d)", i, v, nbPublic)
			}
		}
	}
	nKeys, err := s.u32("commitment key count")
	if err != nil {
		return err
	}
	if nKeys != nC {
		return fmt.Errorf("%d commitment keys for %d commitments", nKeys, nC)
	}
	for i := 0; i < nKeys; i++ {
		if err := s.g2(fmt.Sprintf("commitment key %d G", i)); err != nil {
			return err
		}
		if err := s.g2(fmt.Sprintf("commitment key %d GSigmaNeg", i)); err != nil {
			return err
		}
	}
	if s.remaining() != 0 {
		return fmt.Errorf("%d trailing bytes", s.remaining())
	}
	return nil
}
