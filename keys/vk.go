package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"

	"github.com/zkpoc/zkpoc/atomicfile"
)

// WriteVK atomically writes vk, compressed (vk.WriteTo: the fingerprinted
// form), to path.
func WriteVK(path string, vk groth16.VerifyingKey) error {
	if vk == nil {
		return fmt.Errorf("write verifying key %s: nil key", path)
	}
	err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		_, err := vk.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("write verifying key %s: %w", path, err)
	}
	return nil
}

// ReadVK reads a verifying key for curve from path. Files larger than
// MaxVKBytes are refused before reading. The bytes are structurally validated
// (lengths bounded by the data, indices in range, no trailing bytes) before
// being decoded with the checked vk.ReadFrom (points on curve and in the
// right subgroup), so a hostile file yields an error, never a panic or a huge
// allocation.
func ReadVK(path string, curve ecc.ID) (groth16.VerifyingKey, error) {
	data, err := atomicfile.ReadLimited(path, MaxVKBytes)
	if err != nil {
		return nil, fmt.Errorf("read verifying key %s: %w", path, err)
	}
	vk, err := ParseVK(data, curve)
	if err != nil {
		return nil, fmt.Errorf("read verifying key %s: %w", path, err)
	}
	return vk, nil
}

// ParseVK decodes a verifying key from data (at most MaxVKBytes), with the
// same checks as ReadVK.
func ParseVK(data []byte, curve ecc.ID) (vk groth16.VerifyingKey, err error) {
	if len(data) > MaxVKBytes {
		return nil, fmt.Errorf("verifying key of %d bytes exceeds limit of %d bytes", len(data), MaxVKBytes)
	}
	enc, err := encodingOf(curve)
	if err != nil {
		return nil, err
	}
	if err := checkGroth16VKLayout(data, enc); err != nil {
		return nil, fmt.Errorf("malformed verifying key: %w", err)
	}
	// Belt and braces: the layout check should make decoding panic-free, but
	// a decoder panic must never take the process down.
	defer func() {
		if r := recover(); r != nil {
			vk, err = nil, fmt.Errorf("malformed verifying key: decoder panic: %v", r)
		}
	}()
	vk = groth16.NewVerifyingKey(curve)
	n, err := vk.ReadFrom(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if n != int64(len(data)) {
		return nil, fmt.Errorf("decode: %d trailing bytes", int64(len(data))-n)
	}
	return vk, nil
}

// BN254 point encoding sizes (gnark-crypto ecc/bn254): the two most
// significant bits of the first byte say whether a point is compressed.
const (
	bn254G1Compressed   = 32
	bn254G1Uncompressed = 64
	bn254G2Compressed   = 64
	bn254G2Uncompressed = 128
	maskFlags           = 0b11 << 6
	flagUncompressed    = 0b00 << 6
)

var errTruncated = errors.New("truncated")

// encoding is how a curve's points are serialized by gnark-crypto: the sizes
// of compressed and uncompressed G1 and G2 points, and whether a first byte
// marks a compressed point.
type encoding struct {
	g1c, g1u, g2c, g2u int
	compressed         func(msb byte) bool
}

var (
	encBN254 = encoding{bn254G1Compressed, bn254G1Uncompressed, bn254G2Compressed, bn254G2Uncompressed,
		func(msb byte) bool { return msb&maskFlags != flagUncompressed }}
	// BLS12-381: three flag bits; 000 and 010 (infinity) are uncompressed
	encBLS12381 = encoding{48, 96, 96, 192,
		func(msb byte) bool { m := msb & (0b111 << 5); return m != 0 && m != 0b010<<5 }}
)

// encodingOf returns the point encoding of a supported curve.
func encodingOf(curve ecc.ID) (encoding, error) {
	switch curve {
	case ecc.BN254:
		return encBN254, nil
	case ecc.BLS12_381:
		return encBLS12381, nil
	}
	return encoding{}, fmt.Errorf("unsupported curve %v (supported: bn254, bls12-381)", curve)
}

type vkScanner struct {
	b   []byte
	off int
	enc encoding
}

func newScanner(b []byte, enc encoding) *vkScanner { return &vkScanner{b: b, enc: enc} }

func (s *vkScanner) remaining() int { return len(s.b) - s.off }

func (s *vkScanner) point(compressed, uncompressed int, what string) error {
	if s.remaining() < 1 {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	size := compressed
	if !s.enc.compressed(s.b[s.off]) {
		size = uncompressed
	}
	if s.remaining() < size {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	s.off += size
	return nil
}

func (s *vkScanner) g1(what string) error {
	return s.point(s.enc.g1c, s.enc.g1u, what)
}

func (s *vkScanner) g2(what string) error {
	return s.point(s.enc.g2c, s.enc.g2u, what)
}

func (s *vkScanner) u32(what string) (int, error) {
	if s.remaining() < 4 {
		return 0, fmt.Errorf("%s: %w", what, errTruncated)
	}
	v := binary.BigEndian.Uint32(s.b[s.off:])
	s.off += 4
	return int(v), nil
}

func (s *vkScanner) u64(what string) (uint64, error) {
	if s.remaining() < 8 {
		return 0, fmt.Errorf("%s: %w", what, errTruncated)
	}
	v := binary.BigEndian.Uint64(s.b[s.off:])
	s.off += 8
	return v, nil
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
