// Package format holds the bounded readers of the key, proof and SRS
// encodings zkpoc accepts from elsewhere (gnark v0.16's verifying keys and
// proofs for Groth16 and PLONK on BN254 and BLS12-381, and gnark-crypto's
// BN254 kzg.SRS), and the limits on their sizes. Every reader walks the
// encoding's framing first, so that no length prefix reaches gnark's
// decoder unbacked by bytes present, decodes points with subgroup checks,
// requires every byte to be used and turns a decoder panic into an error:
// hostile bytes yield an error, never a panic or a huge allocation.
//
// It is internal, as age keeps its format in internal/format: package
// proofsystem is its door (ParseVerifyingKey, ParseProof) for everyone
// else.
package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc"
)

// MaxVKBytes bounds the size of a serialized verifying key (either system).
// A BN254 Groth16 verifying key is a few hundred bytes plus 32-64 bytes per
// public input.
const MaxVKBytes = 1 << 20

// decodeAll reads data into v with v.ReadFrom and requires every byte to be
// used. Belt and braces: the framing checks should make decoding
// panic-free, but a decoder panic must never take the process down, so it
// becomes an error.
// parseVK is the one shape of the verifying-key parsers: the size limit,
// the layout walk (so that no length prefix reaches gnark's decoder
// unbacked), the checked decode of every byte, then check on the decoded
// key (nil: none). what names the key in errors.
func parseVK[T io.ReaderFrom](data []byte, curve ecc.ID, what string, layout func([]byte, encoding) error, newKey func(ecc.ID) T, check func(T) error) (T, error) {
	var none T
	if len(data) > MaxVKBytes {
		return none, fmt.Errorf("%s of %d bytes exceeds limit of %d bytes", what, len(data), MaxVKBytes)
	}
	enc, err := encodingOf(curve)
	if err != nil {
		return none, err
	}
	if err := layout(data, enc); err != nil {
		return none, fmt.Errorf("malformed %s: %w", what, err)
	}
	v := newKey(curve)
	if err := decodeAll(v, data); err != nil {
		return none, fmt.Errorf("malformed %s: %w", what, err)
	}
	if check != nil {
		if err := check(v); err != nil {
			return none, fmt.Errorf("malformed %s: %w", what, err)
		}
	}
	return v, nil
}

// parseProof is the one shape of the proof parsers: the framing checked
// before gnark's decoder allocates from it, then the checked decode of
// every byte; decode errors wrap malformed.
func parseProof[T io.ReaderFrom](raw []byte, curve ecc.ID, malformed error, framing func([]byte, encoding) error, newProof func(ecc.ID) T) (T, error) {
	var none T
	enc, err := encodingOf(curve)
	if err != nil {
		return none, err
	}
	if err := framing(raw, enc); err != nil {
		return none, err
	}
	p := newProof(curve)
	if err := decodeAll(p, raw); err != nil {
		return none, fmt.Errorf("%w: %v", malformed, err)
	}
	return p, nil
}

func decodeAll(v io.ReaderFrom, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder panic: %v", r)
		}
	}()
	n, err := v.ReadFrom(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if n != int64(len(data)) {
		return fmt.Errorf("decoder used %d of %d bytes (%d trailing bytes)", n, len(data), int64(len(data))-n)
	}
	return nil
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

func (s *vkScanner) skip(n int, what string) error {
	if s.remaining() < n {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	s.off += n
	return nil
}

func (s *vkScanner) compressedG1(what string) error { return s.compressed(s.enc.g1c, what) }

// compressed skips one compressed point of size bytes, refusing an uncompressed one.
func (s *vkScanner) compressed(size int, what string) error {
	if s.remaining() < size {
		return fmt.Errorf("%s: %w", what, errTruncated)
	}
	if !s.enc.compressed(s.b[s.off]) {
		return fmt.Errorf("%s: uncompressed point (want the compressed encoding)", what)
	}
	s.off += size
	return nil
}
